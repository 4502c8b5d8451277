//! Property tests through the library: generated front-matter (random
//! fields, often wrong values, nesting, comments, blank lines, CRLF or LF,
//! a BOM or not) never panics, and every finding points inside the
//! front-matter at a real line and column.

use casework::check;
use casework::config::{self, Config};
use casework::context::Context;
use casework::diag::{Code, Diagnostic};
use casework::record;
use chrono::{DateTime, Utc};
use proptest::prelude::*;

const KINDS: [&str; 5] = ["incident", "feedback", "request", "complaint", "order"];

/// A records repository with the default configuration and schemas, on
/// disk because schemas and records are read from files.
struct Env {
    _dir: tempfile::TempDir,
    ctx: Context,
}

thread_local! {
    /// One repository per test thread: proptest runs a test's cases on one
    /// thread, and tests on different threads must not see each other's files.
    static ENV: Env = Env::new();
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("casework.toml"), Config::default_toml()).unwrap();
        for (kind, schema) in casework::edit::init::DEFAULT_SCHEMAS {
            std::fs::create_dir_all(root.join("schemas")).unwrap();
            std::fs::create_dir_all(root.join("records").join(kind)).unwrap();
            std::fs::write(root.join(format!("schemas/{kind}.schema.json")), schema).unwrap();
        }
        let config = config::load(&root).expect("default configuration");
        let now = DateTime::parse_from_rfc3339(crate::support::NOW)
            .unwrap()
            .with_timezone(&Utc);
        Env {
            _dir: dir,
            ctx: Context::new(config, now),
        }
    }

    /// Check `text` as the only record, at `rel` under the root.
    fn check(&self, rel: &str, text: &str) -> Vec<Diagnostic> {
        let config = &self.ctx.config;
        let path = config.root.join(rel);
        std::fs::write(&path, text).unwrap();
        let (report, _) = check::run(&self.ctx, record::discover(config).unwrap(), None);
        std::fs::remove_file(&path).unwrap();
        report.diagnostics
    }
}

/// A YAML value to write: scalars are already YAML text.
#[derive(Debug, Clone)]
enum Y {
    Scalar(String),
    List(Vec<Y>, bool),
    Map(Vec<(String, Y)>, bool),
}

const FIELDS: &[&str] = &[
    "title",
    "owner",
    "priority",
    "category",
    "tags",
    "related",
    "due",
    "stakeholders",
    "updates",
    "lessons",
    "attachments",
    "archive",
    "reopen_reason",
    "escalated_to",
    "escalated_at",
    "resolution",
    "closure",
    "customer",
    "feedback",
    "issues",
    "corrective_actions",
    "stakeholder_feedback",
    "confirmation",
    "acknowledged_at",
    "expected_resolution",
    "delivered_at",
    "feedback_requested_at",
    "date",
    "stakeholder",
    "summary",
    "assigned_to",
    "responses",
    "completed_at",
    "follow_up",
    "root_cause",
    "order_number",
    "closed_at",
    "ownr",
    "prioritty",
    "\"a/b\"",
    "'x~y'",
    "ключ",
    "\"with space\"",
    "5",
];

const NESTED: &[&str] = &[
    "summary",
    "verified",
    "corrective_actions",
    "name",
    "contact",
    "preferred_channel",
    "at",
    "by",
    "note",
    "outcome",
    "category",
    "rating",
    "invited_at",
    "archived_at",
    "retain_until",
    "approved_by",
    "communicated_to",
    "communicated_at",
    "done",
    "action",
    "reported_at",
    "notified_at",
    "stakeholder",
    "satisfied",
    "x",
];

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9 ._-]{0,12}".prop_map(|s| s.trim_end().to_string()),
        "[a-zäöüßé][a-zäöüßé ]{0,8}".prop_map(|s| s.trim_end().to_string()),
        any::<i32>().prop_map(|n| n.to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("null".to_string()),
        Just("~".to_string()),
        Just("\"\"".to_string()),
        Just("1.5".to_string()),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]",
        "[a-z]{1,6}@example\\.(com|org)",
        "\"[^\"\\\\\\p{Cc}]{0,10}\"",
        "'[^'\\p{Cc}]{0,10}'",
        "(CMP|INC|REQ|ORD|FF)-20[0-9]{2}-[0-9]{3,5}",
    ]
}

fn value() -> impl Strategy<Value = Y> {
    scalar().prop_map(Y::Scalar).prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..4), any::<bool>()).prop_map(|(v, f)| Y::List(v, f)),
            (
                prop::collection::vec((prop::sample::select(NESTED), inner), 0..4),
                any::<bool>()
            )
                .prop_map(|(v, f)| Y::Map(v.into_iter().map(|(k, v)| (k.to_string(), v)).collect(), f)),
        ]
    })
}

/// Flow style (`[a, b]`, `{k: v}`), on one line.
fn flow(v: &Y) -> String {
    match v {
        Y::Scalar(s) => s.clone(),
        Y::List(items, _) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Y::Map(entries, _) => format!(
            "{{{}}}",
            unique(entries)
                .iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Entries without repeated keys (those are a `yaml` finding of their own).
fn unique(entries: &[(String, Y)]) -> Vec<(String, Y)> {
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .filter(|(k, _)| seen.insert(k.clone()))
        .cloned()
        .collect()
}

/// Block-style lines of `key: value` at `indent` spaces.
fn block(out: &mut Vec<String>, indent: usize, key: &str, v: &Y) {
    let pad = " ".repeat(indent);
    match v {
        Y::Scalar(_) | Y::List(_, true) | Y::Map(_, true) => out.push(format!("{pad}{key}: {}", flow(v))),
        Y::List(items, false) if items.is_empty() => out.push(format!("{pad}{key}: []")),
        Y::Map(entries, false) if entries.is_empty() => out.push(format!("{pad}{key}: {{}}")),
        Y::List(items, false) => {
            out.push(format!("{pad}{key}:"));
            for item in items {
                match item {
                    Y::Map(entries, false) if !entries.is_empty() => {
                        // `- k: v` carries the first entry on the dash line.
                        let start = out.len();
                        for (k, v) in unique(entries) {
                            block(out, indent + 4, &k, &v);
                        }
                        let first = &mut out[start];
                        first.replace_range(indent + 2..indent + 4, "- ");
                    }
                    _ => out.push(format!("{pad}  - {}", flow(item))),
                }
            }
        }
        Y::Map(entries, false) => {
            out.push(format!("{pad}{key}:"));
            for (k, v) in unique(entries) {
                block(out, indent + 2, &k, &v);
            }
        }
    }
}

/// A generated record: its kind folder, file text and the line of its
/// closing `---`.
#[derive(Debug, Clone)]
struct Generated {
    kind: &'static str,
    text: String,
    closing_line: usize,
}

fn generated() -> impl Strategy<Value = Generated> {
    let kind = prop::sample::select(&KINDS[..]);
    (
        kind,
        prop::option::of(0u32..3),
        prop::option::of(0usize..8),
        prop::option::of(scalar()),
        any::<bool>(),
        prop::collection::vec((prop::sample::select(FIELDS), value()), 0..8),
        prop::collection::vec(0u8..6, 16),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(kind, id_form, status_pick, opened, has_kind, fields, decor, crlf, bom)| {
                let states: &[&str] = match kind {
                    "incident" => &["open", "in_progress", "resolved", "follow_up", "closed", "archived"],
                    "feedback" => &["pending", "in_progress", "completed", "archived"],
                    "request" => &["new", "acknowledged", "in_progress", "resolved", "closed", "archived"],
                    "complaint" => &["received", "investigating", "resolved", "closed", "archived"],
                    _ => &[
                        "delivered",
                        "feedback_requested",
                        "feedback_received",
                        "issue_open",
                        "closed",
                        "archived",
                    ],
                };
                let prefix = match kind {
                    "incident" => "INC-2026-0001",
                    "feedback" => "FF-2026-001",
                    "request" => "REQ-2026-0001",
                    "complaint" => "CMP-2026-0001",
                    _ => "ORD-2026-0001",
                };
                let mut entries: Vec<(String, Y)> = Vec::new();
                match id_form {
                    Some(0) => entries.push(("id".into(), Y::Scalar(prefix.into()))),
                    Some(1) => entries.push(("id".into(), Y::Scalar("../../etc/passwd".into()))),
                    Some(_) => entries.push(("id".into(), Y::Scalar("CMP-2025-0001".into()))),
                    None => {}
                }
                if has_kind {
                    entries.push(("kind".into(), Y::Scalar(kind.into())));
                }
                if let Some(i) = status_pick {
                    let s = states.get(i).copied().unwrap_or("recieved");
                    entries.push(("status".into(), Y::Scalar(s.into())));
                }
                entries.push((
                    "opened".into(),
                    Y::Scalar(opened.unwrap_or_else(|| "2026-11-02T09:14:00Z".into())),
                ));
                entries.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v)));

                let mut lines = Vec::new();
                for (i, (k, v)) in unique(&entries).iter().enumerate() {
                    match decor.get(i).copied().unwrap_or(0) {
                        1 => lines.push("# a comment line".to_string()),
                        2 => lines.push(String::new()),
                        3 => lines.push("   ".to_string()),
                        _ => {}
                    }
                    let start = lines.len();
                    block(&mut lines, 0, k, v);
                    if decor.get(i + 8) == Some(&5) && matches!(v, Y::Scalar(_)) {
                        lines[start].push_str("  # trailing comment");
                    }
                }
                let closing_line = lines.len() + 2;
                let nl = if crlf { "\r\n" } else { "\n" };
                let mut text = String::new();
                if bom {
                    text.push('\u{feff}');
                }
                text.push_str("---");
                text.push_str(nl);
                for l in &lines {
                    text.push_str(l);
                    text.push_str(nl);
                }
                text.push_str("---");
                text.push_str(nl);
                text.push_str("## Summary");
                text.push_str(nl);
                Generated {
                    kind,
                    text,
                    closing_line,
                }
            },
        )
}

/// Characters on 1-based line `n` of `text`, without its line break.
fn line_chars(text: &str, n: usize) -> usize {
    text.split('\n')
        .nth(n - 1)
        .map(|l| l.trim_end_matches('\r').trim_start_matches('\u{feff}').chars().count())
        .unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn findings_point_inside_the_front_matter(g in generated()) {
        let rel = format!("records/{}/CMP-2026-0001.md", g.kind);
        for d in ENV.with(|env| env.check(&rel, &g.text)) {
            prop_assert_eq!(&d.file, &rel);
            let (Some(line), Some(column)) = (d.line(), d.column()) else {
                return Err(TestCaseError::fail(format!("no position: {d:?}\n{}", g.text)));
            };
            let upper = if d.code == Code::Yaml { g.closing_line + 1 } else { g.closing_line };
            prop_assert!(
                (2..upper).contains(&line),
                "line {} outside 2..{}: {:?}\n{}", line, upper, d, g.text
            );
            prop_assert!(column >= 1, "column {}: {:?}\n{}", column, d, g.text);
            prop_assert!(
                column <= line_chars(&g.text, line) + 1,
                "column {} past the end of line {}: {:?}\n{}", column, line, d, g.text
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// An unknown top-level field is pointed at exactly: its key.
    #[test]
    fn unknown_fields_are_pointed_at_their_key(
        before in prop::sample::subsequence(&["owner: a@example.com", "# note", "priority: high", "", "category: delivery"][..], 0..=5),
        key in "[a-z]{3,8}_[a-z]{3,8}",
        value in scalar(),
        crlf in any::<bool>(),
    ) {
        let mut lines = vec![
            "id: CMP-2026-0001".to_string(),
            "kind: complaint".into(),
            "title: A case".into(),
            "status: received".into(),
            "opened: 2026-11-02T09:14:00Z".into(),
        ];
        lines.extend(before.iter().map(|s| s.to_string()));
        lines.push(format!("{key}: {value}"));
        let key_line = lines.len() + 1;
        let nl = if crlf { "\r\n" } else { "\n" };
        let text = format!("---{nl}{}{nl}---{nl}", lines.join(nl));
        let findings = ENV.with(|env| env.check("records/complaint/CMP-2026-0001.md", &text));
        let ours: Vec<&Diagnostic> = findings
            .iter()
            .filter(|d| d.message.contains(&format!("unknown field `{key}`")))
            .collect();
        prop_assert_eq!(ours.len(), 1, "{:?}\n{}", findings, text);
        prop_assert_eq!((ours[0].line(), ours[0].column()), (Some(key_line), Some(1)));
        prop_assert_eq!(ours[0].code, Code::Schema);
    }

    /// Whatever the text, splitting, decoding and parsing never panic, and
    /// YAML errors carry a position inside the text. (No lone CR: YAML counts
    /// it as a line break, the rest of casework does not.)
    #[test]
    fn arbitrary_text_never_panics(body in "(\\PC|\r\n|[\\n\\t:\\-\\[\\]{}&*!|>'\"%@`#,?]){0,200}", bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let text = format!("---\n{body}\n---\n");
        let _ = record::decode(bytes);
        let fm = record::split_front_matter(&text).expect("a closed front-matter");
        if let Err(e) = record::yaml::parse(&text[fm.yaml.clone()], fm.first_line, true) {
            let lines = text.split('\n').count();
            prop_assert!(e.pos.line >= 2 && e.pos.line <= lines, "{:?}\n{}", e, text);
            prop_assert!(e.pos.column >= 1, "{:?}", e);
        }
    }
}

/// The same generated records through the CLI, a few times, so the binary
/// (rayon, output) sees them too.
#[test]
fn generated_records_through_the_binary() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let repo = crate::support::Repo::new();
    let mut runner = TestRunner::deterministic();
    for i in 0..16 {
        let g = generated().new_tree(&mut runner).unwrap().current();
        repo.write(&format!("records/{}/CMP-2026-{:04}.md", g.kind, i + 1), &g.text);
    }
    let run = repo.check_json(&[]);
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    for f in run.findings() {
        assert!(
            f.line.is_some_and(|l| l >= 2) && f.column.is_some_and(|c| c >= 1),
            "{f:?}"
        );
    }
}
