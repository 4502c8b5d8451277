//! `casework export` and `casework import` on real repositories: the
//! round trip of every field of the sample records, the follow-up
//! procedure's tracker table, the records role for later states (in
//! `import` and in `check --since`), and each kind of bad CSV, which must
//! leave every file as it was.

use crate::registers::{ARCHIVIST, HANDLER};
use crate::support::*;
use std::path::Path;

const KINDS: [&str; 5] = ["order", "incident", "complaint", "request", "feedback"];

/// The `--map`s and default the procedure's table needs.
const TRACKER_ARGS: [&str; 13] = [
    "--map",
    "Date=date",
    "--map",
    "Date=opened",
    "--map",
    "Feedback/Follow-up=summary",
    "--map",
    "Feedback/Follow-up=title",
    "--map",
    "Resolution/Comments=resolution",
    "--set",
    "due=2024-07-31",
    "--keep-ids",
];

fn samples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-records")
}

/// A repository with the sample records' configuration and schemas, no records, committed.
fn sample_config_repo() -> Repo {
    let repo = Repo::empty();
    repo.copy_in(&samples().join("schemas"), "schemas");
    repo.write("casework.toml", std::fs::read(samples().join("casework.toml")).unwrap());
    repo.git(&["init", "-q", "-b", "main"]);
    repo.commit(by(SETUP_AUTHOR, SETUP_DATE), "Configuration");
    repo
}

/// A repository made by `casework init`, committed, and `csv` written beside it.
fn repo_with_csv(csv: impl AsRef<[u8]>) -> (Repo, String) {
    let repo = Repo::with_history();
    let file = repo.base().join("tracker.csv");
    std::fs::write(&file, csv).unwrap();
    (repo, file.display().to_string())
}

/// `import ARGS` as `who`; asserts the code and that, on failure, no file changed.
fn import(repo: &Repo, who: &str, args: &[&str], code: i32) -> Run {
    let before = snapshot(&repo.root);
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let run = run_as(repo, who, &all);
    run.assert_code(code);
    if code != OK {
        assert_same_files(&snapshot(&repo.root), &before, "a refused import");
    }
    run
}

/// The export of `kind` as rows of (header, cell), `imported.*` left out.
fn exported(repo_root: &Path, home: &Path, kind: &str) -> Vec<Vec<(String, String)>> {
    let run = Run::of(casework(home).arg("-C").arg(repo_root).args(["export", kind]));
    run.assert_code(OK);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_string))
                .filter(|(h, _)| !h.starts_with("imported."))
                .collect()
        })
        .collect()
}

#[test]
fn export_then_import_round_trips_every_field_and_body_of_the_sample_records() {
    let target = sample_config_repo();
    for kind in KINDS {
        let run = Run::of(casework(&target.home).arg("-C").arg(samples()).args(["export", kind]));
        run.assert_code(OK);
        let file = target.base().join(format!("{kind}.csv"));
        std::fs::write(&file, &run.stdout).unwrap();
        // Kinds link to each other: a link to a kind not imported yet is a warning.
        let imported = import(
            &target,
            ARCHIVIST,
            &[kind, file.to_str().unwrap(), "--keep-ids", "--commit"],
            OK,
        );
        assert!(
            imported.stderr.contains(&format!(
                "imported {} {kind} record(s)",
                imported.stdout.lines().count()
            )),
            "{}",
            imported.stderr
        );
    }
    for kind in KINDS {
        let before = exported(&samples(), &target.home, kind);
        let after = exported(&target.root, &target.home, kind);
        assert!(!before.is_empty(), "{kind}: the samples have records of every kind");
        assert_eq!(after, before, "{kind}: export, import, export again");
    }
    // The import commits pass the lifecycle check: later states by the records role.
    let since = target.run(&["check", "--since", "HEAD~5"]);
    since.assert_code(OK);
    let marked = front_matter(&target.read("records/complaint/CMP-2025-0001.md"));
    assert_eq!(marked["imported"]["from"], "complaint.csv");
    assert_eq!(marked["imported"]["at"], NOW);
}

#[test]
fn the_follow_up_procedure_tracker_table_imports_with_map_and_keep_ids() {
    let fixture = fixtures().join("import/follow-up-tracker.csv");
    let repo = Repo::with_history();
    let mut args = vec!["feedback", fixture.to_str().unwrap()];
    args.extend(TRACKER_ARGS);
    args.push("--commit");
    let run = import(&repo, ARCHIVIST, &args, OK);
    assert!(
        run.stdout
            .contains("line 2: records/feedback/FF-2024-015.md (completed)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("line 3: records/feedback/FF-2024-016.md (in_progress)")
    );
    let done = front_matter(&repo.read("records/feedback/FF-2024-015.md"));
    assert_eq!(done["status"], "completed");
    assert_eq!(done["date"], "2024-06-17");
    assert_eq!(done["opened"], "2024-06-17T00:00:00Z");
    assert_eq!(done["stakeholder"], "Client A");
    assert_eq!(done["title"], "Requested clarification on delivery dates.");
    assert_eq!(done["summary"], "Requested clarification on delivery dates.");
    assert_eq!(done["assigned_to"], "John Smith");
    assert_eq!(done["resolution"], "Provided updated schedule and confirmation email.");
    assert_eq!(done["due"], "2024-07-31");
    assert_eq!(done["imported"]["from"], "follow-up-tracker.csv");
    let open = front_matter(&repo.read("records/feedback/FF-2024-016.md"));
    assert_eq!(open["status"], "in_progress");
    assert_eq!(open["assigned_to"], "IT Support");
    let log = repo.git(&["log", "-1", "--format=%ae%n%B"]);
    assert!(log.starts_with(ARCHIVIST), "{log}");
    assert!(log.contains("FF-2024-015 (line 2)"), "{log}");
    repo.run(&["check", "--since", "HEAD~1"]).assert_code(OK);
}

#[test]
fn import_refuses_a_later_state_without_the_records_role_and_writes_nothing() {
    let fixture = fixtures().join("import/follow-up-tracker.csv");
    let repo = Repo::with_history();
    let mut args = vec!["feedback", fixture.to_str().unwrap()];
    args.extend(TRACKER_ARGS);
    let run = import(&repo, HANDLER, &args, FINDINGS);
    assert!(
        run.stderr
            .contains("follow-up-tracker.csv:2: error: FF-2024-015 is imported in state `completed`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("needs the `records` role, whose members are archive@example.com"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing imported"), "{}", run.stderr);
    // Rows in the first state need no role.
    let (repo, file) = repo_with_csv(
        "Title,Date,Stakeholder,Summary,Assigned to,Due\nCall back,2026-11-20,Client A,Wants a call,h.handler@example.com,2026-12-01\n",
    );
    let run = import(&repo, HANDLER, &["feedback", &file, "--map", "Date=date"], OK);
    assert!(
        run.stdout.contains("records/feedback/FF-2026-001.md (pending)"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_since_accepts_a_later_state_only_with_the_import_marker_and_the_records_role() {
    let feedback = |id: &str, marker: &str| {
        format!(
            "---\nid: {id}\nkind: feedback\ntitle: Late item\nstatus: in_progress\nopened: 2026-11-02T09:00:00Z\n\
             date: 2026-11-02\nstakeholder: Client A\nsummary: Wants a call\nassigned_to: IT Support\ndue: 2026-12-20\n{marker}---\n"
        )
    };
    let marker = "imported:\n  from: tracker.csv\n  at: 2026-11-20T09:00:00Z\n";
    let repo = Repo::with_history();
    repo.write("records/feedback/FF-2026-001.md", feedback("FF-2026-001", ""));
    let sha = repo.commit(by(ARCHIVIST, "2026-11-20T09:00:00Z"), "No marker");
    let run = repo.check_json(&["--since", "HEAD~1"]);
    run.assert_code(FINDINGS);
    let errors = run.errors();
    assert_eq!(
        errors,
        vec![found(
            "transition",
            "records/feedback/FF-2026-001.md",
            Some(5),
            &sha,
            ARCHIVIST
        )]
    );
    repo.write("records/feedback/FF-2026-002.md", feedback("FF-2026-002", marker));
    let sha = repo.commit(by(HANDLER, "2026-11-20T10:00:00Z"), "Marker, no role");
    let run = repo.check_json(&["--since", "HEAD~1"]);
    assert_eq!(
        run.errors(),
        vec![found("role", "records/feedback/FF-2026-002.md", Some(5), &sha, HANDLER)]
    );
    repo.write("records/feedback/FF-2026-003.md", feedback("FF-2026-003", marker));
    repo.commit(by(ARCHIVIST, "2026-11-20T11:00:00Z"), "Marker and role");
    repo.check_json(&["--since", "HEAD~1"]).assert_code(OK);
}

/// A pending feedback item `id`, committed by the handler.
fn commit_pending_feedback(repo: &Repo, id: &str) {
    let fields = "date: 2026-11-01\nstakeholder: A\nsummary: S\nassigned_to: x@example.com\ndue: 2026-12-01\n";
    repo.write(
        &format!("records/feedback/{id}.md"),
        record(id, "feedback", "pending", fields),
    );
    repo.commit(by(HANDLER, "2026-11-20T09:00:00Z"), "One record");
}

#[test]
fn import_gives_the_next_free_ids_per_year_and_keeps_a_tracker_id_as_a_reference() {
    let (repo, file) = repo_with_csv(
        "ID,Title,Date,Stakeholder,Summary,Assigned to,Due\n\
         T-1,One,2026-11-20,A,S,x@example.com,2026-12-01\n\
         T-2,Two,2025-03-01,B,S,x@example.com,2025-03-10\n\
         T-3,Three,2026-11-21,C,S,x@example.com,2026-12-01\n",
    );
    commit_pending_feedback(&repo, "FF-2026-007");
    let run = import(
        &repo,
        HANDLER,
        &["feedback", &file, "--map", "Date=date", "--map", "Date=opened"],
        OK,
    );
    for (line, path) in [(2, "FF-2026-008"), (3, "FF-2025-001"), (4, "FF-2026-009")] {
        assert!(
            run.stdout.contains(&format!("line {line}: records/feedback/{path}.md")),
            "{}",
            run.stdout
        );
    }
    let one = front_matter(&repo.read("records/feedback/FF-2026-008.md"));
    assert_eq!(one["imported"]["ref"], "T-1");
    repo.run(&["check"]).assert_code(OK);
}

#[test]
fn import_refuses_ids_taken_twice_or_already_used() {
    let (repo, file) = repo_with_csv(
        "ID,Title,Date,Stakeholder,Summary,Assigned to,Due\n\
         FF-2026-001,One,2026-11-20,A,S,x@example.com,2026-12-01\n\
         FF-2026-002,Two,2026-11-20,B,S,x@example.com,2026-12-01\n\
         FF-2026-002,Three,2026-11-20,C,S,x@example.com,2026-12-01\n\
         FF-26-4,Four,2026-11-20,C,S,x@example.com,2026-12-01\n",
    );
    commit_pending_feedback(&repo, "FF-2026-001");
    let run = import(
        &repo,
        HANDLER,
        &["feedback", &file, "--keep-ids", "--map", "Date=date"],
        FINDINGS,
    );
    let err = &run.stderr;
    assert!(err.contains(":2: error: column \"ID\": FF-2026-001 is taken"), "{err}");
    assert!(
        err.contains(":4: error: column \"ID\": FF-2026-002 is the ID of line 3 too"),
        "{err}"
    );
    assert!(
        err.contains(":5: error: column \"ID\": `FF-26-4` is not a feedback ID"),
        "{err}"
    );
    assert!(err.contains("3 of 4 row(s) cannot be imported"), "{err}");
}

#[test]
fn skip_invalid_imports_the_valid_rows_and_reports_the_others() {
    let (repo, file) = repo_with_csv(
        "Title,Date,Stakeholder,Summary,Assigned to,Due\n\
         Good,2026-11-20,A,S,x@example.com,2026-12-01\n\
         Bad,someday,B,S,x@example.com,2026-12-01\n",
    );
    let run = import(
        &repo,
        HANDLER,
        &["feedback", &file, "--map", "Date=date", "--skip-invalid"],
        OK,
    );
    assert!(run.stderr.contains(":3: error: "), "{}", run.stderr);
    assert!(run.stderr.contains("someday"), "{}", run.stderr);
    assert!(run.stderr.contains("imported 1 feedback record(s)"), "{}", run.stderr);
    assert!(run.stderr.contains("left out 1 invalid row(s)"), "{}", run.stderr);
    assert!(repo.path("records/feedback/FF-2026-001.md").exists());
    assert!(!repo.path("records/feedback/FF-2026-002.md").exists());
}

#[test]
fn import_dry_run_prints_the_plan_and_writes_nothing() {
    let (repo, file) =
        repo_with_csv("Title,Stakeholder,Summary,Assigned to,Due,Date\nOne,A,S,x@example.com,2026-12-01,2026-11-20\n");
    let before = snapshot(&repo.root);
    let run = run_as(&repo, HANDLER, &["import", "feedback", &file, "--dry-run"]);
    run.assert_code(OK);
    assert!(
        run.stdout.contains("records/feedback/FF-2026-001.md (pending)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("would import 1 feedback record(s)"),
        "{}",
        run.stderr
    );
    assert_same_files(&snapshot(&repo.root), &before, "import --dry-run");
}

// --- bad CSV ----------------------------------------------------------------------------------

#[test]
fn a_csv_with_a_byte_order_mark_semicolons_and_quoted_newlines_imports() {
    let (repo, file) = repo_with_csv(
        "\u{feff}Title;Date;Stakeholder;Summary;Assigned to;Due;Tags;body\n\
         \"Call back; soon\";2026-11-20;Client A;\"Two\nlines\";x@example.com;2026-12-01;vip; billing;\"## Notes\n\nSaid \"\"hello\"\".\n\"\n",
    );
    // With `;` the delimiter, an unquoted `vip; billing` is two cells.
    let run = import(&repo, HANDLER, &["feedback", &file], FINDINGS);
    assert!(
        run.stderr
            .contains(":2: error: has 9 cells where the header has 8 columns"),
        "{}",
        run.stderr
    );
    let (repo, file) = repo_with_csv(
        "\u{feff}Title;Date;Stakeholder;Summary;Assigned to;Due;Tags;body\n\
         \"Call back; soon\";2026-11-20;Client A;\"Two\nlines\";x@example.com;2026-12-01;\"vip; billing\";\"## Notes\n\nSaid \"\"hello\"\".\n\"\n",
    );
    import(&repo, HANDLER, &["feedback", &file], OK);
    let text = repo.read("records/feedback/FF-2026-001.md");
    let fm = front_matter(&text);
    assert_eq!(fm["title"], "Call back; soon");
    assert_eq!(fm["summary"], "Two\nlines");
    assert_eq!(fm["tags"], serde_json::json!(["vip", "billing"]));
    assert!(text.ends_with("---\n## Notes\n\nSaid \"hello\".\n"), "{text}");
    repo.run(&["check"]).assert_code(OK);
}

#[test]
fn ragged_rows_are_refused_by_line() {
    let (repo, file) = repo_with_csv(
        "Title,Date,Stakeholder,Summary,Assigned to,Due\n\
         One,2026-11-20,A,S,x@example.com\n\
         Two,2026-11-20,A,S,x@example.com,2026-12-01,extra\n\
         Three,2026-11-20,A,S,x@example.com,2026-12-01\n",
    );
    let run = import(&repo, HANDLER, &["feedback", &file], FINDINGS);
    assert!(
        run.stderr
            .contains(":2: error: has 5 cells where the header has 6 columns"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(":3: error: has 7 cells"), "{}", run.stderr);
    assert!(!run.stderr.contains(":4:"), "{}", run.stderr);
}

#[test]
fn non_utf8_bytes_are_refused_by_line_and_column() {
    let (repo, file) = repo_with_csv(
        b"Title,Date,Stakeholder,Summary,Assigned to,Due\nOne,2026-11-20,Caf\xe9 Rouge,S,x@example.com,2026-12-01\n",
    );
    let run = import(&repo, HANDLER, &["feedback", &file], FINDINGS);
    assert!(
        run.stderr.contains(
            ":2: error: column \"Stakeholder\": is not UTF-8 text (byte 0xE9 after `Caf`): save the file as UTF-8"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn duplicate_and_unknown_headers_are_refused_before_any_row() {
    let (repo, file) = repo_with_csv("Title,Status,Stakeholder,status,Notes\nOne,pending,A,pending,x\n");
    let run = import(&repo, HANDLER, &["feedback", &file], USAGE);
    assert!(run.stderr.contains("the header cannot be imported"), "{}", run.stderr);
    assert!(
        run.stderr.contains("columns 2 and 4 are both named `status`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("column `Notes` names no field of kind `feedback`: map it with --map \"Notes=FIELD\""),
        "{}",
        run.stderr
    );
    let run = import(&repo, HANDLER, &["feedback", &file, "--map", "Owner=owner"], USAGE);
    assert!(
        run.stderr.contains("--map Owner=...: the file has no column `Owner`"),
        "{}",
        run.stderr
    );
    let run = import(&repo, HANDLER, &["feedback", &file, "--map", "Notes=sumary"], USAGE);
    assert!(run.stderr.contains("did you mean `summary`?"), "{}", run.stderr);
}

#[test]
fn a_state_word_of_the_tracker_is_mapped_with_state() {
    let csv =
        "Title,Date,Stakeholder,Summary,Assigned to,Due,Status\nOne,2026-11-20,A,S,x@example.com,2026-12-01,Working\n";
    let (repo, file) = repo_with_csv(csv);
    let run = import(&repo, ARCHIVIST, &["feedback", &file, "--map", "Date=date"], FINDINGS);
    assert!(
        run.stderr.contains("`Working` is no state of a feedback (pending, in_progress, completed, archived): map it with --state \"Working=STATE\""),
        "{}",
        run.stderr
    );
    import(
        &repo,
        ARCHIVIST,
        &[
            "feedback",
            &file,
            "--map",
            "Date=date",
            "--state",
            "working=in_progress",
        ],
        OK,
    );
    assert_eq!(
        front_matter(&repo.read("records/feedback/FF-2026-001.md"))["status"],
        "in_progress"
    );
}

#[test]
fn a_file_over_100_mib_a_fifo_and_an_empty_file_are_refused() {
    let (repo, file) = repo_with_csv("");
    let run = import(&repo, HANDLER, &["feedback", &file], USAGE);
    assert!(
        run.stderr.contains("is empty: the first line must name the columns"),
        "{}",
        run.stderr
    );
    // Sparse: no 100 MB written to disk.
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_len(100 * 1024 * 1024 + 1)
        .unwrap();
    let run = import(&repo, HANDLER, &["feedback", &file], USAGE);
    assert!(
        run.stderr
            .contains("is 104857601 bytes, more than the 100 MiB casework imports at once"),
        "{}",
        run.stderr
    );
    #[cfg(unix)]
    {
        let fifo = repo.base().join("fifo.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let run = import(&repo, HANDLER, &["feedback", fifo.to_str().unwrap()], USAGE);
        assert!(run.stderr.contains("is not a regular file"), "{}", run.stderr);
    }
}

#[test]
fn export_writes_lists_of_mappings_as_json_and_the_json_format_carries_the_body() {
    let repo = Repo::with_history();
    repo.write(
        "records/feedback/FF-2026-001.md",
        "---\nid: FF-2026-001\nkind: feedback\ntitle: One\nstatus: pending\nopened: 2026-11-02T09:00:00Z\n\
         tags: [vip, \"a; b\"]\ndate: 2026-11-02\nstakeholder: A\nsummary: S\nassigned_to: x@example.com\ndue: 2026-12-01\n\
         responses:\n  - at: 2026-11-03T09:00:00Z\n    by: x@example.com\n    action: Called\n---\n## Notes\n",
    );
    let run = repo.run(&["export", "feedback"]);
    run.assert_code(OK);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header.first().map(String::as_str), Some("id"));
    assert_eq!(header.last().map(String::as_str), Some("body"));
    let row = reader.records().next().unwrap().unwrap();
    let cell = |h: &str| {
        row.get(header.iter().position(|x| x == h).unwrap())
            .unwrap()
            .to_string()
    };
    assert_eq!(cell("tags"), r#"["vip","a; b"]"#);
    assert_eq!(
        cell("responses"),
        r#"[{"at":"2026-11-03T09:00:00Z","by":"x@example.com","action":"Called"}]"#
    );
    assert_eq!(cell("body"), "## Notes\n");
    let run = repo.run(&["export", "feedback", "--format", "json"]);
    run.assert_code(OK);
    let doc = run.json();
    assert_eq!(doc[0]["id"], "FF-2026-001");
    assert_eq!(doc[0]["body"], "## Notes\n");
    assert_eq!(doc[0]["responses"][0]["action"], "Called");
}

#[test]
fn rows_of_a_crlf_file_are_reported_at_their_own_line() {
    // The csv crate places a record after a CRLF one line early.
    let (repo, file) = repo_with_csv("Title,Date\r\nOne,soon\r\n\r\n\"Two\r\nlines\",later\r\n");
    let run = import(&repo, HANDLER, &["feedback", &file, "--map", "Date=date"], FINDINGS);
    assert!(run.stderr.contains(":2: error: "), "{}", run.stderr);
    assert!(run.stderr.contains(":4: error: "), "{}", run.stderr);
    assert!(
        !run.stderr.contains(":1: error: ") && !run.stderr.contains(":3: error: "),
        "{}",
        run.stderr
    );
}

#[test]
fn plain_check_judges_an_uncommitted_record_in_a_later_state_as_its_commit_would_be() {
    let item = "---\nid: FF-2026-001\nkind: feedback\ntitle: Late item\nstatus: in_progress\nopened: 2026-11-02T09:00:00Z\n\
                date: 2026-11-02\nstakeholder: Client A\nsummary: Wants a call\nassigned_to: IT Support\ndue: 2026-12-20\n\
                imported:\n  from: tracker.csv\n  at: 2026-11-20T09:00:00Z\n---\n";
    let repo = Repo::with_history();
    repo.write("records/feedback/FF-2026-001.md", item);
    let run = Run::of(repo.cmd_as(HANDLER).args(["check", "--format", "json"]));
    run.assert_code(FINDINGS);
    let codes: Vec<String> = run.findings().iter().map(|f| f.code.clone()).collect();
    assert_eq!(codes, ["role"], "{}", run.stdout);
    Run::of(repo.cmd_as(ARCHIVIST).args(["check"])).assert_code(OK);
    // Without the marker, no role lets a new record skip the first state.
    repo.write(
        "records/feedback/FF-2026-001.md",
        item.replace("imported:\n  from: tracker.csv\n  at: 2026-11-20T09:00:00Z\n", ""),
    );
    let run = Run::of(repo.cmd_as(ARCHIVIST).args(["check", "--format", "json"]));
    let codes: Vec<String> = run.findings().iter().map(|f| f.code.clone()).collect();
    assert_eq!(codes, ["transition"], "{}", run.stdout);
}
