//! `casework sweep [--dry-run] [--commit] [--force]`

use super::{Exit, FINDINGS, Globals, OK, identity};
use crate::context::Context;
use crate::diag::one_line;
use crate::edit::Transaction;
use crate::edit::automatic::{self, Plan, Scope};
use crate::query::automatic::{StepKind, Wanted};

/// Apply the workflows' automatic steps, for a scheduled CI job: close requests the
/// customer never confirmed once the non-response period (non_response_days business days
/// after resolution.notified_at) is over, with confirmation.outcome = no_response; close
/// orders whose customer gave no feedback within the period; archive closed cases
/// archive_after_days business days after closure (needs the archive role); write the kind's
/// escalate_to into the escalation field of a breached SLA clock (an overdue feedback item's
/// escalated_to). Each step is the same validated, minimal edit as `casework transition`.
///
/// Prints one line per case and a summary. A second run does nothing. With --commit, one
/// commit lists the cases. Exits 1 when a due step was refused (or left for lack of a role).
/// Two runs at once: the second refuses (lock file .casework-sweep.lock beside casework.toml).
#[derive(clap::Args, Debug)]
#[command(after_help = "Example (a daily CI job, as a member of the `records` role):\n  \
casework sweep --commit && git push")]
pub struct Args {
    /// Print what would be done; change nothing.
    #[arg(long, conflicts_with = "commit")]
    pub dry_run: bool,
    /// Commit the changed files in one commit whose message lists the cases.
    #[arg(long)]
    pub commit: bool,
    /// With --commit, commit even files that already had uncommitted changes.
    #[arg(long, requires = "commit")]
    pub force: bool,
}

pub fn run(g: &Globals, a: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let user = identity(&ctx.config.root);
    let scope = Scope {
        wanted: Wanted::ALL,
        kind: None,
        user,
        dry_run: a.dry_run,
    };
    execute(g, &ctx, &scope, &Run::new("sweep", a.dry_run, a.commit, a.force))
}

/// How a run of `sweep` or `archive` was asked for.
pub struct Run {
    /// The command's name, for messages and the commit.
    pub name: &'static str,
    pub dry_run: bool,
    pub commit: bool,
    pub force: bool,
}

impl Run {
    pub fn new(name: &'static str, dry_run: bool, commit: bool, force: bool) -> Run {
        Run {
            name,
            dry_run,
            commit,
            force,
        }
    }
}

/// Plan, print and (unless a dry run) write one run's steps.
pub fn execute(g: &Globals, ctx: &Context, scope: &Scope, run: &Run) -> Result<u8, Exit> {
    let root = &ctx.config.root;
    if run.commit {
        super::require_git_identity(root)?;
    }
    // Nothing is written by a dry run, not even the lock.
    let (lock, mut tx) = if run.dry_run {
        (None, None)
    } else {
        let lock = automatic::run_lock(root, ctx.now)?;
        (Some(lock), Some(Transaction::begin(root)?))
    };
    let plan = automatic::plan(ctx, scope)?;
    super::warn_skipped(&plan.skipped);
    if run.commit && !run.force {
        let dirty = automatic::uncommitted(root, &plan)?;
        if !dirty.is_empty() {
            return Err(Exit {
                code: FINDINGS,
                message: Some(format!(
                    "{} already {} uncommitted changes: commit them first, or pass --force to commit them with this {}; nothing was done",
                    dirty.join(", "),
                    if dirty.len() == 1 { "has" } else { "have" },
                    run.name
                )),
            });
        }
    }
    let lines: Vec<String> = plan.planned.iter().map(automatic::describe).collect();
    if let Some(tx) = tx.as_mut() {
        automatic::write(tx, &plan)?;
    }
    if let Some(tx) = tx {
        if run.commit {
            tx.commit(&commit_message(run.name, &plan, &lines))?;
        } else {
            tx.finish();
        }
    }
    drop(lock);
    if !g.quiet {
        super::emit_lines(&lines);
    }
    for r in &plan.refused {
        eprintln!(
            "casework: {}: refused: {}",
            one_line(&r.id),
            one_line(&r.reasons.join("; "))
        );
    }
    for (id, path) in &plan.undated {
        eprintln!(
            "casework: warning: {} ({}) is closed but neither the record nor the git history says when: not archived",
            one_line(id),
            one_line(path)
        );
    }
    for (kind, n) in &plan.needs_role {
        let role = ctx
            .config
            .kinds
            .get(kind)
            .map_or("records", |k| k.archive_role.as_str());
        eprintln!(
            "casework: {n} {kind} case(s) due for archiving left as they are: {}",
            one_line(&crate::edit::dispose::role_refusal(
                &ctx.config,
                role,
                "archiving",
                scope.user.as_deref()
            ))
        );
    }
    if !g.quiet {
        outln!("{}", summary(run, &plan));
    }
    Ok(if plan.refused.is_empty() && plan.needs_role.is_empty() {
        OK
    } else {
        FINDINGS
    })
}

/// "sweep: 2 closed on no response, 1 archived, 1 escalated; 1 refused".
fn summary(run: &Run, plan: &Plan) -> String {
    let count = |k: StepKind| plan.planned.iter().filter(|p| p.step.what == k).count();
    let mut done: Vec<String> = [
        (StepKind::NoResponse, "closed on no response"),
        (StepKind::Archive, "archived"),
        (StepKind::Escalate, "escalated"),
    ]
    .iter()
    .filter(|(k, _)| count(*k) > 0)
    .map(|(k, what)| format!("{} {what}", count(*k)))
    .collect();
    if done.is_empty() {
        done.push("nothing to do".into());
    }
    let mut out = format!("{}: {}", run.name, done.join(", "));
    let refused = plan.refused.len() + plan.needs_role.values().sum::<usize>();
    if refused > 0 {
        out.push_str(&format!("; {refused} due but not done (see above)"));
    }
    if run.dry_run && !plan.planned.is_empty() {
        out.push_str(" (dry run: nothing was written)");
    } else if run.commit && !plan.planned.is_empty() {
        out.push_str(" (committed)");
    }
    out
}

/// `casework sweep: 3 cases` and a line per case.
fn commit_message(name: &str, plan: &Plan, lines: &[String]) -> String {
    let n = plan.planned.len();
    let mut m = format!("casework {name}: {n} case{}\n\n", if n == 1 { "" } else { "s" });
    for l in lines {
        m.push_str(&one_line(l));
        m.push('\n');
    }
    m
}
