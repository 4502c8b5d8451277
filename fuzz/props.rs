//! Properties of the YAML loader and of the minimal front-matter edits,
//! shared by the fuzz targets (`fuzz/fuzz_targets/`) and the ignored
//! proptest runs (`tests/cli/fuzz_properties.rs`), which include this file
//! with `#[path]`.
//!
//! Each `check_*` function returns `Err(description)` when a property does
//! not hold; the caller panics (fuzzing) or fails the case (proptest).
//! The types of the structured input of the `edit` target ([`EditCase`])
//! are wrapped in `input_type!`, which the includer defines before
//! `mod props;`: the fuzz targets add `#[derive(arbitrary::Arbitrary)]`,
//! the proptests nothing (they build the types with strategies).

// Each includer uses a part.
#![allow(dead_code)]

use casework::edit::text::{self, Edit};
use casework::record::{self, FrontMatter, yaml};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

// ---------------------------------------------------------------- parse

/// Bytes as a record file: decode, split, then [`check_yaml`] on the
/// front-matter and [`check_edit`] with a few fixed edits of the raw text.
pub fn check_parse(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = record::decode(bytes.to_vec()) else {
        return Ok(());
    };
    let Ok(fm) = record::split_front_matter(&text) else {
        return Ok(());
    };
    check_split(&text, &fm)?;
    let yaml_text = &text[fm.yaml.clone()];
    check_yaml(yaml_text, fm.first_line)?;
    for edits in raw_edits(yaml_text, fm.first_line) {
        check_edit(&text, &edits)?;
    }
    Ok(())
}

fn check_split(text: &str, fm: &FrontMatter) -> Result<(), String> {
    let ok = fm.yaml.start <= fm.yaml.end
        && fm.yaml.end <= fm.body_start
        && fm.body_start <= text.len()
        && text.is_char_boundary(fm.yaml.start)
        && text.is_char_boundary(fm.yaml.end)
        && text.is_char_boundary(fm.body_start);
    if ok {
        Ok(())
    } else {
        Err(format!("bad front-matter split {fm:?}"))
    }
}

/// Edits tried on any text that parses: change the first field, add a
/// nested field, append to a new list.
fn raw_edits(yaml_text: &str, first_line: usize) -> Vec<Vec<Edit>> {
    let first = match yaml::parse(yaml_text, first_line, false) {
        Ok((Value::Object(m), _)) => m.keys().next().cloned(),
        _ => None,
    };
    let mut out = vec![
        vec![Edit::Set {
            path: vec!["zz_new".into(), "deep".into()],
            value: json!("a #b: c"),
        }],
        vec![Edit::Append {
            path: vec!["zz_list".into()],
            value: json!({"k": "yes"}),
        }],
    ];
    if let Some(k) = first {
        out.push(vec![Edit::Set {
            path: vec![k.clone()],
            value: json!("changed"),
        }]);
        out.push(vec![Edit::Set {
            path: vec![k],
            value: json!({"m": [1, "two"]}),
        }]);
    }
    out
}

/// The three modes of the loader agree on success, error and value; every
/// position is a real line and column of `y`; every layout range lies on
/// character boundaries inside `y`.
pub fn check_yaml(y: &str, first_line: usize) -> Result<(), String> {
    let plain = yaml::parse(y, first_line, false);
    let with_pos = yaml::parse(y, first_line, true);
    let layout = yaml::parse_layout(y, first_line);
    match (plain, with_pos, layout) {
        (Ok((a, none)), Ok((b, Some(pos))), Ok((c, lay))) => {
            if none.is_some() {
                return Err("positions returned without being asked for".into());
            }
            if a != b || a != c {
                return Err(format!("the modes disagree on the value: {a} / {b} / {c}"));
            }
            for (ptr, p) in &pos {
                if a.pointer(ptr).is_none() {
                    return Err(format!("position for `{ptr}`, which is not in the value {a}"));
                }
                check_span(y, first_line, &p.value).map_err(|e| format!("value of `{ptr}`: {e}"))?;
                if let Some(k) = &p.key {
                    check_span(y, first_line, k).map_err(|e| format!("key of `{ptr}`: {e}"))?;
                }
            }
            for (ptr, l) in &lay {
                if a.pointer(ptr).is_none() {
                    return Err(format!("layout for `{ptr}`, which is not in the value {a}"));
                }
                let r = &l.value;
                let ok = r.start <= r.end
                    && r.end <= y.len()
                    && y.is_char_boundary(r.start)
                    && y.is_char_boundary(r.end)
                    && r.start <= l.content_end
                    && l.content_end <= r.end
                    && y.is_char_boundary(l.content_end);
                if !ok {
                    return Err(format!(
                        "layout of `{ptr}` out of the text or off a char boundary: {l:?}"
                    ));
                }
                if let Some(k) = &l.key {
                    let ok = k.start <= k.end
                        && k.end <= r.start
                        && y.is_char_boundary(k.start)
                        && y.is_char_boundary(k.end);
                    if !ok {
                        return Err(format!("key layout of `{ptr}` is wrong: {l:?}"));
                    }
                }
            }
            let (mut pk, mut lk): (Vec<&String>, Vec<&String>) = (pos.keys().collect(), lay.keys().collect());
            pk.sort();
            lk.sort();
            if pk != lk {
                return Err(format!("positions and layout cover different nodes: {pk:?} / {lk:?}"));
            }
            Ok(())
        }
        (Err(a), Err(b), Err(c)) => {
            if a != b || a != c {
                return Err(format!("the modes fail differently: {a:?} / {b:?} / {c:?}"));
            }
            let p = casework::diag::Span {
                start: a.pos,
                end: a.pos,
            };
            check_span(y, first_line, &p).map_err(|e| format!("error {a:?}: {e}"))
        }
        (a, b, c) => Err(format!(
            "the modes disagree on success: without positions {}, with positions {}, layout {}",
            a.is_ok(),
            b.is_ok(),
            c.is_ok()
        )),
    }
}

/// A span whose ends are lines of `y` (numbered from `first_line`) and
/// columns within those lines (or just past their end). Lines end at LF
/// or CRLF, as everywhere in casework: the loader refuses a lone CR, which
/// YAML would count as a line break (see `fuzz/artifacts-kept/README.md`).
fn check_span(y: &str, first_line: usize, s: &casework::diag::Span) -> Result<(), String> {
    let y = y.replace("\r\n", "\n");
    let lines: Vec<&str> = y.split('\n').collect();
    for p in [s.start, s.end] {
        let Some(i) = p.line.checked_sub(first_line) else {
            return Err(format!("line {} is before the front-matter", p.line));
        };
        let Some(line) = lines.get(i) else {
            return Err(format!(
                "line {} is past the front-matter ({} lines)",
                p.line,
                lines.len()
            ));
        };
        let chars = line.chars().count();
        if p.column == 0 || p.column > chars + 1 {
            return Err(format!("column {} of line {} ({chars} characters)", p.column, p.line));
        }
    }
    if (s.start.line, s.start.column) > (s.end.line, s.end.column) {
        return Err(format!("span ends before it starts: {s:?}"));
    }
    Ok(())
}

// ----------------------------------------------------------------- edit

/// [`text::apply`] either refuses, or gives a text whose front-matter
/// reads back as the original data with the edits applied as data, with
/// the same bytes before and after the front-matter; each edit alone
/// changes only the lines of the field it edits (see [`check_step`]).
pub fn check_edit(text: &str, edits: &[Edit]) -> Result<(), String> {
    let Ok(out) = text::apply(text, edits) else {
        return Ok(());
    };
    if edits.is_empty() {
        return if out == text {
            Ok(())
        } else {
            Err("no edit, yet the text changed".into())
        };
    }
    let fm = record::split_front_matter(text).map_err(|e| format!("applied to a text without front-matter: {e:?}"))?;
    let before = yaml::parse(&text[fm.yaml.clone()], fm.first_line, false)
        .map_err(|e| format!("applied to front-matter that does not parse: {e:?}"))?
        .0;
    let mut expected = match before {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        other => return Err(format!("applied to front-matter that is not a mapping: {other}")),
    };
    for e in edits {
        e.apply_to(&mut expected)
            .map_err(|err| format!("applied {e:?}, which value::apply refuses: {err}"))?;
    }
    let fm2 = record::split_front_matter(&out).map_err(|e| format!("the result has no front-matter: {e:?}"))?;
    if out[..fm2.yaml.start] != text[..fm.yaml.start] {
        return Err("the text before the front-matter changed".into());
    }
    if out[fm2.yaml.end..] != text[fm.yaml.end..] {
        return Err("the closing `---` or the body changed".into());
    }
    let after = yaml::parse(&out[fm2.yaml.clone()], fm2.first_line, false)
        .map_err(|e| format!("the result does not parse: {e:?}"))?
        .0;
    if after != Value::Object(expected.clone()) {
        return Err(format!(
            "the result reads back as\n{after}\ninstead of\n{}",
            Value::Object(expected)
        ));
    }
    check_yaml(&out[fm2.yaml.clone()], fm2.first_line).map_err(|e| format!("the result: {e}"))?;
    // Edit by edit: each is minimal, and together they give the same text.
    let mut step = text.to_string();
    for e in edits {
        match text::apply(&step, std::slice::from_ref(e)) {
            Ok(next) => {
                check_step(&step, &next, e)
                    .map_err(|err| format!("{err}\nedit {e:?}\nbefore:\n{step}\nafter:\n{next}"))?;
                step = next;
            }
            // The sequence is verified once at its end: a step alone may be
            // refused (a later edit can replace what it could not write).
            Err(_) => return Ok(()),
        }
    }
    if step != out {
        return Err(format!("edits one by one give\n{step}\nbut together\n{out}"));
    }
    Ok(())
}

fn line_of(text: &str, pos: usize) -> usize {
    text[..pos].matches('\n').count()
}

/// The line ending of the line holding byte `pos` of `text`, if it has one.
fn ending_at(text: &str, pos: usize) -> Option<&'static str> {
    let i = pos + text[pos..].find('\n')?;
    Some(if text[..i].ends_with('\r') { "\r\n" } else { "\n" })
}

/// One edit (already applied: `before` -> `after`) changed only the lines
/// it had to: lines `a..b` of the old front-matter, found from the layout,
/// and its new lines end like their neighbours.
fn check_step(before: &str, after: &str, edit: &Edit) -> Result<(), String> {
    let fm = record::split_front_matter(before).map_err(|e| format!("{e:?}"))?;
    let fm2 = record::split_front_matter(after).map_err(|e| format!("{e:?}"))?;
    let (old_yaml, new_yaml) = (&before[fm.yaml.clone()], &after[fm2.yaml.clone()]);
    let Ok((data, layout)) = yaml::parse_layout(old_yaml, fm.first_line) else {
        return Err("the edited text did not parse".into());
    };
    let old: Vec<&str> = old_yaml.split_inclusive('\n').collect();
    let new: Vec<&str> = new_yaml.split_inclusive('\n').collect();
    // Deepest existing node on the path.
    let path = edit.path();
    let mut ptr = String::new();
    let mut depth = 0;
    let mut node = &data;
    for k in path {
        let Some(child) = node.as_object().and_then(|m| m.get(k)) else {
            break;
        };
        ptr = format!("{ptr}/{}", yaml::escape_pointer(k));
        node = child;
        depth += 1;
    }
    let (a, b) = match layout.get(&ptr) {
        // Empty front-matter: anything may change.
        None => (0, old.len()),
        // A null front-matter (`&a`, `~`): new fields go at its end.
        Some(_) if data.is_null() => (0, old.len()),
        Some(lay) => {
            let append_block = matches!(edit, Edit::Append { .. }) && lay.style == yaml::Style::BlockSeq;
            if depth == path.len() && !append_block {
                let start = lay
                    .key
                    .as_ref()
                    .map_or(lay.value.start, |k| k.start.min(lay.value.start));
                (line_of(old_yaml, start), line_of(old_yaml, lay.value.end) + 1)
            } else if depth < path.len() && lay.style.is_flow() {
                (line_of(old_yaml, lay.value.start), line_of(old_yaml, lay.value.end) + 1)
            } else {
                let at = (line_of(old_yaml, lay.value.end) + 1).min(old.len());
                (at, at)
            }
        }
    };
    let b = b.min(old.len());
    let kept = old.len() - b;
    if new.len() < a + kept || old[..a] != new[..a] || old[b..] != new[new.len() - kept..] {
        return Err(format!(
            "lines outside {}..{} of the front-matter changed",
            a + 1,
            b + 1
        ));
    }
    // New lines end with a whole line ending, that of the line they follow
    // (or of the opening `---` at the top).
    let changed = &new[a..new.len() - kept];
    let neighbour = if a > 0 {
        if old[a - 1].ends_with("\r\n") { "\r\n" } else { "\n" }
    } else {
        ending_at(before, 0).unwrap_or("\n")
    };
    // No bare CR is added (one already in the edited lines may stay).
    let bare_cr = |lines: &[&str]| {
        lines
            .iter()
            .map(|l| l.trim_end_matches("\r\n").matches('\r').count())
            .sum::<usize>()
    };
    if bare_cr(changed) > bare_cr(&old[a..b]) {
        return Err(format!("the edit adds a bare CR: {changed:?}"));
    }
    if a == b && !changed.is_empty() {
        for l in changed {
            if !l.ends_with(neighbour) || neighbour == "\n" && l.ends_with("\r\n") {
                return Err(format!(
                    "inserted line {l:?} does not end like the line before it ({neighbour:?})"
                ));
            }
        }
    }
    Ok(())
}

// ------------------------------------------------- structured edit input

input_type! {
    /// Text for keys and values: one of [`TRICKY`], or anything.
    #[derive(Debug, Clone)]
    pub enum Text {
        Table(u8),
        Free(String),
    }
}

/// Strings that are easy to get wrong in YAML.
pub const TRICKY: &[&str] = &[
    "",
    " ",
    "a",
    "word",
    "two words",
    "yes",
    "no",
    "on",
    "off",
    "Yes",
    "NO",
    "y",
    "n",
    "true",
    "False",
    "null",
    "~",
    "Null",
    "1_000",
    "0x1F",
    "0o17",
    "017",
    "0b101",
    "1:20",
    "1:20:30",
    "2026-03-02",
    "2026-03-02T09:14:00Z",
    "1e3",
    ".5",
    "+1",
    "-0",
    ".inf",
    "-.INF",
    ".nan",
    "a #b",
    "a# b",
    "#x",
    "a: b",
    "a:b",
    "- x",
    "-",
    "? x",
    "'q'",
    "\"q\"",
    "it's",
    "say \"hi\"",
    " lead",
    "trail ",
    "two\nlines",
    "end\n",
    "\n",
    "cr\rx",
    "crlf\r\nx",
    "tab\tx",
    "\t",
    "\\",
    "\\n",
    "é",
    "日本語",
    "Ωμέγα",
    "emoji 🎉",
    "\u{85}nel",
    "\u{2028}ls",
    "\u{feff}bom",
    "\u{7f}",
    "\u{1b}[0m",
    "&a x",
    "*a",
    "!tag x",
    "!!str 1",
    "! 12",
    "|",
    ">",
    "|-\n x",
    "%x",
    "@x",
    "`x",
    "[a, b]",
    "{a: 1}",
    ",",
    "a,b",
    "]",
    "}",
    "---",
    "...",
    "key:",
    "x #",
    "x:",
    "0",
    "-1",
    "3.14",
    "1.0e+10",
    "12345678901234567890",
    "-9223372036854775808",
    "18446744073709551616",
    "1e400",
    "0.1",
    "=",
    "a=b",
];

impl Text {
    pub fn get(&self) -> &str {
        match self {
            Text::Table(i) => TRICKY[*i as usize % TRICKY.len()],
            Text::Free(s) => s,
        }
    }
}

input_type! {
    /// One line of the generated front-matter. `depth` nests it under the
    /// nearest line before it that opened a collection (clamped to what is open).
    #[derive(Debug, Clone)]
    pub struct LineSpec {
        pub depth: u8,
        /// What the line holds: see [`render`].
        pub shape: u8,
        /// How the key and value are written (quoting, comments, indentation).
        pub style: u8,
        pub key: Text,
        pub value: Text,
    }
}

input_type! {
    /// Line endings of the generated file.
    #[derive(Debug, Clone, Copy)]
    pub enum Eol {
        Lf,
        Crlf,
        /// Line `i` ends with CRLF when bit `i % 64` is set.
        Mixed(u64),
    }
}

input_type! {
    /// A value for an edit.
    #[derive(Debug, Clone)]
    pub struct NewValue {
        pub kind: u8,
        pub text: Text,
        pub n: i64,
    }
}

impl NewValue {
    pub fn to_json(&self) -> Value {
        let s = self.text.get().to_string();
        match self.kind % 14 {
            0..=2 => Value::String(s),
            3 => json!(self.n),
            4 => json!((self.n % 100_000) as f64 / 8.0),
            5 => json!(self.n % 2 == 0),
            6 => Value::Null,
            7 => json!({}),
            8 => json!([]),
            9 => json!([s, {"n": self.n}]),
            10 => json!({ s: [null, "x"] }),
            11 => json!([[s]]),
            12 => json!({"a": {"b": s, "c": []}}),
            _ => json!([{"k": s, "l": [1, {}]}, "y"]),
        }
    }
}

input_type! {
    /// One edit: `kind` picks a set or append of an existing path, a new
    /// field, a new nested field, or a path that crosses a scalar; `target`
    /// picks the path among those of the data.
    #[derive(Debug, Clone)]
    pub struct EditSpec {
        pub kind: u8,
        pub target: u8,
        pub key: Text,
        pub value: NewValue,
    }
}

input_type! {
    /// The input of the `edit` target: a record and the edits to make.
    #[derive(Debug, Clone)]
    pub struct EditCase {
        pub lines: Vec<LineSpec>,
        pub eol: Eol,
        pub bom: bool,
        pub edits: Vec<EditSpec>,
    }
}

/// A key as written: plain when it is a simple word, quoted otherwise.
fn key_text(k: &str, style: u8) -> String {
    let simple = !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') && !k.starts_with('-');
    match style % 4 {
        _ if !simple => serde_json::to_string(k).unwrap_or_default(),
        1 => format!("'{k}'"),
        2 => format!("\"{k}\""),
        _ => k.to_string(),
    }
}

/// A scalar as written: plain (possibly invalid), single- or double-quoted.
fn scalar_written(v: &str, style: u8) -> String {
    match style % 3 {
        0 => v.to_string(),
        1 => format!("'{}'", v.replace('\'', "''")),
        _ => serde_json::to_string(v).unwrap_or_default(),
    }
}

/// The YAML text of the lines, with `\n` line endings.
///
/// Shapes (`shape % 10`): 0-1 `key: scalar`; 2 `key:` then a block
/// mapping; 3 `key:` then a block list (its items are the next deeper
/// lines, as `- scalar` or `- key: scalar`); 4 a block scalar; 5 a flow
/// list; 6 a flow mapping; 7 `key:` with no value; 8 a comment line; 9 a
/// blank line. Keys get the line index appended, so they are unique.
pub fn render(lines: &[LineSpec]) -> String {
    // Open collections: (indentation of their children, is a list, dash indent).
    let mut open: Vec<(usize, bool)> = Vec::new();
    let mut out = String::new();
    for (i, l) in lines.iter().take(40).enumerate() {
        let d = (l.depth as usize).min(open.len()).min(5);
        open.truncate(d);
        let (indent, in_list) = open.last().copied().unwrap_or((0, false));
        let pad = " ".repeat(indent);
        let comment = if l.style & 0x40 != 0 { "  # note: x" } else { "" };
        let key = format!("{}{i}", l.key.get());
        let key = key_text(&key, l.style >> 2);
        let value = l.value.get();
        // In a list: the line is an item; shapes 0-1 and 4-9 make scalars
        // or `- key: value`.
        let lead = if in_list { format!("{pad}- ") } else { pad.clone() };
        let child = indent + if in_list { 2 } else { 0 };
        match l.shape % 10 {
            0 | 1 if in_list && l.shape % 20 < 10 => {
                let _ = writeln!(out, "{lead}{}{comment}", scalar_written(value, l.style));
            }
            0 | 1 => {
                let _ = writeln!(out, "{lead}{key}: {}{comment}", scalar_written(value, l.style));
            }
            2 => {
                let _ = writeln!(out, "{lead}{key}:{comment}");
                open.push((child + 2, false));
            }
            3 => {
                let _ = writeln!(out, "{lead}{key}:{comment}");
                // Indentless lists (dashes under the key) when bit 0x80 is set.
                let dash = if l.style & 0x80 != 0 && !in_list {
                    child
                } else {
                    child + 2
                };
                open.push((dash, true));
            }
            4 => {
                let header = ["|", ">", "|-", "|+", ">-", "|2", ">+"][l.style as usize % 7];
                let _ = writeln!(out, "{lead}{key}: {header}{comment}");
                for part in value.split('\n') {
                    let _ = writeln!(out, "{}  {part}", " ".repeat(child));
                }
                if header.contains('+') {
                    out.push('\n');
                }
            }
            5 => {
                let items: Vec<String> = value
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .map(|s| scalar_written(s, l.style / 3))
                    .collect();
                let sep = if l.style & 0x20 != 0 {
                    format!(",\n{}  ", " ".repeat(child))
                } else {
                    ", ".into()
                };
                let _ = writeln!(out, "{lead}{key}: [{}]{comment}", items.join(&sep));
            }
            6 => {
                let items: Vec<String> = value
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .enumerate()
                    .map(|(j, s)| format!("k{j}: {}", scalar_written(s, l.style / 3)))
                    .collect();
                let _ = writeln!(out, "{lead}{key}: {{{}}}{comment}", items.join(", "));
            }
            7 => {
                let _ = writeln!(out, "{lead}{key}:{comment}");
            }
            8 => {
                let at = if l.style & 1 != 0 { String::new() } else { pad };
                let _ = writeln!(out, "{at}# {}", value.replace(['\n', '\r'], " "));
            }
            _ => out.push('\n'),
        }
    }
    out
}

/// Line endings: replace each `\n` of `text` as `eol` says, counting
/// lines from `first`.
fn with_endings(text: &str, eol: Eol, first: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, part) in text.split_inclusive('\n').enumerate() {
        let crlf = match eol {
            Eol::Lf => false,
            Eol::Crlf => true,
            Eol::Mixed(bits) => bits >> ((first + i) % 64) & 1 == 1,
        };
        match part.strip_suffix('\n') {
            Some(p) if crlf && !p.ends_with('\r') => {
                out.push_str(p);
                out.push_str("\r\n");
            }
            _ => out.push_str(part),
        }
    }
    out
}

impl EditCase {
    /// The record file: optional BOM, `---`, the YAML, `---`, a body.
    pub fn text(&self) -> String {
        let lf = format!("---\n{}---\n# Body\n\nkey: not yaml\n", render(&self.lines));
        let text = with_endings(&lf, self.eol, 0);
        if self.bom { format!("\u{feff}{text}") } else { text }
    }

    /// The edits, with paths picked from the data of `text`.
    pub fn edits(&self, text: &str) -> Vec<Edit> {
        let data = record::split_front_matter(text)
            .ok()
            .and_then(|fm| yaml::parse(&text[fm.yaml], fm.first_line, false).ok())
            .map(|(v, _)| v)
            .unwrap_or(Value::Null);
        let mut all = Vec::new();
        let mut maps = vec![Vec::new()];
        let mut lists = Vec::new();
        let mut scalars = Vec::new();
        paths(&data, &mut Vec::new(), &mut all, &mut maps, &mut lists, &mut scalars);
        self.edits
            .iter()
            .take(6)
            .map(|e| {
                let pick = |v: &[Vec<String>]| -> Option<Vec<String>> {
                    (!v.is_empty()).then(|| v[e.target as usize % v.len()].clone())
                };
                let fresh = e.key.get().to_string();
                let mut path = match e.kind % 8 {
                    0 | 1 => pick(&all),
                    2 => pick(&lists),
                    3 | 4 => pick(&maps).map(|mut p| {
                        p.push(fresh.clone());
                        p
                    }),
                    5 => pick(&maps).map(|mut p| {
                        p.extend([fresh.clone(), "deep".into()]);
                        p
                    }),
                    6 => pick(&scalars).map(|mut p| {
                        p.push("x".into());
                        p
                    }),
                    _ => pick(&all).map(|mut p| {
                        p.push(fresh.clone());
                        p
                    }),
                }
                .unwrap_or_else(|| vec![fresh.clone()]);
                if path.is_empty() {
                    path.push(fresh);
                }
                let value = e.value.to_json();
                if e.kind & 0x10 != 0 || e.kind % 8 == 2 {
                    Edit::Append { path, value }
                } else {
                    Edit::Set { path, value }
                }
            })
            .collect()
    }
}

/// Every path through mappings, and which lead to mappings, lists and scalars.
fn paths(
    v: &Value,
    prefix: &mut Vec<String>,
    all: &mut Vec<Vec<String>>,
    maps: &mut Vec<Vec<String>>,
    lists: &mut Vec<Vec<String>>,
    scalars: &mut Vec<Vec<String>>,
) {
    if let Value::Object(m) = v {
        for (k, x) in m {
            prefix.push(k.clone());
            all.push(prefix.clone());
            match x {
                Value::Object(_) => maps.push(prefix.clone()),
                Value::Array(_) => lists.push(prefix.clone()),
                _ => scalars.push(prefix.clone()),
            }
            paths(x, prefix, all, maps, lists, scalars);
            prefix.pop();
        }
    }
}

/// The `edit` property on a structured case; the loader properties too,
/// on the generated front-matter.
pub fn check_edit_case(case: &EditCase) -> Result<(), String> {
    let text = case.text();
    let edits = case.edits(&text);
    let context = || format!("\ntext: {text:?}\nedits: {edits:?}");
    if let Ok(fm) = record::split_front_matter(&text) {
        check_yaml(&text[fm.yaml.clone()], fm.first_line).map_err(|e| format!("{e}{}", context()))?;
    }
    check_edit(&text, &edits).map_err(|e| format!("{e}{}", context()))
}
