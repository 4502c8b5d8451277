//! The human view of one case (`casework show`) and of timeline entries
//! (`show` and `casework log`).
//!
//! Every value printed comes from a record, its file name, the
//! configuration or git: each goes through `one_line`, so none can start a
//! line or send a terminal escape.

use crate::diag::one_line;
use crate::history::TimelineEntry;
use crate::query::{CaseView, ClockStatus};
use serde_json::Value;
use std::fmt::Write as _;

/// `show`'s text for a case, `color` adding bold headings.
pub fn render_case(view: &CaseView, color: bool) -> String {
    let bold = |s: &str| {
        if color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", bold(&one_line(&view.id)), one_line(&view.title));
    let status = view.status.as_deref().unwrap_or("?");
    let states: Vec<String> = view
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
        one_line(&view.kind),
        one_line(&view.path)
    );
    let _ = writeln!(out, "{} {}", bold("state:"), states.join(" -> "));
    if let Some(age) = view.age_days {
        let _ = writeln!(out, "{} {age} days", bold("age:"));
    }
    let _ = writeln!(out);
    for (k, v) in &view.fields {
        let shown = field_text(v);
        let (k, shown) = (one_line(k), one_line(&shown));
        let _ = writeln!(out, "  {k:<22} {shown}");
    }

    let _ = writeln!(out, "\n{}", bold("Next:"));
    if view.next.is_empty() {
        let _ = writeln!(out, "  none: `{}` is a final state", one_line(status));
    }
    for s in &view.next {
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
            for u in &s.unmet {
                let _ = writeln!(out, "       - {}", one_line(u));
            }
        }
    }

    if !view.clocks.is_empty() {
        let _ = writeln!(out, "\n{}", bold("SLA:"));
        for c in &view.clocks {
            let state = match c.state {
                ClockStatus::Breached => "BREACHED",
                ClockStatus::Escalated => "breached, escalated",
                ClockStatus::DueSoon => "due soon",
                ClockStatus::Running => "running",
            };
            let _ = writeln!(out, "  {:<24} due {}  {state}", one_line(&c.name), one_line(&c.due));
        }
    }

    if let Some(t) = &view.timeline {
        let _ = writeln!(
            out,
            "\n{} (last {} of {}; `casework log {}` for all)",
            bold("Timeline"),
            t.entries.len(),
            t.total,
            one_line(&view.id)
        );
        out.push_str(&render_timeline(&t.entries, color));
        if let Some(cut) = &t.cut_at {
            let _ = writeln!(
                out,
                "(a shallow clone: history before commit {} was not fetched, so the timeline may start late)",
                one_line(cut.get(..12).unwrap_or(cut))
            );
        }
    }
    out
}

/// A field's value on one line: lists of scalars joined, longer lists
/// counted, mappings as `key=value; ...`, cut at 100 characters.
fn field_text(v: &Value) -> String {
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
    if shown.chars().count() > 100 {
        format!("{}…", shown.chars().take(99).collect::<String>())
    } else {
        shown
    }
}

/// Timeline entries, one commit each with the fields it changed.
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
        match e.transition.as_ref().map(|t| (t.from.as_deref(), t.to.as_deref())) {
            Some((None, to)) => {
                let state = to.map_or_else(String::new, |s| format!(" in `{}`", one_line(s)));
                let _ = writeln!(out, "    created{state} with {} fields", e.changes.len());
                continue;
            }
            Some((Some(from), None)) => {
                let _ = writeln!(out, "    removed (was `{}`)", one_line(from));
                continue;
            }
            Some((Some(from), Some(to))) => {
                let _ = writeln!(out, "    transition: {} -> {}", one_line(from), one_line(to));
            }
            None => {}
        }
        // An entry appended to `updates` reads as one line, not a diff per field.
        let added = appended_updates(&e.changes);
        for (at, by, note) in added.values() {
            let _ = writeln!(
                out,
                "    update {}{}: {}",
                one_line(at),
                if by.is_empty() {
                    String::new()
                } else {
                    format!(" by {}", one_line(by))
                },
                one_line(note)
            );
        }
        // A reopen's new `cycles` entry is one line too, and the fields it
        // moved there are not listed again as removed.
        let cycles = added_cycles(&e.changes);
        for (i, moved) in &cycles {
            let n = i.parse::<usize>().map_or(0, |i| i + 1);
            let moved: Vec<String> = moved.iter().map(|f| format!("`{}`", one_line(f))).collect();
            let _ = writeln!(out, "    ended cycle {n} kept in `cycles`: {}", moved.join(", "));
        }
        let moved_away = |c: &crate::history::FieldChange| {
            c.new.is_none()
                && cycles
                    .values()
                    .any(|m| m.iter().any(|f| c.field == *f || c.field.starts_with(&format!("{f}."))))
        };
        for c in &e.changes {
            let in_cycle = c.field.strip_prefix("cycles.").and_then(|r| r.split('.').next());
            if c.field == "status"
                || update_index(&c.field).is_some_and(|i| added.contains_key(i))
                || in_cycle.is_some_and(|i| cycles.contains_key(i))
                || moved_away(c)
            {
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

/// Entries of `cycles` that a change added whole: index -> the fields of the
/// ended cycle they hold (`from` and `reopened_at` left out).
fn added_cycles(changes: &[crate::history::FieldChange]) -> std::collections::BTreeMap<&str, Vec<String>> {
    let mut out: std::collections::BTreeMap<&str, Vec<String>> = std::collections::BTreeMap::new();
    let mut mixed = std::collections::BTreeSet::new();
    for c in changes {
        let Some(rest) = c.field.strip_prefix("cycles.") else {
            continue;
        };
        let mut parts = rest.splitn(3, '.');
        let (Some(i), Some(field)) = (parts.next(), parts.next()) else {
            continue;
        };
        if c.old.is_some() {
            mixed.insert(i);
            continue;
        }
        let fields = out.entry(i).or_default();
        if !matches!(field, "from" | "reopened_at") && !fields.iter().any(|f| f == field) {
            fields.push(field.to_string());
        }
    }
    out.retain(|i, _| !mixed.contains(i));
    out
}

/// `updates.3.note` -> `"3"`.
fn update_index(field: &str) -> Option<&str> {
    field.strip_prefix("updates.")?.split('.').next()
}

/// Entries of `updates` that a change added whole: index -> (at, by, note).
fn appended_updates(
    changes: &[crate::history::FieldChange],
) -> std::collections::BTreeMap<&str, (String, String, String)> {
    let mut out = std::collections::BTreeMap::new();
    let mut mixed = std::collections::BTreeSet::new();
    let text = |v: &Option<Value>| {
        v.as_ref()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_default()
    };
    for c in changes {
        let Some(i) = update_index(&c.field) else { continue };
        if c.old.is_some() {
            mixed.insert(i);
            continue;
        }
        let entry: &mut (String, String, String) = out.entry(i).or_default();
        match c.field.rsplit('.').next() {
            Some("at") => entry.0 = text(&c.new),
            Some("by") => entry.1 = text(&c.new),
            Some("note") => entry.2 = text(&c.new),
            _ => {
                mixed.insert(i);
            }
        }
    }
    out.retain(|i, (_, _, note)| !mixed.contains(i) && !note.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{ClockView, NextStep};
    use serde_json::json;

    fn view() -> CaseView {
        let Value::Object(fields) = json!({
            "kind": "complaint",
            "tags": ["a", 2],
            "customer": {"name": "Ann\n::warning x", "contact": "a@x.org"},
            "updates": [{"at": "t"}],
        }) else {
            unreachable!()
        };
        CaseView {
            id: "CMP-2026-0001".into(),
            title: "Late parcel".into(),
            kind: "complaint".into(),
            path: "records/complaint/CMP-2026-0001.md".into(),
            status: Some("received".into()),
            states: vec!["received".into(), "closed".into()],
            age_days: Some(3),
            fields,
            next: vec![NextStep {
                to: "closed".into(),
                name: Some("close".into()),
                role: None,
                unmet: vec!["missing field `closure`".into()],
            }],
            clocks: vec![ClockView {
                name: "response".into(),
                due: "2026-03-04".into(),
                state: ClockStatus::DueSoon,
            }],
            timeline: None,
        }
    }

    #[test]
    fn renders_every_part_on_lines_of_its_own() {
        assert_eq!(
            render_case(&view(), false),
            "CMP-2026-0001  Late parcel\n\
             kind: complaint  (records/complaint/CMP-2026-0001.md)\n\
             state: [received] -> closed\n\
             age: 3 days\n\
             \n  kind                   complaint\n  \
             tags                   a, 2\n  \
             customer               name=Ann\\n::warning x; contact=a@x.org\n  \
             updates                (1 item)\n\
             \nNext:\n  -> closed (close): needs\n       - missing field `closure`\n\
             \nSLA:\n  response                 due 2026-03-04  due soon\n"
        );
    }

    #[test]
    fn the_view_is_data() {
        let v = serde_json::to_value(view()).unwrap();
        assert_eq!(v["fields"]["tags"], json!(["a", 2]));
        assert_eq!(v["clocks"][0]["state"], "due-soon");
        assert_eq!(v["next"][0]["unmet"][0], "missing field `closure`");
        assert!(v["timeline"].is_null());
    }
}
