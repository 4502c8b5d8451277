//! A broken casework.toml, a missing root, bad flags: exit 2, a message on
//! stderr naming `casework.toml:line:column`, nothing on stdout, whatever
//! `--format` says (SPEC sections 3 and 5).

use crate::support::*;

/// Break the scaffolded casework.toml by replacing `from` with `to`, then
/// expect `casework check` to stop at `casework.toml:L:C` where L:C is the
/// position of `at` in the broken file (plus `offset` characters).
fn broken(from: &str, to: &str, at: &str, offset: u64, message: &str) {
    let repo = Repo::new();
    repo.edit_config(from, to);
    // A record with findings: none of them may be reported.
    repo.write(
        "records/complaint/CMP-2026-0001.md",
        record("CMP-2026-0001", "complaint", "recieved", ""),
    );
    let text = repo.read("casework.toml");
    let (line, column) = pos_of(&text, at);
    let location = format!("casework.toml:{line}:{}:", column + offset);
    for format in ["human", "json", "github", "sarif", "junit"] {
        let run = repo.run(&["check", "--format", format]);
        run.assert_code(USAGE);
        assert_eq!(run.stdout, "", "{format}: stdout must stay empty");
        assert!(
            run.stderr.contains(&location),
            "{format}: stderr lacks {location}:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(message),
            "{format}: stderr lacks {message:?}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn toml_syntax_error() {
    // The unterminated string is noticed at the end of its line.
    let bad = "title = \"Customer care records";
    broken(
        "title = \"Customer care records\"",
        bad,
        bad,
        bad.chars().count() as u64,
        "",
    );
}

#[test]
fn unknown_key() {
    broken("dir = \"records\" ", "dirs = \"records\" ", "dirs", 0, "dirs");
}

#[test]
fn bad_type() {
    broken("digits = 4", "digits = \"four\"", "\"four\"", 0, "four");
}

#[test]
fn transition_to_an_undefined_state() {
    broken(
        "{ from = \"received\", to = \"investigating\" }",
        "{ from = \"received\", to = \"investigatin\" }",
        "\"investigatin\"",
        0,
        "`investigatin` is not a state of kind `complaint`",
    );
}

#[test]
fn transition_from_an_undefined_state() {
    // `from` may be one name or a list, so its own span is lost: the
    // transition's table is named instead.
    broken(
        "{ from = \"received\", to = \"investigating\" }",
        "{ from = \"recieved\", to = \"investigating\" }",
        "{ from = \"recieved\"",
        0,
        "`recieved` is not a state of kind `complaint`",
    );
}

#[test]
fn transition_needing_an_undefined_role() {
    broken(
        "role = \"manager\", sets = [\"closure.communicated_at\"]",
        "role = \"boss\", sets = [\"closure.communicated_at\"]",
        "\"boss\"",
        0,
        "role `boss` is not defined",
    );
}

#[test]
fn unknown_timezone() {
    broken(
        "timezone = \"UTC\"",
        "timezone = \"Mars/Olympus\"",
        "\"Mars/Olympus\"",
        0,
        "unknown timezone",
    );
}

#[test]
fn bad_holiday_and_workday() {
    broken(
        "holidays = [\"2026-12-25\"",
        "holidays = [\"2026-13-25\"",
        "\"2026-13-25\"",
        0,
        "2026-13-25",
    );
    broken(
        "workdays = [\"Mon\", \"Tue\"",
        "workdays = [\"Mon\", \"Tuesday-ish\"",
        "\"Tuesday-ish\"",
        0,
        "Tuesday-ish",
    );
}

#[test]
fn role_member_that_is_not_an_email() {
    broken(
        "manager = [\"m.jones@example.com\"]",
        "manager = [\"Mary Jones\"]",
        "\"Mary Jones\"",
        0,
        "not an email address",
    );
}

#[test]
fn prefix_used_twice() {
    broken(
        "prefix = \"FF\"",
        "prefix = \"INC\"",
        "prefix = \"INC\"\ndigits = 3",
        9,
        "already used by kind `incident`",
    );
}

#[test]
fn records_dir_leading_out_of_the_root() {
    broken(
        "dir = \"records\" ",
        "dir = \"../elsewhere\" ",
        "\"../elsewhere\"",
        0,
        "relative path inside the root",
    );
}

#[test]
fn max_file_size_of_the_wrong_type_names_the_setting() {
    broken(
        "max_file_size = \"1 MiB\"",
        "max_file_size = true",
        "true",
        0,
        "max_file_size",
    );
}

#[test]
fn broken_config_stops_new_before_writing() {
    let repo = Repo::new();
    repo.edit_config("timezone = \"UTC\"", "timezone = \"Nowhere/Special\"");
    let before = snapshot(&repo.root);
    let run = Run::of(
        repo.cmd()
            .args(["new", "complaint", "--title", "T"])
            .env("GIT_AUTHOR_EMAIL", "a@example.com"),
    );
    run.assert_code(USAGE);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("casework.toml:"), "{}", run.stderr);
    assert_same_files(&snapshot(&repo.root), &before, "no file may change");
}

#[test]
fn no_root_found() {
    let repo = Repo::empty();
    for format in ["human", "json"] {
        let run = repo.run(&["check", "--format", format]);
        run.assert_code(USAGE);
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains("casework init"), "{}", run.stderr);
    }
    let run = repo.run(&["new", "complaint", "--title", "T"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("casework init"), "{}", run.stderr);
}

#[test]
fn dir_flag_that_is_not_a_folder() {
    let repo = Repo::new();
    let run = repo.run(&["-C", "no/such/folder", "check"]);
    run.assert_code(USAGE);
    assert_eq!(run.stdout, "");
}

#[test]
fn bad_flags_and_values() {
    let repo = Repo::new();
    for args in [
        &["check", "--no-such-flag"][..],
        &["check", "--format", "xml"],
        &["--color", "sometimes", "check"],
        &["frobnicate"],
        &["new"],
        &["new", "complaint"],
        &["completions", "no-such-shell"],
    ] {
        let run = repo.run(args);
        run.assert_code(USAGE);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn check_of_a_path_that_does_not_exist() {
    let repo = Repo::new();
    let run = repo.run(&["check", "records/complaint/CMP-2026-0404.md"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("CMP-2026-0404.md"), "{}", run.stderr);
}

#[test]
fn bad_casework_now() {
    let repo = Repo::new();
    let run = Run::of(repo.cmd().args(["check"]).env("CASEWORK_NOW", "next tuesday"));
    run.assert_code(USAGE);
    assert!(run.stderr.contains("CASEWORK_NOW"), "{}", run.stderr);
}

#[test]
fn help_and_version_succeed() {
    let repo = Repo::empty();
    let run = repo.run(&["--help"]);
    run.assert_code(OK);
    assert!(run.stdout.contains("check"), "{}", run.stdout);
    let run = repo.run(&["--version"]);
    run.assert_code(OK);
    assert!(run.stdout.starts_with("casework "), "{}", run.stdout);
}

/// Regression: a kind folder outside `records.dir` was accepted, and its records were never checked.
#[test]
fn kind_folder_outside_the_records_folder_is_refused() {
    broken(
        "prefix = \"CMP\"",
        "prefix = \"CMP\"\ndir = \"complaints\"",
        "\"complaints\"",
        0,
        "must be a folder directly inside `records/`",
    );
}

// --- checks of casework.toml not tested before, and every error at once (issue 7) ---

/// The stderr of `casework check` on the scaffold with `edits` applied.
fn stderr_with(edits: &[(&str, &str)], args: &[&str]) -> (Repo, String) {
    let repo = Repo::new();
    for (from, to) in edits {
        repo.edit_config(from, to);
    }
    let mut all = vec!["check"];
    all.extend(args);
    let run = repo.run(&all);
    run.assert_code(USAGE);
    assert_eq!(run.stdout, "");
    (repo, run.stderr)
}

/// `casework.toml:L:C:` of the first `at` in the repository's casework.toml.
fn location_of(repo: &Repo, at: &str) -> String {
    let (line, column) = pos_of(&repo.read("casework.toml"), at);
    format!("casework.toml:{line}:{column}:")
}

/// The header lines of the errors (`casework.toml:L:C: message`).
fn headers(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("casework.toml:")).collect()
}

#[test]
fn sla_clock_with_two_rules() {
    let clock = "{ name = \"acknowledge\", start = \"opened\", stop = \"acknowledged_at\", within = 1";
    broken(
        &format!("{clock} }}"),
        &format!("{clock}, every = 3 }}"),
        clock,
        0,
        "SLA clock `acknowledge` needs exactly one of `within`, `every` or `deadline`",
    );
}

#[test]
fn sla_clock_with_no_rule() {
    broken(
        ", stop = \"acknowledged_at\", within = 1 }",
        ", stop = \"acknowledged_at\" }",
        "{ name = \"acknowledge\"",
        0,
        "needs exactly one of `within`, `every` or `deadline`",
    );
}

#[test]
fn sla_clock_without_start() {
    broken(
        "{ name = \"acknowledge\", start = \"opened\", ",
        "{ name = \"acknowledge\", ",
        "{ name = \"acknowledge\"",
        0,
        "SLA clock `acknowledge` needs a `start` field",
    );
}

#[test]
fn digits_out_of_range() {
    for digits in ["0", "10"] {
        broken(
            "digits = 4",
            &format!("digits = {digits}"),
            &format!("digits = {digits}"),
            9,
            "`digits` must be between 1 and 9",
        );
    }
}

#[test]
fn transition_listed_twice_names_both_entries() {
    let entry = "  { from = \"open\", to = \"in_progress\" },\n";
    let (repo, stderr) = stderr_with(
        &[(
            entry,
            &format!("{entry}  {{ from = \"open\", to = \"in_progress\", name = \"again\" }},\n"),
        )],
        &[],
    );
    let text = repo.read("casework.toml");
    let (first, _) = pos_of(&text, entry.trim_start());
    let (second, column) = pos_of(&text, "{ from = \"open\", to = \"in_progress\", name");
    let errors = headers(&stderr);
    assert_eq!(
        errors,
        [format!(
            "casework.toml:{second}:{column}: transition `open -> in_progress` is listed twice"
        )],
        "{stderr}"
    );
    // The snippet shows both entries, the first with its own label.
    assert!(
        stderr.contains(&format!("{first} |   {{ from = \"open\", to = \"in_progress\" }},")),
        "{stderr}"
    );
    assert!(
        stderr.contains("`open -> in_progress` is first listed here"),
        "{stderr}"
    );
}

#[test]
fn duplicate_prefix_names_both_kinds() {
    let (repo, stderr) = stderr_with(&[("prefix = \"FF\"", "prefix = \"INC\"")], &[]);
    let text = repo.read("casework.toml");
    let (incident, _) = pos_of(&text, "prefix = \"INC\"");
    assert_eq!(headers(&stderr).len(), 1, "{stderr}");
    assert!(stderr.contains("already used by kind `incident`"), "{stderr}");
    // The secondary label sits under incident's own prefix line.
    let label = stderr
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(&format!("{incident} | prefix = \"INC\"")))
        .nth(1)
        .unwrap_or_default();
    assert!(
        label.ends_with("----- kind `incident` has prefix `INC` here"),
        "{label:?}\n{stderr}"
    );
}

/// Three unrelated mistakes in one file.
const THREE_MISTAKES: [(&str, &str); 3] = [
    ("timezone = \"UTC\"", "timezone = \"Mars/Olympus\""),
    ("digits = 4", "digits = 0"),
    (
        "{ from = \"follow_up\", to = \"closed\", role = \"manager\"",
        "{ from = \"follow_up\", to = \"closed\", role = \"boss\"",
    ),
];

#[test]
fn every_error_of_the_file_in_one_run() {
    let (repo, stderr) = stderr_with(&THREE_MISTAKES, &[]);
    let expected = [
        (location_of(&repo, "\"Mars/Olympus\""), "unknown timezone"),
        (location_of(&repo, "0\n"), "`digits` must be between 1 and 9"),
        (location_of(&repo, "\"boss\""), "role `boss` is not defined"),
    ];
    let errors = headers(&stderr);
    assert_eq!(errors.len(), 3, "{stderr}");
    for (header, (location, message)) in errors.iter().zip(&expected) {
        assert!(header.starts_with(location.as_str()), "{header} at {location}");
        assert!(header.contains(message), "{header}: {message}");
    }
    // Each error's snippet follows its header.
    assert!(
        stderr.starts_with(&format!("{}\n   |\n10 | timezone = \"Mars/Olympus\"\n", errors[0])),
        "{stderr}"
    );
}

#[test]
fn every_error_of_the_file_rendered() {
    let (_, stderr) = stderr_with(&THREE_MISTAKES, &[]);
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_toml_syntax_error_stops_before_validation() {
    let (_, stderr) = stderr_with(
        &[
            ("timezone = \"UTC\"", "timezone = \"Mars/Olympus\""),
            ("title = \"Customer care records\"", "title = \"Customer care records"),
        ],
        &[],
    );
    assert_eq!(headers(&stderr).len(), 1, "{stderr}");
    assert!(!stderr.contains("Mars/Olympus\": use"), "{stderr}");
}

#[test]
fn config_errors_are_coloured_only_when_asked() {
    let edits = [("timezone = \"UTC\"", "timezone = \"Mars/Olympus\"")];
    let (_, plain) = stderr_with(&edits, &[]);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let repo = Repo::new();
    repo.edit_config(edits[0].0, edits[0].1);
    let run = repo.run(&["--color", "always", "check"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("\u{1b}["), "{}", run.stderr);
    let run = repo.run(&["--color", "never", "check"]);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
}

#[test]
fn config_snippets_escape_terminal_controls() {
    let (_, stderr) = stderr_with(&[("timezone = \"UTC\"", "timezone = \"Mars\u{1b}[2J\"")], &[]);
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert!(stderr.contains("\\u{1b}[2J"), "{stderr}");
}

#[test]
fn archive_state_that_is_not_a_state() {
    broken(
        "prefix = \"CMP\"",
        "prefix = \"CMP\"\narchive_state = \"stored\"",
        "\"stored\"",
        0,
        "archive state `stored` is not a state of kind `complaint`",
    );
}

#[test]
fn archive_role_that_is_not_defined() {
    broken(
        "prefix = \"CMP\"",
        "prefix = \"CMP\"\narchive_role = \"archivists\"",
        "\"archivists\"",
        0,
        "role `archivists` is not defined",
    );
}

#[test]
fn retention_from_that_is_not_a_field_path() {
    broken(
        "retention_from = \"closure.closed_at\"",
        "retention_from = \"closure..closed_at\"",
        "\"closure..closed_at\"",
        0,
        "is not a field path",
    );
}
