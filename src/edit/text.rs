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
}

impl Edit {
    pub fn path(&self) -> &[String] {
        match self {
            Edit::Set { path, .. } | Edit::Append { path, .. } => path,
        }
    }

    pub fn value(&self) -> &Value {
        match self {
            Edit::Set { value, .. } | Edit::Append { value, .. } => value,
        }
    }

    fn assignment(&self) -> Assignment {
        Assignment {
            path: self.path().to_vec(),
            append: matches!(self, Edit::Append { .. }),
            value: self.value().clone(),
        }
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
        value::apply(&mut expected, &edit.assignment())?;
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
        eol,
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
    eol: &'a str,
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
        }
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
            let mut with = if in_flow || block { flow_text(value) } else { scalar_text(value) };
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
                with: children_lines(value, indent).join(self.eol),
            });
        }
        // A scalar becomes a block collection under the key; a comment after
        // the scalar stays on the key line.
        let mut with = format!(":{}", &self.text[lay.value.end..last]);
        for line in children_lines(value, key_col + 2) {
            with.push_str(self.eol);
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
            return Ok(Splice::insert(self.text.len(), self.lines_text(&field_lines(key, value, 0))));
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

    /// Insert whole lines after the line holding `pos`.
    fn insert_lines(&self, pos: usize, lines: &[String]) -> Splice {
        let at = self.text[pos..].find('\n').map(|i| pos + i + 1);
        match at {
            Some(at) => Splice::insert(at, self.lines_text(lines)),
            // No line break after the last line (not possible between `---` lines).
            None => Splice::insert(self.text.len(), format!("{}{}", self.eol, lines.join(self.eol))),
        }
    }

    fn lines_text(&self, lines: &[String]) -> String {
        lines.iter().flat_map(|l| [l.as_str(), self.eol]).collect()
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
