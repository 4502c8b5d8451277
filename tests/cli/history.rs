//! `casework check --since REV`: lifecycle enforcement through the commits
//! of `REV..HEAD` (SPEC section 7). Every repository is built commit by
//! commit with a controlled author and committer date; each rule has a
//! passing and a failing case, and findings are compared exactly (code,
//! file, line, full commit SHA, author email).

use crate::support::*;

/// A case handler: in no role.
const HANDLER: &str = "h.handler@example.com";
/// In the `manager` role of the default casework.toml.
const MANAGER: &str = "m.jones@example.com";
/// In the `records` role of the default casework.toml.
const ARCHIVIST: &str = "archive@example.com";

const CUSTOMER: &str = "customer:\n  name: Ada Lovelace\n  contact: ada@example.org\n  preferred_channel: email\n";
const ACK: &str = "acknowledged_at: 2026-11-02T10:00:00Z\nexpected_resolution: 2026-11-20\n";
const RESOLVED: &str = "resolution:\n  summary: Sent the invoice copy.\n  notified_at: 2026-11-16T10:00:00Z\n";
const CONFIRMED: &str = "confirmation:\n  outcome: confirmed\n  at: 2026-11-17T09:00:00Z\n";
const NO_RESPONSE: &str = "confirmation:\n  outcome: no_response\n  at: 2026-11-20T09:00:00Z\n";
const ARCHIVE: &str = "archive:\n  archived_at: 2026-11-18T09:00:00Z\n  retain_until: 2028-11-18\n";

fn req_path(n: u32) -> String {
    format!("records/request/REQ-2026-{n:04}.md")
}

fn req_id(n: u32) -> String {
    format!("REQ-2026-{n:04}")
}

/// A request in `status` with every field that state needs, then `extra`.
fn request(n: u32, status: &str, extra: &str) -> String {
    let mut fields = CUSTOMER.to_string();
    let rank = ["new", "acknowledged", "in_progress", "resolved", "closed", "archived"]
        .iter()
        .position(|s| *s == status)
        .expect("a request state");
    if rank >= 1 {
        fields.push_str(ACK);
    }
    if rank >= 3 {
        fields.push_str(RESOLVED);
    }
    if rank >= 4 {
        fields.push_str(CONFIRMED);
    }
    if rank >= 5 {
        fields.push_str(ARCHIVE);
    }
    fields.push_str(extra);
    record(&req_id(n), "request", status, &fields)
}

fn inc_path(n: u32) -> String {
    format!("records/incident/INC-2026-{n:04}.md")
}

const INC_RESOLUTION: &str = "resolution:\n  summary: Renewed the certificate.\n  corrective_actions:\n    - Renewal automated.\n  verified: true\n";

/// The closure block of an incident, approved by `approver`.
fn inc_closure(approver: &str) -> String {
    format!(
        "stakeholder_feedback:\n  - stakeholder: Shop team\n    at: 2026-11-10T10:00:00Z\n    satisfied: true\nclosure:\n  approved_by: {approver}\n  communicated_at: 2026-11-11T10:00:00Z\n  communicated_to:\n    - shop@example.com\nlessons: []\n"
    )
}

/// An incident in `status` with every field that state needs (closure approved by the manager).
fn incident(n: u32, status: &str) -> String {
    incident_approved_by(n, status, MANAGER)
}

fn incident_approved_by(n: u32, status: &str, approver: &str) -> String {
    let mut fields = String::new();
    if matches!(status, "resolved" | "follow_up" | "closed" | "archived") {
        fields.push_str(INC_RESOLUTION);
    }
    // The closure may be written before the step that needs it.
    if matches!(status, "follow_up" | "closed" | "archived") {
        fields.push_str(&inc_closure(approver));
    }
    if status == "archived" {
        fields.push_str(ARCHIVE);
    }
    record(&format!("INC-2026-{n:04}"), "incident", status, &fields)
}

/// `check --since REV --format json` (at `NOW` unless the test sets another time).
fn since(repo: &Repo, rev: &str) -> Run {
    repo.check_json(&["--since", rev])
}

/// 1-based line of the first `needle` in `text`.
fn line_of(text: &str, needle: &str) -> Option<u64> {
    Some(pos_of(text, needle).0)
}

/// The message of the only diagnostic with `code` that names `commit`.
fn message(run: &Run, code: &str, commit: &str) -> String {
    let found: Vec<_> = run
        .diagnostics_with(code)
        .into_iter()
        .filter(|d| d["commit"] == commit)
        .collect();
    assert_eq!(found.len(), 1, "one `{code}` of {commit}: {found:#?}");
    found[0]["message"].as_str().unwrap().to_string()
}

// --- transitions ------------------------------------------------------------

#[test]
fn a_legal_step_passes_and_every_commit_is_counted() {
    let repo = Repo::with_history();
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(1),
        request(1, "new", ""),
        "Log REQ-2026-0001",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-02T10:00:00Z"),
        &req_path(1),
        request(1, "acknowledged", ""),
        "REQ-2026-0001: new -> acknowledged",
    );
    // A commit that touches no record still counts.
    repo.write_commit(by(HANDLER, "2026-11-03T10:00:00Z"), "NOTES.txt", "notes\n", "Notes");
    repo.write_commit(
        by(HANDLER, "2026-11-04T10:00:00Z"),
        &req_path(1),
        request(1, "in_progress", ""),
        "REQ-2026-0001: acknowledged -> in_progress",
    );
    let run = since(&repo, &rev);
    run.assert_code(OK);
    assert_eq!(run.errors(), []);
    assert_eq!(run.json()["summary"]["commits"], 3);
    let counted = repo.git(&["rev-list", "--count", &format!("{rev}..HEAD")]);
    assert_eq!(run.json()["summary"]["commits"].to_string(), counted.trim());
    // From the root commit on: the scaffold and the new record count too.
    let root = repo.sha("HEAD~4");
    let run = since(&repo, &root);
    run.assert_code(OK);
    assert_eq!(run.json()["summary"]["commits"], 4);
    // Without --since no commit is walked.
    assert_eq!(repo.check_json(&[]).json()["summary"]["commits"], 0);
}

#[test]
fn skipping_a_state_is_a_transition_finding() {
    let repo = Repo::with_history();
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(1),
        request(1, "new", ""),
        "Log",
    );
    // in_progress with every field it needs: only the edge is wrong.
    let bad = repo.write_commit(
        by(HANDLER, "2026-11-03T09:00:00Z"),
        &req_path(1),
        request(1, "in_progress", ""),
        "Straight to work",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.errors(),
        [found("transition", &req_path(1), Some(5), &bad, HANDLER)]
    );
    let m = message(&run, "transition", &bad);
    assert!(m.contains("new -> in_progress"), "{m}");
    let d = &run.diagnostics_with("transition")[0];
    assert_eq!(d["record"], "REQ-2026-0001");
    assert_eq!(d["column"], 9, "the status value");
}

#[test]
fn a_new_record_starts_in_its_kinds_first_state() {
    let repo = Repo::with_history();
    let rev = repo.sha("HEAD");
    let ok = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(1),
        request(1, "new", ""),
        "Log 1",
    );
    let bad = repo.write_commit(
        by(HANDLER, "2026-11-02T10:00:00Z"),
        &req_path(2),
        request(2, "acknowledged", ""),
        "Log 2, already acknowledged",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.errors(),
        [found("transition", &req_path(2), Some(5), &bad, HANDLER)]
    );
    assert!(run.errors().iter().all(|f| f.commit.as_deref() != Some(ok.as_str())));
    let m = message(&run, "transition", &bad);
    assert!(m.contains("`new`") && m.contains("`acknowledged`"), "{m}");
}

#[test]
fn an_unmet_guard_in_the_commit_stays_a_finding_after_a_later_fix() {
    let repo = Repo::with_history();
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(1),
        request(1, "new", ""),
        "Log",
    );
    // Acknowledged without `expected_resolution`...
    let text =
        request(1, "new", "acknowledged_at: 2026-11-02T10:00:00Z\n").replace("status: new", "status: acknowledged");
    let bad = repo.write_commit(by(HANDLER, "2026-11-02T10:00:00Z"), &req_path(1), &text, "Acknowledge");
    // ...which the next commit adds: the working tree is clean, the history is not.
    let fixed = repo.write_commit(
        by(HANDLER, "2026-11-02T11:00:00Z"),
        &req_path(1),
        request(1, "acknowledged", ""),
        "Add the expected resolution",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(run.errors(), [found("schema", &req_path(1), Some(5), &bad, HANDLER)]);
    assert!(message(&run, "schema", &bad).contains("expected_resolution"));
    // From the fixing commit on, nothing is wrong.
    let run = since(&repo, &bad);
    run.assert_code(OK);
    assert_eq!(run.errors(), []);
    assert_eq!(repo.sha("HEAD"), fixed);
    repo.check_json(&[]).assert_code(OK);
}

#[test]
fn a_met_guard_is_no_finding() {
    let repo = Repo::with_history();
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(1),
        request(1, "new", ""),
        "Log",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-02T10:00:00Z"),
        &req_path(1),
        request(1, "acknowledged", ""),
        "Acknowledge",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-03T10:00:00Z"),
        &req_path(1),
        request(1, "in_progress", ""),
        "Work",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-16T10:00:00Z"),
        &req_path(1),
        request(1, "resolved", ""),
        "Resolve",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-17T10:00:00Z"),
        &req_path(1),
        request(1, "closed", ""),
        "Close",
    );
    let run = since(&repo, &rev);
    run.assert_code(OK);
    assert_eq!(run.errors(), []);
    assert_eq!(run.json()["summary"]["commits"], 4);
}

// --- roles --------------------------------------------------------------------

#[test]
fn closing_an_incident_needs_the_manager_role() {
    let repo = Repo::with_history();
    repo.write(&inc_path(1), incident(1, "follow_up"));
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-05T09:00:00Z"),
        &inc_path(2),
        incident(2, "follow_up"),
        "Follow up",
    );
    let bad = repo.write_commit(
        by(HANDLER, "2026-11-12T09:00:00Z"),
        &inc_path(1),
        incident(1, "closed"),
        "Close 1",
    );
    let good = repo.write_commit(
        by(MANAGER, "2026-11-12T10:00:00Z"),
        &inc_path(2),
        incident(2, "closed"),
        "Close 2",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(run.errors(), [found("role", &inc_path(1), Some(5), &bad, HANDLER)]);
    let m = message(&run, "role", &bad);
    assert!(m.contains("manager") && m.contains(HANDLER), "{m}");
    // The manager's own step passes on its own.
    let run = since(&repo, &format!("{good}~1"));
    run.assert_code(OK);
    assert_eq!(run.errors(), []);
}

#[test]
fn archiving_needs_the_records_role() {
    let repo = Repo::with_history();
    repo.write(&inc_path(1), incident(1, "closed"));
    let rev = repo.write_commit(
        by(MANAGER, "2026-11-12T09:00:00Z"),
        &inc_path(2),
        incident(2, "closed"),
        "Closed",
    );
    // Even the manager is not in the records role.
    let bad = repo.write_commit(
        by(MANAGER, "2026-11-18T09:00:00Z"),
        &inc_path(1),
        incident(1, "archived"),
        "Archive 1",
    );
    repo.write_commit(
        by(ARCHIVIST, "2026-11-18T10:00:00Z"),
        &inc_path(2),
        incident(2, "archived"),
        "Archive 2",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(run.errors(), [found("role", &inc_path(1), Some(5), &bad, MANAGER)]);
    assert!(message(&run, "role", &bad).contains("records"));
}

#[test]
fn the_approver_of_a_closure_must_be_a_manager() {
    let repo = Repo::with_history();
    repo.write(
        &inc_path(1),
        incident_approved_by(1, "follow_up", "j.smith@example.com"),
    );
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-05T09:00:00Z"),
        &inc_path(2),
        incident(2, "follow_up"),
        "Follow up",
    );
    // The manager closes both; one closure names someone else as approver.
    let text = incident_approved_by(1, "closed", "j.smith@example.com");
    let bad = repo.write_commit(by(MANAGER, "2026-11-12T09:00:00Z"), &inc_path(1), &text, "Close 1");
    repo.write_commit(
        by(MANAGER, "2026-11-12T10:00:00Z"),
        &inc_path(2),
        incident(2, "closed"),
        "Close 2",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    let line = line_of(&text, "approved_by:");
    let mut wanted = vec![
        found("schema", &inc_path(1), line, &bad, MANAGER),
        // The working tree breaks the same rule.
        Found {
            commit: None,
            author: None,
            ..found("schema", &inc_path(1), line, "", "")
        },
    ];
    wanted.sort();
    assert_eq!(run.errors(), wanted);
    let m = message(&run, "schema", &bad);
    assert!(m.contains("j.smith@example.com") && m.contains("manager"), "{m}");
}

// --- time guards ------------------------------------------------------------------

/// A resolved request whose customer was told on Monday 2026-11-16 10:00 UTC.
fn closed_on_no_response(n: u32) -> String {
    request(n, "resolved", NO_RESPONSE).replace("status: resolved", "status: closed")
}

#[test]
fn closing_on_non_response_waits_five_business_days_at_the_committers_time() {
    let repo = Repo::with_history();
    for n in 1..=5 {
        repo.write(&req_path(n), request(n, "resolved", ""));
    }
    let rev = repo.commit(by(HANDLER, "2026-11-16T10:00:00Z"), "Resolved, customer told on Monday");
    let text = closed_on_no_response(1);
    // Friday: 4 business days (Tue..Fri) have passed.
    let early = repo.write_commit(by(HANDLER, "2026-11-20T17:00:00Z"), &req_path(1), &text, "Close 1");
    // Monday after the weekend: 5, from the first minute of the day.
    repo.write_commit(
        by(HANDLER, "2026-11-23T00:01:00Z"),
        &req_path(2),
        closed_on_no_response(2),
        "Close 2",
    );
    // The committer's time counts, not the author's.
    let committed_early = repo.write_commit(
        Commit {
            email: HANDLER,
            author_date: "2026-11-23T09:00:00Z",
            committer_date: "2026-11-20T09:00:00Z",
        },
        &req_path(3),
        closed_on_no_response(3),
        "Close 3",
    );
    repo.write_commit(
        Commit {
            email: HANDLER,
            author_date: "2026-11-20T09:00:00Z",
            committer_date: "2026-11-23T09:00:00Z",
        },
        &req_path(4),
        closed_on_no_response(4),
        "Close 4",
    );
    // 23:30 on Sunday at -02:00 is Monday 01:30 in the calendar's UTC.
    repo.write_commit(
        by(HANDLER, "2026-11-22T23:30:00-02:00"),
        &req_path(5),
        closed_on_no_response(5),
        "Close 5",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    let line = line_of(&text, "outcome:");
    assert_eq!(
        run.errors(),
        [
            found("schema", &req_path(1), line, &early, HANDLER),
            found("schema", &req_path(3), line, &committed_early, HANDLER),
        ]
    );
    let m = message(&run, "schema", &early);
    // Issue 8 item 7: the day the wait ends first, then why.
    assert!(
        m.ends_with(
            "is allowed from 2026-11-23 (5 business days after `resolution.notified_at`, 2026-11-16); 4 business days have passed"
        ),
        "{m}"
    );
    // NOW (Monday 23rd, noon) is late enough for the working tree.
    assert!(repo.check_json(&[]).errors().is_empty());
}

#[test]
fn the_non_response_wait_skips_holidays() {
    let repo = Repo::with_history();
    let resolved = |n| request(n, "resolved", "").replace("2026-11-16T10:00:00Z", "2026-12-21T10:00:00Z");
    repo.write(&req_path(1), resolved(1));
    let rev = repo.write_commit(
        by(HANDLER, "2026-12-21T10:00:00Z"),
        &req_path(2),
        resolved(2),
        "Told on Monday 21st",
    );
    let closed = |n| {
        resolved(n)
            .replace("status: resolved", "status: closed")
            .replace("---\n## Summary", &format!("{NO_RESPONSE}---\n## Summary"))
    };
    // Tue 22, Wed 23, Thu 24, (Fri 25 holiday, weekend), Mon 28: four.
    let early = repo.write_commit(by(HANDLER, "2026-12-28T18:00:00Z"), &req_path(1), closed(1), "Close 1");
    // Tue 29: five.
    repo.write_commit(by(HANDLER, "2026-12-29T08:00:00Z"), &req_path(2), closed(2), "Close 2");
    let run = Run::of(
        repo.cmd()
            .args(["check", "--format", "json", "--since", &rev])
            .env("CASEWORK_NOW", "2027-01-15T12:00:00Z"),
    );
    run.assert_code(FINDINGS);
    let line = line_of(&closed(1), "outcome:");
    assert_eq!(run.errors(), [found("schema", &req_path(1), line, &early, HANDLER)]);
}

#[test]
fn an_order_closes_without_feedback_only_after_the_wait() {
    let repo = Repo::with_history();
    let order = |n: u32, status: &str| {
        let extra = "customer:\n  name: Oliver Grant\n  contact: oliver@example.org\n  preferred_channel: phone\ndelivered_at: 2026-11-13T10:00:00Z\nfeedback_requested_at: 2026-11-16T10:00:00Z\n";
        let closed = if status == "closed" {
            "closed_at: 2026-11-20T10:00:00Z\n"
        } else {
            ""
        };
        record(
            &format!("ORD-2026-{n:04}"),
            "order",
            status,
            &format!("{extra}{closed}"),
        )
    };
    let path = |n: u32| format!("records/order/ORD-2026-{n:04}.md");
    repo.write(&path(1), order(1, "feedback_requested"));
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-16T10:00:00Z"),
        &path(2),
        order(2, "feedback_requested"),
        "Asked",
    );
    let early = repo.write_commit(
        by(HANDLER, "2026-11-20T16:00:00Z"),
        &path(1),
        order(1, "closed"),
        "No answer (Fri)",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-23T09:00:00Z"),
        &path(2),
        order(2, "closed"),
        "No answer (Mon)",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(run.errors(), [found("transition", &path(1), Some(5), &early, HANDLER)]);
    let m = message(&run, "transition", &early);
    assert!(
        m.contains("feedback_requested -> closed") && m.contains("4 business days had passed"),
        "{m}"
    );
}

// --- reopening ------------------------------------------------------------------------

#[test]
fn reopening_needs_a_reason() {
    let repo = Repo::with_history();
    repo.write(&req_path(1), request(1, "resolved", ""));
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-16T10:00:00Z"),
        &req_path(2),
        request(2, "resolved", ""),
        "Resolved",
    );
    // The ended cycle's resolution moves into `cycles` (a reopen resets it).
    let reopened = |n, extra: &str| {
        let cycle =
            "cycles:\n  - reopened_at: 2026-11-17T10:00:00Z\n    from: resolved\n    resolution: {summary: Sent.}\n";
        request(n, "in_progress", &format!("{extra}{cycle}"))
    };
    let bad = repo.write_commit(
        by(HANDLER, "2026-11-17T10:00:00Z"),
        &req_path(1),
        reopened(1, ""),
        "Reopen 1",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-17T11:00:00Z"),
        &req_path(2),
        reopened(2, "reopen_reason: The customer says the invoice is still wrong.\n"),
        "Reopen 2",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.errors(),
        [found("transition", &req_path(1), Some(5), &bad, HANDLER)]
    );
    assert!(message(&run, "transition", &bad).contains("reopen_reason"));
}

// --- immutable fields and folders ---------------------------------------------------------

#[test]
fn id_kind_and_opened_never_change() {
    let repo = Repo::with_history();
    for n in 1..=4 {
        repo.write(&req_path(n), request(n, "new", ""));
    }
    let rev = repo.commit(by(HANDLER, "2026-11-02T09:00:00Z"), "Log four");
    let id = repo.write_commit(
        by(HANDLER, "2026-11-03T09:00:00Z"),
        &req_path(1),
        request(1, "new", "").replace("id: REQ-2026-0001", "id: REQ-2026-0009"),
        "Renumber",
    );
    let kind = repo.write_commit(
        by(HANDLER, "2026-11-03T10:00:00Z"),
        &req_path(2),
        request(2, "new", "").replace("kind: request", "kind: complaint"),
        "Now a complaint",
    );
    let opened = repo.write_commit(
        by(HANDLER, "2026-11-03T11:00:00Z"),
        &req_path(3),
        request(3, "new", "").replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-11-01T09:14:00Z"),
        "Backdate",
    );
    // Any other field may change.
    repo.write_commit(
        by(HANDLER, "2026-11-03T12:00:00Z"),
        &req_path(4),
        request(4, "new", "priority: high\n").replace("A case for the tests", "Retitled"),
        "Edit",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.history_errors(),
        [
            found("immutable", &req_path(1), Some(2), &id, HANDLER),
            found("immutable", &req_path(2), Some(3), &kind, HANDLER),
            found("immutable", &req_path(3), Some(6), &opened, HANDLER),
        ]
    );
    assert!(message(&run, "immutable", &opened).contains("opened"));
}

#[test]
fn a_record_never_moves_to_another_kinds_folder() {
    let repo = Repo::with_history();
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(1),
        request(1, "new", ""),
        "Log",
    );
    repo.git(&["mv", &req_path(1), "records/complaint/REQ-2026-0001.md"]);
    let moved = repo.commit(by(HANDLER, "2026-11-03T09:00:00Z"), "File it as a complaint");
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.history_errors(),
        [found(
            "immutable",
            "records/complaint/REQ-2026-0001.md",
            Some(3),
            &moved,
            HANDLER
        )]
    );
    let m = message(&run, "immutable", &moved);
    assert!(
        m.contains("records/request/") && m.contains("records/complaint/"),
        "{m}"
    );
}

#[test]
fn a_rename_within_the_kind_folder_is_one_change() {
    let repo = Repo::with_history();
    // Added under wrong file names, then renamed to `<ID>.md`.
    for n in 1..=3 {
        repo.write(&format!("records/request/draft-{n}.md"), request(n, "new", ""));
    }
    let rev = repo.commit(by(HANDLER, "2026-11-02T09:00:00Z"), "Drafts");
    for n in 1..=3 {
        repo.git(&["mv", &format!("records/request/draft-{n}.md"), &req_path(n)]);
    }
    // 1: a pure rename; 2: renamed with a legal step; 3: renamed with a skip.
    repo.write(&req_path(2), request(2, "acknowledged", ""));
    repo.write(&req_path(3), request(3, "in_progress", ""));
    let renamed = repo.commit(by(HANDLER, "2026-11-02T10:00:00Z"), "Name the files by ID");
    let status = repo.git(&["show", "--name-status", "-M", "--format=", "HEAD"]);
    assert!(status.contains("R100"), "git sees a rename: {status}");
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    // No `deleted`, no "a new request starts in `new`": judged from the old version.
    assert_eq!(
        run.errors(),
        [found("transition", &req_path(3), Some(5), &renamed, HANDLER)]
    );
    assert!(message(&run, "transition", &renamed).contains("new -> in_progress"));
}

// --- archived records and removal -------------------------------------------------------------

#[test]
fn an_archived_record_is_changed_only_by_the_records_role() {
    let repo = Repo::with_history();
    repo.write(&req_path(1), request(1, "archived", ""));
    let rev = repo.write_commit(
        by(ARCHIVIST, "2026-11-18T09:00:00Z"),
        &req_path(2),
        request(2, "archived", ""),
        "Archived",
    );
    let retitle = |n| request(n, "archived", "").replace("A case for the tests", "Retitled");
    let bad = repo.write_commit(
        by(HANDLER, "2026-11-19T09:00:00Z"),
        &req_path(1),
        retitle(1),
        "Fix a title",
    );
    repo.write_commit(
        by(ARCHIVIST, "2026-11-19T10:00:00Z"),
        &req_path(2),
        retitle(2),
        "Fix a title",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.errors(),
        [found("archived-modified", &req_path(1), Some(4), &bad, HANDLER)]
    );
    assert!(message(&run, "archived-modified", &bad).contains(HANDLER));
}

#[test]
fn archived_modified_points_at_the_first_changed_line() {
    let repo = Repo::with_history();
    let text = request(1, "archived", "");
    let rev = repo.write_commit(by(ARCHIVIST, "2026-11-18T09:00:00Z"), &req_path(1), &text, "Archived");
    // A change in the body, which no field names.
    let edited = text.replace("What happened.", "What happened, told differently.");
    let bad = repo.write_commit(by(HANDLER, "2026-11-19T09:00:00Z"), &req_path(1), &edited, "Reword");
    let run = since(&repo, &rev);
    let (line, _) = pos_of(&edited, "What happened, told");
    assert_eq!(
        run.errors(),
        [found("archived-modified", &req_path(1), Some(line), &bad, HANDLER)]
    );
    let d = &run.diagnostics_with("archived-modified")[0];
    assert_eq!((d["column"].as_u64(), d["line"].as_u64()), (Some(1), Some(line)));
    // A line removed at the end points at the new last line.
    let shorter = edited.replace("\nWhat happened, told differently.\n", "\n");
    let cut = repo.write_commit(by(HANDLER, "2026-11-19T10:00:00Z"), &req_path(1), &shorter, "Cut");
    let run = since(&repo, &rev);
    let lines = shorter.lines().count() as u64;
    assert!(
        run.errors()
            .contains(&found("archived-modified", &req_path(1), Some(lines), &cut, HANDLER)),
        "{}",
        run.stdout
    );
}

#[test]
fn history_findings_of_a_file_read_in_commit_order() {
    let repo = Repo::with_history();
    let text = request(1, "new", "");
    let rev = repo.write_commit(by(HANDLER, "2026-11-02T09:30:00Z"), &req_path(1), &text, "Log");
    // First `opened` (line 6) changes, then a state is skipped (line 5).
    let text = text.replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-11-03T09:14:00Z");
    let first = repo.write_commit(
        by(HANDLER, "2026-11-03T09:00:00Z"),
        &req_path(1),
        &text,
        "Move the date",
    );
    let text = request(1, "resolved", "").replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-11-03T09:14:00Z");
    let second = repo.write_commit(by(HANDLER, "2026-11-17T09:00:00Z"), &req_path(1), &text, "Resolve");
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    let order: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d["commit"].as_str().unwrap_or("-"), d["line"]))
        .collect();
    assert_eq!(order, [format!("{first} 6"), format!("{second} 5")], "{}", run.stdout);
    // The human format reads the same way.
    let run = Run::of(repo.cmd().args(["check", "--since", &rev]));
    let lines: Vec<&str> = run.stdout.lines().filter(|l| l.contains("error[")).collect();
    assert!(lines[0].contains(":6:") && lines[1].contains(":5:"), "{lines:?}");
}

const REGISTER_HEADER: &str = "id,kind,opened,closed,archived,disposed_at,reason,by\n";

fn register_row(n: u32) -> String {
    format!(
        "{},request,2026-11-02T09:14:00Z,2026-11-17T09:00:00Z,2026-11-18T09:00:00Z,2026-11-20T09:00:00Z,retention period over,{ARCHIVIST}\n",
        req_id(n)
    )
}

#[test]
fn a_record_is_removed_only_with_a_disposal_register_entry() {
    let repo = Repo::with_history();
    for n in 1..=5 {
        repo.write(&req_path(n), request(n, "archived", ""));
    }
    let rev = repo.commit(by(ARCHIVIST, "2026-11-18T09:00:00Z"), "Archived five");
    // Removed with no register entry.
    repo.remove(&req_path(1));
    let bad = repo.commit(by(ARCHIVIST, "2026-11-20T09:00:00Z"), "Remove 1");
    // Removed in the commit that creates the register with its ID.
    repo.remove(&req_path(2));
    repo.write("disposals.csv", format!("{REGISTER_HEADER}{}", register_row(2)));
    repo.commit(by(ARCHIVIST, "2026-11-20T10:00:00Z"), "Dispose of 2");
    // Removed in the commit that appends its ID.
    repo.remove(&req_path(3));
    repo.write(
        "disposals.csv",
        format!("{REGISTER_HEADER}{}{}", register_row(2), register_row(3)),
    );
    repo.commit(by(ARCHIVIST, "2026-11-20T11:00:00Z"), "Dispose of 3");
    // The register names 4 in one commit, the file goes in the next: not the same commit.
    repo.write(
        "disposals.csv",
        format!(
            "{REGISTER_HEADER}{}{}{}",
            register_row(2),
            register_row(3),
            register_row(4)
        ),
    );
    repo.commit(by(ARCHIVIST, "2026-11-20T12:00:00Z"), "Register 4");
    repo.remove(&req_path(4));
    let late = repo.commit(by(ARCHIVIST, "2026-11-20T13:00:00Z"), "Remove 4");
    // Removed with another record's ID entered.
    repo.remove(&req_path(5));
    let mut register = repo.read("disposals.csv");
    register.push_str(&register_row(6));
    repo.write("disposals.csv", register);
    let other = repo.commit(by(ARCHIVIST, "2026-11-20T14:00:00Z"), "Remove 5, register 6");
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.errors(),
        [
            found("deleted", &req_path(1), None, &bad, ARCHIVIST),
            found("deleted", &req_path(4), None, &late, ARCHIVIST),
            found("deleted", &req_path(5), None, &other, ARCHIVIST),
        ]
    );
    assert!(message(&run, "deleted", &bad).contains("REQ-2026-0001"));
}

// --- merges -------------------------------------------------------------------------------------

/// Main with REQ 1 and 2 new at the returned SHA; a branch `feature` from it.
fn two_new_requests(repo: &Repo) -> String {
    repo.write(&req_path(1), request(1, "new", ""));
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(2),
        request(2, "new", ""),
        "Log two",
    );
    repo.git(&["branch", "feature"]);
    rev
}

#[test]
fn a_no_ff_merge_of_legal_steps_passes() {
    let repo = Repo::with_history();
    let rev = two_new_requests(&repo);
    repo.git(&["checkout", "-q", "feature"]);
    repo.write_commit(
        by(HANDLER, "2026-11-02T10:00:00Z"),
        &req_path(1),
        request(1, "acknowledged", ""),
        "Ack 1",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-03T10:00:00Z"),
        &req_path(1),
        request(1, "in_progress", ""),
        "Work on 1",
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.write_commit(
        by(MANAGER, "2026-11-02T11:00:00Z"),
        &req_path(2),
        request(2, "acknowledged", ""),
        "Ack 2",
    );
    repo.git_as(
        by(MANAGER, "2026-11-04T09:00:00Z"),
        &["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
    );
    let run = since(&repo, &rev);
    run.assert_code(OK);
    assert_eq!(run.errors(), []);
    assert_eq!(
        run.json()["summary"]["commits"],
        4,
        "two on the branch, one on main, the merge"
    );
}

#[test]
fn an_edit_hidden_in_a_merge_is_judged_with_the_merge_commit() {
    let repo = Repo::with_history();
    let rev = two_new_requests(&repo);
    repo.git(&["checkout", "-q", "feature"]);
    repo.write_commit(
        by(HANDLER, "2026-11-02T10:00:00Z"),
        &req_path(1),
        request(1, "acknowledged", ""),
        "Ack 1",
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.write_commit(
        by(HANDLER, "2026-11-02T11:00:00Z"),
        &req_path(2),
        request(2, "acknowledged", ""),
        "Ack 2",
    );
    let who = by(MANAGER, "2026-11-04T09:00:00Z");
    repo.git_as(who, &["merge", "-q", "--no-ff", "--no-commit", "feature"]);
    // Backdated in the merge: different from both parents, illegal from both.
    let text = request(1, "acknowledged", "").replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-10-30T09:14:00Z");
    repo.write(&req_path(1), &text);
    let merge = repo.commit(who, "Merge feature");
    assert_eq!(
        repo.git(&["rev-list", "--parents", "-n1", "HEAD"])
            .split_whitespace()
            .count(),
        3
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.errors(),
        [found("immutable", &req_path(1), Some(6), &merge, MANAGER)]
    );
}

/// Main and `feature` both edit REQ 1's title, so the merge conflicts;
/// `feature` also acknowledges it. The merge resolves with `resolved`.
fn conflicting_merge(repo: &Repo, resolved_status: &str) -> (String, String) {
    let rev = two_new_requests(repo);
    let retitled = |status, title| request(1, status, "").replace("A case for the tests", title);
    repo.git(&["checkout", "-q", "feature"]);
    repo.write_commit(
        by(HANDLER, "2026-11-02T10:00:00Z"),
        &req_path(1),
        retitled("acknowledged", "Branch title"),
        "Ack 1",
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.write_commit(
        by(HANDLER, "2026-11-02T11:00:00Z"),
        &req_path(1),
        retitled("new", "Main title"),
        "Retitle 1",
    );
    let who = by(MANAGER, "2026-11-16T11:00:00Z");
    let run = repo.try_git_as(who, &["merge", "-q", "--no-ff", "feature"]);
    assert_ne!(run.code, 0, "the merge conflicts");
    repo.write(&req_path(1), retitled(resolved_status, "Merged title"));
    let merge = repo.commit(who, "Merge feature");
    (rev, merge)
}

#[test]
fn a_conflict_resolution_illegal_from_both_parents_is_a_finding() {
    let repo = Repo::with_history();
    // `resolved` (with its fields): from `new` (main) and from `acknowledged` (feature) alike a skip.
    let (rev, merge) = conflicting_merge(&repo, "resolved");
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.errors(),
        [found("transition", &req_path(1), Some(5), &merge, MANAGER)]
    );
}

#[test]
fn a_conflict_resolution_legal_from_one_parent_passes() {
    let repo = Repo::with_history();
    // `in_progress`: a skip from main's `new`, one step from feature's `acknowledged`.
    let (rev, _) = conflicting_merge(&repo, "in_progress");
    let run = since(&repo, &rev);
    run.assert_code(OK);
    assert_eq!(run.errors(), []);
}

#[test]
fn a_file_taken_whole_from_one_parent_is_not_judged_again_in_the_merge() {
    let repo = Repo::with_history();
    let rev = two_new_requests(&repo);
    repo.git(&["checkout", "-q", "feature"]);
    let bad = repo.write_commit(
        by(HANDLER, "2026-11-03T10:00:00Z"),
        &req_path(1),
        request(1, "in_progress", ""),
        "Skip",
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.write_commit(
        by(HANDLER, "2026-11-02T11:00:00Z"),
        &req_path(2),
        request(2, "acknowledged", ""),
        "Ack 2",
    );
    repo.git_as(
        by(MANAGER, "2026-11-04T09:00:00Z"),
        &["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
    );
    let merge = repo.sha("HEAD");
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    // Only the branch's commit: the merge took the file as the branch left it.
    assert_eq!(
        run.errors(),
        [found("transition", &req_path(1), Some(5), &bad, HANDLER)]
    );
    assert!(run.errors().iter().all(|f| f.commit.as_deref() != Some(merge.as_str())));
}

// --- duplicate IDs -------------------------------------------------------------------------------

#[test]
fn an_id_added_in_the_range_that_exists_at_rev_is_a_duplicate() {
    let repo = Repo::with_history();
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(1),
        request(1, "new", ""),
        "Log 1",
    );
    // A copy of the record under another name, with the same ID.
    let copy = "records/request/REQ-2026-0001-copy.md";
    let dup = repo.write_commit(by(HANDLER, "2026-11-03T09:00:00Z"), copy, request(1, "new", ""), "Copy");
    // A new record with a fresh ID is fine.
    repo.write_commit(
        by(HANDLER, "2026-11-03T10:00:00Z"),
        &req_path(2),
        request(2, "new", ""),
        "Log 2",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.history_errors(),
        [found("duplicate-id", copy, Some(2), &dup, HANDLER)]
    );
    let m = message(&run, "duplicate-id", &dup);
    assert!(m.contains(&req_path(1)), "names the other file: {m}");
    assert!(m.contains("REQ-2026-0003"), "suggests the next free ID: {m}");
}

// --- errors of the run itself ------------------------------------------------------------------------

#[test]
fn an_unknown_revision_is_a_usage_error() {
    let repo = Repo::with_history();
    let run = repo.run(&["check", "--since", "no-such-branch", "--format", "json"]);
    run.assert_code(USAGE);
    assert!(
        run.stderr.contains("no-such-branch") && run.stderr.contains("unknown revision"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "", "no report on stdout");
}

#[test]
fn since_outside_a_git_repository_is_a_usage_error() {
    let repo = Repo::new();
    std::fs::remove_dir_all(repo.path(".git")).unwrap();
    let run = repo.run(&["check", "--since", "HEAD", "--format", "json"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("not inside a git repository"), "{}", run.stderr);
    // Without --since the same folder checks fine.
    repo.check_json(&[]).assert_code(OK);
}

#[test]
fn the_working_tree_is_checked_as_well() {
    let repo = Repo::with_history();
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(1),
        request(1, "new", ""),
        "Log",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-02T10:00:00Z"),
        &req_path(1),
        request(1, "acknowledged", ""),
        "Ack",
    );
    since(&repo, &rev).assert_code(OK);
    // Uncommitted: a record with a front-matter that never ends.
    repo.write(&req_path(2), "---\nid: REQ-2026-0002\nkind: request\n");
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        (errors[0].code.as_str(), errors[0].file.as_str()),
        ("front-matter", req_path(2).as_str())
    );
    assert_eq!((&errors[0].commit, &errors[0].author), (&None, &None));
    let d = &run.diagnostics_with("front-matter")[0];
    assert!(d["commit"].is_null() && d["author"].is_null(), "{d}");
}

#[test]
fn an_archived_records_body_is_changed_only_by_the_records_role() {
    let repo = Repo::with_history();
    let rev = repo.write_commit(
        by(ARCHIVIST, "2026-11-18T09:00:00Z"),
        &req_path(1),
        request(1, "archived", ""),
        "Archived",
    );
    let text = request(1, "archived", "") + "\nA paragraph added after archiving.\n";
    let bad = repo.write_commit(
        by(HANDLER, "2026-11-19T09:00:00Z"),
        &req_path(1),
        &text,
        "Add a note to the body",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    // The first changed line: the blank one before the paragraph.
    let line = pos_of(&text, "A paragraph added").0 - 1;
    assert_eq!(
        run.errors(),
        [found("archived-modified", &req_path(1), Some(line), &bad, HANDLER)]
    );
}

#[test]
fn a_record_broken_and_fixed_in_the_range_is_neither_deleted_nor_new() {
    let repo = Repo::with_history();
    let rev = repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        &req_path(1),
        request(1, "acknowledged", ""),
        "Acknowledged",
    );
    let broken = request(1, "acknowledged", "").replace("title: A case for the tests", "title: [unclosed");
    let bad = repo.write_commit(by(HANDLER, "2026-11-03T09:00:00Z"), &req_path(1), broken, "Break it");
    repo.write_commit(
        by(HANDLER, "2026-11-03T10:00:00Z"),
        &req_path(1),
        request(1, "acknowledged", "").replace("A case for the tests", "Fixed title"),
        "Fix it",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    // The file was neither removed nor added: the commit that broke it is what is wrong.
    let got: Vec<(String, Option<String>)> = run.errors().into_iter().map(|f| (f.code, f.commit)).collect();
    assert_eq!(got, [("yaml".to_string(), Some(bad))]);
}

#[test]
fn a_root_inside_a_larger_repository_reports_root_relative_paths() {
    let repo = Repo::empty();
    repo.git(&["init", "-q", "-b", "main"]);
    repo.write("app/README.md", "another project\n");
    let care = repo.path("care");
    Run::of(casework(&repo.home).arg("init").arg(&care)).assert_code(OK);
    repo.commit(by(SETUP_AUTHOR, SETUP_DATE), "Add the records");
    repo.write(&format!("care/{}", req_path(1)), request(1, "new", ""));
    repo.write(&format!("care/{}", req_path(2)), request(2, "archived", ""));
    let rev = repo.commit(by(HANDLER, "2026-11-02T09:00:00Z"), "Log");
    // A skip, and a disposal with the register at the root of the records.
    repo.write(&format!("care/{}", req_path(1)), request(1, "in_progress", ""));
    let bad = repo.commit(by(HANDLER, "2026-11-03T09:00:00Z"), "Skip");
    repo.remove(&format!("care/{}", req_path(2)));
    repo.write("care/disposals.csv", format!("{REGISTER_HEADER}{}", register_row(2)));
    repo.commit(by(ARCHIVIST, "2026-11-20T09:00:00Z"), "Dispose of 2");
    // Files outside the root are not records.
    repo.write("app/records/request/REQ-2026-0009.md", "not a record\n");
    repo.commit(by(HANDLER, "2026-11-20T10:00:00Z"), "App change");
    let run = Run::of(
        casework(&repo.home)
            .current_dir(care.join("records"))
            .args(["check", "--format", "json", "--since", &rev]),
    );
    run.assert_code(FINDINGS);
    assert_eq!(
        run.errors(),
        [found("transition", &req_path(1), Some(5), &bad, HANDLER)]
    );
    assert_eq!(run.json()["summary"]["commits"], 3);
}

#[test]
fn a_detour_through_an_unknown_status_does_not_skip_the_workflow() {
    let repo = Repo::with_history();
    // Every field `resolved` needs is there from the start.
    let text = |status: &str| request(1, "resolved", "").replace("status: resolved", &format!("status: {status}"));
    let rev = repo.write_commit(by(HANDLER, "2026-11-16T09:00:00Z"), &req_path(1), text("new"), "Log");
    let limbo = repo.write_commit(
        by(HANDLER, "2026-11-16T10:00:00Z"),
        &req_path(1),
        text("limbo"),
        "Limbo",
    );
    let resolved = repo.write_commit(
        by(HANDLER, "2026-11-16T11:00:00Z"),
        &req_path(1),
        text("resolved"),
        "Resolved",
    );
    let run = since(&repo, &rev);
    run.assert_code(FINDINGS);
    let errors = run.errors();
    let named = |sha: &str| {
        errors
            .iter()
            .any(|f| f.commit.as_deref() == Some(sha) && matches!(f.code.as_str(), "transition" | "unknown-status"))
    };
    assert!(named(&limbo), "`new -> limbo` is not a transition: {errors:#?}");
    assert!(named(&resolved), "`limbo -> resolved` is not one either: {errors:#?}");
}

/// Regression: the first commit could not be judged (`--since` excludes REV, and the
/// root has no parent). Git's empty tree as REV walks every commit, the root included.
#[test]
fn the_empty_tree_as_since_judges_the_first_commit_too() {
    let repo = Repo::new();
    repo.git(&["symbolic-ref", "HEAD", "refs/heads/main"]);
    // The very first commit adds a record in a state other than the first.
    repo.write(&req_path(1), request(1, "acknowledged", ""));
    let root = repo.commit(by("h@example.com", SETUP_DATE), "Scaffold with a record");
    let run = repo.run(&[
        "check",
        "--format",
        "json",
        "--since",
        "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    ]);
    run.assert_code(FINDINGS);
    assert_eq!(run.json()["summary"]["commits"], 1);
    assert_eq!(
        run.history_errors(),
        [found("transition", &req_path(1), Some(5), &root, "h@example.com")]
    );
}
