//! What is late and what can be closed: the query behind `casework due`
//! and the site's overdue list.

use super::cases::{Case, Cases};
use crate::calendar::ClockState;
use crate::config::{Config, Kind, SlaRule};
use crate::context::Context;
use crate::record::get_path;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// Why a case is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    /// A service clock ran out.
    Breached,
    /// The case's own deadline passed and its escalation field is not set
    /// (procedure 001: escalate overdue items to management).
    Escalate,
    /// A deadline within the look-ahead.
    DueSoon,
    /// A date the handler set for their next action on the case
    /// (`next_action_at`, an update's `follow_up_at`), passed or within
    /// the look-ahead.
    Reminder,
    /// A wait for the customer is over: the case may be closed (on no response).
    ReadyToClose,
}

impl DueState {
    pub fn as_str(self) -> &'static str {
        match self {
            DueState::Breached => "breached",
            DueState::Escalate => "escalate",
            DueState::DueSoon => "due_soon",
            DueState::Reminder => "reminder",
            DueState::ReadyToClose => "ready_to_close",
        }
    }

    /// Breached and escalate first, then what is coming, then what can close.
    fn rank(self) -> u8 {
        match self {
            DueState::Breached | DueState::Escalate => 0,
            DueState::DueSoon | DueState::Reminder => 1,
            DueState::ReadyToClose => 2,
        }
    }
}

/// One line of `casework due` (SPEC section 5).
#[derive(Debug, Clone, Serialize)]
pub struct DueItem {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub owner: Option<String>,
    pub clock: String,
    pub state: DueState,
    /// RFC 3339, UTC.
    pub due_at: String,
    #[serde(skip)]
    pub at: DateTime<Utc>,
    #[serde(skip)]
    pub path: String,
}

/// Which cases `due` looks at.
#[derive(Debug, Clone, Default)]
pub struct DueFilter {
    pub kind: Option<String>,
    pub owner: Option<String>,
}

/// Every breached clock, every deadline due soon, every overdue deadline to
/// escalate and every wait for a customer that is over, most urgent first:
/// breached and escalate, then due soon, then ready to close; oldest
/// deadline first within each.
pub fn due(ctx: &Context, cases: &Cases, filter: &DueFilter) -> Vec<DueItem> {
    let mut out = Vec::new();
    let wanted = |c: &Case| {
        filter.kind.as_ref().is_none_or(|k| *k == c.kind)
            && filter
                .owner
                .as_ref()
                .is_none_or(|o| c.owner.as_deref().is_some_and(|w| w.eq_ignore_ascii_case(o)))
    };
    // A closed case has clocks only where one runs in a closed state.
    for case in cases.cases.iter().filter(|c| wanted(c)) {
        let Some(kind) = ctx.config.kinds.get(&case.kind) else {
            continue;
        };
        let item = |clock: &str, state, at: DateTime<Utc>| DueItem {
            id: case.id.clone(),
            kind: case.kind.clone(),
            title: case.title.clone(),
            owner: case.owner.clone(),
            clock: clock.to_string(),
            state,
            due_at: at.to_rfc3339_opts(SecondsFormat::Secs, true),
            at,
            path: case.path.clone(),
        };
        for clock in &case.clocks {
            let own_deadline = kind
                .sla
                .iter()
                .any(|s| s.name == clock.name && matches!(s.rule, SlaRule::Deadline(_)));
            let state = match clock.state {
                ClockState::Breached if own_deadline && clock.escalation.is_some() => DueState::Escalate,
                ClockState::Breached | ClockState::Escalated => DueState::Breached,
                ClockState::DueSoon => DueState::DueSoon,
                ClockState::Running => continue,
            };
            out.push(item(&clock.name, state, clock.due_at));
        }
        for (field, at) in &case.reminders {
            out.push(item(field, DueState::Reminder, *at));
        }
        for (name, at) in &case.waits {
            out.push(item(name, DueState::ReadyToClose, *at));
        }
    }
    out.sort_by(|a, b| (a.state.rank(), a.at, &a.id).cmp(&(b.state.rank(), b.at, &b.id)));
    out
}

/// The fields a handler sets a reminder in, at any depth of a record.
pub const REMINDER_FIELDS: [&str; 2] = ["next_action_at", "follow_up_at"];

/// The reminders of an open case due by the end of the look-ahead (`soon`
/// business days from `now`), or passed: each field's dotted path
/// (`updates.2.follow_up_at`) and its time.
pub fn reminders(
    config: &Config,
    data: &serde_json::Value,
    now: DateTime<Utc>,
    soon: u32,
) -> Vec<(String, DateTime<Utc>)> {
    fn walk(v: &serde_json::Value, path: &str, out: &mut Vec<(String, serde_json::Value)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    if REMINDER_FIELDS.contains(&k.as_str()) {
                        out.push((p, x.clone()));
                    } else {
                        walk(x, &p, out);
                    }
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{path}.{i}"), out);
                }
            }
            _ => {}
        }
    }
    let cal = &config.calendar;
    let last = cal.add_business_days(now, soon);
    let mut found = Vec::new();
    walk(data, "", &mut found);
    found
        .into_iter()
        .filter_map(|(field, v)| Some((field, cal.time_of(&v)?)))
        .filter(|(_, at)| cal.local_date(*at) <= last)
        .collect()
}

/// The waits for a customer's answer that are over: a transition out of the
/// case's state that waits (`after`), and a time guard of a state it can
/// move to (a request closed on `no_response`), each with when it ended.
pub fn waits_over(
    config: &Config,
    kind: &Kind,
    status: &str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> Vec<(String, DateTime<Utc>)> {
    let next = kind.next_states(status);
    let waits =
        next.iter().any(|t| t.after.is_some()) || kind.time_guards.iter().any(|g| next.iter().any(|t| t.to == g.state));
    if !waits {
        return Vec::new();
    }
    // As the transition judges the wait: from the start of the day it ends.
    let ended = |field: &str, days: u32| {
        let since = get_path(data, field).and_then(|v| config.calendar.time_of(v))?;
        let day = config.calendar.add_business_days(since, days);
        let end = config.calendar.at_local(day, chrono::NaiveTime::MIN);
        (end <= now).then_some(end)
    };
    let mut out = Vec::new();
    for t in &next {
        if let Some(field) = &t.after
            && let Some(end) = ended(field, kind.non_response_days)
        {
            out.push((t.name.clone().unwrap_or_else(|| format!("{status} -> {}", t.to)), end));
        }
        for g in kind.time_guards.iter().filter(|g| g.state == t.to) {
            if let Some(end) = ended(&g.since, g.business_days) {
                out.push(("no response".to_string(), end));
            }
        }
    }
    out.dedup_by(|a, b| a.0 == b.0);
    out
}
