//! The rules of a kind's workflow that a JSON Schema cannot express: who may
//! appear in a field, and how long a record must wait before a state.
//! Pure functions, no I/O.

use crate::calendar::parse_time;
use crate::config::{Config, Kind};
use crate::record::get_path;
use chrono::{DateTime, Utc};
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
        match get_path(data, &g.since).and_then(parse_time) {
            None => out.push(Unmet {
                field,
                message: format!("status `{status}` with {condition} needs the time `{}`", g.since),
            }),
            Some(since) => {
                let passed = config.calendar.business_days_between(since, at);
                if passed < i64::from(g.business_days) {
                    out.push(Unmet {
                        field,
                        message: format!(
                            "status `{status}` with {condition} is allowed only {} business days after `{}` ({}); {passed} have passed",
                            g.business_days,
                            g.since,
                            config.calendar.local_date(since)
                        ),
                    });
                }
            }
        }
    }
    out
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
}
