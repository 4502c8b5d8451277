//! `casework list`: which cases match, in which order, in which format.

use crate::support::*;
use serde_json::{Value, json};

/// Judged at Wednesday 2026-11-25 12:00 UTC.
const AT: &str = "2026-11-25T12:00:00Z";

/// A record of `kind` in `status`, opened at `opened`, with `extra` fields;
/// `[title, body]` replace the defaults where given.
fn write(repo: &Repo, id: &str, kind: &str, status: &str, opened: &str, extra: &str, [title, body]: [&str; 2]) {
    let mut text =
        record(id, kind, status, extra).replace("opened: 2026-11-02T09:14:00Z", &format!("opened: {opened}"));
    if !title.is_empty() {
        text = text.replace("title: A case for the tests", &format!("title: {title}"));
    }
    if !body.is_empty() {
        text = text.replace("What happened.", body);
    }
    repo.write(&format!("records/{kind}/{id}.md"), text);
}

const ALL: [&str; 7] = [
    "CMP-2026-0001",
    "CMP-2026-0002",
    "FF-2026-001",
    "INC-2026-0001",
    "REQ-2026-0001",
    "REQ-2026-0002",
    "REQ-2026-0003",
];

/// Seven cases, each picked out by some filter and left out by others.
fn cases() -> Repo {
    let repo = Repo::new();
    write(
        &repo,
        "CMP-2026-0001",
        "complaint",
        "closed",
        "2026-01-05T09:00:00Z",
        "owner: ann@example.com\ncategory: delivery\nclosure:\n  closed_at: 2026-01-09T10:00:00Z\nfeedback:\n  invited_at: 2026-01-09T11:00:00Z\n",
        ["", ""],
    );
    write(
        &repo,
        "CMP-2026-0002",
        "complaint",
        "archived",
        "2026-11-03T09:00:00Z",
        "owner: bob@example.com\ncategory: delivery\ntags: [damage]\nclosure:\n  closed_at: 2026-11-21T10:00:00Z\n",
        ["", "The courier lost the PARCEL twice."],
    );
    // Overdue and escalated: still overdue.
    write(
        &repo,
        "FF-2026-001",
        "feedback",
        "pending",
        "2026-11-02T09:00:00Z",
        "owner: ANN@Example.com\ndue: 2026-11-20\nescalated_to: m.jones@example.com\n",
        ["", ""],
    );
    // The incident state named `open`; opened the evening before in New York.
    write(
        &repo,
        "INC-2026-0001",
        "incident",
        "open",
        "2026-11-24T03:00:00Z",
        "owner: carol@example.org\npriority: normal\n",
        ["", ""],
    );
    // Not acknowledged within a business day: breached.
    write(
        &repo,
        "REQ-2026-0001",
        "request",
        "new",
        "2026-11-23T09:00:00Z",
        &format!("owner: ann@example.com\npriority: urgent\ncategory: billing\ntags: [refund, VIP]\n{CUSTOMER}"),
        ["Charged twice for one order", ""],
    );
    write(
        &repo,
        "REQ-2026-0002",
        "request",
        "new",
        "2026-11-25T10:00:00Z",
        &format!("owner: bob@example.com\npriority: low\ncategory: Billing\ntags: [vip]\n{CUSTOMER}"),
        ["", ""],
    );
    write(
        &repo,
        "REQ-2026-0003",
        "request",
        "closed",
        "2026-11-02T09:00:00Z",
        &format!("tags: [refund]\n{CUSTOMER}confirmation:\n  outcome: confirmed\n  at: 2026-11-20T10:00:00Z\n"),
        ["", ""],
    );
    repo
}

fn list(repo: &Repo, args: &[&str]) -> Run {
    Run::of(repo.cmd().arg("list").args(args).env("CASEWORK_NOW", AT))
}

/// The IDs `list ARGS --format json` gives, in its order.
fn ids(repo: &Repo, args: &[&str]) -> Vec<String> {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let run = list(repo, &a);
    run.assert_code(OK);
    let doc = run.json();
    let ids: Vec<String> = doc["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(doc["count"], Value::from(ids.len()), "{}", run.stdout);
    ids
}

#[test]
fn list_filters_by_kind_status_owner_category_and_tag() {
    let repo = cases();
    assert_eq!(ids(&repo, &[]), ALL);
    assert_eq!(
        ids(&repo, &["--kind", "request"]),
        ["REQ-2026-0001", "REQ-2026-0002", "REQ-2026-0003"]
    );
    assert_eq!(
        ids(&repo, &["--status", "open"]),
        ["FF-2026-001", "INC-2026-0001", "REQ-2026-0001", "REQ-2026-0002"]
    );
    // `closed` is every closed state, `archived` included.
    assert_eq!(
        ids(&repo, &["--status", "closed"]),
        ["CMP-2026-0001", "CMP-2026-0002", "REQ-2026-0003"]
    );
    assert_eq!(ids(&repo, &["--status", "archived"]), ["CMP-2026-0002"]);
    assert_eq!(ids(&repo, &["--status", "state:open"]), ["INC-2026-0001"]);
    assert_eq!(
        ids(&repo, &["--status", "state:closed"]),
        ["CMP-2026-0001", "REQ-2026-0003"]
    );
    assert_eq!(
        ids(&repo, &["--kind", "request", "--status", "new"]),
        ["REQ-2026-0001", "REQ-2026-0002"]
    );
    assert_eq!(
        ids(&repo, &["--owner", "ann@EXAMPLE.com"]),
        ["CMP-2026-0001", "FF-2026-001", "REQ-2026-0001"]
    );
    assert_eq!(
        ids(&repo, &["--owner", "Ann"]),
        ["CMP-2026-0001", "FF-2026-001", "REQ-2026-0001"]
    );
    assert_eq!(
        ids(&repo, &["--status", "open", "--owner", "ann@example.com"]),
        ["FF-2026-001", "REQ-2026-0001"]
    );
    assert_eq!(
        ids(&repo, &["--category", "billing"]),
        ["REQ-2026-0001", "REQ-2026-0002"]
    );
    assert_eq!(ids(&repo, &["--tag", "vip"]), ["REQ-2026-0001", "REQ-2026-0002"]);
    assert_eq!(ids(&repo, &["--tag", "refund"]), ["REQ-2026-0001", "REQ-2026-0003"]);
    assert_eq!(ids(&repo, &["--tag", "refund", "--tag", "vip"]), ["REQ-2026-0001"]);
    assert!(ids(&repo, &["--tag", "nothing"]).is_empty());
}

#[test]
fn list_filters_by_dates_overdue_clocks_and_text() {
    let repo = cases();
    assert_eq!(
        ids(&repo, &["--opened-since", "2026-11-23"]),
        ["INC-2026-0001", "REQ-2026-0001", "REQ-2026-0002"]
    );
    assert_eq!(
        ids(&repo, &["--opened-since", "2026-11-24"]),
        ["INC-2026-0001", "REQ-2026-0002"]
    );
    // Closure times: the kind's `retention_from` field (closure.closed_at, confirmation.at).
    assert_eq!(
        ids(&repo, &["--closed-since", "2026-11-20"]),
        ["CMP-2026-0002", "REQ-2026-0003"]
    );
    assert_eq!(ids(&repo, &["--closed-since", "2026-11-21"]), ["CMP-2026-0002"]);
    assert_eq!(
        ids(&repo, &["--closed-since", "2026-01-01"]),
        ["CMP-2026-0001", "CMP-2026-0002", "REQ-2026-0003"]
    );
    // A breached clock, and one breached and escalated.
    assert_eq!(ids(&repo, &["--overdue"]), ["FF-2026-001", "REQ-2026-0001"]);
    assert_eq!(ids(&repo, &["--overdue", "--kind", "request"]), ["REQ-2026-0001"]);
    // In the title, and in the body, ignoring case.
    assert_eq!(ids(&repo, &["--grep", "CHARGED twice"]), ["REQ-2026-0001"]);
    assert_eq!(ids(&repo, &["--grep", "parcel"]), ["CMP-2026-0002"]);
    assert_eq!(ids(&repo, &["--grep", "twice"]), ["CMP-2026-0002", "REQ-2026-0001"]);
    assert!(ids(&repo, &["--grep", "nowhere at all"]).is_empty());
}

#[test]
fn list_dates_are_days_of_the_calendars_zone() {
    let repo = cases();
    repo.edit_config("timezone = \"UTC\"", "timezone = \"America/New_York\"");
    // INC-2026-0001 was opened at 22:00 on the 23rd in New York.
    assert_eq!(ids(&repo, &["--opened-since", "2026-11-24"]), ["REQ-2026-0002"]);
    let run = list(&repo, &["--kind", "incident"]);
    assert!(
        run.stdout.contains("INC-2026-0001  open    carol    2026-11-23"),
        "{}",
        run.stdout
    );
}

#[test]
fn list_sorts_ascending_descending_and_by_nested_fields() {
    let repo = cases();
    let sorted = |by: &str| ids(&repo, &["--sort", by]);
    assert_eq!(sorted("id"), ALL);
    assert_eq!(
        sorted("opened"),
        [
            "CMP-2026-0001",
            "FF-2026-001",
            "REQ-2026-0003",
            "CMP-2026-0002",
            "REQ-2026-0001",
            "INC-2026-0001",
            "REQ-2026-0002"
        ]
    );
    // Descending; equal values stay in ID order.
    assert_eq!(
        sorted("-opened"),
        [
            "REQ-2026-0002",
            "INC-2026-0001",
            "REQ-2026-0001",
            "CMP-2026-0002",
            "FF-2026-001",
            "REQ-2026-0003",
            "CMP-2026-0001"
        ]
    );
    // A nested field; cases without it come last, either way.
    assert_eq!(
        sorted("closure.closed_at"),
        [
            "CMP-2026-0001",
            "CMP-2026-0002",
            "FF-2026-001",
            "INC-2026-0001",
            "REQ-2026-0001",
            "REQ-2026-0002",
            "REQ-2026-0003"
        ]
    );
    assert_eq!(
        ids(&repo, &["--sort=-closure.closed_at"]),
        [
            "CMP-2026-0002",
            "CMP-2026-0001",
            "FF-2026-001",
            "INC-2026-0001",
            "REQ-2026-0001",
            "REQ-2026-0002",
            "REQ-2026-0003"
        ]
    );
    // Priority by urgency, not alphabetically.
    assert_eq!(
        sorted("-priority"),
        [
            "REQ-2026-0001",
            "INC-2026-0001",
            "REQ-2026-0002",
            "CMP-2026-0001",
            "CMP-2026-0002",
            "FF-2026-001",
            "REQ-2026-0003"
        ]
    );
    // Owners ignoring case; the case without one last.
    assert_eq!(
        sorted("owner"),
        [
            "CMP-2026-0001",
            "FF-2026-001",
            "REQ-2026-0001",
            "CMP-2026-0002",
            "REQ-2026-0002",
            "INC-2026-0001",
            "REQ-2026-0003"
        ]
    );
    // States in their workflow's order: first states first.
    assert_eq!(
        sorted("status"),
        [
            "REQ-2026-0001",
            "REQ-2026-0002",
            "INC-2026-0001",
            "FF-2026-001",
            "CMP-2026-0001",
            "CMP-2026-0002",
            "REQ-2026-0003"
        ]
    );
    assert_eq!(
        ids(&repo, &["--status", "open", "--sort=-id"]),
        ["REQ-2026-0002", "REQ-2026-0001", "INC-2026-0001", "FF-2026-001"]
    );
}

#[test]
fn list_sorts_ids_by_their_number() {
    let repo = cases();
    write(&repo, "REQ-2026-10000", "request", "new", AT, CUSTOMER, ["", ""]);
    write(&repo, "REQ-2026-9999", "request", "new", AT, CUSTOMER, ["", ""]);
    assert_eq!(
        ids(&repo, &["--kind", "request"]),
        [
            "REQ-2026-0001",
            "REQ-2026-0002",
            "REQ-2026-0003",
            "REQ-2026-9999",
            "REQ-2026-10000"
        ]
    );
}

#[test]
fn list_json_holds_the_common_fields_and_every_front_matter_field() {
    let repo = cases();
    let run = list(&repo, &["--kind", "request", "--status", "new", "--format", "json"]);
    run.assert_code(OK);
    let doc = run.json();
    // Exactly as serde_json's pretty printer writes the document.
    assert_eq!(run.stdout, format!("{}\n", serde_json::to_string_pretty(&doc).unwrap()));
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["records", "count", "skipped"]);
    assert_eq!(doc["count"], 2);
    assert_eq!(doc["skipped"], 0);
    let first = &doc["records"][0];
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["id", "kind", "title", "status", "owner", "opened", "path", "fields"]
    );
    let text = repo.read("records/request/REQ-2026-0001.md");
    assert_eq!(
        *first,
        json!({
            "id": "REQ-2026-0001",
            "kind": "request",
            "title": "Charged twice for one order",
            "status": "new",
            "owner": "ann@example.com",
            "opened": "2026-11-23T09:00:00Z",
            "path": "records/request/REQ-2026-0001.md",
            "fields": front_matter(&text),
        })
    );
    assert_eq!(first["fields"]["customer"]["name"], "Ada Lovelace");
    assert_eq!(first["fields"]["tags"], json!(["refund", "VIP"]));
    // No owner is null, not a missing key.
    let run = list(&repo, &["--tag", "refund", "--status", "closed", "--format", "json"]);
    assert_eq!(run.json()["records"][0]["owner"], Value::Null);
    let run = list(&repo, &["--grep", "nowhere at all", "--format", "json"]);
    assert_eq!(
        run.stdout,
        "{\n  \"records\": [],\n  \"count\": 0,\n  \"skipped\": 0\n}\n"
    );
}

#[test]
fn list_csv_has_a_header_and_one_row_a_case() {
    let repo = cases();
    let run = list(&repo, &["--format", "csv", "--kind", "complaint"]);
    run.assert_code(OK);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, ["id", "kind", "title", "status", "owner", "opened", "path"]);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(
        rows,
        [
            [
                "CMP-2026-0001",
                "complaint",
                "A case for the tests",
                "closed",
                "ann@example.com",
                "2026-01-05T09:00:00Z",
                "records/complaint/CMP-2026-0001.md"
            ],
            [
                "CMP-2026-0002",
                "complaint",
                "A case for the tests",
                "archived",
                "bob@example.com",
                "2026-11-03T09:00:00Z",
                "records/complaint/CMP-2026-0002.md"
            ]
        ]
    );
    // Sorted by another field: it is a column of its own, empty where missing.
    let run = list(&repo, &["--format", "csv", "--sort=-closure.closed_at"]);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().next_back(), Some("closure.closed_at"));
    let last: Vec<String> = reader
        .records()
        .map(|r| r.unwrap().iter().next_back().unwrap().to_string())
        .collect();
    assert_eq!(
        last,
        ["2026-11-21T10:00:00Z", "2026-01-09T10:00:00Z", "", "", "", "", ""]
    );
}

#[test]
fn list_table_fits_80_columns_with_a_summary() {
    let repo = cases();
    write(
        &repo,
        "REQ-2026-0004",
        "request",
        "new",
        AT,
        &format!("owner: a.very.long.owner.name@example.com\n{CUSTOMER}"),
        [
            "A title long enough that it cannot fit on one line of an eighty-column terminal at all",
            "",
        ],
    );
    let run = list(&repo, &[]);
    run.assert_code(OK);
    assert!(run.stdout.lines().all(|l| l.chars().count() <= 80), "{}", run.stdout);
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(
        first.split_whitespace().collect::<Vec<_>>(),
        ["id", "status", "owner", "opened", "title"]
    );
    assert!(
        run.stdout
            .contains("\nREQ-2026-0001  new       ann                   2026-11-23  Charged twice for\n"),
        "{}",
        run.stdout
    );
    // Long cells wrap inside their column; nothing is cut.
    assert!(
        run.stdout.contains("a.very.long.owner.na") && run.stdout.contains("terminal at all"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("\n8 cases\n"), "{}", run.stdout);
    let run = list(&repo, &["-q", "--kind", "complaint"]);
    assert!(!run.stdout.contains("cases"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
    let run = list(&repo, &["--grep", "nowhere at all"]);
    assert_eq!(run.stdout, "no cases match\n");
    run.assert_code(OK);
}

#[test]
fn list_refuses_bad_flag_values_with_the_accepted_ones() {
    let repo = cases();
    let refused = |args: &[&str], says: &str| {
        let run = list(&repo, args);
        run.assert_code(USAGE);
        assert!(run.stderr.contains(says), "{args:?}:\n{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    };
    refused(
        &["--kind", "requests"],
        "unknown kind `requests` (kinds: incident, feedback, request, complaint, order)",
    );
    refused(
        &["--kind", "request", "--status", "done"],
        "unknown status `done` for kind `request` (open, closed, or a state: new, acknowledged, in_progress, resolved, state:closed, archived)",
    );
    refused(
        &["--status", "done"],
        "unknown status `done` (open, closed, or a state: state:open, in_progress",
    );
    refused(&["--kind", "complaint", "--status", "pending"], "for kind `complaint`");
    refused(
        &["--sort", "priorty"],
        "unknown field `priorty` for --sort: no kind has it (sort by id, kind, title, status, owner, opened, or a field",
    );
    // A field of another kind only.
    refused(
        &["--kind", "complaint", "--sort", "confirmation.at"],
        "no kind `complaint` has it",
    );
    refused(&["--sort", "a..b"], "sort by id, kind, title, status, owner, opened");
    refused(&["--opened-since", "2026-11-31"], "give it as YYYY-MM-DD");
    refused(&["--closed-since", "last week"], "give it as YYYY-MM-DD");
    refused(&["--format", "xml"], "[possible values: table, json, csv]");
}

#[test]
fn list_leaves_out_a_broken_record_and_counts_it() {
    let repo = cases();
    repo.write("records/request/REQ-2026-0009.md", "---\nid: [unclosed\n---\n");
    let run = list(&repo, &["--format", "json"]);
    run.assert_code(OK);
    let doc = run.json();
    assert_eq!(doc["skipped"], 1);
    assert_eq!(doc["count"], 7);
    assert!(
        run.stderr
            .contains("casework: warning: left out records/request/REQ-2026-0009.md:3:1: invalid YAML"),
        "{}",
        run.stderr
    );
    let run = list(&repo, &[]);
    assert!(
        run.stdout.ends_with("\n7 cases (1 record left out)\n"),
        "{}",
        run.stdout
    );
}
