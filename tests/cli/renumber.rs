//! Merge conflicts (issue 8 item 10). Conflict markers in a record's body
//! are their own finding. And `casework renumber`: two branches that each
//! ran `casework new` took the same ID. Renumbering gives one record an ID
//! free on every branch, renames its file, rewrites `related` references,
//! makes one commit that `check --since` accepts, and a refusal changes
//! nothing.

use crate::support::*;
use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ME: &str = "h.handler@example.com";
const THEM: &str = "o.other@example.com";
const REQ1: &str = "records/request/REQ-2026-0001.md";
const REQ2: &str = "records/request/REQ-2026-0002.md";
const REQ3: &str = "records/request/REQ-2026-0003.md";
const REQ4: &str = "records/request/REQ-2026-0004.md";
const CMP1: &str = "records/complaint/CMP-2026-0001.md";

/// casework in `dir` as `email` (author and committer), at fixed commit times.
fn casework_in(dir: &Path, home: &Path, email: &str) -> Command {
    let mut cmd = casework(home);
    cmd.current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Acting User")
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", "Acting User")
        .env("GIT_COMMITTER_EMAIL", email)
        .env("GIT_AUTHOR_DATE", "2026-11-23T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-23T12:00:00Z");
    cmd
}

fn run_in(dir: &Path, home: &Path, email: &str, args: &[&str]) -> Run {
    Run::of(casework_in(dir, home, email).args(args))
}

/// `casework new request --commit` in `dir`; the path it printed.
fn new_request(dir: &Path, home: &Path, email: &str, title: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "new",
        "request",
        "--title",
        title,
        "--set",
        "customer.name=Ada Lovelace",
        "--set",
        "customer.contact=ada@example.org",
        "--set",
        "customer.preferred_channel=email",
        "--commit",
    ];
    args.extend_from_slice(extra);
    let run = run_in(dir, home, email, &args);
    run.assert_code(OK);
    run.stdout.trim().to_string()
}

/// A complaint whose `related` cites `cites`, with a comment on the line
/// after it that a rewrite must keep.
fn citing_complaint(id: &str, cites: &str) -> String {
    record(
        id,
        "complaint",
        "received",
        &format!("related:\n  - {cites}  # the request it is about\n  # keep this comment\n"),
    )
}

/// Every file of the work tree and of `.git` but the index (which `git
/// status` may rewrite with fresher stat data), plus the index entries.
fn state(repo: &Repo) -> (BTreeMap<String, Vec<u8>>, String) {
    let mut files = snapshot(&repo.root);
    files.remove(".git/index");
    (files, repo.git(&["ls-files", "--stage"]))
}

#[track_caller]
fn assert_unchanged(repo: &Repo, before: &(BTreeMap<String, Vec<u8>>, String), what: &str) {
    let after = state(repo);
    assert_same_files(&after.0, &before.0, what);
    assert_eq!(after.1, before.1, "{what}: the index entries");
}

/// The usual collision: the other side (the origin) and my clone each ran
/// `new` and took REQ-2026-0001; the origin also has REQ-2026-0002 on a
/// second branch, and a local branch of mine disposed of REQ-2026-0003.
/// Returns the origin and my clone, fetched, on my branch `feature`.
fn collided() -> (Repo, PathBuf) {
    let origin = Repo::with_history();
    let mine = origin.base().join("mine");
    git(origin.base(), &origin.home, &["clone", "-q", "repo", "mine"]);
    assert_eq!(new_request(&origin.root, &origin.home, THEM, "Theirs", &[]), REQ1);
    origin.git(&["checkout", "-q", "-b", "elsewhere"]);
    assert_eq!(new_request(&origin.root, &origin.home, THEM, "Also theirs", &[]), REQ2);
    origin.git(&["checkout", "-q", "main"]);

    let me = by(ME, "2026-11-23T10:00:00Z");
    git_as(&mine, &origin.home, &me, &["checkout", "-q", "-b", "feature", "main"]);
    assert_eq!(
        new_request(&mine, &origin.home, ME, "Mine", &[]),
        REQ1,
        "the clone has not seen the origin's record yet"
    );
    // A branch of mine, made later, that disposed of REQ-2026-0003.
    git_as(&mine, &origin.home, &me, &["checkout", "-q", "-b", "disposed", "main"]);
    std::fs::write(
        mine.join("disposals.csv"),
        "id,kind,opened,closed,archived,disposed_at,reason,by\nREQ-2026-0003,request,,,,2026-11-20,test,r@example.org\n",
    )
    .unwrap();
    git_as(&mine, &origin.home, &me, &["add", "disposals.csv"]);
    git_as(&mine, &origin.home, &me, &["commit", "-q", "-m", "Dispose"]);
    git_as(&mine, &origin.home, &me, &["checkout", "-q", "feature"]);
    std::fs::write(mine.join(CMP1), citing_complaint("CMP-2026-0001", "REQ-2026-0001")).unwrap();
    git_as(&mine, &origin.home, &me, &["add", CMP1]);
    git_as(
        &mine,
        &origin.home,
        &me,
        &["commit", "-q", "-m", "CMP-2026-0001 about REQ-2026-0001"],
    );
    git_as(&mine, &origin.home, &me, &["fetch", "-q", "origin"]);
    (origin, mine)
}

#[test]
fn two_branches_that_each_ran_new_get_an_id_free_on_every_branch() {
    let (origin, mine) = collided();
    let home = &origin.home;
    let base = git(&mine, home, &["rev-parse", "HEAD"]).trim().to_string();
    let before = std::fs::read_to_string(mine.join(REQ1)).unwrap();
    let cited = std::fs::read_to_string(mine.join(CMP1)).unwrap();

    let run = run_in(&mine, home, ME, &["renumber", "REQ-2026-0001", "--commit"]);
    run.assert_code(OK);
    // 0001 is on origin/main, 0002 on origin/elsewhere, 0003 in the
    // register of my branch `disposed`: 0004 is free everywhere.
    assert_eq!(
        run.stdout,
        format!("REQ-2026-0001 -> REQ-2026-0004  ({REQ4})\n{CMP1}: related REQ-2026-0001 -> REQ-2026-0004\n")
    );
    assert!(!mine.join(REQ1).exists());
    assert_eq!(
        std::fs::read_to_string(mine.join(REQ4)).unwrap(),
        before.replacen("id: REQ-2026-0001\n", "id: REQ-2026-0004\n", 1),
        "only the id line changes"
    );
    assert_eq!(
        std::fs::read_to_string(mine.join(CMP1)).unwrap(),
        cited.replacen("  - REQ-2026-0001  #", "  - REQ-2026-0004  #", 1),
        "only the reference changes; its comment and the next stay"
    );

    // One commit of exactly those paths, and nothing left over.
    assert_eq!(
        git(&mine, home, &["rev-list", "--count", &format!("{base}..HEAD")]),
        "1\n"
    );
    assert_eq!(
        git(&mine, home, &["log", "-1", "--format=%s"]),
        "Renumber REQ-2026-0001 to REQ-2026-0004\n"
    );
    let mut changed: Vec<String> = git(
        &mine,
        home,
        &["show", "--name-only", "--format=", "--no-renames", "HEAD"],
    )
    .lines()
    .map(str::to_string)
    .collect();
    changed.sort();
    assert_eq!(changed, [CMP1, REQ1, REQ4]);
    assert_eq!(git(&mine, home, &["status", "--porcelain"]), "");

    // CI accepts the commit: no deleted, transition or immutable finding.
    let run = Run::of(casework_in(&mine, home, ME).args(["check", "--format", "json", "--since", &base]));
    run.assert_code(OK);
    assert_eq!(run.json()["diagnostics"], serde_json::json!([]), "{}", run.stdout);
    // So does the pull request's check against the other side.
    let run = Run::of(casework_in(&mine, home, ME).args(["check", "--format", "json", "--since", "origin/main"]));
    run.assert_code(OK);
    assert!(run.errors().is_empty(), "{}", run.stdout);
    // And the branch now merges without a collision.
    git_as(
        &mine,
        home,
        &by(ME, "2026-11-23T12:30:00Z"),
        &["merge", "-q", "--no-edit", "origin/main"],
    );
    let run = Run::of(casework_in(&mine, home, ME).args(["check", "--format", "json", "--since", &base]));
    run.assert_code(OK);
    assert!(run.errors().is_empty(), "{}", run.stdout);
}

/// A repository on `main` with REQ-2026-0001 and a complaint citing it, and
/// the same ID (another record) on branch `theirs`.
fn with_collision() -> Repo {
    let repo = Repo::with_history();
    repo.git(&["checkout", "-q", "-b", "theirs"]);
    new_request(&repo.root, &repo.home, THEM, "Theirs", &[]);
    repo.git(&["checkout", "-q", "main"]);
    // Mine, as `new` wrote it in a clone that had not seen `theirs`.
    let theirs = repo.git(&["show", &format!("theirs:{REQ1}")]);
    repo.write_commit(
        by(ME, "2026-11-23T12:05:00Z"),
        REQ1,
        theirs.replace("title: Theirs", "title: Mine").replace(THEM, ME),
        "REQ-2026-0001: new request",
    );
    repo.write_commit(
        by(ME, "2026-11-23T12:10:00Z"),
        CMP1,
        citing_complaint("CMP-2026-0001", "REQ-2026-0001"),
        "CMP-2026-0001",
    );
    repo
}

#[test]
fn without_commit_the_files_change_and_stay_uncommitted_and_body_mentions_are_listed() {
    let repo = with_collision();
    let head = repo.sha("HEAD");
    let text = repo
        .read(REQ1)
        .replace("## Summary\n", "## Summary\nREQ-2026-0001 was opened by phone.\n");
    repo.write(REQ1, &text);
    let run = run_in(&repo.root, &repo.home, ME, &["renumber", "req-2026-0001"]);
    run.assert_code(OK);
    assert!(
        run.stdout
            .starts_with(&format!("REQ-2026-0001 -> REQ-2026-0002  ({REQ2})\n")),
        "{}",
        run.stdout
    );
    let line = text.lines().position(|l| l.starts_with("REQ-2026-0001 was")).unwrap() + 1;
    assert!(
        run.stderr.contains(&format!(
            "the body of {REQ2} still mentions REQ-2026-0001 (line {line})"
        )),
        "{}",
        run.stderr
    );
    assert!(
        repo.read(REQ2).contains("REQ-2026-0001 was opened by phone."),
        "the body is left as it was"
    );
    assert!(repo.read(CMP1).contains("  - REQ-2026-0002  # the request"));
    assert_eq!(repo.sha("HEAD"), head, "no commit");
    let status = repo.git(&["status", "--porcelain"]);
    assert!(
        status.contains(" D ") && status.contains("?? ") && status.contains(" M "),
        "{status}"
    );
    repo.check_json(&[]).assert_code(OK);
}

#[test]
fn a_duplicate_in_the_working_tree_is_renumbered_with_path_and_references_are_left_for_review() {
    let repo = Repo::with_history();
    repo.write(REQ1, record("REQ-2026-0001", "request", "new", CUSTOMER));
    // A copy saved under another name, with the same ID.
    let copy = "records/request/REQ-2026-0002.md";
    repo.write(copy, record("REQ-2026-0001", "request", "new", CUSTOMER));
    repo.write(CMP1, citing_complaint("CMP-2026-0001", "REQ-2026-0001"));
    let cited = repo.read(CMP1);

    // The duplicate-id finding names the command that fixes it, and it works.
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let messages: Vec<String> = run
        .diagnostics_with("duplicate-id")
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    let fix = messages
        .iter()
        .find(|m| m.contains(copy) && m.contains(&format!("also used by {REQ1}")))
        .expect("the copy's finding");
    let command = fix.rsplit_once("with `").unwrap().1.trim_end_matches('`').to_string();
    assert_eq!(command, format!("casework renumber REQ-2026-0001 --path {copy}"));

    // Without --path the choice is the user's.
    let before = state(&repo);
    let run = run_in(&repo.root, &repo.home, ME, &["renumber", "REQ-2026-0001"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains(REQ1) && run.stderr.contains(copy) && run.stderr.contains("--path FILE"),
        "{}",
        run.stderr
    );
    assert_unchanged(&repo, &before, "an ambiguous renumber");

    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let run = run_in(&repo.root, &repo.home, ME, &args);
    run.assert_code(OK);
    assert_eq!(run.stdout, format!("REQ-2026-0001 -> REQ-2026-0003  ({REQ3})\n"));
    assert!(!repo.path(copy).exists());
    assert!(repo.read(REQ3).contains("id: REQ-2026-0003\n"));
    assert!(
        repo.read(REQ1).contains("id: REQ-2026-0001\n"),
        "the other keeps its ID"
    );
    assert_eq!(
        repo.read(CMP1),
        cited,
        "a reference to an ID still in use is left alone"
    );
    assert!(
        run.stderr.contains("REQ-2026-0001 is still the ID of another record") && run.stderr.contains(CMP1),
        "{}",
        run.stderr
    );
    repo.check_json(&[]).assert_code(OK);
}

#[test]
fn a_refused_renumber_leaves_the_repository_byte_identical() {
    let repo = with_collision();
    let before = state(&repo);
    let run = run_in(&repo.root, &repo.home, ME, &["renumber", "REQ-2026-0042", "--commit"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("no record has the ID REQ-2026-0042"),
        "{}",
        run.stderr
    );
    assert_unchanged(&repo, &before, "an unknown ID");

    let run = run_in(
        &repo.root,
        &repo.home,
        ME,
        &["renumber", "REQ-2026-0001", "--path", CMP1],
    );
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("holds CMP-2026-0001, not REQ-2026-0001"),
        "{}",
        run.stderr
    );
    assert_unchanged(&repo, &before, "a --path that holds another ID");

    // A file the commit would take along unseen: the record, or a reference.
    for dirty in [REQ1, CMP1] {
        let original = repo.read(dirty);
        repo.write(dirty, original.replace("title: ", "title: Edited "));
        let before = state(&repo);
        let run = run_in(&repo.root, &repo.home, ME, &["renumber", "REQ-2026-0001", "--commit"]);
        run.assert_code(FINDINGS);
        assert!(
            run.stderr.contains(&format!("{dirty} has uncommitted changes")) && run.stderr.contains("--force"),
            "{}",
            run.stderr
        );
        assert_unchanged(&repo, &before, "a dirty file with --commit");
        repo.write(dirty, original);
    }

    // A commit that fails (a hook refuses it) puts files and index back.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let hook = repo.path(".git/hooks/pre-commit");
        std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
        std::fs::write(&hook, "#!/bin/sh\nexit 1\n").unwrap();
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
        // `git add` leaves blobs no ref or index entry reaches: not part of the state.
        let without_objects = |(mut files, index): (BTreeMap<String, Vec<u8>>, String)| {
            files.retain(|k, _| !k.starts_with(".git/objects/"));
            (files, index)
        };
        let before = without_objects(state(&repo));
        let run = run_in(&repo.root, &repo.home, ME, &["renumber", "REQ-2026-0001", "--commit"]);
        run.assert_code(USAGE);
        assert!(run.stderr.contains("git commit failed"), "{}", run.stderr);
        let after = without_objects(state(&repo));
        assert_same_files(&after.0, &before.0, "a refused commit");
        assert_eq!(after.1, before.1, "a refused commit: the index entries");
    }
}

#[test]
fn a_record_left_with_add_add_conflict_markers_is_refused_with_the_way_out() {
    let repo = with_collision();
    let run = repo.try_git_as(by(ME, "2026-11-23T12:20:00Z"), &["merge", "theirs"]);
    assert_ne!(run.code, 0, "both branches added {REQ1}: the merge conflicts");
    let before = state(&repo);
    let run = run_in(&repo.root, &repo.home, ME, &["renumber", "REQ-2026-0001"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("unresolved merge conflict") && run.stderr.contains("git merge --abort"),
        "{}",
        run.stderr
    );
    assert_unchanged(&repo, &before, "a conflicted record");
}

/// Only a renumbering counts as one: an ID change with other changes, or to
/// an ID another file has, is still a removal and a new record.
#[test]
fn check_since_accepts_only_a_renumbering_to_a_free_id() {
    let repo = Repo::with_history();
    let text = record("REQ-2026-0001", "request", "new", CUSTOMER);
    let base = repo.write_commit(by(ME, "2026-11-23T09:00:00Z"), REQ1, &text, "REQ-2026-0001");
    repo.remove(REQ1);
    repo.write(
        REQ2,
        text.replace("id: REQ-2026-0001", "id: REQ-2026-0002")
            .replace("title: A case", "title: Another case"),
    );
    repo.commit(by(ME, "2026-11-23T10:00:00Z"), "Renumber and retitle");
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(FINDINGS);
    let codes: Vec<String> = run.history_errors().into_iter().map(|f| f.code).collect();
    assert_eq!(codes, ["deleted"]);

    // The same renumbering by hand, title kept: one change.
    let repo = Repo::with_history();
    let base = repo.write_commit(by(ME, "2026-11-23T09:00:00Z"), REQ1, &text, "REQ-2026-0001");
    repo.remove(REQ1);
    repo.write(REQ2, text.replace("id: REQ-2026-0001", "id: REQ-2026-0002"));
    repo.commit(by(ME, "2026-11-23T10:00:00Z"), "Renumber");
    repo.check_json(&["--since", &base]).assert_code(OK);

    // To an ID another file of the tree already has: not a renumbering.
    let repo = Repo::with_history();
    repo.write(
        "records/request/old/REQ-2026-0002.md",
        record("REQ-2026-0002", "request", "new", CUSTOMER),
    );
    let base = repo.write_commit(by(ME, "2026-11-23T09:00:00Z"), REQ1, &text, "REQ-2026-0001");
    repo.remove(REQ1);
    repo.write(REQ2, text.replace("id: REQ-2026-0001", "id: REQ-2026-0002"));
    repo.commit(by(ME, "2026-11-23T10:00:00Z"), "Renumber onto a taken ID");
    let run = repo.check_json(&["--since", &base]);
    let codes: Vec<String> = run.history_errors().into_iter().map(|f| f.code).collect();
    assert!(codes.contains(&"deleted".to_string()), "{codes:?}");
}

#[test]
fn the_history_duplicate_id_message_names_renumber() {
    let repo = Repo::with_history();
    let base = repo.write_commit(
        by(THEM, "2026-11-23T09:00:00Z"),
        REQ1,
        record("REQ-2026-0001", "request", "new", CUSTOMER),
        "REQ-2026-0001",
    );
    let copy = "records/request/REQ-2026-0002.md";
    repo.write_commit(
        by(ME, "2026-11-23T10:00:00Z"),
        copy,
        record("REQ-2026-0001", "request", "new", CUSTOMER),
        "A second REQ-2026-0001",
    );
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(FINDINGS);
    let history: Vec<serde_json::Value> = run
        .diagnostics_with("duplicate-id")
        .into_iter()
        .filter(|d| d["commit"].is_string())
        .collect();
    assert_eq!(history.len(), 1, "{}", run.stdout);
    let message = history[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with(&format!("`casework renumber REQ-2026-0001 --path {copy}`")),
        "{message}"
    );
}

/// Issue 8 item 10: markers below a front-matter that parses went unseen
/// (the YAML was fine, so nothing looked for them).
#[test]
fn conflict_markers_in_the_body_are_an_unresolved_merge_conflict_in_check_history_and_show() {
    let repo = Repo::with_history();
    let clean = record("REQ-2026-0001", "request", "new", CUSTOMER);
    let base = repo.write_commit(by(ME, "2026-11-23T09:00:00Z"), REQ1, &clean, "REQ-2026-0001");
    let text = clean.replace(
        "What happened.\n",
        "<<<<<<< HEAD\nWhat happened.\n=======\nWhat happened, says the customer.\n>>>>>>> feature\n",
    );
    let (line, _) = pos_of(&text, "<<<<<<< HEAD");
    let expected = format!("unresolved merge conflict at line {line} (`<<<<<<< HEAD`): ");
    repo.write(REQ1, &text);

    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert_eq!(run.findings(), [error("front-matter", REQ1, line, 1)], "{}", run.stdout);
    let message = run.diagnostics_with("front-matter")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.starts_with(&expected), "{message}");

    let commit = repo.commit(by(ME, "2026-11-23T10:00:00Z"), "Merge, markers left in");
    let run = repo.check_json(&["--since", &base]);
    assert_eq!(
        run.history_errors(),
        [found("front-matter", REQ1, Some(line), &commit, ME)],
        "{}",
        run.stdout
    );

    let run = repo.run(&["show", "REQ-2026-0001"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains(&format!("{REQ1}:{line}:1: {expected}")),
        "{}",
        run.stderr
    );

    // A marker in a code sample, with no conflict around it, is Markdown.
    repo.write(REQ1, clean.replace("What happened.\n", "```\n<<<<<<< HEAD\n```\n"));
    repo.check_json(&[]).assert_code(OK);
}

/// Two branches that each ran `new` add the same path: the pull request's
/// check against the base once said "no problems" (the add/add conflict
/// came only at the merge).
#[test]
fn a_branch_adding_the_path_the_base_added_meanwhile_is_a_duplicate() {
    let repo = Repo::with_history();
    let fork = repo.sha("HEAD");
    repo.write_commit(
        by(THEM, "2026-11-23T09:00:00Z"),
        REQ1,
        record("REQ-2026-0001", "request", "new", CUSTOMER),
        "Log theirs",
    );
    repo.git(&["checkout", "-q", "-b", "mine", &fork]);
    let mine = record("REQ-2026-0001", "request", "new", CUSTOMER).replace("A case for the tests", "Mine");
    let sha = repo.write_commit(by(ME, "2026-11-23T10:00:00Z"), REQ1, &mine, "Log mine");
    let run = repo.check_json(&["--since", "main"]);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.history_errors(),
        [found("duplicate-id", REQ1, Some(2), &sha, ME)],
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("casework renumber REQ-2026-0001"), "{}", run.stdout);
    // The same file added on both sides (a cherry-pick) is no collision.
    repo.git(&["checkout", "-q", "-b", "same", &fork]);
    let theirs = repo.git(&["show", &format!("main:{REQ1}")]);
    repo.write_commit(by(ME, "2026-11-23T11:00:00Z"), REQ1, theirs, "Pick theirs");
    repo.check_json(&["--since", "main"]).assert_code(OK);
}

/// `new` once took the next ID of the working tree alone: after a fetch
/// it gave a number the origin already had, and the merge collided.
#[test]
fn new_after_a_fetch_takes_an_id_no_branch_has() {
    let (origin, mine) = collided();
    let home = &origin.home;
    // My branch has REQ-2026-0001; origin/main has its own 0001, origin/elsewhere 0002,
    // and my branch `disposed` disposed of 0003.
    assert_eq!(new_request(&mine, home, ME, "After the fetch", &[]), REQ4);
    // Outside git only the working tree counts.
    let plain = Repo::new();
    std::fs::remove_dir_all(plain.path(".git")).unwrap();
    assert_eq!(new_request_no_commit(&plain.root, &plain.home), REQ1);
}

fn new_request_no_commit(dir: &Path, home: &Path) -> String {
    let run = run_in(
        dir,
        home,
        ME,
        &[
            "new",
            "request",
            "--title",
            "T",
            "--set",
            "customer.name=A",
            "--set",
            "customer.contact=a@example.org",
            "--set",
            "customer.preferred_channel=email",
        ],
    );
    run.assert_code(OK);
    run.stdout.trim().to_string()
}
