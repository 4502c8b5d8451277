//! One case as people see it: what `show` prints and the site renders,
//! built once as data so that every view shows the same thing.

use super::{NextStep, age_days, next_steps};
use crate::calendar::{ClockState, clocks};
use crate::config::Kind;
use crate::context::Context;
use crate::history::{Timeline, TimelineEntry};
use crate::record::Record;
use serde::Serialize;
use serde_json::Value;

/// A case: its metadata, state, next steps, SLA clocks and latest history.
#[derive(Debug, Serialize)]
pub struct CaseView {
    pub id: String,
    pub title: String,
    pub kind: String,
    /// The record file, relative to the root.
    pub path: String,
    pub status: Option<String>,
    /// The kind's states in order.
    pub states: Vec<String>,
    /// Whole days since `opened`.
    pub age_days: Option<i64>,
    /// Every front-matter field but `id`, `title` and `status`, in file order.
    pub fields: serde_json::Map<String, Value>,
    /// The transitions out of the current state.
    pub next: Vec<NextStep>,
    pub clocks: Vec<ClockView>,
    /// The last entries of the timeline; `None` when git has none.
    pub timeline: Option<TimelineView>,
}

/// An SLA clock that is running or breached.
#[derive(Debug, Serialize)]
pub struct ClockView {
    pub name: String,
    /// The deadline's date in the calendar's zone.
    pub due: String,
    pub state: ClockStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockStatus {
    Breached,
    Escalated,
    DueSoon,
    Running,
}

/// The tail of a case's timeline.
#[derive(Debug, Serialize)]
pub struct TimelineView {
    /// The last entries, oldest first.
    pub entries: Vec<TimelineEntry>,
    /// How many entries the whole timeline has.
    pub total: usize,
    /// Set in a shallow clone: the commit the history was cut at.
    pub cut_at: Option<String>,
}

/// The view of `rec` for `user` at `ctx.now`, with the last `last` entries
/// of its `timeline` (built by the caller: a site builds every timeline in
/// one walk).
pub fn case_view(
    ctx: &Context,
    kind: &Kind,
    rec: &Record,
    user: Option<&str>,
    timeline: Option<Timeline>,
    last: usize,
) -> CaseView {
    let fields = match &rec.data {
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "id" | "title" | "status"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        _ => serde_json::Map::new(),
    };
    let clocks = clocks(kind, &ctx.config.calendar, &rec.data, ctx.now, 1)
        .into_iter()
        .map(|c| ClockView {
            name: c.name,
            due: ctx.config.calendar.display(c.due_at),
            state: match c.state {
                ClockState::Breached => ClockStatus::Breached,
                ClockState::Escalated => ClockStatus::Escalated,
                ClockState::DueSoon => ClockStatus::DueSoon,
                ClockState::Running => ClockStatus::Running,
            },
        })
        .collect();
    let timeline = timeline.filter(|t| !t.entries.is_empty()).map(|mut t| {
        let total = t.entries.len();
        let entries = t.entries.split_off(total.saturating_sub(last));
        TimelineView {
            entries,
            total,
            cut_at: t.cut_at,
        }
    });
    CaseView {
        id: rec.id().unwrap_or_default().to_string(),
        title: rec
            .data
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        kind: kind.name.clone(),
        path: rec.file.path.clone(),
        status: rec.status().map(str::to_string),
        states: kind.states.clone(),
        age_days: age_days(&ctx.config.calendar, rec, ctx.now),
        fields,
        next: next_steps(ctx, kind, rec, user),
        clocks,
        timeline,
    }
}
