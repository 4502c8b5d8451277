//! `--commit` as one transaction: when git refuses the commit (here a
//! pre-commit hook that exits 1), the files and their index entries are
//! exactly as before, a change the user had staged included; other staged
//! paths stay staged; a commit that succeeds holds only casework's change.

use crate::support::*;

const ME: &str = "h.handler@example.com";
const REQ: &str = "records/request/REQ-2026-0001.md";
const OTHER: &str = "STAGED.txt";

/// A repository with REQ-2026-0001 committed and another file staged.
fn with_request_and_staged_file() -> Repo {
    let repo = committed_request(ME, "new", "");
    repo.write(OTHER, "staged\n");
    repo.git(&["add", OTHER]);
    repo
}

/// A pre-commit hook that rejects every commit.
fn reject_commits(repo: &Repo) {
    use std::os::unix::fs::PermissionsExt as _;
    let hook = repo.path(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\necho 'rejected by the hook' >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The index: every entry's mode, blob, stage and path.
fn index(repo: &Repo) -> String {
    repo.git(&["ls-files", "--stage"])
}

const TRANSITION: [&str; 6] = [
    "transition",
    "REQ-2026-0001",
    "acknowledged",
    "--set",
    "expected_resolution=2026-11-27",
    "--commit",
];
const SET: [&str; 4] = ["set", "REQ-2026-0001", "priority=high", "--commit"];

/// Run `args` with commits rejected; the commit fails and nothing changes:
/// work tree (bytes), index (blobs and modes) and HEAD.
#[track_caller]
fn refused_commit_changes_nothing(repo: &Repo, args: &[&str]) {
    reject_commits(repo);
    let worktree = |repo: &Repo| {
        let mut files = snapshot(&repo.root);
        files.retain(|k, _| !k.starts_with(".git/"));
        files
    };
    let (files, staged, head) = (worktree(repo), index(repo), repo.sha("HEAD"));
    let run = run_as(repo, ME, args);
    assert_ne!(run.code, OK, "{}", run.stdout);
    assert!(run.stderr.contains("rejected by the hook"), "{}", run.stderr);
    assert!(!run.stderr.contains("could not be put back"), "{}", run.stderr);
    assert_same_files(&worktree(repo), &files, "the work tree");
    assert_eq!(index(repo), staged, "the index");
    assert_eq!(repo.sha("HEAD"), head, "no commit");
}

#[test]
fn a_transition_commit_refused_by_a_hook_keeps_the_other_staged_file_staged() {
    let repo = with_request_and_staged_file();
    refused_commit_changes_nothing(&repo, &TRANSITION);
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), format!("{OTHER}\n"));
}

#[test]
fn a_set_commit_refused_by_a_hook_keeps_the_other_staged_file_staged() {
    let repo = with_request_and_staged_file();
    refused_commit_changes_nothing(&repo, &SET);
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), format!("{OTHER}\n"));
}

/// The user has staged an edit of the record (and its mode: executable),
/// then edited the file again without staging; `--force` is given.
fn with_staged_edit_of_the_record() -> Repo {
    let repo = with_request_and_staged_file();
    let staged = repo
        .read(REQ)
        .replace("title: A case for the tests", "title: Invoice copy");
    repo.write(REQ, &staged);
    repo.git(&["add", REQ]);
    repo.git(&["update-index", "--chmod=+x", REQ]);
    repo.write(REQ, staged.replace("name: Ada Lovelace", "name: Ada King"));
    repo
}

/// Regression: the rollback ran `git reset -- path`, which dropped what the
/// user had staged of the record.
#[test]
fn a_forced_transition_commit_refused_by_a_hook_restores_the_users_staged_blob_and_mode() {
    let repo = with_staged_edit_of_the_record();
    let mut args = TRANSITION.to_vec();
    args.push("--force");
    refused_commit_changes_nothing(&repo, &args);
    assert!(index(&repo).contains("100755 "), "{}", index(&repo));
    assert_eq!(
        repo.git(&["show", &format!(":{REQ}")]),
        record("REQ-2026-0001", "request", "new", CUSTOMER)
            .replace("title: A case for the tests", "title: Invoice copy"),
        "the staged blob is the user's"
    );
}

#[test]
fn a_forced_set_commit_refused_by_a_hook_restores_the_users_staged_blob_and_mode() {
    let repo = with_staged_edit_of_the_record();
    let mut args = SET.to_vec();
    args.push("--force");
    refused_commit_changes_nothing(&repo, &args);
    assert!(
        repo.git(&["diff", "--cached", "--name-only"]).contains(REQ),
        "the record's staged change is still staged"
    );
}

#[test]
fn a_new_commit_refused_by_a_hook_leaves_no_file_and_no_index_entry() {
    let repo = with_request_and_staged_file();
    refused_commit_changes_nothing(&repo, &["new", "complaint", "--title", "T", "--commit"]);
    assert!(!repo.path("records/complaint/CMP-2026-0001.md").exists());
    assert!(!index(&repo).contains("CMP-2026-0001"), "{}", index(&repo));
}

/// A commit that succeeds holds the record and nothing else; the user's
/// other staged file stays staged (and uncommitted).
#[track_caller]
fn commit_holds_only(repo: &Repo, args: &[&str], path: &str) {
    let head = repo.sha("HEAD");
    run_as(repo, ME, args).assert_code(OK);
    assert_eq!(repo.sha("HEAD~1"), head, "exactly one commit");
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        format!("{path}\n")
    );
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), format!("{OTHER}\n"));
}

#[test]
fn a_new_commit_holds_only_the_new_record() {
    let repo = with_request_and_staged_file();
    commit_holds_only(
        &repo,
        &["new", "complaint", "--title", "T", "--commit"],
        "records/complaint/CMP-2026-0001.md",
    );
}

#[test]
fn a_set_commit_holds_only_the_record() {
    let repo = with_request_and_staged_file();
    commit_holds_only(&repo, &SET, REQ);
}

#[test]
fn a_transition_commit_holds_only_the_record() {
    let repo = with_request_and_staged_file();
    commit_holds_only(&repo, &TRANSITION, REQ);
}
