//! `casework transition` and `casework set` (SPEC sections 5 and 9):
//! refusals leave the file byte-identical, successes set the step's
//! timestamps and notes and change only the lines they must, `--commit`
//! makes exactly one commit of exactly one file.

use crate::support::*;
use proptest::prelude::*;
use serde_json::{Value, json};

const ME: &str = "h.handler@example.com";
const MANAGER: &str = "m.jones@example.com";
const REQ: &str = "records/request/REQ-2026-0001.md";
const INC: &str = "records/incident/INC-2026-0001.md";

/// A repository with a new request REQ-2026-0001 committed.
fn with_new_request() -> Repo {
    committed_request(ME, "new", "")
}

fn bytes(repo: &Repo, rel: &str) -> Vec<u8> {
    std::fs::read(repo.path(rel)).unwrap()
}

/// Lines of `old` not in `new` and lines of `new` not in `old`, by a
/// longest common subsequence of whole lines (line breaks included).
fn line_diff<'a>(old: &'a str, new: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            added.push(b[j]);
            j += 1;
        } else {
            removed.push(a[i]);
            i += 1;
        }
    }
    (removed, added)
}

// --- transition: refusals ----------------------------------------------------------

#[test]
fn an_illegal_edge_is_refused_and_the_file_is_untouched() {
    let repo = with_new_request();
    let before = bytes(&repo, REQ);
    let files = snapshot(&repo.root);
    let run = run_as(
        &repo,
        ME,
        &["transition", "REQ-2026-0001", "in_progress", "--note", "Started"],
    );
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("new -> in_progress") && run.stderr.contains("acknowledged"),
        "says why and where it can go: {}",
        run.stderr
    );
    assert_eq!(bytes(&repo, REQ), before);
    assert_same_files(&snapshot(&repo.root), &files, "a refusal writes nothing");
    // Not a state of the kind at all.
    let run = run_as(&repo, ME, &["transition", "REQ-2026-0001", "done"]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("done"), "{}", run.stderr);
    assert_eq!(bytes(&repo, REQ), before);
}

#[test]
fn an_unmet_guard_is_refused_and_the_file_is_untouched() {
    let repo = with_new_request();
    let before = bytes(&repo, REQ);
    let files = snapshot(&repo.root);
    let run = run_as(&repo, ME, &["transition", "REQ-2026-0001", "acknowledged", "--commit"]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("expected_resolution"), "{}", run.stderr);
    assert_eq!(bytes(&repo, REQ), before);
    assert_same_files(&snapshot(&repo.root), &files, "no file and no commit");
    // An invalid value for the guard's field is refused too.
    let run = run_as(
        &repo,
        ME,
        &[
            "transition",
            "REQ-2026-0001",
            "acknowledged",
            "--set",
            "expected_resolution=next week",
        ],
    );
    run.assert_code(FINDINGS);
    assert_eq!(bytes(&repo, REQ), before);
}

#[test]
fn a_step_that_needs_a_role_is_refused_without_it() {
    let repo = Repo::with_history();
    follow_up_incident(&repo, ME);
    let before = bytes(&repo, INC);
    let run = run_as(&repo, ME, &["transition", "INC-2026-0001", "closed"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("manager") && run.stderr.contains(ME),
        "{}",
        run.stderr
    );
    assert_eq!(bytes(&repo, INC), before);
    // No identity at all: refused as well, and says how to set one.
    let run = repo.run(&["transition", "INC-2026-0001", "closed"]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("GIT_AUTHOR_EMAIL"), "{}", run.stderr);
    assert_eq!(bytes(&repo, INC), before);
    // The manager may.
    let run = run_as(&repo, MANAGER, &["transition", "INC-2026-0001", "closed"]);
    run.assert_code(OK);
    let data = front_matter(&repo.read(INC));
    assert_eq!(data["status"], "closed");
    assert_eq!(data["closure"]["communicated_at"], NOW, "the step's timestamp");
    repo.check_json(&[]).assert_code(OK);
}

#[test]
fn a_step_keeps_a_timestamp_the_record_already_has() {
    let repo = Repo::with_history();
    follow_up_incident(&repo, ME);
    let text = repo.read(INC).replace(
        "  approved_by: m.jones@example.com\n",
        "  approved_by: m.jones@example.com\n  communicated_at: 2026-11-11T10:00:00Z\n",
    );
    repo.write(INC, &text);
    run_as(&repo, MANAGER, &["transition", "INC-2026-0001", "closed"]).assert_code(OK);
    let data = front_matter(&repo.read(INC));
    // When the closure was communicated is a fact of the case, not of the step.
    assert_eq!(data["closure"]["communicated_at"], "2026-11-11T10:00:00Z");
    // `show` already assumes so: it fills in only missing timestamps.
}

// --- transition: success -----------------------------------------------------------------------

#[test]
fn a_step_sets_its_timestamps_and_appends_the_note() {
    let repo = with_new_request();
    let run = run_as(
        &repo,
        ME,
        &[
            "transition",
            "REQ-2026-0001",
            "acknowledged",
            "--set",
            "expected_resolution=2026-11-27",
            "--note",
            "Called the customer: invoice copy by Friday.",
        ],
    );
    run.assert_code(OK);
    assert_eq!(
        run.stdout,
        "REQ-2026-0001: new -> acknowledged  (records/request/REQ-2026-0001.md)\n"
    );
    let data = front_matter(&repo.read(REQ));
    assert_eq!(data["status"], "acknowledged");
    assert_eq!(data["acknowledged_at"], NOW, "set to CASEWORK_NOW");
    assert_eq!(data["expected_resolution"], "2026-11-27");
    assert_eq!(
        data["updates"],
        json!([{"at": NOW, "by": ME, "note": "Called the customer: invoice copy by Friday."}])
    );
    // A second note is appended after the first.
    run_as(
        &repo,
        ME,
        &[
            "transition",
            "REQ-2026-0001",
            "in_progress",
            "--note",
            "Invoice requested",
        ],
    )
    .assert_code(OK);
    let data = front_matter(&repo.read(REQ));
    assert_eq!(data["updates"].as_array().unwrap().len(), 2);
    assert_eq!(
        data["updates"][1],
        json!({"at": NOW, "by": ME, "note": "Invoice requested"})
    );
    // Two steps and no commit between are one change `new -> in_progress`
    // to CI, and `check` says so before the commit.
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    let messages: Vec<Value> = run
        .diagnostics_with("transition")
        .iter()
        .map(|d| d["message"].clone())
        .collect();
    assert_eq!(
        messages,
        [json!(
            "since the last commit: `new -> in_progress` is not a transition of kind `request` (from `new`: acknowledged)"
        )]
    );
    // Without --commit nothing is committed.
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "2");
}

/// A hand-written record: comments, blank lines, quoted strings, flow
/// collections, CRLF line endings.
const HANDWRITTEN: &str = "---\r\n\
# Logged by phone; keep the customer's wording.\r\n\
id: REQ-2026-0001\r\n\
kind: \"request\"\r\n\
title: 'Invoice: a copy is needed'   # short\r\n\
status: new   # moved by casework transition\r\n\
\r\n\
opened: 2026-11-23T09:00:00Z\r\n\
tags: [billing, \"phone call\"]\r\n\
customer: {name: Ada Lovelace, contact: \"ada@example.org\", preferred_channel: email}\r\n\
\r\n\
# end of the fields\r\n\
---\r\n\
## Summary\r\n\
\r\n\
She needs the copy for her accountant.\r\n";

#[test]
fn a_step_changes_only_the_lines_it_must_and_keeps_crlf() {
    let repo = Repo::with_history();
    repo.write_commit(by(ME, "2026-11-23T09:00:00Z"), REQ, HANDWRITTEN, "Log by hand");
    repo.check_json(&[]).assert_code(OK);
    let run = run_as(
        &repo,
        ME,
        &[
            "transition",
            "REQ-2026-0001",
            "acknowledged",
            "--set",
            "expected_resolution=2026-11-27",
            "--note",
            "Called back",
        ],
    );
    run.assert_code(OK);
    let after = repo.read(REQ);
    let (removed, added) = line_diff(HANDWRITTEN, &after);
    assert_eq!(removed, ["status: new   # moved by casework transition\r\n"], "{after}");
    assert!(
        added.contains(&"status: acknowledged   # moved by casework transition\r\n"),
        "the status line keeps its comment: {added:?}"
    );
    assert!(
        added.contains(&"acknowledged_at: \"2026-11-23T12:00:00Z\"\r\n"),
        "{added:?}"
    );
    assert!(added.contains(&"expected_resolution: \"2026-11-27\"\r\n"), "{added:?}");
    // Every line still ends in CRLF: no bare LF crept in.
    assert_eq!(after.matches('\n').count(), after.matches("\r\n").count(), "{after:?}");
    assert!(after.ends_with("She needs the copy for her accountant.\r\n"));
    let data = front_matter(&after);
    assert_eq!(data["tags"], json!(["billing", "phone call"]));
    assert_eq!(data["title"], "Invoice: a copy is needed");
    assert_eq!(data["updates"], json!([{"at": NOW, "by": ME, "note": "Called back"}]));
    repo.check_json(&[]).assert_code(OK);
}

// --- --commit -----------------------------------------------------------------------------------

#[test]
fn commit_makes_one_commit_of_that_file_only() {
    let repo = with_new_request();
    // Other work in progress stays as it is.
    repo.write(
        "records/complaint/CMP-2026-0001.md",
        record("CMP-2026-0001", "complaint", "received", ""),
    );
    repo.write("NOTES.txt", "draft\n");
    // Even what the user has staged stays out of the commit.
    repo.write("STAGED.txt", "staged\n");
    repo.git(&["add", "STAGED.txt"]);
    let head = repo.sha("HEAD");
    let run = run_as(
        &repo,
        ME,
        &[
            "transition",
            "REQ-2026-0001",
            "acknowledged",
            "--set",
            "expected_resolution=2026-11-27",
            "--commit",
        ],
    );
    run.assert_code(OK);
    assert_eq!(repo.sha("HEAD~1"), head, "exactly one commit");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "REQ-2026-0001: new -> acknowledged\n"
    );
    assert_eq!(repo.git(&["log", "-1", "--format=%ae"]), format!("{ME}\n"));
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        format!("{REQ}\n")
    );
    // The commit holds the file as written; the rest is still uncommitted.
    assert_eq!(repo.git(&["show", &format!("HEAD:{REQ}")]), repo.read(REQ));
    let status = repo.git(&["status", "--porcelain"]);
    assert!(!status.contains("REQ-2026-0001"), "{status}");
    assert!(
        status.contains("?? NOTES.txt") && status.contains("CMP-2026-0001.md"),
        "{status}"
    );
    assert_eq!(
        repo.git(&["diff", "--cached", "--name-only"]),
        "STAGED.txt\n",
        "the user's staged file is still staged, nothing else"
    );
    // The history check agrees with the step.
    repo.check_json(&["--since", &head]).assert_code(OK);
}

#[test]
fn commit_refuses_a_file_with_uncommitted_changes_unless_forced() {
    let repo = with_new_request();
    let head = repo.sha("HEAD");
    // The user's own edit, not yet committed.
    let edited = repo
        .read(REQ)
        .replace("title: A case for the tests", "title: Invoice copy");
    repo.write(REQ, &edited);
    let args = [
        "transition",
        "REQ-2026-0001",
        "acknowledged",
        "--set",
        "expected_resolution=2026-11-27",
        "--commit",
    ];
    let run = run_as(&repo, ME, &args);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("uncommitted") && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert_eq!(
        repo.read(REQ),
        edited,
        "the file keeps the user's edit and nothing else"
    );
    assert_eq!(repo.sha("HEAD"), head, "no commit");
    // Without --commit the same step works on the edited file.
    let mut forced = args.to_vec();
    forced.push("--force");
    run_as(&repo, ME, &forced).assert_code(OK);
    assert_eq!(repo.sha("HEAD~1"), head, "exactly one commit");
    let committed = repo.git(&["show", &format!("HEAD:{REQ}")]);
    assert!(committed.contains("title: Invoice copy") && committed.contains("status: acknowledged"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

// --- set -----------------------------------------------------------------------------------------

#[test]
fn set_edits_a_dotted_field_and_appends_to_a_list() {
    let repo = with_new_request();
    let before = repo.read(REQ);
    let run = run_as(
        &repo,
        ME,
        &["set", "REQ-2026-0001", "customer.name=Ada King", "tags+=billing"],
    );
    run.assert_code(OK);
    let after = repo.read(REQ);
    let (removed, added) = line_diff(&before, &after);
    assert_eq!(removed, ["  name: Ada Lovelace\n"]);
    assert!(added.contains(&"  name: Ada King\n"), "{added:?}");
    let data = front_matter(&after);
    assert_eq!(data["customer"]["name"], "Ada King");
    assert_eq!(data["customer"]["contact"], "ada@example.org");
    assert_eq!(data["tags"], json!(["billing"]));
    run_as(&repo, ME, &["set", "REQ-2026-0001", "tags+=phone call"]).assert_code(OK);
    assert_eq!(front_matter(&repo.read(REQ))["tags"], json!(["billing", "phone call"]));
    // --commit: one commit, `ID: set FIELD`.
    let head = repo.sha("HEAD");
    run_as(&repo, ME, &["set", "REQ-2026-0001", "priority=high", "--commit"]).assert_code(FINDINGS);
    // (refused: the file has uncommitted changes) ... after committing them it works.
    repo.commit(by(ME, "2026-11-23T10:00:00Z"), "Edits");
    run_as(&repo, ME, &["set", "REQ-2026-0001", "priority=high", "--commit"]).assert_code(OK);
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "REQ-2026-0001: set priority\n");
    assert_eq!(repo.sha("HEAD~2"), head);
}

#[test]
fn set_refuses_status_and_the_immutable_fields() {
    let repo = with_new_request();
    let before = bytes(&repo, REQ);
    for arg in [
        "status=acknowledged",
        "id=REQ-2026-0002",
        "kind=complaint",
        "opened=2026-11-01T00:00:00Z",
    ] {
        let run = run_as(&repo, ME, &["set", "REQ-2026-0001", arg, "title=Also this"]);
        run.assert_code(FINDINGS);
        let field = arg.split('=').next().unwrap();
        assert!(run.stderr.contains(&format!("`{field}`")), "{arg}: {}", run.stderr);
        assert_eq!(bytes(&repo, REQ), before, "{arg}: the file is untouched");
    }
    // Refused values are refused the same way.
    let run = run_as(&repo, ME, &["set", "REQ-2026-0001", "priority=extreme"]);
    run.assert_code(FINDINGS);
    assert_eq!(bytes(&repo, REQ), before);
    // An unknown ID is a finding, not a crash.
    run_as(&repo, ME, &["set", "REQ-2026-0042", "priority=high"]).assert_code(FINDINGS);
}

// --- property: `set` of one field ------------------------------------------------------------------

/// How one top-level field of the generated front-matter is written.
#[derive(Debug, Clone)]
struct Field {
    key: &'static str,
    lines: Vec<String>,
}

#[derive(Debug, Clone)]
struct Generated {
    text: String,
    /// Per field: its key and the range of front-matter lines it spans (0-based, in `text`).
    spans: Vec<(&'static str, std::ops::Range<usize>)>,
}

/// Values `set` may write to a text field: the argument and what it reads as.
const TEXTS: &[(&str, &str)] = &[
    ("Bob Smith", "Bob Smith"),
    ("'Quote: it''s #1'", "Quote: it's #1"),
    ("\"tab\\tand \\\"double\\\" quotes\"", "tab\tand \"double\" quotes"),
    ("Zoë Ünal-Ştefan", "Zoë Ünal-Ştefan"),
    ("'123'", "123"),
    ("'true'", "true"),
    ("a: b", "a: b"),
    ("[not] a list", "[not] a list"),
];

fn quoted(s: &str, style: u8) -> String {
    match style {
        0 => s.to_string(),
        1 => format!("'{}'", s.replace('\'', "''")),
        _ => format!("\"{s}\""),
    }
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        (any::<bool>(), any::<bool>()),    // CRLF, a byte-order mark
        0u8..4,                            // title: plain, quoted, folded
        (any::<bool>(), any::<bool>()),    // customer: flow style; else indent 2 or 4
        prop::option::of(0u8..3),          // tags: absent, flow, block, block at column 1
        prop::option::of(0u8..4),          // priority
        any::<bool>(),                     // category present
        prop::collection::vec(0u8..5, 12), // decoration between fields
        prop::sample::subsequence(vec![0usize, 1, 2, 3], 0..=4),
    )
        .prop_map(
            |((crlf, bom), title_style, (flow_customer, wide), tags, priority, category, decor, order)| {
                let mut fields = vec![
                    Field {
                        key: "id",
                        lines: vec!["id: REQ-2026-0001".into()],
                    },
                    Field {
                        key: "kind",
                        lines: vec!["kind: request".into()],
                    },
                    Field {
                        key: "title",
                        lines: if title_style == 3 {
                            vec!["title: >-".into(), "  Invoice".into(), "  copy".into()]
                        } else {
                            vec![format!("title: {}", quoted("Invoice copy", title_style))]
                        },
                    },
                    Field {
                        key: "status",
                        lines: vec!["status: new".into()],
                    },
                    Field {
                        key: "opened",
                        lines: vec!["opened: 2026-11-23T09:00:00Z".into()],
                    },
                ];
                let mut optional = vec![Field {
                    key: "customer",
                    lines: if flow_customer {
                        vec![
                            "customer: {name: Ada Lovelace, contact: 'ada@example.org', preferred_channel: email}"
                                .into(),
                        ]
                    } else {
                        let pad = if wide { "    " } else { "  " };
                        vec![
                            "customer:".into(),
                            format!("{pad}name: Ada Lovelace"),
                            format!("{pad}contact: \"ada@example.org\""),
                            format!("{pad}preferred_channel: email"),
                        ]
                    },
                }];
                match tags {
                    Some(0) => optional.push(Field {
                        key: "tags",
                        lines: vec!["tags: [billing, \"phone call\"]".into()],
                    }),
                    Some(1) => optional.push(Field {
                        key: "tags",
                        lines: vec!["tags:".into(), "  - billing".into(), "  - phone call".into()],
                    }),
                    Some(_) => optional.push(Field {
                        key: "tags",
                        lines: vec!["tags:".into(), "- billing".into(), "- phone call".into()],
                    }),
                    None => {}
                }
                if let Some(p) = priority {
                    let p = ["low", "normal", "high", "urgent"][p as usize];
                    optional.push(Field {
                        key: "priority",
                        lines: vec![format!("priority: {p}")],
                    });
                }
                if category {
                    optional.push(Field {
                        key: "category",
                        lines: vec!["category: billing".into()],
                    });
                }
                // A shuffled order of the optional fields (the picked ones first).
                let mut ordered = Vec::new();
                for i in order {
                    if i < optional.len() {
                        ordered.push(optional[i].clone());
                    }
                }
                for f in &optional {
                    if !ordered.iter().any(|o| o.key == f.key) {
                        ordered.push(f.clone());
                    }
                }
                fields.extend(ordered);

                let nl = if crlf { "\r\n" } else { "\n" };
                let mut lines: Vec<String> = vec!["---".into()];
                let mut spans = Vec::new();
                for (i, f) in fields.iter().enumerate() {
                    match decor.get(i).copied().unwrap_or(0) {
                        1 => lines.push("# a comment line".into()),
                        2 => lines.push(String::new()),
                        _ => {}
                    }
                    let start = lines.len();
                    for (j, l) in f.lines.iter().enumerate() {
                        // A trailing comment on a one-line field now and then.
                        if decor.get(i) == Some(&3) && f.lines.len() == 1 && j == 0 {
                            lines.push(format!("{l}   # note"));
                        } else {
                            lines.push(l.clone());
                        }
                    }
                    spans.push((f.key, start..lines.len()));
                }
                if decor.last() == Some(&4) {
                    lines.push("# the end".into());
                }
                lines.push("---".into());
                lines.push("## Summary".into());
                lines.push(String::new());
                lines.push("Body text.".into());
                let mut text = if bom { "\u{feff}".to_string() } else { String::new() };
                text.push_str(&lines.join(nl));
                text.push_str(nl);
                Generated { text, spans }
            },
        )
}

/// One `set`: the argument and the field it touches.
#[derive(Debug, Clone)]
struct SetOne {
    arg: String,
    /// Top-level key whose lines may change.
    key: &'static str,
    path: Vec<&'static str>,
    append: bool,
    value: Value,
}

fn one_set() -> impl Strategy<Value = SetOne> {
    let text = prop::sample::select(TEXTS);
    prop_oneof![
        (
            prop::sample::select(&["title", "category", "initial_assessment"][..]),
            text.clone()
        )
            .prop_map(|(k, (arg, v))| SetOne {
                arg: format!("{k}={arg}"),
                key: k,
                path: vec![k],
                append: false,
                value: json!(v),
            }),
        (prop::sample::select(&["name", "contact"][..]), text.clone()).prop_map(|(k, (arg, v))| SetOne {
            arg: format!("customer.{k}={arg}"),
            key: "customer",
            path: vec!["customer", k],
            append: false,
            value: json!(v),
        }),
        prop::sample::select(&["email", "phone", "portal"][..]).prop_map(|c| SetOne {
            arg: format!("customer.preferred_channel={c}"),
            key: "customer",
            path: vec!["customer", "preferred_channel"],
            append: false,
            value: json!(c),
        }),
        text.clone().prop_map(|(arg, v)| SetOne {
            arg: format!("tags+={arg}"),
            key: "tags",
            path: vec!["tags"],
            append: true,
            value: json!(v),
        }),
        prop::sample::select(&["low", "normal", "high", "urgent"][..]).prop_map(|p| SetOne {
            arg: format!("priority={p}"),
            key: "priority",
            path: vec!["priority"],
            append: false,
            value: json!(p),
        }),
        Just(SetOne {
            arg: "due=2026-12-01".into(),
            key: "due",
            path: vec!["due"],
            append: false,
            value: json!("2026-12-01"),
        }),
        text.prop_map(|(arg, v)| SetOne {
            arg: format!("resolution.summary={arg}"),
            key: "resolution",
            path: vec!["resolution", "summary"],
            append: false,
            value: json!(v),
        }),
    ]
}

/// `old` with `s` applied.
fn expected(old: &Value, s: &SetOne) -> Value {
    let mut v = old.clone();
    let mut cur = &mut v;
    for (i, k) in s.path.iter().enumerate() {
        let map = cur.as_object_mut().expect("a mapping");
        if i + 1 == s.path.len() {
            if s.append {
                map.entry(*k)
                    .or_insert_with(|| json!([]))
                    .as_array_mut()
                    .expect("a list")
                    .push(s.value.clone());
            } else {
                map.insert((*k).to_string(), s.value.clone());
            }
            break;
        }
        cur = map.entry(*k).or_insert_with(|| json!({}));
    }
    v
}

thread_local! {
    /// One repository per test thread: the cases of a proptest run on one thread.
    static SET_REPO: Repo = Repo::new();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// `set` of one field, through the binary, changes only that field's
    /// lines (any other line stays byte-identical, CRLF stays CRLF) and the
    /// result reads back to the old front-matter with that one value changed.
    #[test]
    fn set_of_one_field_changes_only_its_lines(g in generated(), s in one_set()) {
        SET_REPO.with(|repo| {
            repo.write(REQ, &g.text);
            let old = front_matter(&g.text);
            let run = Run::of(repo.cmd().args(["set", "REQ-2026-0001", &s.arg]).env("GIT_AUTHOR_EMAIL", ME));
            prop_assert_eq!(run.code, OK, "{}\n{}\n{}", s.arg, run.stderr, g.text);
            let after = repo.read(REQ);
            prop_assert_eq!(front_matter(&after), expected(&old, &s), "{}\n{}", s.arg, after);
            let old_lines: Vec<&str> = g.text.split_inclusive('\n').collect();
            let span = g.spans.iter().find(|(k, _)| *k == s.key).map(|(_, r)| r.clone()).unwrap_or(0..0);
            let allowed: Vec<&str> = old_lines[span].to_vec();
            let (removed, _) = line_diff(&g.text, &after);
            for line in &removed {
                prop_assert!(allowed.contains(line), "{} removed {:?} outside `{}`:\n{}\n->\n{}", s.arg, line, s.key, g.text, after);
            }
            let crlf = g.text.contains("\r\n");
            let breaks = after.matches('\n').count();
            prop_assert_eq!(after.matches("\r\n").count(), if crlf { breaks } else { 0 }, "line endings: {:?}", after);
            prop_assert_eq!(after.starts_with('\u{feff}'), g.text.starts_with('\u{feff}'), "the BOM is kept");
            let body_end = if crlf { "Body text.\r\n" } else { "Body text.\n" };
            prop_assert!(after.ends_with(body_end), "the body is kept: {:?}", after);
            // And casework itself reads the result as a valid record.
            let check = repo.check_json(&[]);
            prop_assert_eq!(check.code, OK, "{}", check.stdout);
            Ok(())
        })?;
    }
}

// --- stakeholder satisfaction --------------------------------------------------------------------

#[test]
fn closing_is_refused_while_a_stakeholders_latest_feedback_is_unsatisfied() {
    let repo = Repo::with_history();
    follow_up_incident(&repo, ME);
    // The shop team now says it is not fixed; a later word from another stakeholder changes nothing.
    let unsatisfied = repo.read(INC).replace(
        "    satisfied: true\n",
        "    satisfied: true\n  - stakeholder: Shop team\n    at: 2026-11-11T10:00:00Z\n    satisfied: false\n    comment: Still failing at night\n  - stakeholder: Ops\n    at: 2026-11-11T12:00:00Z\n    satisfied: true\n",
    );
    repo.write_commit(by(ME, "2026-11-12T10:00:00Z"), INC, &unsatisfied, "Feedback");
    let before = bytes(&repo, INC);
    let run = run_as(&repo, MANAGER, &["transition", "INC-2026-0001", "closed"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains(
            "Shop team said on 2026-11-11 they are not satisfied (\"Still failing at night\"): a case closes once every stakeholder's latest feedback in `stakeholder_feedback` is satisfied; reopen or escalate it instead"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(bytes(&repo, INC), before);
    // `show` says what stands in the way.
    let run = repo.run(&["show", "INC-2026-0001"]);
    assert!(
        run.stdout
            .contains("Shop team said on 2026-11-11 they are not satisfied"),
        "{}",
        run.stdout
    );
    // Their later feedback is what counts.
    let satisfied = repo.read(INC).replace(
        "    comment: Still failing at night\n",
        "    comment: Still failing at night\n  - stakeholder: Shop team\n    at: 2026-11-12T09:00:00Z\n    satisfied: true\n",
    );
    repo.write_commit(by(ME, "2026-11-12T11:00:00Z"), INC, &satisfied, "Feedback again");
    run_as(&repo, MANAGER, &["transition", "INC-2026-0001", "closed"]).assert_code(OK);
}

#[test]
fn check_since_refuses_a_commit_that_closes_a_case_a_stakeholder_is_unsatisfied_with() {
    let repo = committed_request(
        ME,
        "resolved",
        "acknowledged_at: 2026-11-02T10:00:00Z\nexpected_resolution: 2026-11-06\nresolution:\n  summary: Sent the invoice.\n  notified_at: 2026-11-05T10:00:00Z\n\
         stakeholder_feedback:\n  - stakeholder: Ada Lovelace\n    at: 2026-11-06T10:00:00Z\n    satisfied: false\n",
    );
    let base = repo.sha("HEAD");
    let closed = repo.read(REQ).replace("status: resolved", "status: closed").replace(
        "stakeholder_feedback:",
        "confirmation:\n  outcome: confirmed\n  at: 2026-11-06T11:00:00Z\nstakeholder_feedback:",
    );
    let sha = repo.write_commit(by(ME, "2026-11-06T12:00:00Z"), REQ, &closed, "Close");
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(FINDINGS);
    let errors = run.errors();
    assert!(
        errors
            .iter()
            .any(|e| e.code == "transition" && e.commit.as_deref() == Some(sha.as_str())),
        "{errors:?}"
    );
    let text = run.stdout.clone();
    assert!(
        text.contains("Ada Lovelace said on 2026-11-06 they are not satisfied"),
        "{text}"
    );
}

// --- approval "if required" ---------------------------------------------------------------------

/// The incident's closure needs a manager only for high and urgent incidents.
fn conditional_approval() -> Repo {
    let repo = Repo::with_history();
    repo.edit_config(
        "{ from = \"follow_up\", to = \"closed\", role = \"manager\",",
        "{ from = \"follow_up\", to = \"closed\", role = \"manager\", when = { priority = [\"high\", \"urgent\"] },",
    );
    repo.commit(
        by(SETUP_AUTHOR, SETUP_DATE),
        "Approval only for high and urgent incidents",
    );
    follow_up_incident(&repo, ME);
    repo
}

#[test]
fn a_role_with_when_is_needed_only_for_the_cases_it_names() {
    let repo = conditional_approval();
    // Normal priority: the handler closes it.
    let run = repo.run(&["show", "INC-2026-0001"]);
    assert!(!run.stdout.contains("[role: manager]"), "{}", run.stdout);
    run_as(&repo, ME, &["transition", "INC-2026-0001", "closed"]).assert_code(OK);
    // High priority: the manager's approval.
    let repo = conditional_approval();
    let high = repo
        .read(INC)
        .replace("status: follow_up\n", "status: follow_up\npriority: high\n");
    repo.write_commit(by(ME, "2026-11-12T10:00:00Z"), INC, &high, "High");
    let run = repo.run(&["show", "INC-2026-0001"]);
    assert!(run.stdout.contains("-> closed [role: manager]"), "{}", run.stdout);
    let before = bytes(&repo, INC);
    let run = run_as(&repo, ME, &["transition", "INC-2026-0001", "closed"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains(&format!(
            "`follow_up -> closed` needs the `manager` role when `priority` is high or urgent; {ME} is not in it"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(bytes(&repo, INC), before);
    // Lowering the priority in the same step does not dodge it.
    let run = run_as(
        &repo,
        ME,
        &["transition", "INC-2026-0001", "closed", "--set", "priority=normal"],
    );
    run.assert_code(FINDINGS);
    run_as(&repo, MANAGER, &["transition", "INC-2026-0001", "closed"]).assert_code(OK);
}

#[test]
fn check_since_judges_a_role_with_when_on_the_commits_versions() {
    let repo = conditional_approval();
    let base = repo.sha("HEAD");
    let closed = repo
        .read(INC)
        .replace("status: follow_up\n", "status: closed\npriority: urgent\n")
        .replace(
            "  approved_by: m.jones@example.com\n",
            "  approved_by: m.jones@example.com\n  communicated_at: 2026-11-12T10:00:00Z\n",
        );
    let sha = repo.write_commit(by(ME, "2026-11-12T10:00:00Z"), INC, &closed, "Close an urgent one");
    let run = repo.check_json(&["--since", &base]);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.errors(),
        vec![found("role", INC, Some(5), &sha, ME)],
        "{}",
        run.stdout
    );
}

#[test]
fn a_when_without_a_role_is_a_config_error() {
    let repo = Repo::new();
    repo.edit_config(
        "{ from = \"open\", to = \"in_progress\" }",
        "{ from = \"open\", to = \"in_progress\", when = { priority = \"high\" } }",
    );
    let run = repo.run(&["check"]);
    run.assert_code(USAGE);
    assert!(
        run.stderr
            .contains("`when` says when the transition's `role` is needed"),
        "{}",
        run.stderr
    );
}
