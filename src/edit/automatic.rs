//! `casework sweep` and `casework archive`: the automatic steps due now
//! ([`crate::query::automatic`]), each planned as the same validated
//! minimal edit as `casework transition` ([`super::transition::plan`]) in
//! the record set's one loading pass, then written in one transaction. The
//! [`RunLock`] keeps two runs from working at once.

use super::transition::{self, Outcome, Request};
use super::value::Assignment;
use crate::config::Kind;
use crate::context::Context;
use crate::diag::Diagnostic;
use crate::query::automatic::{self, Due, Step, StepKind, Wanted};
use crate::query::report::{Undated, closing_dates_from_history};
use crate::record::{self, Record, RecordSet};
use anyhow::{Context as _, Result, bail};
use chrono::{DateTime, SecondsFormat, Utc};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a run looks for.
#[derive(Debug, Clone)]
pub struct Scope {
    pub wanted: Wanted,
    /// Only records of this kind.
    pub kind: Option<String>,
    /// The acting user's email: role checks of the steps are theirs.
    pub user: Option<String>,
    /// Judge each step without building its text (see [`judge_step`]).
    pub dry_run: bool,
}

/// A step planned for one record: the text to write.
#[derive(Debug, Clone)]
pub struct Planned {
    pub id: String,
    pub path: String,
    pub kind: String,
    pub step: Step,
    pub from: String,
    /// The new status (the old one for an edit without a state change).
    pub to: String,
    /// The text the step edits (empty in a dry run).
    pub old_text: String,
    pub new_text: String,
    /// For an archiving step, the `archive.retain_until` it writes.
    pub retain_until: Option<String>,
}

/// A step due for a record that the workflow refuses (an unmet guard).
#[derive(Debug, Clone)]
pub struct Refused {
    pub id: String,
    pub path: String,
    pub step: Step,
    pub reasons: Vec<String>,
}

/// Everything one run would do, and what it cannot.
#[derive(Debug, Default)]
pub struct Plan {
    /// In path order.
    pub planned: Vec<Planned>,
    pub refused: Vec<Refused>,
    /// Closed records due for archiving by policy whose closure date
    /// neither the record nor the history gives (ID, path).
    pub undated: Vec<(String, String)>,
    /// Archiving steps left out because the acting user lacks the kind's
    /// archive role: per kind, how many.
    pub needs_role: BTreeMap<String, usize>,
    /// Record files that could not be read (said on stderr, as queries do).
    pub skipped: Vec<Diagnostic>,
}

/// One record's outcome in the loading pass.
enum Item {
    Nothing,
    Planned(Box<Planned>),
    Refused(Refused),
    /// Kept whole: its step is planned once the history dates it.
    Undated(Box<Record>, Undated),
    NeedsRole(String),
    Skipped(Diagnostic),
}

/// Find and plan every automatic step due at `ctx.now`: one parallel pass
/// over the records, planning each due step while its record is whole;
/// then, for closed records without their closure field, one history walk
/// for those IDs alone, and their steps planned from the dates it gives.
pub fn plan(ctx: &Context, scope: &Scope) -> Result<Plan> {
    let files = record::discover(&ctx.config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (_, items) = RecordSet::load_with(&ctx.config, files, |loaded| match loaded {
        Ok(rec) => visit(ctx, scope, rec, None),
        Err(d) => Item::Skipped((**d).clone()),
    });
    let mut plan = Plan::default();
    let mut undated = Vec::new();
    for item in items {
        match item {
            Item::Nothing => {}
            Item::Planned(p) => plan.planned.push(*p),
            Item::Refused(r) => plan.refused.push(r),
            Item::Undated(rec, u) => undated.push((rec, u)),
            Item::NeedsRole(kind) => *plan.needs_role.entry(kind).or_default() += 1,
            Item::Skipped(d) => plan.skipped.push(d),
        }
    }
    if !undated.is_empty() {
        date_from_history(ctx, scope, undated, &mut plan);
    }
    plan.planned.sort_by(|a, b| a.path.cmp(&b.path));
    plan.refused.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(plan)
}

/// Plan the steps of closed records dated by the commits that closed them.
/// Without git (or a commit that closed them) they stay undated.
fn date_from_history(ctx: &Context, scope: &Scope, undated: Vec<(Box<Record>, Undated)>, plan: &mut Plan) {
    let wanted: BTreeMap<String, Undated> = undated
        .iter()
        .filter_map(|(rec, u)| Some((rec.id()?.to_string(), u.clone())))
        .collect();
    let dates = closing_dates_from_history(&ctx.config, &wanted, None).unwrap_or_default();
    let visited: Vec<(String, String, Option<Item>)> = undated
        .into_par_iter()
        .map(|(rec, _)| {
            let id = rec.id().unwrap_or_default().to_string();
            let loaded = dates.get(&id).map(|at| visit(ctx, scope, &rec, Some(*at)));
            (id, rec.file.path.clone(), loaded)
        })
        .collect();
    for (id, path, loaded) in visited {
        match loaded {
            Some(Item::Planned(p)) => plan.planned.push(*p),
            Some(Item::Refused(r)) => plan.refused.push(r),
            Some(Item::NeedsRole(kind)) => *plan.needs_role.entry(kind).or_default() += 1,
            Some(Item::Nothing | Item::Skipped(_)) => {}
            Some(Item::Undated(..)) | None => plan.undated.push((id, path)),
        }
    }
}

/// The step due for one record, planned.
fn visit(ctx: &Context, scope: &Scope, rec: &Record, closed_at: Option<DateTime<Utc>>) -> Item {
    let config = &ctx.config;
    let Some(kind) = rec.kind().and_then(|k| config.kinds.get(k)) else {
        return Item::Nothing;
    };
    if scope.kind.as_ref().is_some_and(|k| *k != kind.name) {
        return Item::Nothing;
    }
    let Some(id) = rec.id() else { return Item::Nothing };
    // Archiving by someone outside the role would only be refused case by
    // case: said once per kind instead.
    let may_archive = scope
        .user
        .as_deref()
        .is_some_and(|u| config.has_role(&kind.archive_role, u));
    let mut wanted = scope.wanted;
    let archive_wanted = wanted.archive;
    wanted.archive &= may_archive;
    let step = match automatic::due_step(config, kind, &rec.data, ctx.now, wanted, closed_at) {
        Due::Nothing if archive_wanted && !may_archive => {
            let probe = Wanted {
                archive: true,
                ..wanted
            };
            return match automatic::due_step(config, kind, &rec.data, ctx.now, probe, closed_at) {
                Due::Nothing => Item::Nothing,
                _ => Item::NeedsRole(kind.name.clone()),
            };
        }
        Due::Nothing => return Item::Nothing,
        // The version the working tree has is known to the history walk
        // by its blob ID: in a repository that imported its records,
        // most versions are never read from git again.
        Due::Undated => {
            let known = Undated {
                status: rec.status().unwrap_or_default().to_string(),
                blob: git2::Oid::hash_object(git2::ObjectType::Blob, rec.text.as_bytes()).ok(),
            };
            return Item::Undated(Box::new(rec.clone()), known);
        }
        Due::Step(step) => step,
    };
    let outcome = if scope.dry_run {
        let reasons = judge_step(ctx, kind, rec, &step, scope.user.as_deref());
        Ok(match reasons.is_empty() {
            true => Outcome::Ready {
                text: String::new(),
                from: rec.status().unwrap_or_default().to_string(),
                to: step
                    .to
                    .clone()
                    .unwrap_or_else(|| rec.status().unwrap_or_default().to_string()),
            },
            false => Outcome::Refused(reasons),
        })
    } else {
        plan_step(ctx, kind, rec, &step, scope.user.as_deref())
    };
    match outcome {
        Ok(Outcome::Ready { text, from, to }) => Item::Planned(Box::new(Planned {
            retain_until: (step.what == StepKind::Archive).then(|| {
                record::get_path(&rec.data, "archive.retain_until")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| crate::workflow::retain_until(config, kind, &rec.data, ctx.now).to_string())
            }),
            id: id.to_string(),
            path: rec.file.path.clone(),
            kind: kind.name.clone(),
            step,
            from,
            to,
            // A dry run writes nothing: 60,000 copies of records saved.
            old_text: if scope.dry_run { String::new() } else { rec.text.clone() },
            new_text: text,
        })),
        Ok(Outcome::Refused(reasons)) => Item::Refused(Refused {
            id: id.to_string(),
            path: rec.file.path.clone(),
            step,
            reasons,
        }),
        Err(e) => Item::Refused(Refused {
            id: id.to_string(),
            path: rec.file.path.clone(),
            step,
            reasons: vec![format!("{e:#}")],
        }),
    }
}

/// The step as `casework transition` (or `set`, for an escalation) would
/// plan it: the same validation, the same minimal edit.
fn plan_step(ctx: &Context, kind: &Kind, rec: &Record, step: &Step, user: Option<&str>) -> Result<Outcome> {
    let stamp = Value::String(ctx.now.to_rfc3339_opts(SecondsFormat::Secs, true));
    let mut sets: Vec<Assignment> = step
        .sets
        .iter()
        .map(|(field, value)| Assignment {
            path: split(field),
            append: false,
            value: value.clone(),
        })
        .collect();
    match step.what {
        // The archive guard needs the archive time, whether or not the
        // kind's archiving transition lists it in `sets`.
        StepKind::Archive => {
            let status = rec.status().unwrap_or_default();
            let listed = kind
                .archive_transition(status)
                .is_some_and(|t| t.sets.iter().any(|f| f == "archive.archived_at"));
            if !listed {
                sets.push(Assignment {
                    path: split("archive.archived_at"),
                    append: false,
                    value: stamp,
                });
            }
        }
        // `escalated_to` comes with `escalated_at` where the schema has one.
        StepKind::Escalate => {
            if let Some(at) = sets
                .first()
                .and_then(|a| a.path.last())
                .and_then(|f| f.strip_suffix("_to"))
                .map(|stem| format!("{stem}_at"))
                && sets[0].path.len() == 1
                && declares(ctx, kind, &at)
                && rec.data.get(&at).is_none()
            {
                sets.push(Assignment {
                    path: vec![at],
                    append: false,
                    value: stamp,
                });
            }
        }
        StepKind::NoResponse => {}
    }
    transition::plan(
        ctx,
        kind,
        rec,
        &Request {
            to: step.to.as_deref(),
            sets: &sets,
            note: None,
            user,
        },
    )
}

/// A dry run's judgement of a step: the rules `plan_step` applies (the
/// workflow's transition, role and time rules, the target state's guards
/// in the schema) on the record's data after the step, as `show` judges
/// the next steps, without building and re-reading the edited text. A
/// first sweep of a large legacy repository plans tens of thousands of
/// steps; this keeps its dry run near the cost of `check`. The real run
/// plans each step in full and can refuse only a text the edit cannot make.
fn judge_step(ctx: &Context, kind: &Kind, rec: &Record, step: &Step, user: Option<&str>) -> Vec<String> {
    let config = &ctx.config;
    let from = rec.status().unwrap_or_default();
    let user = user.unwrap_or("(unknown user)");
    let transition = step.to.as_deref().and_then(|to| kind.transition(from, to));
    let mut data = match transition {
        Some(t) => crate::query::simulate(config, kind, &rec.data, t, ctx.now),
        None => rec.data.clone(),
    };
    for (field, value) in &step.sets {
        crate::query::set_path(&mut data, field, value.clone());
    }
    if step.what == StepKind::Archive && crate::record::get_path(&data, "archive.archived_at").is_none() {
        let stamp = Value::String(ctx.now.to_rfc3339_opts(SecondsFormat::Secs, true));
        crate::query::set_path(&mut data, "archive.archived_at", stamp);
    }
    let mut out: Vec<String> = match step.to.as_deref() {
        Some(to) => crate::workflow::judge_transition(config, kind, from, to, Some(&rec.data), &data, user, ctx.now)
            .into_iter()
            .map(|v| v.message)
            .collect(),
        None => Vec::new(),
    };
    if let Some(crate::schema::KindSchema::Ready { schema, validator }) = ctx.schemas.get(&kind.name)
        && !validator.is_valid(&data)
    {
        out.extend(
            crate::schema::violations(&data, schema, validator)
                .into_iter()
                .map(|(_, _, m)| m),
        );
    }
    out.extend(
        crate::workflow::time_guards(config, kind, &data, ctx.now)
            .into_iter()
            .map(|u| u.message),
    );
    out
}

/// Whether the kind's schema declares the top-level property `field`.
fn declares(ctx: &Context, kind: &Kind, field: &str) -> bool {
    match ctx.schemas.get(&kind.name) {
        Some(crate::schema::KindSchema::Ready { schema, .. }) => {
            schema.get("properties").and_then(|p| p.get(field)).is_some()
        }
        _ => false,
    }
}

fn split(field: &str) -> Vec<String> {
    field.split('.').map(str::to_string).collect()
}

/// One line per planned step, for people and for the commit message:
/// `REQ-2026-0001: resolved -> closed (no answer 5 business days after ...)`.
pub fn describe(p: &Planned) -> String {
    match p.step.what {
        StepKind::Escalate => {
            let set: Vec<String> = p
                .step
                .sets
                .iter()
                .map(|(f, v)| format!("{f} = {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect();
            format!("{}: escalated, {} ({})", p.id, set.join(", "), p.step.why)
        }
        StepKind::Archive => format!(
            "{}: {} -> {}, kept until {} ({})",
            p.id,
            p.from,
            p.to,
            p.retain_until.as_deref().unwrap_or("?"),
            p.step.why
        ),
        StepKind::NoResponse => format!("{}: {} -> {} ({})", p.id, p.from, p.to, p.step.why),
    }
}

/// Write every planned step in `tx`; each file must still hold the text it
/// was planned on.
pub fn write(tx: &mut super::Transaction, plan: &Plan) -> Result<()> {
    for p in &plan.planned {
        tx.replace(&p.path, &p.old_text, p.new_text.as_bytes())?;
    }
    Ok(())
}

/// The planned files (relative to the root) that git sees changed: what
/// `--commit` would carry along unseen. One `git status` for them all.
pub fn uncommitted(root: &Path, plan: &Plan) -> Result<Vec<String>> {
    if plan.planned.is_empty() {
        return Ok(Vec::new());
    }
    let dirs: std::collections::BTreeSet<&str> = plan
        .planned
        .iter()
        .map(|p| p.path.rsplit_once('/').map_or(".", |(d, _)| d))
        .collect();
    let out = std::process::Command::new("git")
        .current_dir(root)
        .args([
            "--literal-pathspecs",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=no",
            "--",
        ])
        .args(&dirs)
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!("git status failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    // Paths in git's output are relative to the repository's top; the root may be below it.
    let prefix = git2::Repository::discover(root)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
        .and_then(|top| {
            let root = root.canonicalize().ok()?;
            let top = top.canonicalize().ok()?;
            root.strip_prefix(&top).ok().map(Path::to_path_buf)
        })
        .unwrap_or_default();
    let prefix = prefix.to_string_lossy().replace('\\', "/");
    let changed: std::collections::BTreeSet<String> = out
        .stdout
        .split(|b| *b == 0)
        .filter(|e| e.len() > 3)
        .map(|e| String::from_utf8_lossy(&e[3..]).into_owned())
        .map(|p| match prefix.is_empty() {
            true => p,
            false => p.strip_prefix(&format!("{prefix}/")).unwrap_or(&p).to_string(),
        })
        .collect();
    Ok(plan
        .planned
        .iter()
        .filter(|p| changed.contains(&p.path))
        .map(|p| p.path.clone())
        .collect())
}

/// The lock file of automatic runs, beside casework.toml.
pub const RUN_LOCK: &str = ".casework-sweep.lock";

/// Held by a `sweep` or `archive` that writes: a second one refuses at once
/// rather than waiting to find nothing left to do, or doing half of it
/// twice. The file says who holds it; the lock itself is the operating
/// system's (`flock`), so a lock file left by a run that was killed is
/// stale the moment its process ends, and the next run takes it over. The
/// file is removed when the run ends.
pub struct RunLock {
    path: PathBuf,
    _file: std::fs::File,
}

/// Take the run lock of the repository at `root`, or say who holds it.
pub fn run_lock(root: &Path, now: DateTime<Utc>) -> Result<RunLock> {
    use std::io::{Read as _, Seek as _, Write as _};
    let path = root.join(RUN_LOCK);
    // A holder that ends removes the file it locked: lock the file that is
    // at the path, not one that was unlinked meanwhile.
    for _ in 0..100 {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.take(400).read_to_string(&mut holder);
                let holder = holder.trim();
                bail!(
                    "another sweep or archive is running in this repository ({}; lock {}): nothing was done; run again when it has finished",
                    if holder.is_empty() {
                        "it has just started"
                    } else {
                        holder
                    },
                    RUN_LOCK
                );
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        if !same_file(&file, &path) {
            continue;
        }
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        let who = format!(
            "process {}{}{}, since {}\n",
            std::process::id(),
            if host.is_empty() { "" } else { " on " },
            host,
            now.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(who.as_bytes())?;
        return Ok(RunLock { path, _file: file });
    }
    bail!("cannot take the lock {}: it keeps being replaced", path.display())
}

#[cfg(unix)]
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::File, path: &Path) -> bool {
    path.exists()
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Removed while still locked, so no other run locks a file about to vanish.
        let _ = std::fs::remove_file(&self.path);
    }
}
