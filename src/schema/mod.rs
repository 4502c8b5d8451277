//! Each kind's JSON Schema, compiled once, and the translation of its errors
//! into findings that point at the offending key or value and say which
//! state's guard was not met.

use crate::config::{Config, Kind};
use crate::diag::{self, Code, Diagnostic, PosMap};
use crate::record::{self, Record};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod walk;

pub use walk::{and_list, nodes_at};

/// The compiled schema of one kind, or why it cannot be used.
pub enum KindSchema {
    Ready { schema: Value, validator: Box<Validator> },
    Broken(String),
}

/// Compiled schemas by kind name.
pub struct Schemas {
    by_kind: HashMap<String, KindSchema>,
}

impl Schemas {
    /// Compile the schema of every configured kind. A missing or invalid
    /// schema is not an error of the run: each record of that kind gets a
    /// `config` finding instead.
    pub fn compile(config: &Config) -> Schemas {
        let by_kind = config
            .kinds
            .values()
            .map(|k| (k.name.clone(), compile_kind(config, k)))
            .collect();
        Schemas { by_kind }
    }

    pub fn get(&self, kind: &str) -> Option<&KindSchema> {
        self.by_kind.get(kind)
    }
}

/// Read and compile one kind's schema file.
pub fn compile_kind(config: &Config, kind: &Kind) -> KindSchema {
    let path = config.root.join(&kind.schema);
    let text = match crate::files::read_to_string(&config.root, &path, crate::files::SUPPORT_FILE_LIMIT) {
        Ok(t) => t,
        Err(e) => {
            return KindSchema::Broken(format!(
                "the schema file `{}` of kind `{}` cannot be read: {e}",
                kind.schema, kind.name
            ));
        }
    };
    let schema: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            return KindSchema::Broken(format!(
                "the schema file `{}` is not valid JSON (line {}, column {}: {e})",
                kind.schema,
                e.line(),
                e.column()
            ));
        }
    };
    match build_in(&schema, &config.root, &path) {
        Ok(validator) => KindSchema::Ready {
            schema,
            validator: Box::new(validator),
        },
        Err(e) => KindSchema::Broken(format!(
            "the schema file `{}` is not a valid JSON Schema: {e}",
            kind.schema
        )),
    }
}

/// A draft 2020-12 validator that also checks `format`, for the schema file
/// at `path`: its relative `$ref`s resolve against the file, and only to
/// JSON files inside `root` ([`RootRetriever`]).
pub fn build_in(schema: &Value, root: &Path, path: &Path) -> Result<Validator, String> {
    let abs = std::path::absolute(path).map_err(|e| e.to_string())?;
    options()
        .with_base_uri(file_uri(&abs))
        .with_retriever(RootRetriever {
            root: crate::files::real_root(root),
        })
        .build(schema)
        .map_err(|e| e.to_string())
}

fn options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
}

/// The `file://` URI of an absolute path, percent-encoded.
fn file_uri(path: &Path) -> String {
    const PATH: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    format!("file://{}", utf8_percent_encode(&path.to_string_lossy(), PATH))
}

/// Resolves a schema's external `$ref`s. A schema comes with the pull
/// request, so it may name any URI: only `file:` URIs of regular files
/// inside the root are read (through [`crate::files::read`]: no link out,
/// no FIFO, size-capped); the network and the rest of the machine are
/// never reached.
struct RootRetriever {
    root: PathBuf,
}

impl jsonschema::Retrieve for RootRetriever {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let refused = |why: &str| -> Box<dyn std::error::Error + Send + Sync> {
            format!("`$ref` to {} refused: {why}", uri.as_str()).into()
        };
        if uri.scheme().as_str() != "file" {
            return Err(refused(
                "only relative references to files inside the repository are resolved",
            ));
        }
        let decoded = percent_decode_str(uri.path().as_str())
            .decode_utf8()
            .map_err(|_| refused("the path is not UTF-8"))?;
        let path = PathBuf::from(decoded.as_ref());
        if !path.starts_with(&self.root) {
            return Err(refused("it is outside the repository root"));
        }
        let bytes = crate::files::read(&self.root, &path, crate::files::SUPPORT_FILE_LIMIT)
            .map_err(|e| refused(&e.to_string()))?;
        serde_json::from_slice(&bytes).map_err(|e| refused(&format!("not valid JSON: {e}")))
    }
}

/// Validate a record against its kind's schema. `positions` is filled on
/// first need, so valid records are never parsed twice.
pub fn check(
    record: &Record,
    schema: &Value,
    validator: &Validator,
    positions: &mut Option<PosMap>,
) -> Vec<Diagnostic> {
    if validator.is_valid(&record.data) {
        return Vec::new();
    }
    let map = positions.get_or_insert_with(|| record.positions());
    violations(&record.data, schema, validator)
        .into_iter()
        .map(|(pointer, key, message)| {
            let span = diag::locate(map, &pointer, key);
            Diagnostic::error(Code::Schema, record.file.path.clone(), message)
                .at(span)
                .record(record.id())
        })
        .collect()
}

/// One schema violation as a person reads it, with what a command needs to
/// advise on it (`casework new` hints by [`Problem`]).
#[derive(Debug, Clone)]
pub struct Violation {
    /// The JSON pointer to mark.
    pub pointer: String,
    /// Mark the key rather than the value.
    pub key: bool,
    pub message: String,
    pub problem: Problem,
    /// The problems of one field's value, kept apart so that several of
    /// them read as one message.
    parts: Vec<Part>,
}

/// What kind of fault a violation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required field is absent: its dotted path, or inside a missing
    /// mapping the paths of the fields that mapping needs.
    Missing { field: String, needs: Vec<String> },
    /// `field` is not in the schema; `suggestion` is the nearest known
    /// field, as a dotted path.
    Unknown { field: String, suggestion: Option<String> },
    /// `field` holds a value the schema does not allow; `allowed` lists
    /// the values when the schema names them.
    Invalid { field: String, allowed: Option<String> },
}

/// One problem of a field's value: "must not be empty", "is 5; allowed: …".
#[derive(Debug, Clone)]
struct Part {
    rank: Rank,
    predicate: String,
    when: String,
}

/// Which problems another makes redundant: allowed values say all a type,
/// format or pattern would; an empty text needs no pattern named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rank {
    Values,
    Empty,
    Shape,
    Pattern,
}

/// Every schema violation of `data` as (pointer, point at the key, message),
/// leaving out `id`, `kind` and `status` values, which have codes of their own.
pub fn violations(data: &Value, schema: &Value, validator: &Validator) -> Vec<(String, bool, String)> {
    findings(data, schema, validator)
        .into_iter()
        .map(|v| (v.pointer, v.key, v.message))
        .collect()
}

/// Every schema violation of `data`, one per field and problem kind: a
/// field's several problems are one message, a field two guards require is
/// named once. `id`, `kind` and `status` values are left out, as in
/// [`violations`].
pub fn findings(data: &Value, schema: &Value, validator: &Validator) -> Vec<Violation> {
    let mut out: Vec<Violation> = Vec::new();
    for err in validator.iter_errors(data) {
        let path = err.instance_path().as_str();
        let own_code = matches!(path, "/id" | "/status" | "/kind")
            && matches!(
                err.kind(),
                ValidationErrorKind::Pattern { .. }
                    | ValidationErrorKind::Enum { .. }
                    | ValidationErrorKind::Constant { .. }
            );
        if own_code {
            continue;
        }
        for v in describe(&err, schema, data) {
            match out.iter_mut().find(|o| same_subject(o, &v)) {
                Some(o) => {
                    o.parts.extend(v.parts);
                    if let (
                        Problem::Invalid {
                            allowed: mine @ None, ..
                        },
                        Problem::Invalid {
                            allowed: Some(theirs), ..
                        },
                    ) = (&mut o.problem, v.problem)
                    {
                        *mine = Some(theirs);
                    }
                }
                None => out.push(v),
            }
        }
    }
    for v in &mut out {
        if let Problem::Invalid { field, .. } = &v.problem
            && !v.parts.is_empty()
        {
            v.message = joined(field, &v.parts);
        }
    }
    out
}

/// Whether two violations are about one field in one way (and so one message).
fn same_subject(a: &Violation, b: &Violation) -> bool {
    match (&a.problem, &b.problem) {
        (Problem::Missing { field: x, .. }, Problem::Missing { field: y, .. })
        | (Problem::Unknown { field: x, .. }, Problem::Unknown { field: y, .. }) => x == y,
        (Problem::Invalid { field: x, .. }, Problem::Invalid { field: y, .. }) => {
            x == y && !a.parts.is_empty() && !b.parts.is_empty()
        }
        _ => false,
    }
}

/// The message of a field's problems, the redundant ones left out.
fn joined(field: &str, parts: &[Part]) -> String {
    let has = |r: Rank| parts.iter().any(|p| p.rank == r);
    let kept: Vec<&Part> = parts
        .iter()
        .filter(|p| !has(Rank::Values) || p.rank == Rank::Values)
        .filter(|p| !has(Rank::Empty) || p.rank != Rank::Pattern)
        .collect();
    let mut predicates: Vec<&str> = Vec::new();
    for p in &kept {
        if !predicates.contains(&p.predicate.as_str()) {
            predicates.push(&p.predicate);
        }
    }
    let when = kept
        .iter()
        .map(|p| p.when.as_str())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    format!("`{field}` {}{when}", predicates.join(", and "))
}

/// The violations one validation error stands for.
fn describe(err: &ValidationError<'_>, schema: &Value, data: &Value) -> Vec<Violation> {
    let ptr = err.instance_path().as_str().to_string();
    let field = dotted(&ptr);
    let guard = guard_states(err, schema);
    let when = match &guard {
        Some(states) => format!(" (required when status is {states})"),
        None => String::new(),
    };
    let invalid = |key: bool, rank: Rank, predicate: String, allowed: Option<String>| Violation {
        pointer: ptr.clone(),
        key,
        message: format!("`{field}` {predicate}{when}"),
        problem: Problem::Invalid {
            field: field.clone(),
            allowed,
        },
        parts: vec![Part {
            rank,
            predicate,
            when: when.clone(),
        }],
    };
    match err.kind() {
        ValidationErrorKind::Required { property } => {
            let prop = property.as_str().unwrap_or_default();
            let full = if field.is_empty() {
                prop.to_string()
            } else {
                format!("{field}.{prop}")
            };
            // A guard's missing top-level field is best shown at `status`.
            let target = if ptr.is_empty() && guard.is_some() && data.get("status").is_some() {
                "/status".to_string()
            } else {
                ptr.clone()
            };
            let (needs, advice) = missing_needs(schema, data, &ptr, prop, &full);
            vec![Violation {
                pointer: target,
                key: true,
                message: format!("missing field `{full}`{when}{advice}"),
                problem: Problem::Missing { field: full, needs },
                parts: Vec::new(),
            }]
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected
            .iter()
            .map(|k| {
                let known = allowed_properties(err, schema);
                let within = |name: &str| {
                    if field.is_empty() {
                        name.to_string()
                    } else {
                        format!("{field}.{name}")
                    }
                };
                let suggestion = suggest(k, &known).map(|s| within(&s));
                let hint = suggestion
                    .as_ref()
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                let of = match (field.is_empty(), data.get("kind").and_then(Value::as_str)) {
                    (false, _) => format!(": not a field of `{field}`"),
                    (true, Some(kind)) => format!(": not a field of kind `{kind}`"),
                    (true, None) => String::new(),
                };
                let full = within(k);
                Violation {
                    pointer: format!("{ptr}/{}", record::yaml::escape_pointer(k)),
                    key: true,
                    message: format!("unknown field `{full}`{of}{hint}"),
                    problem: Problem::Unknown {
                        field: full,
                        suggestion,
                    },
                    parts: Vec::new(),
                }
            })
            .collect(),
        ValidationErrorKind::Enum { options } => {
            let allowed = options
                .as_array()
                .map(|a| a.iter().map(walk::value_text).collect::<Vec<_>>().join(" | "))
                .unwrap_or_default();
            vec![invalid(
                false,
                Rank::Values,
                format!("is {}; allowed: {allowed}", short(err.instance())),
                Some(allowed),
            )]
        }
        ValidationErrorKind::Constant { expected_value } => vec![invalid(
            false,
            Rank::Values,
            format!("must be {}", short(expected_value)),
            Some(walk::value_text(expected_value)),
        )],
        ValidationErrorKind::Type { kind } => {
            let want = match kind {
                TypeKind::Single(t) => article(&t.to_string()),
                TypeKind::Multiple(ts) => format!("one of {ts:?}"),
            };
            vec![invalid(
                false,
                Rank::Shape,
                format!("must be {want}, not {}", type_name(err.instance())),
                None,
            )]
        }
        ValidationErrorKind::Format { format } => vec![invalid(
            false,
            Rank::Shape,
            format!("must be {}, not {}", format_example(format), short(err.instance())),
            None,
        )],
        // A field that takes a date or a date-time (`next_action_at`): say both.
        ValidationErrorKind::AnyOf { context }
            if !context.is_empty()
                && context.iter().all(|b| {
                    !b.is_empty() && b.iter().all(|e| matches!(e.kind(), ValidationErrorKind::Format { .. }))
                }) =>
        {
            let mut forms: Vec<&str> = Vec::new();
            for e in context.iter().flatten() {
                if let ValidationErrorKind::Format { format } = e.kind() {
                    let f = format_example(format);
                    if !forms.contains(&f) {
                        forms.push(f);
                    }
                }
            }
            vec![invalid(
                false,
                Rank::Shape,
                format!("must be {}, not {}", forms.join(" or "), short(err.instance())),
                None,
            )]
        }
        ValidationErrorKind::MinItems { limit } => vec![invalid(
            true,
            Rank::Shape,
            format!("needs at least {limit} item{}", if *limit == 1 { "" } else { "s" }),
            None,
        )],
        ValidationErrorKind::MinLength { .. } => vec![invalid(false, Rank::Empty, "must not be empty".into(), None)],
        ValidationErrorKind::Pattern { pattern } => vec![invalid(
            false,
            Rank::Pattern,
            format!(
                "is {}, which does not match the pattern {pattern}",
                short(err.instance())
            ),
            None,
        )],
        _ => {
            let subject = if field.is_empty() {
                "the front-matter".to_string()
            } else {
                format!("`{field}`")
            };
            vec![Violation {
                pointer: ptr.clone(),
                key: false,
                message: format!("{subject}: {err}{when}"),
                problem: Problem::Invalid {
                    field: field.clone(),
                    allowed: None,
                },
                parts: Vec::new(),
            }]
        }
    }
}

/// A value of `format` as a person would be told to write it.
fn format_example(format: &str) -> &str {
    match format {
        "date-time" => "an RFC 3339 date-time such as 2026-03-02T09:14:00Z",
        "date" => "a date such as 2026-03-02",
        "email" => "an email address",
        other => other,
    }
}

/// What the missing field `prop` under the mapping at `ptr` must hold, from
/// every subschema that applies there: the fields it needs inside (their
/// dotted paths) and the advice that ends the message, "…: it needs
/// `resolution.summary`, … and `resolution.verified` (true)" or "…: it must
/// be one of confirmed | no_response".
fn missing_needs(schema: &Value, data: &Value, ptr: &str, prop: &str, full: &str) -> (Vec<String>, String) {
    let mut path = segments(ptr);
    path.push(prop.to_string());
    let nodes = walk::nodes_at(schema, data, &path);
    let inner = if walk::is_list(&nodes) {
        Vec::new()
    } else {
        walk::needs(schema, &nodes, full)
    };
    if inner.is_empty() {
        let advice = walk::constraint(schema, &nodes)
            .map(|c| format!(": it must be {}", c.long()))
            .unwrap_or_default();
        return (Vec::new(), advice);
    }
    let named: Vec<String> = inner
        .iter()
        .map(|n| match &n.what {
            Some(c) => format!("`{}` ({})", n.field, c.short()),
            None => format!("`{}`", n.field),
        })
        .collect();
    (
        inner.into_iter().map(|n| n.field).collect(),
        format!(": it needs {}", walk::and_list(&named)),
    )
}

/// Whether the dotted `path` names a field of the schema (where `data` is
/// the record it would go in), so a suggestion can be checked before it is made.
pub fn is_field(schema: &Value, data: &Value, path: &[String]) -> bool {
    !walk::nodes_at(schema, data, path).is_empty()
}

/// `/closure/communicated_to/0` -> `["closure", "communicated_to", "0"]`.
fn segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The states named by the `if` of the guard an error came from, if any:
/// the error's schema path runs through `/allOf/N/then`.
fn guard_states(err: &ValidationError<'_>, schema: &Value) -> Option<String> {
    let path = err.schema_path().as_str();
    let idx = path.find("/then")?;
    let guard = schema.pointer(&path[..idx])?;
    let status = guard.pointer("/if/properties/status")?;
    let states: Vec<String> = match (status.get("enum"), status.get("const")) {
        (Some(Value::Array(a)), _) => a.iter().filter_map(Value::as_str).map(|s| format!("`{s}`")).collect(),
        (_, Some(Value::String(s))) => vec![format!("`{s}`")],
        _ => return None,
    };
    Some(match states.len() {
        0 => return None,
        1 => states[0].clone(),
        _ => format!(
            "{} or {}",
            states[..states.len() - 1].join(", "),
            states[states.len() - 1]
        ),
    })
}

/// Property names the schema allows where an unknown one was found.
fn allowed_properties(err: &ValidationError<'_>, schema: &Value) -> Vec<String> {
    let path = err.schema_path().as_str();
    let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
    schema
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The closest known name, if it is close enough to be a typo.
pub fn suggest(name: &str, known: &[String]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < k.len())
        .min()
        .map(|(_, k)| k.clone())
}

/// Every field path the schema names (`customer`, `customer.name`), in
/// its order: a mapping's own fields right after its name. What export's
/// columns and import's headers are matched against.
pub fn field_paths(schema: &Value) -> Vec<String> {
    fn walk(node: &Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(Value::Object(props)) = node.get("properties") {
            for (k, sub) in props {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.push(path.clone());
                walk(sub, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(schema, "", &mut out);
    out
}

/// `/closure/communicated_to/0` -> `closure.communicated_to.0`.
pub fn dotted(pointer: &str) -> String {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn article(t: &str) -> String {
    match t {
        "object" => "a mapping".into(),
        "array" => "a list".into(),
        "string" => "text".into(),
        "integer" => "a whole number".into(),
        "number" => "a number".into(),
        "boolean" => "true or false".into(),
        "null" => "empty".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths() {
        assert_eq!(dotted("/closure/communicated_to/0"), "closure.communicated_to.0");
        assert_eq!(dotted(""), "");
        assert_eq!(dotted("/a~1b"), "a/b");
    }

    fn messages(schema: &Value, data: &Value) -> Vec<String> {
        let validator = options().build(schema).unwrap();
        findings(data, schema, &validator)
            .into_iter()
            .map(|v| v.message)
            .collect()
    }

    #[test]
    fn a_fields_several_problems_are_one_message() {
        let schema = serde_json::json!({
            "properties": {
                "priority": {"type": "string", "enum": ["low", "high"]},
                "title": {"type": "string", "minLength": 1, "pattern": "\\S"}
            }
        });
        let data = serde_json::json!({"priority": 5, "title": ""});
        assert_eq!(
            messages(&schema, &data),
            ["`priority` is 5; allowed: low | high", "`title` must not be empty"]
        );
    }

    #[test]
    fn a_field_two_guards_require_is_named_once() {
        let guard = serde_json::json!({
            "if": {"properties": {"status": {"const": "done"}}, "required": ["status"]},
            "then": {"required": ["summary"]}
        });
        let schema = serde_json::json!({"allOf": [guard.clone(), guard]});
        let data = serde_json::json!({"status": "done"});
        assert_eq!(
            messages(&schema, &data),
            ["missing field `summary` (required when status is `done`)"]
        );
    }

    #[test]
    fn suggestions() {
        let known = vec!["owner".to_string(), "opened".to_string(), "priority".to_string()];
        assert_eq!(suggest("ownr", &known).as_deref(), Some("owner"));
        assert_eq!(suggest("priorty", &known).as_deref(), Some("priority"));
        assert_eq!(suggest("zzz", &known), None);
    }
}
