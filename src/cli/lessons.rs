//! `casework lessons [--kind K] [--since DATE] [--grep TEXT] [--format table|md|json|csv]`

use super::{Exit, Globals, OK};
use crate::output::table;
use crate::query::cases::Load;
use crate::query::lessons::{LessonFilter, LessonRow, lessons};
use chrono::NaiveDate;
use clap::ValueEnum;

/// The lessons-learned register (procedures 000 and 001): every lesson in the `lessons`
/// of every case, with the case's ID, kind and category and the date it was recorded
/// (the lesson's own date if it has one, else the case's closure time, else when it was
/// opened), newest first.
///
/// A lesson is a text item of `lessons`, or a mapping with `lesson` (or `text`) and a
/// date in `at` (or `date`). --format md prints a table to paste into a report; json is
/// {"lessons": [...], "skipped": N}.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only cases of this kind.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only lessons recorded on or after this date (YYYY-MM-DD, the calendar's zone).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only lessons whose text contains TEXT (ignoring case).
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,
    /// Output format: md is a table to paste into a report.
    #[arg(long, value_enum, default_value_t = LessonsFormat::Table)]
    pub format: LessonsFormat,
    /// Read the records as they were at this commit (branch, tag, SHA).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LessonsFormat {
    Table,
    Md,
    Json,
    Csv,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let since = args
        .since
        .as_deref()
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                Exit::usage(format!(
                    "--since {}: expected a date as YYYY-MM-DD, e.g. 2026-01-01",
                    crate::diag::one_line(s)
                ))
            })
        })
        .transpose()?;
    let (ctx, all) = super::load_cases(g, args.rev.as_deref(), Load::default())?;
    if let Some(k) = &args.kind {
        super::known_kind(&ctx.config, k)?;
    }
    let filter = LessonFilter {
        kind: args.kind.clone(),
        since,
        grep: args.grep.as_deref().map(str::to_lowercase),
    };
    let cal = &ctx.config.calendar;
    let rows = lessons(cal, &all, &filter);
    let date = |r: &LessonRow| r.at.map(|t| cal.local_date(t).to_string()).unwrap_or_default();
    match args.format {
        LessonsFormat::Json => {
            let doc = serde_json::json!({"lessons": rows, "skipped": all.skipped.len()});
            outln!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| Exit::usage(e.to_string()))?
            );
        }
        LessonsFormat::Csv => {
            let cells = cells(&rows, |r| r.recorded.clone().unwrap_or_default());
            out!("{}", table::csv(&HEADER, &cells));
        }
        LessonsFormat::Md => {
            let mut out = String::from("| Recorded | Case | Kind | Category | Lesson |\n|---|---|---|---|---|\n");
            for r in &rows {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    date(r),
                    md_cell(&r.id),
                    md_cell(&r.kind),
                    md_cell(r.category.as_deref().unwrap_or("")),
                    md_cell(&r.lesson)
                ));
            }
            out!("{out}");
            if !all.skipped.is_empty() {
                outln!(
                    "\n{} record files could not be read and were left out.",
                    all.skipped.len()
                );
            }
        }
        LessonsFormat::Table if rows.is_empty() => outln!("no lessons recorded{}", scope(&args)),
        LessonsFormat::Table => {
            let cells = cells(&rows, date);
            out!("{}", table::render(&HEADER, &cells, table::width(), &[3, 4]));
            if !g.quiet {
                let cases = {
                    let mut ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    ids.len()
                };
                let n = rows.len();
                let skipped = match all.skipped.len() {
                    0 => String::new(),
                    k => format!("; {k} record file{} left out", if k == 1 { "" } else { "s" }),
                };
                outln!(
                    "{n} lesson{} from {cases} case{}{skipped}",
                    if n == 1 { "" } else { "s" },
                    if cases == 1 { "" } else { "s" }
                );
            }
        }
    }
    Ok(OK)
}

/// What the filters asked for, for "no lessons recorded ...".
fn scope(args: &Args) -> String {
    let mut s = String::new();
    if let Some(k) = &args.kind {
        s.push_str(&format!(" in {k} cases"));
    }
    if let Some(d) = &args.since {
        s.push_str(&format!(" since {d}"));
    }
    if let Some(t) = &args.grep {
        s.push_str(&format!(" containing {:?}", crate::diag::one_line(t)));
    }
    s
}

/// A Markdown table cell: one line, `|` escaped.
fn md_cell(s: &str) -> String {
    crate::diag::one_line(s).replace('|', "\\|")
}

const HEADER: [&str; 5] = ["recorded", "id", "kind", "category", "lesson"];

/// One row of cells a lesson, the date as `recorded` gives it.
fn cells(rows: &[LessonRow], recorded: impl Fn(&LessonRow) -> String) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                recorded(r),
                r.id.clone(),
                r.kind.clone(),
                r.category.clone().unwrap_or_default(),
                r.lesson.clone(),
            ]
        })
        .collect()
}
