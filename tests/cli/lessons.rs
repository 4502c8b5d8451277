//! `casework lessons`: the lessons-learned register across every case.

use crate::support::*;
use serde_json::json;

const AT: &str = "2026-11-25T12:00:00Z";

/// A complaint closed at `closed_at` with `extra` lines.
fn complaint(id: &str, closed_at: &str, extra: &str) -> String {
    record(
        id,
        "complaint",
        "closed",
        &format!(
            "owner: ann@example.com\n{CUSTOMER}corrective_actions:\n  - action: Refund sent\n    done: true\nclosure:\n  closed_at: {closed_at}\n  closed_by: ann@example.com\n  communicated_via: email\n{extra}"
        ),
    )
    .replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-01-05T09:00:00Z")
}

/// Two closed complaints with lessons (dated by their closure), one
/// without; a feedback item whose lesson carries its own date; an open
/// complaint whose lesson is dated by its opening.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "records/complaint/CMP-2026-0001.md",
        complaint(
            "CMP-2026-0001",
            "2026-03-03T10:00:00Z",
            "category: billing\nlessons:\n  - Call the customer back the same day\n  - Check the invoice | twice before refunding\n",
        ),
    );
    repo.write(
        "records/complaint/CMP-2026-0002.md",
        complaint(
            "CMP-2026-0002",
            "2026-05-10T10:00:00Z",
            "lessons:\n  - Keep the customer told of delays\n",
        ),
    );
    repo.write(
        "records/complaint/CMP-2026-0003.md",
        complaint("CMP-2026-0003", "2026-05-11T10:00:00Z", ""),
    );
    repo.write(
        "records/feedback/FF-2026-001.md",
        record(
            "FF-2026-001",
            "feedback",
            "pending",
            "date: 2026-11-02\nstakeholder: Shop team\nsummary: Wants a report.\nassigned_to: ann@example.com\ndue: 2026-12-20\ncategory: reporting\nlessons:\n  - lesson: Write the follow-up date down\n    at: 2026-11-10\n",
        ),
    );
    repo.write(
        "records/complaint/CMP-2026-0004.md",
        record(
            "CMP-2026-0004",
            "complaint",
            "received",
            &format!("{CUSTOMER}lessons:\n  - Ask for the order number first\n"),
        ),
    );
    repo
}

fn lessons(repo: &Repo, args: &[&str]) -> Run {
    Run::of(repo.cmd().arg("lessons").args(args).env("CASEWORK_NOW", AT))
}

/// (id, lesson) of each row of a JSON run, in order.
fn rows(run: &Run) -> Vec<(String, String)> {
    run.assert_code(OK);
    run.json()["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .map(|r| (r["id"].as_str().unwrap().into(), r["lesson"].as_str().unwrap().into()))
        .collect()
}

fn row(id: &str, lesson: &str) -> (String, String) {
    (id.into(), lesson.into())
}

#[test]
fn lessons_lists_every_lesson_newest_first_with_each_column() {
    let repo = repo();
    let run = lessons(&repo, &["--format", "json"]);
    run.assert_code(OK);
    assert_eq!(
        run.json(),
        json!({
            "lessons": [
                {"lesson": "Write the follow-up date down", "id": "FF-2026-001", "kind": "feedback",
                 "category": "reporting", "recorded": "2026-11-10T00:00:00Z"},
                {"lesson": "Ask for the order number first", "id": "CMP-2026-0004", "kind": "complaint",
                 "category": null, "recorded": "2026-11-02T09:14:00Z"},
                {"lesson": "Keep the customer told of delays", "id": "CMP-2026-0002", "kind": "complaint",
                 "category": null, "recorded": "2026-05-10T10:00:00Z"},
                {"lesson": "Call the customer back the same day", "id": "CMP-2026-0001", "kind": "complaint",
                 "category": "billing", "recorded": "2026-03-03T10:00:00Z"},
                {"lesson": "Check the invoice | twice before refunding", "id": "CMP-2026-0001", "kind": "complaint",
                 "category": "billing", "recorded": "2026-03-03T10:00:00Z"},
            ],
            "skipped": 0,
        })
    );
}

#[test]
fn lessons_filters_by_kind_since_and_text() {
    let repo = repo();
    assert_eq!(
        rows(&lessons(&repo, &["--kind", "feedback", "--format", "json"])),
        [row("FF-2026-001", "Write the follow-up date down")]
    );
    assert_eq!(
        rows(&lessons(
            &repo,
            &["--since", "2026-05-10", "--kind", "complaint", "--format", "json"]
        )),
        [
            row("CMP-2026-0004", "Ask for the order number first"),
            row("CMP-2026-0002", "Keep the customer told of delays"),
        ]
    );
    assert_eq!(
        rows(&lessons(&repo, &["--grep", "INVOICE", "--format", "json"])),
        [row("CMP-2026-0001", "Check the invoice | twice before refunding")]
    );
    assert_eq!(
        rows(&lessons(
            &repo,
            &["--grep", "customer", "--since", "2026-04-01", "--format", "json"]
        )),
        [row("CMP-2026-0002", "Keep the customer told of delays")]
    );
}

#[test]
fn lessons_table_fits_80_columns_and_says_how_many() {
    let repo = repo();
    repo.write(
        "records/complaint/CMP-2026-0005.md",
        complaint(
            "CMP-2026-0005",
            "2026-02-01T10:00:00Z",
            "category: delivery and installation\nlessons:\n  - A lesson long enough that it has to wrap inside its own column of the table, because it goes on and on\n",
        ),
    );
    let run = Run::of(
        repo.cmd()
            .args(["lessons"])
            .env("CASEWORK_NOW", AT)
            .env_remove("COLUMNS"),
    );
    run.assert_code(OK);
    let out = &run.stdout;
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    assert!(out.lines().next().unwrap().starts_with("recorded"), "{out}");
    assert!(out.contains("2026-11-10  FF-2026-001"), "{out}");
    assert!(out.contains("on and on"), "{out}");
    assert!(out.ends_with("6 lessons from 5 cases\n"), "{out}");
    let none = lessons(&repo, &["--grep", "nothing like this"]);
    assert_eq!(none.stdout, "no lessons recorded containing \"nothing like this\"\n");
}

#[test]
fn lessons_csv_and_markdown_have_every_column() {
    let repo = repo();
    let csv = lessons(
        &repo,
        &["--format", "csv", "--kind", "complaint", "--since", "2026-03-01"],
    );
    csv.assert_code(OK);
    assert_eq!(
        csv.stdout,
        "recorded,id,kind,category,lesson\n\
         2026-11-02T09:14:00Z,CMP-2026-0004,complaint,,Ask for the order number first\n\
         2026-05-10T10:00:00Z,CMP-2026-0002,complaint,,Keep the customer told of delays\n\
         2026-03-03T10:00:00Z,CMP-2026-0001,complaint,billing,Call the customer back the same day\n\
         2026-03-03T10:00:00Z,CMP-2026-0001,complaint,billing,Check the invoice | twice before refunding\n"
    );
    let md = lessons(&repo, &["--format", "md", "--grep", "invoice"]);
    md.assert_code(OK);
    assert_eq!(
        md.stdout,
        "| Recorded | Case | Kind | Category | Lesson |\n|---|---|---|---|---|\n\
         | 2026-03-03 | CMP-2026-0001 | complaint | billing | Check the invoice \\| twice before refunding |\n"
    );
}

#[test]
fn lessons_refuses_a_bad_date_and_an_unknown_kind_and_counts_what_it_left_out() {
    let repo = repo();
    let bad = lessons(&repo, &["--since", "2026-13-01"]);
    bad.assert_code(USAGE);
    assert!(
        bad.stderr.contains("--since 2026-13-01: expected a date as YYYY-MM-DD"),
        "{}",
        bad.stderr
    );
    let kind = lessons(&repo, &["--kind", "complain"]);
    kind.assert_code(USAGE);
    assert!(
        kind.stderr.contains("unknown kind `complain` (kinds: "),
        "{}",
        kind.stderr
    );
    repo.write("records/complaint/CMP-2026-0009.md", "---\nid: [\n---\n");
    let run = lessons(&repo, &["--format", "json"]);
    assert_eq!(rows(&run).len(), 5);
    assert_eq!(run.json()["skipped"], 1);
    let table = lessons(&repo, &[]);
    assert!(
        table
            .stdout
            .ends_with("5 lessons from 4 cases; 1 record file left out\n"),
        "{}",
        table.stdout
    );
}
