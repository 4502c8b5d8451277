//! `casework list [--kind K] [--status S] [--owner O] [--category C] [--tag T]...
//! [--opened-since DATE] [--closed-since DATE] [--overdue] [--grep TEXT] [--sort FIELD]
//! [--format table|json|csv] [--rev REV]`

use super::{Exit, Globals, OK};
use crate::output::table;
use crate::query::cases::{Case, Load};
use crate::query::list::{ListFilter, Listed, Sort, SortKey, check_sort, list, status_filter};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use clap::ValueEnum;
use rayon::prelude::*;
use serde_json::{Value, json};

/// The cases that match every condition given, sorted by ID unless --sort says
/// otherwise.
///
/// --status takes a state, or `open` or `closed` (the kind's closed_states, so
/// `closed` includes `archived`); `state:open` is the state named `open`. --owner is an
/// email or its part before the `@`; --owner, --category, --tag and --grep ignore case.
/// Dates are YYYY-MM-DD in the [calendar] zone of casework.toml; --closed-since reads
/// the closure time from the kind's closure field (its `retention_from`, else the time
/// its closing step sets), else `archive.archived_at`.
/// --overdue keeps cases with a breached SLA clock, escalated or not.
///
/// --sort takes id, kind, title, status (workflow order), owner, opened, or a dotted
/// front-matter field (`priority` sorts by urgency); `-` before it sorts descending
/// (`--sort=-opened`). Cases without a value come last.
///
/// JSON: {"records": [{"id", "kind", "title", "status", "owner", "opened", "path",
/// "fields": {every front-matter field, as in the file}}], "count": N, "skipped": K}.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only cases of this kind.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only cases in this state, or `open` or `closed`.
    #[arg(long, value_name = "STATE")]
    pub status: Option<String>,
    /// Only cases owned by this email (or local part).
    #[arg(long, value_name = "EMAIL")]
    pub owner: Option<String>,
    /// Only cases of this category.
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    /// Only cases with this tag (repeat it: cases with every tag given).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only cases opened on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub opened_since: Option<NaiveDate>,
    /// Only closed cases, closed on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub closed_since: Option<NaiveDate>,
    /// Only cases with a breached SLA clock.
    #[arg(long)]
    pub overdue: bool,
    /// Only cases whose title or body contains TEXT (ignoring case).
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,
    /// Order by this field; `-FIELD` for descending.
    #[arg(long, value_name = "FIELD", default_value = "id", allow_hyphen_values = true)]
    pub sort: Sort,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Read the records as they were at this commit (branch, tag, SHA); now is then
    /// that commit's time unless CASEWORK_NOW is set.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

/// A date flag: YYYY-MM-DD (clap exits 2 with this message).
fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "not a date: give it as YYYY-MM-DD, e.g. 2026-11-01".into())
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let (ctx, all) = super::load_cases(
        g,
        args.rev.as_deref(),
        Load {
            text: args.grep.is_some(),
            // JSON prints every field; --sort may name any field.
            fields: matches!(args.format, ListFormat::Json) || matches!(args.sort.key, SortKey::Field(_)),
            ..Load::default()
        },
    )?;
    let kind = args.kind.as_deref();
    if let Some(k) = kind {
        super::known_kind(&ctx.config, k)?;
    }
    let status = match &args.status {
        Some(s) => Some(status_filter(&ctx.config, kind, s).map_err(|e| Exit::usage(e.to_string()))?),
        None => None,
    };
    check_sort(&ctx, kind, &args.sort).map_err(|e| Exit::usage(e.to_string()))?;
    let filter = ListFilter {
        kind: args.kind.clone(),
        status,
        owner: args.owner.clone(),
        category: args.category.clone(),
        tags: args.tags.clone(),
        opened_since: args.opened_since,
        closed_since: args.closed_since,
        overdue: args.overdue,
        grep: args.grep.clone(),
    };
    let rows = list(&ctx, &all, &filter, &args.sort);
    let skipped = all.skipped.len();
    // The sort field as a CSV column of its own, when it is none of the usual ones
    // (the table keeps to 80 columns without it).
    let extra = match &args.sort.key {
        SortKey::Field(f) => Some(f.as_str()),
        _ => None,
    };
    match args.format {
        ListFormat::Json => write_json(&rows, skipped),
        ListFormat::Csv => {
            let mut header = vec!["id", "kind", "title", "status", "owner", "opened", "path"];
            header.extend(extra);
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|l| {
                    let c = l.case;
                    let mut row = vec![
                        c.id.clone(),
                        c.kind.clone(),
                        c.title.clone(),
                        c.status.clone(),
                        c.owner.clone().unwrap_or_default(),
                        c.opened.map(rfc3339).unwrap_or_default(),
                        c.path.clone(),
                    ];
                    if extra.is_some() {
                        row.push(cell(l));
                    }
                    row
                })
                .collect();
            out!("{}", table::csv(&header, &lines));
        }
        ListFormat::Table => {
            if rows.is_empty() {
                outln!("no cases match{}", left_out(skipped));
                return Ok(OK);
            }
            let cal = &ctx.config.calendar;
            let header = ["id", "status", "owner", "opened", "title"];
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|l| {
                    let c = l.case;
                    // The kind is in the ID; the owner's address without its domain, wrapped when long.
                    vec![
                        c.id.clone(),
                        c.status.clone(),
                        c.owner
                            .as_deref()
                            .map(|o| o.split('@').next().unwrap_or_default().to_string())
                            .unwrap_or_default(),
                        c.opened.map(|t| cal.local_date(t).to_string()).unwrap_or_default(),
                        c.title.clone(),
                    ]
                })
                .collect();
            out!("{}", table::render(&header, &lines, table::width(), &[2, 4]));
            if !g.quiet {
                let n = rows.len();
                outln!("{n} case{}{}", if n == 1 { "" } else { "s" }, left_out(skipped));
            }
        }
    }
    Ok(OK)
}

/// Write `{"records": [...], "count": N, "skipped": K}` to stdout as
/// `serde_json`'s pretty printer writes it, in runs of records printed in
/// parallel: on 100,000 records one document built whole took twice as
/// long as `casework check`, most of it growing a 200 MB string. A record's
/// lines are indented to their depth (its strings hold no raw line break).
fn write_json(rows: &[Listed], skipped: usize) {
    const RUN: usize = 1024;
    if rows.is_empty() {
        super::emit(&format!(
            "{{\n  \"records\": [],\n  \"count\": 0,\n  \"skipped\": {skipped}\n}}\n"
        ));
        return;
    }
    super::emit("{\n  \"records\": [\n");
    for (i, run) in rows.chunks(RUN).enumerate() {
        let records: Vec<String> = run
            .par_iter()
            .map(|l| {
                let text = record_json(l.case);
                let mut out = String::with_capacity(text.len() + text.len() / 8);
                for line in text.lines() {
                    out.push_str("    ");
                    out.push_str(line);
                    out.push('\n');
                }
                out
            })
            .collect();
        let mut text = String::with_capacity(records.iter().map(|r| r.len() + 2).sum());
        for (j, r) in records.iter().enumerate() {
            if i > 0 || j > 0 {
                // The previous record's closing line gets its comma.
                text.push_str(",\n");
            }
            text.push_str(r.trim_end_matches('\n'));
        }
        super::emit(&text);
    }
    super::emit(&format!(
        "\n  ],\n  \"count\": {},\n  \"skipped\": {skipped}\n}}\n",
        rows.len()
    ));
}

/// One record of the JSON output, pretty-printed: the common fields, then
/// the whole front-matter, which the loading pass printed already
/// ([`Case::fields`]) and is spliced in re-indented rather than parsed and
/// printed again.
fn record_json(c: &Case) -> String {
    let head = json!({
        "id": c.id,
        "kind": c.kind,
        "title": c.title,
        "status": c.status,
        "owner": c.owner,
        "opened": c.opened.map(rfc3339),
        "path": c.path,
    });
    let head = serde_json::to_string_pretty(&head).unwrap_or_default();
    let head = head.strip_suffix("\n}").unwrap_or(&head);
    let fields = if c.fields.is_empty() { "null" } else { c.fields.as_str() };
    let mut out = String::with_capacity(head.len() + fields.len() + fields.len() / 4 + 16);
    out.push_str(head);
    out.push_str(",\n  \"fields\": ");
    for (i, line) in fields.lines().enumerate() {
        if i > 0 {
            out.push_str("\n  ");
        }
        out.push_str(line);
    }
    out.push_str("\n}");
    out
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The sort field's value as text: a string as it is, anything else as JSON.
fn cell(l: &Listed) -> String {
    match &l.sort_value {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// ", 1 record left out" when load_cases skipped some (each said on stderr).
fn left_out(skipped: usize) -> String {
    match skipped {
        0 => String::new(),
        1 => " (1 record left out)".into(),
        n => format!(" ({n} records left out)"),
    }
}
