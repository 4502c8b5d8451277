//! Reopened cases start a new cycle: the ended cycle's closing fields move
//! into `cycles`, a step's times are set anew, and neither `transition` nor
//! `check --since` lets a case close again on the previous cycle's values.

use crate::support::*;
use serde_json::json;

const ME: &str = "h.handler@example.com";
const MANAGER: &str = "m.jones@example.com";
const REQ: &str = "records/request/REQ-2026-0001.md";

/// `casework ARGS...` as `email` at `now`, which is also the commit time.
fn at(repo: &Repo, email: &str, now: &str, args: &[&str]) -> Run {
    Run::of(
        repo.cmd_as(email)
            .args(args)
            .env("CASEWORK_NOW", now)
            .env("GIT_AUTHOR_DATE", now)
            .env("GIT_COMMITTER_DATE", now),
    )
}

/// A request taken through resolved (Wed 2026-11-04) and closed on
/// no response (Thu 11-12), each step committed by `casework transition`.
fn closed_on_no_response() -> Repo {
    let repo = Repo::with_history();
    repo.write_commit(
        by(ME, "2026-11-02T09:30:00Z"),
        REQ,
        record("REQ-2026-0001", "request", "new", CUSTOMER),
        "Log REQ-2026-0001",
    );
    let id = "REQ-2026-0001";
    for (now, args) in [
        (
            "2026-11-02T11:00:00Z",
            vec!["acknowledged", "--set", "expected_resolution=2026-11-20"],
        ),
        ("2026-11-03T10:00:00Z", vec!["in_progress"]),
        (
            "2026-11-04T10:00:00Z",
            vec!["resolved", "--set", "resolution.summary=Sent the invoice copy."],
        ),
        (
            "2026-11-12T10:00:00Z",
            vec!["closed", "--set", "confirmation.outcome=no_response"],
        ),
    ] {
        let mut a = vec!["transition", id];
        a.extend(args);
        a.push("--commit");
        at(&repo, ME, now, &a).assert_code(OK);
    }
    repo
}

#[test]
fn a_reopened_request_is_not_closed_again_on_the_previous_no_response() {
    let repo = closed_on_no_response();
    let id = "REQ-2026-0001";
    at(
        &repo,
        ME,
        "2026-11-16T10:00:00Z",
        &[
            "transition",
            id,
            "in_progress",
            "--set",
            "reopen_reason=Copy never arrived.",
            "--commit",
        ],
    )
    .assert_code(OK);
    let data = front_matter(&repo.read(REQ));
    assert_eq!(data["status"], "in_progress");
    assert!(
        data.get("resolution").is_none() && data.get("confirmation").is_none(),
        "{data}"
    );
    assert_eq!(data["reopen_reason"], "Copy never arrived.");
    assert_eq!(
        data["cycles"],
        json!([{
            "reopened_at": "2026-11-16T10:00:00Z",
            "from": "closed",
            "resolution": {"summary": "Sent the invoice copy.", "notified_at": "2026-11-04T10:00:00Z"},
            "confirmation": {"outcome": "no_response", "at": "2026-11-12T10:00:00Z"},
        }])
    );

    // The timeline says so in one line, not a diff per moved field.
    let log = repo.run(&["log", id]);
    log.assert_code(OK);
    assert!(
        log.stdout.contains("ended cycle 1 kept in `cycles`: `confirmation`, `resolution`\n    reopen_reason: - -> Copy never arrived.\n"),
        "{}",
        log.stdout
    );
    assert!(!log.stdout.contains("-> -"), "{}", log.stdout);

    // Resolved again: the step's time is this cycle's.
    at(
        &repo,
        ME,
        "2026-11-17T10:00:00Z",
        &[
            "transition",
            id,
            "resolved",
            "--set",
            "resolution.summary=Posted it.",
            "--commit",
        ],
    )
    .assert_code(OK);
    assert_eq!(
        front_matter(&repo.read(REQ))["resolution"]["notified_at"],
        "2026-11-17T10:00:00Z"
    );

    // Five minutes later, "no response" is refused with the new wait.
    let before = snapshot(&repo.root);
    let run = at(
        &repo,
        ME,
        "2026-11-17T10:05:00Z",
        &[
            "transition",
            id,
            "closed",
            "--set",
            "confirmation.outcome=no_response",
            "--commit",
        ],
    );
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains(
            "allowed from 2026-11-24 (5 business days after `resolution.notified_at`, 2026-11-17); 0 business days have passed"
        ),
        "{}",
        run.stderr
    );
    assert_same_files(&snapshot(&repo.root), &before, "a refused close");

    // CI accepts every step casework took.
    let run = repo.check_json(&["--since", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"]);
    run.assert_code(OK);
    assert_eq!(run.errors(), vec![]);

    // A second reopen keeps both ended cycles, oldest first, and needs a new reason.
    let run = at(&repo, ME, "2026-11-18T10:00:00Z", &["transition", id, "in_progress"]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("needs `reopen_reason`"), "{}", run.stderr);
    at(
        &repo,
        ME,
        "2026-11-18T10:00:00Z",
        &["transition", id, "in_progress", "--set", "reopen_reason=Wrong copy."],
    )
    .assert_code(OK);
    let data = front_matter(&repo.read(REQ));
    let cycles = data["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), 2);
    assert_eq!(cycles[1]["from"], "resolved");
    assert_eq!(cycles[1]["reopen_reason"], "Copy never arrived.");
    assert_eq!(data["reopen_reason"], "Wrong copy.");
}

#[test]
fn check_since_rejects_a_reopen_that_keeps_the_ended_cycle_and_a_close_on_it() {
    let repo = closed_on_no_response();
    let base = repo.sha("HEAD");
    // By hand: reopened, but resolution and confirmation left in place…
    let text = repo
        .read(REQ)
        .replace("status: closed", "status: in_progress")
        .replace("---\n## Summary", "reopen_reason: Copy never arrived.\n---\n## Summary");
    let reopen = repo.write_commit(by(ME, "2026-11-16T10:00:00Z"), REQ, &text, "Reopen");
    // …then resolved and, five minutes later, closed on the old "no response".
    let resolved = text.replace("status: in_progress", "status: resolved");
    repo.write_commit(by(ME, "2026-11-17T10:00:00Z"), REQ, &resolved, "Resolve again");
    let closed = resolved.replace("status: resolved", "status: closed");
    repo.write_commit(by(ME, "2026-11-17T10:05:00Z"), REQ, &closed, "Close again");

    let run = repo.check_json(&["--since", &base]);
    run.assert_code(FINDINGS);
    // A mapping is pointed at where its value starts: the line after its key.
    let line = |needle: &str| Some(pos_of(&text, needle).0);
    let value = |key: &str| line(key).map(|l| l + 1);
    let mut want = vec![
        found("transition", REQ, value("resolution:\n"), &reopen, ME),
        found("transition", REQ, value("confirmation:\n"), &reopen, ME),
        found("transition", REQ, line("status:"), &reopen, ME),
    ];
    want.sort();
    assert_eq!(run.history_errors(), want, "{}", run.stdout);
    let messages: Vec<String> = run
        .diagnostics_with("transition")
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`resolution` still holds the ended cycle's value")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("keep the ended cycle (`resolution`, `confirmation`)")),
        "{messages:?}"
    );

    // Moving the fields into `cycles` by hand but closing on the old time is caught too.
    repo.git(&["reset", "-q", "--hard", &base]);
    let ended = "resolution:\n  notified_at: \"2026-11-04T10:00:00Z\"\n  summary: Sent the invoice copy.\n\
                 confirmation:\n  at: \"2026-11-12T10:00:00Z\"\n  outcome: no_response\n";
    let closed_text = repo.read(REQ);
    assert!(closed_text.contains(ended), "{closed_text}");
    let reopened = closed_text
        .replace(ended, "")
        .replace("status: closed", "status: in_progress")
        .replace(
            "---\n## Summary",
            "reopen_reason: Copy never arrived.\ncycles:\n  - reopened_at: 2026-11-16T10:00:00Z\n    from: closed\n---\n## Summary",
        );
    repo.write_commit(by(ME, "2026-11-16T10:00:00Z"), REQ, &reopened, "Reopen");
    let stale = reopened.replace("status: in_progress", "status: resolved").replace(
        "---\n## Summary",
        "resolution:\n  summary: Posted it.\n  notified_at: 2026-11-04T10:00:00Z\n---\n## Summary",
    );
    let resolve = repo.write_commit(by(ME, "2026-11-17T10:00:00Z"), REQ, &stale, "Resolve with the old time");
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(FINDINGS);
    let messages: Vec<String> = run
        .diagnostics_with("transition")
        .iter()
        .filter(|d| d["commit"] == resolve.as_str())
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m
                .contains("`resolution.notified_at` (2026-11-04) is from before the case was reopened (2026-11-16)")),
        "{}",
        run.stdout
    );
}

#[test]
fn a_reopened_complaint_and_incident_close_again_only_with_this_cycles_fields() {
    let repo = Repo::with_history();
    let cmp = "records/complaint/CMP-2026-0001.md";
    repo.write_commit(
        by(ME, "2026-11-02T09:30:00Z"),
        cmp,
        record(
            "CMP-2026-0001",
            "complaint",
            "closed",
            "corrective_actions:\n  - action: Replaced the chairs.\n    done: true\n\
             closure:\n  closed_at: 2026-11-05T10:00:00Z\n  closed_by: h.handler@example.com\n  communicated_via: email\n",
        ),
        "Log CMP-2026-0001",
    );
    at(
        &repo,
        ME,
        "2026-11-09T10:00:00Z",
        &[
            "transition",
            "CMP-2026-0001",
            "investigating",
            "--set",
            "reopen_reason=Wrong shade again.",
        ],
    )
    .assert_code(OK);
    let data = front_matter(&repo.read(cmp));
    assert!(data.get("closure").is_none());
    assert_eq!(data["cycles"][0]["closure"]["closed_by"], ME);
    assert_eq!(data["corrective_actions"][0]["done"], true, "actions stay");
    at(
        &repo,
        ME,
        "2026-11-10T10:00:00Z",
        &["transition", "CMP-2026-0001", "resolved"],
    )
    .assert_code(OK);
    // The old closure no longer closes it.
    let run = at(
        &repo,
        ME,
        "2026-11-10T11:00:00Z",
        &["transition", "CMP-2026-0001", "closed"],
    );
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("closure"), "{}", run.stderr);

    let inc = "records/incident/INC-2026-0001.md";
    repo.write(
        inc,
        record(
            "INC-2026-0001",
            "incident",
            "resolved",
            "resolution:\n  summary: Restarted the relay.\n  corrective_actions:\n    - Restarted it.\n  verified: true\n",
        ),
    );
    at(
        &repo,
        MANAGER,
        "2026-11-11T10:00:00Z",
        &[
            "transition",
            "INC-2026-0001",
            "in_progress",
            "--set",
            "reopen_reason=It failed again.",
        ],
    )
    .assert_code(OK);
    let data = front_matter(&repo.read(inc));
    assert!(data.get("resolution").is_none());
    assert_eq!(data["cycles"][0]["from"], "resolved");
    let run = at(&repo, MANAGER, "2026-11-11T11:00:00Z", &["show", "INC-2026-0001"]);
    run.assert_code(OK);
    assert!(run.stdout.contains("resolution"), "{}", run.stdout);
}
