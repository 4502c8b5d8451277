//! The YAML test suite (`tests/yaml-test-suite/`, see its README) run
//! through the front-matter loader, in all three of its modes.
//!
//! Per case: with an `error` file, the input must be rejected; otherwise,
//! when `in.json` exists, the value must equal it (an empty `in.json` is an
//! empty stream, which loads as `null`; several JSON values are several
//! documents). Cases without `in.json` and without `error` must load. No
//! mode may panic, and all three modes must agree.
//!
//! Where the loader differs on purpose, the case is in [`DIFFERENCES`] with
//! its reason. A listed case must really be rejected, with its reason's
//! message, so the list cannot go stale: when a listed case starts to pass
//! or fails for another reason, the test fails. The suite is not run
//! through `record::load`, so the `encoding` check for NUL bytes does not
//! apply; the loader itself rejects control characters.

use casework::record::yaml;
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// Why the loader rejects a valid case, and what its message must say.
struct Why {
    reason: &'static str,
    message: &'static str,
}

/// Front-matter is one document.
const DOCUMENTS: Why = Why {
    reason: "a stream of several documents: front-matter holds exactly one",
    message: "more than one YAML document",
};
/// A key that is empty (`: v`, `? `, `[: v]`): JSON could only make it "",
/// which is nearly always a mistake in a record.
const EMPTY_KEY: Why = Why {
    reason: "an empty (null) mapping key",
    message: "empty mapping key",
};
/// A key that is a list or a mapping (`? [a, b]`, `[a]: b`): JSON keys are strings.
const COMPLEX_KEY: Why = Why {
    reason: "a list or mapping as a mapping key (JSON keys are strings)",
    message: "mapping keys must be plain values",
};

/// Valid YAML that the loader rejects on purpose. Each must be rejected,
/// with its reason's message.
const DIFFERENCES: &[(&str, Why)] = &[
    ("35KP", DOCUMENTS),
    ("5TYM", DOCUMENTS),
    ("6WLZ", DOCUMENTS),
    ("6XDY", DOCUMENTS),
    ("6ZKB", DOCUMENTS),
    ("7Z25", DOCUMENTS),
    ("9DXL", DOCUMENTS),
    ("9KAX", DOCUMENTS),
    ("9WXW", DOCUMENTS),
    ("JHB9", DOCUMENTS),
    ("KSS4", DOCUMENTS),
    ("L383", DOCUMENTS),
    ("M7A3", DOCUMENTS),
    ("PUW8", DOCUMENTS),
    ("RZT7", DOCUMENTS),
    ("U9NS", DOCUMENTS),
    ("UT92", DOCUMENTS),
    ("W4TN", DOCUMENTS),
    ("2JQS", EMPTY_KEY),
    ("6M2F", EMPTY_KEY),
    ("CFD4", EMPTY_KEY),
    ("DFF7", EMPTY_KEY),
    ("FRK4", EMPTY_KEY),
    ("NHX8", EMPTY_KEY),
    ("NKF9", EMPTY_KEY),
    ("PW8X", EMPTY_KEY),
    ("S3PD", EMPTY_KEY),
    ("SM9W/01", EMPTY_KEY),
    ("UKK6/00", EMPTY_KEY),
    ("4FJ6", COMPLEX_KEY),
    ("6BFJ", COMPLEX_KEY),
    ("6PBE", COMPLEX_KEY),
    ("9MMW", COMPLEX_KEY),
    ("KK5P", COMPLEX_KEY),
    ("LX3P", COMPLEX_KEY),
    ("M2N8/00", COMPLEX_KEY),
    ("M2N8/01", COMPLEX_KEY),
    ("M5DY", COMPLEX_KEY),
    ("Q9WF", COMPLEX_KEY),
    ("RZP5", COMPLEX_KEY),
    ("SBG9", COMPLEX_KEY),
    ("V9D5", COMPLEX_KEY),
    ("X38W", COMPLEX_KEY),
    ("XW4D", COMPLEX_KEY),
];

/// One case: its id (`26DV`, `Y79Y/000`) and folder.
fn cases() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml-test-suite");
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/yaml-test-suite")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let id = dir.file_name().unwrap().to_string_lossy().into_owned();
        if dir.join("in.yaml").is_file() {
            out.push((id, dir));
            continue;
        }
        let mut subs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("in.yaml").is_file())
            .collect();
        subs.sort();
        for sub in subs {
            let n = sub.file_name().unwrap().to_string_lossy().into_owned();
            out.push((format!("{id}/{n}"), sub));
        }
    }
    out
}

enum Expect {
    Error,
    /// A single document with this JSON value.
    Value(Value),
    /// Several documents.
    Documents,
    /// Valid YAML without a JSON equivalent in the suite: must load.
    Loads,
}

fn expectation(dir: &Path) -> Expect {
    if dir.join("error").exists() {
        return Expect::Error;
    }
    let Ok(json) = std::fs::read_to_string(dir.join("in.json")) else {
        return Expect::Loads;
    };
    let values: Vec<Value> = serde_json::Deserializer::from_str(&json)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: in.json: {e}", dir.display()));
    match values.len() {
        0 => Expect::Value(Value::Null),
        1 => Expect::Value(values.into_iter().next().unwrap()),
        _ => Expect::Documents,
    }
}

/// What the loader makes of `text`, in all three modes: the value or the
/// error message. `Err` with a reason when a mode panics or the modes
/// disagree.
fn load(text: &str) -> Result<Result<Value, String>, String> {
    let run = |f: &dyn Fn() -> Result<Value, yaml::YamlError>, mode: &str| {
        catch_unwind(AssertUnwindSafe(f)).map_err(|_| format!("{mode} mode panicked"))
    };
    let plain = run(&|| yaml::parse(text, 1, false).map(|(v, _)| v), "plain")?;
    let positions = run(&|| yaml::parse(text, 1, true).map(|(v, _)| v), "positions")?;
    let layout = run(&|| yaml::parse_layout(text, 1).map(|(v, _)| v), "layout")?;
    if plain != positions || plain != layout {
        return Err(format!(
            "modes disagree: plain {plain:?}, positions {positions:?}, layout {layout:?}"
        ));
    }
    Ok(plain.map_err(|e| format!("{}:{}: {}", e.pos.line, e.pos.column, e.message)))
}

/// Equal as JSON, numbers by value: the suite's `in.json` writes the YAML
/// float `450.00` as `450`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

fn short(v: &impl std::fmt::Debug) -> String {
    let s = format!("{v:?}");
    if s.chars().count() > 160 {
        s.chars().take(160).collect::<String>() + "…"
    } else {
        s
    }
}

#[test]
fn yaml_suite() {
    let cases = cases();
    assert!(cases.len() > 300, "the suite is missing: {} cases", cases.len());
    let mut failures = Vec::new();
    let mut stale = Vec::new();
    let mut passed = 0;
    let mut differed = 0;
    for (id, dir) in &cases {
        let text = std::fs::read_to_string(dir.join("in.yaml")).unwrap();
        let expect = expectation(dir);
        let got = match load(&text) {
            Ok(got) => got,
            Err(why) => {
                failures.push(format!("{id}: {why}"));
                continue;
            }
        };
        if let Some((_, why)) = DIFFERENCES.iter().find(|(d, _)| d == id) {
            let reason = why.reason;
            match (&expect, &got) {
                (Expect::Error, _) => stale.push(format!("{id}: listed ({reason}) but the suite expects an error")),
                (_, Err(e)) if e.contains(why.message) => differed += 1,
                (_, Err(e)) => stale.push(format!("{id}: listed ({reason}) but rejected for another reason: {e}")),
                (_, Ok(v)) => stale.push(format!("{id}: listed ({reason}) but loads as {}", short(v))),
            }
            continue;
        }
        let problem = match (&expect, &got) {
            (Expect::Error, Ok(v)) => Some(format!("should be rejected, loads as {}", short(v))),
            (Expect::Error, Err(_)) => None,
            (Expect::Value(want), Ok(v)) if same(v, want) => None,
            (Expect::Value(want), Ok(v)) => Some(format!("loads as {}, expected {}", short(v), short(want))),
            (Expect::Value(_) | Expect::Loads, Err(e)) => Some(format!("rejected: {e}")),
            (Expect::Documents, Err(e)) => Some(format!("several documents, not in DIFFERENCES; rejected: {e}")),
            (Expect::Documents, Ok(v)) => Some(format!("several documents, loads as {}", short(v))),
            (Expect::Loads, Ok(_)) => None,
        };
        match problem {
            Some(p) => failures.push(format!("{id}: {p}")),
            None => passed += 1,
        }
    }
    for (id, _) in DIFFERENCES {
        if !cases.iter().any(|(c, _)| c == id) {
            stale.push(format!("{id}: listed but not in the suite"));
        }
    }
    let report = format!(
        "YAML test suite: {} cases, {passed} as expected, {differed} rejected on purpose, {} failing, {} stale",
        cases.len(),
        failures.len(),
        stale.len()
    );
    assert!(
        failures.is_empty() && stale.is_empty(),
        "{report}\nfailing:\n  {}\nstale entries in DIFFERENCES:\n  {}",
        failures.join("\n  "),
        stale.join("\n  ")
    );
}
