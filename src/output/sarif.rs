//! SARIF 2.1.0, for GitHub code scanning and other static-analysis viewers.

use super::RenderOptions;
use crate::diag::{Code, Diagnostic, Report, Severity};
use serde_json::{Map, Value, json};
use std::io;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/casework/casework";
/// URIs are relative to the top of the git work tree (the root of the
/// records repository when it is not in a sub-folder).
const BASE_ID: &str = "%SRCROOT%";

pub(super) fn render(report: &Report, opts: &RenderOptions, out: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report, opts))?;
    out.write_all(b"\n")
}

fn log(report: &Report, opts: &RenderOptions) -> Value {
    let tool_version = opts.tool_version;
    let rules: Vec<Value> = Code::ALL.iter().map(|&code| rule(code)).collect();
    let results: Vec<Value> = report.diagnostics.iter().map(|d| result(d, opts.path_prefix)).collect();
    let mut driver = Map::new();
    driver.insert("name".into(), "casework".into());
    if !tool_version.is_empty() {
        driver.insert("version".into(), tool_version.into());
    }
    driver.insert("informationUri".into(), INFORMATION_URI.into());
    driver.insert("rules".into(), rules.into());
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            // `column` in a diagnostic counts characters, not UTF-16 units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn default_level(code: Code) -> &'static str {
    match code {
        Code::Sla => "warning",
        _ => "error",
    }
}

fn rule(code: Code) -> Value {
    let full = match default_level(code) {
        "warning" => format!(
            "{} Reported as a warning: it fails a run only with `--deny-warnings`.",
            code.summary()
        ),
        _ => format!("{} Reported as an error: it fails the run.", code.summary()),
    };
    json!({
        "id": code.as_str(),
        "name": rule_name(code),
        "shortDescription": {"text": code.summary()},
        "fullDescription": {"text": full},
        "help": {"text": help(code)},
        "defaultConfiguration": {"level": default_level(code)},
    })
}

/// The rule's `name`: a descriptive PascalCase name, not the id in
/// another case (SARIF 3.49.7; the SARIF validator's rule SARIF1001
/// wants `name` to differ from `id`).
fn rule_name(code: Code) -> &'static str {
    match code {
        Code::FrontMatter => "MissingFrontMatter",
        Code::Yaml => "InvalidYaml",
        Code::Encoding => "NotUtf8Text",
        Code::TooLarge => "RecordFileTooLarge",
        Code::Schema => "SchemaViolation",
        Code::IdFormat => "InvalidIdFormat",
        Code::DuplicateId => "DuplicateRecordId",
        Code::FileName => "MisplacedRecordFile",
        Code::UnknownKind => "UnconfiguredKind",
        Code::UnknownStatus => "UndefinedState",
        Code::BrokenLink => "LinkToMissingRecord",
        Code::Transition => "DisallowedTransition",
        Code::Role => "MissingRequiredRole",
        Code::Immutable => "ImmutableFieldChanged",
        Code::ArchivedModified => "ArchivedRecordChanged",
        Code::Deleted => "RecordDeletedWithoutDisposal",
        Code::Sla => "ServiceLevelBreached",
        Code::Config => "UnsupportedConfiguration",
    }
}

/// How to fix a finding of `code`.
fn help(code: Code) -> &'static str {
    match code {
        Code::FrontMatter => {
            "Start the file with a `---` line, put the YAML fields after it and close them with another `---` line."
        }
        Code::Yaml => {
            "Fix the YAML at the reported position: check indentation and quoting, and remove duplicate keys, anchors and aliases."
        }
        Code::Encoding => "Save the file as UTF-8 text.",
        Code::TooLarge => "Move bulky content out of the record, or raise `records.max_file_size` in casework.toml.",
        Code::Schema => {
            "Add, remove or correct the field named in the message so the front-matter matches the kind's schema for its status."
        }
        Code::IdFormat => {
            "Change the `id` to PREFIX-YEAR-SEQUENCE with the kind's prefix, the year of `opened` and the configured number of digits."
        }
        Code::DuplicateId => "Give one of the records a new, unused `id` and rename its file to match.",
        Code::FileName => "Rename or move the file to `<records dir>/<kind>/<id>.md`.",
        Code::UnknownKind => "Use one of the kinds configured in casework.toml, or configure the kind there.",
        Code::UnknownStatus => "Use one of the states listed for the record's kind in casework.toml.",
        Code::BrokenLink => "Correct the ID in `related`, or remove it if no such record exists.",
        Code::Transition => {
            "Move the record only through the steps its kind's workflow allows; `casework transition` takes one allowed step."
        }
        Code::Role => {
            "Have someone in the required role (see `[roles]` in casework.toml) make the change, or revert it."
        }
        Code::Immutable => {
            "Restore the original `id`, `kind` and `opened`; open a new record instead of changing them."
        }
        Code::ArchivedModified => {
            "Revert the change: only the kind's archive role (`records` by default) may change an archived record."
        }
        Code::Deleted => "Restore the file, or remove it in a commit that also adds its line to the disposal register.",
        Code::Sla => "Take the overdue step now, or record the field that stops the clock.",
        Code::Config => "Correct the setting in casework.toml that the message names.",
    }
}

fn rule_index(code: Code) -> usize {
    Code::ALL.iter().position(|&c| c == code).unwrap_or(0)
}

/// One result; its URI is `prefix` and the root-relative path.
fn result(d: &Diagnostic, prefix: &str) -> Value {
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".into(),
        json!({"uri": encode_uri_path(&format!("{prefix}{}", d.file)), "uriBaseId": BASE_ID}),
    );
    physical.insert("region".into(), region(d));
    let mut result = Map::new();
    result.insert("ruleId".into(), d.code.as_str().into());
    result.insert("ruleIndex".into(), rule_index(d.code).into());
    result.insert(
        "level".into(),
        match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
        .into(),
    );
    result.insert("message".into(), json!({"text": d.message}));
    result.insert("locations".into(), json!([{"physicalLocation": physical}]));
    let mut properties = Map::new();
    for (key, value) in [("record", &d.record), ("commit", &d.commit), ("author", &d.author)] {
        if let Some(value) = value {
            properties.insert(key.into(), value.as_str().into());
        }
    }
    if !properties.is_empty() {
        result.insert("properties".into(), properties.into());
    }
    result.into()
}

/// The region of a finding, with only the parts that are known and valid
/// (SARIF wants positive integers and an end not before the start). A
/// finding about a whole file gets line 1: GitHub code scanning rejects a
/// result whose location has no `startLine`.
fn region(d: &Diagnostic) -> Value {
    let Some(line) = d.line().filter(|&l| l >= 1) else {
        return json!({"startLine": 1});
    };
    let mut region = Map::new();
    region.insert("startLine".into(), line.into());
    let column = d.column().filter(|&c| c >= 1);
    if let Some(column) = column {
        region.insert("startColumn".into(), column.into());
    }
    match (d.end_line(), d.end_column()) {
        (Some(end_line), end_column) if end_line > line => {
            region.insert("endLine".into(), end_line.into());
            if let Some(end_column) = end_column.filter(|&c| c >= 1) {
                region.insert("endColumn".into(), end_column.into());
            }
        }
        (Some(end_line), Some(end_column)) if end_line == line && column.is_some_and(|c| end_column > c) => {
            region.insert("endLine".into(), end_line.into());
            region.insert("endColumn".into(), end_column.into());
        }
        _ => {}
    }
    region.into()
}

/// A relative path (with `/` separators) as a URI reference (RFC 3986):
/// every byte but unreserved characters and `/` percent-encoded. A `\\`
/// is part of a file name on the systems that write records here, not a
/// separator, so it becomes `%5C`.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{sample, span};
    use super::*;

    fn render(report: &Report) -> Value {
        let mut out = Vec::new();
        let opts = RenderOptions {
            color: false,
            sources: &super::super::test_support::no_sources,
            tool_version: "1.2.3",
            path_prefix: "",
        };
        super::render(report, &opts, &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    /// No `null` anywhere: SARIF wants absent properties omitted.
    fn assert_no_nulls(v: &Value, path: &str) {
        match v {
            Value::Null => panic!("null at {path}"),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    assert_no_nulls(item, &format!("{path}[{i}]"));
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    assert_no_nulls(item, &format!("{path}.{k}"));
                }
            }
            _ => {}
        }
    }

    #[test]
    fn log_shape() {
        let log = render(&sample());
        assert_no_nulls(&log, "$");
        assert_eq!(log["$schema"], SCHEMA);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "casework");
        assert_eq!(driver["version"], "1.2.3");
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 18);
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(rules[i]["id"], code.as_str());
            assert_eq!(rules[i]["shortDescription"]["text"], code.summary());
            assert!(rules[i]["help"]["text"].as_str().unwrap().len() > 10);
            assert!(rules[i]["fullDescription"]["text"].as_str().unwrap().len() > 10);
        }
        assert_eq!(rules[0]["name"], "MissingFrontMatter");
        assert_eq!(rules[14]["name"], "ArchivedRecordChanged");
        assert_eq!(rules[16]["defaultConfiguration"]["level"], "warning");
        assert_eq!(rules[4]["defaultConfiguration"]["level"], "error");

        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(
            results[0],
            json!({
                "ruleId": "schema", "ruleIndex": 4, "level": "error",
                "message": {"text": "\"status\" is not one of the allowed values"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": "records/complaint/CMP-2026-0042.md", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 3, "startColumn": 9, "endLine": 3, "endColumn": 13}
                }}],
                "properties": {"record": "CMP-2026-0042"}
            })
        );
        // A file-level finding is placed at line 1.
        assert_eq!(results[1]["level"], "warning");
        assert_eq!(results[1]["ruleIndex"], 16);
        assert_eq!(
            results[1]["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 1})
        );
        assert_eq!(
            results[2]["properties"],
            json!({"record": "INC-2026-0001", "commit": "1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5", "author": "author@example.com"})
        );
        assert_eq!(
            results[2]["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 2, "startColumn": 1})
        );
    }

    #[test]
    fn regions_are_valid() {
        let d = |s| Diagnostic::error(Code::Yaml, "a.md", "m").at(s);
        assert_eq!(region(&d(span(0, 0, 0, 0))), json!({"startLine": 1}));
        assert_eq!(
            region(&Diagnostic::error(Code::Sla, "a.md", "m")),
            json!({"startLine": 1})
        );
        assert_eq!(region(&d(span(2, 0, 1, 5))), json!({"startLine": 2}));
        assert_eq!(region(&d(span(2, 4, 2, 4))), json!({"startLine": 2, "startColumn": 4}));
        assert_eq!(
            region(&d(span(2, 4, 3, 1))),
            json!({"startLine": 2, "startColumn": 4, "endLine": 3, "endColumn": 1})
        );
        assert_eq!(
            region(&d(span(2, 4, 3, 0))),
            json!({"startLine": 2, "startColumn": 4, "endLine": 3})
        );
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(encode_uri_path("records/a b/ü#1%.md"), "records/a%20b/%C3%BC%231%25.md");
        assert_eq!(encode_uri_path("records\\x.md"), "records%5Cx.md");
        assert_eq!(
            encode_uri_path("r/a?b[c]@d!e+f=g:h;i'j"),
            "r/a%3Fb%5Bc%5D%40d%21e%2Bf%3Dg%3Ah%3Bi%27j"
        );
        for code in Code::ALL {
            let squashed = code.as_str().replace('-', "");
            assert!(!rule_name(code).eq_ignore_ascii_case(&squashed), "{code}");
        }
    }
}
