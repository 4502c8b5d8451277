//! `casework renumber ID [--path FILE] [--commit] [--force]`

use super::{Exit, FINDINGS, Globals, OK, identity};
use crate::diag::one_line;
use crate::edit::Transaction;
use crate::edit::renumber::{Outcome, Request, plan};
use std::path::PathBuf;

/// Give a record the next free ID of its kind and year, after two branches each ran
/// `casework new` and took the same one. The file is renamed to the new ID and its `id` line
/// rewritten (only that line changes; mentions of the old ID in the body are left for you to
/// review, and listed). Every other record whose `related` names the old ID is changed to
/// the new one, in the same all-or-nothing change. When another file still holds the old ID
/// afterwards (two files with one ID in the working tree, so --path picks which one to
/// renumber), references are left alone and the records that cite it are listed.
///
/// The next free ID is one that no record has in the working tree, on any local branch or
/// remote-tracking branch (origin/main after `git fetch`), nor in the disposal register.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "The usual flow, on your branch, when origin/main already has REQ-2026-0007:\n  \
git fetch\n  \
casework renumber REQ-2026-0007 --commit\n  \
git merge origin/main\n\n\
Your record becomes REQ-2026-0008 (or the next number no branch has) and the merge no longer collides. \
If the merge already stopped with an add/add conflict on the record (both sides added \
records/request/REQ-2026-0007.md):\n  \
git merge --abort\n  \
casework renumber REQ-2026-0007 --commit\n  \
git merge origin/main\n\n\
--commit commits the renamed file and the changed references alone, as \
`Renumber REQ-2026-0007 to REQ-2026-0008`; `casework check --since` accepts that commit as one \
renumbered record."
)]
pub struct Args {
    /// The ID to give up, e.g. REQ-2026-0007 (any case).
    #[arg(value_parser = super::case_id)]
    pub id: String,
    /// The file to renumber when several hold the ID (relative to the current folder, or to -C DIR).
    #[arg(long, value_name = "FILE")]
    pub path: Option<PathBuf>,
    /// Commit the renamed file and the changed references (only them) with git.
    #[arg(long)]
    pub commit: bool,
    /// With --commit, commit even when those files already had uncommitted changes.
    #[arg(long)]
    pub force: bool,
}

pub fn run(g: &Globals, a: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let cfg = &ctx.config;
    let path = match &a.path {
        None => None,
        Some(p) => Some(
            crate::record::record_file(&cfg.root, &g.start_dir().join(p), crate::record::Entry::File)
                .ok_or_else(|| Exit::usage(format!("{} is outside the records repository", p.display())))?
                .path,
        ),
    };
    if a.commit {
        super::require_git_identity(&cfg.root)?;
    }
    // Holds the writers' lock until the change is written and committed.
    let mut tx = Transaction::begin(&cfg.root)?;
    let user = identity(&cfg.root);
    let req = Request {
        id: &a.id,
        path: path.as_deref(),
        user: user.as_deref(),
    };
    let plan = match plan(&ctx, &req)? {
        Outcome::Refused(reasons) => {
            eprintln!("casework: refusing to renumber {}:", one_line(&a.id));
            for r in reasons {
                eprintln!("  - {}", one_line(&r));
            }
            return Ok(FINDINGS);
        }
        Outcome::Ready(plan) => plan,
    };
    if a.commit {
        super::refuse_uncommitted(&cfg.root, &plan.paths(), a.force)?;
    }
    plan.write(cfg, &mut tx)?;
    if a.commit {
        tx.commit(&format!("Renumber {} to {}", plan.old_id, plan.new_id))?;
    } else {
        tx.finish();
    }
    if !g.quiet {
        outln!(
            "{}",
            one_line(&format!("{} -> {}  ({})", plan.old_id, plan.new_id, plan.new_path))
        );
        for r in &plan.references {
            outln!(
                "{}",
                one_line(&format!("{}: related {} -> {}", r.path, plan.old_id, plan.new_id))
            );
        }
    }
    if !plan.cited_by.is_empty() {
        eprintln!(
            "casework: warning: {} is still the ID of another record, so these records that cite it were left as they are; check which record each means: {}",
            plan.old_id,
            one_line(&plan.cited_by.join(", "))
        );
    }
    if !plan.body_mentions.is_empty() {
        let lines: Vec<String> = plan.body_mentions.iter().map(usize::to_string).collect();
        eprintln!(
            "casework: warning: the body of {} still mentions {} (line {}); change it by hand where it means this record",
            one_line(&plan.new_path),
            plan.old_id,
            lines.join(", ")
        );
    }
    Ok(OK)
}
