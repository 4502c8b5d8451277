//! `casework dispose ID --reason R [--commit] [--force]`

use super::{Exit, FINDINGS, Globals, OK, identity};
use crate::diag::one_line;
use crate::edit::Transaction;
use crate::edit::dispose::{Outcome, plan, write};

/// Dispose of an archived record whose retention is over: removes its file (and its
/// attachments folder) and appends one line to the disposal register (casework.toml's
/// records.register): id, kind, opened, closed, archived, disposed_at, reason, by. No title,
/// body or other field of the case goes into the register. Needs the kind's archive role.
/// Refuses a record that is not archived, or whose archive.retain_until has not passed.
///
/// Git history still holds the disposed content: see the README's "Disposal and erasure"
/// for purging it where the law requires erasure.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  casework retention\n  \
casework dispose CMP-2024-0003 --reason \"Retention period over (2 years after closure)\" --commit")]
pub struct Args {
    /// The case ID, e.g. CMP-2024-0003 (any case).
    #[arg(value_parser = super::case_id)]
    pub id: String,
    /// Why the record is disposed of, one line (goes into the register).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Commit the removal and the register line together (only them) with git.
    #[arg(long)]
    pub commit: bool,
    /// With --commit, commit even when those files already had uncommitted changes.
    #[arg(long, requires = "commit")]
    pub force: bool,
}

pub fn run(g: &Globals, a: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let cfg = &ctx.config;
    if a.commit {
        super::require_git_identity(&cfg.root)?;
    }
    let mut tx = Transaction::begin(&cfg.root)?;
    let (rec, kind) = super::find_record(&ctx, &a.id)?;
    let user = identity(&cfg.root);
    match plan(&ctx, kind, &rec, &a.reason, user.as_deref())? {
        Outcome::Refused(reasons) => {
            eprintln!("casework: refusing to dispose of {}:", one_line(&a.id));
            for r in reasons {
                eprintln!("  - {}", one_line(&r));
            }
            Ok(FINDINGS)
        }
        Outcome::Ready(d) => {
            if a.commit {
                let mut paths: Vec<&str> = d.remove.iter().map(String::as_str).collect();
                paths.push(&cfg.register);
                super::refuse_uncommitted(&cfg.root, &paths, a.force)?;
            }
            write(&mut tx, &ctx, &d)?;
            if a.commit {
                tx.commit(&format!("{}: disposed of ({})", d.id, one_line(d.row[6].as_str())))?;
            } else {
                tx.finish();
            }
            if !g.quiet {
                outln!(
                    "{}",
                    one_line(&format!(
                        "{}: disposed of; removed {}; register {}: {}",
                        d.id,
                        d.remove.join(", "),
                        cfg.register,
                        d.row.join(",")
                    ))
                );
            }
            Ok(OK)
        }
    }
}
