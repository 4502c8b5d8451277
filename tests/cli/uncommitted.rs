//! A plain `check` in a git repository judges each record's uncommitted
//! changes against HEAD with the history rules, as the acting user now:
//! what CI's `check --since` would reject after the commit is caught before.

use crate::support::*;

const ME: &str = "h.handler@example.com";
const MANAGER: &str = "m.jones@example.com";
const ARCHIVIST: &str = "archive@example.com";
const REQ: &str = "records/request/REQ-2026-0001.md";
const INC: &str = "records/incident/INC-2026-0001.md";

const RESOLVED: &str = "acknowledged_at: 2026-11-02T10:00:00Z\nexpected_resolution: 2026-11-20\n\
resolution:\n  summary: Sent the invoice copy.\n  notified_at: 2026-11-16T10:00:00Z\n";

/// `casework check --format json ARGS` as `email`.
fn check_as(repo: &Repo, email: &str, args: &[&str]) -> Run {
    Run::of(repo.cmd_as(email).args(["check", "--format", "json"]).args(args))
}

/// The (code, line, message) of each error.
fn errors(run: &Run) -> Vec<(String, Option<u64>, String)> {
    let mut out: Vec<_> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn check_catches_a_state_skipped_by_hand_before_the_commit() {
    let repo = committed_request(ME, "new", "");
    // Valid on its own (every guard of `resolved` holds), but `new -> resolved` skips two states.
    let text = repo
        .read(REQ)
        .replace("status: new", "status: resolved")
        .replace("---\n## Summary", &format!("{RESOLVED}---\n## Summary"));
    repo.write(REQ, &text);
    let run = check_as(&repo, ME, &[]);
    run.assert_code(FINDINGS);
    let found = errors(&run);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, line, message) = &found[0];
    assert_eq!((code.as_str(), *line), ("transition", Some(5)));
    assert!(
        message.starts_with("since the last commit: `new -> resolved` is not a transition"),
        "{message}"
    );
    // The same finding, with the path given (as a pre-commit hook passes it).
    assert_eq!(errors(&check_as(&repo, ME, &[REQ])), found);
    // And CI says the same once it is committed.
    let base = repo.sha("HEAD");
    let sha = repo.commit(by(ME, "2026-11-23T12:00:00Z"), "Resolve");
    let ci = repo.check_json(&["--since", &base]);
    assert_eq!(
        ci.history_errors(),
        [crate::support::found("transition", REQ, Some(5), &sha, ME)],
        "{}",
        ci.stdout
    );
}

#[test]
fn check_judges_a_role_step_by_the_acting_user() {
    let repo = Repo::with_history();
    follow_up_incident(&repo, ME);
    // Closed by hand, with the time the step would have set.
    let closed = repo.read(INC).replace("status: follow_up", "status: closed").replace(
        "  approved_by: m.jones@example.com\n",
        "  approved_by: m.jones@example.com\n  communicated_at: 2026-11-13T10:00:00Z\n",
    );
    repo.write(INC, closed);
    let run = check_as(&repo, ME, &[]);
    run.assert_code(FINDINGS);
    let found = errors(&run);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "role");
    assert!(
        found[0]
            .2
            .contains("needs the `manager` role; h.handler@example.com is not in it"),
        "{found:?}"
    );
    // The manager's own check passes: they may take the step.
    check_as(&repo, MANAGER, &[]).assert_code(OK);
}

#[test]
fn check_catches_an_archived_record_changed_an_immutable_field_and_a_deletion() {
    let archived = format!(
        "{RESOLVED}confirmation:\n  outcome: confirmed\n  at: 2026-11-17T09:00:00Z\n\
         archive:\n  archived_at: 2026-11-18T09:00:00Z\n  retain_until: 2028-11-18\n"
    );
    let repo = committed_request(ME, "archived", &archived);
    let other = "records/request/REQ-2026-0002.md";
    repo.write_commit(
        by(ME, "2026-11-23T09:30:00Z"),
        other,
        record("REQ-2026-0002", "request", "new", CUSTOMER),
        "Log REQ-2026-0002",
    );
    repo.write(
        REQ,
        repo.read(REQ).replace("Sent the invoice copy.", "Sent two copies."),
    );
    repo.write(
        other,
        repo.read(other)
            .replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-11-03T09:14:00Z"),
    );
    let run = check_as(&repo, ME, &[]);
    run.assert_code(FINDINGS);
    let codes: Vec<String> = errors(&run).into_iter().map(|e| e.0).collect();
    assert_eq!(codes, ["archived-modified", "immutable"], "{}", run.stdout);
    // The records role may change an archived record; `opened` never changes.
    let codes: Vec<String> = errors(&check_as(&repo, ARCHIVIST, &[]))
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(codes, ["immutable"]);

    // A record removed without a register line.
    repo.git(&["checkout", "-q", "--", "records"]);
    repo.remove(other);
    let run = check_as(&repo, ME, &[]);
    run.assert_code(FINDINGS);
    let found = errors(&run);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1), ("deleted", None));
    // With its register line in the same change, the removal is a disposal.
    repo.write(
        "disposals.csv",
        format!(
            "id,kind,opened,closed,archived,disposed_at,reason,by\n\
             REQ-2026-0002,request,2026-11-02,,,2026-11-23,opened in error,{ARCHIVIST}\n"
        ),
    );
    check_as(&repo, ARCHIVIST, &[]).assert_code(OK);
}

#[test]
fn a_pre_commit_hook_running_check_refuses_a_staged_illegal_change() {
    let repo = committed_request(ME, "new", "");
    // The hook pre-commit installs: `casework check` on the staged record files.
    let hook = repo.path(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nfiles=$(git diff --cached --name-only --diff-filter=ACMR -- records)\n\
             [ -z \"$files\" ] || exec '{}' check $files\n",
            env!("CARGO_BIN_EXE_casework")
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let head = repo.sha("HEAD");
    let text = repo
        .read(REQ)
        .replace("status: new", "status: resolved")
        .replace("---\n## Summary", &format!("{RESOLVED}---\n## Summary"));
    repo.write(REQ, &text);
    repo.git_as(by(ME, NOW), &["add", REQ]);
    let run = repo.try_git_as(by(ME, NOW), &["commit", "-q", "-m", "Resolve"]);
    assert_ne!(run.code, 0, "the hook lets it through: {}", run.stdout);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("error[transition]: since the last commit: `new -> resolved`"),
        "{said}"
    );
    assert_eq!(repo.sha("HEAD"), head, "no commit was made");

    // The legal step passes the same hook.
    repo.git(&["checkout", "-q", "HEAD", "--", REQ]);
    let step = Run::of(
        repo.cmd_as(ME)
            .args([
                "transition",
                "REQ-2026-0001",
                "acknowledged",
                "--set",
                "expected_resolution=2026-11-27",
            ])
            .env("GIT_AUTHOR_DATE", NOW)
            .env("GIT_COMMITTER_DATE", NOW),
    );
    step.assert_code(OK);
    repo.git_as(by(ME, NOW), &["add", REQ]);
    let run = repo.try_git_as(by(ME, NOW), &["commit", "-q", "-m", "Acknowledge"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn check_outside_a_git_repository_judges_only_the_files() {
    let repo = Repo::new();
    std::fs::remove_dir_all(repo.path(".git")).unwrap();
    repo.write(REQ, record("REQ-2026-0001", "request", "new", CUSTOMER));
    repo.check_json(&[]).assert_code(OK);
}
