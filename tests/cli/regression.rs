//! Regression tests for defects found by trying casework as an attacker and
//! as a CI pipeline would (issue 6). Each test is named for its defect and
//! failed before the fix. A pull request is untrusted input: nothing in it
//! may read files outside the root, hang the job, or lose a user's change.

use crate::support::*;
use serde_json::{Value, json};
use std::path::Path;

const C1: &str = "records/complaint/CMP-2026-0001.md";
const SCHEMA: &str = "schemas/complaint.schema.json";

fn complaint() -> String {
    record("CMP-2026-0001", "complaint", "received", "owner: ann@example.org\n")
}

/// A repository with one valid complaint, committed.
fn repo_with_complaint() -> Repo {
    let repo = Repo::new();
    repo.write(C1, complaint());
    repo.git(&["init", "-q"]);
    repo.git(&["add", "-A"]);
    repo.git(&[
        "-c",
        "user.email=setup@example.com",
        "-c",
        "user.name=Setup",
        "commit",
        "-qm",
        "setup",
    ]);
    repo.check_json(&[]).assert_code(OK);
    repo
}

/// The complaint schema with one more subschema, `extra`, that every record must meet.
fn add_to_schema(repo: &Repo, extra: Value) {
    let schema: Value = serde_json::from_str(&repo.read(SCHEMA)).unwrap();
    let wrapped = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "allOf": [schema, extra]});
    repo.write(SCHEMA, serde_json::to_string_pretty(&wrapped).unwrap());
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

fn symlink(target: impl AsRef<Path>, link: &Path) {
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn config_findings(run: &Run) -> Vec<Value> {
    run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "config")
        .cloned()
        .collect()
}

// Defect 1: a schema's `$ref` followed `file:///…` anywhere on the machine.

#[test]
fn schema_ref_to_a_file_outside_the_root_is_refused() {
    let repo = repo_with_complaint();
    let secret = repo.base().join("secret.json");
    std::fs::write(&secret, r#"{"properties": {"title": {"enum": ["TOPSECRET-VALUE"]}}}"#).unwrap();
    let uri = format!("file://{}", secret.display());
    add_to_schema(&repo, json!({"$ref": uri}));
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert!(!run.stdout.contains("TOPSECRET"), "{}", run.stdout);
    let found = config_findings(&run);
    assert_eq!(found.len(), 1, "{}", run.stdout);
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains(SCHEMA), "{message}");
    assert!(message.contains(&uri), "names the $ref: {message}");
}

#[test]
fn schema_ref_to_dev_stdin_or_a_fifo_does_not_hang() {
    let repo = repo_with_complaint();
    mkfifo(&repo.path("schemas/pipe.json"));
    for target in [
        "file:///dev/stdin",
        "file:///dev/zero",
        "pipe.json",
        "https://example.com/x.json",
    ] {
        add_to_schema(&repo, json!({"$ref": target}));
        let run = repo.check_json(&[]);
        run.assert_code(FINDINGS);
        assert_eq!(config_findings(&run).len(), 1, "{target}: {}", run.stdout);
        repo.git(&["checkout", "-q", "--", SCHEMA]);
    }
}

#[test]
fn schema_ref_relative_to_a_file_inside_the_root_is_resolved() {
    let repo = repo_with_complaint();
    repo.write(
        "schemas/common.json",
        r#"{"properties": {"title": {"type": "string", "maxLength": 5}}}"#,
    );
    add_to_schema(&repo, json!({"$ref": "common.json"}));
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let doc = run.json();
    let codes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(codes, ["schema"], "{}", run.stdout);
    // Through a symlink out of the root, the same file is refused.
    let outside = repo.base().join("common.json");
    std::fs::write(&outside, repo.read("schemas/common.json")).unwrap();
    symlink(&outside, &repo.path("schemas/common.json"));
    let run = repo.check_json(&[]);
    assert_eq!(config_findings(&run).len(), 1, "{}", run.stdout);
}

// Defect 2: schemas and the disposal register were read through symlinks and FIFOs.

#[test]
fn fifo_register_does_not_hang_check_or_new() {
    let repo = repo_with_complaint();
    mkfifo(&repo.path("disposals.csv"));
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let found = config_findings(&run);
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(found[0]["file"], "disposals.csv");
    let run = repo.run(&["new", "complaint", "--title", "T"]);
    assert_ne!(run.code, -1, "no crash or hang: {}", run.stderr);
}

#[test]
fn schema_symlinked_to_dev_zero_is_a_config_finding() {
    let repo = repo_with_complaint();
    symlink("/dev/zero", &repo.path(SCHEMA));
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let found = config_findings(&run);
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("out of the repository root")
    );
    mkfifo(&repo.path(SCHEMA));
    let run = repo.check_json(&[]);
    assert_eq!(config_findings(&run).len(), 1, "{}", run.stdout);
}

#[test]
fn config_symlinked_out_of_the_root_is_not_read() {
    let repo = repo_with_complaint();
    let outside = repo.base().join("casework.toml");
    std::fs::write(&outside, repo.read("casework.toml")).unwrap();
    symlink(&outside, &repo.path("casework.toml"));
    let run = repo.run(&["check"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("out of the repository root"), "{}", run.stderr);
}

#[test]
fn init_beside_a_fifo_gitignore_does_not_hang() {
    let repo = Repo::empty();
    mkfifo(&repo.path(".gitignore"));
    let run = Run::of(casework(&repo.home).arg("init").arg(&repo.root));
    run.assert_code(USAGE);
    assert!(run.stderr.contains(".gitignore"), "{}", run.stderr);
    // A failed init writes nothing (the FIFO itself cannot be snapshot-read).
    let names: Vec<String> = std::fs::read_dir(&repo.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [".gitignore"]);
}

// Defect 4: concurrent edits silently lost updates.

#[test]
fn parallel_sets_lose_no_change() {
    let repo = repo_with_complaint();
    let runs: Vec<Run> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let repo = &repo;
                s.spawn(move || repo.run(&["set", "CMP-2026-0001", &format!("tags+=t{i}")]))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        run.assert_code(OK);
    }
    let text = repo.read(C1);
    for i in 0..8 {
        assert!(text.contains(&format!("- t{i}\n")), "tag t{i} lost:\n{text}");
    }
    repo.check_json(&[]).assert_code(OK);
}

#[test]
fn parallel_news_take_distinct_ids() {
    let repo = repo_with_complaint();
    let runs: Vec<Run> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let repo = &repo;
                s.spawn(move || repo.run(&["new", "complaint", "--title", &format!("Parallel {i}")]))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut paths: Vec<&str> = runs.iter().map(|r| r.assert_code(OK).stdout.trim()).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 6, "{paths:?}");
}

// Defect 5: `set` dropped text after ` #`.

#[test]
fn set_keeps_text_after_a_hash() {
    let repo = repo_with_complaint();
    repo.run(&[
        "set",
        "CMP-2026-0001",
        "title=Customer called about order #42",
        "category=#",
    ])
    .assert_code(OK);
    let data = front_matter(&repo.read(C1));
    assert_eq!(data["title"], "Customer called about order #42");
    assert_eq!(data["category"], "#");
    repo.run(&["set", "CMP-2026-0001", "priority=5 # five"])
        .assert_code(FINDINGS);
}

// Defect 6: values written plain that YAML 1.1 readers take for other types.

#[test]
fn set_quotes_strings_that_yaml_1_1_reads_as_other_types() {
    let repo = repo_with_complaint();
    repo.run(&[
        "set",
        "CMP-2026-0001",
        "category=yes",
        "title=off",
        "tags+=1_000",
        "tags+='0x1F'",
        "tags+=1:20",
        "tags+='~'",
        "tags+=2026-12-01",
        "tags+=y",
        "tags+=.inf",
        "tags+=plain words",
    ])
    .assert_code(OK);
    let text = repo.read(C1);
    for line in [
        "category: \"yes\"\n",
        "title: \"off\"\n",
        "  - \"1_000\"\n",
        "  - \"0x1F\"\n",
        "  - \"1:20\"\n",
        "  - \"y\"\n",
        "  - \"~\"\n",
        "  - \".inf\"\n",
        "  - \"2026-12-01\"\n",
        "  - plain words\n",
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
    let data = front_matter(&text);
    assert_eq!(
        data["tags"],
        json!(["1_000", "0x1F", "1:20", "~", "2026-12-01", "y", ".inf", "plain words"])
    );
}

// Defect 7: a symlinked kind folder was skipped by `check` but written through by `set`/`new`.

#[test]
fn linked_kind_folder_out_of_the_root_is_a_finding_and_never_written() {
    let repo = repo_with_complaint();
    let outside = repo.base().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    let bad = record("CMP-2026-0002", "complaint", "received", "");
    std::fs::write(outside.join("CMP-2026-0002.md"), &bad).unwrap();
    std::fs::remove_dir_all(repo.path("records/complaint")).unwrap();
    symlink(&outside, &repo.path("records/complaint"));
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let found: Vec<(String, String)> = run.findings().into_iter().map(|f| (f.code, f.file)).collect();
    // The committed complaint is gone from the tree git sees: its removal is judged too.
    assert_eq!(
        found,
        [
            ("file-name".to_string(), "records/complaint".to_string()),
            ("deleted".to_string(), "records/complaint/CMP-2026-0001.md".to_string()),
        ],
    );
    let before = snapshot(&outside);
    let run = repo.run(&["set", "CMP-2026-0002", "priority=high"]);
    assert_ne!(run.code, OK, "{}", run.stdout);
    let run = repo.run(&["new", "complaint", "--title", "T"]);
    assert_ne!(run.code, OK, "{}", run.stdout);
    assert!(run.stderr.contains("out of the repository root"), "{}", run.stderr);
    assert_same_files(&snapshot(&outside), &before, "nothing written outside the root");
}

// Defect 8: `set` on a symlinked record replaced the link with a file.

#[test]
fn set_on_a_symlinked_record_edits_its_target_and_keeps_the_link() {
    let repo = repo_with_complaint();
    repo.write("store/CMP-2026-0001.md", complaint());
    symlink("../../store/CMP-2026-0001.md", &repo.path(C1));
    repo.run(&["set", "CMP-2026-0001", "priority=high"]).assert_code(OK);
    assert!(
        std::fs::symlink_metadata(repo.path(C1))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(front_matter(&repo.read("store/CMP-2026-0001.md"))["priority"], "high");
    // A link out of the root is refused, and stays as it was.
    let outside = repo.base().join("CMP-2026-0001.md");
    std::fs::write(&outside, complaint()).unwrap();
    symlink(&outside, &repo.path(C1));
    let run = repo.run(&["set", "CMP-2026-0001", "priority=low"]);
    assert_ne!(run.code, OK);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), complaint());
    assert!(
        std::fs::symlink_metadata(repo.path(C1))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

// Defect 9: a shallow clone gave wrong history results.

#[test]
fn shallow_clone_since_base_exits_2_with_advice() {
    let repo = repo_with_complaint();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    for (i, priority) in ["high", "low", "normal"].iter().enumerate() {
        let text = complaint().replace("owner:", &format!("priority: {priority}\nowner:"));
        repo.write(C1, text);
        repo.git(&[
            "-c",
            "user.email=a@x.org",
            "-c",
            "user.name=A",
            "commit",
            "-qam",
            &format!("change {i}"),
        ]);
    }
    let clone = repo.base().join("clone");
    let url = format!("file://{}", repo.root.display());
    git(repo.base(), &repo.home, &["clone", "-q", "--depth", "1", &url, "clone"]);
    git(&clone, &repo.home, &["fetch", "-q", "--depth", "1", "origin", &base]);
    let run = Run::of(
        casework(&repo.home)
            .current_dir(&clone)
            .args(["check", "--since", &base]),
    );
    run.assert_code(USAGE);
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    assert!(run.stderr.contains("--unshallow"), "{}", run.stderr);
    // `log` says that its timeline may start late.
    let run = Run::of(casework(&repo.home).current_dir(&clone).args(["log", "CMP-2026-0001"]));
    run.assert_code(OK);
    assert!(run.stderr.contains("this clone is shallow"), "{}", run.stderr);
    let run = Run::of(casework(&repo.home).current_dir(&clone).args(["show", "CMP-2026-0001"]));
    run.assert_code(OK);
    assert!(run.stdout.contains("a shallow clone"), "{}", run.stdout);
    // With the whole history, the same range is judged.
    git(&clone, &repo.home, &["fetch", "-q", "--unshallow"]);
    let run = Run::of(
        casework(&repo.home)
            .current_dir(&clone)
            .args(["check", "--since", &base]),
    );
    run.assert_code(OK);
}

// Defect 11: an ID sequence overflow wrapped around.

#[test]
fn id_sequence_overflow_is_an_id_format_finding_and_new_refuses() {
    let repo = repo_with_complaint();
    let huge = "CMP-2026-18446744073709551615";
    repo.write(
        &format!("records/complaint/{huge}.md"),
        complaint().replace("CMP-2026-0001", huge),
    );
    let run = repo.check_json(&[]);
    let findings = run.findings();
    assert!(findings.iter().any(|f| f.code == "id-format"), "{findings:?}");
    repo.remove(&format!("records/complaint/{huge}.md"));
    let top = "CMP-2026-999999999";
    repo.write(
        &format!("records/complaint/{top}.md"),
        complaint().replace("CMP-2026-0001", top),
    );
    repo.check_json(&[]).assert_code(OK);
    let run = repo.run(&["new", "complaint", "--title", "T"]);
    run.assert_code(USAGE);
    assert!(
        run.stderr.contains("no complaint ID is left for 2026"),
        "{}",
        run.stderr
    );
}

// Item 12, "also": `set` on a record whose YAML is broken exited 2 (usage) rather than 1.

#[test]
fn set_on_a_record_with_broken_yaml_exits_1() {
    let repo = repo_with_complaint();
    repo.write(C1, complaint().replace("title: A case", "title: [A case"));
    let run = repo.run(&["set", "CMP-2026-0001", "priority=high"]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains(C1), "{}", run.stderr);
}

// Issue 7, defects taken on early.

#[test]
fn completions_into_a_closed_pipe_do_not_panic() {
    let repo = Repo::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_casework"))
        .args(["completions", "bash"])
        .env("HOME", &repo.home)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away at once, as `| head -1` does after one line.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(OK), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn zero_max_file_size_and_empty_workdays_point_at_their_lines() {
    let repo = Repo::new();
    repo.edit_config("max_file_size = \"1 MiB\"", "max_file_size = 0");
    let run = repo.run(&["check"]);
    run.assert_code(USAGE);
    assert!(run.stderr.starts_with("casework.toml:6:17:"), "{}", run.stderr);
    repo.edit_config("max_file_size = 0", "max_file_size = \"1 MiB\"");
    repo.edit_config(
        "workdays = [\"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\"]",
        "workdays = []",
    );
    let run = repo.run(&["check"]);
    run.assert_code(USAGE);
    assert!(run.stderr.starts_with("casework.toml:11:12:"), "{}", run.stderr);
}

#[test]
fn since_does_not_judge_readmes_and_finds_upper_case_md() {
    let repo = repo_with_complaint();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write("records/README.md", "# Our records\n\nHow we file cases.\n");
    repo.write("records/complaint/README.md", "# Complaints\n");
    repo.git(&["add", "-A"]);
    repo.git(&["-c", "user.email=a@x.org", "-c", "user.name=A", "commit", "-qm", "docs"]);
    repo.check_json(&[]).assert_code(OK);
    repo.check_json(&["--since", &base]).assert_code(OK);
    repo.check_json(&["records/complaint/README.md"]).assert_code(OK);
    // A record saved as `.MD` is checked, not passed over.
    repo.write(
        "records/complaint/CMP-2026-0002.MD",
        complaint().replace("0001", "0002"),
    );
    let f = only_finding(&repo);
    assert_eq!(
        (f.code.as_str(), f.file.as_str()),
        ("file-name", "records/complaint/CMP-2026-0002.MD")
    );
}

#[test]
fn register_reason_with_a_line_break_disposes_of_no_other_id() {
    let repo = repo_with_complaint();
    repo.write(
        "disposals.csv",
        "id,kind,opened,closed,archived,disposed_at,reason,by\n\
         CMP-2020-0001,complaint,2020-01-02,2020-02-01,2020-03-01,2026-03-02,\"duplicate of\nCMP-2026-0005, merged\",r@example.org\n",
    );
    repo.write(
        C1,
        complaint().replace("owner:", "related:\n  - CMP-2020-0001\n  - CMP-2026-0005\nowner:"),
    );
    assert_eq!(only_finding(&repo).code, "broken-link");
}

#[test]
fn acting_user_follows_gits_order_author_email_then_user_email_then_email() {
    let repo = Repo::new();
    let owner = |repo: &Repo, env: &[(&str, &str)]| {
        let mut cmd = repo.cmd();
        cmd.args(["new", "complaint", "--title", "T"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let run = Run::of(&mut cmd);
        run.assert_code(OK);
        let text = repo.read(run.stdout.trim());
        text.lines().find_map(|l| l.strip_prefix("owner: ")).map(str::to_string)
    };
    assert_eq!(
        owner(&repo, &[("EMAIL", "env@example.org")]).as_deref(),
        Some("env@example.org")
    );
    repo.git(&["config", "user.email", "user@example.org"]);
    assert_eq!(
        owner(&repo, &[("EMAIL", "env@example.org")]).as_deref(),
        Some("user@example.org")
    );
    repo.git(&["config", "author.email", "author@example.org"]);
    assert_eq!(owner(&repo, &[]).as_deref(), Some("author@example.org"));
}

#[test]
fn a_date_only_deadline_is_that_day_in_the_calendars_zone() {
    let repo = Repo::new();
    repo.edit_config("timezone = \"UTC\"", "timezone = \"America/New_York\"");
    repo.write(
        "records/feedback/FF-2026-001.md",
        "---\nid: FF-2026-001\nkind: feedback\ntitle: One monthly invoice\nstatus: in_progress\n\
         opened: 2026-11-02T14:00:00Z\nowner: j.smith@example.com\ndate: 2026-11-02\n\
         stakeholder: Greenfield Lettings\nsummary: One invoice a month\nassigned_to: j.smith@example.com\n\
         due: 2026-11-10\n---\n",
    );
    // 07:00 in New York on the due day: due today, not breached yesterday.
    let run = Run::of(
        repo.cmd()
            .args(["check", "--format", "json"])
            .env("CASEWORK_NOW", "2026-11-10T12:00:00Z"),
    );
    run.assert_code(OK);
    assert_eq!(run.findings(), [], "{}", run.stdout);
    assert!(
        repo.check_json(&[]).findings().iter().any(|f| f.code == "sla"),
        "breached by 2026-11-23"
    );
    let run = Run::of(repo.cmd().args(["check"]).env("CASEWORK_NOW", "2026-11-11T12:00:00Z"));
    assert!(run.stdout.contains("was due 2026-11-10"), "{}", run.stdout);
}

// Issue 7, config: policy in casework.toml rather than constants.

/// `casework ARGS` as `email`, judged at `now`.
fn run_at(repo: &Repo, email: &str, now: &str, args: &[&str]) -> Run {
    Run::of(repo.cmd_as(email).args(args).env("CASEWORK_NOW", now))
}

#[test]
fn archive_state_and_role_are_the_kinds_own() {
    const KEEPER: &str = "keeper@example.com";
    const ARCHIVIST: &str = "archive@example.com";
    const NOTE: &str = "records/note/NOTE-2026-0001.md";
    let repo = Repo::with_history();
    repo.edit_config("[roles]", &format!("[roles]\nkeepers = [\"{KEEPER}\"]"));
    let mut config = repo.read("casework.toml");
    config.push_str(
        "\n[kinds.note]\nprefix = \"NOTE\"\nstates = [\"open\", \"done\", \"stored\"]\n\
         archive_state = \"stored\"\narchive_role = \"keepers\"\nretention_years = 3\n\
         transitions = [\n  { from = \"open\", to = \"done\" },\n  \
         { from = \"done\", to = \"stored\", role = \"keepers\", sets = [\"archive.archived_at\"] },\n]\n",
    );
    repo.write("casework.toml", config);
    repo.write("schemas/note.schema.json", "{\"type\": \"object\"}\n");
    let base = repo.write_commit(
        by(KEEPER, "2026-11-20T09:00:00Z"),
        NOTE,
        record("NOTE-2026-0001", "note", "done", ""),
        "Log a note",
    );

    // Into the custom archive state: its retention date is set.
    let run = run_at(
        &repo,
        KEEPER,
        "2026-11-23T12:00:00Z",
        &["transition", "NOTE-2026-0001", "stored"],
    );
    run.assert_code(OK);
    let data = front_matter(&repo.read(NOTE));
    assert_eq!(data["status"], "stored");
    assert_eq!(data["archive"]["retain_until"], "2029-11-23", "{data}");
    repo.commit(by(KEEPER, "2026-11-23T12:00:00Z"), "Store the note");

    // A stored note is changed only by the kind's archive role, not by the
    // default `records` role.
    let retitle = |from: &str, to: &str| repo.read(NOTE).replace(from, to);
    let by_archivist = repo.write_commit(
        by(ARCHIVIST, "2026-11-24T09:00:00Z"),
        NOTE,
        retitle("A case for the tests", "Retitled"),
        "Retitle",
    );
    repo.write_commit(
        by(KEEPER, "2026-11-25T09:00:00Z"),
        NOTE,
        retitle("Retitled", "Again"),
        "Retitle again",
    );
    let run = repo.check_json(&["--since", &base]);
    assert_eq!(
        run.history_errors(),
        [found("archived-modified", NOTE, Some(4), &by_archivist, ARCHIVIST)],
        "{}",
        run.stdout
    );
    let message = run.diagnostics_with("archived-modified")[0]["message"].to_string();
    assert!(message.contains("`keepers` role"), "{message}");
}

#[test]
fn retain_until_counts_from_closure_in_the_calendars_zone() {
    const ARCHIVIST: &str = "archive@example.com";
    let repo = Repo::new();
    repo.edit_config("timezone = \"UTC\"", "timezone = \"America/New_York\"");
    // Closed late on New Year's Eve in New York (already 2027 in UTC),
    // archived two months later.
    repo.write(
        C1,
        record(
            "CMP-2026-0001",
            "complaint",
            "closed",
            "owner: ann@example.org\ncorrective_actions:\n  - action: Refund issued\n    done: true\n\
             closure:\n  closed_at: 2026-12-31T23:30:00-05:00\n  closed_by: ann@example.org\n  communicated_via: email\n",
        ),
    );
    let run = run_at(
        &repo,
        ARCHIVIST,
        "2027-03-01T12:00:00Z",
        &["transition", "CMP-2026-0001", "archived"],
    );
    run.assert_code(OK);
    let data = front_matter(&repo.read(C1));
    assert_eq!(data["status"], "archived");
    assert_eq!(data["archive"]["retain_until"], "2028-12-31", "{data}");
}

// Issue 7, edit and output.

/// Regression: with the root in a sub-folder of the git work tree (a
/// monorepo), GitHub annotations and SARIF URIs named paths relative to the
/// root, which GitHub resolves against the work tree and cannot place.
#[test]
fn monorepo_github_and_sarif_paths_are_relative_to_the_git_work_tree() {
    let repo = Repo::empty();
    repo.git(&["init", "-q"]);
    Run::of(casework(&repo.home).arg("init").arg(repo.path("ops/cases"))).assert_code(OK);
    assert!(
        !repo.path("ops/cases/.git").exists(),
        "one repository, not a nested one"
    );
    const CMP: &str = "records/complaint/CMP-2026-0001.md";
    repo.write(
        &format!("ops/cases/{CMP}"),
        record("CMP-2026-0001", "complaint", "recieved", ""),
    );
    let check = |format: &str| {
        let run = Run::of(
            casework(&repo.home)
                .current_dir(repo.path("ops/cases/records"))
                .args(["check", "--format", format]),
        );
        run.assert_code(FINDINGS);
        run
    };
    let github = check("github").stdout;
    assert!(
        github.starts_with(&format!("::error file=ops/cases/{CMP},line=5,col=9,")),
        "{github}"
    );
    let sarif = check("sarif").json();
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], format!("ops/cases/{CMP}"), "{sarif}");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    // The other formats keep paths relative to the casework root.
    let json = check("json").json();
    assert_eq!(json["diagnostics"][0]["file"], CMP, "{json}");
    assert!(check("human").stdout.starts_with(&format!("{CMP}:5:9:")));
    assert!(check("junit").stdout.contains(&format!("name=\"{CMP}\"")));
}

// Issue 7, records and commands.

#[test]
fn files_in_a_case_folder_are_attachments_not_records() {
    let repo = repo_with_complaint();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    // Neither has front-matter: judged as records, each would be a finding.
    repo.write(
        "records/request/REQ-2026-0001/notes.md",
        "# Call notes\n\nThe customer rang.\n",
    );
    repo.write("records/complaint/CMP-2026-0001/scan/page.MD", "scanned letter\n");
    repo.git(&["add", "-A"]);
    repo.git(&[
        "-c",
        "user.email=a@x.org",
        "-c",
        "user.name=A",
        "commit",
        "-qm",
        "attachments",
    ]);
    let run = repo.check_json(&[]);
    run.assert_code(OK);
    assert_eq!(run.json()["summary"]["records"], 1, "{}", run.stdout);
    let run = repo.check_json(&["records/request/REQ-2026-0001/notes.md"]);
    run.assert_code(OK);
    assert_eq!(run.json()["summary"]["records"], 0, "{}", run.stdout);
    repo.check_json(&["records/request"]).assert_code(OK);
    repo.check_json(&["--since", &base]).assert_code(OK);
    // A folder not named like a case ID (a year) still holds records.
    repo.write("records/request/2026/REQ-2026-0002.md", "no front-matter\n");
    let f = only_finding(&repo);
    assert_eq!(
        (f.code.as_str(), f.file.as_str()),
        ("front-matter", "records/request/2026/REQ-2026-0002.md")
    );
}

/// Whether this process may list a folder it has no permission for (root
/// may), in which case a permission error cannot be provoked.
fn reads_past_permissions(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok()
}

#[test]
fn unreadable_kind_folder_exits_2_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo_with_complaint();
    let dir = repo.path("records/complaint");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    if reads_past_permissions(&dir) {
        // Running as root: chmod does not stop the walk. The walk error
        // is provoked another way in `walk_error_in_the_records_folder_exits_2`.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let run = repo.run(&["check"]);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    run.assert_code(USAGE);
    assert!(run.stderr.contains("records/complaint"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn walk_error_in_the_records_folder_exits_2() {
    let repo = repo_with_complaint();
    // A folder whose path is longer than the system allows (PATH_MAX,
    // 4096 bytes) cannot be listed by its path, even by root. Made with
    // short names, then renamed from the deepest up, so that no path used
    // to make it is too long.
    let top = repo.path("records/complaint");
    let depth = 22;
    let short = |levels: usize| (0..levels).fold(top.clone(), |p, _| p.join("x"));
    std::fs::create_dir_all(short(depth).join("last")).unwrap();
    let long = "d".repeat(200);
    for level in (1..=depth).rev() {
        std::fs::rename(short(level), short(level - 1).join(&long)).unwrap();
    }
    let run = repo.run(&["check"]);
    run.assert_code(USAGE);
    assert!(
        run.stderr.contains("cannot read the folder records/complaint/dddd"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    // `show` of a case not where its ID says looks in every record: the same error.
    let run = repo.run(&["show", "CMP-2026-0002"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("cannot read the folder"), "{}", run.stderr);
}

// Issue 7 — history

const HANDLER: &str = "ann@example.org";

/// Remove the loose object of the blob `rev:path`, as a partial clone
/// (`--filter=blob:none`) lacks it; repositories of these tests are never packed.
fn drop_blob(repo: &Repo, rev_path: &str) {
    let oid = repo.git(&["rev-parse", rev_path]).trim().to_string();
    std::fs::remove_file(repo.path(&format!(".git/objects/{}/{}", &oid[..2], &oid[2..]))).unwrap();
}

/// A complaint added, then its owner changed; the base commit before both.
fn complaint_history() -> (Repo, String) {
    let repo = Repo::with_history();
    let base = repo.sha("HEAD");
    repo.write_commit(by(HANDLER, "2026-11-02T09:30:00Z"), C1, complaint(), "Log");
    repo.write_commit(
        by(HANDLER, "2026-11-02T10:00:00Z"),
        C1,
        complaint().replace("owner: ann@example.org", "owner: bob@example.org"),
        "Hand over",
    );
    repo.check_json(&["--since", &base]).assert_code(OK);
    (repo, base)
}

#[test]
fn since_a_missing_blob_is_an_error_not_an_absent_file() {
    let (repo, base) = complaint_history();
    drop_blob(&repo, &format!("HEAD~1:{C1}"));
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("is not in this clone"), "{}", run.stderr);
}

#[test]
fn log_with_a_missing_blob_is_an_error_not_an_absent_file() {
    let (repo, _) = complaint_history();
    repo.run(&["log", "CMP-2026-0001"]).assert_code(OK);
    drop_blob(&repo, &format!("HEAD~1:{C1}"));
    let run = repo.run(&["log", "CMP-2026-0001", "--format", "json"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("is not in this clone"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    // `show` prints the same timeline: it fails the same way, not silently.
    let run = repo.run(&["show", "CMP-2026-0001"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("is not in this clone"), "{}", run.stderr);
}

#[test]
fn since_a_missing_register_blob_is_an_error() {
    let (repo, base) = complaint_history();
    repo.write(
        "disposals.csv",
        "id,kind,opened,closed,archived,disposed_at,reason,by\n",
    );
    repo.commit(by(HANDLER, "2026-11-02T11:00:00Z"), "Register");
    repo.write_commit(
        by(HANDLER, "2026-11-02T12:00:00Z"),
        C1,
        complaint().replace("owner: ann@example.org", "owner: cy@example.org"),
        "Hand over again",
    );
    repo.write(
        "disposals.csv",
        "id,kind,opened,closed,archived,disposed_at,reason,by\nCMP-2020-0001,complaint,2020-01-02,2020-02-01,2020-03-01,2026-03-02,done,r@example.org\n",
    );
    repo.write_commit(
        by(HANDLER, "2026-11-02T13:00:00Z"),
        C1,
        complaint().replace("owner: ann@example.org", "owner: dee@example.org"),
        "Dispose and hand over",
    );
    repo.check_json(&["--since", &base]).assert_code(OK);
    drop_blob(&repo, "HEAD~1:disposals.csv");
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("is not in this clone"), "{}", run.stderr);
}

#[test]
fn since_a_file_directly_in_the_records_folder_is_no_id_at_rev() {
    let repo = Repo::with_history();
    // Documentation beside the kind folders, named like a case: not a record.
    repo.write_commit(
        by(HANDLER, "2026-11-02T09:00:00Z"),
        "records/CMP-2026-0001.md",
        "# Notes on CMP-2026-0001\n",
        "Notes",
    );
    let base = repo.sha("HEAD");
    repo.write_commit(by(HANDLER, "2026-11-02T09:30:00Z"), C1, complaint(), "Log");
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(OK);
    assert_eq!(run.findings(), [], "{}", run.stdout);
}

#[test]
fn since_a_name_that_sorts_before_its_folder_removes_no_record() {
    // git sorts the folder `complaint` as `complaint/`, after
    // `complaint-notes.txt`; a diff that sorted it as `complaint` paired the
    // wrong entries and saw every complaint removed.
    let repo = Repo::with_history();
    repo.write(C1, complaint());
    repo.write("records/complaint-notes.txt", "Notes\n");
    repo.commit(by(HANDLER, "2026-11-02T09:30:00Z"), "Log");
    let base = repo.sha("HEAD");
    repo.remove("records/complaint-notes.txt");
    repo.commit(by(HANDLER, "2026-11-02T10:00:00Z"), "Tidy");
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(OK);
    assert_eq!(run.findings(), [], "{}", run.stdout);
}

// Issue 8, the handler's rough edges.

/// The subcommands `casework --help` lists.
fn commands(repo: &Repo) -> Vec<String> {
    let help = repo.run(&["--help"]).stdout;
    let list = &help[help.find("Commands:").expect("a command list")..];
    list.lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Regression: the `deleted` finding sent users to `casework dispose`,
/// which did not exist; every command a message names must exist.
#[test]
fn messages_name_only_commands_that_exist() {
    let (repo, base) = complaint_history();
    repo.remove(C1);
    repo.commit(by(HANDLER, "2026-11-03T09:00:00Z"), "Remove");
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(FINDINGS);
    let message = run.diagnostics_with("deleted")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("disposal register (disposals.csv)"), "{message}");
    assert!(message.contains("by hand"), "{message}");
    // Every message and every rule text of every format.
    let known = commands(&repo);
    let mut texts = vec![run.stdout.clone()];
    for format in ["human", "sarif", "junit", "github"] {
        texts.push(Run::of(repo.cmd().args(["check", "--format", format, "--since", &base])).stdout);
    }
    texts.push(std::fs::read_to_string(repo.path(".gitignore")).unwrap_or_default());
    for text in &texts {
        for (at, _) in text.match_indices("casework ") {
            let word: String = text[at + 9..].chars().take_while(|c| c.is_ascii_lowercase()).collect();
            let quoted = text[..at].ends_with('`');
            if quoted {
                assert!(
                    known.contains(&word),
                    "`casework {word}` is named but is no command ({known:?})"
                );
            }
        }
    }
}

/// Issue 8 item 11: `show req-2026-0001` found nothing.
#[test]
fn ids_on_the_command_line_are_accepted_in_any_case() {
    let (repo, _) = complaint_history();
    let run = repo.run(&["show", "cmp-2026-0001"]);
    run.assert_code(OK);
    assert!(run.stdout.contains("CMP-2026-0001"), "{}", run.stdout);
    let run = repo.run(&["log", "Cmp-2026-0001", "--format", "json"]);
    run.assert_code(OK);
    assert_eq!(run.json()["id"], "CMP-2026-0001");
    let run = Run::of(
        repo.cmd_as(HANDLER)
            .args(["set", "cmp-2026-0001", "owner=cy@example.org"]),
    );
    run.assert_code(OK);
    assert!(repo.read(C1).contains("owner: cy@example.org"));
}

/// Issue 8 item 11: `new requests` gave no hint.
#[test]
fn new_with_a_misspelt_kind_suggests_the_kind() {
    let repo = Repo::new();
    let run = repo.run(&["new", "requests", "--title", "T"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("did you mean `request`?"), "{}", run.stderr);
    let run = repo.run(&["new", "Complaint", "--title", "T"]);
    assert!(run.stderr.contains("did you mean `complaint`?"), "{}", run.stderr);
}

/// Issue 8 item 8: a record created in a state named `new` read
/// "transition: (new) -> new", and an appended update three field diffs.
#[test]
fn timeline_says_created_in_a_state_and_shows_an_update_as_one_line() {
    const REQ: &str = "records/request/REQ-2026-0001.md";
    let repo = Repo::with_history();
    let text = record("REQ-2026-0001", "request", "new", "");
    repo.write_commit(by(HANDLER, "2026-11-02T09:00:00Z"), REQ, text.clone(), "Log");
    let with_update = text.replace(
        "status: new\n",
        "status: new\nupdates:\n  - at: 2026-11-02T10:00:00Z\n    by: ann@example.org\n    note: Called the customer back\n",
    );
    repo.write_commit(by(HANDLER, "2026-11-02T10:00:00Z"), REQ, with_update, "Update");
    let run = repo.run(&["log", "REQ-2026-0001"]);
    run.assert_code(OK);
    let out = &run.stdout;
    assert!(out.contains("    created in `new` with "), "{out}");
    assert!(!out.contains("(new) -> new"), "{out}");
    assert!(
        out.contains("    update 2026-11-02T10:00:00Z by ann@example.org: Called the customer back\n"),
        "{out}"
    );
    assert!(!out.contains("updates.0.note"), "{out}");
}

/// Issue 8 item 10: a record left with conflict markers read as a YAML
/// syntax error somewhere inside the conflict.
#[test]
fn conflict_markers_are_an_unresolved_merge_conflict_finding() {
    let repo = Repo::new();
    let text = complaint().replacen(
        "owner: ann@example.org\n",
        "<<<<<<< HEAD\nowner: ann@example.org\n=======\nowner: cy@example.org\n>>>>>>> feature\n",
        1,
    );
    let line = text.lines().position(|l| l.starts_with("<<<<<<<")).unwrap() + 1;
    repo.write(C1, text);
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let found = run.diagnostics_with("yaml");
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(found[0]["line"], line);
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("unresolved merge conflict at line {line} (`<<<<<<< HEAD`)")),
        "{message}"
    );
    // Around the whole front-matter too, where no `---` opens it.
    repo.write(
        C1,
        format!("<<<<<<< HEAD\n{}=======\n{}>>>>>>> feature\n", complaint(), complaint()),
    );
    let run = repo.check_json(&[]);
    assert!(
        run.diagnostics_with("yaml")[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("unresolved merge conflict at line 1"),
        "{}",
        run.stdout
    );
}

/// Issue 8 item 11: `show` on a broken file exited 2 and gave no line.
#[test]
fn show_on_a_broken_record_exits_1_with_file_line_and_column() {
    let repo = Repo::new();
    repo.write(C1, "---\nid: CMP-2026-0001\nkind: complaint\nstatus: [\n---\n");
    let run = repo.run(&["show", "CMP-2026-0001"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains(&format!("{C1}:5:1: invalid YAML")),
        "{}",
        run.stderr
    );
}

/// Issue 8 item 11: `new --commit` without a git identity failed inside
/// git's commit (exit 2) after the record was written.
#[test]
fn commit_without_a_git_identity_is_refused_before_writing_with_the_fix() {
    let repo = Repo::with_history();
    let listing = || repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    let before = listing();
    let run = repo.run(&[
        "new",
        "request",
        "--title",
        "Invoice copy",
        "--set",
        "customer.name=Ada",
        "--set",
        "customer.contact=ada@example.org",
        "--set",
        "channel=email",
        "--commit",
    ]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("--commit needs a git identity"), "{}", run.stderr);
    assert!(run.stderr.contains("git config --global user.email"), "{}", run.stderr);
    assert_eq!(listing(), before, "nothing written");
}
