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

/// Every schema violation of `data` as (pointer, point at the key, message),
/// leaving out `id`, `kind` and `status` values, which have codes of their own.
pub fn violations(data: &Value, schema: &Value, validator: &Validator) -> Vec<(String, bool, String)> {
    let mut out = Vec::new();
    for err in validator.iter_errors(data) {
        let path = err.instance_path().as_str();
        let own_code = matches!(path, "/id" | "/status" | "/kind")
            && matches!(
                err.kind(),
                ValidationErrorKind::Pattern { .. }
                    | ValidationErrorKind::Enum { .. }
                    | ValidationErrorKind::Constant { .. }
            );
        if !own_code {
            out.extend(describe(&err, schema, data));
        }
    }
    out
}

/// The pointer to mark (and whether its key rather than its value) and the
/// message, for one validation error.
fn describe(err: &ValidationError<'_>, schema: &Value, data: &Value) -> Vec<(String, bool, String)> {
    let ptr = err.instance_path().as_str().to_string();
    let field = dotted(&ptr);
    let guard = guard_states(err, schema);
    let when = match &guard {
        Some(states) => format!(" (required when status is {states})"),
        None => String::new(),
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
            vec![(target, true, format!("missing field `{full}`{when}"))]
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected
            .iter()
            .map(|k| {
                let known = allowed_properties(err, schema);
                let hint = suggest(k, &known)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                let full = if field.is_empty() {
                    k.clone()
                } else {
                    format!("{field}.{k}")
                };
                (
                    format!("{ptr}/{}", record::yaml::escape_pointer(k)),
                    true,
                    format!("unknown field `{full}`{hint}"),
                )
            })
            .collect(),
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(short).collect())
                .unwrap_or_default();
            vec![(
                ptr,
                false,
                format!(
                    "`{field}` is {}, not one of: {}{when}",
                    short(err.instance()),
                    opts.join(", ")
                ),
            )]
        }
        ValidationErrorKind::Constant { expected_value } => {
            vec![(ptr, false, format!("`{field}` must be {}{when}", short(expected_value)))]
        }
        ValidationErrorKind::Type { kind } => {
            let want = match kind {
                TypeKind::Single(t) => article(&t.to_string()),
                TypeKind::Multiple(ts) => format!("one of {ts:?}"),
            };
            vec![(
                ptr,
                false,
                format!("`{field}` must be {want}, not {}", type_name(err.instance())),
            )]
        }
        ValidationErrorKind::Format { format } => {
            let example = match format.as_str() {
                "date-time" => "an RFC 3339 date-time such as 2026-03-02T09:14:00Z",
                "date" => "a date such as 2026-03-02",
                "email" => "an email address",
                other => other,
            };
            vec![(
                ptr,
                false,
                format!("`{field}` must be {example}, not {}", short(err.instance())),
            )]
        }
        ValidationErrorKind::MinItems { limit } => {
            vec![(
                ptr,
                true,
                format!(
                    "`{field}` needs at least {limit} item{}{when}",
                    if *limit == 1 { "" } else { "s" }
                ),
            )]
        }
        ValidationErrorKind::MinLength { .. } => vec![(ptr, false, format!("`{field}` must not be empty{when}"))],
        ValidationErrorKind::Pattern { pattern } => {
            vec![(
                ptr,
                false,
                format!(
                    "`{field}` is {}, which does not match the pattern {pattern}",
                    short(err.instance())
                ),
            )]
        }
        _ => {
            let subject = if field.is_empty() {
                "the front-matter".to_string()
            } else {
                format!("`{field}`")
            };
            vec![(ptr, false, format!("{subject}: {err}{when}"))]
        }
    }
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
fn suggest(name: &str, known: &[String]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < k.len())
        .min()
        .map(|(_, k)| k.clone())
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

    #[test]
    fn suggestions() {
        let known = vec!["owner".to_string(), "opened".to_string(), "priority".to_string()];
        assert_eq!(suggest("ownr", &known).as_deref(), Some("owner"));
        assert_eq!(suggest("priorty", &known).as_deref(), Some("priority"));
        assert_eq!(suggest("zzz", &known), None);
    }
}
