//! Questions asked of the records: where a case lives, and where it can go next.

pub mod automatic;
pub mod case;
pub mod cases;
pub mod due;
pub mod export;
pub mod lessons;
pub mod list;
pub mod report;
pub mod retention;
pub mod sample;

use crate::config::{CYCLES, Config, Kind, Transition};
use crate::context::Context;
use crate::record::{self, Record, get_path};
use crate::schema::{self, KindSchema};
use crate::workflow;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

pub use case::{CaseView, ClockStatus, ClockView, TimelineView, case_view};

/// Why an ID cannot be looked up.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    #[error("{0:?} is not a case ID (IDs look like CMP-2026-0042)")]
    BadId(String),
    #[error("no record has the ID {0}")]
    NotFound(String),
    #[error("{0}")]
    Unreadable(String),
    /// The records folder cannot be listed (exit 2).
    #[error("{0}")]
    Walk(String),
}

/// A record that cannot be loaded, named as `check` names it:
/// `file:line:column: message`.
fn unreadable(d: &crate::diag::Diagnostic) -> FindError {
    FindError::Unreadable(format!("{}: {}", d.place(), d.message))
}

/// Find the record with this ID: the file `<kind folder>/<ID>.md` alone
/// when it holds that ID, else the record set, loaded then.
pub fn find(ctx: &Context, id: &str) -> Result<Record, FindError> {
    if !record::is_plausible_id(id) {
        return Err(FindError::BadId(id.to_string()));
    }
    let config = &ctx.config;
    if let Some(kind) = config.kind_for_id(id) {
        let rel = format!("{}/{id}.md", kind.dir);
        if let Some(f) = record::record_file_at(&config.root, &config.root.join(&rel)).filter(|f| f.abs.is_file()) {
            let rec = record::load(&f, config).map_err(|d| unreadable(&d))?;
            if rec.id() == Some(id) {
                return Ok(rec);
            }
        }
    }
    let set = ctx.records().map_err(|e| FindError::Walk(e.to_string()))?;
    match set.with_id(id).next() {
        Some(r) => r.record(config).map_err(|d| unreadable(&d)),
        None => Err(FindError::NotFound(id.to_string())),
    }
}

/// A state a case may move to next, and what stands in the way.
#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    pub to: String,
    pub name: Option<String>,
    pub role: Option<String>,
    /// Why the step would be refused now; empty when it can be taken.
    pub unmet: Vec<String>,
}

/// The transitions out of the record's state, each judged as `casework
/// transition` would judge it for `user` at `ctx.now`.
pub fn next_steps(ctx: &Context, kind: &Kind, rec: &Record, user: Option<&str>) -> Vec<NextStep> {
    let Some(from) = rec.status() else { return Vec::new() };
    kind.next_states(from)
        .into_iter()
        .map(|t| {
            let data = simulate(&ctx.config, kind, &rec.data, t, ctx.now);
            let mut unmet: Vec<String> = workflow::judge_transition(
                &ctx.config,
                kind,
                from,
                &t.to,
                Some(&rec.data),
                &data,
                user.unwrap_or("(unknown)"),
                ctx.now,
            )
            .into_iter()
            .map(|v| v.message)
            .collect();
            if let Some(KindSchema::Ready { schema, validator }) = ctx.schemas.get(&kind.name) {
                unmet.extend(
                    schema::violations(&data, schema, validator)
                        .into_iter()
                        .map(|(_, _, m)| m),
                );
            }
            unmet.extend(
                workflow::time_guards(&ctx.config, kind, &data, ctx.now)
                    .into_iter()
                    .map(|u| u.message),
            );
            // The same reason from the workflow and a guard is said once.
            let mut seen = std::collections::HashSet::new();
            unmet.retain(|u| seen.insert(u.clone()));
            NextStep {
                to: t.to.clone(),
                name: t.name.clone(),
                role: t.role_needed(&[&rec.data]).map(str::to_string),
                unmet,
            }
        })
        .collect()
}

/// The front-matter after step `t`: a reopen's ended cycle moved into
/// `cycles`, the step's timestamp fields set to now where the current cycle
/// has none, and on entering the kind's archive state `archive.retain_until`
/// from its retention when it is missing.
pub fn simulate(config: &Config, kind: &Kind, data: &Value, t: &Transition, now: DateTime<Utc>) -> Value {
    let mut d = data.clone();
    let to = t.to.as_str();
    let from = data.get("status").and_then(Value::as_str).unwrap_or_default();
    if let Some((entry, moved)) = workflow::ended_cycle(t, from, data, now)
        && let Value::Object(m) = &mut d
    {
        for f in &moved {
            m.remove(f);
        }
        match m.get_mut(CYCLES) {
            Some(Value::Array(list)) => list.push(entry),
            _ => {
                m.insert(CYCLES.into(), Value::Array(vec![entry]));
            }
        }
    }
    if let Value::Object(m) = &mut d {
        m.insert("status".into(), Value::String(to.to_string()));
    }
    // A time the record already has for the step is a fact of the case and
    // kept, unless it is from an ended cycle: the step is taken anew.
    let stamp = Value::String(now.to_rfc3339_opts(SecondsFormat::Secs, true));
    let start = workflow::cycle_start(config, &d);
    for field in &t.sets {
        let current = get_path(&d, field)
            .and_then(|v| config.calendar.time_of(v))
            .is_some_and(|time| start.is_none_or(|start| time >= start));
        if !current {
            set_path(&mut d, field, stamp.clone());
        }
    }
    if to == kind.archive_state && get_path(&d, "archive.retain_until").is_none() {
        let until = workflow::retain_until(config, kind, &d, now);
        set_path(&mut d, "archive.retain_until", Value::String(until.to_string()));
    }
    d
}

/// Whether the kind's schema (a state's guard) finds fewer faults in `data`
/// once `field` holds `value`: the field is then one the state needs.
pub fn guard_needs(ctx: &Context, kind: &Kind, data: &Value, field: &str, value: &Value) -> bool {
    let Some(KindSchema::Ready { schema, validator }) = ctx.schemas.get(&kind.name) else {
        return false;
    };
    let mut with = data.clone();
    set_path(&mut with, field, value.clone());
    schema::violations(&with, schema, validator).len() < schema::violations(data, schema, validator).len()
}

/// Set a dotted path in a JSON object, creating mappings on the way.
pub fn set_path(v: &mut Value, path: &str, value: Value) {
    let mut cur = v;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        let Value::Object(m) = cur else { return };
        if i == parts.len() - 1 {
            m.insert((*p).to_string(), value);
            return;
        }
        cur = m
            .entry((*p).to_string())
            .or_insert_with(|| Value::Object(Default::default()));
    }
}

/// How long a case has been open, in whole days, at `now`.
pub fn age_days(cal: &crate::config::Calendar, rec: &Record, now: DateTime<Utc>) -> Option<i64> {
    rec.data
        .get("opened")
        .and_then(|v| cal.time_of(v))
        .map(|t| (now - t).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;
    use serde_json::json;
    use std::path::Path;

    /// A step's time from an ended cycle is set anew; one of this cycle is kept.
    #[test]
    fn a_steps_time_from_before_the_reopen_is_set_anew() {
        let config = parse(Path::new("/r"), Config::default_toml()).unwrap();
        let kind = &config.kinds["request"];
        let t = kind.transition("in_progress", "resolved").unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-17T10:00:00Z").unwrap().to_utc();
        let record = |notified: &str| {
            json!({"status": "in_progress", "resolution": {"notified_at": notified},
                   "cycles": [{"reopened_at": "2026-11-16T10:00:00Z", "from": "closed"}]})
        };
        let stale = simulate(&config, kind, &record("2026-11-04T10:00:00Z"), t, now);
        assert_eq!(stale["resolution"]["notified_at"], "2026-11-17T10:00:00Z");
        let current = simulate(&config, kind, &record("2026-11-16T15:00:00Z"), t, now);
        assert_eq!(current["resolution"]["notified_at"], "2026-11-16T15:00:00Z");
    }
}
