//! Audit files (`audits/*.md`, written by `casework sample --write`): a
//! supervisor's review of a sample, checked like a record so that a typo in
//! an outcome or an ID fails CI at its line.

use crate::context::Context;
use crate::diag::{Code, Diagnostic, Span, locate};
use crate::record::{self, RecordSet, yaml};
use serde_json::Value;
use std::collections::BTreeSet;

/// The folder of audit files, under the root.
pub const AUDITS_DIR: &str = "audits";

/// What an outcome may be once reviewed.
pub const OUTCOMES: [&str; 2] = ["pass", "finding"];

/// The names of the audit files (`audits/*.md` but a README), sorted.
pub fn audit_files(root: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(AUDITS_DIR)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && !n.eq_ignore_ascii_case("README.md"))
        .collect();
    names.sort();
    names
}

/// Findings of every `audits/*.md` file, for those `wanted`.
pub fn check_audits(ctx: &Context, set: &RecordSet, wanted: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let names = audit_files(&ctx.config.root);
    let disposed = record::disposed_ids(&ctx.config);
    let known = |id: &str| set.has_id(id) || disposed.contains(id);
    names
        .into_iter()
        .map(|n| format!("{AUDITS_DIR}/{n}"))
        .filter(|p| wanted(p))
        .flat_map(|path| {
            let text =
                crate::files::read_to_string(&ctx.config.root, &ctx.config.root.join(&path), ctx.config.max_file_size);
            match text {
                Ok(text) => check_audit(ctx, &path, &text, &known),
                Err(e) => vec![Diagnostic::error(
                    match e {
                        crate::files::ReadError::TooLarge { .. } => Code::TooLarge,
                        _ => Code::Encoding,
                    },
                    path,
                    format!("cannot read the audit file: {e}"),
                )],
            }
        })
        .collect()
}

/// Findings of one audit file's text.
pub fn check_audit(ctx: &Context, path: &str, text: &str, known: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let at = |code, pos, msg: String| vec![Diagnostic::error(code, path, msg).at(Span { start: pos, end: pos })];
    let fm = match record::split_front_matter(text) {
        Ok(fm) => fm,
        Err((pos, msg)) => return at(Code::FrontMatter, pos, msg),
    };
    let (data, map) = match yaml::parse(&text[fm.yaml.clone()], fm.first_line, true) {
        Ok((data, map)) => (data, map.unwrap_or_default()),
        Err(e) => return at(Code::Yaml, e.pos, e.message),
    };
    let mut out = Vec::new();
    let mut find = |code: Code, pointer: &str, msg: String| {
        out.push(Diagnostic::error(code, path, msg).at(locate(&map, pointer, false)));
    };
    let Value::Object(_) = data else {
        find(
            Code::FrontMatter,
            "",
            "the front-matter of an audit file must be a mapping of fields".into(),
        );
        return out;
    };
    let kinds: Vec<&str> = ctx.config.kinds.keys().map(String::as_str).collect();
    match data.get("kind").and_then(Value::as_str) {
        Some(k) if ctx.config.kinds.contains_key(k) => {}
        Some(k) => find(
            Code::Schema,
            "/kind",
            format!(
                "kind `{k}` is not configured in casework.toml (kinds: {})",
                kinds.join(", ")
            ),
        ),
        None => find(
            Code::Schema,
            "",
            format!("missing field `kind` (one of {})", kinds.join(", ")),
        ),
    }
    if !data.get("period").and_then(Value::as_str).is_some_and(is_period) {
        find(
            Code::Schema,
            "/period",
            "`period` must be a month, YYYY-MM (e.g. \"2026-03\")".into(),
        );
    }
    if let Some(seed) = data.get("seed")
        && seed.as_u64().is_none()
    {
        find(
            Code::Schema,
            "/seed",
            "`seed` must be a whole number of 0 or more".into(),
        );
    }
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    match data.get("ids") {
        Some(Value::Array(list)) => {
            for (i, v) in list.iter().enumerate() {
                match v.as_str() {
                    Some(id) if known(id) => {
                        ids.insert(id);
                    }
                    Some(id) => find(
                        Code::BrokenLink,
                        &format!("/ids/{i}"),
                        format!("case {id} does not exist and is not in the disposal register"),
                    ),
                    None => find(
                        Code::Schema,
                        &format!("/ids/{i}"),
                        "an entry of `ids` must be a case ID".into(),
                    ),
                }
            }
        }
        _ => find(
            Code::Schema,
            "/ids",
            "`ids` must be the list of the case IDs sampled".into(),
        ),
    }
    let reviewer = data.get("reviewer").filter(|v| !v.is_null());
    if let Some(r) = reviewer
        && r.as_str().is_none_or(|s| s.trim().is_empty())
    {
        find(
            Code::Schema,
            "/reviewer",
            "`reviewer` must be the reviewer's email, or null".into(),
        );
    }
    let reviewed_at = data.get("reviewed_at").filter(|v| !v.is_null());
    match reviewed_at {
        Some(v) if ctx.config.calendar.time_of(v).is_none() => find(
            Code::Schema,
            "/reviewed_at",
            "`reviewed_at` must be a time (2026-04-02T10:00:00Z) or a date, or null".into(),
        ),
        None if reviewer.is_some() => find(
            Code::Schema,
            if data.get("reviewed_at").is_some() {
                "/reviewed_at"
            } else {
                "/reviewer"
            },
            "`reviewer` is set, so `reviewed_at` must say when the review was done".into(),
        ),
        _ => {}
    }
    let Some(Value::Array(cases)) = data.get("cases") else {
        find(
            Code::Schema,
            "/cases",
            "`cases` must be a list of {id, outcome, note}".into(),
        );
        return out;
    };
    for (i, c) in cases.iter().enumerate() {
        let at = format!("/cases/{i}");
        let Value::Object(_) = c else {
            find(
                Code::Schema,
                &at,
                "an entry of `cases` must be a mapping {id, outcome, note}".into(),
            );
            continue;
        };
        match c.get("id").and_then(Value::as_str) {
            Some(id) if ids.contains(id) => {}
            Some(id) if known(id) => find(Code::Schema, &format!("{at}/id"), format!("case {id} is not in `ids`")),
            Some(id) => find(
                Code::BrokenLink,
                &format!("{at}/id"),
                format!("case {id} does not exist and is not in the disposal register"),
            ),
            None => find(
                Code::Schema,
                &at,
                "an entry of `cases` needs the `id` of a sampled case".into(),
            ),
        }
        match c.get("outcome") {
            None | Some(Value::Null) if reviewer.is_some() => find(
                Code::Schema,
                &format!("{at}/outcome"),
                "the audit has a reviewer, so each case needs an `outcome`: pass or finding".into(),
            ),
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if OUTCOMES.contains(&s.as_str()) => {}
            Some(v) => find(
                Code::Schema,
                &format!("{at}/outcome"),
                format!("outcome {v} is not one of pass, finding (or null before the review)"),
            ),
        }
        if let Some(note) = c.get("note")
            && !(note.is_null() || note.is_string())
        {
            find(
                Code::Schema,
                &format!("{at}/note"),
                "`note` must be text, or null".into(),
            );
        }
    }
    out
}

/// `2026-03`: four digits, a dash, a month 01 to 12 (as `casework sample --period`).
fn is_period(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && s.bytes().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
        && matches!(s[5..].parse::<u32>(), Ok(1..=12))
}
