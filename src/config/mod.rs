//! Find and load casework.toml: raw TOML with spans, then validated into a
//! [`Config`] whose every name (states, roles, fields) is known to be usable.

mod raw;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use indexmap::IndexMap;
use raw::{RawConfig, RawKind, S};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The file whose presence marks the root of a records repository.
pub const CONFIG_FILE: &str = "casework.toml";

/// The highest sequence number of a case ID: a billion cases a kind a year
/// is far beyond any register, and arithmetic on it can never overflow.
pub const MAX_SEQUENCE: u64 = 999_999_999;

/// Files larger than this are reported `too-large` unread, unless configured.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// A configuration problem: stops the run before any record is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The validated configuration of one records repository.
#[derive(Debug, Clone)]
pub struct Config {
    /// Absolute path of the folder holding casework.toml.
    pub root: PathBuf,
    /// Records folder, relative to the root, `/`-separated.
    pub records_dir: String,
    pub max_file_size: u64,
    /// Disposal register, relative to the root.
    pub register: String,
    pub calendar: Calendar,
    pub roles: BTreeMap<String, BTreeSet<String>>,
    pub site: Site,
    pub kinds: IndexMap<String, Kind>,
}

#[derive(Debug, Clone)]
pub struct Calendar {
    pub timezone: Tz,
    /// Indexed by `Weekday::num_days_from_monday()`.
    pub workdays: [bool; 7],
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            timezone: chrono_tz::UTC,
            workdays: [true, true, true, true, true, false, false],
            holidays: BTreeSet::new(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Site {
    pub title: String,
    pub redact: Vec<String>,
    pub base_url: Option<String>,
}

/// One kind of case: its ID format, schema, states and workflow.
#[derive(Debug, Clone)]
pub struct Kind {
    pub name: String,
    pub title: String,
    pub procedure: Option<String>,
    pub prefix: String,
    pub digits: usize,
    /// Folder of its records, relative to the root.
    pub dir: String,
    /// Schema file, relative to the root.
    pub schema: String,
    pub states: Vec<String>,
    pub closed_states: Vec<String>,
    pub retention_years: u32,
    pub non_response_days: u32,
    pub transitions: Vec<Transition>,
    pub time_guards: Vec<TimeGuard>,
    /// Field path -> role whose members may appear as its value.
    pub field_roles: BTreeMap<String, String>,
    pub sla: Vec<SlaClock>,
}

impl Kind {
    /// The state every new record starts in.
    pub fn first_state(&self) -> &str {
        &self.states[0]
    }

    pub fn has_state(&self, state: &str) -> bool {
        self.states.iter().any(|s| s == state)
    }

    pub fn is_closed(&self, state: &str) -> bool {
        self.closed_states.iter().any(|s| s == state)
    }

    /// The transitions leaving `from` towards `to`, if the workflow has one.
    pub fn transition(&self, from: &str, to: &str) -> Option<&Transition> {
        self.transitions
            .iter()
            .find(|t| t.to == to && t.from.iter().any(|f| f == from))
    }

    /// The states reachable from `from` in one step, in configuration order.
    pub fn next_states(&self, from: &str) -> Vec<&Transition> {
        self.transitions
            .iter()
            .filter(|t| t.from.iter().any(|f| f == from))
            .collect()
    }

    /// Whether `seq` may be the sequence number of an ID.
    pub fn is_valid_sequence(&self, seq: u64) -> bool {
        (1..=MAX_SEQUENCE).contains(&seq)
    }

    /// Whether `id` has this kind's format, and its (year, sequence). A
    /// sequence above [`MAX_SEQUENCE`] is no valid ID.
    pub fn parse_id(&self, id: &str) -> Option<(i32, u64)> {
        let rest = id.strip_prefix(&self.prefix)?.strip_prefix('-')?;
        let (year, seq) = rest.split_once('-')?;
        let valid = year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && seq.len() >= self.digits
            && seq.bytes().all(|b| b.is_ascii_digit())
            && (seq.len() == self.digits || !seq.starts_with('0'));
        if !valid {
            return None;
        }
        let seq: u64 = seq.parse().ok()?;
        if seq > MAX_SEQUENCE {
            return None;
        }
        Some((year.parse().ok()?, seq))
    }

    /// The ID of sequence number `seq` in `year`.
    pub fn format_id(&self, year: i32, seq: u64) -> String {
        format!("{}-{year:04}-{seq:0width$}", self.prefix, width = self.digits)
    }

    /// An example ID, for messages.
    pub fn example_id(&self) -> String {
        self.format_id(2026, 1)
    }
}

/// An allowed edge of a kind's workflow.
#[derive(Debug, Clone)]
pub struct Transition {
    pub name: Option<String>,
    pub from: Vec<String>,
    pub to: String,
    pub role: Option<String>,
    pub requires: Vec<String>,
    pub sets: Vec<String>,
    /// Field holding a time; the step waits `non_response_days` business days after it.
    pub after: Option<String>,
}

/// In `state`, when the fields of `when` hold those values, `business_days`
/// must have passed since the time in field `since`.
#[derive(Debug, Clone)]
pub struct TimeGuard {
    pub state: String,
    pub when: Vec<(String, Value)>,
    pub since: String,
    pub business_days: u32,
}

/// How a service-level clock measures its allowance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlaRule {
    /// `within` business days from the start until `stop` is set.
    Within(u32),
    /// At most `every` business days between the latest start times.
    Every(u32),
    /// The date in this field.
    Deadline(String),
}

#[derive(Debug, Clone)]
pub struct SlaClock {
    pub name: String,
    pub start: Vec<String>,
    pub stop: Option<String>,
    pub rule: SlaRule,
    pub states: Vec<String>,
    pub escalation: Option<String>,
}

impl Config {
    /// The kind whose records live in folder `dir` (relative to the root).
    pub fn kind_for_dir(&self, dir: &str) -> Option<&Kind> {
        self.kinds.values().find(|k| k.dir == dir)
    }

    /// The kind whose ID prefix starts `id`.
    pub fn kind_for_id(&self, id: &str) -> Option<&Kind> {
        self.kinds
            .values()
            .find(|k| id.strip_prefix(&k.prefix).is_some_and(|r| r.starts_with('-')))
    }

    pub fn has_role(&self, role: &str, email: &str) -> bool {
        self.roles
            .get(role)
            .is_some_and(|m| m.iter().any(|e| e.eq_ignore_ascii_case(email)))
    }

    /// A configuration with the default kinds, rooted at `root` (for `init`).
    pub fn default_toml() -> &'static str {
        include_str!("../../scaffold/casework.toml")
    }
}

/// Walk up from `start` to the first folder holding casework.toml.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    start
        .ancestors()
        .find(|d| d.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
}

/// Read and validate `root/casework.toml`.
pub fn load(root: &Path) -> Result<Config, ConfigError> {
    let path = root.join(CONFIG_FILE);
    let text =
        crate::files::read_to_string(root, &path, crate::files::SUPPORT_FILE_LIMIT).map_err(|e| ConfigError {
            file: CONFIG_FILE.into(),
            line: 1,
            column: 1,
            message: format!("cannot read {}: {e}", path.display()),
        })?;
    parse(root, &text)
}

/// Validate the text of a casework.toml.
pub fn parse(root: &Path, text: &str) -> Result<Config, ConfigError> {
    let v = Validator { text };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        v.error(&span, e.message().trim_end().to_string())
    })?;
    v.config(root, raw)
}

/// Turns spans into line:column and checks the cross-references.
struct Validator<'a> {
    text: &'a str,
}

impl Validator<'_> {
    fn error(&self, span: &Range<usize>, message: String) -> ConfigError {
        let crate::diag::Pos { line, column } = crate::diag::line_col(self.text, span.start);
        ConfigError {
            file: CONFIG_FILE.into(),
            line,
            column,
            message,
        }
    }

    fn at<T>(&self, s: &S<T>, message: String) -> ConfigError {
        self.error(&s.span(), message)
    }

    fn config(&self, root: &Path, raw: RawConfig) -> Result<Config, ConfigError> {
        let records_dir = match &raw.records.dir {
            Some(d) => self.relative_path(d, "records.dir")?,
            None => "records".to_string(),
        };
        let register = match &raw.records.register {
            Some(r) => self.relative_path(r, "records.register")?,
            None => "disposals.csv".to_string(),
        };
        let max_file_size = match &raw.records.max_file_size {
            None => DEFAULT_MAX_FILE_SIZE,
            Some(s) => match s.get_ref() {
                raw::SizeValue::Bytes(b) => *b,
                raw::SizeValue::Text(t) => parse_size(t).ok_or_else(|| {
                    self.at(
                        s,
                        format!("`max_file_size` must be a number of bytes or a size such as \"1 MiB\", not {t:?}"),
                    )
                })?,
            },
        };
        if max_file_size == 0
            && let Some(s) = &raw.records.max_file_size
        {
            return Err(self.at(s, "`records.max_file_size` must be above zero".into()));
        }
        let calendar = self.calendar(&raw.calendar)?;

        let mut roles = BTreeMap::new();
        for (name, members) in &raw.roles {
            let mut set = BTreeSet::new();
            for m in members.get_ref() {
                if !m.get_ref().contains('@') {
                    return Err(self.at(
                        m,
                        format!(
                            "role `{}` lists {:?}, which is not an email address",
                            name.get_ref(),
                            m.get_ref()
                        ),
                    ));
                }
                set.insert(m.get_ref().to_ascii_lowercase());
            }
            roles.insert(name.get_ref().clone(), set);
        }

        let site = Site {
            title: raw.site.title.clone().unwrap_or_else(|| "Case records".into()),
            redact: raw.site.redact.iter().map(|r| r.get_ref().clone()).collect(),
            base_url: raw.site.base_url.clone(),
        };
        for r in &raw.site.redact {
            if r.get_ref().is_empty() || r.get_ref().split('.').any(str::is_empty) {
                return Err(self.at(
                    r,
                    format!(
                        "`site.redact` entry {:?} is not a field path such as \"customer.contact\"",
                        r.get_ref()
                    ),
                ));
            }
        }

        if raw.kinds.is_empty() {
            return Err(self.error(
                &(0..0),
                "no kinds are configured: add a [kinds.<name>] table (`casework init` writes the five default kinds)"
                    .into(),
            ));
        }
        let mut kinds = IndexMap::new();
        let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
        for (name, rk) in &raw.kinds {
            let kind = self.kind(name, rk, &records_dir, &roles)?;
            if let Some(other) = prefixes.insert(kind.prefix.clone(), kind.name.clone()) {
                return Err(self.at(
                    &rk.prefix,
                    format!("prefix `{}` is already used by kind `{other}`", kind.prefix),
                ));
            }
            kinds.insert(kind.name.clone(), kind);
        }
        Ok(Config {
            root: root.to_path_buf(),
            records_dir,
            max_file_size,
            register,
            calendar,
            roles,
            site,
            kinds,
        })
    }

    fn relative_path(&self, s: &S<String>, key: &str) -> Result<String, ConfigError> {
        let p = s.get_ref().trim_end_matches('/');
        let bad =
            p.is_empty() || p.starts_with('/') || p.contains('\\') || p.split('/').any(|c| c == ".." || c.is_empty());
        if bad {
            return Err(self.at(
                s,
                format!(
                    "`{key}` must be a relative path inside the root, such as \"records\"; got {:?}",
                    s.get_ref()
                ),
            ));
        }
        Ok(p.to_string())
    }

    fn calendar(&self, raw: &raw::RawCalendar) -> Result<Calendar, ConfigError> {
        let mut cal = Calendar::default();
        if let Some(tz) = &raw.timezone {
            cal.timezone = tz.get_ref().parse().map_err(|_| {
                self.at(
                    tz,
                    format!(
                        "unknown timezone {:?}: use an IANA name such as \"UTC\" or \"Europe/Berlin\"",
                        tz.get_ref()
                    ),
                )
            })?;
        }
        if let Some(days) = &raw.workdays {
            cal.workdays = [false; 7];
            for d in days.get_ref() {
                let wd: Weekday = d.get_ref().parse().map_err(|_| {
                    self.at(
                        d,
                        format!(
                            "{:?} is not a weekday: use Mon, Tue, Wed, Thu, Fri, Sat or Sun",
                            d.get_ref()
                        ),
                    )
                })?;
                cal.workdays[wd.num_days_from_monday() as usize] = true;
            }
            if !cal.workdays.contains(&true) {
                return Err(self.at(
                    days,
                    "`calendar.workdays` is empty: list at least one working day".into(),
                ));
            }
        }
        for h in &raw.holidays {
            let date = NaiveDate::parse_from_str(h.get_ref(), "%Y-%m-%d").map_err(|_| {
                self.at(
                    h,
                    format!("holiday {:?} is not a date of the form YYYY-MM-DD", h.get_ref()),
                )
            })?;
            cal.holidays.insert(date);
        }
        Ok(cal)
    }

    fn kind(
        &self,
        name: &S<String>,
        rk: &RawKind,
        records_dir: &str,
        roles: &BTreeMap<String, BTreeSet<String>>,
    ) -> Result<Kind, ConfigError> {
        let kname = name.get_ref().clone();
        if !is_ident(&kname) {
            return Err(self.at(
                name,
                format!("kind name {kname:?} must be lower-case letters, digits, `_` or `-`"),
            ));
        }
        let prefix = rk.prefix.get_ref().clone();
        if prefix.is_empty()
            || !prefix.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            || !prefix.as_bytes()[0].is_ascii_uppercase()
        {
            return Err(self.at(
                &rk.prefix,
                format!(
                    "prefix {prefix:?} of kind `{kname}` must be upper-case letters and digits, starting with a letter"
                ),
            ));
        }
        let digits = match &rk.digits {
            Some(d) if !(1..=9).contains(d.get_ref()) => {
                return Err(self.at(d, "`digits` must be between 1 and 9".into()));
            }
            Some(d) => *d.get_ref() as usize,
            None => 4,
        };
        let dir = match &rk.dir {
            Some(d) => {
                let dir = self.relative_path(d, "dir")?;
                // Records are found under records.dir only: a folder elsewhere would never be checked.
                let inside = dir
                    .strip_prefix(records_dir)
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|r| !r.contains('/'));
                if !inside {
                    return Err(self.at(d, format!("`dir` of kind `{kname}` must be a folder directly inside `{records_dir}/`, such as \"{records_dir}/{kname}\"")));
                }
                dir
            }
            None => format!("{records_dir}/{kname}"),
        };
        let schema = match &rk.schema {
            Some(s) => self.relative_path(s, "schema")?,
            None => format!("schemas/{kname}.schema.json"),
        };

        let mut states = Vec::new();
        for s in rk.states.get_ref() {
            if !is_ident(s.get_ref()) {
                return Err(self.at(
                    s,
                    format!(
                        "state name {:?} must be lower-case letters, digits, `_` or `-`",
                        s.get_ref()
                    ),
                ));
            }
            if states.contains(s.get_ref()) {
                return Err(self.at(s, format!("state `{}` is listed twice", s.get_ref())));
            }
            states.push(s.get_ref().clone());
        }
        if states.is_empty() {
            return Err(self.at(&rk.states, format!("kind `{kname}` has no states")));
        }
        let state = |s: &S<String>, what: &str| -> Result<String, ConfigError> {
            if states.contains(s.get_ref()) {
                Ok(s.get_ref().clone())
            } else {
                Err(self.at(
                    s,
                    format!(
                        "{what} `{}` is not a state of kind `{kname}` (states: {})",
                        s.get_ref(),
                        states.join(", ")
                    ),
                ))
            }
        };
        let role = |r: &S<String>| -> Result<String, ConfigError> {
            if roles.contains_key(r.get_ref()) {
                Ok(r.get_ref().clone())
            } else {
                let known: Vec<&str> = roles.keys().map(String::as_str).collect();
                Err(self.at(
                    r,
                    format!(
                        "role `{}` is not defined in [roles] (defined: {})",
                        r.get_ref(),
                        if known.is_empty() {
                            "none".into()
                        } else {
                            known.join(", ")
                        }
                    ),
                ))
            }
        };
        let field = |f: &S<String>| -> Result<String, ConfigError> {
            let ok = !f.get_ref().is_empty()
                && f.get_ref()
                    .split('.')
                    .all(|c| !c.is_empty() && (c == "*" || !c.contains(char::is_whitespace)));
            if ok {
                Ok(f.get_ref().clone())
            } else {
                Err(self.at(
                    f,
                    format!("{:?} is not a field path such as \"closure.closed_at\"", f.get_ref()),
                ))
            }
        };

        let closed_states: Vec<String> = match &rk.closed_states {
            Some(list) => list
                .iter()
                .map(|s| state(s, "closed state"))
                .collect::<Result<_, _>>()?,
            None => states
                .iter()
                .rev()
                .take(2.min(states.len() - 1))
                .rev()
                .cloned()
                .collect(),
        };

        let mut transitions = Vec::new();
        for t in &rk.transitions {
            let rt = t.get_ref();
            let from: Vec<String> = rt
                .from
                .items()
                .into_iter()
                .map(|s| state(&spanned(t, s), "transition source"))
                .collect::<Result<_, _>>()?;
            let to = state(&rt.to, "transition target")?;
            if from.contains(&to) {
                return Err(self.at(&rt.to, format!("transition from `{to}` to itself")));
            }
            if let Some(prev) = transitions
                .iter()
                .find(|p: &&Transition| p.to == to && p.from.iter().any(|f| from.contains(f)))
            {
                let f = prev.from.iter().find(|f| from.contains(f)).cloned().unwrap_or_default();
                return Err(self.at(t, format!("transition `{f} -> {to}` is listed twice")));
            }
            transitions.push(Transition {
                name: rt.name.clone(),
                from,
                to,
                role: rt.role.as_ref().map(&role).transpose()?,
                requires: rt.requires.iter().map(&field).collect::<Result<_, _>>()?,
                sets: rt.sets.iter().map(&field).collect::<Result<_, _>>()?,
                after: rt.after.as_ref().map(&field).transpose()?,
            });
        }
        // Every state but the first must be reachable, or records could never enter it.
        for (i, s) in rk.states.get_ref().iter().enumerate().skip(1) {
            if !transitions.iter().any(|t| &t.to == s.get_ref()) {
                let _ = i;
                return Err(self.at(
                    s,
                    format!(
                        "no transition leads to state `{}` of kind `{kname}`: add one under `transitions`",
                        s.get_ref()
                    ),
                ));
            }
        }

        let non_response_days = rk.non_response_days.as_ref().map(|d| *d.get_ref()).unwrap_or(5);
        let mut time_guards = Vec::new();
        for g in &rk.time_guards {
            let rg = g.get_ref();
            let mut when = Vec::new();
            for (k, v) in &rg.when {
                let json =
                    serde_json::to_value(v).map_err(|e| self.at(g, format!("cannot use value of `{k}`: {e}")))?;
                when.push((k.clone(), json));
            }
            time_guards.push(TimeGuard {
                state: state(&rg.state, "time guard state")?,
                when,
                since: field(&rg.since)?,
                business_days: rg.business_days.unwrap_or(non_response_days),
            });
        }

        let mut field_roles = BTreeMap::new();
        for (f, r) in &rk.field_roles {
            field_roles.insert(f.clone(), role(r)?);
        }

        let mut sla = Vec::new();
        for c in &rk.sla {
            let rc = c.get_ref();
            let rule = match (rc.within, rc.every, &rc.deadline) {
                (Some(n), None, None) => SlaRule::Within(n),
                (None, Some(n), None) => SlaRule::Every(n),
                (None, None, Some(f)) => SlaRule::Deadline(field(f)?),
                _ => {
                    return Err(self.at(
                        c,
                        format!(
                            "SLA clock `{}` needs exactly one of `within`, `every` or `deadline`",
                            rc.name.get_ref()
                        ),
                    ));
                }
            };
            let start: Vec<String> = match &rc.start {
                Some(s) => s
                    .items()
                    .into_iter()
                    .map(|f| field(&spanned(c, f)))
                    .collect::<Result<_, _>>()?,
                None => Vec::new(),
            };
            if start.is_empty() && !matches!(rule, SlaRule::Deadline(_)) {
                return Err(self.at(c, format!("SLA clock `{}` needs a `start` field", rc.name.get_ref())));
            }
            let states_run = match &rc.states {
                Some(list) => list.iter().map(|s| state(s, "SLA state")).collect::<Result<_, _>>()?,
                None => states.iter().filter(|s| !closed_states.contains(s)).cloned().collect(),
            };
            sla.push(SlaClock {
                name: rc.name.get_ref().clone(),
                start,
                stop: rc.stop.as_ref().map(&field).transpose()?,
                rule,
                states: states_run,
                escalation: rc.escalation.as_ref().map(&field).transpose()?,
            });
        }

        Ok(Kind {
            title: rk.title.clone().unwrap_or_else(|| kname.clone()),
            name: kname,
            procedure: rk.procedure.clone(),
            prefix,
            digits,
            dir,
            schema,
            states,
            closed_states,
            retention_years: rk.retention_years.as_ref().map(|y| *y.get_ref()).unwrap_or(2),
            non_response_days,
            transitions,
            time_guards,
            field_roles,
            sla,
        })
    }
}

/// `value` carrying the span of `parent`, for errors about it.
fn spanned<T>(parent: &S<T>, value: &str) -> S<String> {
    S::new(parent.span(), value.to_string())
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// "1 MiB", "512 KiB", "2MB", "1000" -> bytes.
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ConfigError {
        parse(Path::new("/r"), text).expect_err("config should be rejected")
    }

    const MINIMAL: &str = r#"
[roles]
manager = ["m@example.com"]

[kinds.note]
prefix = "NOTE"
states = ["open", "done"]
transitions = [{ from = "open", to = "done", role = "manager" }]
"#;

    #[test]
    fn default_config_is_valid() {
        let c = parse(Path::new("/r"), Config::default_toml()).unwrap();
        assert_eq!(c.kinds.len(), 5);
        let order = &c.kinds["order"];
        assert!(order.transition("feedback_received", "issue_open").is_some());
        assert!(
            order
                .transition("feedback_requested", "closed")
                .unwrap()
                .after
                .is_some()
        );
        assert!(order.transition("delivered", "closed").is_none());
        assert_eq!(c.kinds["feedback"].digits, 3);
        assert_eq!(c.kinds["request"].time_guards[0].business_days, 5);
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = parse(Path::new("/r"), MINIMAL).unwrap();
        let k = &c.kinds["note"];
        assert_eq!(k.dir, "records/note");
        assert_eq!(k.schema, "schemas/note.schema.json");
        assert_eq!(k.digits, 4);
        assert_eq!(c.max_file_size, DEFAULT_MAX_FILE_SIZE);
    }

    #[test]
    fn unknown_key_names_its_position() {
        let e = err("[records]\ndirr = \"x\"\n");
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("dirr"), "{}", e.message);
    }

    #[test]
    fn transition_to_undefined_state() {
        let e = err(&MINIMAL.replace("to = \"done\"", "to = \"finished\""));
        assert_eq!(e.line, 8);
        assert!(
            e.message.contains("`finished` is not a state of kind `note`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn transition_needing_undefined_role() {
        let e = err(&MINIMAL.replace("role = \"manager\"", "role = \"boss\""));
        assert_eq!(e.line, 8);
        assert_eq!(e.column, 53);
        assert!(e.message.contains("role `boss` is not defined"), "{}", e.message);
    }

    #[test]
    fn bad_types_and_values() {
        assert!(err("[records]\ndir = 3\n").message.contains("string"));
        assert_eq!(err("[calendar]\nworkdays = [\"Mon\", \"Funday\"]\n").column, 20);
        assert!(
            err("[calendar]\ntimezone = \"Mars/Olympus\"\n")
                .message
                .contains("unknown timezone")
        );
        assert!(
            err("[calendar]\nholidays = [\"2026-13-01\"]\n")
                .message
                .contains("YYYY-MM-DD")
        );
        assert!(
            err("[records]\nmax_file_size = \"lots\"\n")
                .message
                .contains("max_file_size")
        );
        assert!(err("").message.contains("no kinds"));
        let e = err(&MINIMAL.replace(
            "states = [\"open\", \"done\"]",
            "states = [\"open\", \"done\", \"lost\"]",
        ));
        assert!(
            e.message.contains("no transition leads to state `lost`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1 MiB"), Some(1 << 20));
        assert_eq!(parse_size("500kb"), Some(500_000));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("MiB"), None);
    }

    #[test]
    fn ids() {
        let c = parse(Path::new("/r"), Config::default_toml()).unwrap();
        let k = &c.kinds["complaint"];
        assert_eq!(k.parse_id("CMP-2026-0042"), Some((2026, 42)));
        assert_eq!(k.parse_id("CMP-2026-10000"), Some((2026, 10000)));
        assert_eq!(k.parse_id("CMP-2026-042"), None);
        assert_eq!(k.parse_id("CMP-2026-00042"), None);
        assert_eq!(k.parse_id("CMP-26-0042"), None);
        assert_eq!(k.parse_id("INC-2026-0042"), None);
        assert_eq!(k.format_id(2026, 10000), "CMP-2026-10000");
        assert_eq!(c.kinds["feedback"].format_id(2024, 15), "FF-2024-015");
    }
}
