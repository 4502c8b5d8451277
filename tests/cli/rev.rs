//! `--rev REV` on every query: the records as a commit held them, read
//! from git whatever the working tree holds now.

use crate::support::*;

const ME: &str = "h.handler@example.com";

/// REQ-2026-0001 logged in one commit, closed (with a lesson-bearing
/// incident added) in the next; the working tree then edited.
fn two_commits() -> (Repo, String) {
    let repo = Repo::with_history();
    let req = "records/request/REQ-2026-0001.md";
    let open = record("REQ-2026-0001", "request", "new", CUSTOMER)
        .replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-10-05T09:00:00Z");
    let first = repo.write_commit(by(ME, "2026-10-05T10:00:00Z"), req, &open, "Log");
    let closed = open.replace("status: new", "status: closed").replace(
        "---\n## Summary",
        "acknowledged_at: 2026-10-05T11:00:00Z\nexpected_resolution: 2026-10-09\n\
         resolution:\n  summary: Sent.\n  notified_at: 2026-10-06T10:00:00Z\n\
         confirmation:\n  outcome: confirmed\n  at: 2026-10-07T10:00:00Z\n---\n## Summary",
    );
    repo.write(req, &closed);
    repo.write(
        "records/incident/INC-2026-0001.md",
        record(
            "INC-2026-0001",
            "incident",
            "open",
            "lessons:\n  - Check the relay quota monthly.\n",
        ),
    );
    repo.commit(by(ME, "2026-10-08T10:00:00Z"), "Close and log an incident");
    repo.write(req, open.replace("A case for the tests", "Edited, not committed"));
    (repo, first)
}

fn json(repo: &Repo, args: &[&str]) -> serde_json::Value {
    let run = Run::of(repo.cmd().args(args).args(["--format", "json"]));
    run.assert_code(OK);
    run.json()
}

#[test]
fn list_report_and_lessons_read_the_commit_not_the_working_tree() {
    let (repo, first) = two_commits();
    // list: the title and state the commit held.
    let at_first = json(&repo, &["list", "--rev", &first]);
    assert_eq!(at_first["count"], 1);
    assert_eq!(at_first["records"][0]["status"], "new");
    assert_eq!(at_first["records"][0]["title"], "A case for the tests");
    let at_head = json(&repo, &["list", "--rev", "HEAD"]);
    assert_eq!(at_head["count"], 2);
    let req = at_head["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "REQ-2026-0001")
        .unwrap()
        .clone();
    assert_eq!(req["status"], "closed");
    // The working tree is another story.
    assert_eq!(
        json(&repo, &["list", "--kind", "request"])["records"][0]["title"],
        "Edited, not committed"
    );

    // report: October closed one request at HEAD, none at the first commit.
    let closed =
        |rev: &str| json(&repo, &["report", "--period", "2026-10", "--rev", rev])["kinds"]["request"]["closed"].clone();
    assert_eq!(closed("HEAD"), 1);
    assert_eq!(closed(&first), 0);

    // lessons: the incident's lesson exists only at HEAD.
    assert_eq!(
        json(&repo, &["lessons", "--rev", "HEAD"])["lessons"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        json(&repo, &["lessons", "--rev", &first])["lessons"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // sample: the October closure is drawn as of HEAD.
    let s = json(
        &repo,
        &[
            "sample", "request", "--period", "2026-10", "--size", "1", "--rev", "HEAD",
        ],
    );
    assert!(s.to_string().contains("REQ-2026-0001"), "{s}");

    for cmd in ["list", "report", "lessons"] {
        let run = repo.run(&[cmd, "--rev", "nowhere"]);
        run.assert_code(USAGE);
        assert!(
            run.stderr.contains("unknown revision `nowhere`"),
            "{cmd}: {}",
            run.stderr
        );
    }
}
