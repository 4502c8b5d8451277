//! `casework show ID`

use super::{Exit, Globals, OK, identity, now};
use crate::calendar::{ClockState, clocks};
use crate::check::Context;
use crate::diag::one_line;
use crate::history::{TimelineEntry, timeline};
use crate::query;
use crate::schema::Schemas;
use serde_json::Value;
use std::fmt::Write as _;

/// Show one case: its metadata, state, the states it can move to next with what is still
/// missing for each, its SLA clocks, and the last few entries of its timeline.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case ID, e.g. CMP-2026-0042.
    pub id: String,
    /// How many timeline entries to show.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub last: usize,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let cfg = g.load_config()?;
    let rec = query::find(&cfg, &args.id).map_err(|e| match e {
        query::FindError::NotFound(_) => Exit {
            code: 1,
            message: Some(e.to_string()),
        },
        _ => Exit::usage(e.to_string()),
    })?;
    let schemas = Schemas::compile(&cfg);
    let ctx = Context {
        config: &cfg,
        schemas: &schemas,
        now: now()?,
    };
    let kind = rec
        .kind()
        .and_then(|k| cfg.kinds.get(k))
        .ok_or_else(|| Exit::usage(format!("{}: unknown kind", rec.file.path)))?;
    let user = identity(&cfg.root);
    let bold = |s: &str| {
        if g.color(false) {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };

    let mut out = String::new();
    let title = rec.data.get("title").and_then(Value::as_str).unwrap_or_default();
    // Every value printed below comes from the record, its file name, the
    // configuration or git: each goes through `one_line`, so none can
    // start a line or send a terminal escape.
    let _ = writeln!(
        out,
        "{}  {}",
        bold(&one_line(rec.id().unwrap_or_default())),
        one_line(title)
    );
    let status = rec.status().unwrap_or("?");
    let states: Vec<String> = kind
        .states
        .iter()
        .map(|s| {
            if s == status {
                format!("[{}]", one_line(s))
            } else {
                one_line(s).into_owned()
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "{} {}  ({})",
        bold("kind:"),
        one_line(&kind.name),
        one_line(&rec.file.path)
    );
    let _ = writeln!(out, "{} {}", bold("state:"), states.join(" -> "));
    if let Some(age) = query::age_days(&cfg.calendar, &rec, ctx.now) {
        let _ = writeln!(out, "{} {age} days", bold("age:"));
    }
    let _ = writeln!(out);
    if let Value::Object(m) = &rec.data {
        for (k, v) in m {
            if matches!(k.as_str(), "id" | "title" | "status") {
                continue;
            }
            let shown = match v {
                Value::String(s) => s.clone(),
                Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::Array(a) => format!("({} {})", a.len(), if a.len() == 1 { "item" } else { "items" }),
                Value::Object(o) => o
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            };
            let shown = if shown.chars().count() > 100 {
                format!("{}…", shown.chars().take(99).collect::<String>())
            } else {
                shown
            };
            let (k, shown) = (one_line(k), one_line(&shown));
            let _ = writeln!(out, "  {k:<22} {shown}");
        }
    }

    let _ = writeln!(out, "\n{}", bold("Next:"));
    let steps = query::next_steps(&ctx, kind, &rec, user.as_deref());
    if steps.is_empty() {
        let _ = writeln!(out, "  none: `{}` is a final state", one_line(status));
    }
    for s in steps {
        let label = s
            .name
            .as_deref()
            .map(|n| format!(" ({})", one_line(n)))
            .unwrap_or_default();
        let role = s
            .role
            .as_deref()
            .map(|r| format!(" [role: {}]", one_line(r)))
            .unwrap_or_default();
        let to = one_line(&s.to);
        if s.unmet.is_empty() {
            let _ = writeln!(out, "  -> {to}{label}{role}: ready");
        } else {
            let _ = writeln!(out, "  -> {to}{label}{role}: needs");
            for u in s.unmet {
                let _ = writeln!(out, "       - {}", one_line(&u));
            }
        }
    }

    let cl = clocks(kind, &cfg.calendar, &rec.data, ctx.now, 1);
    if !cl.is_empty() {
        let _ = writeln!(out, "\n{}", bold("SLA:"));
        for c in cl {
            let state = match c.state {
                ClockState::Breached => "BREACHED",
                ClockState::Escalated => "breached, escalated",
                ClockState::DueSoon => "due soon",
                ClockState::Running => "running",
            };
            let _ = writeln!(
                out,
                "  {:<24} due {}  {state}",
                one_line(&c.name),
                cfg.calendar.local_date(c.due_at)
            );
        }
    }

    if let Ok(t) = timeline(&cfg, rec.id().unwrap_or_default())
        && !t.entries.is_empty()
    {
        let skip = t.entries.len().saturating_sub(args.last);
        let _ = writeln!(
            out,
            "\n{} (last {} of {}; `casework log {}` for all)",
            bold("Timeline"),
            t.entries.len() - skip,
            t.entries.len(),
            one_line(&t.id)
        );
        out.push_str(&render_timeline(&t.entries[skip..], g.color(false)));
        if let Some(cut) = &t.cut_at {
            let _ = writeln!(
                out,
                "(a shallow clone: history before commit {} was not fetched, so the timeline may start late)",
                &cut[..12]
            );
        }
    }
    out!("{out}");
    Ok(OK)
}

/// Human rendering of timeline entries, shared with `casework log`.
pub fn render_timeline(entries: &[TimelineEntry], color: bool) -> String {
    let mut out = String::new();
    for e in entries {
        let sha = one_line(e.commit.get(..7).unwrap_or(&e.commit));
        let sha = if color {
            format!("\x1b[33m{sha}\x1b[0m")
        } else {
            sha.to_string()
        };
        let date = one_line(e.date.get(..16).unwrap_or(&e.date)).replace('T', " ");
        let _ = writeln!(
            out,
            "{sha} {date}  {} <{}>  {}",
            one_line(&e.author_name),
            one_line(&e.author),
            one_line(&e.subject)
        );
        if let Some(t) = &e.transition {
            let _ = writeln!(
                out,
                "    transition: {} -> {}",
                one_line(t.from.as_deref().unwrap_or("(new)")),
                one_line(t.to.as_deref().unwrap_or("(removed)"))
            );
        }
        if e.transition.as_ref().is_some_and(|t| t.from.is_none()) {
            let _ = writeln!(out, "    created with {} fields", e.changes.len());
            continue;
        }
        for c in &e.changes {
            if c.field == "status" {
                continue;
            }
            let show = |v: &Option<Value>| {
                v.as_ref().map_or_else(
                    || "-".to_string(),
                    |v| {
                        let s = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                        if s.chars().count() > 60 {
                            format!("{}…", s.chars().take(59).collect::<String>())
                        } else {
                            s
                        }
                    },
                )
            };
            let _ = writeln!(
                out,
                "    {}: {} -> {}",
                one_line(&c.field),
                one_line(&show(&c.old)),
                one_line(&show(&c.new))
            );
        }
    }
    out
}
