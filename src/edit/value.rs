//! `FIELD=VALUE` arguments and block-style YAML for the values they carry.

use crate::record::yaml::{self, Style};
use anyhow::{Result, bail};
use serde_json::{Map, Value};

/// One `--set` argument: `a.b=VALUE` sets, `a.b+=VALUE` appends to a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub path: Vec<String>,
    pub append: bool,
    pub value: Value,
}

/// Parse `FIELD=VALUE`. VALUE is read as a YAML scalar or flow collection,
/// so `true`, `5`, `[a, b]` and `{x: 1}` are typed; quote to force text.
pub fn parse_assignment(arg: &str) -> Result<Assignment> {
    let Some((lhs, rhs)) = arg.split_once('=') else {
        bail!("`{arg}` is not FIELD=VALUE (for example --set customer.name=\"Ann Lee\")");
    };
    let (field, append) = match lhs.strip_suffix('+') {
        Some(f) => (f, true),
        None => (lhs, false),
    };
    let path: Vec<String> = field.split('.').map(str::to_string).collect();
    if field.is_empty() || path.iter().any(|p| p.is_empty() || p.contains(char::is_whitespace)) {
        bail!("`{field}` is not a field path such as `customer.name`");
    }
    Ok(Assignment {
        path,
        append,
        value: parse_value(rhs),
    })
}

/// A command-line value as YAML would read it, when it is a typed value
/// written whole: `true`, `5`, `~`, `'quoted text'`, `[a, b]`, `{x: 1}`.
/// Anything else is kept exactly as typed: plain text (`order #42` would
/// otherwise lose ` #42` as a comment, `#` would become null), text that
/// is not YAML, and a value followed by a comment (`5 # five`).
pub fn parse_value(text: &str) -> Value {
    let literal = || Value::String(text.to_string());
    if text.is_empty() {
        return literal();
    }
    const KEY: &str = "v: ";
    let doc = format!("{KEY}{text}\n");
    let Ok((Value::Object(mut m), layout)) = yaml::parse_layout(&doc, 1) else {
        return literal();
    };
    if m.len() != 1 {
        return literal();
    }
    let (Some(value), Some(node)) = (m.remove("v"), layout.get("/v")) else {
        return literal();
    };
    // The node must be all that was typed: nothing before it, nothing (a comment) after.
    let whole = node.value.start == KEY.len() && node.value.end == KEY.len() + text.trim_end().len();
    let typed = match node.style {
        Style::SingleQuoted | Style::DoubleQuoted | Style::FlowMap | Style::FlowSeq => true,
        Style::Plain => !value.is_string(),
        _ => false,
    };
    if whole && typed { value } else { literal() }
}

/// Apply an assignment to a JSON object, creating mappings on the way.
pub fn apply(target: &mut Map<String, Value>, a: &Assignment) -> Result<()> {
    let (last, parents) = a.path.split_last().expect("paths are never empty");
    let mut map = target;
    for (i, key) in parents.iter().enumerate() {
        let entry = map.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
        map = match entry {
            Value::Object(m) => m,
            _ => bail!(
                "`{}` is not a mapping, so `{}` cannot be set",
                a.path[..=i].join("."),
                a.path.join(".")
            ),
        };
    }
    if a.append {
        match map.entry(last.clone()).or_insert_with(|| Value::Array(Vec::new())) {
            Value::Array(items) => items.push(a.value.clone()),
            _ => bail!("`{}` is not a list, so `+=` cannot append to it", a.path.join(".")),
        }
    } else {
        map.insert(last.clone(), a.value.clone());
    }
    Ok(())
}

/// Block-style YAML lines for `key: value` at `indent` spaces.
pub fn emit_field(out: &mut String, indent: usize, key: &str, value: &Value) {
    let pad = " ".repeat(indent);
    let key = scalar_text(&Value::String(key.to_string()));
    match value {
        Value::Object(m) if !m.is_empty() => {
            out.push_str(&format!("{pad}{key}:\n"));
            for (k, v) in m {
                emit_field(out, indent + 2, k, v);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str(&format!("{pad}{key}:\n"));
            for v in a {
                emit_item(out, indent + 2, v);
            }
        }
        _ => out.push_str(&format!("{pad}{key}: {}\n", scalar_text(value))),
    }
}

/// A list item `- value` at `indent` spaces.
fn emit_item(out: &mut String, indent: usize, value: &Value) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(m) if !m.is_empty() => {
            let mut first = true;
            for (k, v) in m {
                let mut line = String::new();
                emit_field(&mut line, indent + 2, k, v);
                if first {
                    // `- key: value` carries the first field on the dash line.
                    out.push_str(&format!("{pad}- {}", &line[indent + 2..]));
                    first = false;
                } else {
                    out.push_str(&line);
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str(&format!("{pad}-\n"));
            for v in a {
                emit_item(out, indent + 2, v);
            }
        }
        _ => out.push_str(&format!("{pad}- {}\n", scalar_text(value))),
    }
}

/// A scalar as YAML text: plain when it reads back as itself and no
/// common YAML reader would take it for anything but text, else a
/// double-quoted string (JSON string syntax is valid YAML).
pub fn scalar_text(v: &Value) -> String {
    match v {
        // Most values are words and sentences that need no quotes: said
        // without asking the YAML parser, which an import of 10,000 rows
        // would otherwise run for each of its 300,000 values.
        Value::String(s) if typed_elsewhere(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::String(s) if is_plain_text(s) => s.clone(),
        Value::String(s) => {
            let plain = matches!(yaml::parse(&format!("v: {s}\n"), 1, false), Ok((Value::Object(m), _)) if m.get("v") == Some(v));
            if plain && !s.contains(['\n', '\r', '\t', '#', '"', '\'']) && s.trim() == s && !typed_elsewhere(s) {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        }
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Whether a YAML 1.1 reader (PyYAML, Ruby's Psych, Jekyll, Hugo,
/// python-frontmatter) would read the plain scalar `s` as something other
/// than text, where casework's YAML 1.2 core schema reads text: booleans
/// `yes`/`no`/`on`/`off`/`y`/`n`, `~`-style nulls, numbers with `_`,
/// `0b`/`0o`/`0x` prefixes or sexagesimal `1:20`, `.inf`/`.nan`, dates and
/// timestamps, the merge key `<<` and the value key `=`. Quoting a few
/// strings more than needed is harmless; leaving one plain is not.
/// Text that any YAML reader reads back as this very string when written
/// plain (the words of [`typed_elsewhere`] aside): it starts with a
/// letter and holds only letters, digits, spaces and punctuation that
/// means nothing inside a plain scalar, and ends with no space. (No `:`,
/// `#`, quotes, brackets or braces, which can.)
fn is_plain_text(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && !s.ends_with(' ')
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b" .,@/()_+!?&;=$%*-".contains(&c))
}

fn typed_elsewhere(s: &str) -> bool {
    const WORDS: [&str; 17] = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", ".inf", "-.inf", "+.inf", ".nan", "<<", "=",
        "",
    ];
    let lower = s.to_ascii_lowercase();
    if WORDS.contains(&lower.as_str()) {
        return true;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let b = unsigned.as_bytes();
    // Anything that starts like a number and holds only what numbers, dates
    // and times are made of.
    let numeric = matches!(b, [d, ..] if d.is_ascii_digit()) || matches!(b, [b'.', d, ..] if d.is_ascii_digit());
    let number_chars = unsigned
        .bytes()
        .all(|c| c.is_ascii_hexdigit() || b"xXoObB_.:+-".contains(&c));
    // `YYYY-M…` at the start: a date, or a timestamp in any of YAML 1.1's spellings.
    let date = b.len() >= 6 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[5].is_ascii_digit();
    (numeric && number_chars) || date
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn typed_values() {
        assert_eq!(parse_assignment("a.b=5").unwrap().value, json!(5));
        assert_eq!(parse_assignment("ok=true").unwrap().value, json!(true));
        assert_eq!(parse_assignment("tags=[a, b]").unwrap().value, json!(["a", "b"]));
        assert_eq!(parse_assignment("due=2026-12-01").unwrap().value, json!("2026-12-01"));
        assert_eq!(parse_assignment("n='5'").unwrap().value, json!("5"));
        assert_eq!(parse_assignment("t=a: b: c").unwrap().value, json!("a: b: c"));
        assert!(parse_assignment("x").is_err());
        assert!(parse_assignment("=x").is_err());
        let a = parse_assignment("tags+=urgent").unwrap();
        assert!(a.append);
    }

    #[test]
    fn apply_nested_and_append() {
        let mut m = Map::new();
        apply(&mut m, &parse_assignment("customer.name=Ann Lee").unwrap()).unwrap();
        apply(&mut m, &parse_assignment("tags+=a").unwrap()).unwrap();
        apply(&mut m, &parse_assignment("tags+=b").unwrap()).unwrap();
        assert_eq!(
            Value::Object(m.clone()),
            json!({"customer": {"name": "Ann Lee"}, "tags": ["a", "b"]})
        );
        assert!(apply(&mut m, &parse_assignment("customer.name.first=x").unwrap()).is_err());
    }

    #[test]
    fn emit_block_style() {
        let mut out = String::new();
        emit_field(&mut out, 0, "customer", &json!({"name": "Ann: Lee", "n": "5"}));
        emit_field(&mut out, 0, "items", &json!([{"a": 1, "b": "x"}, "y"]));
        assert_eq!(
            out,
            "customer:\n  name: \"Ann: Lee\"\n  \"n\": \"5\"\nitems:\n  - a: 1\n    b: x\n  - \"y\"\n"
        );
    }

    proptest! {
        #[test]
        fn emitted_values_read_back(s in "\\PC{0,30}", n in any::<i64>(), b in any::<bool>()) {
            let v = json!({"s": s, "n": n, "b": b, "l": [s.clone(), {"k": s.clone()}]});
            let mut out = String::new();
            for (k, x) in v.as_object().unwrap() {
                emit_field(&mut out, 0, k, x);
            }
            let (back, _) = yaml::parse(&out, 1, false).unwrap();
            prop_assert_eq!(back, v);
        }

        /// The quick answer for plain words is the parser's answer.
        #[test]
        fn plain_text_reads_back_unquoted(s in "[a-zA-Z][a-zA-Z0-9 .,@/()_+!?&;=$%*-]{0,30}") {
            let text = scalar_text(&json!(s));
            let (back, _) = yaml::parse(&format!("v: {text}\n"), 1, false).unwrap();
            prop_assert_eq!(&back["v"], &json!(s));
            if !s.ends_with(' ') && !typed_elsewhere(&s) {
                prop_assert_eq!(text, s);
            }
        }
    }
}
