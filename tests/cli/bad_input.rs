//! SPEC section 9: inputs too big or too odd for fixture files, generated
//! here. Each gives a diagnostic, nothing panics or hangs, and the run goes
//! on with the other files.

use crate::support::*;

const C1: &str = "records/complaint/CMP-2026-0001.md";

#[test]
fn flow_sequences_nested_10000_deep() {
    let repo = Repo::new();
    let depth = 10_000;
    let text = record(
        "CMP-2026-0001",
        "complaint",
        "received",
        &format!("deep: {}{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    repo.write(C1, &text);
    let f = only_finding(&repo);
    assert_eq!((f.code.as_str(), f.file.as_str(), f.line), ("yaml", C1, Some(7)));
    // Somewhere in the run of brackets (`deep: ` is 6 characters).
    let col = f.column.unwrap();
    assert!((7..7 + depth as u64).contains(&col), "column {col}");
}

#[test]
fn flow_mappings_nested_10000_deep() {
    let repo = Repo::new();
    let depth = 10_000;
    let text = record(
        "CMP-2026-0001",
        "complaint",
        "received",
        &format!("deep: {}1{}\n", "{a: ".repeat(depth), "}".repeat(depth)),
    );
    repo.write(C1, &text);
    let f = only_finding(&repo);
    // The 64th `{` (the root mapping is the first level): column 7 + 4 * 63.
    assert_eq!(f, error("yaml", C1, 7, 259));
}

#[test]
fn block_sequences_nested_10000_deep() {
    let repo = Repo::new();
    let text = record(
        "CMP-2026-0001",
        "complaint",
        "received",
        &format!("deep:\n{}x\n", "- ".repeat(10_000)),
    );
    repo.write(C1, &text);
    let f = only_finding(&repo);
    // The 64th `-`, at column 2 * 64 - 1.
    assert_eq!(f, error("yaml", C1, 8, 127));
}

#[test]
fn block_mappings_nested_past_the_limit() {
    let repo = Repo::new();
    let nested: String = (0..200).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
    repo.write(C1, record("CMP-2026-0001", "complaint", "received", &nested));
    let f = only_finding(&repo);
    // The mapping on line 7 + k is nesting level k + 1 (the root is level
    // 1): level 65, the first refused, starts at line 71, indentation 64.
    assert_eq!(f, error("yaml", C1, 71, 65));
}

#[test]
fn a_100_mb_file_is_too_large_and_the_run_goes_on() {
    let repo = Repo::new();
    // Sparse: cheap to create, 100 MB to anyone who reads it.
    let big = repo.path("records/complaint/CMP-2026-0001.md");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    drop(f);
    repo.write(
        "records/complaint/CMP-2026-0002.md",
        record("CMP-2026-0002", "complaint", "recieved", ""),
    );
    repo.write(
        "records/complaint/CMP-2026-0003.md",
        record("CMP-2026-0003", "complaint", "received", ""),
    );
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.findings(),
        [
            Finding {
                file: C1.into(),
                line: None,
                column: None,
                code: "too-large".into(),
                severity: "error".into(),
            },
            error("unknown-status", "records/complaint/CMP-2026-0002.md", 5, 9),
        ]
    );
    assert_eq!(run.json()["summary"]["records"], 3);
}

#[test]
fn max_file_size_accepts_a_size_with_unit() {
    let repo = Repo::new();
    repo.edit_config("max_file_size = \"1 MiB\"", "max_file_size = \"1 KiB\"");
    let pad = format!("category: {}\n", "x".repeat(1000));
    repo.write(C1, record("CMP-2026-0001", "complaint", "received", &pad));
    repo.write(
        "records/complaint/CMP-2026-0002.md",
        record("CMP-2026-0002", "complaint", "received", ""),
    );
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        (findings[0].code.as_str(), findings[0].file.as_str()),
        ("too-large", C1)
    );
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_root_is_not_read() {
    let repo = Repo::new();
    // A valid record outside the root: following the link would pass.
    let outside = repo.base().join("outside.md");
    std::fs::write(&outside, record("CMP-2026-0001", "complaint", "received", "")).unwrap();
    std::fs::create_dir_all(repo.path("records/complaint")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.path(C1)).unwrap();
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let doc = run.json();
    let d = &doc["diagnostics"][0];
    assert_eq!(doc["diagnostics"].as_array().unwrap().len(), 1, "{doc:#}");
    assert_eq!(d["code"], "file-name");
    assert_eq!(d["file"], C1);
    assert!(d["line"].is_null() && d["column"].is_null(), "{d}");
    assert!(d["message"].as_str().unwrap().contains("symlink"), "{d}");
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_root_and_dangling_ones() {
    let repo = Repo::new();
    // Inside the root: read like any file (its name must still match its id).
    repo.write(
        "shared/CMP-2026-0001.md",
        record("CMP-2026-0001", "complaint", "received", ""),
    );
    std::fs::create_dir_all(repo.path("records/complaint")).unwrap();
    std::os::unix::fs::symlink("../../shared/CMP-2026-0001.md", repo.path(C1)).unwrap();
    // Dangling: a finding, not a crash.
    std::os::unix::fs::symlink(
        repo.base().join("gone.md"),
        repo.path("records/complaint/CMP-2026-0002.md"),
    )
    .unwrap();
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let findings = run.findings();
    assert_eq!(
        findings,
        [Finding {
            file: "records/complaint/CMP-2026-0002.md".into(),
            line: None,
            column: None,
            code: "file-name".into(),
            severity: "error".into(),
        }]
    );
}

/// A repository holding every kind of bad file at once, and one good record.
fn zoo() -> (Repo, Vec<(&'static str, &'static str)>) {
    let repo = Repo::new();
    let mut expect = Vec::new();
    let mut add = |path: &'static str, bytes: Vec<u8>, code: &'static str| {
        repo.write(path, bytes);
        if !code.is_empty() {
            expect.push((path, code));
        }
    };
    add(
        "records/complaint/CMP-2026-0001.md",
        record("CMP-2026-0001", "complaint", "received", "").into_bytes(),
        "",
    );
    add(
        "records/complaint/CMP-2026-0002.md",
        b"# Just Markdown\n".to_vec(),
        "front-matter",
    );
    add(
        "records/complaint/CMP-2026-0003.md",
        b"---\nid: CMP-2026-0003\n".to_vec(),
        "front-matter",
    );
    add(
        "records/complaint/CMP-2026-0004.md",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\xff\xfe".to_vec(),
        "encoding",
    );
    add(
        "records/complaint/CMP-2026-0005.md",
        record("CMP-2026-0005", "complaint", "received", "a: 1\na: 2\n").into_bytes(),
        "yaml",
    );
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb += &format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", "));
    }
    add(
        "records/complaint/CMP-2026-0006.md",
        record("CMP-2026-0006", "complaint", "received", &bomb).into_bytes(),
        "yaml",
    );
    add(
        "records/complaint/CMP-2026-0007.md",
        record(
            "CMP-2026-0007",
            "complaint",
            "received",
            &format!("x: {}\n", "[".repeat(10_000)),
        )
        .into_bytes(),
        "yaml",
    );
    add(
        "records/complaint/passwd.md",
        record("../../etc/passwd", "complaint", "received", "").into_bytes(),
        "id-format",
    );
    add(
        "records/complaint/html.md",
        record("\"<img src=x onerror=alert(1)>\"", "complaint", "received", "").into_bytes(),
        "id-format",
    );
    let big = format!("category: {}\n", "z".repeat(2 * 1024 * 1024));
    add(
        "records/complaint/CMP-2026-0008.md",
        record("CMP-2026-0008", "complaint", "received", &big).into_bytes(),
        "too-large",
    );
    add(
        "records/complaint/CMP-2026-0009.md",
        b"---\nid: CMP-2026-0009\r\nkind: complaint\x00\n---\n".to_vec(),
        "encoding",
    );
    add(
        "records/complaint/CMP-2026-0010.md",
        "---\nid: CMP-2026-0010\nkind: complaint\ntitle: \"\u{202e}evil\\e[31m\"\nprioritty: high\nstatus: received\nopened: 2026-11-02T09:14:00Z\n---\n"
            .as_bytes()
            .to_vec(),
        "schema",
    );
    (repo, expect)
}

#[test]
fn every_bad_file_is_reported_and_the_good_one_is_not() {
    let (repo, expect) = zoo();
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let mut got: Vec<(String, String)> = run.findings().into_iter().map(|f| (f.file, f.code)).collect();
    got.sort();
    let mut want: Vec<(String, String)> = expect.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(run.json()["summary"]["records"], expect.len() as u64 + 1);
}

#[test]
fn every_format_renders_every_bad_file() {
    let (repo, expect) = zoo();
    for format in ["human", "json", "github", "sarif", "junit"] {
        let run = repo.run(&["check", "--format", format]);
        run.assert_code(FINDINGS);
        assert!(!run.stderr.contains("panicked"), "{format}: {}", run.stderr);
        match format {
            "json" | "sarif" => {
                run.json();
            }
            "junit" => {
                let cases = crate::formats::junit_cases(&run.stdout);
                assert_eq!(cases.len(), expect.len() + 1, "{format}");
            }
            "github" => {
                let lines: Vec<&str> = run.stdout.lines().collect();
                assert_eq!(lines.len(), expect.len() + 1, "{}", run.stdout);
                for l in &lines[..lines.len() - 1] {
                    assert!(l.starts_with("::error file="), "{l}");
                }
            }
            _ => {
                // No terminal control characters reach the output.
                assert!(!run.stdout.contains('\u{1b}'), "escape in human output");
                assert!(!run.stdout.contains('\u{202e}'), "bidi override in human output");
            }
        }
    }
}

#[test]
fn output_is_sorted_and_identical_run_after_run() {
    let (repo, _) = zoo();
    let first = repo.check_json(&[]);
    let order: Vec<Finding> = first.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(Finding::from_json)
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "by file, then line and column");
    for _ in 0..3 {
        assert_eq!(repo.check_json(&[]).stdout, first.stdout);
    }
}

#[test]
fn max_file_size_is_inclusive() {
    let repo = Repo::new();
    repo.edit_config("max_file_size = \"1 MiB\"", "max_file_size = 300");
    let exact = record("CMP-2026-0001", "complaint", "received", "");
    let exact = format!("{exact}{}", "x".repeat(300 - exact.len()));
    assert_eq!(exact.len(), 300);
    repo.write(C1, &exact);
    let one_more = record("CMP-2026-0002", "complaint", "received", "");
    let one_more = format!("{one_more}{}", "x".repeat(301 - one_more.len()));
    repo.write("records/complaint/CMP-2026-0002.md", &one_more);
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        (findings[0].code.as_str(), findings[0].file.as_str()),
        ("too-large", "records/complaint/CMP-2026-0002.md")
    );
}

#[test]
fn files_that_are_not_records_are_ignored() {
    let repo = Repo::new();
    repo.write("records/README.md", "# About these folders\n");
    repo.write("records/complaint/notes.txt", "not Markdown\n");
    repo.write("records/complaint/.gitkeep", "");
    repo.write("README.md", "# Team\n");
    repo.write(C1, record("CMP-2026-0001", "complaint", "received", ""));
    let run = repo.check_json(&[]);
    run.assert_code(OK);
    assert_eq!(run.json()["summary"]["records"], 1);
}

#[test]
fn a_record_in_a_folder_of_no_kind() {
    let repo = Repo::new();
    let path = "records/widget/WID-2026-0001.md";
    repo.write(path, record("WID-2026-0001", "widget", "open", ""));
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert_eq!(run.findings(), [error("unknown-kind", path, 3, 7)]);
}

#[test]
fn non_finite_numbers_are_not_text() {
    let repo = Repo::new();
    for (i, v) in [".nan", ".inf", "1e400"].iter().enumerate() {
        let id = format!("CMP-2026-{:04}", i + 1);
        repo.write(
            &format!("records/complaint/{id}.md"),
            record(&id, "complaint", "received", &format!("category: {v}\n")),
        );
    }
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.findings(),
        [
            error("yaml", "records/complaint/CMP-2026-0001.md", 7, 11),
            error("yaml", "records/complaint/CMP-2026-0002.md", 7, 11),
            error("yaml", "records/complaint/CMP-2026-0003.md", 7, 11),
        ]
    );
}

#[test]
fn id_sequence_width_and_prefix() {
    let repo = Repo::new();
    let cases = [
        ("CMP-2026-00042", "id-format"), // zero-padded past the width
        ("CMP-2026-042", "id-format"),   // shorter than the width
        ("cmp-2026-0042", "id-format"),  // lower case
        ("INC-2026-0042", "id-format"),  // another kind's prefix
        ("CMP-2026-12345", ""),          // grown past the width: fine
    ];
    for (id, _) in cases {
        repo.write(
            &format!("records/complaint/{id}.md"),
            record(id, "complaint", "received", ""),
        );
    }
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let mut want: Vec<Finding> = cases
        .iter()
        .filter(|(_, code)| !code.is_empty())
        .map(|(id, code)| error(code, &format!("records/complaint/{id}.md"), 2, 5))
        .collect();
    want.sort();
    assert_eq!(run.findings(), want);
}

/// A FIFO named like a record would block a reader forever.
#[cfg(unix)]
#[test]
fn a_fifo_is_reported_not_read() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path("records/complaint")).unwrap();
    let fifo = repo.path("records/complaint/CMP-2026-0002.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    repo.write(C1, record("CMP-2026-0001", "complaint", "recieved", ""));
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.findings(),
        [
            error("unknown-status", C1, 5, 9),
            Finding {
                file: "records/complaint/CMP-2026-0002.md".into(),
                line: None,
                column: None,
                code: "file-name".into(),
                severity: "error".into(),
            },
        ]
    );
}

/// Regression: `check records/README.md` (as a pre-commit hook passes it) reported a
/// `front-matter` error although a full check skips files directly in the records folder.
#[test]
fn a_readme_in_the_records_folder_given_as_a_path_is_skipped() {
    let repo = Repo::new();
    repo.write("records/README.md", "# How we keep records\n");
    let run = repo.check_json(&["records/README.md"]);
    run.assert_code(OK);
    assert_eq!(run.findings(), []);
}
