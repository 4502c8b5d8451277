//! casework.toml as written: every value keeps its span so that validation
//! errors can name `casework.toml:line:column`.

use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub records: RawRecords,
    #[serde(default)]
    pub calendar: RawCalendar,
    #[serde(default)]
    pub roles: BTreeMap<S<String>, S<Vec<S<String>>>>,
    #[serde(default)]
    pub site: RawSite,
    #[serde(default)]
    pub kinds: IndexMap<S<String>, RawKind>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawRecords {
    pub dir: Option<S<String>>,
    pub max_file_size: Option<S<SizeValue>>,
    pub register: Option<S<String>>,
}

/// `max_file_size = 1048576` or `max_file_size = "1 MiB"`.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "`max_file_size` must be a number of bytes or a size such as \"1 MiB\""
)]
pub enum SizeValue {
    Bytes(u64),
    Text(String),
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub timezone: Option<S<String>>,
    pub workdays: Option<S<Vec<S<String>>>>,
    #[serde(default)]
    pub holidays: Vec<S<String>>,
    /// Business hours, `"09:00-17:30"`; all day when missing.
    pub hours: Option<S<String>>,
}

/// An SLA budget: business days (`2`), a duration (`"4h"`, `"30m"`,
/// `"1h30m"`, `"2d"`), or one of those per priority (`{ urgent = "4h",
/// normal = 2 }`).
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "an SLA budget is a number of business days (2), a duration such as \"4h\" or \"30m\", or a table by priority such as { urgent = \"4h\", normal = 2 }"
)]
pub enum BudgetValue {
    Days(u32),
    Text(String),
    ByPriority(IndexMap<String, BudgetOne>),
}

/// One budget of a priority table.
#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "a number of business days or a duration such as \"4h\"")]
pub enum BudgetOne {
    Days(u32),
    Text(String),
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub title: Option<String>,
    #[serde(default)]
    pub redact: Vec<S<String>>,
    pub base_url: Option<String>,
    pub archived: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKind {
    pub title: Option<String>,
    pub procedure: Option<String>,
    pub prefix: S<String>,
    pub digits: Option<S<u32>>,
    pub dir: Option<S<String>>,
    pub schema: Option<S<String>>,
    pub states: S<Vec<S<String>>>,
    pub closed_states: Option<Vec<S<String>>>,
    pub retention_years: Option<S<u32>>,
    pub retention_from: Option<S<String>>,
    pub archive_state: Option<S<String>>,
    pub archive_role: Option<S<String>>,
    pub non_response_days: Option<S<u32>>,
    pub archive_after_days: Option<S<u32>>,
    pub escalate_to: Option<S<String>>,
    pub satisfaction: Option<S<String>>,
    #[serde(default)]
    pub transitions: Vec<S<RawTransition>>,
    #[serde(default)]
    pub time_guards: Vec<S<RawTimeGuard>>,
    #[serde(default)]
    pub field_roles: BTreeMap<String, S<String>>,
    #[serde(default)]
    pub sla: Vec<S<RawSla>>,
}

/// A single value or a list of them (`from = "a"` or `from = ["a", "b"]`).
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged, expecting = "a name or a list of names")]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values. Spans cannot pass through an untagged enum, so errors
    /// about them point at the enclosing table.
    pub fn items(&self) -> Vec<&String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v.iter().collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransition {
    pub name: Option<String>,
    pub from: OneOrMany,
    pub to: S<String>,
    pub role: Option<S<String>>,
    /// When `role` is needed: field -> value or list of values.
    pub when: Option<S<toml::Table>>,
    #[serde(default)]
    pub requires: Vec<S<String>>,
    #[serde(default)]
    pub sets: Vec<S<String>>,
    pub after: Option<S<String>>,
    #[serde(default)]
    pub resets: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTimeGuard {
    pub state: S<String>,
    #[serde(default)]
    pub when: toml::Table,
    pub since: S<String>,
    pub business_days: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSla {
    pub name: S<String>,
    pub start: Option<OneOrMany>,
    pub stop: Option<S<String>>,
    pub within: Option<S<BudgetValue>>,
    pub every: Option<S<BudgetValue>>,
    pub deadline: Option<S<String>>,
    pub states: Option<Vec<S<String>>>,
    pub escalation: Option<S<String>>,
}
