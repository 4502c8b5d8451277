//! `casework due`: what is late, what must be escalated, what can be closed.

use crate::support::*;
use serde_json::{Value, json};

const ANN: &str = "ann@example.com";
const BOB: &str = "bob@example.com";

/// Judged at Wednesday 2026-11-25 12:00 UTC.
const AT: &str = "2026-11-25T12:00:00Z";

/// `records/<kind>/<id>.md` in `status`, opened at `opened` by `owner`.
fn with(repo: &Repo, id: &str, kind: &str, status: &str, opened: &str, owner: &str, extra: &str) {
    repo.write(
        &format!("records/{kind}/{id}.md"),
        record(id, kind, status, &format!("owner: {owner}\n{extra}"))
            .replace("opened: 2026-11-02T09:14:00Z", &format!("opened: {opened}")),
    );
}

const FEEDBACK: &str =
    "date: 2026-11-02\nstakeholder: Shop team\nsummary: Wants a report.\nassigned_to: ann@example.com\n";

/// One case for each state `due` reports, and some it must not.
fn cases() -> Repo {
    let repo = Repo::new();
    // Opened Monday 09:00: acknowledge by Tuesday 09:00, breached.
    with(
        &repo,
        "REQ-2026-0001",
        "request",
        "new",
        "2026-11-23T09:00:00Z",
        ANN,
        CUSTOMER,
    );
    // Opened today 10:00: due tomorrow 10:00, within the 2-day look-ahead.
    with(
        &repo,
        "REQ-2026-0002",
        "request",
        "new",
        "2026-11-25T10:00:00Z",
        BOB,
        CUSTOMER,
    );
    // Resolved and told on Monday 16th: five business days are over on Monday 23rd.
    with(
        &repo,
        "REQ-2026-0003",
        "request",
        "resolved",
        "2026-11-09T09:00:00Z",
        ANN,
        &format!(
            "{CUSTOMER}acknowledged_at: 2026-11-09T10:00:00Z\nexpected_resolution: 2026-11-20\nresolution:\n  summary: Sent.\n  notified_at: 2026-11-16T10:00:00Z\n"
        ),
    );
    // Feedback overdue and not escalated; another overdue and escalated.
    with(
        &repo,
        "FF-2026-001",
        "feedback",
        "pending",
        "2026-11-02T09:00:00Z",
        ANN,
        &format!("{FEEDBACK}due: 2026-11-20\n"),
    );
    with(
        &repo,
        "FF-2026-002",
        "feedback",
        "pending",
        "2026-11-02T09:00:00Z",
        BOB,
        &format!("{FEEDBACK}due: 2026-11-19\nescalated_to: m.jones@example.com\n"),
    );
    // An order whose customer had five business days to give feedback.
    with(
        &repo,
        "ORD-2026-0001",
        "order",
        "feedback_requested",
        "2026-11-10T09:00:00Z",
        BOB,
        &format!("{CUSTOMER}delivered_at: 2026-11-10T09:00:00Z\nfeedback_requested_at: 2026-11-10T12:00:00Z\n"),
    );
    // Closed, and the customer invited to the survey: never on the list, however old.
    with(
        &repo,
        "CMP-2026-0001",
        "complaint",
        "closed",
        "2026-01-05T09:00:00Z",
        ANN,
        "corrective_actions:\n  - action: Replaced it.\n    done: true\nclosure:\n  closed_at: 2026-01-09T10:00:00Z\n  closed_by: ann@example.com\n  communicated_via: email\nfeedback:\n  invited_at: 2026-01-09T11:00:00Z\n",
    );
    repo
}

fn due(repo: &Repo, args: &[&str]) -> Run {
    Run::of(repo.cmd().arg("due").args(args).env("CASEWORK_NOW", AT))
}

fn items(run: &Run) -> Vec<(String, String, String, String)> {
    run.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (s("state"), s("id"), s("clock"), s("due_at"))
        })
        .collect()
}

fn item(state: &str, id: &str, clock: &str, due_at: &str) -> (String, String, String, String) {
    (state.into(), id.into(), clock.into(), due_at.into())
}

#[test]
fn due_lists_each_state_most_urgent_first() {
    let repo = cases();
    repo.check_json(&[]).assert_code(OK);
    let run = due(&repo, &["--format", "json"]);
    run.assert_code(OK);
    assert_eq!(
        items(&run),
        [
            item("breached", "FF-2026-002", "follow-up due", "2026-11-19T23:59:59Z"),
            item("escalate", "FF-2026-001", "follow-up due", "2026-11-20T23:59:59Z"),
            item("breached", "REQ-2026-0001", "acknowledge", "2026-11-24T09:00:00Z"),
            item("due_soon", "REQ-2026-0002", "acknowledge", "2026-11-26T10:00:00Z"),
            item("ready_to_close", "ORD-2026-0001", "no response", "2026-11-17T00:00:00Z"),
            item("ready_to_close", "REQ-2026-0003", "no response", "2026-11-23T00:00:00Z"),
        ],
        "{}",
        run.stdout
    );
    let doc = run.json();
    assert_eq!(doc["now"], AT);
    assert_eq!(
        doc["items"][0],
        json!({"id": "FF-2026-002", "kind": "feedback", "title": "A case for the tests", "owner": BOB,
               "clock": "follow-up due", "state": "breached", "due_at": "2026-11-19T23:59:59Z"})
    );
}

#[test]
fn due_filters_by_kind_owner_and_look_ahead() {
    let repo = cases();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["--format", "json"];
        a.extend(args);
        items(&due(&repo, &a)).into_iter().map(|i| i.1).collect()
    };
    assert_eq!(
        ids(&["--kind", "request"]),
        ["REQ-2026-0001", "REQ-2026-0002", "REQ-2026-0003"]
    );
    assert_eq!(
        ids(&["--owner", "BOB@example.com"]),
        ["FF-2026-002", "REQ-2026-0002", "ORD-2026-0001"]
    );
    // No look-ahead: tomorrow's deadline is not "due soon".
    assert!(!ids(&["--within", "0"]).contains(&"REQ-2026-0002".to_string()));
    let run = due(&repo, &["--kind", "requests"]);
    run.assert_code(USAGE);
    assert!(
        run.stderr
            .contains("unknown kind `requests` (kinds: incident, feedback, request, complaint, order)"),
        "{}",
        run.stderr
    );
}

#[test]
fn due_reports_and_fails_only_when_asked() {
    let repo = cases();
    due(&repo, &[]).assert_code(OK);
    let run = due(&repo, &["--fail-on-breach"]);
    run.assert_code(FINDINGS);
    // Nothing breached: exit 0 even when asked.
    due(&repo, &["--fail-on-breach", "--kind", "order"]).assert_code(OK);
}

#[test]
fn due_table_fits_80_columns_and_csv_has_every_column() {
    let repo = cases();
    let run = due(&repo, &[]);
    assert!(run.stdout.lines().all(|l| l.chars().count() <= 80), "{}", run.stdout);
    assert!(run.stdout.starts_with("state"), "{}", run.stdout);
    assert!(
        run.stdout
            .ends_with("2 breached, 1 to escalate, 1 due soon, 2 ready to close\n"),
        "{}",
        run.stdout
    );
    let run = due(&repo, &["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, ["state", "due", "id", "kind", "clock", "owner", "title"]);
    assert_eq!(reader.records().count(), 6);
}

#[test]
fn due_leaves_out_a_broken_record_and_says_so() {
    let repo = cases();
    repo.write("records/request/REQ-2026-0009.md", "---\nid: [unclosed\n---\n");
    let run = due(&repo, &["--format", "json"]);
    run.assert_code(OK);
    assert_eq!(run.json()["skipped"], Value::from(1));
    assert!(
        run.stderr
            .contains("casework: warning: left out records/request/REQ-2026-0009.md:3:1: invalid YAML"),
        "{}",
        run.stderr
    );
}

#[test]
fn due_as_of_a_commit_reads_that_commits_records_at_its_time() {
    let repo = Repo::with_history();
    let req = "records/request/REQ-2026-0001.md";
    let text = record("REQ-2026-0001", "request", "new", CUSTOMER)
        .replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-11-23T09:00:00Z");
    let logged = repo.write_commit(by(ANN, "2026-11-24T10:00:00Z"), req, &text, "Log");
    let acked = text.replace("status: new", "status: acknowledged").replace(
        "---\n## Summary",
        "acknowledged_at: 2026-11-24T11:00:00Z\nexpected_resolution: 2026-11-30\n---\n## Summary",
    );
    repo.write_commit(by(ANN, "2026-11-24T11:00:00Z"), req, &acked, "Acknowledge");
    // An uncommitted edit of the working tree is not what the commit held.
    repo.write(req, text.replace("A case for the tests", "Edited"));
    let at = |rev: &str, now: Option<&str>| {
        let mut cmd = repo.cmd();
        cmd.args(["due", "--format", "json", "--rev", rev]);
        match now {
            Some(n) => cmd.env("CASEWORK_NOW", n),
            None => cmd.env_remove("CASEWORK_NOW"),
        };
        Run::of(&mut cmd)
    };
    // At the commit's own time (Tuesday 10:00) the acknowledgement was an hour late.
    let run = at(&logged, None);
    run.assert_code(OK);
    assert_eq!(run.json()["now"], "2026-11-24T10:00:00Z");
    assert_eq!(
        items(&run),
        [item("breached", "REQ-2026-0001", "acknowledge", "2026-11-24T09:00:00Z")]
    );
    assert_eq!(run.json()["items"][0]["title"], "A case for the tests");
    // CASEWORK_NOW wins over the commit's time.
    let run = at(&logged, Some("2026-11-23T12:00:00Z"));
    assert_eq!(
        items(&run),
        [item("due_soon", "REQ-2026-0001", "acknowledge", "2026-11-24T09:00:00Z")]
    );
    // At HEAD it was acknowledged: nothing is due.
    assert_eq!(items(&at("HEAD", None)), []);
    let run = at("no-such-branch", None);
    run.assert_code(USAGE);
    assert!(
        run.stderr.contains("unknown revision `no-such-branch`"),
        "{}",
        run.stderr
    );
}

#[test]
fn due_lists_the_handlers_reminders_passed_or_within_the_look_ahead_of_open_cases() {
    let repo = Repo::new();
    let feedback = |id: &str, status: &str, extra: &str| {
        with(
            &repo,
            id,
            "feedback",
            status,
            "2026-11-23T09:00:00Z",
            ANN,
            &format!("{FEEDBACK}due: 2026-12-31\n{extra}"),
        )
    };
    // Passed yesterday; tomorrow (within 2 business days); a week away (not yet).
    feedback(
        "FF-2026-001",
        "in_progress",
        "next_action_at: 2026-11-24\nresponses:\n  - at: 2026-11-23T10:00:00Z\n    by: ann@example.com\n    action: Called\n    follow_up_at: 2026-11-26T09:00:00Z\n",
    );
    feedback("FF-2026-002", "pending", "next_action_at: 2026-12-02\n");
    // A closed case has no reminders.
    feedback(
        "FF-2026-003",
        "completed",
        "resolution: Done.\nnext_action_at: 2026-11-20\n",
    );
    repo.check_json(&[]).assert_code(OK);
    let run = due(&repo, &["--format", "json"]);
    run.assert_code(OK);
    assert_eq!(
        items(&run),
        [
            item("reminder", "FF-2026-001", "next_action_at", "2026-11-24T00:00:00Z"),
            item(
                "reminder",
                "FF-2026-001",
                "responses.0.follow_up_at",
                "2026-11-26T09:00:00Z"
            ),
        ],
        "{}",
        run.stdout
    );
    let run = due(&repo, &["--format", "json", "--within", "5"]);
    assert!(
        items(&run).contains(&item(
            "reminder",
            "FF-2026-002",
            "next_action_at",
            "2026-12-02T00:00:00Z"
        )),
        "{}",
        run.stdout
    );
    let run = due(&repo, &[]);
    assert!(run.stdout.contains("reminder"), "{}", run.stdout);
    assert!(
        run.stderr.contains("2 reminder(s)") || run.stdout.contains("2 reminder(s)"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn a_reminder_that_is_no_date_is_a_schema_finding_naming_both_forms() {
    let repo = Repo::new();
    with(
        &repo,
        "FF-2026-001",
        "feedback",
        "pending",
        "2026-11-23T09:00:00Z",
        ANN,
        &format!("{FEEDBACK}due: 2026-12-31\nnext_action_at: soon\n"),
    );
    let run = repo.run(&["check"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stdout.contains(
            "`next_action_at` must be an RFC 3339 date-time such as 2026-03-02T09:14:00Z or a date such as 2026-03-02, not \"soon\""
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn due_lists_the_survey_invitation_of_a_closed_complaint_and_the_updates_of_an_open_order_issue() {
    let repo = Repo::new();
    // Closed on Friday 20th: the survey invitation was due by Tuesday 24th.
    repo.write(
        &crate::registers::cmp_path(1),
        crate::registers::closed_complaint(1, "2026-11-20T10:00:00Z", ""),
    );
    // Closed and the customer invited: nothing to do.
    repo.write(
        &crate::registers::cmp_path(2),
        crate::registers::closed_complaint(
            2,
            "2026-11-20T10:00:00Z",
            "feedback:\n  invited_at: 2026-11-20T11:00:00Z\n",
        ),
    );
    // An issue acknowledged on Monday 16th, the last update on Wednesday 18th: due Friday 20th.
    with(
        &repo,
        "ORD-2026-0001",
        "order",
        "issue_open",
        "2026-11-10T09:00:00Z",
        ANN,
        &format!(
            "{CUSTOMER}delivered_at: 2026-11-10T09:00:00Z\nfeedback_requested_at: 2026-11-10T12:00:00Z\n\
             feedback:\n  received_at: 2026-11-13T10:00:00Z\n  category: negative\n\
             issues:\n  - summary: Scratched leg\n    reported_at: 2026-11-13T10:00:00Z\n    acknowledged_at: 2026-11-16T10:00:00Z\n\
             updates:\n  - at: 2026-11-18T10:00:00Z\n    by: ann@example.com\n    note: Replacement leg ordered.\n"
        ),
    );
    // No errors; the breached clocks are warnings.
    assert_eq!(repo.check_json(&[]).json()["summary"]["errors"], 0);
    let got = items(&due(&repo, &["--format", "json"]));
    assert!(
        got.contains(&item(
            "breached",
            "ORD-2026-0001",
            "issue update",
            "2026-11-20T10:00:00Z"
        )),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|(s, id, clock, _)| s == "breached" && id == "CMP-2026-0001" && clock == "survey invitation"),
        "{got:?}"
    );
    assert!(!got.iter().any(|(_, id, _, _)| id == "CMP-2026-0002"), "{got:?}");
}
