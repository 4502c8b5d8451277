//! Archived records and their retention (`casework retention`): those kept
//! past `archive.retain_until`, which may now be disposed of, and with a
//! look-ahead those that reach it soon. A record is kept through its
//! `retain_until` day and may go from the day after.

use super::cases::Cases;
use crate::context::Context;
use chrono::{Days, NaiveDate, SecondsFormat};
use serde::Serialize;

/// Where an archived record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionState {
    /// Its retention is over: it may be disposed of.
    Expired,
    /// Its retention ends within the look-ahead.
    DueSoon,
}

impl RetentionState {
    pub fn as_str(self) -> &'static str {
        match self {
            RetentionState::Expired => "expired",
            RetentionState::DueSoon => "due_soon",
        }
    }
}

/// One line of `casework retention`.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionItem {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub state: RetentionState,
    /// The closure time (RFC 3339, UTC), when the record has one.
    pub closed: Option<String>,
    /// `archive.archived_at` (RFC 3339, UTC).
    pub archived: Option<String>,
    /// The last day the record must be kept.
    #[serde(serialize_with = "day")]
    pub retain_until: NaiveDate,
    /// The first day it may be disposed of.
    #[serde(serialize_with = "day")]
    pub disposable_from: NaiveDate,
    #[serde(skip)]
    pub path: String,
}

/// A date as `YYYY-MM-DD`.
fn day<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// The archived records past their retention, and with `within` (days)
/// those whose retention ends within that many days of today: earliest
/// first, then by ID. Also the IDs of archived records without a readable
/// `archive.retain_until`, which no query can place (`check` reports them).
pub fn retention(ctx: &Context, cases: &Cases, within: Option<u32>) -> (Vec<RetentionItem>, Vec<String>) {
    let cal = &ctx.config.calendar;
    let today = cal.local_date(ctx.now);
    let horizon = today
        .checked_add_days(Days::new(u64::from(within.unwrap_or(0))))
        .unwrap_or(NaiveDate::MAX);
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let (mut items, mut undated) = (Vec::new(), Vec::new());
    for case in &cases.cases {
        let Some(kind) = ctx.config.kinds.get(&case.kind) else {
            continue;
        };
        if case.status != kind.archive_state {
            continue;
        }
        let Some(until) = case.retain_until else {
            undated.push(case.id.clone());
            continue;
        };
        let from = until.succ_opt().unwrap_or(until);
        let state = if from <= today {
            RetentionState::Expired
        } else if within.is_some() && from <= horizon {
            RetentionState::DueSoon
        } else {
            continue;
        };
        items.push(RetentionItem {
            id: case.id.clone(),
            kind: case.kind.clone(),
            title: case.title.clone(),
            state,
            closed: case.closed_at.map(stamp),
            archived: case.archived_at.map(stamp),
            retain_until: until,
            disposable_from: from,
            path: case.path.clone(),
        });
    }
    items.sort_by(|a, b| (a.retain_until, &a.id).cmp(&(b.retain_until, &b.id)));
    (items, undated)
}
