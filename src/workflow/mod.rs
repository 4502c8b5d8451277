//! The rules of a kind's workflow that a JSON Schema cannot express: who may
//! appear in a field, and how long a record must wait before a state.
//! Pure functions, no I/O.

use crate::config::{CYCLES, Config, Kind, Transition};
use crate::diag::Code;
use crate::record::get_path;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

/// An unmet rule: the dotted field to point at and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmet {
    pub field: String,
    pub message: String,
}

/// Fields whose value must be a member of a role (`closure.approved_by` is a manager).
pub fn field_roles(config: &Config, kind: &Kind, data: &Value) -> Vec<Unmet> {
    let mut out = Vec::new();
    for (field, role) in &kind.field_roles {
        if let Some(Value::String(who)) = get_path(data, field)
            && !config.has_role(role, who)
        {
            out.push(Unmet {
                field: field.clone(),
                message: format!("`{field}` is {who}, who is not in role `{role}` in casework.toml"),
            });
        }
    }
    out
}

/// Time guards of the record's state, judged at `at` (now in the working
/// tree; the commit's time in history checks).
pub fn time_guards(config: &Config, kind: &Kind, data: &Value, at: DateTime<Utc>) -> Vec<Unmet> {
    let status = data.get("status").and_then(Value::as_str).unwrap_or_default();
    // A time from an ended cycle never satisfies a guard of this one.
    let start = cycle_start(config, data);
    let mut out = Vec::new();
    for g in kind.time_guards.iter().filter(|g| g.state == status) {
        let applies = g.when.iter().all(|(f, v)| get_path(data, f) == Some(v));
        if !applies {
            continue;
        }
        let condition = g
            .when
            .iter()
            .map(|(f, v)| format!("`{f}` is {v}"))
            .collect::<Vec<_>>()
            .join(" and ");
        let field = g.when.first().map_or_else(|| "status".to_string(), |(f, _)| f.clone());
        match get_path(data, &g.since).and_then(|v| config.calendar.time_of(v)) {
            None => out.push(Unmet {
                field,
                message: format!("status `{status}` with {condition} needs the time `{}`", g.since),
            }),
            Some(since) if start.is_some_and(|start| since < start) => out.push(Unmet {
                field,
                message: format!(
                    "status `{status}` with {condition} counts from `{}`, but its time {} is from before the case was reopened ({}): the current cycle's is needed",
                    g.since,
                    config.calendar.local_date(since),
                    start.map(|t| config.calendar.local_date(t).to_string()).unwrap_or_default()
                ),
            }),
            Some(since) => {
                let passed = config.calendar.business_days_between(since, at);
                if passed < i64::from(g.business_days) {
                    out.push(Unmet {
                        field,
                        message: format!(
                            "status `{status}` with {condition} is {}",
                            wait(config, g.business_days, &g.since, since, passed, "has")
                        ),
                    });
                }
            }
        }
    }
    out
}

/// "allowed from 2026-03-09 (5 business days after `resolution.notified_at`,
/// 2026-03-02); 1 business day has passed": the day the wait ends first,
/// since that is what a handler plans by.
fn wait(config: &Config, days: u32, field: &str, since: DateTime<Utc>, passed: i64, tense: &str) -> String {
    let cal = &config.calendar;
    let plural = |n: i64| if n == 1 { "business day" } else { "business days" };
    let verb = if passed == 1 {
        tense
    } else if tense == "has" {
        "have"
    } else {
        tense
    };
    format!(
        "allowed from {} ({days} {} after `{field}`, {}); {passed} {} {verb} passed",
        cal.add_business_days(since, days),
        plural(i64::from(days)),
        cal.local_date(since),
        plural(passed)
    )
}

/// A change of one record between two versions, as history sees it.
pub struct Change<'a> {
    pub kind: &'a Kind,
    /// Front-matter before the change (`None`: the record is new).
    pub old: Option<&'a Value>,
    /// Front-matter after it (`None`: the record was removed).
    pub new: Option<&'a Value>,
    /// Folders (relative to the root) of the file before and after.
    pub old_dir: Option<&'a str>,
    pub new_dir: Option<&'a str>,
    /// Email of the commit's author.
    pub author: &'a str,
    /// The commit's time: time guards are judged at it.
    pub at: DateTime<Utc>,
    /// Whether the record's ID entered the disposal register in the same commit.
    pub disposed: bool,
    /// Whether the change gives the record a new ID that no other record
    /// has (`casework renumber` after two branches took the same one): the
    /// one change of `id` that is allowed.
    pub renumbered: bool,
}

/// A rule a change breaks, with the diagnostic code it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub code: Code,
    /// Dotted field to point at in the new version (`None`: no position).
    pub field: Option<String>,
    pub message: String,
}

/// The last day `kind` keeps a record archived at `archived_at`: the date
/// of its closure (the kind's `retention_from` field, else the archive
/// time) in the calendar's zone, plus the kind's retention in years. A
/// missing or unreadable closure time counts from the archive time.
pub fn retain_until(config: &Config, kind: &Kind, data: &Value, archived_at: DateTime<Utc>) -> NaiveDate {
    let closed = kind
        .retention_from
        .as_deref()
        .and_then(|f| get_path(data, f))
        .and_then(|v| config.calendar.time_of(v))
        .unwrap_or(archived_at);
    let day = config.calendar.local_date(closed);
    day.checked_add_months(chrono::Months::new(12 * kind.retention_years))
        .unwrap_or(day)
}

/// Judge one change against the kind's lifecycle rules (SPEC section 7).
/// Guards of the new state (the schema) are checked by the caller.
pub fn judge(config: &Config, c: &Change) -> Vec<Violation> {
    let mut out = Vec::new();
    let v = |code, field: Option<&str>, message: String| Violation {
        code,
        field: field.map(str::to_string),
        message,
    };
    let status = |x: Option<&Value>| {
        x.and_then(|d| d.get("status"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let kind = c.kind;
    match (c.old, c.new) {
        (None, None) => {}
        (None, Some(new)) => {
            // A tracker's cases come in any state, through `casework import`
            // by the records team: the marker says so, the role allows it.
            let imported = new.get("imported").is_some_and(Value::is_object);
            if let Some(s) = status(c.new).filter(|s| s != kind.first_state()) {
                if !imported {
                    out.push(v(
                        Code::Transition,
                        Some("status"),
                        format!(
                            "a new {} starts in `{}`, not `{s}` (cases in later states come in through `casework import`)",
                            kind.name,
                            kind.first_state()
                        ),
                    ));
                } else if !config.has_role(&kind.archive_role, c.author) {
                    let id = new.get("id").and_then(Value::as_str).unwrap_or("the record");
                    let who = if c.author.is_empty() {
                        "an unknown user"
                    } else {
                        c.author
                    };
                    out.push(v(
                        Code::Role,
                        Some("status"),
                        format!(
                            "{id} is imported in state `{s}` by {who}, who is not in the `{}` role: only that role brings cases in past `{}`",
                            kind.archive_role,
                            kind.first_state()
                        ),
                    ));
                }
            }
        }
        (Some(old), None) => {
            if !c.disposed {
                let id = old.get("id").and_then(Value::as_str).unwrap_or("the record");
                out.push(v(
                    Code::Deleted,
                    None,
                    format!(
                        "{id} was removed without an entry in the disposal register ({}) in this commit: restore the file, or dispose of the record by hand, adding its line (id,kind,opened,closed,archived,disposed_at,reason,by) to the register in the commit that removes it",
                        config.register
                    ),
                ));
            } else {
                // Disposal is the archive role's act, as `casework dispose`
                // requires. (A record opened in error may be disposed of by
                // hand before it is archived, so the state is not judged.)
                let id = old.get("id").and_then(Value::as_str).unwrap_or("the record");
                if !config.has_role(&kind.archive_role, c.author) {
                    out.push(v(
                        Code::Role,
                        None,
                        format!(
                            "{id} was disposed of by {}, who is not in the `{}` role",
                            c.author, kind.archive_role
                        ),
                    ));
                }
            }
        }
        (Some(old), Some(new)) => {
            for field in ["id", "kind", "opened"] {
                if old.get(field) != new.get(field) && !(field == "id" && c.renumbered) {
                    out.push(v(
                        Code::Immutable,
                        Some(field),
                        format!(
                            "`{field}` never changes once a record exists: it was {}, now {}",
                            show(old.get(field)),
                            show(new.get(field))
                        ),
                    ));
                }
            }
            if let (Some(a), Some(b)) = (c.old_dir, c.new_dir)
                && a != b
            {
                out.push(v(
                    Code::Immutable,
                    Some("kind"),
                    format!("a record never moves to another kind's folder: `{a}/` to `{b}/`"),
                ));
            }
            let (from, to) = (status(Some(old)), status(Some(new)));
            // Any change to the file counts, body included: history passes only changed files.
            if from.as_deref() == Some(kind.archive_state.as_str()) && !config.has_role(&kind.archive_role, c.author) {
                out.push(v(
                    Code::ArchivedModified,
                    None,
                    format!(
                        "an archived record is changed only by the `{}` role; {} is not in it",
                        kind.archive_role, c.author
                    ),
                ));
            }
            // A status that is no state (or none) is judged too: a detour through
            // `limbo` must not skip the workflow.
            let (from, to) = (from.unwrap_or_default(), to.unwrap_or_default());
            if from != to {
                out.extend(judge_transition(
                    config,
                    kind,
                    &from,
                    &to,
                    Some(old),
                    new,
                    c.author,
                    c.at,
                ));
            }
        }
    }
    out
}

/// The entry of `cycles` that step `t` from state `from` adds at `at`: the
/// ended cycle's fields the step resets and the values of the fields it
/// requires (the previous `reopen_reason`), which the new cycle gives anew.
/// Returns the entry and the fields it moved; `None` when the step resets
/// nothing or the record holds none of them.
pub fn ended_cycle(t: &Transition, from: &str, data: &Value, at: DateTime<Utc>) -> Option<(Value, Vec<String>)> {
    let moved: serde_json::Map<String, Value> = cycle_fields(t)
        .filter_map(|f| data.get(f).map(|v| (f.to_string(), v.clone())))
        .collect();
    if moved.is_empty() {
        return None;
    }
    let fields = moved.keys().cloned().collect();
    let mut entry = serde_json::Map::new();
    entry.insert(
        "reopened_at".into(),
        Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    entry.insert("from".into(), Value::String(from.to_string()));
    entry.extend(moved);
    Some((Value::Object(entry), fields))
}

/// When the record's current cycle began: the time of its latest reopen.
pub fn cycle_start(config: &Config, data: &Value) -> Option<DateTime<Utc>> {
    data.get(CYCLES)?
        .as_array()?
        .iter()
        .filter_map(|e| e.get("reopened_at").and_then(|v| config.calendar.time_of(v)))
        .max()
}

/// The top-level fields a cycle-starting step moves into `cycles`.
fn cycle_fields(t: &Transition) -> impl Iterator<Item = &str> {
    let requires = t.requires.iter().filter(|f| !f.contains('.') && !t.resets.is_empty());
    t.resets.iter().chain(requires).map(String::as_str)
}

/// Whether `from -> to` is allowed for this author at this time with this
/// content; `old` is the front-matter before the step, where one is known.
#[allow(clippy::too_many_arguments)]
pub fn judge_transition(
    config: &Config,
    kind: &Kind,
    from: &str,
    to: &str,
    old: Option<&Value>,
    new: &Value,
    author: &str,
    at: DateTime<Utc>,
) -> Vec<Violation> {
    let v = |code, field: &str, message: String| Violation {
        code,
        field: Some(field.to_string()),
        message,
    };
    let Some(t) = kind.transition(from, to) else {
        let allowed: Vec<&str> = kind.next_states(from).iter().map(|t| t.to.as_str()).collect();
        let allowed = if allowed.is_empty() {
            "none".to_string()
        } else {
            allowed.join(", ")
        };
        return vec![v(
            Code::Transition,
            "status",
            format!(
                "`{from} -> {to}` is not a transition of kind `{}` (from `{from}`: {allowed})",
                kind.name
            ),
        )];
    };
    let mut out = Vec::new();
    if let Some(old) = old {
        out.extend(stale_cycle(t, from, old, new));
    }
    // A step's own times belong to the current cycle.
    if let Some(start) = cycle_start(config, new) {
        for field in &t.sets {
            if let Some(time) = get_path(new, field).and_then(|v| config.calendar.time_of(v))
                && time < start
            {
                out.push(v(
                    Code::Transition,
                    field,
                    format!(
                        "`{field}` ({}) is from before the case was reopened ({}): `{from} -> {to}` sets it anew",
                        config.calendar.local_date(time),
                        config.calendar.local_date(start)
                    ),
                ));
            }
        }
    }
    let versions: Vec<&Value> = old.into_iter().chain(std::iter::once(new)).collect();
    if let Some(role) = t.role_needed(&versions)
        && !config.has_role(role, author)
    {
        let when = t.role_condition().map(|c| format!(" when {c}")).unwrap_or_default();
        out.push(v(
            Code::Role,
            "status",
            format!("`{from} -> {to}` needs the `{role}` role{when}; {author} is not in it"),
        ));
    }
    for field in &t.requires {
        if get_path(new, field).is_none_or(|x| x.is_null() || x == &Value::String(String::new())) {
            let name = t.name.as_deref().unwrap_or("this transition");
            out.push(v(
                Code::Transition,
                "status",
                format!("{name} (`{from} -> {to}`) needs `{field}`"),
            ));
        }
    }
    if kind.is_closed(to) && to != kind.archive_state {
        out.extend(
            unsatisfied(config, kind, new)
                .into_iter()
                .map(|m| v(Code::Transition, "status", format!("`{from} -> {to}`: {m}"))),
        );
    }
    if let Some(field) = &t.after {
        let days = kind.non_response_days;
        match get_path(new, field).and_then(|v| config.calendar.time_of(v)) {
            None => out.push(v(
                Code::Transition,
                "status",
                format!("`{from} -> {to}` needs the time `{field}`"),
            )),
            Some(since) => {
                let passed = config.calendar.business_days_between(since, at);
                if passed < i64::from(days) {
                    out.push(v(
                        Code::Transition,
                        "status",
                        format!(
                            "`{from} -> {to}` is {}",
                            wait(config, days, field, since, passed, "had")
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Why a case of `kind` may not close yet: each stakeholder whose latest
/// feedback in the kind's `satisfaction` list says `satisfied: false` (the
/// latest by `at`, then by place in the list).
/// Procedure 002 step 7: the way on is reopening or escalating.
pub fn unsatisfied(config: &Config, kind: &Kind, data: &Value) -> Vec<String> {
    let Some(field) = &kind.satisfaction else {
        return Vec::new();
    };
    let Some(Value::Array(items)) = get_path(data, field) else {
        return Vec::new();
    };
    // Stakeholder, (time, position), the entry.
    type Latest<'a> = (&'a str, (Option<DateTime<Utc>>, usize), &'a Value);
    let mut latest: Vec<Latest> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(who) = item.get("stakeholder").and_then(Value::as_str) else {
            continue;
        };
        let key = (item.get("at").and_then(|a| config.calendar.time_of(a)), i);
        match latest.iter_mut().find(|(w, _, _)| *w == who) {
            Some(entry) if entry.1 <= key => *entry = (who, key, item),
            Some(_) => {}
            None => latest.push((who, key, item)),
        }
    }
    latest
        .iter()
        .filter(|(_, _, item)| item.get("satisfied") == Some(&Value::Bool(false)))
        .map(|(who, (at, _), item)| {
            let when = at.map(|t| format!(" on {}", config.calendar.local_date(t))).unwrap_or_default();
            let said = item
                .get("comment")
                .and_then(Value::as_str)
                .map(|c| format!(" (\"{c}\")"))
                .unwrap_or_default();
            format!(
                "{who} said{when} they are not satisfied{said}: a case closes once every stakeholder's latest feedback in `{field}` is satisfied; reopen or escalate it instead"
            )
        })
        .collect()
}

/// A step that starts a new cycle (a reopen) must leave none of the ended
/// cycle's values in place, or the next closure would pass on them: its
/// reset fields gone, its required fields given anew, and the ended cycle
/// kept as a new entry of `cycles`.
fn stale_cycle(t: &Transition, from: &str, old: &Value, new: &Value) -> Vec<Violation> {
    let name = t.name.as_deref().unwrap_or("this transition");
    let step = format!("{name} (`{from} -> {}`)", t.to);
    let mut out = Vec::new();
    let mut moved = Vec::new();
    for f in cycle_fields(t) {
        let Some(was) = old.get(f) else { continue };
        moved.push(format!("`{f}`"));
        if new.get(f) != Some(was) {
            continue;
        }
        let message = if t.resets.iter().any(|r| r == f) {
            format!(
                "{step} starts a new cycle, but `{f}` still holds the ended cycle's value: move it into a new entry of `{CYCLES}` (`casework transition` does this), so the next steps set it anew"
            )
        } else {
            format!(
                "{step} needs a new `{f}`: this one is the previous reopen's; move it into the new entry of `{CYCLES}`"
            )
        };
        out.push(Violation {
            code: Code::Transition,
            field: Some(f.to_string()),
            message,
        });
    }
    let entries = |d: &Value| d.get(CYCLES).and_then(Value::as_array).map_or(0, Vec::len);
    if !moved.is_empty() && entries(new) <= entries(old) {
        out.push(Violation {
            code: Code::Transition,
            field: Some("status".into()),
            message: format!(
                "{step} starts a new cycle: keep the ended cycle ({}) as a new entry of `{CYCLES}`",
                moved.join(", ")
            ),
        });
    }
    out
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "missing".to_string(), Value::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;
    use serde_json::json;
    use std::path::Path;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn no_response_waits_five_business_days() {
        let c = parse(Path::new("/r"), Config::default_toml()).unwrap();
        let k = &c.kinds["request"];
        let rec = json!({"status": "closed", "resolution": {"notified_at": "2026-11-16T10:00:00Z"}, "confirmation": {"outcome": "no_response"}});
        // Mon 16th + 5 business days = Mon 23rd
        assert_eq!(time_guards(&c, k, &rec, t("2026-11-20T10:00:00Z")).len(), 1);
        assert!(time_guards(&c, k, &rec, t("2026-11-23T08:00:00Z")).is_empty());
        let confirmed = json!({"status": "closed", "confirmation": {"outcome": "confirmed"}});
        assert!(time_guards(&c, k, &confirmed, t("2026-11-16T10:00:00Z")).is_empty());
    }

    #[test]
    fn approver_must_be_manager() {
        let c = parse(Path::new("/r"), Config::default_toml()).unwrap();
        let k = &c.kinds["incident"];
        assert!(field_roles(&c, k, &json!({"closure": {"approved_by": "M.Jones@example.com"}})).is_empty());
        let bad = field_roles(&c, k, &json!({"closure": {"approved_by": "j.smith@example.com"}}));
        assert_eq!(bad[0].field, "closure.approved_by");
    }

    #[test]
    fn retention_counts_from_the_closure_date_in_the_calendars_zone() {
        let toml = Config::default_toml().replace("timezone = \"UTC\"", "timezone = \"America/New_York\"");
        let c = parse(Path::new("/r"), &toml).unwrap();
        let k = &c.kinds["complaint"];
        let archived = t("2027-03-01T12:00:00Z");
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let closed = json!({"closure": {"closed_at": "2027-01-01T04:30:00Z"}});
        assert_eq!(retain_until(&c, k, &closed, archived), day("2028-12-31"));
        let date_only = json!({"closure": {"closed_at": "2026-12-31"}});
        assert_eq!(retain_until(&c, k, &date_only, archived), day("2028-12-31"));
        // No closure time: from the archive time.
        assert_eq!(retain_until(&c, k, &json!({}), archived), day("2029-03-01"));
    }
}
