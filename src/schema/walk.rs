//! Reading a schema the way a person needs it: which subschemas apply at
//! one place of a record, what a missing field must hold, and which
//! fields it requires inside it, so that one message can name them all.

use serde_json::Value;

/// How deep `$ref`s and nested requirements are followed: schemas may be
/// cyclic, and a message need not go further than this.
const MAX_DEPTH: usize = 16;
const MAX_NESTING: usize = 4;

/// Every subschema that applies at `path` (unescaped keys or indexes) of
/// `data`: the `properties` (or `items`) on the way, with local `$ref`s,
/// `allOf` branches and the `then` or `else` of each `if`, judged against
/// the record where it has a value there.
pub fn nodes_at<'a>(root: &'a Value, data: &Value, path: &[String]) -> Vec<&'a Value> {
    let mut nodes = Vec::new();
    applicable(root, root, Some(data), 0, &mut nodes);
    let mut instance = Some(data);
    for seg in path {
        let next_instance = instance.and_then(|v| match v {
            Value::Object(m) => m.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        });
        let mut next = Vec::new();
        for n in &nodes {
            if let Some(p) = n.get("properties").and_then(|p| p.get(seg)) {
                applicable(root, p, next_instance, 0, &mut next);
            }
            if seg.parse::<usize>().is_ok()
                && let Some(items) = n.get("items")
            {
                applicable(root, items, next_instance, 0, &mut next);
            }
        }
        nodes = next;
        instance = next_instance;
    }
    nodes
}

/// `node` and the subschemas it brings in at the same place.
fn applicable<'a>(root: &'a Value, node: &'a Value, instance: Option<&Value>, depth: usize, out: &mut Vec<&'a Value>) {
    // A node met again (a cycle of `$ref`s, two branches naming one
    // definition) brings in nothing new.
    if depth > MAX_DEPTH || !node.is_object() || out.iter().any(|n| std::ptr::eq(*n, node)) {
        return;
    }
    out.push(node);
    if let Some(target) = node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| root.pointer(p))
    {
        applicable(root, target, instance, depth + 1, out);
    }
    for branch in node.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        applicable(root, branch, instance, depth + 1, out);
    }
    // Without a value there, a condition cannot be judged: neither branch is assumed.
    if let (Some(cond), Some(inst)) = (node.get("if"), instance) {
        let branch = match holds(cond, inst) {
            Some(true) => node.get("then"),
            Some(false) => node.get("else"),
            None => None,
        };
        if let Some(b) = branch {
            applicable(root, b, instance, depth + 1, out);
        }
    }
}

/// Whether `instance` meets the `if` schema `cond`; `None` when `cond`
/// cannot be compiled on its own (a `$ref` out of it, say).
fn holds(cond: &Value, instance: &Value) -> Option<bool> {
    if let Some(b) = plain_holds(cond, instance) {
        return Some(b);
    }
    super::options().build(cond).ok().map(|v| v.is_valid(instance))
}

/// The guards' usual condition (`properties`, `required`, `const`,
/// `enum` of text) judged without compiling it; `None` for anything else.
fn plain_holds(cond: &Value, instance: &Value) -> Option<bool> {
    let text_only = |v: &Value| v.is_string() || v.is_boolean() || v.is_null();
    match cond {
        Value::Bool(b) => Some(*b),
        Value::Object(m) => {
            let mut all = true;
            for (k, v) in m {
                all &= match k.as_str() {
                    "const" if text_only(v) => instance == v,
                    "enum" => {
                        let opts = v.as_array()?;
                        if !opts.iter().all(text_only) {
                            return None;
                        }
                        opts.contains(instance)
                    }
                    "required" => match instance {
                        Value::Object(o) => v
                            .as_array()?
                            .iter()
                            .all(|r| r.as_str().is_some_and(|r| o.contains_key(r))),
                        _ => true,
                    },
                    "properties" => match instance {
                        Value::Object(o) => {
                            let mut each = true;
                            for (name, sub) in v.as_object()? {
                                if let Some(x) = o.get(name) {
                                    each &= plain_holds(sub, x)?;
                                }
                            }
                            each
                        }
                        _ => true,
                    },
                    "$comment" | "description" | "title" => true,
                    _ => return None,
                };
            }
            Some(all)
        }
        _ => None,
    }
}

/// A field a missing mapping needs, and what it must hold.
pub struct Need {
    /// The dotted path of the field.
    pub field: String,
    pub what: Option<Constraint>,
}

/// What a value must be, as far as a person typing it needs to know.
pub enum Constraint {
    /// One of these values.
    OneOf(Vec<String>),
    /// Exactly this value.
    Exactly(String),
    /// A shape: "a list of at least 1 item", "a time, e.g. …".
    Shape(String),
}

impl Constraint {
    /// For a list of fields: `confirmed | no_response`, `true`, `a list …`.
    pub fn short(&self) -> String {
        match self {
            Constraint::OneOf(v) => v.join(" | "),
            Constraint::Exactly(v) | Constraint::Shape(v) => v.clone(),
        }
    }

    /// After "it must be": `one of confirmed | no_response`.
    pub fn long(&self) -> String {
        match self {
            Constraint::OneOf(v) => format!("one of {}", v.join(" | ")),
            Constraint::Exactly(v) | Constraint::Shape(v) => v.clone(),
        }
    }
}

/// The fields the subschemas `nodes` (of a missing mapping at `prefix`)
/// require, nested mappings followed down to their own required fields.
pub fn needs(root: &Value, nodes: &[&Value], prefix: &str) -> Vec<Need> {
    let mut out = Vec::new();
    collect_needs(root, nodes, prefix, 0, &mut out);
    out
}

fn collect_needs(root: &Value, nodes: &[&Value], prefix: &str, depth: usize, out: &mut Vec<Need>) {
    for name in required(nodes) {
        let child = children(root, nodes, &name);
        let field = format!("{prefix}.{name}");
        if depth < MAX_NESTING && !required(&child).is_empty() && !is_list(&child) {
            collect_needs(root, &child, &field, depth + 1, out);
        } else {
            out.push(Need {
                field,
                what: constraint(root, &child),
            });
        }
    }
}

/// The names `nodes` require, in schema order, once each.
pub fn required(nodes: &[&Value]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for n in nodes {
        for r in n.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(s) = r.as_str()
                && !names.iter().any(|x| x == s)
            {
                names.push(s.to_string());
            }
        }
    }
    names
}

/// The subschemas of property `name` under `nodes`, where it has no value.
fn children<'a>(root: &'a Value, nodes: &[&'a Value], name: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for n in nodes {
        if let Some(p) = n.get("properties").and_then(|p| p.get(name)) {
            applicable(root, p, None, 0, &mut out);
        }
    }
    out
}

fn items<'a>(root: &'a Value, nodes: &[&'a Value]) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for n in nodes {
        if let Some(i) = n.get("items") {
            applicable(root, i, None, 0, &mut out);
        }
    }
    out
}

fn has_type(nodes: &[&Value], t: &str) -> bool {
    nodes.iter().any(|n| match n.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.len() == 1 && a[0].as_str() == Some(t),
        _ => false,
    })
}

pub fn is_list(nodes: &[&Value]) -> bool {
    has_type(nodes, "array")
        || nodes
            .iter()
            .any(|n| n.get("items").is_some() || n.get("minItems").is_some())
}

/// What the subschemas `nodes` of one field ask of its value.
pub fn constraint(root: &Value, nodes: &[&Value]) -> Option<Constraint> {
    if let Some(c) = nodes.iter().find_map(|n| n.get("const")) {
        return Some(Constraint::Exactly(value_text(c)));
    }
    if let Some(e) = nodes.iter().find_map(|n| n.get("enum").and_then(Value::as_array)) {
        return Some(Constraint::OneOf(e.iter().map(value_text).collect()));
    }
    if is_list(nodes) {
        let min = nodes
            .iter()
            .filter_map(|n| n.get("minItems").and_then(Value::as_u64))
            .max()
            .unwrap_or(0);
        let mut text = match min {
            0 => "a list, possibly empty".to_string(),
            1 => "a list of at least 1 item".to_string(),
            n => format!("a list of at least {n} items"),
        };
        let item = items(root, nodes);
        let each: Vec<String> = required(&item)
            .into_iter()
            .map(|name| {
                let child = children(root, &item, &name);
                match constraint(root, &child) {
                    Some(c) if !matches!(c, Constraint::Shape(_)) => format!("`{name}` ({})", c.short()),
                    _ => format!("`{name}`"),
                }
            })
            .collect();
        if !each.is_empty() {
            text.push_str(&format!(", each with {}", and_list(&each)));
        }
        return Some(Constraint::Shape(text));
    }
    let format = nodes.iter().find_map(|n| n.get("format").and_then(Value::as_str));
    let shape = match format {
        Some("date-time") => Some("a time, e.g. 2026-03-02T09:14:00Z"),
        Some("date") => Some("a date, e.g. 2026-03-02"),
        Some("email") => Some("an email address"),
        _ if has_type(nodes, "boolean") => Some("true or false"),
        _ if has_type(nodes, "integer") => Some("a whole number"),
        _ if has_type(nodes, "number") => Some("a number"),
        _ if has_type(nodes, "object") => Some("a mapping"),
        _ => None,
    };
    shape.map(|s| Constraint::Shape(s.to_string()))
}

/// A schema value as a person types it: text bare, anything else as JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "$defs": {"outcome": {"type": "string", "enum": ["confirmed", "no_response"]}},
            "properties": {
                "status": {"type": "string"},
                "resolution": {
                    "type": "object",
                    "properties": {
                        "summary": {"type": "string"},
                        "actions": {"type": "array", "items": {"type": "string"}},
                        "verified": {"type": "boolean"}
                    }
                },
                "confirmation": {
                    "type": "object",
                    "properties": {
                        "outcome": {"$ref": "#/$defs/outcome"},
                        "at": {"type": "string", "format": "date-time"}
                    }
                }
            },
            "allOf": [{
                "if": {"properties": {"status": {"const": "resolved"}}, "required": ["status"]},
                "then": {
                    "properties": {
                        "resolution": {
                            "required": ["summary", "actions", "verified"],
                            "properties": {"actions": {"minItems": 1}, "verified": {"const": true}}
                        },
                        "confirmation": {"required": ["outcome", "at"]}
                    }
                }
            }]
        })
    }

    fn described(status: &str, at: &str) -> Vec<String> {
        let root = schema();
        let data = json!({"status": status});
        let nodes = nodes_at(&root, &data, &[at.to_string()]);
        needs(&root, &nodes, at)
            .into_iter()
            .map(|n| match n.what {
                Some(c) => format!("{} ({})", n.field, c.short()),
                None => n.field,
            })
            .collect()
    }

    #[test]
    fn a_guard_that_applies_names_every_field_with_its_constraint() {
        assert_eq!(
            described("resolved", "resolution"),
            [
                "resolution.summary",
                "resolution.actions (a list of at least 1 item)",
                "resolution.verified (true)"
            ]
        );
    }

    #[test]
    fn local_refs_are_followed_for_allowed_values() {
        assert_eq!(
            described("resolved", "confirmation"),
            [
                "confirmation.outcome (confirmed | no_response)",
                "confirmation.at (a time, e.g. 2026-03-02T09:14:00Z)"
            ]
        );
    }

    #[test]
    fn a_guard_that_does_not_apply_adds_nothing() {
        assert!(described("open", "resolution").is_empty());
    }

    #[test]
    fn a_cyclic_ref_ends() {
        let root = json!({"$ref": "#", "properties": {"a": {"$ref": "#"}}});
        assert!(!nodes_at(&root, &json!({}), &["a".to_string()]).is_empty());
    }

    #[test]
    fn plain_conditions_are_judged_as_a_validator_would() {
        let cond = json!({"properties": {"status": {"enum": ["resolved", "closed"]}}, "required": ["status"]});
        for (data, want) in [
            (json!({"status": "closed"}), true),
            (json!({"status": "open"}), false),
            (json!({}), false),
            (json!("text"), true),
        ] {
            assert_eq!(plain_holds(&cond, &data), Some(want), "{data}");
            assert_eq!(holds(&cond, &data), Some(want), "{data}");
            let compiled = crate::schema::options().build(&cond).unwrap().is_valid(&data);
            assert_eq!(compiled, want, "{data}");
        }
        assert_eq!(plain_holds(&json!({"minLength": 1}), &json!("x")), None);
        assert_eq!(holds(&json!({"minLength": 2}), &json!("x")), Some(false));
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(and_list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(and_list(&["a".into()]), "a");
    }
}
