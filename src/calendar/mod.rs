//! Business days and service-level clocks: pure functions of a record, the
//! configured calendar and a time.

use crate::config::{Budget, Calendar, Kind, SlaClock, SlaRule};
use crate::record::{get_all, get_path};
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, offset::LocalResult};
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
        self.nth_workday_after(self.local_date(start), n)
    }

    /// The `n`th working day after `date` (`date` itself for 0).
    fn nth_workday_after(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
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

    /// An instant as the calendar's zone shows it, for people:
    /// `2026-06-08 16:00 BST`; a deadline at the end of a day (a date
    /// field's) is the date alone.
    pub fn display(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.timezone);
        if local.time() == NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default() {
            return local.date_naive().to_string();
        }
        local.format("%Y-%m-%d %H:%M %Z").to_string()
    }

    /// A local date and time as an instant. A time that a change to summer
    /// time skips is taken as the first instant after the gap; a time that
    /// occurs twice, as the earlier.
    pub fn at_local(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let naive = date.and_time(time);
        match self.timezone.from_local_datetime(&naive) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            // Gaps are whole quarters of an hour, at most a few hours long.
            LocalResult::None => (1..=16)
                .find_map(|q| {
                    self.timezone
                        .from_local_datetime(&(naive + TimeDelta::minutes(15 * q)))
                        .earliest()
                })
                .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc)),
        }
    }

    /// The business hours of a local date, as instants (`close` exclusive):
    /// `[calendar] hours`, or the whole day; `None` on a day off.
    pub fn working_hours(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_workday(date) {
            return None;
        }
        Some(match self.hours {
            Some((open, close)) => (self.at_local(date, open), self.at_local(date, close)),
            None => (
                self.at_local(date, NaiveTime::MIN),
                self.at_local(date.succ_opt()?, NaiveTime::MIN),
            ),
        })
    }

    /// When business time starts counting for something that happened at
    /// `t`: `t` itself within business hours, else the next opening.
    pub fn business_start(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let mut d = self.local_date(t);
        // A calendar with no working day is refused by config validation;
        // the bound (ten years) only guards against a pathological one.
        for _ in 0..3700 {
            if let Some((open, close)) = self.working_hours(d) {
                if t < open {
                    return open;
                }
                if t < close {
                    return t;
                }
            }
            let Some(next) = d.succ_opt() else { break };
            d = next;
        }
        t
    }

    /// The instant a budget of business time that starts at `start` runs
    /// out. Days: the same local time of day that many working days after
    /// the start (counted from the next opening when it falls outside
    /// business hours), so a change to summer time moves the UTC instant,
    /// not the time on the clock. Minutes: working minutes inside business
    /// hours, carried over closing times and days off.
    pub fn add_budget(&self, start: DateTime<Utc>, budget: Budget) -> DateTime<Utc> {
        let from = self.business_start(start);
        match budget {
            Budget::Days(n) => {
                let local = from.with_timezone(&self.timezone);
                self.at_local(self.nth_workday_after(local.date_naive(), n), local.time())
            }
            Budget::Minutes(m) => {
                let mut at = from;
                let mut left = TimeDelta::minutes(i64::from(m));
                for _ in 0..(m as usize + 3700) {
                    let Some((_, close)) = self.working_hours(self.local_date(at)) else {
                        break;
                    };
                    if left <= close - at {
                        return at + left;
                    }
                    left -= close - at;
                    at = self.business_start(close);
                }
                at + left
            }
        }
    }
}

/// Where a clock stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
            } else if cal.add_budget(now, Budget::Days(soon)) >= due_at {
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
            let budget = n.for_priority(priority(data));
            latest
                .map(|(t, p)| vec![(p, cal.add_budget(t, budget))])
                .unwrap_or_default()
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
                    out.push((path, cal.add_budget(t, n.for_priority(priority(data)))));
                }
            }
            out
        }
    }
}

/// The record's priority, which picks a clock's budget.
fn priority(data: &Value) -> Option<&str> {
    data.get("priority").and_then(Value::as_str)
}

/// The stop field of the same list item as a concrete start path:
/// start `issues.*.reported_at` at `issues.2.reported_at` stops at `issues.2.acknowledged_at`.
pub fn same_item(pattern: &str, concrete: &str, stop: &str) -> String {
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

    /// The default calendar in zone `tz`, with business hours `hours`.
    fn calendar(tz: &str, hours: Option<(&str, &str)>) -> Calendar {
        let time = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        Calendar {
            timezone: tz.parse().unwrap(),
            hours: hours.map(|(a, b)| (time(a), time(b))),
            ..config().calendar
        }
    }

    fn due(cal: &Calendar, start: &str, budget: Budget) -> DateTime<Utc> {
        cal.add_budget(t(start), budget)
    }

    #[test]
    fn a_day_is_the_same_time_of_day_a_working_day_later() {
        let cal = config().calendar;
        // Friday 16:00 + 1 day = Monday 16:00, not the end of Monday.
        assert_eq!(
            due(&cal, "2026-06-05T16:00:00Z", Budget::Days(1)),
            t("2026-06-08T16:00:00Z")
        );
        // Over a weekend and the Christmas holidays (25th, 26th; 2027-01-01).
        assert_eq!(
            due(&cal, "2026-12-24T10:30:00Z", Budget::Days(1)),
            t("2026-12-28T10:30:00Z")
        );
        assert_eq!(
            due(&cal, "2026-12-31T10:30:00Z", Budget::Days(1)),
            t("2027-01-04T10:30:00Z")
        );
        // Month end.
        assert_eq!(
            due(&cal, "2026-09-30T09:00:00Z", Budget::Days(2)),
            t("2026-10-02T09:00:00Z")
        );
        // A start on a day off counts from the next working day's start.
        assert_eq!(
            due(&cal, "2026-06-06T10:00:00Z", Budget::Days(1)),
            t("2026-06-09T00:00:00Z")
        );
        assert_eq!(
            due(&cal, "2026-06-06T10:00:00Z", Budget::Minutes(120)),
            t("2026-06-08T02:00:00Z")
        );
    }

    #[test]
    fn a_monday_holiday_moves_the_deadline_past_it() {
        let mut cal = calendar("UTC", Some(("09:00", "17:30")));
        cal.holidays.insert(NaiveDate::from_ymd_opt(2026, 5, 25).unwrap());
        // Friday 16:00 + 1 day: Monday is a holiday, so Tuesday 16:00.
        assert_eq!(
            due(&cal, "2026-05-22T16:00:00Z", Budget::Days(1)),
            t("2026-05-26T16:00:00Z")
        );
        // Friday 16:00 + 4h of business time: 1h30 on Friday, 2h30 on Tuesday.
        assert_eq!(
            due(&cal, "2026-05-22T16:00:00Z", Budget::Minutes(240)),
            t("2026-05-26T11:30:00Z")
        );
    }

    #[test]
    fn business_hours_count_only_inside_them() {
        let cal = calendar("UTC", Some(("09:00", "17:30")));
        // Inside hours.
        assert_eq!(
            due(&cal, "2026-06-03T10:00:00Z", Budget::Minutes(240)),
            t("2026-06-03T14:00:00Z")
        );
        // Exactly to closing time.
        assert_eq!(
            due(&cal, "2026-06-03T13:30:00Z", Budget::Minutes(240)),
            t("2026-06-03T17:30:00Z")
        );
        // Over the closing time into the next morning.
        assert_eq!(
            due(&cal, "2026-06-03T16:30:00Z", Budget::Minutes(120)),
            t("2026-06-04T10:00:00Z")
        );
        // A start before opening, after closing, and at the weekend.
        assert_eq!(
            due(&cal, "2026-06-03T07:00:00Z", Budget::Minutes(60)),
            t("2026-06-03T10:00:00Z")
        );
        assert_eq!(
            due(&cal, "2026-06-03T19:00:00Z", Budget::Minutes(60)),
            t("2026-06-04T10:00:00Z")
        );
        assert_eq!(
            due(&cal, "2026-06-06T12:00:00Z", Budget::Days(1)),
            t("2026-06-09T09:00:00Z")
        );
        // Year end: Thursday 31 December 17:00 + 1h, over New Year's Day and a weekend.
        assert_eq!(
            due(&cal, "2026-12-31T17:00:00Z", Budget::Minutes(60)),
            t("2027-01-04T09:30:00Z")
        );
    }

    #[test]
    fn summer_time_keeps_the_local_time_of_day() {
        let cal = calendar("Europe/London", None);
        // Friday 27 March 2026 16:00 GMT + 1 day: Monday 30 March 16:00 BST = 15:00 UTC.
        assert_eq!(
            due(&cal, "2026-03-27T16:00:00Z", Budget::Days(1)),
            t("2026-03-30T15:00:00Z")
        );
        // Autumn: Friday 23 October 16:00 BST (15:00 UTC) + 1 day = Monday 26 October 16:00 GMT.
        assert_eq!(
            due(&cal, "2026-10-23T15:00:00Z", Budget::Days(1)),
            t("2026-10-26T16:00:00Z")
        );
        // Hours on the day the clocks change are local hours.
        let cal = Calendar {
            workdays: [true, false, false, false, false, false, true],
            ..calendar("America/New_York", None)
        };
        // Sunday 8 March 2026 (02:00 -> 03:00): the day has 23 hours; 01:00 EST + 24h of
        // whole-day business time ends at 02:00 EDT on Monday (06:00 UTC).
        assert_eq!(
            due(&cal, "2026-03-08T06:00:00Z", Budget::Minutes(24 * 60)),
            t("2026-03-09T06:00:00Z")
        );
        // A time of day that the change skips is the first instant after the gap.
        assert_eq!(
            cal.at_local(
                NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(),
                NaiveTime::from_hms_opt(2, 30, 0).unwrap()
            ),
            t("2026-03-08T07:00:00Z")
        );
    }

    #[test]
    fn deadlines_show_the_time_of_day_in_the_calendars_zone() {
        let cal = calendar("Europe/London", None);
        assert_eq!(cal.display(t("2026-06-08T15:00:00Z")), "2026-06-08 16:00 BST");
        assert_eq!(cal.display(t("2026-12-08T15:00:00Z")), "2026-12-08 15:00 GMT");
        let date = cal.end_of_day(NaiveDate::from_ymd_opt(2026, 11, 10).unwrap());
        assert_eq!(cal.display(date), "2026-11-10");
        assert_eq!(
            config().calendar.display(t("2026-06-08T16:00:00Z")),
            "2026-06-08 16:00 UTC"
        );
    }

    #[test]
    fn budgets_are_read_as_days_durations_or_by_priority() {
        use crate::config::parse_duration;
        assert_eq!(parse_duration("4h"), Some(Budget::Minutes(240)));
        assert_eq!(parse_duration("1h30m"), Some(Budget::Minutes(90)));
        assert_eq!(parse_duration("45m"), Some(Budget::Minutes(45)));
        assert_eq!(parse_duration("2d"), Some(Budget::Days(2)));
        for bad in ["", "h", "4x", "0h", "4h 3", "-1h"] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
        let toml = Config::default_toml().replace(
            "{ name = \"acknowledge\", start = \"opened\", stop = \"acknowledged_at\", within = 1 }",
            "{ name = \"acknowledge\", start = \"opened\", stop = \"acknowledged_at\", within = { urgent = \"4h\", high = 1, normal = 2, low = 5 } }",
        );
        let c = parse(Path::new("/r"), &toml).unwrap();
        let kind = &c.kinds["request"];
        let at = |priority: Option<&str>| {
            let mut rec = json!({"status": "new", "opened": "2026-06-03T10:00:00Z"});
            if let Some(p) = priority {
                rec["priority"] = json!(p);
            }
            clocks(kind, &c.calendar, &rec, t("2026-06-03T10:00:00Z"), 1)[0].due_at
        };
        assert_eq!(at(Some("urgent")), t("2026-06-03T14:00:00Z"));
        assert_eq!(at(Some("high")), t("2026-06-04T10:00:00Z"));
        assert_eq!(at(None), t("2026-06-05T10:00:00Z"), "no priority: normal");
        assert_eq!(
            at(Some("whenever")),
            t("2026-06-05T10:00:00Z"),
            "another priority: normal"
        );
        assert_eq!(at(Some("low")), t("2026-06-10T10:00:00Z"));
        let without_normal = toml.replace(", normal = 2", "");
        let e = parse(Path::new("/r"), &without_normal).unwrap_err();
        assert!(
            e.errors[0].message.contains("needs a `normal` entry"),
            "{}",
            e.errors[0].message
        );
        let bad = toml.replace("\"4h\"", "\"soon\"");
        let e = parse(Path::new("/r"), &bad).unwrap_err();
        assert!(
            e.errors[0].message.contains("\"soon\" is not an SLA budget"),
            "{}",
            e.errors[0].message
        );
        let hours = Config::default_toml().replace("[calendar]", "[calendar]\nhours = \"17:30-09:00\"");
        let e = parse(Path::new("/r"), &hours).unwrap_err();
        assert!(
            e.errors[0].message.contains("business hours"),
            "{}",
            e.errors[0].message
        );
    }

    #[test]
    fn acknowledge_clock() {
        let c = config();
        let kind = &c.kinds["request"];
        let rec = json!({"status": "new", "opened": "2026-11-20T09:00:00Z"});
        // opened Friday 09:00: due Monday 09:00
        let now = t("2026-11-23T08:00:00Z");
        let cl = clocks(kind, &c.calendar, &rec, now, 1);
        assert_eq!(cl.len(), 1);
        assert_eq!(cl[0].due_at, t("2026-11-23T09:00:00Z"));
        assert_eq!(cl[0].state, ClockState::DueSoon);
        let cl = clocks(kind, &c.calendar, &rec, t("2026-11-23T09:00:01Z"), 1);
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
        let names: Vec<(&str, &str)> = cl.iter().map(|k| (k.name.as_str(), k.field.as_str())).collect();
        // The second issue is not acknowledged; the first one's update is late.
        assert_eq!(
            names,
            [
                ("issue acknowledgement", "issues.1.reported_at"),
                ("issue update", "issues.0.acknowledged_at")
            ]
        );
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
