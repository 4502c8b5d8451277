//! `casework transition ID STATE [--set FIELD=VALUE]... [--note TEXT] [--commit] [--force]`
//! `casework set ID FIELD=VALUE... [--note TEXT] [--commit] [--force]`
//! and `casework note ID TEXT [--commit] [--force]`

use super::{Exit, FINDINGS, Globals, OK, identity};
use crate::diag::one_line;
use crate::edit::Transaction;
use crate::edit::transition::{Outcome, Request, plan};
use crate::edit::value::parse_assignment;

/// Move a case to another state. Refuses (exit 1, file unchanged) an edge the workflow does
/// not allow, an unmet guard of the new state, or a step that needs a role you do not have.
/// On success sets the step's timestamp fields (e.g. acknowledged_at), appends --note to
/// `updates`, and changes only those lines of the file. A role field the new state needs
/// (closure.approved_by) is set to you when you hold its role, unless given with --set.
///
/// Example: casework transition REQ-2026-0007 resolved --set resolution.summary="Sent the invoice copy"
#[derive(clap::Args, Debug)]
pub struct TransitionArgs {
    /// The case ID, e.g. REQ-2026-0007 (any case).
    #[arg(value_parser = super::case_id)]
    pub id: String,
    /// The state to move to.
    pub state: String,
    /// Set a field in the same edit (dotted paths; `+=` appends to a list).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub sets: Vec<String>,
    /// Append a note to `updates` (with `at` and `by`).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Commit the file (only it) with the message `ID: from -> to`.
    #[arg(long)]
    pub commit: bool,
    /// With --commit, commit even when the file already had uncommitted changes.
    #[arg(long)]
    pub force: bool,
}

/// Edit fields of a case with the same minimal, validated edit as `transition`
/// (`status` changes only by `transition`; `id`, `kind` and `opened` never change).
///
/// Example: casework set CMP-2026-0003 priority=high tags+=escalated
#[derive(clap::Args, Debug)]
pub struct SetArgs {
    /// The case ID (any case).
    #[arg(value_parser = super::case_id)]
    pub id: String,
    /// FIELD=VALUE pairs: dotted paths; `FIELD+=VALUE` appends to a list; a value is typed when
    /// it is a whole YAML value (`true`, `5`, `[a, b]`, `'quoted text'`), else kept as typed.
    #[arg(required_unless_present = "note", value_name = "FIELD=VALUE")]
    pub fields: Vec<String>,
    /// Append a note to `updates` (with `at` and `by`) in the same edit.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Commit the file (only it) with git.
    #[arg(long)]
    pub commit: bool,
    /// With --commit, commit even when the file already had uncommitted changes.
    #[arg(long)]
    pub force: bool,
}

/// Record a status update without a state change: appends `{at, by, note}` to the case's
/// `updates`, with `at` the current time and `by` you (the acting user), and changes only
/// those lines. The same validated edit as `set`: an archived record only by the archive role.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  casework note REQ-2026-0007 \"Called the customer: invoice copy by Friday.\" --commit\n\n\
This appends to updates:\n  - at: \"2026-03-04T10:15:00Z\"\n    by: you@example.com\n    note: \"Called the customer: invoice copy by Friday.\"\n\n\
and with --commit commits only that file as `REQ-2026-0007: note`."
)]
pub struct NoteArgs {
    /// The case ID (any case).
    #[arg(value_parser = super::case_id)]
    pub id: String,
    /// What happened, in a sentence (quote it in the shell).
    pub text: String,
    /// Commit the file (only it) with the message `ID: note`.
    #[arg(long)]
    pub commit: bool,
    /// With --commit, commit even when the file already had uncommitted changes.
    #[arg(long)]
    pub force: bool,
}

pub fn run_transition(g: &Globals, a: TransitionArgs) -> Result<u8, Exit> {
    edit(g, &a.id, Some(&a.state), &a.sets, a.note.as_deref(), a.commit, a.force)
}

pub fn run_set(g: &Globals, a: SetArgs) -> Result<u8, Exit> {
    edit(g, &a.id, None, &a.fields, a.note.as_deref(), a.commit, a.force)
}

pub fn run_note(g: &Globals, a: NoteArgs) -> Result<u8, Exit> {
    edit(g, &a.id, None, &[], Some(&a.text), a.commit, a.force)
}

fn edit(
    g: &Globals,
    id: &str,
    to: Option<&str>,
    sets: &[String],
    note: Option<&str>,
    do_commit: bool,
    force: bool,
) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let cfg = &ctx.config;
    let sets = sets
        .iter()
        .map(|s| parse_assignment(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if do_commit {
        super::require_git_identity(&cfg.root)?;
    }
    // Holds the writers' lock until the change is written and committed.
    let mut tx = Transaction::begin(&cfg.root)?;
    let (rec, kind) = super::find_record(&ctx, id)?;
    if do_commit {
        super::refuse_uncommitted(&cfg.root, &[&rec.file.path], force)?;
    }
    let user = identity(&cfg.root);
    // A note says who wrote it; "unknown" would be a record nobody can answer for.
    if note.is_some() && user.is_none() {
        return Err(Exit::usage(
            "a note needs the acting user's email: set GIT_AUTHOR_EMAIL, or `git config user.email you@example.com`"
                .to_string(),
        ));
    }
    let req = Request {
        to,
        sets: &sets,
        note,
        user: user.as_deref(),
    };
    match plan(&ctx, kind, &rec, &req)? {
        Outcome::Refused(reasons) => {
            let what = match to {
                Some(to) => format!("move {id} to `{to}`"),
                None => format!("edit {id}"),
            };
            eprintln!("casework: refusing to {}:", one_line(&what));
            for r in reasons {
                eprintln!("  - {}", one_line(&r));
            }
            Ok(FINDINGS)
        }
        Outcome::Ready { text, from, to: new } => {
            tx.replace(&rec.file.path, &rec.text, text.as_bytes())?;
            if do_commit {
                let message = match to {
                    Some(_) => format!("{id}: {from} -> {new}"),
                    None if sets.is_empty() => format!("{id}: note"),
                    None => format!(
                        "{id}: set {}{}",
                        sets.iter().map(|a| a.path.join(".")).collect::<Vec<_>>().join(", "),
                        if note.is_some() { " and note" } else { "" }
                    ),
                };
                tx.commit(&message)?;
            } else {
                tx.finish();
            }
            if !g.quiet {
                match to {
                    Some(_) => outln!("{}", one_line(&format!("{id}: {from} -> {new}  ({})", rec.file.path))),
                    None if sets.is_empty() => outln!("{}", one_line(&format!("{id}: noted  ({})", rec.file.path))),
                    None => outln!("{}", one_line(&format!("{id}: updated  ({})", rec.file.path))),
                }
            }
            Ok(OK)
        }
    }
}
