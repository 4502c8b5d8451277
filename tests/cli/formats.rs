//! `casework check --format F` (SPEC section 6) on one repository with an
//! error and a warning; `--deny-warnings`; `check PATH`.

use crate::support::*;
use serde_json::{Value, json};

const CMP: &str = "records/complaint/CMP-2026-0001.md";
const REQ: &str = "records/request/REQ-2026-0001.md";

/// A complaint with an unknown status (error at 5:9) and a request never
/// acknowledged (SLA warning at `opened`, 6:9).
fn error_and_warning() -> Repo {
    let repo = Repo::new();
    repo.write(CMP, record("CMP-2026-0001", "complaint", "recieved", ""));
    repo.write(REQ, unacknowledged_request("REQ-2026-0001"));
    repo
}

fn unacknowledged_request(id: &str) -> String {
    record(
        id,
        "request",
        "new",
        "customer:\n  name: Ann Lee\n  contact: ann@example.org\n  preferred_channel: email\n",
    )
}

#[test]
fn json_shape() {
    let repo = error_and_warning();
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let doc = run.json();
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&doc), ["version", "summary", "diagnostics"]);
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["summary"],
        json!({"records": 2, "commits": 0, "errors": 1, "warnings": 1})
    );
    assert_eq!(keys(&doc["summary"]), ["records", "commits", "errors", "warnings"]);
    let diags = doc["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 2);
    for d in diags {
        assert_eq!(
            keys(d),
            [
                "severity", "code", "file", "line", "column", "record", "message", "commit", "author"
            ]
        );
        assert!(d["commit"].is_null() && d["author"].is_null());
        let message = d["message"].as_str().unwrap();
        assert!(!message.is_empty() && !message.contains('\n'), "{message:?}");
    }
    let strip = |d: &Value| {
        let mut d = d.clone();
        d.as_object_mut().unwrap().remove("message");
        d
    };
    assert_eq!(
        strip(&diags[0]),
        json!({"severity": "error", "code": "unknown-status", "file": CMP, "line": 5, "column": 9,
               "record": "CMP-2026-0001", "commit": null, "author": null})
    );
    assert_eq!(
        strip(&diags[1]),
        json!({"severity": "warning", "code": "sla", "file": REQ, "line": 6, "column": 9,
               "record": "REQ-2026-0001", "commit": null, "author": null})
    );
    insta::assert_json_snapshot!(doc);
}

#[test]
fn clean_json() {
    let repo = Repo::new();
    repo.write(CMP, record("CMP-2026-0001", "complaint", "received", ""));
    let run = repo.check_json(&[]);
    run.assert_code(OK);
    assert_eq!(
        run.json(),
        json!({"version": 1, "summary": {"records": 1, "commits": 0, "errors": 0, "warnings": 0}, "diagnostics": []})
    );
}

#[test]
fn human() {
    let repo = error_and_warning();
    let run = repo.run(&["check"]);
    run.assert_code(FINDINGS);
    let out = &run.stdout;
    assert!(out.contains(&format!("{CMP}:5:9: error[unknown-status]: ")), "{out}");
    assert!(out.contains(&format!("{REQ}:6:9: warning[sla]: ")), "{out}");
    // The snippet shows the offending line with its number, then marks it.
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("5 | status: recieved"))
        .unwrap_or_else(|| panic!("no snippet line:\n{out}"));
    let mark = lines[at + 1];
    assert_eq!(mark.find('^'), lines[at].find("recieved"), "underline:\n{out}");
    assert_eq!(lines.last(), Some(&"checked 2 records: 1 error, 1 warning"));
    assert!(!out.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn human_colour_flag() {
    let repo = error_and_warning();
    let always = repo.run(&["--color", "always", "check"]);
    always.assert_code(FINDINGS);
    assert!(always.stdout.contains("\u{1b}["), "{}", always.stdout);
    let never = repo.run(&["--color", "never", "check"]);
    never.assert_code(FINDINGS);
    assert!(!never.stdout.contains('\u{1b}'));
}

#[test]
fn quiet_clean_run_prints_nothing() {
    let repo = Repo::new();
    repo.write(CMP, record("CMP-2026-0001", "complaint", "received", ""));
    let run = repo.run(&["-q", "check"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "");
}

#[test]
fn github() {
    let repo = error_and_warning();
    let run = repo.run(&["check", "--format", "github"]);
    run.assert_code(FINDINGS);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0].starts_with(&format!("::error file={CMP},line=5,col=9,")),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains(",title=casework [unknown-status]::status `recieved`"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!("::warning file={REQ},line=6,col=9,")),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",title=casework [sla]::"), "{}", lines[1]);
    assert_eq!(lines[2], "checked 2 records: 1 error, 1 warning");
}

#[test]
fn github_step_summary_lists_every_finding() {
    let repo = error_and_warning();
    let summary = repo.base().join("step-summary.md");
    std::fs::write(&summary, "## Earlier step\n").unwrap();
    let run = Run::of(
        repo.cmd()
            .args(["check", "--format", "github"])
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    run.assert_code(FINDINGS);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## Earlier step\n"), "appends:\n{md}");
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 4, "header, rule and one row per finding:\n{md}");
    assert!(rows[0].contains("Severity") && rows[0].contains("Code"), "{md}");
    assert!(rows[1].starts_with("| ---"), "{md}");
    assert!(
        rows[2].starts_with("| error | `unknown-status` | records/complaint/CMP-2026-0001.md:5:9 | CMP-2026-0001 |"),
        "{md}"
    );
    assert!(
        rows[3].starts_with("| warning | `sla` | records/request/REQ-2026-0001.md:6:9 | REQ-2026-0001 |"),
        "{md}"
    );
    assert!(md.contains("checked 2 records: 1 error, 1 warning"), "{md}");

    // Other formats leave it alone.
    std::fs::write(&summary, "").unwrap();
    Run::of(
        repo.cmd()
            .args(["check", "--format", "json"])
            .env("GITHUB_STEP_SUMMARY", &summary),
    )
    .assert_code(FINDINGS);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), "");
}

#[test]
fn sarif() {
    let repo = error_and_warning();
    let run = repo.run(&["check", "--format", "sarif"]);
    run.assert_code(FINDINGS);
    let log = run.json();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif"), "{}", log["$schema"]);
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "casework");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 18);
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
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
        "transition",
        "role",
        "immutable",
        "archived-modified",
        "deleted",
        "sla",
        "config",
    ] {
        assert!(ids.contains(&code), "no rule {code}");
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for (r, (rule, level, uri, line)) in results
        .iter()
        .zip([("unknown-status", "error", CMP, 5), ("sla", "warning", REQ, 6)])
    {
        assert_eq!(r["ruleId"], rule);
        assert_eq!(r["level"], level);
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], rule);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], uri, "a relative URI");
        assert_eq!(loc["region"]["startLine"], line);
        assert_eq!(loc["region"]["startColumn"], 9);
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
    }
}

/// The SARIF 2.1.0 JSON Schema, vendored (see tests/sarif/README.md).
fn sarif_schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif/sarif-schema-2.1.0.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    const HANDLER: &str = "h.handler@example.com";
    let repo = Repo::with_history();
    let rev = repo.sha("HEAD");
    // History: a record that skips a state, one deleted without a disposal.
    let gone = "records/request/REQ-2026-0002.md";
    repo.write(REQ, unacknowledged_request("REQ-2026-0001"));
    repo.write(gone, unacknowledged_request("REQ-2026-0002"));
    repo.commit(by(HANDLER, "2026-11-20T09:00:00Z"), "Log two requests");
    repo.write(
        REQ,
        unacknowledged_request("REQ-2026-0001").replace("status: new", "status: in_progress"),
    );
    repo.remove(gone);
    repo.commit(by(HANDLER, "2026-11-21T09:00:00Z"), "Straight to work; drop the other");
    // Working tree: an unknown status (a span), broken YAML, no front-matter
    // (a whole-file finding), a file name that needs percent-encoding.
    repo.write(CMP, record("CMP-2026-0001", "complaint", "recieved", ""));
    repo.write("records/complaint/CMP-2026-0002.md", "---\nid: [unclosed\n---\n");
    repo.write("records/complaint/CMP-2026-0003.md", "No front-matter here.\n");
    repo.write(
        "records/complaint/a b#1.md",
        record("CMP-2026-0004", "complaint", "received", ""),
    );
    let run = repo.run(&["check", "--since", &rev, "--format", "sarif"]);
    run.assert_code(FINDINGS);
    let log = run.json();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: std::collections::BTreeSet<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    for rule in [
        "unknown-status",
        "yaml",
        "front-matter",
        "file-name",
        "transition",
        "deleted",
        "sla",
    ] {
        assert!(rules.contains(rule), "no {rule} result: {rules:?}");
    }
    assert!(
        results
            .iter()
            .any(|r| r["properties"]["commit"].is_string() && r["properties"]["author"] == HANDLER),
        "a history result with commit and author"
    );

    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema does judge the output: a result with an unknown level fails.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

/// A `<testcase>` of a JUnit report: name, classname and its failures
/// (message, type).
#[derive(Debug, Default)]
pub struct Case {
    pub name: String,
    pub classname: String,
    pub failures: Vec<(String, String)>,
}

/// Parse a JUnit report (panics on malformed XML) into its test cases,
/// checking the suite counts against them.
pub fn junit_cases(xml: &str) -> Vec<Case> {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    use std::collections::HashMap;

    let mut reader = Reader::from_str(xml);
    let mut cases: Vec<Case> = Vec::new();
    let mut suites: Vec<HashMap<String, String>> = Vec::new();
    loop {
        let event = reader.read_event().unwrap_or_else(|e| panic!("bad XML ({e}):\n{xml}"));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let attrs: HashMap<String, String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                match e.name().as_ref() {
                    b"testsuites" | b"testsuite" => suites.push(attrs),
                    b"testcase" => cases.push(Case {
                        name: attrs["name"].clone(),
                        classname: attrs["classname"].clone(),
                        failures: Vec::new(),
                    }),
                    b"failure" => cases
                        .last_mut()
                        .expect("failure inside a testcase")
                        .failures
                        .push((attrs["message"].clone(), attrs["type"].clone())),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(suites.len(), 2, "<testsuites> and one <testsuite>");
    // `failures` counts `<failure>` elements, not failing test cases.
    let failures: usize = cases.iter().map(|c| c.failures.len()).sum();
    for s in &suites {
        assert_eq!(s["tests"], cases.len().to_string());
        assert_eq!(s["failures"], failures.to_string());
    }
    cases
}

#[test]
fn junit() {
    let repo = error_and_warning();
    let run = repo.run(&["check", "--format", "junit"]);
    run.assert_code(FINDINGS);
    assert!(run.stdout.starts_with("<?xml"), "{}", run.stdout);
    let cases = junit_cases(&run.stdout);
    let names: Vec<(&str, &str)> = cases.iter().map(|c| (c.classname.as_str(), c.name.as_str())).collect();
    assert_eq!(names, [("complaint", CMP), ("request", REQ)]);
    assert_eq!(cases[0].failures.len(), 1);
    assert_eq!(cases[0].failures[0].1, "unknown-status");
    assert!(cases[0].failures[0].0.contains("recieved"), "{:?}", cases[0].failures);
    assert!(cases[1].failures.is_empty(), "a warning is not a failure");
}

#[test]
fn junit_has_a_testcase_for_every_clean_file() {
    let repo = Repo::new();
    repo.copy_in(&fixtures().join("valid/records"), "records");
    let run = repo.run(&["check", "--format", "junit"]);
    run.assert_code(OK);
    let cases = junit_cases(&run.stdout);
    assert_eq!(cases.len(), 6);
    assert!(cases.iter().all(|c| c.failures.is_empty()));
}

#[test]
fn warnings_alone_pass_unless_denied() {
    let repo = Repo::new();
    repo.write(REQ, unacknowledged_request("REQ-2026-0001"));
    for format in ["human", "json", "github", "sarif", "junit"] {
        repo.run(&["check", "--format", format]).assert_code(OK);
        repo.run(&["check", "--format", format, "--deny-warnings"])
            .assert_code(FINDINGS);
    }
    let doc = repo.check_json(&[]).json();
    assert_eq!(doc["summary"]["warnings"], 1);
    assert_eq!(doc["diagnostics"][0]["code"], "sla");
    assert_eq!(doc["diagnostics"][0]["severity"], "warning");
}

#[test]
fn sla_follows_casework_now() {
    let repo = Repo::new();
    // Opened Monday 2 November: acknowledge within one business day.
    repo.write(REQ, unacknowledged_request("REQ-2026-0001"));
    let at = |now: &str| {
        Run::of(repo.cmd().args(["check", "--format", "json"]).env("CASEWORK_NOW", now)).json()["summary"]["warnings"]
            .clone()
    };
    assert_eq!(at("2026-11-02T12:00:00Z"), 0);
    assert_eq!(at("2026-11-23T12:00:00Z"), 1);
}

#[test]
fn check_path_limits_findings_to_that_file() {
    let repo = Repo::new();
    let inc = "records/incident/INC-2026-0001.md";
    // Its own error: reported only when the incident is checked.
    repo.write(inc, record("INC-2026-0001", "incident", "opne", ""));
    repo.write(
        CMP,
        record(
            "CMP-2026-0001",
            "complaint",
            "received",
            "related:\n  - INC-2026-0001\n  - ORD-2026-0042\n",
        ),
    );
    repo.write(REQ, unacknowledged_request("REQ-2026-0001"));

    let run = repo.check_json(&[CMP]);
    run.assert_code(FINDINGS);
    // The link to the incident holds although the incident was not checked.
    assert_eq!(run.findings(), [error("broken-link", CMP, 9, 5)]);
    assert_eq!(run.json()["summary"]["records"], 1);

    let run = repo.check_json(&["records/incident"]);
    run.assert_code(FINDINGS);
    assert_eq!(run.findings(), [error("unknown-status", inc, 5, 9)]);

    // Warnings only: exit 0.
    let run = repo.check_json(&[REQ]);
    run.assert_code(OK);
    assert_eq!(run.json()["summary"]["records"], 1);
    assert_eq!(run.json()["summary"]["warnings"], 1);

    // Relative to -C DIR, whatever the current folder.
    let run = Run::of(
        casework(&repo.home)
            .current_dir(repo.base())
            .arg("-C")
            .arg(&repo.root)
            .args(["check", "--format", "json", CMP]),
    );
    run.assert_code(FINDINGS);
    assert_eq!(run.findings(), [error("broken-link", CMP, 9, 5)]);

    // Relative to the folder casework starts in.
    let run = Run::of(repo.cmd().current_dir(repo.path("records/complaint")).args([
        "check",
        "--format",
        "json",
        "CMP-2026-0001.md",
    ]));
    run.assert_code(FINDINGS);
    assert_eq!(run.findings(), [error("broken-link", CMP, 9, 5)]);
}

#[test]
fn duplicate_ids_are_judged_against_all_records() {
    let repo = Repo::new();
    repo.write(CMP, record("CMP-2026-0001", "complaint", "received", ""));
    let other = "records/complaint/CMP-2026-0002.md";
    repo.write(other, record("CMP-2026-0001", "complaint", "received", ""));
    let run = repo.check_json(&[CMP]);
    run.assert_code(FINDINGS);
    assert_eq!(run.findings(), [error("duplicate-id", CMP, 2, 5)]);
}

#[test]
fn links_to_disposed_cases_are_not_broken() {
    let repo = Repo::new();
    repo.write(
        "disposals.csv",
        "id,kind,opened,closed,archived,disposed_at,reason,by\n\
         ORD-2024-0007,order,2024-02-12T11:05:00Z,2024-02-16T09:00:00Z,2024-05-14T09:00:00Z,2026-02-17T10:15:00Z,Retention ended,archive@example.com\n",
    );
    repo.write(
        CMP,
        record(
            "CMP-2026-0001",
            "complaint",
            "received",
            "related:\n  - ORD-2024-0007\n  - ORD-2024-0008\n",
        ),
    );
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert_eq!(run.findings(), [error("broken-link", CMP, 9, 5)]);
}
