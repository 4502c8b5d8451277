//! The periodic summary behind `casework report`: per kind, what was
//! opened, closed and still open, how fast cases were acknowledged and
//! resolved, how often each SLA clock was met, the feedback received, the
//! recurring categories and tags against the previous period, escalations,
//! reopened cases and the lessons recorded (the "periodic summary reports
//! for management review" of the procedures).
//!
//! Pure over the loaded [`Cases`]: the one thing it may need from git, the
//! closing date of a closed record that lacks its closing field, comes
//! through a function it is given, called once for all such records.

use super::cases::{Case, Cases};
use crate::config::{Budget, Calendar, Config, Kind, SlaRule};
use crate::record::{get_all, get_path};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use git2::Oid;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Local dates, both ends included, in the calendar's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// `{"from": "2026-03-01", "to": "2026-03-31"}`.
impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Period", 2)?;
        m.serialize_field("from", &self.from.to_string())?;
        m.serialize_field("to", &self.to.to_string())?;
        m.end()
    }
}

impl Period {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// The number of days, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// The period reported on and the one it is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub period: Period,
    /// The previous month or quarter; before a `--from`/`--to` range, the
    /// same number of days just before it.
    pub previous: Period,
}

/// The forms a period is given in, for messages.
pub const PERIOD_FORMS: &str =
    "--period YYYY-MM (e.g. 2026-03), --quarter YYYY-Qn (e.g. 2026-Q1) or --from YYYY-MM-DD --to YYYY-MM-DD";

impl Window {
    /// Calendar month `month` of `year`, after the month before.
    pub fn month(year: i32, month: u32) -> Option<Window> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)?;
        let period = Period {
            from,
            to: from.checked_add_months(Months::new(1))?.pred_opt()?,
        };
        let prev_from = from.checked_sub_months(Months::new(1))?;
        Some(Window {
            period,
            previous: Period {
                from: prev_from,
                to: from.pred_opt()?,
            },
        })
    }

    /// Quarter `q` (1 to 4) of `year`, after the quarter before.
    pub fn quarter(year: i32, q: u32) -> Option<Window> {
        if !(1..=4).contains(&q) {
            return None;
        }
        let from = NaiveDate::from_ymd_opt(year, 3 * q - 2, 1)?;
        let prev_from = from.checked_sub_months(Months::new(3))?;
        Some(Window {
            period: Period {
                from,
                to: from.checked_add_months(Months::new(3))?.pred_opt()?,
            },
            previous: Period {
                from: prev_from,
                to: from.pred_opt()?,
            },
        })
    }

    /// `from` to `to`, both included, after as many days just before.
    pub fn range(from: NaiveDate, to: NaiveDate) -> Option<Window> {
        if to < from {
            return None;
        }
        let period = Period { from, to };
        let prev_to = from.pred_opt()?;
        let prev_from = prev_to.checked_sub_days(chrono::Days::new(u64::try_from(period.days() - 1).ok()?))?;
        Some(Window {
            period,
            previous: Period {
                from: prev_from,
                to: prev_to,
            },
        })
    }

    /// The calendar month before the one `today` is in (the default period).
    pub fn last_month(today: NaiveDate) -> Option<Window> {
        let d = today.with_day(1)?.checked_sub_months(Months::new(1))?;
        Window::month(d.year(), d.month())
    }

    /// `2026-03`.
    pub fn parse_month(s: &str) -> Option<Window> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Window::month(y.parse().ok()?, m.parse().ok()?)
    }

    /// `2026-Q1` (or `2026-q1`).
    pub fn parse_quarter(s: &str) -> Option<Window> {
        let (y, q) = s.split_once('-')?;
        let q = q.strip_prefix(['Q', 'q'])?;
        if y.len() != 4 || q.len() != 1 || !(y.bytes().chain(q.bytes())).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Window::quarter(y.parse().ok()?, q.parse().ok()?)
    }
}

/// `2026-03-31`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    (s.len() == 10).then_some(())?;
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The whole report (SPEC section 5: `period`, and `kinds.<kind>.opened`,
/// `closed`, `open_at_end` are contract).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub period: Period,
    pub previous_period: Period,
    /// RFC 3339: the time clocks still running are judged at.
    pub now: String,
    pub kinds: IndexMap<String, KindReport>,
    /// What a figure could not take into account, said rather than hidden.
    pub notes: Vec<String>,
    /// Record files left out because they could not be read as cases.
    pub skipped: usize,
}

/// The figures of one kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindReport {
    /// Cases opened in the period.
    pub opened: usize,
    /// Cases that entered a closed state in the period.
    pub closed: usize,
    /// Cases opened by the end of the period and not closed at its end.
    pub open_at_end: usize,
    /// Closed cases whose closing date is unknown (no closing field, no
    /// commit that closed them): in none of the three counts above.
    pub closed_date_unknown: usize,
    /// From `opened` to `acknowledged_at`; null for a kind that has no
    /// acknowledgement (no transition sets `acknowledged_at`).
    pub time_to_acknowledge: Option<Durations>,
    /// From `opened` to the resolve field's time.
    pub time_to_resolve: Durations,
    pub sla: Vec<SlaCompliance>,
    pub feedback: Feedback,
    /// Top 5 categories of the cases opened in the period.
    pub categories: Vec<Trend>,
    /// Top 5 tags of the cases opened in the period.
    pub tags: Vec<Trend>,
    pub escalations: CaseList,
    pub reopened: CaseList,
    pub lessons: Vec<Lesson>,
}

/// A count of cases, and which.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CaseList {
    pub count: usize,
    pub ids: Vec<String>,
}

/// Durations in business days of the cases measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Durations {
    /// The field whose time ends the duration.
    pub field: Option<String>,
    pub count: usize,
    /// Nearest-rank 50th percentile, one decimal; null with no case.
    pub median: Option<f64>,
    /// Nearest-rank 90th percentile, one decimal; null with no case.
    pub p90: Option<f64>,
}

/// How often one SLA clock was met, for the cases opened in the period.
#[derive(Debug, Clone, Serialize)]
pub struct SlaCompliance {
    pub clock: String,
    /// Clock starts that stopped by their deadline.
    pub met: usize,
    /// Clock starts that stopped late, or are still running past it.
    pub missed: usize,
    /// Clock starts still running within their deadline: not judged yet.
    pub pending: usize,
    /// `met` of `met + missed`, in percent with one decimal; null when none was judged.
    pub percent_met: Option<f64>,
}

/// Feedback received in the period (`feedback.category`, `feedback.rating`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Feedback {
    pub positive: usize,
    pub negative: usize,
    pub suggestion: usize,
    pub ratings: Ratings,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Ratings {
    pub count: usize,
    /// One decimal; null with no rating.
    pub mean: Option<f64>,
    /// Rating ("1" to "5") -> how many.
    pub distribution: BTreeMap<String, usize>,
}

/// A category or tag, this period against the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trend {
    pub name: String,
    pub count: usize,
    pub previous: usize,
    /// `+3`, `-1`, `0`, or `new` when the previous period had none.
    pub change: String,
}

/// One lesson recorded in a case closed in the period.
#[derive(Debug, Clone, Serialize)]
pub struct Lesson {
    pub id: String,
    pub text: String,
    pub date: Option<String>,
}

/// The field whose time resolves a case: the first time field set by a
/// transition into `resolved`, else the closure field.
pub fn resolve_field(kind: &Kind) -> Option<&str> {
    sets_into(kind, "resolved").or_else(|| kind.closure_field())
}

/// `acknowledged_at`, for a kind one of whose transitions sets it.
pub fn acknowledge_field(kind: &Kind) -> Option<&'static str> {
    const ACK: &str = "acknowledged_at";
    kind.transitions
        .iter()
        .any(|t| t.sets.iter().any(|s| s == ACK))
        .then_some(ACK)
}

fn sets_into<'k>(kind: &'k Kind, state: &str) -> Option<&'k str> {
    kind.transitions
        .iter()
        .filter(|t| t.to == state)
        .find_map(|t| t.sets.first())
        .map(String::as_str)
}

/// The closing dates of closed records that lack their closure field, by
/// ID: what [`report`] asks of git, for those IDs only.
pub type ClosingDates = Result<HashMap<String, DateTime<Utc>>, String>;

/// A closed record the report asks git to date: its status, and the git
/// blob ID of its file as loaded.
#[derive(Debug, Clone)]
pub struct Undated {
    pub status: String,
    pub blob: Option<Oid>,
}

/// The IDs' closing dates from one walk of the history: the date of the
/// last commit that moved each into a closed state from an open one (or
/// created it closed). A version of a file that the working tree still
/// has is known without reading it from git: in a repository that
/// imported its records, most are.
///
/// The history is that of `rev` for a report as of that commit, else HEAD's.
pub fn closing_dates_from_history(
    config: &Config,
    undated: &BTreeMap<String, Undated>,
    rev: Option<&str>,
) -> ClosingDates {
    let wanted: BTreeSet<String> = undated.keys().cloned().collect();
    let known = undated
        .iter()
        .filter_map(|(id, u)| Some((u.blob?, (id.clone(), u.status.clone()))))
        .collect();
    let timelines = crate::history::transitions(config, Some(&wanted), known, rev).map_err(|e| match e {
        crate::history::HistoryError::NoRepository(_) => "the records are not in a git repository".to_string(),
        e => e.to_string(),
    })?;
    Ok(closing_dates(config, &timelines))
}

/// From timelines: the date of the last commit that moved each case into a
/// closed state from an open one (or created it closed).
pub fn closing_dates(
    config: &Config,
    timelines: &BTreeMap<String, crate::history::Timeline>,
) -> HashMap<String, DateTime<Utc>> {
    let mut out = HashMap::new();
    for (id, timeline) in timelines {
        let Some(kind) = config.kind_for_id(id) else { continue };
        let closing = timeline.entries.iter().rev().find(|e| {
            e.transition.as_ref().is_some_and(|t| {
                t.to.as_deref().is_some_and(|s| kind.is_closed(s))
                    && t.from.as_deref().is_none_or(|s| !kind.is_closed(s))
            })
        });
        if let Some(at) = closing.and_then(|e| DateTime::parse_from_rfc3339(&e.date).ok()) {
            out.insert(id.clone(), at.to_utc());
        }
    }
    out
}

/// What the report reads of one case, taken out in the loading pass while
/// its front-matter is parsed ([`Load::report`](super::cases::Load)): the
/// report itself never parses a record.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Facts {
    /// Closure times of the ended cycles kept in `cycles`.
    pub cycle_closures: Vec<DateTime<Utc>>,
    /// The record has `cycles` entries (reopened by casework).
    pub has_cycles: bool,
    /// Each reopen's time, and whether it reopened a closed case.
    pub reopens: Vec<(DateTime<Utc>, bool)>,
    /// `acknowledged_at`, for a kind that sets it.
    pub acknowledged: Option<DateTime<Utc>>,
    /// The resolve field's time ([`resolve_field`]).
    pub resolved: Option<DateTime<Utc>>,
    /// The times each SLA clock of the kind reads, in the kind's order.
    pub clocks: Vec<ClockTimes>,
    /// `feedback`, when it is a mapping.
    pub feedback: Option<FeedbackFacts>,
    pub escalation: Escalation,
    /// A `reopen_reason` is set (a reopen made by hand, without `cycles`).
    pub reopen_reason: bool,
}

/// The times one SLA clock reads from a case.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub enum ClockTimes {
    /// Each start of a `within` clock, with its stop if it stopped.
    Within(Budget, Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>),
    /// The start times of an `every` clock, oldest first.
    Every(Budget, Vec<DateTime<Utc>>),
    /// A `deadline` clock's date.
    Deadline(Option<DateTime<Utc>>),
}

/// `feedback.received_at`, `.category` and `.rating`.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct FeedbackFacts {
    pub received_at: Option<DateTime<Utc>>,
    pub category: Option<String>,
    pub rating: Option<i64>,
}

/// How a case was escalated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Escalation {
    #[default]
    None,
    /// `escalated_at` is set: its time, when readable.
    At(Option<DateTime<Utc>>),
    /// `escalated_to` is set without `escalated_at`.
    Undated,
}

/// The report's facts of a case of `kind` with front-matter `data`.
pub fn facts_of(cal: &Calendar, kind: &Kind, data: &Value) -> Facts {
    let cycles: &[Value] = data
        .get(crate::config::CYCLES)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let set = |k: &str| data.get(k).is_some_and(|v| !v.is_null());
    let priority = data.get("priority").and_then(Value::as_str);
    Facts {
        has_cycles: !cycles.is_empty(),
        cycle_closures: kind
            .closure_field()
            .map(|f| cycles.iter().filter_map(|c| time(cal, c, f)).collect())
            .unwrap_or_default(),
        reopens: cycles
            .iter()
            .filter_map(|c| {
                let at = time(cal, c, "reopened_at")?;
                let from_closed = c.get("from").and_then(Value::as_str).is_some_and(|s| kind.is_closed(s));
                Some((at, from_closed))
            })
            .collect(),
        acknowledged: acknowledge_field(kind).and_then(|f| time(cal, data, f)),
        resolved: resolve_field(kind).and_then(|f| time(cal, data, f)),
        clocks: kind
            .sla
            .iter()
            .map(|clock| match &clock.rule {
                SlaRule::Within(budgets) => ClockTimes::Within(
                    budgets.for_priority(priority),
                    clock
                        .start
                        .iter()
                        .flat_map(|start| {
                            get_all(data, start).into_iter().filter_map(move |(path, v)| {
                                let t = cal.time_of(v)?;
                                let stop = clock
                                    .stop
                                    .as_ref()
                                    .and_then(|s| get_path(data, &crate::calendar::same_item(start, &path, s)))
                                    .and_then(|v| cal.time_of(v));
                                Some((t, stop))
                            })
                        })
                        .collect(),
                ),
                SlaRule::Every(budgets) => {
                    let mut times: Vec<DateTime<Utc>> = clock
                        .start
                        .iter()
                        .flat_map(|f| get_all(data, f))
                        .filter_map(|(_, v)| cal.time_of(v))
                        .collect();
                    times.sort();
                    ClockTimes::Every(budgets.for_priority(priority), times)
                }
                SlaRule::Deadline(field) => ClockTimes::Deadline(time(cal, data, field)),
            })
            .collect(),
        feedback: data.get("feedback").filter(|f| f.is_object()).map(|fb| FeedbackFacts {
            received_at: fb.get("received_at").and_then(|v| cal.time_of(v)),
            category: fb.get("category").and_then(Value::as_str).map(str::to_string),
            rating: fb.get("rating").and_then(Value::as_i64),
        }),
        escalation: match data.get("escalated_at") {
            Some(v) if !v.is_null() => Escalation::At(cal.time_of(v)),
            _ if set("escalated_to") => Escalation::Undated,
            _ => Escalation::None,
        },
        reopen_reason: set("reopen_reason"),
    }
}

/// One case as the report reads it.
struct Read<'a> {
    case: &'a Case,
    kind: &'a Kind,
    facts: &'a Facts,
    /// Local date the current cycle closed (closed cases), when known.
    closed_on: Option<NaiveDate>,
    closed_at: Option<DateTime<Utc>>,
}

/// The report on `cases` for `window`, of every kind or of `only`, with
/// clocks still running judged at `now`. `cases` must be loaded with
/// [`Load::report`](super::cases::Load). `history` gives the closing dates
/// of the closed records that lack their closure field; it is called at
/// most once.
pub fn report(
    config: &Config,
    now: DateTime<Utc>,
    cases: &Cases,
    window: &Window,
    only: Option<&str>,
    history: impl FnOnce(&BTreeMap<String, Undated>) -> ClosingDates,
) -> Report {
    let cal = &config.calendar;
    let Window { period, previous } = *window;
    let mut notes = Vec::new();
    let wanted = |c: &&Case| only.is_none_or(|k| k == c.kind);
    let no_opened = cases.cases.iter().filter(wanted).filter(|c| c.opened.is_none()).count();
    if no_opened > 0 {
        notes.push(format!(
            "{no_opened} case(s) have no readable `opened` time and are left out (`casework check` names them)"
        ));
    }
    // A case opened after the period has nothing in it.
    let mut read: Vec<Read> = cases
        .cases
        .iter()
        .filter(wanted)
        .filter(|c| c.opened.is_some_and(|t| cal.local_date(t) <= period.to))
        .filter_map(|case| {
            let kind = config.kinds.get(&case.kind)?;
            debug_assert!(case.report.is_some(), "cases loaded without Load::report");
            let facts = case.report.as_deref()?;
            let closed_at = if case.closed { case.closed_at } else { None };
            Some(Read {
                case,
                kind,
                facts,
                closed_on: closed_at.map(|t| cal.local_date(t)),
                closed_at,
            })
        })
        .collect();
    // Closed records without their closing field: dated by the commit
    // that closed them, one history pass for all of them.
    let undated: BTreeMap<String, Undated> = read
        .iter()
        .filter(|r| r.case.closed && r.closed_at.is_none())
        .map(|r| {
            let u = Undated {
                status: r.case.status.clone(),
                blob: r.case.blob,
            };
            (r.case.id.clone(), u)
        })
        .collect();
    if !undated.is_empty() {
        match history(&undated) {
            Ok(dates) => {
                let mut from_git = 0;
                for r in read.iter_mut().filter(|r| undated.contains_key(&r.case.id)) {
                    if let Some(at) = dates.get(&r.case.id) {
                        r.closed_at = Some(*at);
                        r.closed_on = Some(cal.local_date(*at));
                        from_git += 1;
                    }
                }
                if from_git > 0 {
                    notes.push(format!(
                        "{from_git} closed case(s) lack their closing field: dated by the commit that closed them"
                    ));
                }
                if from_git < undated.len() {
                    notes.push(format!(
                        "{} closed case(s) lack their closing field and no commit closed them: left out of `closed` and `open_at_end` (see `closed_date_unknown`)",
                        undated.len() - from_git
                    ));
                }
            }
            Err(why) => notes.push(format!(
                "{} closed case(s) lack their closing field and the git history could not date them ({why}): left out of `closed` and `open_at_end` (see `closed_date_unknown`)",
                undated.len()
            )),
        }
    }

    let mut kinds: IndexMap<String, KindReport> = config
        .kinds
        .values()
        .filter(|k| only.is_none_or(|o| o == k.name))
        .map(|k| {
            let r = KindReport {
                time_to_acknowledge: acknowledge_field(k).map(|f| Durations {
                    field: Some(f.to_string()),
                    ..Durations::default()
                }),
                time_to_resolve: Durations {
                    field: resolve_field(k).map(str::to_string),
                    ..Durations::default()
                },
                ..KindReport::default()
            };
            (k.name.clone(), r)
        })
        .collect();

    let mut ack: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut resolve: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut sla: HashMap<&str, IndexMap<&str, [usize; 3]>> = HashMap::new();
    let mut ratings: HashMap<&str, Vec<i64>> = HashMap::new();
    let mut reopen_undated = 0;
    let in_period = |t: Option<DateTime<Utc>>| t.is_some_and(|t| period.contains(cal.local_date(t)));
    for r in &read {
        let Some(k) = kinds.get_mut(&r.case.kind) else { continue };
        let kind = r.kind;
        let facts = r.facts;
        let Some(opened) = r.case.opened else { continue };
        let opened_in = period.contains(cal.local_date(opened));
        if opened_in {
            k.opened += 1;
        }

        // Closures: the current cycle's, and those of ended cycles kept in `cycles`.
        let mut closures: Vec<NaiveDate> = facts.cycle_closures.iter().map(|t| cal.local_date(*t)).collect();
        let unknown = r.case.closed && r.closed_on.is_none();
        if unknown {
            k.closed_date_unknown += 1;
        }
        closures.extend(r.closed_on);
        let closed_in = closures.iter().any(|d| period.contains(*d));
        if closed_in {
            k.closed += 1;
        }
        // Closed at the end: the last closure or reopen from a closed
        // state up to the end is a closure.
        let reopens: Vec<(NaiveDate, bool)> = facts
            .reopens
            .iter()
            .map(|(t, from_closed)| (cal.local_date(*t), *from_closed))
            .collect();
        let last_closure = closures.iter().filter(|d| **d <= period.to).max();
        let last_reopen = reopens
            .iter()
            .filter(|(d, fc)| *fc && *d <= period.to)
            .map(|(d, _)| d)
            .max();
        let closed_at_end = match (last_closure, last_reopen) {
            (Some(c), Some(o)) => c >= o,
            (Some(_), None) => true,
            _ => false,
        };
        if !unknown && !closed_at_end {
            k.open_at_end += 1;
        }

        // Durations, for the cases acknowledged or resolved in the period.
        if let Some(t) = facts.acknowledged.filter(|t| in_period(Some(*t))) {
            ack.entry(&kind.name).or_default().push(business_days(cal, opened, t));
        }
        let resolved_at = facts.resolved.or_else(|| {
            (resolve_field(kind) == kind.closure_field())
                .then_some(r.closed_at)
                .flatten()
        });
        if let Some(t) = resolved_at.filter(|t| in_period(Some(*t))) {
            resolve
                .entry(&kind.name)
                .or_default()
                .push(business_days(cal, opened, t));
        }

        // SLA compliance of the cases opened in the period.
        if opened_in {
            let per_clock = sla.entry(&kind.name).or_default();
            for (clock, times) in kind.sla.iter().zip(&facts.clocks) {
                let tally = per_clock.entry(&clock.name).or_default();
                for outcome in judge_clock(times, cal, resolved_at.or(r.closed_at), r.closed_at, now) {
                    tally[outcome as usize] += 1;
                }
            }
        }

        // Feedback received in the period (without `received_at`: closed in it).
        if let Some(fb) = &facts.feedback {
            let received = match fb.received_at {
                Some(t) => in_period(Some(t)),
                None => closed_in,
            };
            if received {
                match fb.category.as_deref() {
                    Some("positive") => k.feedback.positive += 1,
                    Some("negative") => k.feedback.negative += 1,
                    Some("suggestion") => k.feedback.suggestion += 1,
                    _ => {}
                }
                if let Some(n) = fb.rating {
                    ratings.entry(&kind.name).or_default().push(n);
                }
            }
        }

        // Escalations: escalated in the period, or (with no date) opened in it and escalated.
        let escalated = match facts.escalation {
            Escalation::At(t) => in_period(t),
            Escalation::Undated => opened_in,
            Escalation::None => false,
        };
        if escalated {
            k.escalations.ids.push(r.case.id.clone());
        }

        // Reopened in the period: a `cycles` entry reopened in it; a
        // `reopen_reason` with no cycles (no date) counts when opened in it.
        let reopened = if !facts.has_cycles {
            let by_hand = opened_in && facts.reopen_reason;
            reopen_undated += usize::from(by_hand);
            by_hand
        } else {
            reopens.iter().any(|(d, _)| period.contains(*d))
        };
        if reopened {
            k.reopened.ids.push(r.case.id.clone());
        }

        // Lessons of the cases closed in the period.
        if closed_in {
            k.lessons.extend(r.case.lessons.iter().map(|l| Lesson {
                id: r.case.id.clone(),
                text: l.text.clone(),
                date: l.at.map(|t| cal.local_date(t).to_string()),
            }));
        }
    }
    if reopen_undated > 0 {
        notes.push(format!(
            "{reopen_undated} reopened case(s) have a `reopen_reason` but no `cycles` entry, hence no reopen date: counted in the period they were opened"
        ));
    }

    // Trends of categories and tags: the period's cases against the previous period's.
    for (name, k) in kinds.iter_mut() {
        let opened_in = |p: Period| {
            cases
                .cases
                .iter()
                .filter(move |c| c.kind == *name && c.opened.is_some_and(|t| p.contains(cal.local_date(t))))
        };
        k.categories = trends(
            opened_in(period).filter_map(|c| c.category.as_deref()),
            opened_in(previous).filter_map(|c| c.category.as_deref()),
        );
        k.tags = trends(
            opened_in(period).flat_map(|c| unique(&c.tags)),
            opened_in(previous).flat_map(|c| unique(&c.tags)),
        );
        k.time_to_resolve = durations(k.time_to_resolve.field.take(), resolve.remove(name.as_str()));
        if let Some(d) = k.time_to_acknowledge.take() {
            k.time_to_acknowledge = Some(durations(d.field, ack.remove(name.as_str())));
        }
        let kind = &config.kinds[name];
        let tallies = sla.remove(name.as_str()).unwrap_or_default();
        k.sla = kind
            .sla
            .iter()
            .map(|clock| {
                let [met, missed, pending] = tallies.get(clock.name.as_str()).copied().unwrap_or_default();
                SlaCompliance {
                    clock: clock.name.clone(),
                    met,
                    missed,
                    pending,
                    percent_met: (met + missed > 0).then(|| one_decimal(100.0 * met as f64 / (met + missed) as f64)),
                }
            })
            .collect();
        let rs = ratings.remove(name.as_str()).unwrap_or_default();
        k.feedback.ratings = Ratings {
            count: rs.len(),
            mean: (!rs.is_empty()).then(|| one_decimal(rs.iter().sum::<i64>() as f64 / rs.len() as f64)),
            distribution: rs.iter().fold(BTreeMap::new(), |mut m, n| {
                *m.entry(n.to_string()).or_default() += 1;
                m
            }),
        };
        for list in [&mut k.escalations, &mut k.reopened] {
            list.ids.sort();
            list.count = list.ids.len();
        }
        k.lessons.sort_by(|a, b| a.id.cmp(&b.id));
    }
    Report {
        period,
        previous_period: previous,
        now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        kinds,
        notes,
        skipped: cases.skipped.len(),
    }
}

/// A case's tags, each once.
fn unique(tags: &[String]) -> impl Iterator<Item = &str> {
    let mut seen = BTreeSet::new();
    tags.iter().map(String::as_str).filter(move |t| seen.insert(*t))
}

/// The time in `field` of `data`.
fn time(cal: &Calendar, data: &Value, field: &str) -> Option<DateTime<Utc>> {
    get_path(data, field).and_then(|v| cal.time_of(v))
}

/// Median and p90 of `values` (business days).
fn durations(field: Option<String>, values: Option<Vec<f64>>) -> Durations {
    let mut v = values.unwrap_or_default();
    v.sort_by(f64::total_cmp);
    Durations {
        field,
        count: v.len(),
        median: percentile(&v, 50).map(one_decimal),
        p90: percentile(&v, 90).map(one_decimal),
    }
}

/// Nearest-rank percentile of sorted values: the smallest value with at
/// least `p` percent of the values at or below it; `None` when empty.
pub fn percentile(sorted: &[f64], p: u32) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank - 1).copied()
}

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Business time from `a` to `b` in business days: each working day
/// counts the part of its business hours (the whole day without `[calendar]
/// hours`) between the two, so a working day is 1.0 and a weekend 0.
pub fn business_days(cal: &Calendar, a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    if b <= a {
        return 0.0;
    }
    let part = |d: NaiveDate| {
        cal.working_hours(d).map_or(0.0, |(open, close)| {
            let len = (close - open).num_seconds();
            let part = (b.min(close) - a.max(open)).num_seconds();
            if len > 0 && part > 0 {
                part as f64 / len as f64
            } else {
                0.0
            }
        })
    };
    let (first, last) = (cal.local_date(a), cal.local_date(b));
    if first == last {
        return part(first);
    }
    // Every working day strictly between the two is whole: counted, not
    // walked (a case open for years is a few thousand days of time zone
    // arithmetic otherwise, for every clock of every report).
    part(first) + part(last) + workdays_between(cal, first, last) as f64
}

/// The working days strictly between `first` and `last`.
fn workdays_between(cal: &Calendar, first: NaiveDate, last: NaiveDate) -> i64 {
    let days = (last - first).num_days() - 1;
    if days <= 0 {
        return 0;
    }
    let per_week = cal.workdays.iter().filter(|w| **w).count() as i64;
    let mut count = days / 7 * per_week;
    // The remaining days after the whole weeks, by weekday.
    let mut d = first + chrono::Days::new((days / 7 * 7) as u64);
    for _ in 0..days % 7 {
        d = d.succ_opt().unwrap_or(d);
        count += i64::from(cal.workdays[d.weekday().num_days_from_monday() as usize]);
    }
    let (Some(from), Some(to)) = (first.succ_opt(), last.pred_opt()) else {
        return count;
    };
    count
        - cal
            .holidays
            .range(from..=to)
            .filter(|h| cal.workdays[h.weekday().num_days_from_monday() as usize])
            .count() as i64
}

/// The outcome of one start of a clock: an index into `[met, missed, pending]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Met = 0,
    Missed = 1,
    Pending = 2,
}

/// How each start of a clock ended: `within` met when its stop time is at
/// or before the deadline; `every` met when no gap between its start times,
/// and up to `end` (when the case left the clock's states: resolved), was
/// longer than the budget; `deadline` met when the case was closed
/// (`closed`) by the end of that date. A clock not stopped is missed once
/// `now` is past its deadline, else pending.
pub fn judge_clock(
    times: &ClockTimes,
    cal: &Calendar,
    end: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<Outcome> {
    let by = |stop: Option<DateTime<Utc>>, deadline: DateTime<Utc>| match stop {
        Some(s) if s <= deadline => Outcome::Met,
        Some(_) => Outcome::Missed,
        None if now > deadline => Outcome::Missed,
        None => Outcome::Pending,
    };
    match times {
        ClockTimes::Within(budget, starts) => starts
            .iter()
            .map(|(start, stop)| by(*stop, cal.add_budget(*start, *budget)))
            .collect(),
        ClockTimes::Every(budget, all) => {
            let times: Vec<DateTime<Utc>> = all.iter().copied().filter(|t| end.is_none_or(|e| *t <= e)).collect();
            let Some(last) = times.last().copied() else {
                return Vec::new();
            };
            let gaps_met = times.windows(2).all(|w| w[1] <= cal.add_budget(w[0], *budget));
            let outcome = by(end, cal.add_budget(last, *budget));
            vec![if gaps_met { outcome } else { Outcome::Missed }]
        }
        ClockTimes::Deadline(Some(t)) => vec![by(closed, cal.end_of_day(cal.local_date(*t)))],
        ClockTimes::Deadline(None) => Vec::new(),
    }
}

/// The top 5 of `now` by count (then name), each with its count in `before`.
fn trends<'a>(now: impl Iterator<Item = &'a str>, before: impl Iterator<Item = &'a str>) -> Vec<Trend> {
    let count = |it: &mut dyn Iterator<Item = &'a str>| {
        let mut m: HashMap<&str, usize> = HashMap::new();
        for x in it {
            *m.entry(x).or_default() += 1;
        }
        m
    };
    let (mut now, mut before) = (now, before);
    let (n, b) = (count(&mut now), count(&mut before));
    let mut top: Vec<(&str, usize)> = n.into_iter().collect();
    top.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    top.into_iter()
        .take(5)
        .map(|(name, count)| {
            let previous = b.get(name).copied().unwrap_or(0);
            let change = match (previous, count as i64 - previous as i64) {
                (0, _) => "new".to_string(),
                (_, 0) => "0".to_string(),
                (_, d) => format!("{d:+}"),
            };
            Trend {
                name: name.to_string(),
                count,
                previous,
                change,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {

    /// The day-by-day walk `business_days` counts instead of doing.
    fn walked(cal: &Calendar, a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
        let (mut d, last) = (cal.local_date(a), cal.local_date(b));
        let mut total = 0.0;
        while b > a && d <= last {
            if let Some((open, close)) = cal.working_hours(d) {
                let (len, part) = ((close - open).num_seconds(), (b.min(close) - a.max(open)).num_seconds());
                if len > 0 && part > 0 {
                    total += part as f64 / len as f64;
                }
            }
            d = d.succ_opt().unwrap();
        }
        total
    }

    proptest::proptest! {
        #[test]
        fn business_days_counted_are_the_business_days_walked(
            start in 1_700_000_000i64..1_800_000_000,
            len in 0i64..80_000_000,
            hours in proptest::bool::ANY,
            holiday_days in proptest::collection::vec(0u64..900, 0..6),
        ) {
            let mut cal = Calendar {
                timezone: chrono_tz::Europe::London,
                ..Calendar::default()
            };
            if hours {
                cal.hours = Some((chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(), chrono::NaiveTime::from_hms_opt(17, 30, 0).unwrap()));
            }
            let a = DateTime::from_timestamp(start, 0).unwrap();
            let b = DateTime::from_timestamp(start + len, 0).unwrap();
            for d in holiday_days {
                cal.holidays.insert(cal.local_date(a) + chrono::Days::new(d));
            }
            let (fast, slow) = (business_days(&cal, a, b), walked(&cal, a, b));
            proptest::prop_assert!((fast - slow).abs() < 1e-9, "{fast} vs {slow}");
        }
    }
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn periods_and_the_ones_before_them() {
        let w = Window::parse_month("2026-03").unwrap();
        assert_eq!((w.period.from, w.period.to), (d("2026-03-01"), d("2026-03-31")));
        assert_eq!((w.previous.from, w.previous.to), (d("2026-02-01"), d("2026-02-28")));
        let q = Window::parse_quarter("2026-Q1").unwrap();
        assert_eq!((q.period.from, q.period.to), (d("2026-01-01"), d("2026-03-31")));
        assert_eq!((q.previous.from, q.previous.to), (d("2025-10-01"), d("2025-12-31")));
        let r = Window::range(d("2026-03-10"), d("2026-03-19")).unwrap();
        assert_eq!((r.previous.from, r.previous.to), (d("2026-02-28"), d("2026-03-09")));
        assert_eq!(
            Window::last_month(d("2026-01-15")).unwrap().period.from,
            d("2025-12-01")
        );
        for bad in ["2026-13", "2026-3", "26-03", "2026-00", "march"] {
            assert!(Window::parse_month(bad).is_none(), "{bad}");
        }
        for bad in ["2026-Q5", "2026-Q0", "2026Q1", "2026-1"] {
            assert!(Window::parse_quarter(bad).is_none(), "{bad}");
        }
        assert!(Window::range(d("2026-03-10"), d("2026-03-09")).is_none());
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile(&v, 50), Some(5.0));
        assert_eq!(percentile(&v, 90), Some(9.0));
        assert_eq!(percentile(&[4.0], 90), Some(4.0));
        assert_eq!(percentile(&[1.0, 3.0], 50), Some(1.0));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn changes_against_the_previous_period() {
        let t = trends(["a", "a", "a", "b", "c"].into_iter(), ["a", "b", "b", "c"].into_iter());
        let got: Vec<(&str, usize, &str)> = t
            .iter()
            .map(|t| (t.name.as_str(), t.count, t.change.as_str()))
            .collect();
        assert_eq!(got, [("a", 3, "+2"), ("b", 1, "-1"), ("c", 1, "0")]);
        assert_eq!(trends(["x"].into_iter(), std::iter::empty())[0].change, "new");
    }
}
