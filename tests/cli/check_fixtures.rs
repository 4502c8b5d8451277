//! `casework check` over the fixture folders: `valid/` checks clean, each
//! `invalid/<case>/` gives exactly the findings of its `expected.json`.
//!
//! A case folder holds `records/...` (copied into a repository made by
//! `casework init`), `expected.json` (a list of
//! `{code, file, line, column, severity}` with optional `message_contains`
//! and `record`) and optionally `setup.json`:
//! `{"config_replace": [[from, to]...], "delete": [path...], "write": {path: text}}`.
//! Each case's findings, messages included, are pinned by an insta snapshot
//! named for the case (`snapshots/cli__check_fixtures__<case>.snap`).

use crate::support::*;
use serde_json::Value;
use std::path::Path;

/// Number of `.md` files under `dir`.
fn record_files(dir: &Path) -> u64 {
    snapshot(dir).keys().filter(|k| k.ends_with(".md")).count() as u64
}

fn apply_setup(repo: &Repo, setup: &Value) {
    for pair in setup["config_replace"].as_array().into_iter().flatten() {
        repo.edit_config(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
    }
    for path in setup["delete"].as_array().into_iter().flatten() {
        repo.remove(path.as_str().unwrap());
    }
    for (path, text) in setup["write"].as_object().into_iter().flatten() {
        repo.write(path, text.as_str().unwrap());
    }
}

/// Findings one a line, `severity code file:line:column: message`, as a
/// snapshot pins them: a changed message shows in review.
fn pinned(diags: &[&Value]) -> String {
    diags
        .iter()
        .map(|d| {
            let n = |k: &str| d[k].as_u64().map_or("-".to_string(), |v| v.to_string());
            format!(
                "{} {} {}:{}:{}: {}\n",
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                n("line"),
                n("column"),
                d["message"].as_str().unwrap()
            )
        })
        .collect()
}

/// Run one invalid case and compare its findings with `expected.json`.
/// `sla` warnings are ignored unless the case expects one.
fn invalid_case(name: &str) {
    let dir = fixtures().join("invalid").join(name);
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let expected = expected.as_array().expect("expected.json holds a list");
    let repo = Repo::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("setup.json")) {
        apply_setup(&repo, &serde_json::from_str(&text).unwrap());
    }
    repo.copy_in(&dir.join("records"), "records");

    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let doc = run.json();
    let wants_sla = expected.iter().any(|e| e["code"] == "sla");
    let diags: Vec<&Value> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| wants_sla || d["code"] != "sla")
        .collect();
    let mut got: Vec<Finding> = diags.iter().map(|d| Finding::from_json(d)).collect();
    got.sort();
    let mut want: Vec<Finding> = expected.iter().map(Finding::from_json).collect();
    want.sort();
    assert_eq!(got, want, "case {name}: findings\n{:#}", doc["diagnostics"]);

    for e in expected {
        let f = Finding::from_json(e);
        let d = diags
            .iter()
            .find(|d| Finding::from_json(d) == f)
            .expect("matched above");
        if let Some(part) = e["message_contains"].as_str() {
            let message = d["message"].as_str().unwrap();
            assert!(
                message.contains(part),
                "case {name}: message {message:?} lacks {part:?}"
            );
        }
        if let Some(record) = e.get("record") {
            assert_eq!(&d["record"], record, "case {name}: record");
        }
        assert!(d["commit"].is_null() && d["author"].is_null(), "case {name}: {d}");
    }
    insta::assert_snapshot!(name, pinned(&diags));

    let errors = want.iter().filter(|f| f.severity == "error").count() as u64;
    assert_eq!(doc["summary"]["errors"], errors, "case {name}: summary");
    // Files that cannot be read or parsed are counted too.
    assert_eq!(
        doc["summary"]["records"],
        record_files(&dir.join("records")),
        "case {name}: summary.records"
    );
}

macro_rules! invalid_cases {
    ($($test:ident => $dir:literal,)*) => {
        $(
            #[test]
            fn $test() {
                invalid_case($dir);
            }
        )*
        const CASES: &[&str] = &[$($dir),*];
    };
}

invalid_cases! {
    front_matter_missing => "front-matter-missing",
    front_matter_unterminated => "front-matter-unterminated",
    front_matter_empty => "front-matter-empty",
    front_matter_not_a_mapping => "front-matter-not-a-mapping",
    yaml_syntax => "yaml-syntax",
    yaml_unterminated_quote => "yaml-unterminated-quote",
    yaml_duplicate_key => "yaml-duplicate-key",
    yaml_alias_bomb => "yaml-alias-bomb",
    encoding_invalid_utf8 => "encoding-invalid-utf8",
    encoding_binary => "encoding-binary",
    encoding_nul => "encoding-nul",
    too_large => "too-large",
    schema_missing_required => "schema-missing-required",
    schema_guard_const => "schema-guard-const",
    schema_guard_nested_missing => "schema-guard-nested-missing",
    schema_guard_top_level_missing => "schema-guard-top-level-missing",
    schema_unknown_field => "schema-unknown-field",
    schema_wrong_type => "schema-wrong-type",
    schema_bad_date_time => "schema-bad-date-time",
    schema_enum_in_flow_mapping => "schema-enum-in-flow-mapping",
    schema_time_guard => "schema-time-guard",
    schema_field_role => "schema-field-role",
    id_format_pattern => "id-format-pattern",
    id_format_year => "id-format-year",
    id_format_path_traversal => "id-format-path-traversal",
    id_format_html => "id-format-html",
    duplicate_id => "duplicate-id",
    file_name_mismatch => "file-name-mismatch",
    file_name_wrong_folder => "file-name-wrong-folder",
    unknown_kind => "unknown-kind",
    unknown_status => "unknown-status",
    broken_link => "broken-link",
    config_schema_missing => "config-schema-missing",
    config_schema_not_json => "config-schema-not-json",
}

#[test]
fn every_invalid_fixture_has_a_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn every_non_history_code_has_an_invalid_fixture() {
    let mut covered = std::collections::BTreeSet::new();
    for case in CASES {
        let text = std::fs::read_to_string(fixtures().join("invalid").join(case).join("expected.json")).unwrap();
        let expected: Value = serde_json::from_str(&text).unwrap();
        for e in expected.as_array().unwrap() {
            covered.insert(e["code"].as_str().unwrap().to_string());
        }
    }
    // `sla` is tested in formats.rs; transition, role, immutable,
    // archived-modified and deleted are history findings (`--since`).
    for code in [
        "front-matter",
        "yaml",
        "encoding",
        "too-large",
        "schema",
        "id-format",
        "duplicate-id",
        "file-name",
        "unknown-kind",
        "unknown-status",
        "broken-link",
        "config",
    ] {
        assert!(covered.contains(code), "no invalid fixture for `{code}`");
    }
}

#[test]
fn valid_fixtures_check_clean() {
    let repo = Repo::new();
    let valid = fixtures().join("valid/records");
    repo.copy_in(&valid, "records");
    let run = repo.check_json(&[]);
    run.assert_code(OK);
    let doc = run.json();
    assert_eq!(doc["diagnostics"], serde_json::json!([]), "{:#}", doc["diagnostics"]);
    assert_eq!(doc["summary"]["records"], record_files(&valid));
    assert_eq!(doc["summary"]["errors"], 0);
    assert_eq!(doc["summary"]["warnings"], 0);

    let human = repo.run(&["check"]);
    human.assert_code(OK);
    assert_eq!(
        human.stdout,
        format!("checked {} records: no problems\n", record_files(&valid))
    );
}

#[test]
fn valid_fixtures_cover_every_kind_and_a_bom_with_crlf() {
    let valid = fixtures().join("valid/records");
    for kind in ["incident", "feedback", "request", "complaint", "order"] {
        let n = record_files(&valid.join(kind));
        assert!(n >= 1, "no valid {kind} fixture");
    }
    // Guard against an editor or git normalising the fixture.
    let bytes = std::fs::read(valid.join("request/REQ-2026-0001.md")).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf---\r\n"), "BOM and CRLF lost");
    assert_eq!(
        bytes.windows(2).filter(|w| w == b"\r\n").count(),
        bytes.iter().filter(|&&b| b == b'\n').count(),
        "every line ends in CRLF"
    );
}

/// Positions in a BOM + CRLF file are the same as in a plain one.
#[test]
fn bom_and_crlf_keep_positions() {
    let repo = Repo::new();
    let lf = record("CMP-2026-0001", "complaint", "received", "tags: urgent\n");
    let crlf = format!(
        "\u{feff}{}",
        lf.replace("CMP-2026-0001", "CMP-2026-0002").replace('\n', "\r\n")
    );
    repo.write("records/complaint/CMP-2026-0001.md", &lf);
    repo.write("records/complaint/CMP-2026-0002.md", &crlf);
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.findings(),
        [
            error("schema", "records/complaint/CMP-2026-0001.md", 7, 7),
            error("schema", "records/complaint/CMP-2026-0002.md", 7, 7),
        ]
    );
}
