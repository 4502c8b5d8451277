//! The lessons-learned register (procedures 000 and 001: "log lessons
//! learned", "lessons learned register"): every lesson of every case, with
//! the case's kind and category and the date it was recorded.

use super::cases::{Case, Cases};
use crate::config::{Calendar, Kind};
use crate::record::get_path;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

/// One lesson as the loading pass takes it out of a record: kept on
/// [`Case`], so the register never parses the front-matter again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lesson {
    pub text: String,
    /// The lesson's own date if it has one, else the case's closure time,
    /// else when the case was opened.
    pub at: Option<DateTime<Utc>>,
}

/// Keys a lesson written as a mapping may hold its text and its date in.
const TEXT_KEYS: [&str; 3] = ["lesson", "text", "summary"];
const DATE_KEYS: [&str; 4] = ["at", "date", "recorded_at", "logged_at"];

/// The lessons of a record: `lessons` is a list of strings in the shipped
/// schemas; a mapping item (`{lesson: ..., at: ...}`) is read too, so a
/// repository that dates its lessons gets those dates.
pub fn lessons_of(cal: &Calendar, kind: &Kind, data: &Value, opened: Option<DateTime<Utc>>) -> Vec<Lesson> {
    let items: Vec<&Value> = match data.get("lessons") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v @ Value::String(_)) => vec![v],
        _ => return Vec::new(),
    };
    let fallback = || {
        kind.closure_field()
            .and_then(|f| get_path(data, f))
            .and_then(|v| cal.time_of(v))
            .or(opened)
    };
    items
        .into_iter()
        .filter_map(|item| match item {
            Value::String(s) => Some(Lesson {
                text: s.trim().to_string(),
                at: fallback(),
            }),
            Value::Object(m) => {
                let text = TEXT_KEYS.iter().find_map(|k| m.get(*k)?.as_str())?;
                let own = DATE_KEYS.iter().find_map(|k| cal.time_of(m.get(*k)?));
                Some(Lesson {
                    text: text.trim().to_string(),
                    at: own.or_else(fallback),
                })
            }
            _ => None,
        })
        .filter(|l| !l.text.is_empty())
        .collect()
}

/// Which lessons to list.
#[derive(Debug, Clone, Default)]
pub struct LessonFilter {
    pub kind: Option<String>,
    /// Recorded on or after this date, in the calendar's zone.
    pub since: Option<NaiveDate>,
    /// Lower-cased text the lesson must contain.
    pub grep: Option<String>,
}

/// One row of the register.
#[derive(Debug, Clone, Serialize)]
pub struct LessonRow {
    pub lesson: String,
    pub id: String,
    pub kind: String,
    pub category: Option<String>,
    /// RFC 3339, or null when the case has no date at all.
    pub recorded: Option<String>,
    #[serde(skip)]
    pub at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub path: String,
}

/// The register, newest first (undated lessons last), then by case ID and
/// the lesson's place in its case.
pub fn lessons(cal: &Calendar, all: &Cases, filter: &LessonFilter) -> Vec<LessonRow> {
    let mut rows: Vec<(usize, LessonRow)> = all
        .cases
        .iter()
        .filter(|c| filter.kind.as_deref().is_none_or(|k| c.kind == k))
        .flat_map(|c| c.lessons.iter().enumerate().map(move |(i, l)| (i, c, l)))
        .filter(|(_, _, l)| {
            filter
                .since
                .is_none_or(|since| l.at.is_some_and(|at| cal.local_date(at) >= since))
        })
        .filter(|(_, _, l)| filter.grep.as_deref().is_none_or(|g| l.text.to_lowercase().contains(g)))
        .map(|(i, c, l)| (i, row(c, l)))
        .collect();
    rows.sort_by(|(ia, a), (ib, b)| {
        b.at.is_some()
            .cmp(&a.at.is_some())
            .then(b.at.cmp(&a.at))
            .then_with(|| a.id.cmp(&b.id))
            .then(ia.cmp(ib))
    });
    rows.into_iter().map(|(_, r)| r).collect()
}

fn row(c: &Case, l: &Lesson) -> LessonRow {
    LessonRow {
        lesson: l.text.clone(),
        id: c.id.clone(),
        kind: c.kind.clone(),
        category: c.category.clone(),
        recorded: l.at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        at: l.at,
        path: c.path.clone(),
    }
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

    #[test]
    fn a_lesson_is_dated_by_itself_then_the_closure_then_the_opening() {
        let config = config();
        let kind = &config.kinds["complaint"];
        let opened = config.calendar.time_of(&json!("2026-03-01T09:00:00Z"));
        let data = json!({
            "closure": {"closed_at": "2026-03-10T12:00:00Z"},
            "lessons": ["  Call back the same day ", {"lesson": "Check the invoice", "at": "2026-04-01"}, 7, ""],
        });
        let got = lessons_of(&config.calendar, kind, &data, opened);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, "Call back the same day");
        assert_eq!(got[0].at, config.calendar.time_of(&json!("2026-03-10T12:00:00Z")));
        assert_eq!(got[1].at, config.calendar.time_of(&json!("2026-04-01")));
        let open = lessons_of(&config.calendar, kind, &json!({"lessons": ["x"]}), opened);
        assert_eq!(open[0].at, opened);
    }

    #[test]
    fn the_closure_field_is_the_retention_field_else_what_closing_sets() {
        let mut config = config();
        assert_eq!(
            config.kinds["incident"].closure_field(),
            Some("closure.communicated_at")
        );
        let kind = config.kinds.get_mut("complaint").unwrap();
        kind.retention_from = None;
        assert_eq!(kind.closure_field(), Some("closure.closed_at"));
    }
}
