//! Minimal edits to the text of a record file: set or append front-matter
//! fields while comments, key order, quoting, blank lines and line endings
//! everywhere else stay byte-identical.
//!
//! Each edit becomes one splice of the YAML text, placed with the byte
//! layout of [`yaml::parse_layout`]. After all edits the result is parsed
//! again and compared with the parsed original plus the edits applied as
//! data ([`value::apply`]); any difference is an error, never a file.

use crate::edit::value::{self, Assignment, emit_field, scalar_text};
use crate::record::split_front_matter;
use crate::record::yaml::{self, Layout, LayoutMap, Style};
use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::{Map, Value};
use std::ops::Range;

/// One change to a record's front-matter.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Set the field at `path` (mappings are created on the way).
    Set { path: Vec<String>, value: Value },
    /// Add `value` at the end of the list at `path` (created when missing).
    Append { path: Vec<String>, value: Value },
    /// Remove the field at `path` of a block mapping, its lines and all
    /// (nothing when it is missing).
    Remove { path: Vec<String> },
}

impl Edit {
    pub fn path(&self) -> &[String] {
        match self {
            Edit::Set { path, .. } | Edit::Append { path, .. } | Edit::Remove { path } => path,
        }
    }

    /// The data the edit writes (`None` for a removal).
    pub fn value(&self) -> Option<&Value> {
        match self {
            Edit::Set { value, .. } | Edit::Append { value, .. } => Some(value),
            Edit::Remove { .. } => None,
        }
    }

    /// The edit applied to the parsed data, for the read-back comparison.
    pub fn apply_to(&self, data: &mut Map<String, Value>) -> Result<()> {
        let Some(value) = self.value() else {
            let (last, parents) = self.path().split_last().context("an empty field path")?;
            let mut map = data;
            for p in parents {
                match map.get_mut(p) {
                    Some(Value::Object(m)) => map = m,
                    _ => return Ok(()),
                }
            }
            map.remove(last);
            return Ok(());
        };
        value::apply(
            data,
            &Assignment {
                path: self.path().to_vec(),
                append: matches!(self, Edit::Append { .. }),
                value: value.clone(),
            },
        )
    }
}

impl From<Assignment> for Edit {
    fn from(a: Assignment) -> Edit {
        if a.append {
            Edit::Append {
                path: a.path,
                value: a.value,
            }
        } else {
            Edit::Set {
                path: a.path,
                value: a.value,
            }
        }
    }
}

/// Apply edits in order to the whole text of a record file (front-matter +
/// body); returns the new text.
///
/// Errors when the front-matter does not parse, when a path crosses a value
/// that is not a mapping (or appends to one that is not a list), or when the
/// edited text would not read back as exactly the intended data.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String> {
    if edits.is_empty() {
        return Ok(text.to_string());
    }
    let fm = front_matter(text)?;
    let (before, _) = yaml::parse(&text[fm.yaml.clone()], fm.first_line, false)
        .map_err(|e| anyhow!("line {}: {}", e.pos.line, e.message))?;
    let mut expected = match before {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        _ => bail!("the front-matter is not a mapping of fields"),
    };
    let mut out = text.to_string();
    for edit in edits {
        if edit.path().is_empty() || edit.path().iter().any(String::is_empty) {
            bail!("`{}` is not a field path", edit.path().join("."));
        }
        edit.apply_to(&mut expected)?;
        out = apply_one(&out, edit)?;
    }
    verify(text, &out, &Value::Object(expected))?;
    Ok(out)
}

fn front_matter(text: &str) -> Result<crate::record::FrontMatter> {
    split_front_matter(text).map_err(|(_, msg)| anyhow!(msg))
}

/// The safety net: the result must split the same way, keep the bytes
/// around the front-matter, and parse to exactly `expected`.
fn verify(original: &str, edited: &str, expected: &Value) -> Result<()> {
    let (a, b) = (front_matter(original)?, front_matter(edited)?);
    let same_frame = original[..a.yaml.start] == edited[..b.yaml.start]
        && original[a.yaml.end..] == edited[b.yaml.end..]
        && b.yaml.end == b.body_start - (a.body_start - a.yaml.end);
    if !same_frame {
        bail!("internal error: the edit would change text outside the front-matter; the file was left as it was");
    }
    let (after, _) = yaml::parse(&edited[b.yaml.clone()], b.first_line, false).map_err(|e| {
        anyhow!(
            "internal error: the edit would make the front-matter invalid (line {}: {}); the file was left as it was",
            e.pos.line,
            e.message
        )
    })?;
    if &after != expected {
        bail!("internal error: the edit would not read back as intended; the file was left as it was");
    }
    Ok(())
}

/// One edit, as a splice of the front-matter.
fn apply_one(text: &str, edit: &Edit) -> Result<String> {
    let fm = front_matter(text)?;
    let yaml_text = &text[fm.yaml.clone()];
    let (data, layout) =
        yaml::parse_layout(yaml_text, fm.first_line).map_err(|e| anyhow!("line {}: {}", e.pos.line, e.message))?;
    let eol = if text[..fm.yaml.start].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let doc = Doc {
        text: yaml_text,
        layout: &layout,
        default_eol: eol,
    };
    let Some(Splice { range, with }) = doc.plan(&data, edit)? else {
        return Ok(text.to_string());
    };
    let (start, end) = (fm.yaml.start + range.start, fm.yaml.start + range.end);
    Ok([&text[..start], &with, &text[end..]].concat())
}

/// Replace `range` of the YAML text `with` new text.
struct Splice {
    range: Range<usize>,
    with: String,
}

impl Splice {
    fn insert(at: usize, with: String) -> Splice {
        Splice { range: at..at, with }
    }
}

struct Doc<'a> {
    text: &'a str,
    layout: &'a LayoutMap,
    /// The line ending of the opening `---`: for lines added where no line
    /// of the YAML gives one (empty front-matter).
    default_eol: &'a str,
}

impl Doc<'_> {
    fn plan(&self, data: &Value, edit: &Edit) -> Result<Option<Splice>> {
        let path = edit.path();
        let mut pointer = String::new();
        let mut node = data;
        let mut depth = 0;
        while depth < path.len() {
            match node {
                Value::Object(m) => match m.get(&path[depth]) {
                    Some(child) => {
                        pointer.push('/');
                        pointer.push_str(&yaml::escape_pointer(&path[depth]));
                        node = child;
                        depth += 1;
                    }
                    None => break,
                },
                Value::Null if depth == 0 => break,
                _ => bail!(
                    "`{}` is not a mapping, so `{}` cannot be set",
                    path[..depth].join("."),
                    path.join(".")
                ),
            }
        }
        if depth < path.len() {
            // Create path[depth] in the mapping at `pointer`.
            let mut nested = match edit {
                Edit::Set { value, .. } => value.clone(),
                Edit::Append { value, .. } => Value::Array(vec![value.clone()]),
                Edit::Remove { .. } => return Ok(None),
            };
            for key in path[depth + 1..].iter().rev() {
                nested = Value::Object(Map::from_iter([(key.clone(), nested)]));
            }
            return self.insert(&pointer, node, &path[depth], &nested).map(Some);
        }
        let lay = self.node(&pointer)?;
        let parent = &pointer[..pointer.rfind('/').unwrap_or(0)];
        let in_flow = self.node(parent)?.style.is_flow();
        match edit {
            Edit::Set { value, .. } if value == node => Ok(None),
            Edit::Set { value, .. } => self.set(lay, in_flow, value).map(Some),
            Edit::Append { value, .. } => self.append(lay, node, value).map(Some),
            Edit::Remove { .. } if in_flow => {
                bail!(
                    "`{}` is inside a flow mapping (`{{...}}`): remove it by hand",
                    path.join(".")
                )
            }
            Edit::Remove { .. } => self.remove(lay).map(Some),
        }
    }

    /// Remove a field of a block mapping: from its key's line to the end of
    /// the line its value ends on, line break included.
    fn remove(&self, lay: &Layout) -> Result<Splice> {
        let key = lay.key.clone().context("internal error: a field without a key")?;
        let end = self.text[lay.value.end..]
            .find('\n')
            .map_or(self.text.len(), |i| lay.value.end + i + 1);
        Ok(Splice {
            range: self.line_start(key.start)..end,
            with: String::new(),
        })
    }

    fn node(&self, pointer: &str) -> Result<&Layout> {
        self.layout
            .get(pointer)
            .with_context(|| format!("internal error: no layout for `{pointer}`"))
    }

    /// Replace an existing value.
    fn set(&self, lay: &Layout, in_flow: bool, value: &Value) -> Result<Splice> {
        let block = is_block_value(value);
        if in_flow || lay.style.is_flow() || !block && !lay.style.is_block_collection() {
            // Only the value's own text changes.
            let mut with = if in_flow || block {
                flow_text(value)
            } else {
                scalar_text(value)
            };
            if lay.value.is_empty() {
                with.insert(0, ' ');
            }
            return Ok(Splice {
                range: lay.value.clone(),
                with,
            });
        }
        let key = lay.key.clone().context("internal error: a field without a key")?;
        let last = self.line_end(lay.value.end);
        if !block {
            // A block collection becomes a scalar on the key line.
            return Ok(Splice {
                range: key.end..last,
                with: format!(": {}", scalar_text(value)),
            });
        }
        let key_col = self.column(key.start);
        if lay.style.is_block_collection() {
            // Replace the lines of the old collection, at its indentation.
            let col = self.column(lay.value.start);
            let indent = if col > key_col || lay.style == Style::BlockSeq && value.is_array() {
                col
            } else {
                key_col + 2
            };
            return Ok(Splice {
                range: self.line_start(lay.value.start)..last,
                with: children_lines(value, indent).join(self.eol_at(key.start)),
            });
        }
        // A scalar becomes a block collection under the key; a comment after
        // the scalar stays on the key line.
        let mut with = format!(":{}", &self.text[lay.value.end..last]);
        let eol = self.eol_at(key.start);
        for line in children_lines(value, key_col + 2) {
            with.push_str(eol);
            with.push_str(&line);
        }
        Ok(Splice {
            range: key.end..last,
            with,
        })
    }

    /// Add an item at the end of an existing list.
    fn append(&self, lay: &Layout, node: &Value, value: &Value) -> Result<Splice> {
        match lay.style {
            Style::FlowSeq if node.as_array().is_some_and(|a| !a.is_empty()) => {
                Ok(Splice::insert(lay.content_end, format!(", {}", flow_text(value))))
            }
            Style::FlowSeq => Ok(Splice::insert(lay.value.start + 1, flow_text(value))),
            Style::BlockSeq => {
                let lines = children_lines(&Value::Array(vec![value.clone()]), self.column(lay.value.start));
                Ok(self.insert_lines(lay.value.end, &lines))
            }
            _ => bail!("internal error: appending to a value that is not a list"),
        }
    }

    /// Add `key: value` to the mapping at `pointer` (`node` is its value).
    fn insert(&self, pointer: &str, node: &Value, key: &str, value: &Value) -> Result<Splice> {
        if node.is_null() {
            // Empty front-matter: the new field is the first line.
            return Ok(Splice::insert(
                self.text.len(),
                lines_text(&field_lines(key, value, 0), self.default_eol),
            ));
        }
        let lay = self.node(pointer)?;
        match lay.style {
            Style::FlowMap => {
                let item = format!("{}: {}", flow_text(&Value::String(key.to_string())), flow_text(value));
                if node.as_object().is_some_and(|m| !m.is_empty()) {
                    Ok(Splice::insert(lay.content_end, format!(", {item}")))
                } else {
                    Ok(Splice::insert(lay.value.start + 1, item))
                }
            }
            Style::BlockMap => {
                let lines = field_lines(key, value, self.column(lay.value.start));
                Ok(self.insert_lines(lay.value.end, &lines))
            }
            _ => bail!("internal error: inserting into a value that is not a mapping"),
        }
    }

    /// Insert whole lines after the line holding `pos`, ending as that line ends.
    fn insert_lines(&self, pos: usize, lines: &[String]) -> Splice {
        let at = self.text[pos..].find('\n').map(|i| pos + i + 1);
        let eol = self.eol_at(pos);
        match at {
            Some(at) => Splice::insert(at, lines_text(lines, eol)),
            // No line break after the last line (not possible between `---` lines).
            None => Splice::insert(self.text.len(), format!("{eol}{}", lines.join(eol))),
        }
    }

    /// The line ending of the line holding `pos`: new lines next to it take
    /// it, so a file that mixes endings keeps them as they were around an edit.
    fn eol_at(&self, pos: usize) -> &str {
        match self.text[pos..].find('\n') {
            Some(i) if self.text[..pos + i].ends_with('\r') => "\r\n",
            Some(_) => "\n",
            None => self.default_eol,
        }
    }

    fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// End of the line holding `pos`, before its line break.
    fn line_end(&self, pos: usize) -> usize {
        match self.text[pos..].find('\n') {
            Some(i) if self.text[..pos + i].ends_with('\r') => pos + i - 1,
            Some(i) => pos + i,
            None => self.text.len(),
        }
    }

    /// Column of `pos` in characters (indentation for new lines).
    fn column(&self, pos: usize) -> usize {
        self.text[self.line_start(pos)..pos].chars().count()
    }
}

/// Lines, each followed by `eol`.
fn lines_text(lines: &[String], eol: &str) -> String {
    lines.iter().flat_map(|l| [l.as_str(), eol]).collect()
}

/// Whether a value is written as a block (non-empty mapping or list).
fn is_block_value(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

/// `key: value` as block lines at `indent` spaces, without line breaks.
fn field_lines(key: &str, value: &Value, indent: usize) -> Vec<String> {
    let mut out = String::new();
    emit_field(&mut out, indent, key, value);
    out.lines().map(str::to_string).collect()
}

/// The lines under the key of a block mapping or list, at `indent` spaces.
fn children_lines(value: &Value, indent: usize) -> Vec<String> {
    let mut out = String::new();
    emit_field(&mut out, 0, "k", value);
    let pad = " ".repeat(indent);
    out.lines()
        .skip(1)
        .map(|l| format!("{pad}{}", l.strip_prefix("  ").unwrap_or(l)))
        .collect()
}

/// A value as YAML flow text: plain words where they read back as
/// themselves inside brackets, JSON strings otherwise.
fn flow_text(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let plain = scalar_text(v);
            let flow_safe = !s.is_empty()
                && !s.contains([',', '[', ']', '{', '}', ':', '?', '#'])
                && !s.starts_with(['-', '&', '*', '!', '|', '>', '%', '@', '`']);
            if flow_safe && plain == *s {
                plain
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        }
        Value::Array(a) => format!("[{}]", a.iter().map(flow_text).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{}: {}", flow_text(&Value::String(k.clone())), flow_text(x)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        other => scalar_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    fn set(p: &str, value: Value) -> Edit {
        Edit::Set { path: path(p), value }
    }

    fn append(p: &str, value: Value) -> Edit {
        Edit::Append { path: path(p), value }
    }

    /// `---` + `yaml` + `---` + a body.
    fn doc(yaml: &str) -> String {
        format!("---\n{yaml}---\n# Body\n\ntext: not yaml\n")
    }

    fn check(yaml: &str, edits: &[Edit], want: &str) {
        let out = apply(&doc(yaml), edits).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(out, doc(want));
    }

    #[test]
    fn set_existing_scalars_of_every_style() {
        let yaml = "id: A-1\nstatus: open  # note\ntitle: 'Old title'\nq: \"x\"   # c\n\
                    desc: |\n  line one\n  line two\n\nfolded: >-\n  a\n  b\nnext: 1\n";
        check(
            yaml,
            &[
                set("status", json!("closed")),
                set("title", json!("New: title")),
                set("q", json!("y")),
                set("desc", json!("short")),
                set("folded", json!(7)),
            ],
            "id: A-1\nstatus: closed  # note\ntitle: \"New: title\"\nq: \"y\"   # c\ndesc: short\n\nfolded: 7\nnext: 1\n",
        );
    }

    #[test]
    fn set_empty_value_and_same_value() {
        check(
            "closure:  # later\nnext: 1\n",
            &[set("closure", json!("done"))],
            "closure: done  # later\nnext: 1\n",
        );
        let text = doc("status: \"open\"  # same\n");
        assert_eq!(apply(&text, &[set("status", json!("open"))]).unwrap(), text);
    }

    #[test]
    fn insert_nested_missing_key() {
        check(
            "id: A-1\nclosure:\n  reason: fixed\n  # comment after the mapping\n\nnext: x\n",
            &[set("closure.closed_at", json!("2026-03-02T09:14:00Z"))],
            "id: A-1\nclosure:\n  reason: fixed\n  closed_at: \"2026-03-02T09:14:00Z\"\n  # comment after the mapping\n\nnext: x\n",
        );
        check(
            "a:\n    deep:\n        x: 1\n",
            &[set("a.deep.y", json!("two words")), set("a.z", json!(true))],
            "a:\n    deep:\n        x: 1\n        \"y\": two words\n    z: true\n",
        );
    }

    #[test]
    fn create_intermediate_mappings_at_root_end() {
        check(
            "id: A-1\nstatus: open\n# trailing comment\n",
            &[
                set("closure.closed_at", json!("2026-03-02")),
                set("closure.by", json!("ann")),
            ],
            "id: A-1\nstatus: open\nclosure:\n  closed_at: \"2026-03-02\"\n  by: ann\n# trailing comment\n",
        );
        let out = apply("---\n---\nbody\n", &[set("a.b", json!(1))]).unwrap();
        assert_eq!(out, "---\na:\n  b: 1\n---\nbody\n");
    }

    #[test]
    fn remove_a_field_with_its_lines() {
        let remove = |p: &str| Edit::Remove { path: path(p) };
        check(
            "id: A-1\nresolution:\n  summary: fixed  # c\n  notified_at: 2026-03-02\n\nconfirmation: {outcome: x}\nnext: 1\n",
            &[remove("resolution"), remove("confirmation"), remove("missing")],
            "id: A-1\n\nnext: 1\n",
        );
        check(
            "id: A-1\nnote: |\n  two\n  lines\nclosure:\n  by: ann\n  at: x\n",
            &[remove("note"), remove("closure.at")],
            "id: A-1\nclosure:\n  by: ann\n",
        );
        // A field inside a flow mapping is refused, not mangled.
        assert!(apply(&doc("id: A-1\nc: {a: 1, b: 2}\n"), &[remove("c.a")]).is_err());
    }

    #[test]
    fn append_to_block_lists() {
        let yaml =
            "updates:\n  - at: 2026-01-01\n    by: ann\n  # between\n  - at: 2026-01-02\n    by: bob\n\ntags: []\n";
        check(
            yaml,
            &[append(
                "updates",
                json!({"at": "2026-01-03", "by": "cy", "note": "a: b"}),
            )],
            "updates:\n  - at: 2026-01-01\n    by: ann\n  # between\n  - at: 2026-01-02\n    by: bob\n  \
             - at: \"2026-01-03\"\n    by: cy\n    note: \"a: b\"\n\ntags: []\n",
        );
        // Indentless list, and a list whose last item is a block scalar.
        check(
            "l:\n- x\n- |\n  text\n\nm: 1\n",
            &[append("l", json!("y"))],
            "l:\n- x\n- |\n  text\n- \"y\"\n\nm: 1\n",
        );
        check(
            "id: A-1\n",
            &[append("watchers", json!("ann")), append("watchers", json!({"n": 1}))],
            "id: A-1\nwatchers:\n  - ann\n  - \"n\": 1\n",
        );
    }

    #[test]
    fn flow_collections() {
        let yaml = "tags: [a, \"b c\"]  # t\ncustomer: {name: Ann, tier: gold}\nempty: []\nnone: {}\nnext: 1\n";
        check(
            yaml,
            &[
                append("tags", json!("x, y")),
                set("customer.tier", json!("silver")),
                set("customer.address.city", json!("Paris")),
                append("empty", json!(1)),
                set("none.k", json!("v")),
            ],
            "tags: [a, \"b c\", \"x, y\"]  # t\ncustomer: {name: Ann, tier: silver, address: {city: Paris}}\n\
             empty: [1]\nnone: {k: v}\nnext: 1\n",
        );
        check(
            "tags: [\n  a,  # first\n  b,\n]\nc: {x: [1, 2]}\n",
            &[append("tags", json!("c")), set("c.x", json!(["é", {"k": null}]))],
            "tags: [\n  a,  # first\n  b, c,\n]\nc: {x: [é, {k: null}]}\n",
        );
        check("tags: [a]\n", &[set("tags", json!("none"))], "tags: none\n");
        check("tags: [a]\n", &[set("tags", json!(["b", 2]))], "tags: [b, 2]\n");
    }

    #[test]
    fn comments_after_flow_and_keep_chomping() {
        check("tags: [a, b]  # c\n", &[set("tags", json!("x"))], "tags: x  # c\n");
        check(
            "k: |+\n  keep\n\n# c\n",
            &[set("z", json!(1))],
            "k: |+\n  keep\n\nz: 1\n# c\n",
        );
        check(
            "m:\n  k: |-\n    text\n\n  # c\n",
            &[set("m.z", json!(1))],
            "m:\n  k: |-\n    text\n  z: 1\n\n  # c\n",
        );
    }

    #[test]
    fn collections_and_scalars_swap() {
        check(
            "status: open  # note\nnext: 1\n",
            &[set("status", json!({"a": 1, "b": [1, 2]}))],
            "status:  # note\n  a: 1\n  b:\n    - 1\n    - 2\nnext: 1\n",
        );
        check(
            "c:  # keep\n  # inner\n  a: 1\n  b: 2\n# after\nnext: 1\n",
            &[set("c", json!({"z": true}))],
            "c:  # keep\n  # inner\n  z: true\n# after\nnext: 1\n",
        );
        check(
            "c:\n  a: 1\n  b: 2\nnext: 1\n",
            &[set("c", json!("flat"))],
            "c: flat\nnext: 1\n",
        );
        check(
            "l:\n- a\n- b\nnext: 1\n",
            &[set("l", json!(["x"]))],
            "l:\n- x\nnext: 1\n",
        );
        check(
            "l:\n- a\nnext: 1\n",
            &[set("l", json!({"k": 1}))],
            "l:\n  k: 1\nnext: 1\n",
        );
    }

    #[test]
    fn crlf_stays_crlf() {
        let text = "---\r\nid: A-1\r\nstatus: open # c\r\nupdates:\r\n  - at: x\r\n\r\ntags: [a]\r\n---\r\nbody\r\n";
        let out = apply(
            text,
            &[
                set("status", json!("closed")),
                set("closure.closed_at", json!("now")),
                append("updates", json!({"at": "y", "by": "z"})),
                append("tags", json!("b")),
                set("s", json!({"a": [1]})),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "---\r\nid: A-1\r\nstatus: closed # c\r\nupdates:\r\n  - at: x\r\n  - at: \"y\"\r\n    by: z\r\n\r\n\
             tags: [a, b]\r\nclosure:\r\n  closed_at: now\r\ns:\r\n  a:\r\n    - 1\r\n---\r\nbody\r\n"
        );
        assert!(!out.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn inserted_lines_take_the_neighbouring_line_ending() {
        // The opening `---` ends in LF; the lines around each edit decide.
        // (`y` and `n` are quoted: YAML 1.1 reads them as booleans.)
        let text = "---\nid: A-1\r\nupdates:\r\n  - at: x\r\nm:\n  k: v\nlast: 1\r\n---\nbody\n";
        let out = apply(
            text,
            &[
                append("updates", json!({"at": "y", "by": "z"})),
                set("m.n", json!(1)),
                set("new", json!("z")),
                set("id", json!({"a": 1})),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "---\nid:\r\n  a: 1\r\nupdates:\r\n  - at: x\r\n  - at: \"y\"\r\n    by: z\r\nm:\n  k: v\n  \"n\": 1\n\
             last: 1\r\nnew: z\r\n---\nbody\n"
        );
        // And the other way round: a CRLF opening, LF lines.
        let text = "---\r\na: 1\nl:\n  - x\n---\r\n";
        let out = apply(text, &[append("l", json!("y")), set("b", json!(2))]).unwrap();
        assert_eq!(out, "---\r\na: 1\nl:\n  - x\n  - \"y\"\nb: 2\n---\r\n");
    }

    #[test]
    fn bom_and_body_preserved() {
        let text = "\u{feff}---\nid: A-1\n---\n---\nnot: front-matter\n";
        let out = apply(text, &[set("id", json!("A-2"))]).unwrap();
        assert_eq!(out, "\u{feff}---\nid: A-2\n---\n---\nnot: front-matter\n");
    }

    #[test]
    fn non_ascii_before_the_edit() {
        check(
            "title: Café — été 日本語\n\"clé\": \"ü\"  # ç\nnested:\n  ключ: значение\n  n: 1  # ß\nstatus: open\n",
            &[
                set("status", json!("fermé")),
                set("nested.n", json!(2)),
                set("nested.new", json!("ñ")),
                set("clé", json!("ö")),
            ],
            "title: Café — été 日本語\n\"clé\": ö  # ç\nnested:\n  ключ: значение\n  n: 2  # ß\n  new: ñ\nstatus: fermé\n",
        );
    }

    #[test]
    fn other_lines_untouched() {
        let yaml = "# header comment\nid: A-1   # id\n\n\nkind: incident\n  # odd comment\nstatus: 'open'\n\
                    customer:\n  name: \"Ann\"   # quoted\n\n  tier:    gold\ntags: [x,   y]\n# end\n";
        let text = doc(yaml);
        let out = apply(&text, &[set("customer.tier", json!("silver"))]).unwrap();
        let (a, b): (Vec<&str>, Vec<&str>) = (
            text.split_inclusive('\n').collect(),
            out.split_inclusive('\n').collect(),
        );
        assert_eq!(a.len(), b.len());
        let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        assert_eq!(changed, [11]);
        assert_eq!(b[11], "  tier:    silver\n");
    }

    #[test]
    fn refusals() {
        let text = doc("title: x\nlist: [1]\nn:\n");
        let err = |edits: &[Edit]| apply(&text, edits).unwrap_err().to_string();
        assert!(err(&[set("title.a", json!(1))]).contains("not a mapping"));
        assert!(err(&[set("list.a", json!(1))]).contains("not a mapping"));
        assert!(err(&[append("title", json!(1))]).contains("not a list"));
        assert!(err(&[set("n.a", json!(1))]).contains("not a mapping"));
        assert!(apply(&doc("a: [1\n"), &[set("b", json!(1))]).is_err());
        assert!(apply("no front-matter\n", &[set("b", json!(1))]).is_err());
        // Replacing an anchored value would change its aliases: refused by the safety net.
        let e = apply(&doc("base: &b x\ncopy: *b\n"), &[set("base", json!("y"))]).unwrap_err();
        assert!(e.to_string().contains("left as it was"), "{e}");
    }

    // ---- property test ----

    /// A generated front-matter value and how to write it.
    #[derive(Debug, Clone)]
    enum G {
        /// Scalar text as written (empty: a value left out).
        Scalar(String),
        /// Block scalar lines and header (`|`, `|+`, `|-`, `>`).
        Literal(Vec<String>, &'static str),
        Map(Vec<(String, G, u8)>),
        /// Items, and whether the dashes are indented under the key.
        Seq(Vec<G>, bool),
        FlowSeq(Vec<String>, bool),
        FlowMap(Vec<(String, String)>),
    }

    fn scalar_text_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9 ]{0,8}[a-z0-9]",
            any::<i32>().prop_map(|n| n.to_string()),
            Just("true".to_string()),
            Just("~".to_string()),
            Just(String::new()),
            "[a-zA-Z0-9 éü\\\\\"'#:,\\[\\]日]{0,10}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            "[a-z éü\"#:,日]{0,10}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
            "(é|ü|ß|日本|Ωμέγα)[a-z]{0,4}",
            // Multi-line plain scalar; the break is indented when written.
            "[a-z]{1,5}\n[a-z]{1,5}",
            "(&anchor|!!str) [a-z0-9]{1,4}",
        ]
    }

    fn flow_item_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,6}",
            any::<u16>().prop_map(|n| n.to_string()),
            "[a-z ,:é]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        ]
    }

    fn key_strategy() -> impl Strategy<Value = String> {
        // `Q` marks a key written double-quoted.
        prop_oneof![4 => "[a-z]{1,5}", 1 => "(ключ|clé|日)", 1 => "Q[a-z #:]{1,4}"]
    }

    fn value_strategy() -> impl Strategy<Value = G> {
        let leaf = prop_oneof![
            6 => scalar_text_strategy().prop_map(G::Scalar),
            1 => (
                prop::collection::vec("[a-z#:][a-z#: ]{0,10}", 1..4),
                prop::sample::select(vec!["|", "|+", "|-", ">"])
            )
                .prop_map(|(l, h)| G::Literal(l, h)),
            1 => (prop::collection::vec(flow_item_strategy(), 0..4), any::<bool>())
                .prop_map(|(v, m)| G::FlowSeq(v, m)),
            1 => prop::collection::vec(("[a-z]{1,4}", flow_item_strategy()), 0..3).prop_map(G::FlowMap),
        ];
        leaf.prop_recursive(3, 24, 5, |inner| {
            prop_oneof![
                prop::collection::vec((key_strategy(), inner, 0u8..6), 1..5).prop_map(G::Map),
                (
                    prop::collection::vec(
                        prop_oneof![
                            scalar_text_strategy()
                                .prop_filter("non-empty", |s| !s.is_empty())
                                .prop_map(G::Scalar),
                            prop::collection::vec(
                                (key_strategy(), scalar_text_strategy().prop_map(G::Scalar), Just(0u8)),
                                1..3
                            )
                            .prop_map(G::Map),
                        ],
                        1..4
                    ),
                    any::<bool>()
                )
                    .prop_map(|(v, i)| G::Seq(v, i)),
            ]
        })
    }

    /// Write `fields` as a block mapping at `indent`. `extra` picks blank
    /// lines, comment lines and trailing comments.
    fn render_map(out: &mut String, indent: usize, fields: &[(String, G, u8)]) {
        let pad = " ".repeat(indent);
        for (i, (key, value, extra)) in fields.iter().enumerate() {
            match extra {
                1 => out.push('\n'),
                2 => out.push_str(&format!("{pad}# comment {i}\n")),
                3 => out.push_str("# margin comment\n"),
                _ => {}
            }
            let comment = if *extra >= 4 { "  # trailing" } else { "" };
            // Keys are unique: the index is part of them.
            let key = match key.strip_prefix('Q') {
                Some(k) => format!("\"{k}{i}\""),
                None => format!("{key}{i}"),
            };
            render_field(out, indent, &key, value, comment);
        }
    }

    fn render_field(out: &mut String, indent: usize, key: &str, value: &G, comment: &str) {
        let pad = " ".repeat(indent);
        match value {
            G::Scalar(s) if s.is_empty() => out.push_str(&format!("{pad}{key}:{comment}\n")),
            G::Scalar(s) => {
                let s = s.replace('\n', &format!("\n{pad}  "));
                out.push_str(&format!("{pad}{key}: {s}{comment}\n"));
            }
            G::Literal(lines, header) => {
                out.push_str(&format!("{pad}{key}: {header}{comment}\n"));
                for l in lines {
                    out.push_str(&format!("{pad}  {l}\n"));
                }
                if header.contains('+') {
                    out.push('\n');
                }
            }
            G::Map(fields) => {
                out.push_str(&format!("{pad}{key}:{comment}\n"));
                render_map(out, indent + 2, fields);
            }
            G::Seq(items, indented) => {
                out.push_str(&format!("{pad}{key}:{comment}\n"));
                let dash = if *indented { indent + 2 } else { indent };
                for item in items {
                    match item {
                        G::Map(fields) => {
                            let mut s = String::new();
                            render_map(&mut s, dash + 2, fields);
                            out.push_str(&format!("{}- {}", " ".repeat(dash), &s[dash + 2..]));
                        }
                        G::Scalar(s) => {
                            let s = s.replace('\n', &format!("\n{}  ", " ".repeat(dash)));
                            out.push_str(&format!("{}- {s}\n", " ".repeat(dash)));
                        }
                        _ => unreachable!(),
                    }
                }
            }
            G::FlowSeq(items, multiline) if *multiline && !items.is_empty() => {
                let inner = format!("{pad}  ");
                out.push_str(&format!(
                    "{pad}{key}: [\n{inner}{}]{comment}\n",
                    items.join(&format!(",\n{inner}"))
                ));
            }
            G::FlowSeq(items, _) => out.push_str(&format!("{pad}{key}: [{}]{comment}\n", items.join(", "))),
            G::FlowMap(pairs) => {
                let items: Vec<String> = pairs
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| format!("{k}{i}: {v}"))
                    .collect();
                out.push_str(&format!("{pad}{key}: {{{}}}{comment}\n", items.join(", ")));
            }
        }
    }

    /// Every path through mappings only, and which of them are mappings and lists.
    #[derive(Default)]
    struct Paths {
        all: Vec<Vec<String>>,
        maps: Vec<Vec<String>>,
        lists: Vec<Vec<String>>,
    }

    fn paths(v: &Value, prefix: &mut Vec<String>, out: &mut Paths) {
        match v {
            Value::Object(m) => {
                out.maps.push(prefix.clone());
                for (k, x) in m {
                    prefix.push(k.clone());
                    out.all.push(prefix.clone());
                    paths(x, prefix, out);
                    prefix.pop();
                }
            }
            Value::Array(_) => out.lists.push(prefix.clone()),
            _ => {}
        }
    }

    fn new_value_strategy() -> impl Strategy<Value = Value> {
        prop_oneof![
            "\\PC{0,12}".prop_map(Value::String),
            "(é|日本|-|#|: )[a-z ]{0,5}".prop_map(Value::String),
            any::<i64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
            Just(json!({})),
            Just(json!([])),
            ("[a-z]{1,5}", "\\PC{0,6}").prop_map(|(k, v)| json!({k: [v, {"n": 1}]})),
            "[a-z:, ]{0,6}".prop_map(|v| json!([v, [1.5, null]])),
        ]
    }

    fn line_of(text: &str, pos: usize) -> usize {
        text[..pos].matches('\n').count()
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            // Shrunk failures are printed; no regressions file is written into the repository.
            failure_persistence: None,
            ..ProptestConfig::default()
        })]
        #[test]
        fn set_is_minimal_and_exact(
            fields in prop::collection::vec((key_strategy(), value_strategy(), 0u8..6), 1..7),
            crlf in any::<bool>(),
            bom in any::<bool>(),
            pick in any::<prop::sample::Index>(),
            fresh in 0u8..3,
            append in any::<bool>(),
            value in new_value_strategy(),
        ) {
            let mut yaml_lf = String::new();
            render_map(&mut yaml_lf, 0, &fields);
            let eol = if crlf { "\r\n" } else { "\n" };
            let yaml_text = yaml_lf.replace('\n', eol);
            let head = format!("{}---{eol}", if bom { "\u{feff}" } else { "" });
            let tail = format!("---{eol}# Body{eol}key: not yaml{eol}");
            let text = format!("{head}{yaml_text}{tail}");
            let (before, layout) = yaml::parse_layout(&yaml_text, 2)
                .map_err(|e| TestCaseError::fail(format!("generated YAML does not parse: {e:?}\n{yaml_lf}")))?;

            let mut found = Paths::default();
            paths(&before, &mut Vec::new(), &mut found);
            // Existing targets: any field for a Set, a list for an Append.
            let existing = if append { &found.lists } else { &found.all };
            let target: Vec<String> = if fresh == 0 || existing.is_empty() {
                let mut p = pick.get(&found.maps).clone();
                p.push("new".into());
                if fresh == 2 {
                    p.push("deep".into());
                }
                p
            } else {
                pick.get(existing).clone()
            };
            let edit = if append {
                Edit::Append { path: target.clone(), value: value.clone() }
            } else {
                Edit::Set { path: target.clone(), value: value.clone() }
            };

            let out = apply(&text, std::slice::from_ref(&edit))
                .map_err(|e| TestCaseError::fail(format!("{e:#}\npath {target:?} = {value}\n{yaml_lf}")))?;

            // (1) and (2): the result reads back as the original with the one change.
            prop_assert!(out.starts_with(&head) && out.ends_with(&tail));
            let new_yaml = &out[head.len()..out.len() - tail.len()];
            let (after, _) = yaml::parse(new_yaml, 2, false).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let mut expected = before.as_object().cloned().unwrap();
            edit.apply_to(&mut expected).unwrap();
            let got = crate::record::get_path(&after, &target.join("."));
            if append {
                prop_assert_eq!(got.and_then(Value::as_array).and_then(|a| a.last()), Some(&value));
            } else {
                prop_assert_eq!(got, Some(&value));
            }
            prop_assert_eq!(&after, &Value::Object(expected));

            // (3): only the edited field's lines changed.
            let mut ptr: String = String::new();
            let mut depth = 0;
            for k in &target {
                let p = format!("{ptr}/{}", yaml::escape_pointer(k));
                if !layout.contains_key(&p) {
                    break;
                }
                ptr = p;
                depth += 1;
            }
            let lay = &layout[&ptr];
            let (a, b) = if depth == target.len() && append && lay.style == Style::BlockSeq {
                let at = line_of(&yaml_text, lay.value.end) + 1;
                (at, at)
            } else if depth == target.len() {
                let start = lay.key.as_ref().map_or(lay.value.start, |k| k.start.min(lay.value.start));
                (line_of(&yaml_text, start), line_of(&yaml_text, lay.value.end) + 1)
            } else if lay.style == Style::FlowMap {
                (line_of(&yaml_text, lay.value.start), line_of(&yaml_text, lay.value.end) + 1)
            } else {
                let at = line_of(&yaml_text, lay.value.end) + 1;
                (at, at)
            };
            let old: Vec<&str> = yaml_text.split_inclusive('\n').collect();
            let new: Vec<&str> = new_yaml.split_inclusive('\n').collect();
            prop_assert!(new.len() >= a + old.len() - b);
            prop_assert_eq!(&old[..a], &new[..a]);
            prop_assert_eq!(&old[b..], &new[new.len() - (old.len() - b)..]);
            for l in &new {
                prop_assert!(l.ends_with(eol) && !l[..l.len() - eol.len()].contains('\n'));
            }
            // (4) Replacing a scalar or flow value by a scalar changes that value's text only.
            let scalar_set = !append && !lay.style.is_block_collection() && !is_block_value(&value);
            if depth == target.len() && scalar_set && out != text {
                prop_assert!(new_yaml.starts_with(&yaml_text[..lay.value.start]));
                prop_assert!(new_yaml.ends_with(&yaml_text[lay.value.end..]));
            }
        }
    }
}
