//! `casework retention [--within DAYS] [--kind K] [--format table|json|csv]`

use super::{Exit, Globals, OK};
use crate::output::table;
use crate::query::cases::Load;
use crate::query::retention::{RetentionItem, RetentionState, retention};
use chrono::SecondsFormat;
use clap::ValueEnum;

/// Archived records past their retention: `archive.retain_until` is over, so they may be
/// disposed of (`casework dispose ID --reason R`). With --within DAYS, also those whose
/// retention ends within DAYS calendar days (`due_soon`). Earliest first.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Also list records whose retention ends within this many days.
    #[arg(long, value_name = "DAYS")]
    pub within: Option<u32>,
    /// Only records of this kind.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RetentionFormat::Table)]
    pub format: RetentionFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RetentionFormat {
    Table,
    Json,
    Csv,
}

pub fn run(g: &Globals, a: Args) -> Result<u8, Exit> {
    let (ctx, all) = super::load_cases(g, None, Load::default())?;
    if let Some(k) = &a.kind {
        super::known_kind(&ctx.config, k)?;
    }
    let (mut items, undated) = retention(&ctx, &all, a.within);
    items.retain(|i| a.kind.as_ref().is_none_or(|k| *k == i.kind));
    for id in &undated {
        eprintln!(
            "casework: warning: {} is archived without a readable `archive.retain_until`: left out",
            crate::diag::one_line(id)
        );
    }
    match a.format {
        RetentionFormat::Json => {
            let doc = serde_json::json!({
                "now": ctx.now.to_rfc3339_opts(SecondsFormat::Secs, true),
                "today": ctx.config.calendar.local_date(ctx.now).to_string(),
                "within": a.within,
                "items": items,
                "undated": undated,
                "skipped": all.skipped.len(),
            });
            outln!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| Exit::usage(e.to_string()))?
            );
        }
        RetentionFormat::Csv => out!("{}", table::csv(&HEADER, &rows(&items))),
        RetentionFormat::Table if items.is_empty() => match a.within {
            Some(d) => outln!("no archived record is past its retention or reaches it within {d} days"),
            None => outln!("no archived record is past its retention"),
        },
        RetentionFormat::Table => {
            let rows: Vec<Vec<String>> = rows(&items)
                .into_iter()
                .map(|r| {
                    vec![
                        r[0].clone(),
                        r[1].clone(),
                        r[5].clone(),
                        r[6].clone(),
                        r[3].clone(),
                        r[2].clone(),
                    ]
                })
                .collect();
            let header = ["state", "id", "retain until", "disposable from", "closed", "title"];
            out!("{}", table::render(&header, &rows, table::width(), &[5]));
            if !g.quiet {
                let expired = items.iter().filter(|i| i.state == RetentionState::Expired).count();
                let soon = items.len() - expired;
                let mut line = format!("{expired} past retention");
                if let Some(d) = a.within {
                    line.push_str(&format!(", {soon} reaching it within {d} days"));
                }
                outln!("{line}");
            }
        }
    }
    Ok(OK)
}

const HEADER: [&str; 8] = [
    "state",
    "id",
    "title",
    "closed",
    "archived",
    "retain_until",
    "disposable_from",
    "kind",
];

fn rows(items: &[RetentionItem]) -> Vec<Vec<String>> {
    let day = |t: &Option<String>| {
        t.as_deref()
            .map(|s| s.get(..10).unwrap_or(s).to_string())
            .unwrap_or_default()
    };
    items
        .iter()
        .map(|i| {
            vec![
                i.state.as_str().to_string(),
                i.id.clone(),
                i.title.clone(),
                day(&i.closed),
                day(&i.archived),
                i.retain_until.to_string(),
                i.disposable_from.to_string(),
                i.kind.clone(),
            ]
        })
        .collect()
}
