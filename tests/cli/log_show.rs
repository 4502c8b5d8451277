//! `casework log ID` and `casework show ID` (SPEC section 5): a case's
//! timeline from git, oldest first, following renames; and one case with
//! its state, next steps, SLA clocks and recent timeline.

use crate::support::*;
use serde_json::{Value, json};

const ME: &str = "h.handler@example.com";
const OTHER: &str = "o.other@example.com";
const REQ: &str = "records/request/REQ-2026-0001.md";
const CUSTOMER: &str = "customer:\n  name: Ada Lovelace\n  contact: ada@example.org\n  preferred_channel: email\n";
const ACK: &str = "acknowledged_at: 2026-11-02T10:00:00Z\nexpected_resolution: 2026-11-20\n";

fn new_request() -> String {
    record("REQ-2026-0001", "request", "new", CUSTOMER)
}

fn acknowledged() -> String {
    record("REQ-2026-0001", "request", "acknowledged", &format!("{CUSTOMER}{ACK}"))
}

fn log_json(repo: &Repo, id: &str) -> Value {
    let run = repo.run(&["log", id, "--format", "json"]);
    run.assert_code(OK);
    run.json()
}

/// The commits of a timeline, oldest first.
fn commits(doc: &Value) -> Vec<String> {
    doc["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["commit"].as_str().unwrap().to_string())
        .collect()
}

/// Each entry's transition as (from, to), `None` for no transition.
fn transitions(doc: &Value) -> Vec<Option<(Value, Value)>> {
    doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let t = &e["transition"];
            (!t.is_null()).then(|| (t["from"].clone(), t["to"].clone()))
        })
        .collect()
}

/// Changes sorted by field: the order inside an entry is presentation.
fn sorted_changes(changes: &Value) -> Vec<Value> {
    let mut list = changes.as_array().expect("changes is a list").clone();
    list.sort_by(|a, b| a["field"].as_str().cmp(&b["field"].as_str()));
    list
}

fn change(field: &str, old: Value, new: Value) -> Value {
    json!({"field": field, "old": old, "new": new})
}

#[test]
fn log_json_has_the_contract_shape_oldest_first() {
    let repo = Repo::with_history();
    let created = repo.write_commit(by(ME, "2026-11-02T09:30:00Z"), REQ, new_request(), "Log REQ-2026-0001");
    // Another record's commit is not in this timeline.
    repo.write_commit(
        by(OTHER, "2026-11-02T09:45:00Z"),
        "records/complaint/CMP-2026-0001.md",
        record("CMP-2026-0001", "complaint", "received", ""),
        "Log CMP-2026-0001",
    );
    let acked = repo.write_commit(
        by(ME, "2026-11-02T10:00:00Z"),
        REQ,
        acknowledged(),
        "REQ-2026-0001: new -> acknowledged",
    );
    let edited = repo.write_commit(
        by(OTHER, "2026-11-03T08:15:00Z"),
        REQ,
        acknowledged().replace("title: A case for the tests", "title: Invoice copy"),
        "Retitle",
    );
    let doc = log_json(&repo, "REQ-2026-0001");
    // Exactly the contract's keys, at every level.
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&doc), ["entries", "id"]);
    assert_eq!(doc["id"], "REQ-2026-0001");
    assert_eq!(
        commits(&doc),
        [created.clone(), acked.clone(), edited.clone()],
        "oldest first"
    );
    for e in doc["entries"].as_array().unwrap() {
        assert_eq!(
            keys(e),
            ["author", "changes", "commit", "date", "subject", "transition"]
        );
        for c in e["changes"].as_array().unwrap() {
            assert_eq!(keys(c), ["field", "new", "old"]);
        }
        if !e["transition"].is_null() {
            assert_eq!(keys(&e["transition"]), ["from", "to"]);
        }
    }
    // The date is the commit's time, RFC 3339.
    let dates: Vec<chrono::DateTime<chrono::Utc>> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            chrono::DateTime::parse_from_rfc3339(e["date"].as_str().unwrap())
                .unwrap_or_else(|err| panic!("{}: {err}", e["date"]))
                .to_utc()
        })
        .collect();
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    assert_eq!(
        dates,
        [
            at("2026-11-02T09:30:00Z"),
            at("2026-11-02T10:00:00Z"),
            at("2026-11-03T08:15:00Z")
        ]
    );

    let e = &doc["entries"];
    assert_eq!(
        (&e[0]["author"], &e[0]["subject"], &e[0]["transition"]),
        (
            &json!(ME),
            &json!("Log REQ-2026-0001"),
            &json!({"from": null, "to": "new"})
        )
    );
    let created_fields: Vec<&str> = e[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    for f in ["id", "kind", "title", "status", "opened", "customer.name"] {
        assert!(created_fields.contains(&f), "{f} in {created_fields:?}");
    }
    assert!(e[0]["changes"].as_array().unwrap().iter().all(|c| c["old"].is_null()));

    assert_eq!(e[1]["author"], ME);
    assert_eq!(e[1]["subject"], "REQ-2026-0001: new -> acknowledged");
    assert_eq!(e[1]["transition"], json!({"from": "new", "to": "acknowledged"}));
    assert_eq!(
        sorted_changes(&e[1]["changes"]),
        [
            change("acknowledged_at", Value::Null, json!("2026-11-02T10:00:00Z")),
            change("expected_resolution", Value::Null, json!("2026-11-20")),
            change("status", json!("new"), json!("acknowledged")),
        ]
    );

    assert_eq!(e[2]["author"], OTHER);
    assert_eq!(e[2]["transition"], Value::Null, "no status change");
    assert_eq!(
        sorted_changes(&e[2]["changes"]),
        [change("title", json!("A case for the tests"), json!("Invoice copy"))]
    );
}

#[test]
fn log_follows_renames_and_moves() {
    let repo = Repo::with_history();
    let created = repo.write_commit(by(ME, "2026-11-02T09:30:00Z"), REQ, new_request(), "Log");
    // Renamed to another file name (same ID inside)...
    repo.git(&["mv", REQ, "records/request/ada-invoice.md"]);
    let renamed = repo.commit(by(ME, "2026-11-02T09:40:00Z"), "Rename");
    let edited = repo.write_commit(
        by(ME, "2026-11-02T10:00:00Z"),
        "records/request/ada-invoice.md",
        acknowledged(),
        "Ack",
    );
    // ...then back to its ID under another folder.
    std::fs::create_dir_all(repo.path("records/request/2026")).unwrap();
    repo.git(&[
        "mv",
        "records/request/ada-invoice.md",
        "records/request/2026/REQ-2026-0001.md",
    ]);
    let moved = repo.commit(by(ME, "2026-11-02T10:10:00Z"), "File by year");
    let last = repo.write_commit(
        by(ME, "2026-11-03T10:00:00Z"),
        "records/request/2026/REQ-2026-0001.md",
        acknowledged().replace("title: A case for the tests", "title: Invoice copy"),
        "Retitle",
    );
    let doc = log_json(&repo, "REQ-2026-0001");
    let got = commits(&doc);
    for (sha, what) in [
        (&created, "created"),
        (&edited, "acknowledged after the rename"),
        (&last, "edited after the move"),
    ] {
        assert!(got.contains(sha), "{what}: {sha} missing from {got:?}");
    }
    // The renames themselves change no field.
    for sha in [&renamed, &moved] {
        if let Some(e) = doc["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["commit"] == sha.as_str())
        {
            assert_eq!(e["changes"], json!([]), "{e}");
            assert_eq!(e["transition"], Value::Null, "{e}");
        }
    }
    let steps: Vec<_> = transitions(&doc).into_iter().flatten().collect();
    assert_eq!(
        steps,
        [(Value::Null, json!("new")), (json!("new"), json!("acknowledged"))],
        "created once, acknowledged once"
    );
}

#[test]
fn log_follows_a_record_created_under_another_name() {
    let repo = Repo::with_history();
    let created = repo.write_commit(
        by(ME, "2026-11-02T09:30:00Z"),
        "records/request/draft.md",
        new_request(),
        "Draft",
    );
    repo.git(&["mv", "records/request/draft.md", REQ]);
    repo.commit(by(ME, "2026-11-02T09:40:00Z"), "Name it by its ID");
    let doc = log_json(&repo, "REQ-2026-0001");
    assert_eq!(commits(&doc).first(), Some(&created), "{doc:#}");
    let created_twice = transitions(&doc)
        .into_iter()
        .flatten()
        .filter(|(from, _)| from.is_null())
        .count();
    assert_eq!(created_twice, 1, "{doc:#}");
}

#[test]
fn log_does_not_repeat_a_branch_in_its_merge() {
    let repo = Repo::with_history();
    repo.write_commit(by(ME, "2026-11-02T09:30:00Z"), REQ, new_request(), "Log");
    repo.git(&["branch", "feature"]);
    repo.git(&["checkout", "-q", "feature"]);
    repo.write_commit(by(ME, "2026-11-02T10:00:00Z"), REQ, acknowledged(), "Ack");
    repo.write_commit(
        by(ME, "2026-11-03T10:00:00Z"),
        REQ,
        acknowledged().replace("status: acknowledged", "status: in_progress"),
        "Work",
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.write_commit(by(OTHER, "2026-11-03T11:00:00Z"), "NOTES.txt", "x\n", "Unrelated");
    repo.git_as(
        by(OTHER, "2026-11-04T09:00:00Z"),
        &["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
    );
    let merge = repo.sha("HEAD");
    let doc = log_json(&repo, "REQ-2026-0001");
    assert!(!commits(&doc).contains(&merge), "{doc:#}");
    let steps: Vec<_> = transitions(&doc).into_iter().flatten().collect();
    assert_eq!(
        steps,
        [
            (Value::Null, json!("new")),
            (json!("new"), json!("acknowledged")),
            (json!("acknowledged"), json!("in_progress")),
        ]
    );
}

#[test]
fn log_of_an_unknown_id_is_a_finding_and_a_bad_id_a_usage_error() {
    let repo = Repo::with_history();
    repo.write_commit(by(ME, "2026-11-02T09:30:00Z"), REQ, new_request(), "Log");
    let run = repo.run(&["log", "REQ-2026-0042", "--format", "json"]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("REQ-2026-0042"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    // In the working tree but never committed: no timeline either.
    repo.write(
        "records/request/REQ-2026-0002.md",
        record("REQ-2026-0002", "request", "new", CUSTOMER),
    );
    repo.run(&["log", "REQ-2026-0002"]).assert_code(FINDINGS);
    let run = repo.run(&["log", "../../etc/passwd"]);
    run.assert_code(USAGE);
}

#[test]
fn log_human_shows_short_shas_and_transitions() {
    let repo = Repo::with_history();
    let created = repo.write_commit(by(ME, "2026-11-02T09:30:00Z"), REQ, new_request(), "Log REQ-2026-0001");
    let acked = repo.write_commit(by(ME, "2026-11-02T10:00:00Z"), REQ, acknowledged(), "Acknowledge");
    let run = repo.run(&["log", "REQ-2026-0001"]);
    run.assert_code(OK);
    let out = &run.stdout;
    assert!(!out.contains(&created) && !out.contains(&acked), "no full SHAs: {out}");
    let first = out
        .find(&created[..7])
        .unwrap_or_else(|| panic!("{} in {out}", &created[..7]));
    let second = out
        .find(&acked[..7])
        .unwrap_or_else(|| panic!("{} in {out}", &acked[..7]));
    assert!(first < second, "oldest first: {out}");
    assert!(out.contains(ME) && out.contains("Acknowledge"), "{out}");
    assert!(out.contains("new -> acknowledged"), "{out}");
    assert!(
        out.contains("expected_resolution") && out.contains("2026-11-20"),
        "{out}"
    );
    assert!(!out.contains("\x1b["), "no colour when not a terminal: {out:?}");
}

#[test]
fn show_gives_state_next_steps_clocks_and_timeline() {
    let repo = Repo::with_history();
    // Opened on Thursday 19th: acknowledging was due on Friday 20th.
    let text = new_request().replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-11-19T09:14:00Z");
    let created = repo.write_commit(by(ME, "2026-11-19T09:30:00Z"), REQ, &text, "Log REQ-2026-0001");
    let retitled = repo.write_commit(
        by(OTHER, "2026-11-19T10:00:00Z"),
        REQ,
        text.replace("title: A case for the tests", "title: Invoice copy"),
        "Retitle",
    );
    let run = repo.run(&["show", "REQ-2026-0001"]);
    run.assert_code(OK);
    let out = &run.stdout;
    assert!(out.contains("REQ-2026-0001") && out.contains("Invoice copy"), "{out}");
    assert!(out.contains("[new]"), "the current state: {out}");
    // The next state and what it still needs.
    let next = &out[out.find("Next").unwrap_or_else(|| panic!("a Next section: {out}"))..];
    assert!(next.contains("acknowledged"), "{out}");
    assert!(
        next.contains("expected_resolution"),
        "acknowledged needs expected_resolution: {out}"
    );
    assert!(
        !next.contains("acknowledged_at`"),
        "acknowledged_at is set by the step itself: {out}"
    );
    // The clock.
    assert!(out.contains("acknowledge") && out.contains("2026-11-20"), "{out}");
    assert!(out.contains("BREACHED"), "{out}");
    // The timeline, short SHAs, oldest first.
    let a = out.find(&created[..7]).unwrap_or_else(|| panic!("{out}"));
    let b = out.find(&retitled[..7]).unwrap_or_else(|| panic!("{out}"));
    assert!(a < b, "{out}");
    assert!(out.contains("Retitle") && out.contains(OTHER), "{out}");

    // Once acknowledged, `in_progress` is ready.
    let acked = text.replace("status: new", "status: acknowledged").replace(
        "---\n## Summary",
        "acknowledged_at: 2026-11-19T11:00:00Z\nexpected_resolution: 2026-11-27\n---\n## Summary",
    );
    repo.write_commit(by(ME, "2026-11-19T11:00:00Z"), REQ, acked, "Ack");
    let run = repo.run(&["show", "REQ-2026-0001"]);
    run.assert_code(OK);
    assert!(run.stdout.contains("in_progress: ready"), "{}", run.stdout);

    let run = repo.run(&["show", "REQ-2026-0042"]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("REQ-2026-0042"), "{}", run.stderr);
}

#[test]
fn show_names_the_role_a_step_needs() {
    let repo = Repo::with_history();
    let text = record(
        "INC-2026-0001",
        "incident",
        "follow_up",
        "resolution:\n  summary: Renewed the certificate.\n  corrective_actions:\n    - Renewal automated.\n  verified: true\n",
    );
    repo.write_commit(
        by(ME, "2026-11-12T09:00:00Z"),
        "records/incident/INC-2026-0001.md",
        text,
        "Follow up",
    );
    let run = Run::of(repo.cmd().args(["show", "INC-2026-0001"]).env("GIT_AUTHOR_EMAIL", ME));
    run.assert_code(OK);
    let out = &run.stdout;
    let next = &out[out.find("Next").unwrap_or_else(|| panic!("{out}"))..];
    assert!(next.contains("closed") && next.contains("manager"), "{out}");
    for field in ["stakeholder_feedback", "lessons"] {
        assert!(next.contains(field), "closing still needs {field}: {out}");
    }
    // No timeline without git history is no error.
    let repo = Repo::new();
    repo.write(
        "records/incident/INC-2026-0001.md",
        record("INC-2026-0001", "incident", "open", ""),
    );
    let run = repo.run(&["show", "INC-2026-0001"]);
    run.assert_code(OK);
    assert!(run.stdout.contains("[open]"), "{}", run.stdout);
}

/// Regression: `casework log ID | head -1` panicked on the closed pipe (exit 101).
#[test]
fn log_into_a_closed_pipe_does_not_panic() {
    let repo = Repo::with_history();
    repo.write_commit(
        by("h@example.com", "2026-11-03T09:00:00Z"),
        "records/complaint/CMP-2026-0001.md",
        // Far more output than a pipe buffers, so writes go on after the reader left.
        record(
            "CMP-2026-0001",
            "complaint",
            "received",
            &format!("category: {}\n", "x".repeat(300_000)),
        ),
        "CMP-2026-0001: new complaint",
    );
    // `head -c 1` closes the pipe after one byte: the rest of the output hits a closed pipe.
    let script = format!(
        "'{}' -C '{}' log CMP-2026-0001 --format json | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}",
        env!("CARGO_BIN_EXE_casework"),
        repo.root.display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// Outside git, `log` says what is missing; it once named `--since`, a flag
/// of another command.
#[test]
fn log_outside_git_names_the_missing_repository_not_a_flag_of_another_command() {
    let repo = Repo::new();
    repo.write("records/request/REQ-2026-0001.md", new_request());
    std::fs::remove_dir_all(repo.path(".git")).unwrap();
    let run = repo.run(&["log", "REQ-2026-0001"]);
    run.assert_code(2);
    assert!(run.stderr.contains("is not inside a git repository"), "{}", run.stderr);
    assert!(!run.stderr.contains("--since"), "{}", run.stderr);
}
