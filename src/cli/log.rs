//! `casework log ID [--format human|json]`

use super::{Exit, Globals, OK};
use crate::history::timelines;
use clap::ValueEnum;
use std::collections::BTreeSet;

/// Show a case's timeline from git history, oldest first: each commit that changed its
/// file (short SHA, date, author, subject), the fields it changed (old -> new) and the
/// transition, if any. Follows renames and moves.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case ID, e.g. CMP-2026-0042 (any case).
    #[arg(value_parser = super::case_id)]
    pub id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LogFormat::Human)]
    pub format: LogFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let cfg = g.load_config()?;
    if !crate::record::is_plausible_id(&args.id) {
        return Err(Exit::usage(crate::query::FindError::BadId(args.id).to_string()));
    }
    let wanted = BTreeSet::from([args.id.clone()]);
    let mut all = timelines(&cfg, Some(&wanted)).map_err(|e| Exit::usage(e.to_string()))?;
    let Some(t) = all.remove(&args.id).filter(|t| !t.entries.is_empty()) else {
        return Err(Exit {
            code: 1,
            message: Some(format!("no commit has changed a record with the ID {}", args.id)),
        });
    };
    if let Some(cut) = &t.cut_at {
        eprintln!(
            "casework: warning: this clone is shallow: history before commit {} was not fetched, so the timeline may start late (`git fetch --unshallow` fetches the rest)",
            &cut[..12]
        );
    }
    match args.format {
        LogFormat::Json => {
            let text = serde_json::to_string_pretty(&t).map_err(|e| Exit::usage(e.to_string()))?;
            outln!("{text}");
        }
        LogFormat::Human => out!("{}", crate::output::case::render_timeline(&t.entries, g.color(false))),
    }
    Ok(OK)
}
