//! Regressions of the output formats (issue 6, defects 3, 10 and 12): text
//! from a pull request (field values, file names, commit subjects, author
//! names) must not start a line, run a workflow command or drive the
//! terminal; SARIF and JUnit must read back as their consumers expect.

use crate::support::*;
use serde_json::Value;

const CMP: &str = "records/complaint/CMP-2026-0001.md";
/// A value that, printed as it is, puts workflow commands at the start of
/// lines of a GitHub Actions log.
const FORGED: &str = "x\n::warning file=x::forged\r::add-mask::x";
/// The same as a YAML double-quoted scalar.
const FORGED_YAML: &str = "\"x\\n::warning file=x::forged\\r::add-mask::x\"";
/// Terminal escapes: clear screen, OSC window title, C1 CSI, a bidi
/// override, line and paragraph separators (YAML double-quoted escapes).
const ESCAPES_YAML: &str = "\"a\\e[2J\\e]0;pwned\\a\\u009b31m\\u202Eevil\\u2028\\u2029b\"";

/// Characters that must never reach a terminal from data.
const RAW: [char; 7] = ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2028}', '\u{2029}', '\r'];

/// No line of `text` (split wherever a CI log or a terminal would break
/// it) starts with `::`, and no raw control character is left.
#[track_caller]
fn assert_no_command_lines(text: &str, what: &str) {
    for line in text.split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']) {
        assert!(
            !line.trim_start().starts_with("::"),
            "{what}: a line starts a workflow command: {line:?}\nin:\n{text}"
        );
    }
    for c in RAW {
        assert!(!text.contains(c), "{what}: raw {c:?} in:\n{text:?}");
    }
}

/// A complaint whose status, title and another field carry [`FORGED`].
fn forged_record(id: &str) -> String {
    format!(
        "---\nid: {id}\nkind: complaint\ntitle: {FORGED_YAML}\nstatus: {FORGED_YAML}\nopened: 2026-11-02T09:14:00Z\nchannel: {FORGED_YAML}\n---\nBody.\n"
    )
}

#[test]
fn human_format_escapes_newline_in_value_so_no_workflow_command() {
    let repo = Repo::new();
    repo.write(CMP, forged_record("CMP-2026-0001"));
    // A file name with the forged lines in it, and a record with raw
    // escapes in its YAML (shown in a snippet).
    repo.write(
        &format!("records/complaint/CMP-2026-0002{FORGED}.md"),
        record("CMP-2026-0002", "complaint", "received", ""),
    );
    repo.write(
        "records/complaint/CMP-2026-0003.md",
        "---\nid: CMP-2026-0003\nkind: complaint\ntitle: a\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}\u{202e}b\u{2028}c\nstatus: received\n---\n",
    );
    let run = repo.run(&["check"]);
    run.assert_code(FINDINGS);
    assert_no_command_lines(&run.stdout, "check stdout");
    assert_no_command_lines(&run.stderr, "check stderr");
    // The value is still shown, on one line.
    assert!(
        run.stdout.contains("x\\n::warning file=x::forged\\r::add-mask::x"),
        "{}",
        run.stdout
    );
    // `check -v` too.
    let run = repo.run(&["-v", "check"]);
    assert_no_command_lines(&run.stdout, "check -v stdout");
    assert_no_command_lines(&run.stderr, "check -v stderr");
}

#[test]
fn human_format_escapes_commit_subject_and_author() {
    let repo = Repo::with_history();
    let mallory = "mallory\u{1b}]0;pwned\u{7}\u{202e}@example.com";
    repo.write_commit(
        by("ann@example.com", "2026-11-02T09:30:00Z"),
        CMP,
        record("CMP-2026-0001", "complaint", "received", ""),
        "Log CMP-2026-0001",
    );
    let base = repo.sha("HEAD");
    // A transition the workflow does not allow: a history finding naming
    // the commit, its subject and author.
    repo.write_commit(
        by(mallory, "2026-11-03T09:30:00Z"),
        CMP,
        record("CMP-2026-0001", "complaint", "closed", ""),
        "Close\r::add-mask::x\u{1b}[2J",
    );
    let run = repo.run(&["check", "--since", &base]);
    run.assert_code(FINDINGS);
    assert!(run.stdout.contains("in commit"), "{}", run.stdout);
    assert_no_command_lines(&run.stdout, "check --since stdout");
    assert!(run.stdout.contains("Close\\r::add-mask::x\\u{1b}[2J"), "{}", run.stdout);
}

#[test]
fn show_strips_terminal_escapes() {
    let repo = Repo::with_history();
    let text = format!(
        "---\nid: CMP-2026-0001\nkind: complaint\ntitle: {FORGED_YAML}\nstatus: received\nopened: 2026-11-02T09:14:00Z\nchannel: {ESCAPES_YAML}\nsummary: {FORGED_YAML}\n---\nBody.\n"
    );
    repo.write_commit(
        by("mallory\u{1b}[2J@example.com", "2026-11-02T09:30:00Z"),
        CMP,
        &text,
        "Log\r::add-mask::x\u{1b}]0;pwned\u{7}",
    );
    let run = repo.run(&["show", "CMP-2026-0001"]);
    run.assert_code(OK);
    assert_no_command_lines(&run.stdout, "show stdout");
    assert!(
        run.stdout.contains("x\\n::warning file=x::forged\\r::add-mask::x"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\\u{1b}[2J"), "{}", run.stdout);
    assert!(run.stdout.contains("\\u{202e}evil"), "{}", run.stdout);
}

#[test]
fn log_strips_escapes_from_commit_subject_and_author() {
    let repo = Repo::with_history();
    let mallory = "mallory\u{1b}]0;pwned\u{7}\u{9b}2J\u{202e}@example.com";
    repo.write_commit(
        by(mallory, "2026-11-02T09:30:00Z"),
        CMP,
        record("CMP-2026-0001", "complaint", "received", ""),
        "Log\r::add-mask::x\u{1b}[2J\u{2028}::warning::forged",
    );
    repo.write_commit(
        by(mallory, "2026-11-02T10:30:00Z"),
        CMP,
        record(
            "CMP-2026-0001",
            "complaint",
            "received",
            &format!("channel: {FORGED_YAML}\n"),
        ),
        "Edit",
    );
    let run = repo.run(&["log", "CMP-2026-0001"]);
    run.assert_code(OK);
    assert_no_command_lines(&run.stdout, "log stdout");
    assert!(
        run.stdout
            .contains("Log\\r::add-mask::x\\u{1b}[2J\\u{2028}::warning::forged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("mallory\\u{1b}]0;pwned\\u{7}\\u{9b}2J\\u{202e}"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("x\\n::warning file=x::forged"), "{}", run.stdout);
}

#[test]
fn check_verbose_escapes_the_root_path() {
    let repo = Repo::empty();
    let root = repo.base().join("recs\n::warning file=x::forged\r::add-mask::x");
    Run::of(casework(&repo.home).arg("init").arg(&root)).assert_code(OK);
    let run = Run::of(casework(&repo.home).current_dir(&root).args(["-v", "check"]));
    run.assert_code(OK);
    assert!(run.stderr.contains("casework: root"), "{}", run.stderr);
    assert_no_command_lines(&run.stderr, "check -v stderr");
}

#[test]
fn error_messages_on_stderr_escape_file_names() {
    let repo = Repo::new();
    let run = repo.run(&["check", &format!("records/complaint/none{FORGED}.md")]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("no such file or folder"), "{}", run.stderr);
    assert_no_command_lines(&run.stderr, "stderr");
    let run = repo.run(&["show", "CMP-2026-0009"]);
    assert_no_command_lines(&run.stderr, "stderr");
}

fn sarif(repo: &Repo) -> Value {
    let run = repo.run(&["check", "--format", "sarif"]);
    run.assert_code(FINDINGS);
    run.json()
}

#[test]
fn sarif_rule_names_differ_from_ids() {
    let repo = Repo::new();
    repo.write(CMP, record("CMP-2026-0001", "complaint", "recieved", ""));
    let log = sarif(&repo);
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let squash = |s: &str| s.replace(['-', '_'], "").to_lowercase();
    for rule in rules {
        let (id, name) = (rule["id"].as_str().unwrap(), rule["name"].as_str().unwrap());
        assert_ne!(squash(id), squash(name), "rule {id}: name {name} is the id");
        assert!(
            name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{name}"
        );
    }
}

#[test]
fn sarif_result_without_position_has_region() {
    let repo = Repo::new();
    // A file too large to read: a finding with no position.
    repo.edit_config("max_file_size = \"1 MiB\"", "max_file_size = \"64\"");
    repo.write(CMP, record("CMP-2026-0001", "complaint", "received", ""));
    let log = sarif(&repo);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().is_some_and(|l| l >= 1), "{r}");
    }
}

#[test]
fn sarif_backslash_in_file_name_is_percent_encoded() {
    let repo = Repo::new();
    let name = "records/complaint/CMP\\2026 #1?%ü.md";
    repo.write(name, record("CMP-2026-0001", "complaint", "received", ""));
    let log = sarif(&repo);
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"records/complaint/CMP%5C2026%20%231%3F%25%C3%BC.md"),
        "{uris:?}"
    );
}

#[test]
fn junit_cr_is_written_as_char_ref() {
    let repo = Repo::new();
    repo.write(
        CMP,
        record("CMP-2026-0001", "complaint", "\"bad\\rstate\\nhere\\tok\"", ""),
    );
    let run = repo.run(&["check", "--format", "junit"]);
    run.assert_code(FINDINGS);
    assert!(!run.stdout.contains('\r'), "{:?}", run.stdout);
    assert!(run.stdout.contains("&#13;"), "{}", run.stdout);
    // Read back, the failure text and message keep the CR.
    let mut reader = quick_xml::Reader::from_str(&run.stdout);
    let (mut text, mut message, mut in_failure) = (String::new(), String::new(), false);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"failure" => {
                in_failure = true;
                for a in e.attributes() {
                    let a = a.unwrap();
                    if a.key.as_ref() == b"message" {
                        message = a
                            .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                            .unwrap()
                            .into_owned();
                    }
                }
            }
            quick_xml::events::Event::Text(t) if in_failure => text.push_str(&t.decode().unwrap()),
            quick_xml::events::Event::GeneralRef(r) if in_failure => {
                let name = r.decode().unwrap();
                text.push_str(&quick_xml::escape::unescape(&format!("&{name};")).unwrap());
            }
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"failure" => in_failure = false,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert!(text.contains("bad\rstate\nhere"), "{text:?}");
    assert!(message.contains("bad\rstate\nhere\tok"), "{message:?}");
}

#[test]
fn junit_failures_count_failure_elements() {
    let repo = Repo::new();
    // Two errors in one file, one in another.
    repo.write(CMP, record("CMP-2026-0002", "complaint", "recieved", ""));
    repo.write(
        "records/complaint/CMP-2026-0003.md",
        record("CMP-2026-0003", "complaint", "recieved", ""),
    );
    let run = repo.run(&["check", "--format", "junit"]);
    run.assert_code(FINDINGS);
    let failures = run.stdout.matches("<failure ").count();
    assert_eq!(repo.check_json(&[]).json()["summary"]["errors"], failures);
    assert!(failures >= 3, "{}", run.stdout);
    for tag in ["<testsuites ", "<testsuite "] {
        let line = run.stdout.lines().find(|l| l.trim_start().starts_with(tag)).unwrap();
        assert!(line.contains(&format!(" failures=\"{failures}\"")), "{line}");
    }
}
