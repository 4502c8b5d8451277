//! Find and load casework.toml: raw TOML with spans, then validated into a
//! [`Config`] whose every name (states, roles, fields) is known to be usable.

mod raw;

use crate::diag::snippet::{Label, annotate};
use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use indexmap::IndexMap;
use raw::{RawConfig, RawKind, S};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The file whose presence marks the root of a records repository.
pub const CONFIG_FILE: &str = "casework.toml";

/// The highest sequence number of a case ID: a billion cases a kind a year
/// is far beyond any register, and arithmetic on it can never overflow.
pub const MAX_SEQUENCE: u64 = 999_999_999;

/// The list a reopen moves the ended cycle's fields into (see `Transition::resets`).
pub const CYCLES: &str = "cycles";

/// The archive state of a kind that names none.
pub const DEFAULT_ARCHIVE_STATE: &str = "archived";
/// The archiving role of a kind that names none.
pub const DEFAULT_ARCHIVE_ROLE: &str = "records";
/// Business days after closure a kind's records are archived, unless configured.
pub const DEFAULT_ARCHIVE_AFTER_DAYS: u32 = 30;
/// The longest `archive_after_days`: about forty years of business days.
/// Business days are counted one by one, so the bound is also what keeps
/// a typo from stalling every sweep.
pub const MAX_ARCHIVE_AFTER_DAYS: u32 = 10_000;

/// Files larger than this are reported `too-large` unread, unless configured.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// A configuration problem: stops the run before any record is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// Byte range in casework.toml that the error is about (`None`: the
    /// whole file, such as when it cannot be read).
    pub range: Option<Range<usize>>,
    /// Other places the error involves, such as the first of two kinds with
    /// one prefix: byte range and what to say there.
    pub related: Vec<(Range<usize>, String)>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found in casework.toml, in the order of the file, and its
/// text for snippets. A TOML syntax error is the only one reported: the
/// file cannot be read further.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    pub errors: Vec<ConfigError>,
    /// The text of casework.toml, when it could be read.
    pub text: Option<String>,
}

impl ConfigErrors {
    fn one(e: ConfigError) -> Self {
        ConfigErrors {
            errors: vec![e],
            text: None,
        }
    }

    /// Each error as `casework.toml:L:C: message` (values escaped for one
    /// line), followed by its snippet, with a blank line between errors.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let header = crate::diag::one_line(&e.to_string()).into_owned();
            match header.split_once(": ") {
                Some((loc, message)) if color => out.push_str(&format!("\x1b[1m{loc}\x1b[0m: {message}")),
                _ => out.push_str(&header),
            }
            out.push('\n');
            let (Some(text), Some(range)) = (&self.text, &e.range) else {
                continue;
            };
            let mut labels = vec![Label {
                range: range.clone(),
                text: "",
            }];
            labels.extend(e.related.iter().map(|(r, t)| Label {
                range: r.clone(),
                text: t,
            }));
            if let Some(snippet) = annotate(text, &labels, color) {
                out.push_str(&snippet);
                out.push('\n');
            }
        }
        out
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

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
    /// Business hours of a working day, local time, `open < close`; `None`:
    /// the whole day.
    pub hours: Option<(NaiveTime, NaiveTime)>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            timezone: chrono_tz::UTC,
            workdays: [true, true, true, true, true, false, false],
            holidays: BTreeSet::new(),
            hours: None,
        }
    }
}

/// An allowance of business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Budget {
    /// Working days: the same time of day that many working days later.
    Days(u32),
    /// Working minutes, counted inside business hours.
    Minutes(u32),
}

impl std::fmt::Display for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Budget::Days(1) => write!(f, "1 business day"),
            Budget::Days(n) => write!(f, "{n} business days"),
            Budget::Minutes(m) if m % 60 == 0 => write!(f, "{}h", m / 60),
            Budget::Minutes(m) if m > 60 => write!(f, "{}h{}m", m / 60, m % 60),
            Budget::Minutes(m) => write!(f, "{m}m"),
        }
    }
}

/// A clock's allowance, one for all records or one per `priority`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budgets {
    /// By priority value, in file order; empty: `normal` for every record.
    pub by_priority: Vec<(String, Budget)>,
    /// For a record whose priority is missing or not in the table.
    pub normal: Budget,
}

/// The priority a record without a `priority` field has.
pub const DEFAULT_PRIORITY: &str = "normal";

impl Budgets {
    pub fn one(b: Budget) -> Budgets {
        Budgets {
            by_priority: Vec::new(),
            normal: b,
        }
    }

    /// The budget for a record of this priority.
    pub fn for_priority(&self, priority: Option<&str>) -> Budget {
        let p = priority.unwrap_or(DEFAULT_PRIORITY);
        self.by_priority
            .iter()
            .find(|(name, _)| name == p)
            .map_or(self.normal, |(_, b)| *b)
    }
}

/// `"4h"`, `"30m"`, `"1h30m"`, `"2d"` as a budget.
pub fn parse_duration(text: &str) -> Option<Budget> {
    let t = text.trim();
    if let Some(days) = t.strip_suffix('d') {
        return days.trim().parse().ok().map(Budget::Days);
    }
    let (mut minutes, mut rest, mut any) = (0u32, t, false);
    for (unit, factor) in [('h', 60u32), ('m', 1u32)] {
        if let Some(i) = rest.find(unit) {
            let n: u32 = rest[..i].trim().parse().ok()?;
            minutes = minutes.checked_add(n.checked_mul(factor)?)?;
            rest = &rest[i + 1..];
            any = true;
        }
    }
    (any && rest.trim().is_empty() && minutes > 0).then_some(Budget::Minutes(minutes))
}

#[derive(Debug, Clone, Default)]
pub struct Site {
    pub title: String,
    pub redact: Vec<String>,
    pub base_url: Option<String>,
    /// Publish archived cases' pages (`archived = "full"`); by default an
    /// archived case is only a line of the archive index (procedure 003:
    /// archived records are for authorised personnel).
    pub archived_full: bool,
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
    /// Years a record is kept after its closure (SPEC section 4).
    pub retention_years: u32,
    /// Field holding the closure time that retention counts from (`None`:
    /// the time the record is archived).
    pub retention_from: Option<String>,
    /// The state records are archived in.
    pub archive_state: String,
    /// The role that archives records; only its members change an archived one.
    pub archive_role: String,
    pub non_response_days: u32,
    /// Business days after its closure that `casework archive` and `sweep`
    /// move a closed record to the archive state; 0: never automatically.
    pub archive_after_days: u32,
    /// Who an overdue case is escalated to: `sweep` writes it into the
    /// escalation field of a breached SLA clock that has one (procedure 001,
    /// step 4). `None`: escalation is left to people.
    pub escalate_to: Option<String>,
    /// The list of stakeholders' feedback (`{stakeholder, at, satisfied}`)
    /// a closure waits on: no closed state while the latest feedback of
    /// any stakeholder says `satisfied: false` (procedures 000 step 2, 002
    /// step 6). `None`: no such guard.
    pub satisfaction: Option<String>,
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

    /// The field holding the time a case was closed: the one retention
    /// counts from, else the first time set on entering a closed state other
    /// than the archive state. `None` for a kind whose closing sets no time.
    pub fn closure_field(&self) -> Option<&str> {
        self.retention_from.as_deref().or_else(|| {
            self.transitions
                .iter()
                .filter(|t| self.is_closed(&t.to) && t.to != self.archive_state)
                .find_map(|t| t.sets.first())
                .map(String::as_str)
        })
    }

    /// The step that archives a record in `state`: the transition from it
    /// to the archive state, when `state` is a closed state other than it.
    pub fn archive_transition(&self, state: &str) -> Option<&Transition> {
        if !self.is_closed(state) || state == self.archive_state {
            return None;
        }
        self.transition(state, &self.archive_state)
    }

    /// The transitions leaving `from` towards `to`, if the workflow has one.
    pub fn transition(&self, from: &str, to: &str) -> Option<&Transition> {
        // (See `Transition::role_needed` for a role that depends on the case.)
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
    /// When `role` is needed (procedure 000 step 4, approval "if
    /// required"): each field with the values that need it, all of them
    /// holding (`when = { priority = ["high", "urgent"] }`); empty: always.
    pub role_when: Vec<(String, Vec<Value>)>,
    pub requires: Vec<String>,
    pub sets: Vec<String>,
    /// Field holding a time; the step waits `non_response_days` business days after it.
    pub after: Option<String>,
    /// Top-level fields of the ended cycle that the step (a reopen) moves
    /// into a new entry of `cycles`, so the next cycle's steps set them anew
    /// and its guards never pass on the previous cycle's values.
    pub resets: Vec<String>,
}

impl Transition {
    /// The role this step needs for a case whose versions (before and
    /// after it) are `versions`: `role` when no `role_when` is given or
    /// when any version meets all of it (a step cannot dodge the approval
    /// by lowering the priority in the same change).
    pub fn role_needed(&self, versions: &[&Value]) -> Option<&str> {
        let role = self.role.as_deref()?;
        let meets = |d: &Value| {
            self.role_when
                .iter()
                .all(|(f, values)| crate::record::get_path(d, f).is_some_and(|v| values.contains(v)))
        };
        (self.role_when.is_empty() || versions.iter().any(|d| meets(d))).then_some(role)
    }

    /// `role_when` as people write it: "priority is high or urgent".
    pub fn role_condition(&self) -> Option<String> {
        if self.role_when.is_empty() {
            return None;
        }
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
        Some(
            self.role_when
                .iter()
                .map(|(f, vs)| format!("`{f}` is {}", vs.iter().map(text).collect::<Vec<_>>().join(" or ")))
                .collect::<Vec<_>>()
                .join(" and "),
        )
    }
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
    /// `within` business time from the start until `stop` is set.
    Within(Budgets),
    /// At most `every` business time between the latest start times.
    Every(Budgets),
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
pub fn load(root: &Path) -> Result<Config, ConfigErrors> {
    let path = root.join(CONFIG_FILE);
    let text = crate::files::read_to_string(root, &path, crate::files::SUPPORT_FILE_LIMIT).map_err(|e| {
        ConfigErrors::one(ConfigError {
            file: CONFIG_FILE.into(),
            line: 1,
            column: 1,
            message: format!("cannot read {}: {e}", path.display()),
            range: None,
            related: Vec::new(),
        })
    })?;
    parse(root, &text)
}

/// Validate the text of a casework.toml, collecting every error.
pub fn parse(root: &Path, text: &str) -> Result<Config, ConfigErrors> {
    let v = Validator {
        text,
        errors: RefCell::new(Vec::new()),
    };
    let fail = |errors: Vec<ConfigError>| ConfigErrors {
        errors,
        text: Some(text.to_string()),
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        fail(vec![v.error(&span, e.message().trim_end().to_string())])
    })?;
    let config = v.config(root, raw);
    let mut errors = v.errors.into_inner();
    if errors.is_empty() {
        return Ok(config);
    }
    errors.sort_by_key(|e| e.range.as_ref().map_or(0, |r| r.start));
    Err(fail(errors))
}

/// Turns spans into line:column and checks the cross-references. Each
/// check records its error and goes on with a stand-in value, so that one
/// run reports every error.
struct Validator<'a> {
    text: &'a str,
    errors: RefCell<Vec<ConfigError>>,
}

impl Validator<'_> {
    fn error(&self, span: &Range<usize>, message: String) -> ConfigError {
        let crate::diag::Pos { line, column } = crate::diag::line_col(self.text, span.start);
        ConfigError {
            file: CONFIG_FILE.into(),
            line,
            column,
            message,
            range: Some(span.clone()),
            related: Vec::new(),
        }
    }

    /// Record an error at `s`.
    fn fail<T>(&self, s: &S<T>, message: String) {
        self.errors.borrow_mut().push(self.error(&s.span(), message));
    }

    /// Record an error at `s` that also involves `other`.
    fn conflict<T, U>(&self, s: &S<T>, message: String, other: &S<U>, label: String) {
        let mut e = self.error(&s.span(), message);
        e.related.push((other.span(), label));
        self.errors.borrow_mut().push(e);
    }

    fn config(&self, root: &Path, raw: RawConfig) -> Config {
        let records_dir = match &raw.records.dir {
            Some(d) => self.relative_path(d, "records.dir").unwrap_or_else(|| "records".into()),
            None => "records".to_string(),
        };
        let register = match &raw.records.register {
            Some(r) => self
                .relative_path(r, "records.register")
                .unwrap_or_else(|| "disposals.csv".into()),
            None => "disposals.csv".to_string(),
        };
        let max_file_size = match &raw.records.max_file_size {
            None => DEFAULT_MAX_FILE_SIZE,
            Some(s) => {
                let size = match s.get_ref() {
                    raw::SizeValue::Bytes(b) => Some(*b),
                    raw::SizeValue::Text(t) => parse_size(t),
                };
                match size {
                    Some(0) => self.fail(s, "`records.max_file_size` must be above zero".into()),
                    None => self.fail(
                        s,
                        format!(
                            "`max_file_size` must be a number of bytes or a size such as \"1 MiB\", not {:?}",
                            match s.get_ref() {
                                raw::SizeValue::Text(t) => t.as_str(),
                                raw::SizeValue::Bytes(_) => "",
                            }
                        ),
                    ),
                    Some(_) => {}
                }
                size.unwrap_or(DEFAULT_MAX_FILE_SIZE)
            }
        };
        let calendar = self.calendar(&raw.calendar);

        let mut roles = BTreeMap::new();
        for (name, members) in &raw.roles {
            let mut set = BTreeSet::new();
            for m in members.get_ref() {
                if !m.get_ref().contains('@') {
                    self.fail(
                        m,
                        format!(
                            "role `{}` lists {:?}, which is not an email address",
                            name.get_ref(),
                            m.get_ref()
                        ),
                    );
                }
                set.insert(m.get_ref().to_ascii_lowercase());
            }
            roles.insert(name.get_ref().clone(), set);
        }

        let site = Site {
            title: raw.site.title.clone().unwrap_or_else(|| "Case records".into()),
            redact: raw.site.redact.iter().map(|r| r.get_ref().clone()).collect(),
            base_url: raw.site.base_url.clone(),
            archived_full: raw.site.archived.as_ref().is_some_and(|a| a.get_ref() == "full"),
        };
        if let Some(a) = &raw.site.archived
            && !matches!(a.get_ref().as_str(), "index" | "full")
        {
            self.fail(
                a,
                format!(
                    "`site.archived` is {:?}: it takes \"index\" (the default) or \"full\"",
                    a.get_ref()
                ),
            );
        }
        for r in &raw.site.redact {
            if r.get_ref().is_empty() || r.get_ref().split('.').any(str::is_empty) {
                self.fail(
                    r,
                    format!(
                        "`site.redact` entry {:?} is not a field path such as \"customer.contact\"",
                        r.get_ref()
                    ),
                );
            }
        }

        if raw.kinds.is_empty() {
            self.errors.borrow_mut().push(self.error(
                &(0..0),
                "no kinds are configured: add a [kinds.<name>] table (`casework init` writes the five default kinds)"
                    .into(),
            ));
        }
        let mut kinds = IndexMap::new();
        let mut prefixes: BTreeMap<String, (String, &S<String>)> = BTreeMap::new();
        for (name, rk) in &raw.kinds {
            let kind = self.kind(name, rk, &records_dir, &roles);
            match prefixes.get(&kind.prefix) {
                Some((other, at)) => self.conflict(
                    &rk.prefix,
                    format!("prefix `{}` is already used by kind `{other}`", kind.prefix),
                    at,
                    format!("kind `{other}` has prefix `{}` here", kind.prefix),
                ),
                None => {
                    prefixes.insert(kind.prefix.clone(), (kind.name.clone(), &rk.prefix));
                }
            }
            kinds.insert(kind.name.clone(), kind);
        }
        Config {
            root: root.to_path_buf(),
            records_dir,
            max_file_size,
            register,
            calendar,
            roles,
            site,
            kinds,
        }
    }

    fn relative_path(&self, s: &S<String>, key: &str) -> Option<String> {
        let p = s.get_ref().trim_end_matches('/');
        let bad =
            p.is_empty() || p.starts_with('/') || p.contains('\\') || p.split('/').any(|c| c == ".." || c.is_empty());
        if bad {
            self.fail(
                s,
                format!(
                    "`{key}` must be a relative path inside the root, such as \"records\"; got {:?}",
                    s.get_ref()
                ),
            );
            return None;
        }
        Some(p.to_string())
    }

    fn calendar(&self, raw: &raw::RawCalendar) -> Calendar {
        let mut cal = Calendar::default();
        if let Some(tz) = &raw.timezone {
            match tz.get_ref().parse() {
                Ok(zone) => cal.timezone = zone,
                Err(_) => self.fail(
                    tz,
                    format!(
                        "unknown timezone {:?}: use an IANA name such as \"UTC\" or \"Europe/Berlin\"",
                        tz.get_ref()
                    ),
                ),
            }
        }
        if let Some(days) = &raw.workdays {
            let mut workdays = [false; 7];
            let mut bad = false;
            for d in days.get_ref() {
                match d.get_ref().parse::<Weekday>() {
                    Ok(wd) => workdays[wd.num_days_from_monday() as usize] = true,
                    Err(_) => {
                        bad = true;
                        self.fail(
                            d,
                            format!(
                                "{:?} is not a weekday: use Mon, Tue, Wed, Thu, Fri, Sat or Sun",
                                d.get_ref()
                            ),
                        );
                    }
                }
            }
            if !workdays.contains(&true) && !bad {
                self.fail(
                    days,
                    "`calendar.workdays` is empty: list at least one working day".into(),
                );
            }
            if workdays.contains(&true) {
                cal.workdays = workdays;
            }
        }
        if let Some(h) = &raw.hours {
            let parsed = h.get_ref().split_once('-').and_then(|(a, b)| {
                let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").ok();
                Some((t(a)?, t(b)?))
            });
            match parsed {
                Some((open, close)) if open < close => cal.hours = Some((open, close)),
                _ => self.fail(
                    h,
                    format!(
                        "business hours {:?} are not of the form \"09:00-17:30\" (opening before closing, 24-hour times)",
                        h.get_ref()
                    ),
                ),
            }
        }
        for h in &raw.holidays {
            match NaiveDate::parse_from_str(h.get_ref(), "%Y-%m-%d") {
                Ok(date) => {
                    cal.holidays.insert(date);
                }
                Err(_) => self.fail(
                    h,
                    format!("holiday {:?} is not a date of the form YYYY-MM-DD", h.get_ref()),
                ),
            }
        }
        cal
    }

    /// An SLA budget as written: days, a duration, or a table by priority
    /// that must say what `normal` (no or another priority) gets.
    fn budgets(&self, v: &S<raw::BudgetValue>) -> Option<Budgets> {
        let bad = |text: &str| {
            format!(
                "{text:?} is not an SLA budget: give business days (2) or a duration such as \"4h\", \"30m\" or \"1h30m\""
            )
        };
        let one = |b: &raw::BudgetOne| -> Result<Budget, String> {
            match b {
                raw::BudgetOne::Days(n) => Ok(Budget::Days(*n)),
                raw::BudgetOne::Text(t) => parse_duration(t).ok_or_else(|| bad(t)),
            }
        };
        let result = match v.get_ref() {
            raw::BudgetValue::Days(n) => Ok(Budgets::one(Budget::Days(*n))),
            raw::BudgetValue::Text(t) => parse_duration(t).map(Budgets::one).ok_or_else(|| bad(t)),
            raw::BudgetValue::ByPriority(map) => {
                let mut by_priority = Vec::new();
                let mut error = None;
                for (p, b) in map {
                    match one(b) {
                        Ok(b) => by_priority.push((p.clone(), b)),
                        Err(e) => error = error.or(Some(format!("priority `{p}`: {e}"))),
                    }
                }
                match (error, by_priority.iter().find(|(p, _)| p == DEFAULT_PRIORITY)) {
                    (Some(e), _) => Err(e),
                    (None, Some((_, normal))) => Ok(Budgets {
                        normal: *normal,
                        by_priority,
                    }),
                    (None, None) => Err(format!(
                        "a budget by priority needs a `{DEFAULT_PRIORITY}` entry: it is the budget of a record with no `priority` or another one"
                    )),
                }
            }
        };
        result.map_err(|e| self.fail(v, e)).ok()
    }

    fn kind(
        &self,
        name: &S<String>,
        rk: &RawKind,
        records_dir: &str,
        roles: &BTreeMap<String, BTreeSet<String>>,
    ) -> Kind {
        let kname = name.get_ref().clone();
        if !is_ident(&kname) {
            self.fail(
                name,
                format!("kind name {kname:?} must be lower-case letters, digits, `_` or `-`"),
            );
        }
        let prefix = rk.prefix.get_ref().clone();
        if prefix.is_empty()
            || !prefix.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            || !prefix.as_bytes()[0].is_ascii_uppercase()
        {
            self.fail(
                &rk.prefix,
                format!(
                    "prefix {prefix:?} of kind `{kname}` must be upper-case letters and digits, starting with a letter"
                ),
            );
        }
        let digits = match &rk.digits {
            Some(d) if !(1..=9).contains(d.get_ref()) => {
                self.fail(d, "`digits` must be between 1 and 9".into());
                4
            }
            Some(d) => *d.get_ref() as usize,
            None => 4,
        };
        let default_dir = format!("{records_dir}/{kname}");
        let dir = match &rk.dir {
            Some(d) => match self.relative_path(d, "dir") {
                Some(dir) => {
                    // Records are found under records.dir only: a folder elsewhere would never be checked.
                    let inside = dir
                        .strip_prefix(records_dir)
                        .and_then(|r| r.strip_prefix('/'))
                        .is_some_and(|r| !r.contains('/'));
                    if !inside {
                        self.fail(d, format!("`dir` of kind `{kname}` must be a folder directly inside `{records_dir}/`, such as \"{records_dir}/{kname}\""));
                    }
                    dir
                }
                None => default_dir,
            },
            None => default_dir,
        };
        let default_schema = format!("schemas/{kname}.schema.json");
        let schema = match &rk.schema {
            Some(s) => self.relative_path(s, "schema").unwrap_or(default_schema),
            None => default_schema,
        };

        let mut states: Vec<String> = Vec::new();
        for s in rk.states.get_ref() {
            if !is_ident(s.get_ref()) {
                self.fail(
                    s,
                    format!(
                        "state name {:?} must be lower-case letters, digits, `_` or `-`",
                        s.get_ref()
                    ),
                );
            }
            if states.contains(s.get_ref()) {
                self.fail(s, format!("state `{}` is listed twice", s.get_ref()));
                continue;
            }
            states.push(s.get_ref().clone());
        }
        if states.is_empty() {
            self.fail(&rk.states, format!("kind `{kname}` has no states"));
            // A stand-in, so that the checks below have a first state.
            states.push(String::new());
        }
        let state = |s: &S<String>, what: &str| -> Option<String> {
            if states.contains(s.get_ref()) {
                Some(s.get_ref().clone())
            } else {
                self.fail(
                    s,
                    format!(
                        "{what} `{}` is not a state of kind `{kname}` (states: {})",
                        s.get_ref(),
                        states.join(", ")
                    ),
                );
                None
            }
        };
        let role = |r: &S<String>| -> Option<String> {
            if roles.contains_key(r.get_ref()) {
                Some(r.get_ref().clone())
            } else {
                let known: Vec<&str> = roles.keys().map(String::as_str).collect();
                self.fail(
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
                );
                None
            }
        };
        let field = |f: &S<String>| -> Option<String> {
            let ok = !f.get_ref().is_empty()
                && f.get_ref()
                    .split('.')
                    .all(|c| !c.is_empty() && (c == "*" || !c.contains(char::is_whitespace)));
            if ok {
                Some(f.get_ref().clone())
            } else {
                self.fail(
                    f,
                    format!("{:?} is not a field path such as \"closure.closed_at\"", f.get_ref()),
                );
                None
            }
        };
        // Every entry of a list checked, the valid ones kept.
        let fields = |list: &[S<String>]| -> Vec<String> { list.iter().filter_map(&field).collect() };

        let closed_states: Vec<String> = match &rk.closed_states {
            Some(list) => list.iter().filter_map(|s| state(s, "closed state")).collect(),
            None => states
                .iter()
                .rev()
                .take(2.min(states.len() - 1))
                .rev()
                .cloned()
                .collect(),
        };

        let errors_before = self.errors.borrow().len();
        let mut transitions: Vec<Transition> = Vec::new();
        let mut entries: Vec<&S<raw::RawTransition>> = Vec::new();
        for t in &rk.transitions {
            let rt = t.get_ref();
            let from: Vec<String> = rt
                .from
                .items()
                .into_iter()
                .filter_map(|s| state(&spanned(t, s), "transition source"))
                .collect();
            let role = rt.role.as_ref().and_then(&role);
            let mut role_when = Vec::new();
            if let Some(when) = &rt.when {
                if rt.role.is_none() {
                    self.fail(
                        when,
                        "`when` says when the transition's `role` is needed: give it a `role` too".to_string(),
                    );
                }
                for (k, v) in when.get_ref() {
                    let values = match v {
                        toml::Value::Array(items) => items.iter().collect::<Vec<_>>(),
                        one => vec![one],
                    };
                    let json: Vec<Value> = values
                        .into_iter()
                        .filter_map(|v| serde_json::to_value(v).ok())
                        .collect();
                    if json.is_empty() || json.iter().any(|v| v.is_object() || v.is_array()) {
                        self.fail(
                            when,
                            format!("`when.{k}` must be a value or a list of values (such as [\"high\", \"urgent\"])"),
                        );
                    } else {
                        role_when.push((k.clone(), json));
                    }
                }
            }
            let requires = fields(&rt.requires);
            let sets = fields(&rt.sets);
            let after = rt.after.as_ref().and_then(&field);
            let resets: Vec<String> = rt
                .resets
                .iter()
                .filter_map(|f| {
                    let name = f.get_ref();
                    let reserved = ["id", "kind", "title", "status", "opened", "owner", CYCLES];
                    if name.contains('.') || name.is_empty() || reserved.contains(&name.as_str()) {
                        self.fail(
                            f,
                            format!(
                                "{name:?} cannot be reset: `resets` names top-level fields of a cycle (such as \"resolution\"), never {}",
                                reserved.join(", ")
                            ),
                        );
                        None
                    } else {
                        Some(name.clone())
                    }
                })
                .collect();
            let Some(to) = state(&rt.to, "transition target") else {
                continue;
            };
            if from.contains(&to) {
                self.fail(&rt.to, format!("transition from `{to}` to itself"));
                continue;
            }
            let earlier = transitions
                .iter()
                .zip(&entries)
                .find(|(p, _)| p.to == to && p.from.iter().any(|f| from.contains(f)));
            if let Some((prev, at)) = earlier {
                let f = prev.from.iter().find(|f| from.contains(f)).cloned().unwrap_or_default();
                self.conflict(
                    t,
                    format!("transition `{f} -> {to}` is listed twice"),
                    *at,
                    format!("`{f} -> {to}` is first listed here"),
                );
                continue;
            }
            transitions.push(Transition {
                name: rt.name.clone(),
                from,
                to,
                role,
                role_when,
                requires,
                sets,
                after,
                resets,
            });
            entries.push(t);
        }
        // Every state but the first must be reachable, or records could never
        // enter it. A broken transition above would make this say it twice.
        if self.errors.borrow().len() == errors_before {
            for s in rk.states.get_ref().iter().skip(1) {
                if !transitions.iter().any(|t| &t.to == s.get_ref()) {
                    self.fail(
                        s,
                        format!(
                            "no transition leads to state `{}` of kind `{kname}`: add one under `transitions`",
                            s.get_ref()
                        ),
                    );
                }
            }
        }

        let non_response_days = rk.non_response_days.as_ref().map(|d| *d.get_ref()).unwrap_or(5);
        let mut time_guards = Vec::new();
        for g in &rk.time_guards {
            let rg = g.get_ref();
            let mut when = Vec::new();
            for (k, v) in &rg.when {
                match serde_json::to_value(v) {
                    Ok(json) => when.push((k.clone(), json)),
                    Err(e) => self.fail(g, format!("cannot use value of `{k}`: {e}")),
                }
            }
            let (Some(state), Some(since)) = (state(&rg.state, "time guard state"), field(&rg.since)) else {
                continue;
            };
            time_guards.push(TimeGuard {
                state,
                when,
                since,
                business_days: rg.business_days.unwrap_or(non_response_days),
            });
        }

        let mut field_roles = BTreeMap::new();
        for (f, r) in &rk.field_roles {
            if let Some(r) = role(r) {
                field_roles.insert(f.clone(), r);
            }
        }

        let mut sla = Vec::new();
        for c in &rk.sla {
            let rc = c.get_ref();
            let rule = match (&rc.within, &rc.every, &rc.deadline) {
                (Some(b), None, None) => self.budgets(b).map(SlaRule::Within),
                (None, Some(b), None) => self.budgets(b).map(SlaRule::Every),
                (None, None, Some(f)) => field(f).map(SlaRule::Deadline),
                _ => {
                    self.fail(
                        c,
                        format!(
                            "SLA clock `{}` needs exactly one of `within`, `every` or `deadline`",
                            rc.name.get_ref()
                        ),
                    );
                    None
                }
            };
            let start: Vec<String> = match &rc.start {
                Some(s) => s.items().into_iter().filter_map(|f| field(&spanned(c, f))).collect(),
                None => Vec::new(),
            };
            if rc.start.is_none() && rule.as_ref().is_some_and(|r| !matches!(r, SlaRule::Deadline(_))) {
                self.fail(c, format!("SLA clock `{}` needs a `start` field", rc.name.get_ref()));
            }
            let states_run = match &rc.states {
                Some(list) => list.iter().filter_map(|s| state(s, "SLA state")).collect(),
                None => states.iter().filter(|s| !closed_states.contains(s)).cloned().collect(),
            };
            let stop = rc.stop.as_ref().and_then(&field);
            let escalation = rc.escalation.as_ref().and_then(&field);
            let Some(rule) = rule else { continue };
            sla.push(SlaClock {
                name: rc.name.get_ref().clone(),
                start,
                stop,
                rule,
                states: states_run,
                escalation,
            });
        }

        let archive_state = match &rk.archive_state {
            Some(s) => state(s, "archive state").unwrap_or_default(),
            None => DEFAULT_ARCHIVE_STATE.to_string(),
        };
        let archive_role = match &rk.archive_role {
            Some(r) => role(r).unwrap_or_default(),
            None => DEFAULT_ARCHIVE_ROLE.to_string(),
        };
        let retention_from = rk.retention_from.as_ref().and_then(&field);
        let archivable = closed_states
            .iter()
            .any(|s| *s != archive_state && transitions.iter().any(|t| t.to == archive_state && t.from.contains(s)));
        let archive_after_days = match &rk.archive_after_days {
            // A kind that cannot archive has nothing to do automatically.
            None if archivable => DEFAULT_ARCHIVE_AFTER_DAYS,
            None => 0,
            Some(d) => {
                let days = *d.get_ref();
                if days > MAX_ARCHIVE_AFTER_DAYS {
                    self.fail(
                        d,
                        format!(
                            "`archive_after_days` of kind `{kname}` is {days}: at most {MAX_ARCHIVE_AFTER_DAYS} business days (0 turns automatic archiving off)"
                        ),
                    );
                    0
                } else if days > 0 && !archivable {
                    self.fail(
                        d,
                        format!(
                            "kind `{kname}` archives after {days} business days, but no transition leads from a closed state ({}) to its archive state `{archive_state}`: add one under `transitions`, or set `archive_after_days = 0`",
                            closed_states.join(", ")
                        ),
                    );
                    0
                } else {
                    days
                }
            }
        };
        let escalate_to = rk.escalate_to.as_ref().and_then(|e| {
            let who = e.get_ref().trim();
            if who.is_empty() || who.chars().any(char::is_control) {
                self.fail(
                    e,
                    format!(
                        "`escalate_to` of kind `{kname}` must name who overdue cases go to, on one line (such as \"m.jones@example.com\"); got {:?}",
                        e.get_ref()
                    ),
                );
                return None;
            }
            if !sla.iter().any(|c| c.escalation.is_some()) {
                self.fail(
                    e,
                    format!(
                        "kind `{kname}` has `escalate_to`, but none of its SLA clocks names an `escalation` field to write it in: add `escalation = \"escalated_to\"` to a clock under `sla`"
                    ),
                );
                return None;
            }
            Some(who.to_string())
        });
        let satisfaction = rk.satisfaction.as_ref().and_then(|f| {
            let field = f.get_ref().trim();
            if field.is_empty() || field.split('.').any(|p| p.is_empty() || p.contains(char::is_whitespace)) {
                self.fail(
                    f,
                    format!(
                        "`satisfaction` of kind `{kname}` must name the list of stakeholders' feedback, a field path such as \"stakeholder_feedback\"; got {:?}",
                        f.get_ref()
                    ),
                );
                return None;
            }
            Some(field.to_string())
        });

        Kind {
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
            retention_from,
            archive_state,
            archive_role,
            non_response_days,
            archive_after_days,
            escalate_to,
            satisfaction,
            transitions,
            time_guards,
            field_roles,
            sla,
        }
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

    fn errs(text: &str) -> Vec<ConfigError> {
        parse(Path::new("/r"), text)
            .expect_err("config should be rejected")
            .errors
    }

    fn err(text: &str) -> ConfigError {
        errs(text).remove(0)
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
        assert_eq!(
            err(&format!(
                "{}{MINIMAL}",
                "[calendar]\nworkdays = [\"Mon\", \"Funday\"]\n"
            ))
            .column,
            20
        );
        assert!(
            err(&format!("{}{MINIMAL}", "[calendar]\ntimezone = \"Mars/Olympus\"\n"))
                .message
                .contains("unknown timezone")
        );
        assert!(
            err(&format!("{}{MINIMAL}", "[calendar]\nholidays = [\"2026-13-01\"]\n"))
                .message
                .contains("YYYY-MM-DD")
        );
        assert!(
            err(&format!("{}{MINIMAL}", "[records]\nmax_file_size = \"lots\"\n"))
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

    #[test]
    fn every_validation_error_is_collected_in_file_order() {
        let text = MINIMAL
            .replace("role = \"manager\"", "role = \"boss\"")
            .replace("manager = [\"m@example.com\"]", "manager = [\"nobody\"]")
            .replace("prefix = \"NOTE\"", "prefix = \"NOTE\"\ndigits = 12");
        let e = errs(&text);
        let found: Vec<(usize, &str)> = e.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].0 == 3 && found[0].1.contains("not an email address"),
            "{found:?}"
        );
        assert!(found[1].0 == 7 && found[1].1.contains("`digits`"), "{found:?}");
        assert!(found[2].0 == 9 && found[2].1.contains("role `boss`"), "{found:?}");
    }

    #[test]
    fn resets_name_top_level_fields_other_than_the_records_identity() {
        let with = |resets: &str| {
            MINIMAL.replace(
                "role = \"manager\" }",
                &format!("role = \"manager\", resets = {resets} }}"),
            )
        };
        let c = parse(Path::new("/r"), &with(r#"["resolution"]"#)).unwrap();
        assert_eq!(c.kinds["note"].transitions[0].resets, ["resolution"]);
        for bad in [r#"["status"]"#, r#"["cycles"]"#, r#"["closure.closed_at"]"#] {
            let e = err(&with(bad));
            assert!(e.message.contains("cannot be reset"), "{bad}: {}", e.message);
            assert_eq!(e.line, 8, "{bad}");
        }
    }

    #[test]
    fn a_conflict_names_both_places() {
        let text = format!("{MINIMAL}\n[kinds.memo]\nprefix = \"NOTE\"\nstates = [\"open\"]\n");
        let e = err(&text);
        assert!(e.message.contains("already used by kind `note`"), "{}", e.message);
        let (first, label) = &e.related[0];
        assert_eq!(&text[first.clone()], "\"NOTE\"");
        assert!(first.start < e.range.clone().unwrap().start);
        assert!(label.contains("kind `note`"), "{label}");
    }

    #[test]
    fn policy_keys_default_to_archived_and_records() {
        let c = parse(Path::new("/r"), MINIMAL).unwrap();
        let k = &c.kinds["note"];
        assert_eq!(
            (k.archive_state.as_str(), k.archive_role.as_str()),
            ("archived", "records")
        );
        assert_eq!(k.retention_from, None);
        let c = parse(Path::new("/r"), Config::default_toml()).unwrap();
        assert_eq!(
            c.kinds["complaint"].retention_from.as_deref(),
            Some("closure.closed_at")
        );
        assert_eq!(c.kinds["order"].retention_from.as_deref(), Some("closed_at"));
    }

    #[test]
    fn archive_after_days_defaults_to_30_where_a_kind_can_archive_and_is_checked() {
        let c = parse(Path::new("/r"), Config::default_toml()).unwrap();
        assert!(
            c.kinds
                .values()
                .all(|k| k.archive_after_days == DEFAULT_ARCHIVE_AFTER_DAYS)
        );
        assert_eq!(c.kinds["feedback"].escalate_to.as_deref(), Some("m.jones@example.com"));
        // A kind with no archive state archives nothing, and says so only when asked to.
        assert_eq!(
            parse(Path::new("/r"), MINIMAL).unwrap().kinds["note"].archive_after_days,
            0
        );
        let e = err(&MINIMAL.replace("prefix = \"NOTE\"", "prefix = \"NOTE\"\narchive_after_days = 5"));
        assert_eq!((e.line, e.column), (7, 22));
        assert!(
            e.message.contains("no transition leads from a closed state"),
            "{}",
            e.message
        );
        let text = Config::default_toml().replace(
            "retention_from = \"closure.closed_at\"",
            "retention_from = \"closure.closed_at\"\narchive_after_days = 10001",
        );
        assert!(err(&text).message.contains("at most 10000"));
        let off = Config::default_toml().replace(
            "retention_from = \"closure.closed_at\"",
            "retention_from = \"closure.closed_at\"\narchive_after_days = 0",
        );
        assert_eq!(
            parse(Path::new("/r"), &off).unwrap().kinds["complaint"].archive_after_days,
            0
        );
    }

    #[test]
    fn escalate_to_needs_a_clock_with_an_escalation_field_and_one_line() {
        let text = Config::default_toml().replace(
            "retention_from = \"closure.closed_at\"",
            "retention_from = \"closure.closed_at\"\nescalate_to = \"boss@example.com\"",
        );
        let e = err(&text);
        assert!(
            e.message.contains("none of its SLA clocks names an `escalation`"),
            "{}",
            e.message
        );
        let text = Config::default_toml().replace("escalate_to = \"m.jones@example.com\"", "escalate_to = \"a\\nb\"");
        assert!(err(&text).message.contains("on one line"));
    }
}
