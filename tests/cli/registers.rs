//! The records team's registers: `archive` (closed cases per policy),
//! `retention` (archived records past `retain_until`) and `dispose` (a
//! record removed, a line in the disposal register), each on a real
//! repository with real commits, judged afterwards by `check --since`.

use crate::support::*;

/// In the `records` role of the default casework.toml.
pub const ARCHIVIST: &str = "archive@example.com";
/// In no role.
pub const HANDLER: &str = "h.handler@example.com";

pub fn cmp_path(n: u32) -> String {
    format!("records/complaint/CMP-2026-{n:04}.md")
}

/// A complaint closed at `closed_at`, with every field `closed` needs, and `extra`.
pub fn closed_complaint(n: u32, closed_at: &str, extra: &str) -> String {
    complaint(n, "closed", closed_at, extra)
}

/// An archived complaint kept until `retain_until`.
pub fn archived_complaint(n: u32, retain_until: &str) -> String {
    complaint(
        n,
        "archived",
        "2024-10-01T10:00:00Z",
        &format!("archive:\n  archived_at: 2024-11-15T09:00:00Z\n  retain_until: {retain_until}\n"),
    )
}

fn complaint(n: u32, status: &str, closed_at: &str, extra: &str) -> String {
    format!(
        "---\nid: CMP-2026-{n:04}\nkind: complaint\ntitle: Secret complaint title {n}\nstatus: {status}\nopened: 2026-01-05T09:14:00Z\n\
         corrective_actions:\n  - action: Changed courier\n    done: true\n\
         closure:\n  closed_at: {closed_at}\n  closed_by: j.smith@example.com\n  communicated_via: email\n{extra}---\n\
         ## Summary\n\nThe customer's confidential story {n}.\n"
    )
}

/// A repository whose history holds `files` committed by the archivist.
pub fn repo_with(files: &[(String, String)]) -> Repo {
    let repo = Repo::with_history();
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit(by(ARCHIVIST, "2026-11-02T09:00:00Z"), "Records");
    repo
}

// --- archive ------------------------------------------------------------------------------------

/// CMP 1 closed on 1 October (37 business days before NOW: due), CMP 2 on 20 November (not due).
fn closed_pair() -> Repo {
    repo_with(&[
        (cmp_path(1), closed_complaint(1, "2026-10-01T10:00:00Z", "")),
        (cmp_path(2), closed_complaint(2, "2026-11-20T10:00:00Z", "")),
    ])
}

#[test]
fn archive_dry_run_prints_the_plan_and_changes_no_byte() {
    let repo = closed_pair();
    let before = snapshot(&repo.root);
    let run = run_as(&repo, ARCHIVIST, &["archive", "--dry-run"]);
    run.assert_code(OK);
    assert!(
        run.stdout.contains("CMP-2026-0001: closed -> archived"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("kept until 2028-10-01"), "{}", run.stdout);
    assert!(!run.stdout.contains("CMP-2026-0002"), "{}", run.stdout);
    assert!(run.stdout.contains("dry run"), "{}", run.stdout);
    assert_same_files(&snapshot(&repo.root), &before, "archive --dry-run");
}

#[test]
fn archive_commit_sets_the_archive_fields_in_one_commit_check_since_accepts() {
    let repo = closed_pair();
    let head = repo.sha("HEAD");
    let run = run_as(&repo, ARCHIVIST, &["archive", "--commit"]);
    run.assert_code(OK);
    let text = repo.read(&cmp_path(1));
    let data = front_matter(&text);
    assert_eq!(data["status"], "archived");
    assert_eq!(data["archive"]["archived_at"], NOW);
    assert_eq!(data["archive"]["retain_until"], "2028-10-01");
    // Only the lines it had to change.
    let old = closed_complaint(1, "2026-10-01T10:00:00Z", "");
    let diff = repo.git(&["diff", "--numstat", &head, "HEAD"]);
    assert_eq!(diff.trim(), format!("4\t1\t{}", cmp_path(1)), "{diff}");
    assert!(text.ends_with(old.split("---\n").nth(2).unwrap()));
    assert_eq!(front_matter(&repo.read(&cmp_path(2)))["status"], "closed");
    assert_eq!(repo.git(&["rev-list", "--count", &format!("{head}..HEAD")]).trim(), "1");
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert!(message.starts_with("casework archive: 1 case\n"), "{message}");
    assert!(message.contains("CMP-2026-0001: closed -> archived"), "{message}");
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "clean, no lock file left");
    let check = repo.check_json(&["--since", &head]);
    check.assert_code(OK);
    assert_eq!(check.json()["summary"]["errors"], 0, "{}", check.stdout);
    assert_eq!(check.json()["summary"]["commits"], 1);
}

#[test]
fn archive_by_someone_outside_the_records_role_is_refused_naming_the_role_and_its_addresses() {
    let repo = closed_pair();
    let before = snapshot(&repo.root);
    for args in [&["archive", "--commit"][..], &["archive"], &["archive", "--dry-run"]] {
        let run = run_as(&repo, HANDLER, args);
        run.assert_code(FINDINGS);
        assert!(run.stderr.contains("`records` role"), "{}", run.stderr);
        assert!(run.stderr.contains("archive@example.com"), "{}", run.stderr);
        assert!(run.stderr.contains(HANDLER), "{}", run.stderr);
    }
    assert_same_files(&snapshot(&repo.root), &before, "refused archive");
}

#[test]
fn archive_after_days_zero_turns_a_kinds_archiving_off() {
    let repo = closed_pair();
    repo.edit_config(
        "retention_from = \"closure.closed_at\"\n",
        "retention_from = \"closure.closed_at\"\narchive_after_days = 0\n",
    );
    let run = run_as(&repo, ARCHIVIST, &["archive", "--kind", "complaint"]);
    run.assert_code(OK);
    assert!(run.stdout.contains("off"), "{}", run.stdout);
    let run = run_as(&repo, ARCHIVIST, &["archive"]);
    run.assert_code(OK);
    assert!(run.stdout.contains("nothing to do"), "{}", run.stdout);
    assert_eq!(front_matter(&repo.read(&cmp_path(1)))["status"], "closed");
    // A longer period than the default: CMP 1 is due after 37 business days, not after 40.
    repo.edit_config("archive_after_days = 0", "archive_after_days = 40");
    let run = run_as(&repo, ARCHIVIST, &["archive", "--dry-run"]);
    assert!(run.stdout.contains("nothing to do"), "{}", run.stdout);
    repo.edit_config("archive_after_days = 40", "archive_after_days = 37");
    let run = run_as(&repo, ARCHIVIST, &["archive", "--dry-run"]);
    assert!(run.stdout.contains("CMP-2026-0001"), "{}", run.stdout);
}

#[test]
fn archive_after_days_that_cannot_be_honoured_is_a_positioned_config_error() {
    let repo = Repo::new();
    repo.edit_config(
        "retention_from = \"closure.closed_at\"\n",
        "retention_from = \"closure.closed_at\"\narchive_after_days = 20000\n",
    );
    let run = repo.run(&["archive", "--dry-run"]);
    run.assert_code(USAGE);
    let (line, _) = pos_of(&repo.read("casework.toml"), "archive_after_days = 20000");
    assert!(
        run.stderr.starts_with(&format!("casework.toml:{line}:22: ")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("at most 10000"), "{}", run.stderr);
    let run = repo.run(&["archive", "--dry-run", "--kind", "complaint"]);
    run.assert_code(USAGE);
}

#[test]
fn a_closed_record_without_its_closure_field_is_archived_from_the_commit_that_closed_it() {
    // Feedback's `completed` needs `resolution`, not `completed_at`.
    let repo = Repo::with_history();
    let text = "---\nid: FF-2026-001\nkind: feedback\ntitle: Delivery dates\nstatus: completed\nopened: 2026-09-01T09:14:00Z\n\
                date: 2026-09-01\nstakeholder: Client A\nsummary: Asked for dates.\nassigned_to: John Smith\ndue: 2026-09-20\n\
                resolution: Sent the schedule.\n---\nBody.\n";
    repo.write_commit(
        by(ARCHIVIST, "2026-10-01T09:00:00Z"),
        "records/feedback/FF-2026-001.md",
        text,
        "Completed",
    );
    let run = run_as(&repo, ARCHIVIST, &["archive", "--dry-run"]);
    run.assert_code(OK);
    assert!(
        run.stdout.contains("FF-2026-001: completed -> archived") && run.stdout.contains("closed 2026-10-01"),
        "{}",
        run.stdout
    );
    // Committed a day ago, it is not due.
    let repo = Repo::with_history();
    repo.write_commit(
        by(ARCHIVIST, "2026-11-20T09:00:00Z"),
        "records/feedback/FF-2026-001.md",
        text,
        "Completed",
    );
    let run = run_as(&repo, ARCHIVIST, &["archive", "--dry-run"]);
    assert!(run.stdout.contains("nothing to do"), "{}", run.stdout);
}

// --- retention ----------------------------------------------------------------------------------

/// Archived complaints kept until: 1 Nov (expired), today (disposable
/// tomorrow), 20 Dec, and mid-2027.
fn archived_four() -> Repo {
    repo_with(&[
        (cmp_path(1), archived_complaint(1, "2026-11-01")),
        (cmp_path(2), archived_complaint(2, "2026-11-23")),
        (cmp_path(3), archived_complaint(3, "2026-12-20")),
        (cmp_path(4), archived_complaint(4, "2027-06-01")),
        (cmp_path(5), closed_complaint(5, "2026-11-20T10:00:00Z", "")),
    ])
}

#[test]
fn retention_lists_archived_records_past_retain_until() {
    let repo = archived_four();
    let run = repo.run(&["retention"]);
    run.assert_code(OK);
    assert!(run.stdout.contains("CMP-2026-0001"), "{}", run.stdout);
    for other in ["CMP-2026-0002", "CMP-2026-0003", "CMP-2026-0004", "CMP-2026-0005"] {
        assert!(!run.stdout.contains(other), "{other}: {}", run.stdout);
    }
    assert!(run.stdout.contains("1 past retention"), "{}", run.stdout);
}

#[test]
fn retention_within_days_adds_those_reaching_it_soon() {
    let repo = archived_four();
    let doc = repo.run(&["retention", "--within", "30", "--format", "json"]).json();
    let items = doc["items"].as_array().unwrap();
    let got: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("CMP-2026-0001", "expired"),
            ("CMP-2026-0002", "due_soon"),
            ("CMP-2026-0003", "due_soon"),
        ]
    );
    assert_eq!(items[0]["retain_until"], "2026-11-01");
    assert_eq!(items[0]["disposable_from"], "2026-11-02");
    assert_eq!(items[0]["archived"], "2024-11-15T09:00:00Z");
    assert_eq!(items[0]["closed"], "2024-10-01T10:00:00Z");
    assert_eq!(doc["today"], "2026-11-23");
    assert_eq!(doc["within"], 30);
    // One day ahead: only the record kept through today.
    let doc = repo.run(&["retention", "--within", "1", "--format", "json"]).json();
    assert_eq!(doc["items"].as_array().unwrap().len(), 2, "{doc}");
}

#[test]
fn retention_formats_table_json_and_csv() {
    let repo = archived_four();
    let csv = repo.run(&["retention", "--within", "30", "--format", "csv"]);
    csv.assert_code(OK);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "state,id,title,closed,archived,retain_until,disposable_from,kind"
    );
    assert_eq!(
        lines[1],
        "expired,CMP-2026-0001,Secret complaint title 1,2024-10-01,2024-11-15,2026-11-01,2026-11-02,complaint"
    );
    assert_eq!(lines.len(), 4, "{}", csv.stdout);
    let table = repo.run(&["retention", "--within", "30"]);
    assert!(table.stdout.contains("disposable from"), "{}", table.stdout);
    assert!(
        table.stdout.contains("1 past retention, 2 reaching it within 30 days"),
        "{}",
        table.stdout
    );
    let empty = repo_with(&[(cmp_path(4), archived_complaint(4, "2027-06-01"))]);
    let run = empty.run(&["retention"]);
    assert_eq!(run.stdout, "no archived record is past its retention\n");
    assert_eq!(
        empty.run(&["retention", "--format", "json"]).json()["items"],
        serde_json::json!([])
    );
}

// --- dispose ------------------------------------------------------------------------------------

const REASON: &str = "Retention period over, 2 years after closure";

#[test]
fn dispose_appends_the_register_row_removes_the_content_and_check_since_accepts_it() {
    let repo = archived_four();
    let base = repo.sha("HEAD");
    let run = run_as(
        &repo,
        ARCHIVIST,
        &["dispose", "CMP-2026-0001", "--reason", REASON, "--commit"],
    );
    run.assert_code(OK);
    assert!(!repo.path(&cmp_path(1)).exists());
    let register = repo.read("disposals.csv");
    assert_eq!(
        register,
        format!(
            "id,kind,opened,closed,archived,disposed_at,reason,by\n\
             CMP-2026-0001,complaint,2026-01-05T09:14:00Z,2024-10-01T10:00:00Z,2024-11-15T09:00:00Z,{NOW},\"{REASON}\",{ARCHIVIST}\n"
        )
    );
    // Nothing of the case's content or other fields.
    for secret in ["Secret complaint title", "confidential", "courier", "j.smith"] {
        assert!(!register.contains(secret), "{secret}");
    }
    let changed = repo.git(&["show", "--name-status", "--format=%s", "HEAD"]);
    assert_eq!(
        changed,
        format!(
            "CMP-2026-0001: disposed of ({REASON})\n\nA\tdisposals.csv\nD\t{}\n",
            cmp_path(1)
        )
    );
    let check = repo.check_json(&["--since", &base]);
    check.assert_code(OK);
    assert_eq!(check.json()["summary"]["commits"], 1);
    // A second disposal appends, leaving the first line as it was.
    let run = run_as(&repo, ARCHIVIST, &["dispose", "CMP-2026-0002", "--reason", REASON]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("kept until 2026-11-23"), "{}", run.stderr);
}

#[test]
fn dispose_without_commit_leaves_a_working_tree_that_check_accepts() {
    let repo = archived_four();
    let base = repo.sha("HEAD");
    run_as(&repo, ARCHIVIST, &["dispose", "CMP-2026-0001", "--reason", "expired"]).assert_code(OK);
    assert!(!repo.path(&cmp_path(1)).exists());
    // The working tree's removal is judged against HEAD as the acting user.
    let check = Run::of(repo.cmd_as(ARCHIVIST).args(["check", "--format", "json"]));
    check.assert_code(OK);
    // Committed by hand, in one commit: accepted too.
    repo.commit(by(ARCHIVIST, NOW), "Dispose of CMP-2026-0001");
    repo.check_json(&["--since", &base]).assert_code(OK);
}

#[test]
fn a_dispose_of_a_record_within_retention_is_refused_with_the_date() {
    let repo = archived_four();
    let before = snapshot(&repo.root);
    let run = run_as(
        &repo,
        ARCHIVIST,
        &["dispose", "CMP-2026-0004", "--reason", REASON, "--commit"],
    );
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("kept until 2027-06-01") && run.stderr.contains("from 2027-06-02"),
        "{}",
        run.stderr
    );
    assert_same_files(&snapshot(&repo.root), &before, "refused dispose");
}

#[test]
fn a_dispose_of_a_record_that_is_not_archived_is_refused() {
    let repo = archived_four();
    let before = snapshot(&repo.root);
    let run = run_as(&repo, ARCHIVIST, &["dispose", "CMP-2026-0005", "--reason", REASON]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("CMP-2026-0005 is `closed`, not `archived`"),
        "{}",
        run.stderr
    );
    let run = run_as(&repo, ARCHIVIST, &["dispose", "CMP-2026-0099", "--reason", REASON]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("no record has the ID CMP-2026-0099"),
        "{}",
        run.stderr
    );
    assert_same_files(&snapshot(&repo.root), &before, "refused dispose");
}

#[test]
fn a_dispose_by_someone_outside_the_records_role_is_refused() {
    let repo = archived_four();
    let before = snapshot(&repo.root);
    let run = run_as(&repo, HANDLER, &["dispose", "CMP-2026-0001", "--reason", REASON]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("`records` role") && run.stderr.contains("archive@example.com"),
        "{}",
        run.stderr
    );
    assert_same_files(&snapshot(&repo.root), &before, "refused dispose");
}

#[test]
fn a_dispose_reason_that_is_no_single_line_of_text_is_refused() {
    let repo = archived_four();
    let before = snapshot(&repo.root);
    for reason in ["=HYPERLINK(\"http://x\")", "two\nlines", "  "] {
        let run = run_as(&repo, ARCHIVIST, &["dispose", "CMP-2026-0001", "--reason", reason]);
        run.assert_code(FINDINGS);
        assert!(run.stderr.contains("reason"), "{reason:?}: {}", run.stderr);
    }
    assert_same_files(&snapshot(&repo.root), &before, "refused dispose");
}

#[test]
fn a_disposal_by_hand_outside_the_records_role_is_a_history_finding() {
    let repo = archived_four();
    let base = repo.sha("HEAD");
    let header = "id,kind,opened,closed,archived,disposed_at,reason,by\n";
    repo.remove(&cmp_path(1));
    repo.write(
        "disposals.csv",
        format!("{header}CMP-2026-0001,complaint,,,,2026-11-20T09:00:00Z,gone,{HANDLER}\n"),
    );
    let by_handler = repo.commit(by(HANDLER, "2026-11-20T09:00:00Z"), "Dispose of 1");
    // By the records role, even before archiving (a record opened in error): accepted.
    repo.remove(&cmp_path(5));
    let mut register = repo.read("disposals.csv");
    register.push_str(&format!(
        "CMP-2026-0005,complaint,,,,2026-11-20T10:00:00Z,opened in error,{ARCHIVIST}\n"
    ));
    repo.write("disposals.csv", register);
    repo.commit(by(ARCHIVIST, "2026-11-20T10:00:00Z"), "Dispose of 5");
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.history_errors(),
        [found("role", &cmp_path(1), None, &by_handler, HANDLER)]
    );
}

/// The README's erasure recipe: the disposed content is still in git
/// history until it is purged, and `casework check` passes afterwards.
#[test]
#[allow(clippy::print_stderr)]
fn purging_a_disposed_record_from_history_leaves_a_repository_that_checks_clean() {
    let probe = std::process::Command::new("git")
        .args(["filter-repo", "--version"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: git filter-repo is not installed (pip install git-filter-repo)");
        return;
    }
    let repo = archived_four();
    run_as(
        &repo,
        ARCHIVIST,
        &["dispose", "CMP-2026-0001", "--reason", REASON, "--commit"],
    )
    .assert_code(OK);
    let history = |repo: &Repo| repo.git(&["log", "--all", "--format=%H", "--", &cmp_path(1)]);
    assert!(
        !history(&repo).trim().is_empty(),
        "git history still holds the disposed file"
    );
    repo.git(&["filter-repo", "--invert-paths", "--path", &cmp_path(1), "--force"]);
    assert_eq!(history(&repo).trim(), "", "purged");
    let all = repo.git(&["log", "--all", "-p"]);
    assert!(!all.contains("confidential story 1"), "no trace of the content");
    repo.check_json(&[]).assert_code(OK);
    repo.check_json(&["--since", "HEAD~1"]).assert_code(OK);
    assert!(repo.read("disposals.csv").contains("CMP-2026-0001,complaint"));
}
