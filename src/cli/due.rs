//! `casework due [--within N] [--kind K] [--owner O] [--format table|json|csv] [--fail-on-breach]`

use super::{Exit, FINDINGS, Globals, OK};
use crate::output::table;
use crate::query::cases::Load;
use crate::query::due::{DueFilter, DueItem, DueState, due};
use chrono::SecondsFormat;
use clap::ValueEnum;

/// What is late and what is coming, most urgent first: every SLA clock that has
/// breached, every deadline due within N business days, overdue feedback items not yet
/// escalated (`escalate`), and requests and orders whose customer had the whole
/// non-response period to answer (`ready_to_close`). Deadlines are business time in
/// the `[calendar]` of casework.toml.
///
/// It reports and exits 0; with --fail-on-breach it exits 1 when anything breached
/// (or must be escalated), for a scheduled CI job that should fail loudly.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Look-ahead for `due_soon`, in business days.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub within: u32,
    /// Only cases of this kind.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only cases owned by this email.
    #[arg(long, value_name = "EMAIL")]
    pub owner: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DueFormat::Table)]
    pub format: DueFormat,
    /// Exit 1 when a clock has breached or a case must be escalated.
    #[arg(long)]
    pub fail_on_breach: bool,
    /// Read the records as they were at this commit (branch, tag, SHA); now is then
    /// that commit's time unless CASEWORK_NOW is set.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DueFormat {
    Table,
    Json,
    Csv,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let (ctx, all) = super::load_cases(
        g,
        args.rev.as_deref(),
        Load {
            soon: args.within,
            ..Load::default()
        },
    )?;
    if let Some(k) = &args.kind {
        super::known_kind(&ctx.config, k)?;
    }
    let filter = DueFilter {
        kind: args.kind.clone(),
        owner: args.owner.clone(),
    };
    let items = due(&ctx, &all, &filter);
    let cal = &ctx.config.calendar;
    match args.format {
        DueFormat::Json => {
            let doc = serde_json::json!({
                "now": ctx.now.to_rfc3339_opts(SecondsFormat::Secs, true),
                "items": items,
                "skipped": all.skipped.len(),
            });
            outln!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| Exit::usage(e.to_string()))?
            );
        }
        DueFormat::Csv => out!("{}", table::csv(&HEADER, &rows(&items, |i| i.due_at.clone()))),
        DueFormat::Table if items.is_empty() => outln!("nothing is late or due within {} business days", args.within),
        DueFormat::Table => {
            // The kind is in the ID, the zone in the header; the owner's address without its domain.
            let zone = ctx.now.with_timezone(&cal.timezone).format("%Z").to_string();
            let rows: Vec<Vec<String>> = rows(&items, |i| {
                cal.display(i.at).trim_end_matches(&format!(" {zone}")).to_string()
            })
            .into_iter()
            .map(|mut r| {
                r.remove(3);
                r[4] = r[4].split('@').next().unwrap_or_default().to_string();
                r
            })
            .collect();
            let due = format!("due ({zone})");
            let header = ["state", due.as_str(), "id", "clock", "owner", "title"];
            out!("{}", table::render(&header, &rows, table::width(), &[3, 5]));
            if !g.quiet {
                outln!("{}", summary(&items));
            }
        }
    }
    let breached = items
        .iter()
        .any(|i| matches!(i.state, DueState::Breached | DueState::Escalate));
    Ok(if args.fail_on_breach && breached { FINDINGS } else { OK })
}

const HEADER: [&str; 7] = ["state", "due", "id", "kind", "clock", "owner", "title"];

fn rows(items: &[DueItem], due: impl Fn(&DueItem) -> String) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|i| {
            vec![
                i.state.as_str().to_string(),
                due(i),
                i.id.clone(),
                i.kind.clone(),
                i.clock.clone(),
                i.owner.clone().unwrap_or_default(),
                i.title.clone(),
            ]
        })
        .collect()
}

/// "3 breached, 1 escalate, 2 due soon, 1 ready to close".
fn summary(items: &[DueItem]) -> String {
    let count = |s: DueState| items.iter().filter(|i| i.state == s).count();
    [
        (DueState::Breached, "breached"),
        (DueState::Escalate, "to escalate"),
        (DueState::DueSoon, "due soon"),
        (DueState::Reminder, "reminder(s)"),
        (DueState::ReadyToClose, "ready to close"),
    ]
    .iter()
    .filter(|(s, _)| count(*s) > 0)
    .map(|(s, name)| format!("{} {name}", count(*s)))
    .collect::<Vec<_>>()
    .join(", ")
}
