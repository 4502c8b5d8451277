//! `casework import KIND FILE.csv [--map COLUMN=FIELD]... [--keep-ids] [--skip-invalid] [--commit]`

use super::{Exit, FINDINGS, Globals, OK, identity};
use crate::diag::one_line;
use crate::edit::Transaction;
use crate::edit::import::{HeaderError, Request, RowError, plan, write};
use crate::edit::value::parse_assignment;
use std::path::PathBuf;

/// Move a team off its spreadsheet: one new record per CSV row, each built and validated as
/// `casework new` would build it, with the next free IDs (or, with --keep-ids, the row's own
/// ID when it is one of the kind's, such as FF-2024-015). Every record gets
/// `imported: {from, at}`.
///
/// Columns are matched to fields by name (`Assigned to` is `assigned_to`, `customer.name` a
/// nested field, `body` the Markdown body); --map names the rest. A tracker's word for a state
/// is matched to the kind's states (`In Progress` is `in_progress`), or named with --state.
/// Rows in a later state than the kind's first need the kind's archive role (`records`).
///
/// The whole file is judged first: faults are reported by CSV line, column and reason, and
/// nothing is written unless every row is valid (or --skip-invalid leaves the bad rows out).
/// The delimiter (`,`, `;` or tab) is read off the header line; a byte-order mark is skipped.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example (the tracker table of the follow-up procedure):\n  \
casework import feedback tracker.csv --keep-ids \\\n    \
--map Date=date --map Date=opened --map \"Feedback/Follow-up=summary\" --map \"Feedback/Follow-up=title\" \\\n    \
--map \"Resolution/Comments=resolution\" --set due=2024-07-31 --dry-run")]
pub struct Args {
    /// The kind every row becomes (see `casework schema KIND` for its fields).
    pub kind: String,
    /// The CSV file, its first line naming the columns.
    pub file: PathBuf,
    /// Fill FIELD from COLUMN (repeat for several fields from one column); `COLUMN=` leaves
    /// the column out.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub maps: Vec<String>,
    /// The tracker's word for one of the kind's states, e.g. --state Done=completed.
    #[arg(long = "state", value_name = "WORD=STATE")]
    pub states: Vec<String>,
    /// A value for FIELD in every row that has none (as `casework new --set`).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub sets: Vec<String>,
    /// Keep each row's own ID (its `id` column) when it is one of the kind's IDs.
    #[arg(long)]
    pub keep_ids: bool,
    /// Import the valid rows and leave out the others (each still reported).
    #[arg(long)]
    pub skip_invalid: bool,
    /// The cell delimiter, one character (default: read off the header line).
    #[arg(long, value_name = "CHAR", value_parser = delimiter)]
    pub delimiter: Option<u8>,
    /// Print what would be created; write nothing.
    #[arg(long, conflicts_with = "commit")]
    pub dry_run: bool,
    /// Commit the new records (only them) in one commit.
    #[arg(long)]
    pub commit: bool,
}

fn delimiter(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "tab" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!("`{s}` is not one ASCII character (use `tab` for a tab)")),
    }
}

/// Most errors a run prints before "and N more".
const SHOWN_ERRORS: usize = 50;

pub fn run(g: &Globals, a: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let cfg = &ctx.config;
    let kind = super::known_kind(cfg, &a.kind)?;
    let pair = |arg: &str, flag: &str, example: &str| -> Result<(String, String), Exit> {
        arg.split_once('=')
            .map(|(l, r)| (l.trim().to_string(), r.trim().to_string()))
            .ok_or_else(|| Exit::usage(format!("{flag} `{arg}` is not {example}")))
    };
    let mut maps = Vec::new();
    for m in &a.maps {
        let (column, field) = pair(m, "--map", "COLUMN=FIELD (e.g. --map \"Assigned to=assigned_to\")")?;
        maps.push((column, Some(field).filter(|f| !f.is_empty())));
    }
    let mut states = Vec::new();
    for s in &a.states {
        let (word, state) = pair(s, "--state", "WORD=STATE (e.g. --state Done=completed)")?;
        if !kind.has_state(&state) {
            return Err(Exit::usage(format!(
                "--state {word}={state}: `{state}` is no state of kind `{}` ({})",
                kind.name,
                kind.states.join(", ")
            )));
        }
        states.push((word, state));
    }
    let defaults = a
        .sets
        .iter()
        .map(|s| parse_assignment(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if a.commit {
        super::require_git_identity(&cfg.root)?;
    }
    let req = Request {
        kind,
        file: &a.file,
        from: a
            .file
            .file_name()
            .map_or_else(|| a.file.display().to_string(), |n| n.to_string_lossy().into_owned()),
        maps,
        states,
        defaults,
        keep_ids: a.keep_ids,
        delimiter: a.delimiter,
        user: identity(&cfg.root),
    };
    // Held from planning (IDs are chosen) until the files are written.
    let mut tx = Transaction::begin(&cfg.root)?;
    let p = match plan(&ctx, &req) {
        Ok(p) => p,
        Err(e) => {
            let Some(h) = e.downcast_ref::<HeaderError>() else {
                return Err(e.into());
            };
            eprintln!(
                "casework: error: {}:1: the header cannot be imported:",
                one_line(&h.file)
            );
            for problem in &h.problems {
                eprintln!("  - {}", one_line(problem));
            }
            return Ok(super::USAGE);
        }
    };
    let shown = a.file.display().to_string();
    report_refused(&shown, &p.refused);
    if let Some(role) = &p.needs_role {
        eprintln!(
            "casework: {}",
            one_line(&crate::edit::dispose::role_refusal(
                cfg,
                role,
                "importing cases in a later state than the first",
                req.user.as_deref()
            ))
        );
    }
    if !p.refused.is_empty() && !a.skip_invalid {
        eprintln!(
            "casework: nothing imported: {} of {} row(s) cannot be imported (fix them, or leave them out with --skip-invalid)",
            rows_of(&p.refused),
            p.rows
        );
        return Ok(FINDINGS);
    }
    let dangling: Vec<String> = p
        .records
        .iter()
        .filter(|r| !r.dangling.is_empty())
        .map(|r| format!("{} -> {}", r.id, r.dangling.join(", ")))
        .collect();
    if !dangling.is_empty() {
        eprintln!(
            "casework: warning: {} record(s) name related cases that do not exist yet ({}): import those too, or `casework check` reports the links",
            dangling.len(),
            one_line(&dangling.join("; "))
        );
    }
    if !g.quiet {
        super::emit_lines(
            p.records
                .iter()
                .map(|r| format!("{} line {}: {} ({})", shown, r.line, r.path, r.status)),
        );
    }
    let verb = if a.dry_run { "would import" } else { "imported" };
    let summary = format!(
        "{verb} {} {} record(s) from {shown}{}",
        p.records.len(),
        kind.name,
        if p.refused.is_empty() {
            String::new()
        } else {
            format!("; left out {} invalid row(s)", rows_of(&p.refused))
        }
    );
    if a.dry_run || p.records.is_empty() {
        if !g.quiet {
            eprintln!("casework: {}", one_line(&summary));
        }
        return Ok(OK);
    }
    write(&mut tx, &p)?;
    if a.commit {
        let mut message = format!(
            "Import {} {} record(s) from {}\n\n",
            p.records.len(),
            kind.name,
            req.from
        );
        for r in &p.records {
            message.push_str(&format!("{} (line {})\n", r.id, r.line));
        }
        tx.commit(&message)?;
    } else {
        tx.finish();
    }
    if !g.quiet {
        eprintln!("casework: {}", one_line(&summary));
    }
    Ok(OK)
}

fn rows_of(errors: &[RowError]) -> usize {
    let mut lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    lines.dedup();
    lines.len()
}

/// Each fault as `FILE:LINE: column "C": reason`, the first few dozen.
fn report_refused(shown: &str, errors: &[RowError]) {
    for e in errors.iter().take(SHOWN_ERRORS) {
        let column = e
            .column
            .as_ref()
            .map(|c| format!("column \"{c}\": "))
            .unwrap_or_default();
        eprintln!(
            "{}",
            one_line(&format!("{shown}:{}: error: {column}{}", e.line, e.message))
        );
    }
    if errors.len() > SHOWN_ERRORS {
        eprintln!("... and {} more", errors.len() - SHOWN_ERRORS);
    }
}
