//! Which cases match a supervisor's question, in the order asked: the query
//! behind `casework list`. Pure: it reads the loaded [`Cases`] and prints
//! nothing.

use super::cases::{Case, Cases};
use crate::calendar::ClockState;
use crate::config::{Config, Kind};
use crate::context::Context;
use crate::record::get_path;
use crate::schema::{self, KindSchema};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use std::borrow::Cow;
use std::cmp::Ordering;

/// The values `--status` takes besides a state.
pub const STATUS_GROUPS: [&str; 2] = ["open", "closed"];

/// Which states `--status` selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusFilter {
    /// Every state but the kind's closed states.
    Open,
    /// The kind's closed states (`closed_states` in casework.toml).
    Closed,
    /// Exactly this state.
    State(String),
}

/// Which cases `list` keeps: every given condition must hold.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kind: Option<String>,
    pub status: Option<StatusFilter>,
    /// An email (any case), or its local part alone (no `@`).
    pub owner: Option<String>,
    /// Compared ignoring case.
    pub category: Option<String>,
    /// Each of these tags, ignoring case.
    pub tags: Vec<String>,
    /// `opened` on or after this date of the calendar's zone.
    pub opened_since: Option<NaiveDate>,
    /// Closed, with the closure time (the kind's `retention_from` field, else
    /// `archive.archived_at`) on or after this date of the calendar's zone.
    pub closed_since: Option<NaiveDate>,
    /// A service clock is breached (escalated or not).
    pub overdue: bool,
    /// In the title or the body, ignoring case; needs `Load { text: true }`.
    pub grep: Option<String>,
}

/// What `list` orders by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    Id,
    Kind,
    Title,
    /// The state's place in its kind's workflow, then its name.
    Status,
    Owner,
    Opened,
    /// A dotted front-matter field (`closure.closed_at`, `customer.name`).
    Field(String),
}

/// An order: a key, ascending or descending. Cases without a value for the
/// key come last either way; ties go by ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Sort {
        Sort {
            key: SortKey::Id,
            descending: false,
        }
    }
}

/// The keys `--sort` names without a field path.
pub const SORT_KEYS: [&str; 6] = ["id", "kind", "title", "status", "owner", "opened"];

impl std::str::FromStr for Sort {
    type Err = String;

    /// `opened`, `-opened` (descending), `closure.closed_at`.
    fn from_str(s: &str) -> Result<Sort, String> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let valid = !name.is_empty()
            && name.split('.').all(|p| {
                !p.is_empty() && !p.starts_with('-') && p.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            });
        if !valid {
            return Err(format!(
                "not a field: sort by {}, or a dotted front-matter field such as closure.closed_at; `-` before it sorts descending",
                SORT_KEYS.join(", ")
            ));
        }
        let key = match name {
            "id" => SortKey::Id,
            "kind" => SortKey::Kind,
            "title" => SortKey::Title,
            "status" => SortKey::Status,
            "owner" => SortKey::Owner,
            "opened" => SortKey::Opened,
            field => SortKey::Field(field.to_string()),
        };
        Ok(Sort { key, descending })
    }
}

/// A flag value `list` cannot use (exit 2), with the values it accepts.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("unknown status `{value}`{of} (open, closed, or a state: {states})")]
    UnknownStatus { value: String, of: String, states: String },
    #[error(
        "unknown field `{field}` for --sort: no kind{of} has it (sort by {keys}, or a field of a kind's schema: see `casework schema KIND`)"
    )]
    UnknownField { field: String, of: String, keys: String },
}

/// The `--status` value as a filter: `open` and `closed` are the groups
/// (so `--status closed` includes `archived`); `state:NAME` names a state
/// that shares a group's name (an incident's `open`); anything else must be
/// a state of `kind`, or of some kind when none is given.
pub fn status_filter(config: &Config, kind: Option<&str>, value: &str) -> Result<StatusFilter, ListError> {
    let (exact, name) = match value.strip_prefix("state:") {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    if !exact {
        match name {
            "open" => return Ok(StatusFilter::Open),
            "closed" => return Ok(StatusFilter::Closed),
            _ => {}
        }
    }
    let kinds: Vec<&Kind> = match kind {
        Some(k) => config.kinds.get(k).into_iter().collect(),
        None => config.kinds.values().collect(),
    };
    if kinds.iter().any(|k| k.has_state(name)) {
        return Ok(StatusFilter::State(name.to_string()));
    }
    let mut states: Vec<&str> = Vec::new();
    for s in kinds.iter().flat_map(|k| &k.states) {
        if !states.contains(&s.as_str()) {
            states.push(s);
        }
    }
    // A state named like a group is reached as `state:NAME`.
    let states: Vec<String> = states
        .into_iter()
        .map(|s| {
            if STATUS_GROUPS.contains(&s) {
                format!("state:{s}")
            } else {
                s.to_string()
            }
        })
        .collect();
    Err(ListError::UnknownStatus {
        value: crate::diag::one_line(value).into_owned(),
        of: kind.map(|k| format!(" for kind `{k}`")).unwrap_or_default(),
        states: states.join(", "),
    })
}

/// A `--sort` field must be a field of `kind`'s schema, or of some kind's
/// when none is given. A kind whose schema cannot be read accepts any field.
pub fn check_sort(ctx: &Context, kind: Option<&str>, sort: &Sort) -> Result<(), ListError> {
    let SortKey::Field(field) = &sort.key else {
        return Ok(());
    };
    let path: Vec<String> = field.split('.').map(str::to_string).collect();
    let known = ctx
        .config
        .kinds
        .values()
        .filter(|k| kind.is_none_or(|want| want == k.name))
        .any(|k| match ctx.schemas.get(&k.name) {
            // The guards of a state may bring in fields of their own.
            Some(KindSchema::Ready { schema, .. }) => std::iter::once(json!({}))
                .chain(k.states.iter().map(|s| json!({ "status": s })))
                .any(|data| schema::is_field(schema, &data, &path)),
            _ => true,
        });
    if known {
        return Ok(());
    }
    Err(ListError::UnknownField {
        field: crate::diag::one_line(field).into_owned(),
        of: kind.map(|k| format!(" `{k}`")).unwrap_or_default(),
        keys: SORT_KEYS.join(", "),
    })
}

/// One case on the list.
#[derive(Debug, Clone)]
pub struct Listed<'a> {
    pub case: &'a Case,
    /// The value of the `--sort` field, when the list is sorted by a
    /// front-matter field (`None` when the case has none).
    pub sort_value: Option<Value>,
}

/// The cases that pass `filter`, in `sort` order. The front-matter is
/// parsed again only where a condition or the order needs it: for the
/// closed cases with `closed_since`, and for every kept case when sorting
/// by a front-matter field.
pub fn list<'a>(ctx: &Context, cases: &'a Cases, filter: &ListFilter, sort: &Sort) -> Vec<Listed<'a>> {
    let cal = &ctx.config.calendar;
    let needle = filter.grep.as_ref().map(|g| g.to_lowercase());
    let kept = cases.cases.iter().filter(|c| {
        filter.kind.as_ref().is_none_or(|k| *k == c.kind)
            && filter.status.as_ref().is_none_or(|s| match s {
                StatusFilter::Open => !c.closed,
                StatusFilter::Closed => c.closed,
                StatusFilter::State(state) => c.status == *state,
            })
            && filter
                .owner
                .as_ref()
                .is_none_or(|o| owner_matches(c.owner.as_deref(), o))
            && filter
                .category
                .as_ref()
                .is_none_or(|want| c.category.as_ref().is_some_and(|have| have.eq_ignore_ascii_case(want)))
            && filter
                .tags
                .iter()
                .all(|want| c.tags.iter().any(|have| have.eq_ignore_ascii_case(want)))
            && filter
                .opened_since
                .is_none_or(|d| c.opened.is_some_and(|t| cal.local_date(t) >= d))
            && (!filter.overdue
                || c.clocks
                    .iter()
                    .any(|k| matches!(k.state, ClockState::Breached | ClockState::Escalated)))
            && needle
                .as_ref()
                .is_none_or(|n| c.text.as_ref().is_some_and(|t| t.contains(n.as_str())))
            && filter
                .closed_since
                .is_none_or(|d| c.closed && c.closed_at.or(c.archived_at).is_some_and(|t| cal.local_date(t) >= d))
    });
    let mut rows: Vec<(Key, Listed)> = kept
        .map(|case| {
            let sort_value = match &sort.key {
                SortKey::Field(f) => get_path(&case.data(), f).filter(|v| !v.is_null()).cloned(),
                _ => None,
            };
            (
                key(&ctx.config, case, &sort.key, sort_value.as_ref()),
                Listed { case, sort_value },
            )
        })
        .collect();
    rows.sort_by(|(ka, a), (kb, b)| {
        let by_key = match (ka, kb) {
            (Key::Missing, Key::Missing) => Ordering::Equal,
            (Key::Missing, _) => Ordering::Greater,
            (_, Key::Missing) => Ordering::Less,
            _ if sort.descending => kb.cmp(ka),
            _ => ka.cmp(kb),
        };
        by_key.then_with(|| natural(&a.case.id, &b.case.id))
    });
    rows.into_iter().map(|(_, l)| l).collect()
}

/// `--owner` is the whole address or, without an `@`, its local part.
fn owner_matches(owner: Option<&str>, want: &str) -> bool {
    let Some(owner) = owner else { return false };
    if want.contains('@') {
        owner.eq_ignore_ascii_case(want)
    } else {
        owner
            .split('@')
            .next()
            .is_some_and(|local| local.eq_ignore_ascii_case(want))
    }
}

/// A case's place in the order, taken out once so that sorting compares
/// without parsing. Values of different types order as the variants do.
#[derive(Debug, PartialEq, PartialOrd)]
enum Key<'a> {
    /// A state's place in its workflow, a priority's place in its scale.
    Rank(usize, Cow<'a, str>),
    Bool(bool),
    Number(f64),
    Time(DateTime<Utc>),
    /// Lower-cased; digit runs compare as numbers.
    Text(Cow<'a, str>),
    Missing,
}

impl Eq for Key<'_> {}

impl Ord for Key<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Text(a), Key::Text(b)) => natural(a, b),
            (Key::Rank(i, a), Key::Rank(j, b)) => i.cmp(j).then_with(|| natural(a, b)),
            (Key::Number(a), Key::Number(b)) => a.total_cmp(b),
            _ => self.partial_cmp(other).unwrap_or(Ordering::Equal),
        }
    }
}

/// The priorities of SPEC section 3, least urgent first: `--sort=-priority`
/// puts urgent cases first.
const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

fn key<'a>(config: &Config, case: &'a Case, by: &SortKey, value: Option<&Value>) -> Key<'a> {
    let text = |s: &'a str| Key::Text(lower(s));
    match by {
        SortKey::Id => Key::Text(Cow::Borrowed(&case.id)),
        SortKey::Kind => text(&case.kind),
        SortKey::Title => text(&case.title),
        SortKey::Owner => case.owner.as_deref().map_or(Key::Missing, text),
        SortKey::Opened => case.opened.map_or(Key::Missing, Key::Time),
        SortKey::Status if case.status.is_empty() => Key::Missing,
        SortKey::Status => {
            let place = config
                .kinds
                .get(&case.kind)
                .and_then(|k| k.states.iter().position(|s| *s == case.status))
                .unwrap_or(usize::MAX);
            Key::Rank(place, Cow::Borrowed(&case.status))
        }
        SortKey::Field(f) => match value {
            None | Some(Value::Null) => Key::Missing,
            Some(Value::Bool(b)) => Key::Bool(*b),
            Some(Value::Number(n)) => Key::Number(n.as_f64().unwrap_or(0.0)),
            Some(v @ Value::String(s)) => {
                if let Some(place) = (f == "priority")
                    .then(|| PRIORITIES.iter().position(|p| p == s))
                    .flatten()
                {
                    Key::Rank(place, Cow::Owned(s.clone()))
                } else if let Some(t) = config.calendar.time_of(v) {
                    Key::Time(t)
                } else {
                    Key::Text(Cow::Owned(lower(s).into_owned()))
                }
            }
            Some(v) => Key::Text(Cow::Owned(v.to_string().to_lowercase())),
        },
    }
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Text order in which runs of digits compare by their number, so that
/// `CMP-2026-9999` comes before `CMP-2026-10000`.
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (Some(ca), Some(cb)) = (a.chars().next(), b.chars().next()) else {
            return a.len().cmp(&b.len());
        };
        if ca.is_ascii_digit() && cb.is_ascii_digit() {
            let da = a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len());
            let db = b.find(|c: char| !c.is_ascii_digit()).unwrap_or(b.len());
            let (na, nb) = (a[..da].trim_start_matches('0'), b[..db].trim_start_matches('0'));
            let by_number = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if by_number != Ordering::Equal {
                return by_number;
            }
            // Same number: fewer leading zeros first, so the order is total.
            match da.cmp(&db) {
                Ordering::Equal => {}
                other => return other,
            }
            a = &a[da..];
            b = &b[db..];
        } else {
            match ca.cmp(&cb) {
                Ordering::Equal => {}
                other => return other,
            }
            a = &a[ca.len_utf8()..];
            b = &b[cb.len_utf8()..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_digit_runs_as_numbers() {
        assert_eq!(natural("CMP-2026-9999", "CMP-2026-10000"), Ordering::Less);
        assert_eq!(natural("CMP-2026-0002", "CMP-2026-0010"), Ordering::Less);
        assert_eq!(natural("CMP-2026-0010", "CMP-2026-0010"), Ordering::Equal);
        assert_eq!(natural("a2", "a02"), Ordering::Less);
        assert_eq!(natural("abc", "ab"), Ordering::Greater);
        assert_eq!(natural("FF-2026-001", "INC-2026-0001"), Ordering::Less);
    }

    #[test]
    fn a_sort_flag_names_a_key_or_a_dotted_field() {
        let s: Sort = "-opened".parse().unwrap();
        assert_eq!(
            s,
            Sort {
                key: SortKey::Opened,
                descending: true
            }
        );
        let s: Sort = "closure.closed_at".parse().unwrap();
        assert_eq!(s.key, SortKey::Field("closure.closed_at".into()));
        assert!(!s.descending);
        for bad in ["", "-", "a..b", ".a", "a b", "--opened"] {
            assert!(bad.parse::<Sort>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn missing_values_and_mixed_types_order_predictably() {
        let t = Key::Time(DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z").unwrap().to_utc());
        assert!(Key::Number(2.0) < t);
        assert!(t < Key::Text("a".into()));
        assert!(Key::Text("z".into()) < Key::Missing);
        assert!(Key::Rank(1, "normal".into()) < Key::Rank(3, "urgent".into()));
    }
}
