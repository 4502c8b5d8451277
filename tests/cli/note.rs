//! `casework note` and `set --note` (a status update without a state
//! change), and the approval a transition fills in for the acting user.

use crate::support::*;
use serde_json::json;

const ME: &str = "h.handler@example.com";
const MANAGER: &str = "m.jones@example.com";
const ARCHIVIST: &str = "archive@example.com";
const REQ: &str = "records/request/REQ-2026-0001.md";
const INC: &str = "records/incident/INC-2026-0001.md";

const ARCHIVED: &str = "acknowledged_at: 2026-11-02T10:00:00Z\nexpected_resolution: 2026-11-20\n\
resolution:\n  summary: Sent the invoice copy.\n  notified_at: 2026-11-16T10:00:00Z\n\
confirmation:\n  outcome: confirmed\n  at: 2026-11-17T09:00:00Z\n\
archive:\n  archived_at: 2026-11-18T09:00:00Z\n  retain_until: 2028-11-18\n";

fn with_request(status: &str, extra: &str) -> Repo {
    committed_request(ME, status, extra)
}

#[test]
fn note_appends_at_by_and_note_and_changes_only_those_lines() {
    let repo = with_request("new", "");
    let before = repo.read(REQ);
    let run = run_as(
        &repo,
        ME,
        &["note", "REQ-2026-0001", "Called the customer: copy by Friday."],
    );
    run.assert_code(OK);
    assert_eq!(run.stdout, "REQ-2026-0001: noted  (records/request/REQ-2026-0001.md)\n");
    let after = repo.read(REQ);
    let data = front_matter(&after);
    assert_eq!(
        data["updates"],
        json!([{"at": NOW, "by": ME, "note": "Called the customer: copy by Friday."}])
    );
    assert_eq!(data["status"], "new", "no state change");
    // The old text is kept whole; only the `updates` lines are new.
    let added: Vec<&str> = after.lines().filter(|l| !before.lines().any(|b| b == *l)).collect();
    assert_eq!(added.len(), 4, "updates:, at, by, note: {added:?}");
    let kept: String = after
        .split_inclusive('\n')
        .filter(|l| !added.contains(&l.trim_end_matches('\n')))
        .collect();
    assert_eq!(kept, before);
    // A second note goes after the first.
    run_as(&repo, ME, &["note", "REQ-2026-0001", "Sent it"]).assert_code(OK);
    let data = front_matter(&repo.read(REQ));
    assert_eq!(data["updates"][1], json!({"at": NOW, "by": ME, "note": "Sent it"}));
    repo.check_json(&[]).assert_code(OK);
    assert_eq!(
        repo.git(&["rev-list", "--count", "HEAD"]).trim(),
        "2",
        "no commit without --commit"
    );
}

#[test]
fn note_commit_makes_one_commit_of_only_that_file() {
    let repo = with_request("new", "");
    repo.write("records/request/notes.txt", "unrelated work in progress\n");
    run_as(&repo, ME, &["note", "REQ-2026-0001", "Called back", "--commit"]).assert_code(OK);
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "3");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "REQ-2026-0001: note");
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]).trim(),
        REQ,
        "only the record"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain"]).trim(),
        "?? records/request/notes.txt"
    );
    repo.check_json(&["--since", "HEAD~1"]).assert_code(OK);
}

#[test]
fn note_on_an_unknown_id_is_refused() {
    let repo = with_request("new", "");
    let run = run_as(&repo, ME, &["note", "REQ-2026-0042", "Hello"]);
    // Like `set` and `show`: no such case is exit 1 (README, exit codes).
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("REQ-2026-0042"), "{}", run.stderr);
}

#[test]
fn note_without_an_identity_exits_2_and_says_how_to_set_one() {
    let repo = with_request("new", "");
    let before = repo.read(REQ);
    let run = repo.run(&["note", "REQ-2026-0001", "Hello"]);
    run.assert_code(2);
    assert!(run.stderr.contains("GIT_AUTHOR_EMAIL"), "{}", run.stderr);
    assert_eq!(repo.read(REQ), before);
}

#[test]
fn note_on_an_archived_record_needs_the_archive_role() {
    let repo = with_request("archived", ARCHIVED);
    repo.check_json(&[]).assert_code(OK);
    let before = repo.read(REQ);
    let run = run_as(&repo, ME, &["note", "REQ-2026-0001", "Hello"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("records") && run.stderr.contains(ME),
        "{}",
        run.stderr
    );
    assert_eq!(repo.read(REQ), before);
    // `set` is refused the same way.
    run_as(&repo, ME, &["set", "REQ-2026-0001", "tags+=late"]).assert_code(FINDINGS);
    assert_eq!(repo.read(REQ), before);
    // The records role may.
    run_as(&repo, ARCHIVIST, &["note", "REQ-2026-0001", "Retention checked"]).assert_code(OK);
    assert_eq!(front_matter(&repo.read(REQ))["updates"][0]["by"], ARCHIVIST);
}

#[test]
fn set_note_appends_alongside_the_fields() {
    let repo = with_request("new", "");
    run_as(
        &repo,
        ME,
        &[
            "set",
            "REQ-2026-0001",
            "priority=high",
            "--note",
            "Escalated",
            "--commit",
        ],
    )
    .assert_code(OK);
    let data = front_matter(&repo.read(REQ));
    assert_eq!(data["priority"], "high");
    assert_eq!(data["updates"], json!([{"at": NOW, "by": ME, "note": "Escalated"}]));
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        "REQ-2026-0001: set priority and note"
    );
    // --note alone is enough.
    run_as(&repo, ME, &["set", "REQ-2026-0001", "--note", "Waiting"]).assert_code(OK);
    assert_eq!(front_matter(&repo.read(REQ))["updates"][1]["note"], "Waiting");
}

/// An incident in follow_up with everything `closed` needs but the approval.
fn unapproved_incident(repo: &Repo) {
    repo.write_commit(
        by(ME, "2026-11-12T09:00:00Z"),
        INC,
        record(
            "INC-2026-0001",
            "incident",
            "follow_up",
            "resolution:\n  summary: Renewed the certificate.\n  corrective_actions:\n    - Renewal automated.\n  verified: true\nstakeholder_feedback:\n  - stakeholder: Shop team\n    at: 2026-11-10T10:00:00Z\n    satisfied: true\nclosure:\n  communicated_to:\n    - shop@example.com\nlessons: []\n",
        ),
        "Follow up",
    );
}

#[test]
fn approval_defaults_to_the_acting_user_who_holds_the_role() {
    let repo = Repo::with_history();
    unapproved_incident(&repo);
    let run = run_as(&repo, MANAGER, &["transition", "INC-2026-0001", "closed"]);
    run.assert_code(OK);
    let data = front_matter(&repo.read(INC));
    assert_eq!(data["status"], "closed");
    assert_eq!(data["closure"]["approved_by"], MANAGER);
    repo.check_json(&[]).assert_code(OK);
}

#[test]
fn an_explicit_approval_wins_over_the_default() {
    let repo = Repo::with_history();
    unapproved_incident(&repo);
    repo.edit_config(
        "manager = [\"m.jones@example.com\"]",
        "manager = [\"m.jones@example.com\", \"b.boss@example.com\"]",
    );
    repo.commit(by(ME, "2026-11-12T10:00:00Z"), "Second manager");
    run_as(
        &repo,
        MANAGER,
        &[
            "transition",
            "INC-2026-0001",
            "closed",
            "--set",
            "closure.approved_by=b.boss@example.com",
        ],
    )
    .assert_code(OK);
    assert_eq!(
        front_matter(&repo.read(INC))["closure"]["approved_by"],
        "b.boss@example.com"
    );
}

#[test]
fn approval_is_not_defaulted_for_a_user_outside_the_role() {
    let repo = Repo::with_history();
    unapproved_incident(&repo);
    // Let anyone close, so only the approval stands in the way.
    repo.edit_config(
        "{ from = \"follow_up\", to = \"closed\", role = \"manager\",",
        "{ from = \"follow_up\", to = \"closed\",",
    );
    repo.commit(by(ME, "2026-11-12T10:00:00Z"), "Anyone closes");
    let before = repo.read(INC);
    let run = run_as(&repo, ME, &["transition", "INC-2026-0001", "closed"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr
            .contains("`closure.approved_by` must name a member of role `manager`"),
        "names the field and the role: {}",
        run.stderr
    );
    // Once: not also as the schema's "missing field".
    assert_eq!(run.stderr.matches("closure.approved_by").count(), 2, "{}", run.stderr);
    assert!(
        !run.stderr.contains("missing field `closure.approved_by`"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.read(INC), before);
    // Naming someone outside the role is refused with the role named.
    let run = run_as(
        &repo,
        ME,
        &[
            "transition",
            "INC-2026-0001",
            "closed",
            "--set",
            "closure.approved_by=h.handler@example.com",
        ],
    );
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("manager"), "names the role: {}", run.stderr);
    assert_eq!(repo.read(INC), before);
}
