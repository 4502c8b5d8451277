//! `casework sweep`: each automatic step of the default workflows as a
//! validated transition, idempotence, one commit that `check --since`
//! accepts, and the run lock (a second sweep refuses; a stale lock is
//! taken over; a failed commit leaves nothing half-written).

use crate::registers::{ARCHIVIST, HANDLER, closed_complaint, cmp_path, repo_with};
use crate::support::*;

const REQ_1: &str = "records/request/REQ-2026-0001.md";
const REQ_2: &str = "records/request/REQ-2026-0002.md";
const REQ_3: &str = "records/request/REQ-2026-0003.md";
const ORD_1: &str = "records/order/ORD-2026-0001.md";
const ORD_2: &str = "records/order/ORD-2026-0002.md";
const FF_1: &str = "records/feedback/FF-2026-001.md";
const FF_2: &str = "records/feedback/FF-2026-002.md";

/// A request resolved (the customer told) at `notified`, with `extra`.
fn resolved_request(n: u32, notified: &str, extra: &str) -> String {
    record(
        &format!("REQ-2026-{n:04}"),
        "request",
        "resolved",
        &format!(
            "{CUSTOMER}acknowledged_at: 2026-11-02T10:00:00Z\nexpected_resolution: 2026-11-20\n\
             resolution:\n  summary: Sent the invoice copy.\n  notified_at: {notified}\n{extra}"
        ),
    )
}

/// An order whose feedback was requested at `requested`.
fn order_waiting(n: u32, requested: &str, extra: &str) -> String {
    record(
        &format!("ORD-2026-{n:04}"),
        "order",
        "feedback_requested",
        &format!(
            "customer:\n  name: Ada Lovelace\n  contact: ada@example.org\ndelivered_at: 2026-11-02T09:00:00Z\n\
             feedback_requested_at: {requested}\n{extra}"
        ),
    )
}

/// A feedback item in progress, due on `due`.
fn feedback(n: u32, due: &str) -> String {
    record(
        &format!("FF-2026-{n:03}"),
        "feedback",
        "in_progress",
        &format!(
            "date: 2026-11-02\nstakeholder: Client A\nsummary: Asked for delivery dates.\nassigned_to: John Smith\ndue: {due}\n"
        ),
    )
}

/// One case due for each automatic step, and one beside each that is not.
fn due_everywhere() -> Repo {
    repo_with(&[
        // 13 Nov + 5 business days = 20 Nov: due at NOW (23 Nov).
        (REQ_1.into(), resolved_request(1, "2026-11-13T10:00:00Z", "")),
        // 19 Nov: not yet.
        (REQ_2.into(), resolved_request(2, "2026-11-19T10:00:00Z", "")),
        // The customer confirmed: a person closes it.
        (
            REQ_3.into(),
            resolved_request(3, "2026-11-13T10:00:00Z", "confirmation:\n  outcome: confirmed\n"),
        ),
        (ORD_1.into(), order_waiting(1, "2026-11-03T09:00:00Z", "")),
        (ORD_2.into(), order_waiting(2, "2026-11-20T09:00:00Z", "")),
        (cmp_path(1), closed_complaint(1, "2026-10-01T10:00:00Z", "")),
        (cmp_path(2), closed_complaint(2, "2026-11-20T10:00:00Z", "")),
        (FF_1.into(), feedback(1, "2026-11-16")),
        (FF_2.into(), feedback(2, "2026-11-30")),
    ])
}

fn status(repo: &Repo, path: &str) -> String {
    front_matter(&repo.read(path))["status"].as_str().unwrap().to_string()
}

#[test]
fn sweep_closes_a_request_the_customer_never_confirmed_once_the_non_response_period_is_over() {
    let repo = due_everywhere();
    let run = run_as(&repo, ARCHIVIST, &["sweep"]);
    run.assert_code(OK);
    let data = front_matter(&repo.read(REQ_1));
    assert_eq!(data["status"], "closed");
    assert_eq!(data["confirmation"]["outcome"], "no_response");
    assert_eq!(data["confirmation"]["at"], NOW);
    assert_eq!(status(&repo, REQ_2), "resolved");
    assert_eq!(status(&repo, REQ_3), "resolved");
    assert!(
        run.stdout.contains("REQ-2026-0001: resolved -> closed (no answer in 5 business days since `resolution.notified_at`, 2026-11-13)"),
        "{}",
        run.stdout
    );
}

#[test]
fn sweep_closes_an_order_whose_customer_gave_no_feedback_within_the_period() {
    let repo = due_everywhere();
    run_as(&repo, ARCHIVIST, &["sweep"]).assert_code(OK);
    let data = front_matter(&repo.read(ORD_1));
    assert_eq!(data["status"], "closed");
    assert_eq!(data["closed_at"], NOW);
    assert_eq!(status(&repo, ORD_2), "feedback_requested");
}

#[test]
fn sweep_archives_closed_cases_per_policy() {
    let repo = due_everywhere();
    run_as(&repo, ARCHIVIST, &["sweep"]).assert_code(OK);
    let data = front_matter(&repo.read(&cmp_path(1)));
    assert_eq!(data["status"], "archived");
    assert_eq!(data["archive"]["retain_until"], "2028-10-01");
    assert_eq!(status(&repo, &cmp_path(2)), "closed");
    // Closed by this sweep: archived only archive_after_days later.
    assert_eq!(status(&repo, REQ_1), "closed");
}

#[test]
fn sweep_records_escalated_to_on_an_overdue_feedback_item() {
    let repo = due_everywhere();
    let run = run_as(&repo, ARCHIVIST, &["sweep"]);
    let data = front_matter(&repo.read(FF_1));
    assert_eq!(data["escalated_to"], "m.jones@example.com", "{}", run.stdout);
    assert_eq!(data["escalated_at"], NOW);
    assert_eq!(data["status"], "in_progress");
    assert!(front_matter(&repo.read(FF_2)).get("escalated_to").is_none());
    // The escalation warning is gone.
    let check = repo.check_json(&[]);
    assert!(
        check.diagnostics_with("sla").iter().all(|d| d["file"] != FF_1),
        "{}",
        check.stdout
    );
}

#[test]
fn the_escalation_target_comes_from_the_kinds_escalate_to() {
    let repo = due_everywhere();
    repo.edit_config(
        "escalate_to = \"m.jones@example.com\"",
        "escalate_to = \"Head of Customer Care\"",
    );
    run_as(&repo, ARCHIVIST, &["sweep"]).assert_code(OK);
    assert_eq!(front_matter(&repo.read(FF_1))["escalated_to"], "Head of Customer Care");
    // Without escalate_to, escalation is left to people.
    let repo = due_everywhere();
    repo.edit_config("escalate_to = \"m.jones@example.com\"", "");
    run_as(&repo, ARCHIVIST, &["sweep"]).assert_code(OK);
    assert!(front_matter(&repo.read(FF_1)).get("escalated_to").is_none());
}

#[test]
fn sweep_commit_is_one_commit_listing_the_cases_and_check_since_accepts_it() {
    let repo = due_everywhere();
    let head = repo.sha("HEAD");
    let run = run_as(&repo, ARCHIVIST, &["sweep", "--commit"]);
    run.assert_code(OK);
    assert_eq!(repo.git(&["rev-list", "--count", &format!("{head}..HEAD")]).trim(), "1");
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert!(message.starts_with("casework sweep: 4 cases\n\n"), "{message}");
    for id in ["CMP-2026-0001", "FF-2026-001", "ORD-2026-0001", "REQ-2026-0001"] {
        assert!(message.contains(&format!("{id}: ")), "{id}: {message}");
    }
    let files = repo.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files.lines().count(), 4, "{files}");
    assert!(
        run.stdout
            .ends_with("sweep: 2 closed on no response, 1 archived, 1 escalated (committed)\n"),
        "{}",
        run.stdout
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let check = repo.check_json(&["--since", &head]);
    check.assert_code(OK);
    assert_eq!(check.json()["summary"]["errors"], 0, "{}", check.stdout);
}

#[test]
fn a_second_sweep_does_nothing() {
    let repo = due_everywhere();
    run_as(&repo, ARCHIVIST, &["sweep", "--commit"]).assert_code(OK);
    let head = repo.sha("HEAD");
    let before = snapshot(&repo.root);
    let run = run_as(&repo, ARCHIVIST, &["sweep", "--commit"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "sweep: nothing to do\n");
    assert_eq!(repo.sha("HEAD"), head, "no empty commit");
    assert_same_files(&snapshot(&repo.root), &before, "second sweep");
}

#[test]
fn sweep_dry_run_prints_the_plan_and_changes_no_byte() {
    let repo = due_everywhere();
    let before = snapshot(&repo.root);
    let run = run_as(&repo, ARCHIVIST, &["sweep", "--dry-run"]);
    run.assert_code(OK);
    assert_eq!(run.stdout.lines().count(), 5, "{}", run.stdout);
    assert!(run.stdout.contains("(dry run: nothing was written)"), "{}", run.stdout);
    assert_same_files(&snapshot(&repo.root), &before, "sweep --dry-run");
}

#[test]
fn sweep_by_someone_outside_the_records_role_does_all_but_archiving_and_says_so() {
    let repo = due_everywhere();
    let run = run_as(&repo, HANDLER, &["sweep"]);
    run.assert_code(FINDINGS);
    assert_eq!(status(&repo, &cmp_path(1)), "closed");
    assert_eq!(status(&repo, REQ_1), "closed");
    assert!(
        run.stderr.contains("1 complaint case(s) due for archiving")
            && run.stderr.contains("`records` role")
            && run.stderr.contains("archive@example.com"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_due_step_the_workflow_refuses_is_reported_and_exits_1() {
    // Closing needs every reported issue resolved and confirmed.
    let repo = repo_with(&[(
        ORD_1.into(),
        order_waiting(
            1,
            "2026-11-03T09:00:00Z",
            "issues:\n  - summary: Scratched lid\n    reported_at: 2026-11-03T10:00:00Z\n    acknowledged_at: 2026-11-03T11:00:00Z\n",
        ),
    )]);
    let before = snapshot(&repo.root);
    let run = run_as(&repo, ARCHIVIST, &["sweep", "--commit"]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("ORD-2026-0001: refused: "), "{}", run.stderr);
    assert!(run.stdout.contains("1 due but not done"), "{}", run.stdout);
    assert_same_files(&snapshot(&repo.root), &before, "refused step");
}

#[test]
fn a_sweep_refuses_while_another_holds_the_lock_and_writes_nothing() {
    let repo = due_everywhere();
    let lock_path = repo.path(".casework-sweep.lock");
    let holder = std::fs::File::create(&lock_path).unwrap();
    holder.lock().unwrap();
    std::fs::write(&lock_path, "process 4242 on ci-runner, since 2026-11-23T11:59:00Z\n").unwrap();
    let before = snapshot(&repo.root);
    for args in [&["sweep", "--commit"][..], &["archive"]] {
        let run = run_as(&repo, ARCHIVIST, args);
        run.assert_code(USAGE);
        assert!(
            run.stderr.contains("another sweep or archive is running") && run.stderr.contains("process 4242"),
            "{}",
            run.stderr
        );
    }
    assert_same_files(&snapshot(&repo.root), &before, "refused sweep");
    // A dry run takes no lock.
    run_as(&repo, ARCHIVIST, &["sweep", "--dry-run"]).assert_code(OK);
    drop(holder);
    run_as(&repo, ARCHIVIST, &["sweep"]).assert_code(OK);
    assert!(!lock_path.exists(), "the lock file is removed when the run ends");
}

#[test]
fn a_lock_file_left_by_a_killed_sweep_is_taken_over() {
    let repo = due_everywhere();
    repo.write(".casework-sweep.lock", "process 999999, since 2026-11-20T03:00:00Z\n");
    let run = run_as(&repo, ARCHIVIST, &["sweep", "--commit"]);
    run.assert_code(OK);
    assert!(!repo.path(".casework-sweep.lock").exists());
    assert_eq!(status(&repo, REQ_1), "closed");
}

#[test]
fn two_sweeps_started_together_apply_each_step_once() {
    let repo = due_everywhere();
    let head = repo.sha("HEAD");
    let spawn = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_casework"));
        cmd.current_dir(&repo.root)
            .env("HOME", &repo.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("CASEWORK_NOW", NOW)
            .env("GIT_AUTHOR_NAME", "Archivist")
            .env("GIT_AUTHOR_EMAIL", ARCHIVIST)
            .env("GIT_COMMITTER_NAME", "Archivist")
            .env("GIT_COMMITTER_EMAIL", ARCHIVIST)
            .args(["sweep", "--commit"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    // Whichever way they met: one did the work, the other refused or found nothing.
    for o in &outs {
        let code = o.status.code();
        assert!(code == Some(0) || code == Some(2), "{o:?}");
        if code == Some(2) {
            assert!(String::from_utf8_lossy(&o.stderr).contains("another sweep"), "{o:?}");
        }
    }
    assert_eq!(repo.git(&["rev-list", "--count", &format!("{head}..HEAD")]).trim(), "1");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    repo.check_json(&["--since", &head]).assert_code(OK);
}

#[cfg(unix)]
#[test]
fn a_sweep_whose_commit_fails_leaves_the_repository_as_it_was() {
    use std::os::unix::fs::PermissionsExt as _;
    let repo = due_everywhere();
    let hook = repo.path(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\necho rejected >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let work_tree = |repo: &Repo| {
        let mut files = snapshot(&repo.root);
        files.retain(|k, _| !k.starts_with(".git/"));
        files
    };
    let (before, index, head) = (work_tree(&repo), repo.git(&["ls-files", "--stage"]), repo.sha("HEAD"));
    let run = run_as(&repo, ARCHIVIST, &["sweep", "--commit"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("git commit failed"), "{}", run.stderr);
    assert_same_files(&work_tree(&repo), &before, "failed sweep");
    assert_eq!(repo.git(&["ls-files", "--stage"]), index);
    assert_eq!(repo.sha("HEAD"), head);
}
