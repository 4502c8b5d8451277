//! Fields kept off the published site.
//!
//! `[site] redact` in casework.toml lists dotted field paths, such as
//! `customer.contact`, `stakeholders.*.email` or `*.phone`: a segment is an
//! object key or a list index, and `*` stands for any one of either. A
//! field is redacted when a pattern names it or any field that holds it
//! (with `customer` redacted, `customer.name` is too), so nothing under a
//! redacted field can leak by another route. Keys that contain a `.`
//! cannot be named. Empty patterns and empty segments match nothing, so a
//! typo such as `customer.` hides nothing rather than everything.

use serde_json::Value;

/// Removes every field that a pattern names from `value`: object keys are
/// removed, and a list item named by its index (or by `*`) is removed
/// from the list. Indexes are those of the list before any removal, so
/// `list.0` and `list.1` together remove the first two items.
pub fn redact(value: &mut Value, patterns: &[String]) {
    let live: Vec<Vec<&str>> = patterns.iter().map(|p| segments(p)).filter(|s| !s.is_empty()).collect();
    let live: Vec<&[&str]> = live.iter().map(Vec::as_slice).collect();
    prune(value, &live);
}

/// Whether the field at the concrete dotted `path` (list indexes as
/// numbers: `stakeholders.0.email`) is redacted by `patterns`: a pattern
/// names it or one of the fields that hold it.
pub fn is_redacted(path: &str, patterns: &[String]) -> bool {
    let path: Vec<&str> = path.split('.').collect();
    patterns.iter().any(|p| {
        let p = segments(p);
        !p.is_empty() && p.len() <= path.len() && p.iter().zip(&path).all(|(p, s)| matches(p, s))
    })
}

/// A pattern's segments; none when it is empty or has an empty segment.
fn segments(pattern: &str) -> Vec<&str> {
    let segments: Vec<&str> = pattern.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        Vec::new()
    } else {
        segments
    }
}

fn matches(pattern: &str, segment: &str) -> bool {
    pattern == "*" || pattern == segment
}

/// Removes from `value` the children that a pattern in `live` ends at, and
/// goes on into those where some pattern continues. Each pattern in `live`
/// is the rest still to match below `value`, never empty.
fn prune(value: &mut Value, live: &[&[&str]]) {
    if live.is_empty() {
        return;
    }
    // What happens to the child called `key`: removed, or the patterns
    // that go on below it.
    let below = |key: &str| -> Option<Vec<&[&str]>> {
        let mut rest = Vec::new();
        for pattern in live {
            if matches(pattern[0], key) {
                if pattern.len() == 1 {
                    return None;
                }
                rest.push(&pattern[1..]);
            }
        }
        Some(rest)
    };
    match value {
        Value::Object(map) => map.retain(|key, child| match below(key) {
            None => false,
            Some(rest) => {
                prune(child, &rest);
                true
            }
        }),
        Value::Array(items) => {
            let mut index = 0;
            items.retain_mut(|child| {
                let keep = match below(&index.to_string()) {
                    None => false,
                    Some(rest) => {
                        prune(child, &rest);
                        true
                    }
                };
                index += 1;
                keep
            });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{is_redacted, redact};
    use serde_json::{Value, json};

    fn patterns(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    fn redacted(mut value: Value, p: &[&str]) -> Value {
        redact(&mut value, &patterns(p));
        value
    }

    fn record() -> Value {
        json!({
            "id": "CMP-2026-0001",
            "customer": {"name": "Ada", "contact": {"email": "ada@example.com", "phone": "1"}},
            "stakeholders": [
                {"name": "Bo", "email": "bo@example.com"},
                {"name": "Cy", "email": "cy@example.com", "phone": "2"}
            ],
            "phone": "3",
            "tags": ["a", "b", "c"]
        })
    }

    #[test]
    fn a_dotted_path_removes_one_nested_key() {
        let v = redacted(record(), &["customer.contact"]);
        assert_eq!(v["customer"], json!({"name": "Ada"}));
        assert_eq!(v["stakeholders"], record()["stakeholders"]);
    }

    #[test]
    fn a_top_level_key_removes_everything_under_it() {
        let v = redacted(record(), &["customer"]);
        assert!(v.get("customer").is_none());
        assert_eq!(v["id"], "CMP-2026-0001");
    }

    #[test]
    fn a_star_matches_every_list_item() {
        let v = redacted(record(), &["stakeholders.*.email"]);
        assert_eq!(v["stakeholders"], json!([{"name": "Bo"}, {"name": "Cy", "phone": "2"}]));
    }

    #[test]
    fn a_star_at_the_start_matches_any_top_level_key() {
        let v = redacted(record(), &["*.phone"]);
        assert!(v["customer"]["contact"].get("phone").is_some(), "one level only");
        assert_eq!(v["phone"], "3", "`*.phone` needs a field above phone");
        let v = redacted(record(), &["*.contact.phone", "*.*.phone"]);
        assert!(v["customer"]["contact"].get("phone").is_none());
        assert!(v["stakeholders"][1].get("phone").is_none());
        assert_eq!(v["stakeholders"][1]["name"], "Cy");
    }

    #[test]
    fn a_list_index_removes_that_item_counted_before_removal() {
        let v = redacted(record(), &["tags.0", "tags.1"]);
        assert_eq!(v["tags"], json!(["c"]));
        let v = redacted(record(), &["stakeholders.1"]);
        assert_eq!(v["stakeholders"], json!([{"name": "Bo", "email": "bo@example.com"}]));
        let v = redacted(record(), &["tags.*"]);
        assert_eq!(v["tags"], json!([]));
    }

    #[test]
    fn nested_lists_are_matched_by_index_and_star() {
        let v = json!({"grid": [[{"x": 1, "y": 2}, {"x": 3}], [{"x": 4, "y": 5}]]});
        assert_eq!(
            redacted(v.clone(), &["grid.*.*.y"]),
            json!({"grid": [[{"x": 1}, {"x": 3}], [{"x": 4}]]})
        );
        assert_eq!(
            redacted(v.clone(), &["grid.0.1"]),
            json!({"grid": [[{"x": 1, "y": 2}], [{"x": 4, "y": 5}]]})
        );
        assert_eq!(redacted(v, &["grid.*.0"]), json!({"grid": [[{"x": 3}], []]}));
    }

    #[test]
    fn patterns_that_match_nothing_change_nothing() {
        for p in [
            "nobody",
            "customer.contact.fax",
            "id.deeper",
            "tags.9",
            "tags.x",
            "",
            "customer.",
            ".customer",
            "customer..name",
        ] {
            assert_eq!(redacted(record(), &[p]), record(), "{p:?}");
        }
        assert_eq!(redacted(record(), &[]), record());
    }

    #[test]
    fn a_star_alone_removes_every_field() {
        assert_eq!(redacted(record(), &["*"]), json!({}));
    }

    #[test]
    fn is_redacted_follows_the_same_patterns() {
        let p = patterns(&["customer.contact", "stakeholders.*.email", "*.phone"]);
        assert!(is_redacted("customer.contact", &p));
        assert!(is_redacted("stakeholders.0.email", &p));
        assert!(is_redacted("stakeholders.17.email", &p));
        assert!(is_redacted("customer.phone", &p));
        assert!(!is_redacted("phone", &p));
        assert!(!is_redacted("customer", &p));
        assert!(!is_redacted("customer.name", &p));
        assert!(!is_redacted("stakeholders.0.name", &p));
        assert!(!is_redacted("stakeholders.0", &p));
    }

    #[test]
    fn is_redacted_covers_everything_under_a_redacted_field() {
        let p = patterns(&["customer", "stakeholders.*.email"]);
        assert!(is_redacted("customer.name", &p));
        assert!(is_redacted("customer.contact.email", &p));
        assert!(is_redacted("stakeholders.0.email.domain", &p));
        assert!(!is_redacted("customers", &p));
        assert!(!is_redacted("id", &p));
        assert!(!is_redacted("anything", &patterns(&["", "customer."])));
    }

    /// Every field's dotted path in `value`, containers included.
    fn paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
            _ => Vec::new(),
        };
        for (key, child) in children {
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            paths(child, &path, out);
            out.push(path);
        }
    }

    #[test]
    fn redact_removes_exactly_the_fields_is_redacted_names() {
        // Objects only, so no removal renumbers what follows it.
        let value = json!({
            "a": {"b": {"c": 1, "d": 2}, "e": 3},
            "f": {"b": {"c": 4}, "g": {"c": 5}},
            "c": 6
        });
        let mut all = Vec::new();
        paths(&value, "", &mut all);
        for p in [&["a.b"][..], &["*.b.c"], &["*.*.c", "e"], &["f", "a.e"], &["c"], &["*"]] {
            let p = patterns(p);
            let mut kept = Vec::new();
            paths(
                &redacted(value.clone(), &p.iter().map(String::as_str).collect::<Vec<_>>()),
                "",
                &mut kept,
            );
            let expected: Vec<&String> = all.iter().filter(|path| !is_redacted(path, &p)).collect();
            let mut kept_sorted: Vec<&String> = kept.iter().collect();
            kept_sorted.sort();
            let mut expected_sorted = expected.clone();
            expected_sorted.sort();
            assert_eq!(kept_sorted, expected_sorted, "{p:?}");
        }
    }
}
