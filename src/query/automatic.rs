//! The workflow steps no person should have to remember, due now for one
//! record: a step that waits for the customer (`after`, or a time guard
//! such as closing on `no_response`) once the wait is over, archiving
//! `archive_after_days` business days after closure, and escalating a
//! breached SLA clock to the kind's `escalate_to`. Every wait and field
//! comes from the kind's configuration; nothing here is a constant of a
//! procedure. Pure: data, configuration and a time in, a step out.

use crate::calendar::{self, ClockState};
use crate::config::{Config, Kind};
use crate::record::get_path;
use crate::workflow;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// What an automatic step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The customer did not answer within the wait: the step that waits is taken.
    NoResponse,
    /// Closed long enough: moved to the archive state.
    Archive,
    /// A breached clock's escalation field is set.
    Escalate,
}

/// One automatic step of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub what: StepKind,
    /// The state to move to; `None` for an edit without a state change.
    pub to: Option<String>,
    /// Fields the step sets besides the transition's own `sets` (dotted
    /// path, value): a time guard's `when` values, the escalation field.
    pub sets: Vec<(String, Value)>,
    /// Why the step is due, for people: "no answer 5 business days after
    /// `resolution.notified_at` (2026-11-16)".
    pub why: String,
}

/// Which kinds of step to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    pub no_response: bool,
    pub archive: bool,
    pub escalate: bool,
}

impl Wanted {
    pub const ALL: Wanted = Wanted {
        no_response: true,
        archive: true,
        escalate: true,
    };
    pub const ARCHIVE: Wanted = Wanted {
        no_response: false,
        archive: true,
        escalate: false,
    };
}

/// The step due for a record, if any.
#[derive(Debug, Clone, PartialEq)]
pub enum Due {
    Nothing,
    Step(Step),
    /// Closed and archived by policy, but without the time of its closure
    /// in the record: only the history can date it.
    Undated,
}

/// The first step due for the record `data` of `kind` at `now`: a wait
/// that is over comes first (the case is not closed yet), then archiving,
/// then escalation. `closed_at` dates a closed record that lacks its
/// closure field (from the commit that closed it).
pub fn due_step(
    config: &Config,
    kind: &Kind,
    data: &Value,
    now: DateTime<Utc>,
    wanted: Wanted,
    closed_at: Option<DateTime<Utc>>,
) -> Due {
    let status = data.get("status").and_then(Value::as_str).unwrap_or_default();
    if wanted.no_response
        && let Some(step) = no_response(config, kind, status, data, now)
    {
        return Due::Step(step);
    }
    if wanted.archive && kind.archive_after_days > 0 && kind.archive_transition(status).is_some() {
        let cal = &config.calendar;
        let closed = kind
            .closure_field()
            .and_then(|f| get_path(data, f))
            .and_then(|v| cal.time_of(v))
            .or(closed_at);
        let Some(closed) = closed else {
            return Due::Undated;
        };
        let passed = cal.business_days_between(closed, now);
        if passed >= i64::from(kind.archive_after_days) {
            return Due::Step(Step {
                what: StepKind::Archive,
                to: Some(kind.archive_state.clone()),
                sets: Vec::new(),
                why: format!(
                    "closed {}, {passed} business days ago; {} archives after {}",
                    cal.local_date(closed),
                    kind.name,
                    kind.archive_after_days
                ),
            });
        }
    }
    if wanted.escalate
        && let Some(who) = &kind.escalate_to
    {
        let cal = &config.calendar;
        for clock in calendar::clocks(kind, cal, data, now, 0) {
            if clock.state == ClockState::Breached
                && let Some(field) = &clock.escalation
            {
                return Due::Step(Step {
                    what: StepKind::Escalate,
                    to: None,
                    sets: vec![(field.clone(), Value::String(who.clone()))],
                    why: format!("`{}` was due {}", clock.name, cal.display(clock.due_at)),
                });
            }
        }
    }
    Due::Nothing
}

/// A step out of `status` that waits for the customer, once the wait is
/// over: a transition with `after`, or one into a state whose time guard
/// (`when` values, `since` field) has waited its business days. A guard's
/// `when` fields that the record already holds with other values mean the
/// customer answered (`confirmation.outcome: confirmed`): a person closes
/// that case, not the sweep.
fn no_response(config: &Config, kind: &Kind, status: &str, data: &Value, now: DateTime<Utc>) -> Option<Step> {
    let cal = &config.calendar;
    // A time from before the latest reopen never ends a wait of this cycle.
    let start = workflow::cycle_start(config, data);
    let waited = |field: &str, days: u32| {
        let since = get_path(data, field).and_then(|v| cal.time_of(v))?;
        let current = start.is_none_or(|s| since >= s);
        (current && cal.business_days_between(since, now) >= i64::from(days)).then(|| {
            format!(
                "no answer in {days} business days since `{field}`, {}",
                cal.local_date(since)
            )
        })
    };
    for t in kind.next_states(status) {
        if let Some(field) = &t.after
            && let Some(why) = waited(field, kind.non_response_days)
        {
            return Some(Step {
                what: StepKind::NoResponse,
                to: Some(t.to.clone()),
                sets: Vec::new(),
                why,
            });
        }
        for g in kind
            .time_guards
            .iter()
            .filter(|g| g.state == t.to && !g.when.is_empty())
        {
            let answered = g
                .when
                .iter()
                .any(|(f, v)| get_path(data, f).is_some_and(|have| have != v && !have.is_null()));
            if answered {
                continue;
            }
            if let Some(why) = waited(&g.since, g.business_days) {
                return Some(Step {
                    what: StepKind::NoResponse,
                    to: Some(t.to.clone()),
                    sets: g.when.clone(),
                    why,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;
    use serde_json::json;
    use std::path::Path;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn config() -> Config {
        parse(Path::new("/r"), Config::default_toml()).unwrap()
    }

    #[test]
    fn a_request_resolved_without_an_answer_closes_after_the_guards_wait() {
        let c = config();
        let k = &c.kinds["request"];
        let rec = json!({"status": "resolved", "resolution": {"notified_at": "2026-11-16T10:00:00Z"}});
        let before = due_step(&c, k, &rec, t("2026-11-20T10:00:00Z"), Wanted::ALL, None);
        assert_eq!(before, Due::Nothing);
        let Due::Step(step) = due_step(&c, k, &rec, t("2026-11-23T10:00:00Z"), Wanted::ALL, None) else {
            panic!("due")
        };
        assert_eq!(step.to.as_deref(), Some("closed"));
        assert_eq!(step.sets, [("confirmation.outcome".to_string(), json!("no_response"))]);
        // The customer confirmed: a person closes it.
        let confirmed = json!({"status": "resolved", "resolution": {"notified_at": "2026-11-16T10:00:00Z"},
                               "confirmation": {"outcome": "confirmed"}});
        assert_eq!(
            due_step(&c, k, &confirmed, t("2026-11-23T10:00:00Z"), Wanted::ALL, None),
            Due::Nothing
        );
    }

    #[test]
    fn archiving_counts_business_days_from_the_closure_field() {
        let c = config();
        let k = &c.kinds["complaint"];
        let rec = json!({"status": "closed", "closure": {"closed_at": "2026-10-01T10:00:00Z"}});
        let Due::Step(step) = due_step(&c, k, &rec, t("2026-11-23T10:00:00Z"), Wanted::ARCHIVE, None) else {
            panic!("due")
        };
        assert_eq!(step.what, StepKind::Archive);
        assert_eq!(
            due_step(&c, k, &rec, t("2026-11-05T10:00:00Z"), Wanted::ARCHIVE, None),
            Due::Nothing
        );
        let undated = json!({"status": "closed"});
        assert_eq!(
            due_step(&c, k, &undated, t("2026-11-23T10:00:00Z"), Wanted::ARCHIVE, None),
            Due::Undated
        );
    }
}
