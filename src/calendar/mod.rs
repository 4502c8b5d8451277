//! Business days and service-level clocks: pure functions of a record, the
//! configured calendar and a time.

use crate::config::{Calendar, Kind, SlaClock, SlaRule};
use crate::record::{get_all, get_path};
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::Value;

impl Calendar {
    /// Whether `date` is a working day (a configured weekday, not a holiday).
    pub fn is_workday(&self, date: NaiveDate) -> bool {
        self.workdays[date.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&date)
    }

    /// The local calendar date of an instant.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.timezone).date_naive()
    }

    /// The `n`th working day after the local date of `start`.
    pub fn add_business_days(&self, start: DateTime<Utc>, n: u32) -> NaiveDate {
        let mut d = self.local_date(start);
        let mut left = n;
        // A calendar with no working day in a year is refused by config validation;
        // the bound only guards against a pathological one.
        for _ in 0..(n as usize * 7 + 3700) {
            if left == 0 {
                break;
            }
            d = d.checked_add_days(Days::new(1)).unwrap_or(d);
            if self.is_workday(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days `d` with `date(from) < d <= date(to)`: how many business
    /// days have passed since `from`.
    pub fn business_days_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        let (a, b) = (self.local_date(from), self.local_date(to));
        if b <= a {
            return 0;
        }
        a.iter_days()
            .skip(1)
            .take_while(|d| *d <= b)
            .filter(|d| self.is_workday(*d))
            .count() as i64
    }

    /// A field's time: an RFC 3339 time as written, a date alone as the
    /// start of that day in the calendar's zone (so `due: 2026-11-10` is the
    /// 10th in New York too, not the evening of the 9th).
    pub fn time_of(&self, v: &Value) -> Option<DateTime<Utc>> {
        let s = v.as_str()?;
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(t.with_timezone(&Utc));
        }
        let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?.and_time(NaiveTime::MIN);
        Some(
            self.timezone
                .from_local_datetime(&day)
                .earliest()
                .map_or_else(|| day.and_utc(), |t| t.with_timezone(&Utc)),
        )
    }

    /// The last instant of a local date: deadlines run to the end of the day.
    pub fn end_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        let end = date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
        self.timezone
            .from_local_datetime(&end)
            .latest()
            .map_or_else(|| end.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The deadline `n` business days after `start`.
    pub fn deadline(&self, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        self.end_of_day(self.add_business_days(start, n))
    }
}

/// Where a clock stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClockState {
    /// Past its deadline and not escalated (or no escalation is configured).
    Breached,
    /// Past its deadline; the escalation field is set.
    Escalated,
    /// Deadline within the look-ahead window.
    DueSoon,
    /// Running, deadline further away.
    Running,
}

/// One running clock of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub name: String,
    /// Dotted path of the field the clock is measured from (for positions).
    pub field: String,
    pub due_at: DateTime<Utc>,
    pub state: ClockState,
    /// The configured escalation field, when the clock has one.
    pub escalation: Option<String>,
}

/// The running clocks of a record at `now`; `soon` is the look-ahead in business days.
pub fn clocks(kind: &Kind, cal: &Calendar, data: &Value, now: DateTime<Utc>, soon: u32) -> Vec<Clock> {
    let status = data.get("status").and_then(Value::as_str).unwrap_or_default();
    let mut out = Vec::new();
    for clock in &kind.sla {
        if !clock.states.iter().any(|s| s == status) {
            continue;
        }
        for (field, due_at) in deadlines(clock, cal, data) {
            let escalated = clock
                .escalation
                .as_ref()
                .is_some_and(|f| get_path(data, f).is_some_and(|v| !v.is_null()));
            let state = if now > due_at {
                if escalated {
                    ClockState::Escalated
                } else {
                    ClockState::Breached
                }
            } else if cal.deadline(now, soon) >= due_at {
                ClockState::DueSoon
            } else {
                ClockState::Running
            };
            out.push(Clock {
                name: clock.name.clone(),
                field,
                due_at,
                state,
                escalation: clock.escalation.clone(),
            });
        }
    }
    out
}

/// Each (start field, deadline) of a clock that has not stopped.
fn deadlines(clock: &SlaClock, cal: &Calendar, data: &Value) -> Vec<(String, DateTime<Utc>)> {
    match &clock.rule {
        SlaRule::Deadline(field) => match get_path(data, field).and_then(|v| cal.time_of(v)) {
            Some(t) => vec![(field.clone(), cal.end_of_day(cal.local_date(t)))],
            None => Vec::new(),
        },
        SlaRule::Every(n) => {
            // The clock restarts at the latest of its start times.
            let latest = clock
                .start
                .iter()
                .flat_map(|f| get_all(data, f))
                .filter_map(|(p, v)| cal.time_of(v).map(|t| (t, p)))
                .max();
            latest.map(|(t, p)| vec![(p, cal.deadline(t, *n))]).unwrap_or_default()
        }
        SlaRule::Within(n) => {
            let mut out = Vec::new();
            for start in &clock.start {
                for (path, v) in get_all(data, start) {
                    let Some(t) = cal.time_of(v) else { continue };
                    if let Some(stop) = &clock.stop
                        && get_path(data, &same_item(start, &path, stop)).is_some_and(|v| !v.is_null())
                    {
                        continue;
                    }
                    out.push((path, cal.deadline(t, *n)));
                }
            }
            out
        }
    }
}

/// The stop field of the same list item as a concrete start path:
/// start `issues.*.reported_at` at `issues.2.reported_at` stops at `issues.2.acknowledged_at`.
fn same_item(pattern: &str, concrete: &str, stop: &str) -> String {
    let mut indexes = pattern
        .split('.')
        .zip(concrete.split('.'))
        .filter(|(p, _)| *p == "*")
        .map(|(_, c)| c);
    stop.split('.')
        .map(|p| if p == "*" { indexes.next().unwrap_or("0") } else { p })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, parse};
    use serde_json::json;
    use std::path::Path;

    fn config() -> Config {
        parse(Path::new("/r"), Config::default_toml()).unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        let cal = config().calendar;
        // Friday 2026-12-18 + 1 business day = Monday 2026-12-21
        assert_eq!(
            cal.add_business_days(t("2026-12-18T16:00:00Z"), 1),
            NaiveDate::from_ymd_opt(2026, 12, 21).unwrap()
        );
        // Thursday 2026-12-24 + 1 = Monday 2026-12-28 (25th and 26th are holidays)
        assert_eq!(
            cal.add_business_days(t("2026-12-24T10:00:00Z"), 1),
            NaiveDate::from_ymd_opt(2026, 12, 28).unwrap()
        );
        assert_eq!(
            cal.business_days_between(t("2026-12-18T10:00:00Z"), t("2026-12-28T09:00:00Z")),
            5
        );
        assert_eq!(
            cal.business_days_between(t("2026-12-28T10:00:00Z"), t("2026-12-18T09:00:00Z")),
            0
        );
    }

    #[test]
    fn acknowledge_clock() {
        let c = config();
        let kind = &c.kinds["request"];
        let rec = json!({"status": "new", "opened": "2026-11-20T09:00:00Z"});
        // opened Friday: due end of Monday
        let now = t("2026-11-23T12:00:00Z");
        let cl = clocks(kind, &c.calendar, &rec, now, 1);
        assert_eq!(cl.len(), 1);
        assert_eq!(cl[0].due_at, t("2026-11-23T23:59:59Z"));
        assert_eq!(cl[0].state, ClockState::DueSoon);
        let cl = clocks(kind, &c.calendar, &rec, t("2026-11-24T08:00:00Z"), 1);
        assert_eq!(cl[0].state, ClockState::Breached);
        let acked = json!({"status": "acknowledged", "opened": "2026-11-20T09:00:00Z", "acknowledged_at": "2026-11-20T10:00:00Z"});
        let cl = clocks(kind, &c.calendar, &acked, t("2026-12-20T08:00:00Z"), 1);
        assert_eq!(cl.len(), 1, "only the status update clock runs: {cl:?}");
        assert_eq!(cl[0].name, "status update");
        assert_eq!(cl[0].state, ClockState::Breached);
    }

    #[test]
    fn per_item_clocks_and_escalation() {
        let c = config();
        let order = json!({"status": "issue_open", "delivered_at": "2026-11-02T09:00:00Z", "feedback_requested_at": "2026-11-02T10:00:00Z",
            "issues": [{"reported_at": "2026-11-03T09:00:00Z", "acknowledged_at": "2026-11-03T10:00:00Z"}, {"reported_at": "2026-11-10T09:00:00Z"}]});
        let cl = clocks(&c.kinds["order"], &c.calendar, &order, t("2026-11-23T00:00:00Z"), 1);
        assert_eq!(cl.len(), 1);
        assert_eq!(cl[0].field, "issues.1.reported_at");
        let fb = json!({"status": "pending", "due": "2026-11-10", "escalated_to": "m.jones@example.com"});
        let cl = clocks(&c.kinds["feedback"], &c.calendar, &fb, t("2026-11-23T00:00:00Z"), 1);
        assert_eq!(cl[0].state, ClockState::Escalated);
        assert_eq!(
            same_item(
                "issues.*.reported_at",
                "issues.3.reported_at",
                "issues.*.acknowledged_at"
            ),
            "issues.3.acknowledged_at"
        );
    }
}
