//! `casework report`: the periodic summary, with exact figures on a small
//! hand-made repository.

use crate::support::*;
use serde_json::{Value, json};

/// Monday 2026-11-02 08:00 UTC: the default period is October 2026.
const AT: &str = "2026-11-02T08:00:00Z";

/// `records/<kind>/<id>.md` in `status`, opened at `opened`, with `extra`.
fn with(repo: &Repo, id: &str, kind: &str, status: &str, opened: &str, extra: &str) -> String {
    let text = record(id, kind, status, extra).replace("opened: 2026-11-02T09:14:00Z", &format!("opened: {opened}"));
    repo.write(&format!("records/{kind}/{id}.md"), &text);
    text
}

const FEEDBACK: &str =
    "date: 2026-10-01\nstakeholder: Shop team\nsummary: Wants a report.\nassigned_to: ann@example.com\n";

/// Requests, orders, feedback items, a complaint and an incident around
/// October 2026 (October 1st is a Thursday; the calendar is UTC, Monday to
/// Friday, whole days).
fn cases() -> Repo {
    let repo = Repo::new();
    // Opened Monday 09:00, acknowledged 12 hours later (0.5 business days),
    // resolved Wednesday 09:00 (2.0), closed on the 14th.
    with(
        &repo,
        "REQ-2026-0001",
        "request",
        "closed",
        "2026-10-05T09:00:00Z",
        &format!(
            "{CUSTOMER}category: billing\ntags: [refund]\nacknowledged_at: 2026-10-05T21:00:00Z\nexpected_resolution: 2026-10-09\n\
updates:\n  - at: 2026-10-06T09:00:00Z\n    by: ann@example.com\n    note: Asked accounts.\n\
resolution:\n  summary: Refunded.\n  notified_at: 2026-10-07T09:00:00Z\nconfirmation:\n  outcome: confirmed\n  at: 2026-10-14T10:00:00Z\n\
lessons:\n  - Check the refund queue daily.\n"
        ),
    );
    // Opened Thursday 09:00, acknowledged Monday 10:00 (late: 2.0 business
    // days), resolved on the 20th (8.0), no update in between; escalated.
    with(
        &repo,
        "REQ-2026-0002",
        "request",
        "resolved",
        "2026-10-08T09:00:00Z",
        &format!(
            "{CUSTOMER}category: billing\ntags: [refund, invoice, refund]\nacknowledged_at: 2026-10-12T10:00:00Z\nexpected_resolution: 2026-10-16\n\
escalated_to: m.jones@example.com\nescalated_at: 2026-10-16T09:00:00Z\n\
resolution:\n  summary: Sent a copy.\n  notified_at: 2026-10-20T09:00:00Z\n"
        ),
    );
    // Never acknowledged: missed; escalated without a date, opened in October.
    with(
        &repo,
        "REQ-2026-0003",
        "request",
        "new",
        "2026-10-28T09:00:00Z",
        &format!("{CUSTOMER}category: delivery\nescalated_to: m.jones@example.com\n"),
    );
    // Opened Friday 09:00: due Monday 09:00, after now: pending.
    with(
        &repo,
        "REQ-2026-0006",
        "request",
        "new",
        "2026-10-30T09:00:00Z",
        &format!("{CUSTOMER}category: billing\ntags: [portal]\n"),
    );
    // September: closed on October 1st, escalated in September.
    with(
        &repo,
        "REQ-2026-0004",
        "request",
        "closed",
        "2026-09-10T09:00:00Z",
        &format!(
            "{CUSTOMER}category: billing\ntags: [refund]\nacknowledged_at: 2026-09-10T10:00:00Z\nexpected_resolution: 2026-09-15\n\
escalated_to: m.jones@example.com\nescalated_at: 2026-09-12T09:00:00Z\n\
resolution:\n  summary: Done.\n  notified_at: 2026-09-15T09:00:00Z\nconfirmation:\n  outcome: confirmed\n  at: 2026-10-01T09:00:00Z\n\
lessons:\n  - text: Confirm the bank details first.\n    date: 2026-10-01\n"
        ),
    );
    // September: closed on the 25th, reopened on October 9th.
    with(
        &repo,
        "REQ-2026-0005",
        "request",
        "in_progress",
        "2026-09-01T09:00:00Z",
        &format!(
            "{CUSTOMER}category: delivery\ntags: [invoice, invoice]\nacknowledged_at: 2026-09-01T10:00:00Z\nexpected_resolution: 2026-09-15\n\
reopen_reason: Not fixed.\ncycles:\n  - reopened_at: 2026-10-09T09:00:00Z\n    from: closed\n    resolution:\n      summary: Done.\n      notified_at: 2026-09-20T09:00:00Z\n    confirmation:\n      outcome: confirmed\n      at: 2026-09-25T09:00:00Z\n"
        ),
    );
    // Orders: feedback requested in time and late; an issue acknowledged in time.
    with(
        &repo,
        "ORD-2026-0001",
        "order",
        "closed",
        "2026-10-01T09:00:00Z",
        &format!(
            "{CUSTOMER}delivered_at: 2026-10-01T09:00:00Z\nfeedback_requested_at: 2026-10-01T12:00:00Z\n\
feedback:\n  received_at: 2026-10-05T10:00:00Z\n  category: positive\n  rating: 5\nclosed_at: 2026-10-06T09:00:00Z\n"
        ),
    );
    with(
        &repo,
        "ORD-2026-0002",
        "order",
        "issue_open",
        "2026-10-02T09:00:00Z",
        &format!(
            "{CUSTOMER}delivered_at: 2026-10-02T09:00:00Z\nfeedback_requested_at: 2026-10-06T09:00:00Z\n\
feedback:\n  received_at: 2026-10-07T09:00:00Z\n  category: negative\n  rating: 2\n\
issues:\n  - summary: Scratched.\n    reported_at: 2026-10-07T09:00:00Z\n    acknowledged_at: 2026-10-07T11:00:00Z\n"
        ),
    );
    // Feedback received in September: not October's.
    with(
        &repo,
        "ORD-2026-0003",
        "order",
        "feedback_received",
        "2026-09-20T09:00:00Z",
        &format!(
            "{CUSTOMER}delivered_at: 2026-09-20T09:00:00Z\nfeedback_requested_at: 2026-09-21T09:00:00Z\n\
feedback:\n  received_at: 2026-09-25T09:00:00Z\n  category: suggestion\n  rating: 4\n"
        ),
    );
    // Feedback items: done by the due date, and overdue.
    with(
        &repo,
        "FF-2026-001",
        "feedback",
        "completed",
        "2026-10-01T09:00:00Z",
        &format!("{FEEDBACK}due: 2026-10-09\nresolution: Answered.\ncompleted_at: 2026-10-08T09:00:00Z\n"),
    );
    with(
        &repo,
        "FF-2026-002",
        "feedback",
        "in_progress",
        "2026-10-05T09:00:00Z",
        &format!("{FEEDBACK}due: 2026-10-07\n"),
    );
    // Closed in September; its survey answered in October.
    with(
        &repo,
        "CMP-2026-0001",
        "complaint",
        "closed",
        "2026-09-01T09:00:00Z",
        "corrective_actions:\n  - action: Replaced it.\n    done: true\nclosure:\n  closed_at: 2026-09-20T10:00:00Z\n  closed_by: ann@example.com\n  communicated_via: email\n\
feedback:\n  invited_at: 2026-09-20T10:00:00Z\n  received_at: 2026-10-03T10:00:00Z\n  rating: 4\n",
    );
    with(&repo, "INC-2026-0001", "incident", "open", "2026-10-20T09:00:00Z", "");
    // Opened after the period: in nothing.
    with(
        &repo,
        "INC-2026-0002",
        "incident",
        "open",
        "2026-11-01T09:00:00Z",
        "category: outage\n",
    );
    repo
}

fn report(repo: &Repo, args: &[&str]) -> Run {
    Run::of(repo.cmd().arg("report").args(args).env("CASEWORK_NOW", AT))
}

fn json_of(repo: &Repo, args: &[&str]) -> Value {
    let run = report(repo, &[args, &["--format", "json"]].concat());
    run.assert_code(OK);
    run.json()
}

fn counts(k: &Value) -> (u64, u64, u64) {
    (
        k["opened"].as_u64().unwrap(),
        k["closed"].as_u64().unwrap(),
        k["open_at_end"].as_u64().unwrap(),
    )
}

#[test]
fn a_month_counts_opened_closed_and_open_at_the_end_per_kind() {
    let repo = cases();
    let doc = json_of(&repo, &["--period", "2026-10"]);
    assert_eq!(doc["period"], json!({"from": "2026-10-01", "to": "2026-10-31"}));
    assert_eq!(
        doc["previous_period"],
        json!({"from": "2026-09-01", "to": "2026-09-30"})
    );
    let kinds = &doc["kinds"];
    let names: Vec<&str> = kinds.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(names, ["incident", "feedback", "request", "complaint", "order"]);
    // Requests: 0001, 0002, 0003, 0006 opened; 0001 and 0004 closed; 0002,
    // 0003, 0006 and the reopened 0005 open on the 31st.
    assert_eq!(counts(&kinds["request"]), (4, 2, 4));
    assert_eq!(counts(&kinds["order"]), (2, 1, 2));
    assert_eq!(counts(&kinds["feedback"]), (2, 1, 1));
    assert_eq!(counts(&kinds["complaint"]), (0, 0, 0));
    assert_eq!(counts(&kinds["incident"]), (1, 0, 1));
    assert_eq!(doc["skipped"], 0);
    assert_eq!(doc["notes"], json!([]));
}

#[test]
fn times_to_acknowledge_and_resolve_are_median_and_p90_in_business_days() {
    let repo = cases();
    let doc = json_of(&repo, &["--period", "2026-10"]);
    let req = &doc["kinds"]["request"];
    assert_eq!(
        req["time_to_acknowledge"],
        json!({"field": "acknowledged_at", "count": 2, "median": 0.5, "p90": 2.0})
    );
    assert_eq!(
        req["time_to_resolve"],
        json!({"field": "resolution.notified_at", "count": 2, "median": 2.0, "p90": 8.0})
    );
    let order = &doc["kinds"]["order"];
    assert_eq!(
        order["time_to_acknowledge"],
        Value::Null,
        "orders have no acknowledgement"
    );
    assert_eq!(
        order["time_to_resolve"],
        json!({"field": "closed_at", "count": 1, "median": 3.0, "p90": 3.0})
    );
    let none = &doc["kinds"]["incident"]["time_to_resolve"];
    assert_eq!((none["count"].clone(), none["median"].clone()), (json!(0), Value::Null));
}

#[test]
fn sla_compliance_is_the_share_of_clocks_met_by_their_deadline() {
    let repo = cases();
    let doc = json_of(&repo, &["--period", "2026-10"]);
    let sla = |kind: &str| doc["kinds"][kind]["sla"].clone();
    assert_eq!(
        sla("request"),
        json!([
            {"clock": "acknowledge", "met": 1, "missed": 2, "pending": 1, "percent_met": 33.3},
            {"clock": "status update", "met": 1, "missed": 1, "pending": 0, "percent_met": 50.0},
        ])
    );
    assert_eq!(
        sla("order"),
        json!([
            {"clock": "feedback request", "met": 1, "missed": 1, "pending": 0, "percent_met": 50.0},
            {"clock": "issue acknowledgement", "met": 1, "missed": 0, "pending": 0, "percent_met": 100.0},
            // The issue was acknowledged and never updated.
            {"clock": "issue update", "met": 0, "missed": 1, "pending": 0, "percent_met": 0.0},
        ])
    );
    assert_eq!(
        sla("feedback"),
        json!([{"clock": "follow-up due", "met": 1, "missed": 1, "pending": 0, "percent_met": 50.0}])
    );
}

#[test]
fn feedback_received_in_the_period_by_category_and_rating() {
    let repo = cases();
    let doc = json_of(&repo, &["--period", "2026-10"]);
    assert_eq!(
        doc["kinds"]["order"]["feedback"],
        json!({"positive": 1, "negative": 1, "suggestion": 0,
               "ratings": {"count": 2, "mean": 3.5, "distribution": {"2": 1, "5": 1}}})
    );
    // A complaint closed in September whose survey came back in October.
    assert_eq!(
        doc["kinds"]["complaint"]["feedback"]["ratings"],
        json!({"count": 1, "mean": 4.0, "distribution": {"4": 1}})
    );
}

#[test]
fn categories_and_tags_change_against_the_previous_period() {
    let repo = cases();
    let doc = json_of(&repo, &["--period", "2026-10"]);
    let req = &doc["kinds"]["request"];
    assert_eq!(
        req["categories"],
        json!([
            {"name": "billing", "count": 3, "previous": 1, "change": "+2"},
            {"name": "delivery", "count": 1, "previous": 1, "change": "0"},
        ])
    );
    assert_eq!(
        req["tags"],
        json!([
            {"name": "refund", "count": 2, "previous": 1, "change": "+1"},
            {"name": "invoice", "count": 1, "previous": 1, "change": "0"},
            {"name": "portal", "count": 1, "previous": 0, "change": "new"},
        ])
    );
    // Fewer than before: the previous period of September against August.
    let sept = json_of(&repo, &["--period", "2026-09", "--kind", "request"]);
    assert_eq!(
        sept["kinds"]["request"]["categories"],
        json!([
            {"name": "billing", "count": 1, "previous": 0, "change": "new"},
            {"name": "delivery", "count": 1, "previous": 0, "change": "new"},
        ])
    );
}

#[test]
fn escalations_reopened_cases_and_lessons_of_the_period() {
    let repo = cases();
    let doc = json_of(&repo, &["--period", "2026-10"]);
    let req = &doc["kinds"]["request"];
    assert_eq!(
        req["escalations"],
        json!({"count": 2, "ids": ["REQ-2026-0002", "REQ-2026-0003"]})
    );
    assert_eq!(req["reopened"], json!({"count": 1, "ids": ["REQ-2026-0005"]}));
    // Dated as the lessons register dates them: a lesson without a date of
    // its own by the case's closure.
    assert_eq!(
        req["lessons"],
        json!([
            {"id": "REQ-2026-0001", "text": "Check the refund queue daily.", "date": "2026-10-14"},
            {"id": "REQ-2026-0004", "text": "Confirm the bank details first.", "date": "2026-10-01"},
        ])
    );
    // In September, REQ-2026-0004 was escalated and nothing was reopened.
    let sept = json_of(&repo, &["--period", "2026-09", "--kind", "request"]);
    assert_eq!(sept["kinds"]["request"]["escalations"]["ids"], json!(["REQ-2026-0004"]));
    assert_eq!(sept["kinds"]["request"]["reopened"]["count"], 0);
    assert_eq!(sept["kinds"]["request"]["lessons"], json!([]));
}

#[test]
fn a_quarter_a_range_and_the_default_previous_month() {
    let repo = cases();
    let q = json_of(&repo, &["--quarter", "2026-Q4", "--kind", "request"]);
    assert_eq!(q["period"], json!({"from": "2026-10-01", "to": "2026-12-31"}));
    assert_eq!(q["previous_period"], json!({"from": "2026-07-01", "to": "2026-09-30"}));
    assert_eq!(q["kinds"].as_object().unwrap().len(), 1, "--kind keeps one kind");
    assert_eq!(counts(&q["kinds"]["request"]), (4, 2, 4));
    let q3 = json_of(&repo, &["--quarter", "2026-q3", "--kind", "request"]);
    // 0004 and 0005 opened in Q3; 0005 closed on 25 September; at the end of
    // September 0004 was still open.
    assert_eq!(counts(&q3["kinds"]["request"]), (2, 1, 1));
    let r = json_of(&repo, &["--from", "2026-10-05", "--to", "2026-10-09"]);
    assert_eq!(r["period"], json!({"from": "2026-10-05", "to": "2026-10-09"}));
    assert_eq!(r["previous_period"], json!({"from": "2026-09-30", "to": "2026-10-04"}));
    // 0001 and 0002 opened that week; open on the 9th with 0005, reopened
    // that day (0001 closed only on the 14th, 0004 on the 1st).
    assert_eq!(counts(&r["kinds"]["request"]), (2, 0, 3));
    let default = json_of(&repo, &[]);
    assert_eq!(default["period"], json!({"from": "2026-10-01", "to": "2026-10-31"}));
}

#[test]
fn a_bad_period_exits_2_with_the_accepted_forms() {
    let repo = cases();
    for args in [
        &["--period", "2026-13"][..],
        &["--period", "October"],
        &["--quarter", "2026-Q5"],
        &["--from", "2026-10-01", "--to", "2026-10-32"],
        &["--from", "2026-10-09", "--to", "2026-10-01"],
    ] {
        let run = report(&repo, args);
        run.assert_code(USAGE);
        for form in [
            "--period YYYY-MM",
            "--quarter YYYY-Qn",
            "--from YYYY-MM-DD --to YYYY-MM-DD",
        ] {
            assert!(run.stderr.contains(form), "{args:?}: {}", run.stderr);
        }
        assert!(run.stdout.is_empty(), "{args:?}");
    }
    let run = report(&repo, &["--kind", "parcel"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("unknown kind `parcel`"), "{}", run.stderr);
    report(&repo, &["--period", "2026-10", "--quarter", "2026-Q4"]).assert_code(USAGE);
    report(&repo, &["--from", "2026-10-01"]).assert_code(USAGE);
}

#[test]
fn markdown_output_is_tables_to_paste_into_a_review() {
    let repo = cases();
    let run = report(&repo, &["--period", "2026-10"]);
    run.assert_code(OK);
    let md = &run.stdout;
    for line in [
        "# Case report 2026-10-01 to 2026-10-31",
        "| kind | opened | closed | open at end | acknowledge median | acknowledge p90 | resolve median | resolve p90 |",
        "| request | 4 | 2 | 4 | 0.5 | 2.0 | 2.0 | 8.0 |",
        "| order | 2 | 1 | 2 | - | - | 3.0 | 3.0 |",
        "| request | acknowledge | 1 | 2 | 1 | 33.3% |",
        "| order | 1 | 1 | 0 | 2 | 3.5 |",
        "| request | billing | 3 | 1 | +2 |",
        "| request | portal | 1 | 0 | new |",
        "| request | 2 | REQ-2026-0002, REQ-2026-0003 | 1 | REQ-2026-0005 | 2 |",
        "| REQ-2026-0001 | Check the refund queue daily. |",
    ] {
        assert!(md.lines().any(|l| l == line), "no line {line:?} in:\n{md}");
    }
    assert!(md.contains("| --- | ---: |"), "{md}");
}

#[test]
fn csv_output_is_one_row_per_kind_and_metric() {
    let repo = cases();
    let run = report(&repo, &["--period", "2026-10", "--format", "csv"]);
    run.assert_code(OK);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "kind,metric,value");
    for row in [
        ",period.from,2026-10-01",
        "request,opened,4",
        "request,closed,2",
        "request,open_at_end,4",
        "request,time_to_resolve.p90,8.0",
        "request,sla.acknowledge.percent_met,33.3",
        "request,category.billing.change,+2",
        "order,feedback.ratings.mean,3.5",
        "request,lessons,2",
    ] {
        assert!(lines.contains(&row), "no row {row:?} in:\n{}", run.stdout);
    }
}

#[test]
fn an_unreadable_record_is_left_out_and_counted() {
    let repo = cases();
    repo.write("records/request/REQ-2026-0009.md", "---\nid: [unclosed\n---\n");
    let run = report(&repo, &["--period", "2026-10", "--format", "json"]);
    run.assert_code(OK);
    assert_eq!(run.json()["skipped"], 1);
    assert!(run.stderr.contains("REQ-2026-0009.md"), "{}", run.stderr);
    assert_eq!(counts(&run.json()["kinds"]["request"]), (4, 2, 4));
}

/// An order closed by hand without `closed_at`: its commit dates it.
fn closed_without_its_closing_field() -> Repo {
    let repo = Repo::with_history();
    let path = "records/order/ORD-2026-0004.md";
    let extra = format!(
        "{CUSTOMER}delivered_at: 2026-10-12T09:00:00Z\nfeedback_requested_at: 2026-10-12T10:00:00Z\n\
feedback:\n  category: suggestion\n  rating: 3\n"
    );
    let text = |status: &str| {
        record("ORD-2026-0004", "order", status, &extra)
            .replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-10-12T09:00:00Z")
    };
    repo.write_commit(
        by("ann@example.com", "2026-10-12T11:00:00Z"),
        path,
        text("feedback_received"),
        "Log ORD-2026-0004",
    );
    repo.write_commit(
        by("ann@example.com", "2026-10-15T10:00:00Z"),
        path,
        text("closed"),
        "ORD-2026-0004: closed",
    );
    repo
}

#[test]
fn a_closed_record_without_its_closing_field_is_dated_by_its_commit() {
    let repo = closed_without_its_closing_field();
    let doc = json_of(&repo, &["--period", "2026-10", "--kind", "order"]);
    let order = &doc["kinds"]["order"];
    assert_eq!(counts(order), (1, 1, 0));
    assert_eq!(order["closed_date_unknown"], 0);
    // Monday 09:00 to Thursday 10:00: 0.625 + 1 + 1 + 0.4167 business days.
    assert_eq!(order["time_to_resolve"]["median"], 3.0);
    // Feedback without `received_at` counts in the period the case closed.
    assert_eq!(order["feedback"]["suggestion"], 1);
    let notes = doc["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("dated by the commit that closed them")),
        "{notes:?}"
    );
    // Closed on the 15th: in November it is neither closed nor open.
    let nov = json_of(&repo, &["--period", "2026-11", "--kind", "order"]);
    assert_eq!(counts(&nov["kinds"]["order"]), (0, 0, 0));
}

/// An import of 300 closed orders without `closed_at`, committed on
/// 2026-10-05, then every file edited on 2026-11-03 without a change of
/// state. The import's versions are no longer in the working tree, so the
/// history pass reads them from git (in parallel: more than a few hundred);
/// the edit's versions it knows from the loading pass. Each is closed by
/// the import, not by the edit.
#[test]
fn an_imported_then_edited_closed_record_is_dated_by_the_import() {
    let repo = Repo::with_history();
    let text = |n: usize, tag: &str| {
        let extra = format!(
            "{CUSTOMER}delivered_at: 2026-10-01T09:00:00Z\nfeedback_requested_at: 2026-10-01T10:00:00Z\ntags: [{tag}]\n"
        );
        record(&format!("ORD-2026-{n:04}"), "order", "closed", &extra)
            .replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-10-01T09:00:00Z")
    };
    const N: usize = 300;
    for n in 1..=N {
        repo.write(&format!("records/order/ORD-2026-{n:04}.md"), text(n, "imported"));
    }
    repo.commit(by("ann@example.com", "2026-10-05T12:00:00Z"), "Import 300 orders");
    for n in 1..=N {
        repo.write(&format!("records/order/ORD-2026-{n:04}.md"), text(n, "reviewed"));
    }
    repo.commit(by("ann@example.com", "2026-11-03T12:00:00Z"), "Tag the imported orders");
    let oct = json_of(&repo, &["--period", "2026-10", "--kind", "order"]);
    assert_eq!(counts(&oct["kinds"]["order"]), (N as u64, N as u64, 0));
    assert_eq!(oct["kinds"]["order"]["closed_date_unknown"], 0);
    let nov = json_of(&repo, &["--period", "2026-11", "--kind", "order"]);
    assert_eq!(counts(&nov["kinds"]["order"]), (0, 0, 0));
}

/// As of a commit, a closing date comes from that commit's history: a
/// later reopen and second closure (on HEAD) is no part of it.
#[test]
fn a_report_as_of_a_commit_dates_closures_from_that_commits_history() {
    let repo = closed_without_its_closing_field();
    let closed = repo.sha("HEAD");
    let path = "records/order/ORD-2026-0004.md";
    let text = repo.read(path);
    repo.write_commit(
        by("ann@example.com", "2026-11-20T10:00:00Z"),
        path,
        text.replace("status: closed", "status: feedback_received"),
        "ORD-2026-0004: the customer wrote again",
    );
    repo.write_commit(
        by("ann@example.com", "2026-11-25T10:00:00Z"),
        path,
        text,
        "ORD-2026-0004: closed again",
    );
    let as_of = json_of(&repo, &["--rev", &closed, "--period", "2026-10", "--kind", "order"]);
    assert_eq!(counts(&as_of["kinds"]["order"]), (1, 1, 0));
    // On HEAD the last closure is November's.
    let now = json_of(&repo, &["--period", "2026-10", "--kind", "order"]);
    assert_eq!(counts(&now["kinds"]["order"]), (1, 0, 1));
}

#[test]
fn a_closing_date_git_cannot_give_is_said_not_guessed() {
    let repo = closed_without_its_closing_field();
    std::fs::remove_dir_all(repo.path(".git")).unwrap();
    let doc = json_of(&repo, &["--period", "2026-10", "--kind", "order"]);
    let order = &doc["kinds"]["order"];
    assert_eq!(counts(order), (1, 0, 0));
    assert_eq!(order["closed_date_unknown"], 1);
    let notes = doc["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("not in a git repository")),
        "{notes:?}"
    );
    // Uncommitted, in a repository: no commit closed it.
    let repo = cases();
    with(
        &repo,
        "ORD-2026-0009",
        "order",
        "closed",
        "2026-10-01T09:00:00Z",
        CUSTOMER,
    );
    let doc = json_of(&repo, &["--period", "2026-10", "--kind", "order"]);
    assert_eq!(doc["kinds"]["order"]["closed_date_unknown"], 1);
    assert_eq!(counts(&doc["kinds"]["order"]), (3, 1, 2));
    assert!(
        doc["notes"][0].as_str().unwrap().contains("no commit closed them"),
        "{}",
        doc["notes"]
    );
}
