//! YAML front-matter to `serde_json::Value`, straight from saphyr's event
//! stream, so nesting depth, alias expansion and duplicate keys are bounded
//! and reported before anything large is built.

use crate::diag::{NodePos, Pos, PosMap, Span};
use saphyr::Scalar;
use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan, Tag};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// Deepest nesting of mappings and sequences accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes that aliases may add by expansion (billion-laughs guard).
pub const MAX_ALIAS_NODES: usize = 10_000;

/// How a node is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` block scalar.
    Literal,
    /// `>` block scalar.
    Folded,
    /// `*name`.
    Alias,
    BlockMap,
    BlockSeq,
    /// `{a: 1}`.
    FlowMap,
    /// `[a, b]`.
    FlowSeq,
}

impl Style {
    pub fn is_flow(self) -> bool {
        matches!(self, Style::FlowMap | Style::FlowSeq)
    }

    pub fn is_block_collection(self) -> bool {
        matches!(self, Style::BlockMap | Style::BlockSeq)
    }
}

/// Where a node lies in the text given to [`parse_layout`], as byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The key of a mapping entry, quotes included.
    pub key: Option<Range<usize>>,
    /// The value, anchor and tag included: a scalar with its quotes; a block
    /// scalar from its `|`/`>` header to the end of its last non-blank line
    /// (its last line, blank or not, with `+`); a block collection from its
    /// first key or dash to the end of its last value; a flow collection
    /// bracket to bracket. A value left out (`key:`) is an empty range just
    /// after the colon.
    pub value: Range<usize>,
    /// Collections: the end of the last item, or just after the opening
    /// bracket of an empty flow collection. Scalars: `value.end`.
    pub content_end: usize,
    pub style: Style,
}

/// JSON pointer -> layout of every node.
pub type LayoutMap = HashMap<String, Layout>;

/// A YAML problem at a 1-based line and column of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// Parse `text` (the front-matter; its first line is line `first_line` of
/// the file) into a JSON value, and positions when `positions` is set.
pub fn parse(text: &str, first_line: usize, positions: bool) -> Result<(Value, Option<PosMap>), YamlError> {
    let b = run(text, first_line, positions, false)?;
    Ok((b.root.unwrap_or(Value::Null), b.positions))
}

/// Parse `text` like [`parse`], with the byte layout and style of every
/// node, for editing the text in place.
pub fn parse_layout(text: &str, first_line: usize) -> Result<(Value, LayoutMap), YamlError> {
    let b = run(text, first_line, false, true)?;
    Ok((b.root.unwrap_or(Value::Null), b.layout.unwrap_or_default()))
}

/// What one run of the loader builds.
struct Built {
    root: Option<Value>,
    positions: Option<PosMap>,
    layout: Option<LayoutMap>,
}

/// saphyr-parser's complaint about `key:<tab>value`.
const TAB_AFTER_COLON: &str = "':' must be followed by a valid YAML whitespace";

fn run(text: &str, first_line: usize, positions: bool, layout: bool) -> Result<Built, YamlError> {
    let tabs = check_chars(text, first_line)?;
    // saphyr-parser 0.3 rejects a tab as the separator after a mapping
    // colon (`key:\tvalue`, valid YAML 1.2). The tab is no part of any node,
    // so it is replaced by a space in a copy and the copy is parsed again:
    // same length, so every position and byte range stays right. Only
    // input holding the complaint pays for this.
    let mut patched: Option<String> = None;
    loop {
        let current = patched.as_deref().unwrap_or(text);
        match run_once(current, first_line, positions, layout, tabs) {
            Ok(b) => return Ok(b),
            Err((e, Some(at))) => {
                let copy = patched.get_or_insert_with(|| text.to_owned());
                if !untab_after_colon(copy, at) {
                    return Err(e);
                }
            }
            Err((e, None)) => return Err(e),
        }
    }
}

/// One parse of `text`; a scanner error about a tab after a colon comes
/// with the character index where it was found.
fn run_once(
    text: &str,
    first_line: usize,
    positions: bool,
    layout: bool,
    tabs: bool,
) -> Result<Built, (YamlError, Option<usize>)> {
    let mut b = Builder {
        first_line,
        text,
        tabs,
        positions: positions.then(HashMap::new),
        tracker: layout.then(|| Tracker::new(text)),
        stack: Vec::new(),
        anchors: HashMap::new(),
        key_texts: HashMap::new(),
        alias_nodes: 0,
        root: None,
        docs: 0,
    };
    for event in Parser::new_from_str(text) {
        let (ev, span) = event.map_err(|e| {
            let tab = (e.info() == TAB_AFTER_COLON).then(|| e.marker().index());
            let err = YamlError {
                pos: b.pos(e.marker().line(), e.marker().col()),
                message: format!("invalid YAML: {}", e.info()),
            };
            (err, tab)
        })?;
        b.event(ev, span).map_err(|e| (e, None))?;
    }
    Ok(Built {
        root: b.root,
        positions: b.positions,
        layout: b.tracker.map(|t| t.map),
    })
}

/// Turn the tabs between a colon and the character at index `at` (where
/// saphyr-parser stopped) into spaces. False when there is no such tab, so
/// the error stands.
fn untab_after_colon(text: &mut String, at: usize) -> bool {
    let end = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
    let b = text.as_bytes();
    let mut start = end;
    while start > 0 && matches!(b[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    if start == 0 || b[start - 1] != b':' || !b[start..end].contains(&b'\t') {
        return false;
    }
    text.replace_range(start..end, &" ".repeat(end - start));
    true
}

/// Reject characters YAML does not allow in a stream (outside its
/// `c-printable` set: C0 controls other than tab, LF and CR, DEL, C1
/// controls other than NEL, U+FFFE and U+FFFF), at the line and column of
/// the first one. saphyr-parser takes them as content. One pass over the
/// bytes; also tells whether the text holds a tab.
///
/// A CR not followed by LF is rejected too. YAML 1.2 takes it as a line
/// break, and so does saphyr-parser, but everything else in casework
/// (`split_front_matter`, `diag::line_col`, the snippets of
/// `output::human`, editors and `git diff`) counts lines by LF, so
/// positions after one would point at the wrong line. Counting it as a
/// break everywhere instead would change how every other part counts lines
/// for a line ending no editor writes today (old Mac files); refusing it
/// at its own position keeps a single rule: lines end at LF (or CRLF).
fn check_chars(text: &str, first_line: usize) -> Result<bool, YamlError> {
    let b = text.as_bytes();
    let mut tabs = false;
    for (i, &c) in b.iter().enumerate() {
        if c.wrapping_sub(0x20) < 0x5f {
            // Printable ASCII, nearly every byte.
            continue;
        }
        let bad = match c {
            b'\t' => {
                tabs = true;
                false
            }
            b'\n' => false,
            b'\r' if b.get(i + 1) == Some(&b'\n') => false,
            b'\r' => {
                return Err(YamlError {
                    pos: byte_pos(text, i, first_line),
                    message: "invalid YAML: a carriage return without a line feed (an old Mac line ending) is not \
                              allowed; end lines with LF or CRLF, and write a carriage return in a value as \"\\r\""
                        .into(),
                });
            }
            0..=0x1f | 0x7f => true,
            0xc2 => matches!(b.get(i + 1), Some(0x80..=0x84 | 0x86..=0x9f)),
            0xef => b.get(i + 1) == Some(&0xbf) && matches!(b.get(i + 2), Some(0xbe | 0xbf)),
            _ => false,
        };
        if bad {
            let ch = text[i..].chars().next().unwrap_or('\0');
            return Err(YamlError {
                pos: byte_pos(text, i, first_line),
                message: format!(
                    "invalid YAML: character U+{:04X} is not allowed; in a double-quoted string write it as \"\\u{:04X}\"",
                    ch as u32, ch as u32
                ),
            });
        }
    }
    Ok(tabs)
}

/// The 1-based line and column (in characters) of byte `i`.
fn byte_pos(text: &str, i: usize, first_line: usize) -> Pos {
    let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
    Pos {
        line: first_line + text[..i].matches('\n').count(),
        column: text[line_start..i].chars().count() + 1,
    }
}

/// A line that holds only white space with a tab in the indentation of
/// the block scalar whose content starts at byte `content` (saphyr-parser
/// accepts `|\n  x\n\t\n` and ends the scalar there; a tab cannot indent,
/// so YAML 1.2 has no production for such a line). Returns the byte of the
/// tab. Only for a scalar with content other than line breaks, so that the
/// first line holding more than spaces is content and gives the indentation.
fn block_scalar_tab_line(text: &str, content: usize) -> Option<usize> {
    let b = text.as_bytes();
    // The header line ends before the white space ahead of the content.
    let mut p = content.min(b.len());
    while p > 0 && matches!(b[p - 1], b' ' | b'\t' | b'\r' | b'\n') {
        p -= 1;
    }
    // An explicit indentation indicator: the indentation is not guessed.
    let header = &text[text[..p].rfind('\n').map_or(0, |n| n + 1)..p];
    if header.bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut line = p + text[p..].find('\n')? + 1;
    let mut indent = None;
    while line < b.len() {
        let end = text[line..].find('\n').map_or(b.len(), |n| line + n);
        let spaces = b[line..end].iter().take_while(|&&c| c == b' ').count();
        let rest = text[line + spaces..end].trim_end_matches('\r');
        match indent {
            None if rest.is_empty() => {}
            None => indent = Some(spaces),
            Some(n) if spaces >= n || rest.is_empty() => {}
            Some(_) if rest.trim_start_matches([' ', '\t']).is_empty() => return Some(line + spaces),
            Some(_) => return None,
        }
        line = end + 1;
    }
    None
}

enum Frame {
    Seq {
        value: Vec<Value>,
        anchor: usize,
        start: YSpan,
        pointer: String,
    },
    Map {
        value: Map<String, Value>,
        anchor: usize,
        start: YSpan,
        pointer: String,
        key: Option<(String, YSpan)>,
    },
}

struct Builder<'t> {
    first_line: usize,
    text: &'t str,
    /// The text holds a tab: block scalars are checked for tab lines.
    tabs: bool,
    positions: Option<PosMap>,
    /// Byte layout, only for [`parse_layout`].
    tracker: Option<Tracker<'t>>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    /// The text of anchored scalars, for aliases used as mapping keys.
    key_texts: HashMap<usize, String>,
    alias_nodes: usize,
    root: Option<Value>,
    docs: usize,
}

impl Builder<'_> {
    fn pos(&self, line: usize, col: usize) -> Pos {
        Pos {
            line: line + self.first_line - 1,
            column: col + 1,
        }
    }

    fn span(&self, s: YSpan) -> Span {
        Span {
            start: self.pos(s.start.line(), s.start.col()),
            end: self.pos(s.end.line(), s.end.col()),
        }
    }

    fn error(&self, s: YSpan, message: String) -> YamlError {
        YamlError {
            pos: self.pos(s.start.line(), s.start.col()),
            message,
        }
    }

    /// The JSON pointer of the node about to be added, and its key span.
    /// Empty when positions are not tracked: building pointers is the
    /// costliest part of the fast path.
    fn child_pointer(&self) -> (String, Option<YSpan>) {
        if self.positions.is_none() && self.tracker.is_none() {
            return (String::new(), None);
        }
        match self.stack.last() {
            None => (String::new(), None),
            Some(Frame::Seq { value, pointer, .. }) => (format!("{pointer}/{}", value.len()), None),
            Some(Frame::Map {
                pointer,
                key: Some((k, ks)),
                ..
            }) => (format!("{pointer}/{}", escape_pointer(k)), Some(*ks)),
            Some(Frame::Map { pointer, key: None, .. }) => (pointer.clone(), None),
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn event(&mut self, ev: Event<'_>, span: YSpan) -> Result<(), YamlError> {
        match ev {
            Event::DocumentStart(_) => {
                self.docs += 1;
                if self.docs > 1 {
                    return Err(self.error(span, "front-matter holds more than one YAML document".into()));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                // The non-specific tag `!` makes a plain scalar a string.
                let non_specific = tag.as_ref().is_some_and(|t| t.handle.is_empty() && t.suffix == "!");
                if self.expecting_key() {
                    if style == ScalarStyle::Plain
                        && text.is_empty()
                        && !non_specific
                        && matches!(
                            Scalar::parse_from_cow_and_metadata(Cow::Borrowed(""), style, tag.as_ref()),
                            Some(Scalar::Null)
                        )
                    {
                        return Err(self.error(span, "empty mapping key".into()));
                    }
                    if anchor > 0 {
                        // Later aliases may use the key as a key or as a value.
                        let value = if non_specific {
                            Value::String(text.to_string())
                        } else {
                            self.scalar_value(&text, style, tag.as_ref(), span)?
                        };
                        self.anchors.insert(anchor, value);
                        self.key_texts.insert(anchor, text.to_string());
                    }
                    return self.set_key(text.into_owned(), span);
                }
                if self.tabs
                    && matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && text.bytes().any(|c| c != b'\n')
                {
                    let start = match self.tracker.as_ref() {
                        Some(t) => t.byte(span.start),
                        None => self
                            .text
                            .char_indices()
                            .nth(span.start.index())
                            .map_or(self.text.len(), |(i, _)| i),
                    };
                    if let Some(tab) = block_scalar_tab_line(self.text, start) {
                        return Err(YamlError {
                            pos: byte_pos(self.text, tab, self.first_line),
                            message: "invalid YAML: a tab cannot indent a line of a block scalar".into(),
                        });
                    }
                }
                let layout = self.tracker.as_mut().map(|t| t.scalar(span, style, &text));
                if anchor > 0 {
                    self.key_texts.insert(anchor, text.to_string());
                }
                let value = if non_specific || style != ScalarStyle::Plain {
                    // Quoted and block scalars are strings.
                    Value::String(text.into_owned())
                } else {
                    self.scalar_value(&text, style, tag.as_ref(), span)?
                };
                self.add(value, anchor, span, span, layout)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.expecting_key() {
                    return Err(self.error(span, "mapping keys must be plain values, not lists or mappings".into()));
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.error(span, format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                let (pointer, _) = self.child_pointer();
                if let Some(t) = self.tracker.as_mut() {
                    t.open(span, matches!(ev, Event::SequenceStart(..)));
                }
                let frame = if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        value: Vec::new(),
                        anchor,
                        start: span,
                        pointer,
                    }
                } else {
                    Frame::Map {
                        value: Map::new(),
                        anchor,
                        start: span,
                        pointer,
                        key: None,
                    }
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else { return Ok(()) };
                let (value, anchor, start) = match frame {
                    Frame::Seq {
                        value, anchor, start, ..
                    } => (Value::Array(value), anchor, start),
                    Frame::Map {
                        value, anchor, start, ..
                    } => (Value::Object(value), anchor, start),
                };
                let whole = YSpan::new(start.start, span.end);
                let layout = self.tracker.as_mut().and_then(|t| t.close(span));
                self.add(value, anchor, whole, start, layout)?;
            }
            Event::Alias(id) => {
                let Some(value) = self.anchors.get(&id) else {
                    return Err(self.error(span, "alias to an unknown anchor".into()));
                };
                if self.expecting_key() {
                    // An alias of a scalar as a key: the scalar's text, as if written there.
                    let Some(key) = self.key_texts.get(&id) else {
                        return Err(self.error(span, "mapping keys must be plain values, not lists or mappings".into()));
                    };
                    if key.is_empty() && value.is_null() {
                        return Err(self.error(span, "empty mapping key".into()));
                    }
                    let key = key.clone();
                    return self.set_key(key, span);
                }
                let value = value.clone();
                self.alias_nodes += count_nodes(&value, MAX_ALIAS_NODES + 1);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(self.error(
                        span,
                        format!("aliases expand to more than {MAX_ALIAS_NODES} nodes (a YAML alias bomb?)"),
                    ));
                }
                let layout = self.tracker.as_mut().map(|t| t.alias(span));
                self.add(value, 0, span, span, layout)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// A scalar's JSON value under the core schema (dates stay strings;
    /// quoted scalars are strings); `.nan` and `.inf` are errors.
    fn scalar_value(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Cow<'_, Tag>>,
        span: YSpan,
    ) -> Result<Value, YamlError> {
        match Scalar::parse_from_cow_and_metadata(Cow::Borrowed(text), style, tag) {
            Some(s) => scalar_to_json(s).ok_or_else(|| {
                self.error(
                    span,
                    format!("`{text}` is not a finite number (JSON has no NaN or infinity): quote it if it is text"),
                )
            }),
            None => Ok(Value::String(text.to_string())),
        }
    }

    /// Take `key` as the key of the mapping being built.
    fn set_key(&mut self, key: String, span: YSpan) -> Result<(), YamlError> {
        if let Some(Frame::Map { value, key: slot, .. }) = self.stack.last_mut() {
            if value.contains_key(&key) {
                return Err(self.error(span, format!("duplicate key `{key}`")));
            }
            *slot = Some((key, span));
        }
        if let Some(t) = self.tracker.as_mut() {
            t.key(span);
        }
        Ok(())
    }

    /// Attach a finished node to its parent (or make it the root).
    fn add(
        &mut self,
        value: Value,
        anchor: usize,
        span: YSpan,
        start: YSpan,
        layout: Option<NodeLayout>,
    ) -> Result<(), YamlError> {
        if anchor > 0 {
            if matches!(value, Value::Array(_) | Value::Object(_)) {
                self.key_texts.remove(&anchor);
            }
            self.anchors.insert(anchor, value.clone());
        }
        let (pointer, key_span) = self.child_pointer();
        if let (Some(t), Some(layout)) = (self.tracker.as_mut(), layout) {
            t.child(pointer.clone(), layout);
        }
        if self.positions.is_some() {
            let key = key_span.map(|k| self.span(k));
            // Collections are marked by their first line only, like scalars.
            let end = if matches!(value, Value::Array(_) | Value::Object(_)) {
                start.end
            } else {
                span.end
            };
            let node = NodePos {
                key,
                value: self.span(YSpan::new(span.start, end)),
            };
            if let Some(map) = self.positions.as_mut() {
                map.insert(pointer, node);
            }
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq { value: seq, .. }) => seq.push(value),
            Some(Frame::Map { value: map, key, .. }) => {
                if let Some((k, _)) = key.take() {
                    map.insert(k, value);
                }
            }
        }
        Ok(())
    }
}

/// A finished node's layout: value range, content end, style.
type NodeLayout = (Range<usize>, usize, Style);

/// Byte layout of nodes, for [`parse_layout`]. saphyr's spans count
/// characters, and some are loose (a double-quoted scalar's end can take in
/// a trailing comment; a block scalar starts at its content and ends after
/// trailing blank lines; a block collection ends where the next token
/// starts), so ends are recomputed from the text.
struct Tracker<'t> {
    text: &'t str,
    /// Byte offset of each character index, and of the end.
    bytes: Vec<usize>,
    map: LayoutMap,
    frames: Vec<LayoutFrame>,
    /// End of the last token read: where a block scalar header is looked for.
    cursor: usize,
}

struct LayoutFrame {
    style: Style,
    /// Opening bracket (flow) or where saphyr starts the collection (block).
    open: usize,
    /// Block collections: the first key, or the dash of the first item.
    first: Option<usize>,
    last_end: Option<usize>,
    /// The key read and not yet given a value.
    key: Option<Range<usize>>,
}

impl<'t> Tracker<'t> {
    fn new(text: &'t str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        bytes.push(text.len());
        Tracker {
            text,
            bytes,
            map: HashMap::new(),
            frames: Vec::new(),
            cursor: 0,
        }
    }

    fn byte(&self, m: saphyr_parser::Marker) -> usize {
        self.bytes.get(m.index()).copied().unwrap_or(self.text.len())
    }

    fn key(&mut self, span: YSpan) {
        let (s, e) = (self.byte(span.start), self.byte(span.end));
        let end = match self.text.as_bytes().get(s) {
            Some(b'"') => closing_quote(self.text, s, b'"').unwrap_or(e),
            Some(b'\'') => closing_quote(self.text, s, b'\'').unwrap_or(e),
            _ => e,
        };
        self.cursor = end;
        if let Some(f) = self.frames.last_mut() {
            f.key = Some(s..end);
        }
    }

    /// The layout of a scalar whose value (its text after escapes, folding
    /// and chomping) is `value`.
    fn scalar(&mut self, span: YSpan, style: ScalarStyle, value: &str) -> NodeLayout {
        let (s, e) = (self.byte(span.start), self.byte(span.end));
        let text = self.text;
        let (range, style) = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let (q, st) = if style == ScalarStyle::SingleQuoted {
                    (b'\'', Style::SingleQuoted)
                } else {
                    (b'"', Style::DoubleQuoted)
                };
                let open = text.as_bytes()[s..e].iter().position(|&b| b == q).map(|i| s + i);
                let end = open.and_then(|o| closing_quote(text, o, q)).unwrap_or(e);
                (s..end, st)
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let st = if style == ScalarStyle::Literal {
                    Style::Literal
                } else {
                    Style::Folded
                };
                let start = block_header(text, self.cursor.min(s), s);
                let header = &text[start..];
                let header = &header[..header.find(['\n', '#']).unwrap_or(header.len())];
                let end = if header.contains('+') {
                    // Keep chomping: trailing blank lines are content.
                    // The span ends at the next token, past the indentation of its line.
                    let t = &text[..e.max(start)];
                    let t = match t.rfind('\n') {
                        Some(n) if t[n + 1..].trim_start_matches([' ', '\t']).is_empty() => &t[..n],
                        _ => t,
                    };
                    t.strip_suffix('\r').unwrap_or(t).len().max(start)
                } else {
                    block_content_end(text, start, e.max(start), value)
                };
                (start..end, st)
            }
            ScalarStyle::Plain if value.is_empty() => {
                // A value left out (`key:`, `{a, b}`), perhaps with an
                // anchor or tag: those, or an empty range just after the
                // colon (just after the key when there is none). saphyr's
                // span can run on to the next token, past a comma or the
                // closing bracket of a flow mapping and a comment after it.
                let b = text.as_bytes();
                let mut p = s;
                while matches!(b.get(p), Some(b' ' | b'\t')) {
                    p += 1;
                }
                let p = match b.get(p) {
                    Some(b':') => p + 1,
                    Some(b'&' | b'!') => p,
                    _ => s,
                };
                let start = {
                    let mut q = p;
                    while q < e && matches!(b[q], b' ' | b'\t') {
                        q += 1;
                    }
                    q
                };
                match properties_end(text, start) {
                    end if end > start => (start..end, Style::Plain),
                    _ => (p..p, Style::Plain),
                }
            }
            ScalarStyle::Plain => (s..e, Style::Plain),
        };
        self.cursor = range.end;
        let end = range.end;
        (range, end, style)
    }

    fn alias(&mut self, span: YSpan) -> NodeLayout {
        let range = self.byte(span.start)..self.byte(span.end);
        self.cursor = range.end;
        let end = range.end;
        (range, end, Style::Alias)
    }

    fn open(&mut self, span: YSpan, seq: bool) {
        let (s, e) = (self.byte(span.start), self.byte(span.end));
        // The span of a flow collection's start runs from its anchor or tag
        // to the next token, past the white space after the bracket
        // (`[\ta]`, `&x [ a]`): the bracket is the first character after
        // the properties, not the last of the span.
        let bracket = flow_bracket(self.text, s, e);
        let flow = bracket.is_some();
        let style = match (seq, flow) {
            (true, true) => Style::FlowSeq,
            (true, false) => Style::BlockSeq,
            (false, true) => Style::FlowMap,
            (false, false) => Style::BlockMap,
        };
        let open = match bracket {
            Some(b) => {
                self.cursor = b + 1;
                b
            }
            None => s,
        };
        self.frames.push(LayoutFrame {
            style,
            open,
            first: None,
            last_end: None,
            key: None,
        });
    }

    fn close(&mut self, span: YSpan) -> Option<NodeLayout> {
        let f = self.frames.pop()?;
        if f.style.is_flow() {
            // The closing bracket; the span's end can take in a trailing comment.
            let close = self.byte(span.start);
            let end = if matches!(self.text.as_bytes().get(close), Some(b']' | b'}')) {
                close + 1
            } else {
                self.byte(span.end)
            }
            .max(f.open + 1);
            self.cursor = end;
            Some((f.open..end, f.last_end.unwrap_or(f.open + 1), f.style))
        } else {
            let start = f.first.unwrap_or(f.open);
            let end = f.last_end.unwrap_or(start).max(start);
            Some((start..end, end, f.style))
        }
    }

    /// Record a finished node and extend its parent.
    fn child(&mut self, pointer: String, (value, content_end, style): NodeLayout) {
        let text = self.text;
        let mut key = None;
        if let Some(f) = self.frames.last_mut() {
            key = f.key.take();
            if f.first.is_none() {
                f.first = Some(match f.style {
                    Style::BlockMap => key.as_ref().map_or(value.start, |k| k.start),
                    Style::BlockSeq => dash_before(text, value.start),
                    _ => value.start,
                });
            }
            f.last_end = Some(f.last_end.unwrap_or(0).max(value.end));
        }
        self.map.insert(
            pointer,
            Layout {
                key,
                value,
                content_end,
                style,
            },
        );
    }
}

/// The `[` or `{` opening a flow collection whose start event spans
/// `s..e`: the first character after white space, comments, anchors and
/// tags. `None` for a block collection.
fn flow_bracket(text: &str, s: usize, e: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = s;
    while i < e {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < e && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'&' | b'!' => i = properties_end(text, i),
            b'[' | b'{' => return Some(i),
            _ => return None,
        }
    }
    None
}

/// Just after the anchors and tags (`&a !!str`) starting at `from`, or
/// `from` when there are none.
fn properties_end(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let (mut i, mut end) = (from, from);
    loop {
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        match b.get(i) {
            Some(b'!') if b.get(i + 1) == Some(&b'<') => {
                // A verbatim tag `!<...>` may hold brackets and commas.
                i += text[i..].find('>').map_or(b.len() - i, |n| n + 1);
            }
            Some(b'&' | b'!') => {
                while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}') {
                    i += 1;
                }
            }
            _ => return end,
        }
        end = i;
    }
}

/// Just after the quote closing the one at `open`.
fn closing_quote(text: &str, open: usize, q: u8) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            c if c == q => {
                if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Start of a block scalar (its anchor, tag or `|`/`>` indicator), looked
/// for from `from`; `content` when not found.
fn block_header(text: &str, from: usize, content: usize) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    let mut start = None;
    while i < content {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b':' | b'-' | b'?' if start.is_none() => i += 1,
            b'#' => {
                while i < content && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'&' | b'!' => {
                start.get_or_insert(i);
                while i < content && !matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
            }
            b'|' | b'>' => return start.unwrap_or(i),
            _ => break,
        }
    }
    content
}

/// End (before the line break) of the last line of `start..end` holding
/// more than white space.
fn last_line_end(text: &str, start: usize, end: usize) -> usize {
    let b = text.as_bytes();
    let Some(last) = b[start..end]
        .iter()
        .rposition(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
    else {
        return start;
    };
    let from = start + last;
    from + b[from..]
        .iter()
        .position(|c| matches!(c, b'\r' | b'\n'))
        .unwrap_or(b.len() - from)
}

/// End (before the line break) of the last content line of the block
/// scalar (not keep-chomped) whose header starts at `start`, whose lines
/// end by `end`, and whose value is `value`: the last line holding more
/// than the content indentation, even if only spaces (`|2` then a line of
/// five spaces holds three of them). The header line when the value holds
/// nothing but line breaks.
///
/// The indentation is not worked out again from the YAML rules (parent
/// indentation, indicator, first non-empty line): it is read off the first
/// content line, as the spaces the line has beyond those the value keeps.
/// The value has one line break for each empty line ahead of it, folded
/// or not.
fn block_content_end(text: &str, start: usize, end: usize, value: &str) -> usize {
    let Some(first) = value.bytes().position(|c| c != b'\n') else {
        return last_line_end(text, start, end);
    };
    let kept = value.as_bytes()[first..].iter().take_while(|&&c| c == b' ').count();
    let b = text.as_bytes();
    let Some(header_end) = text[start..end].find('\n') else {
        return last_line_end(text, start, end);
    };
    let mut line = start + header_end + 1;
    let mut index = 0;
    let mut indent = None;
    let mut last = None;
    while line < end {
        let next = text[line..end].find('\n').map_or(end, |n| line + n);
        let body = &b[line..next];
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        let spaces = body.iter().take_while(|&&c| c == b' ').count();
        if index == first {
            indent = Some(spaces.saturating_sub(kept));
        }
        if let Some(n) = indent
            && spaces >= n
            && body.len() > n
        {
            last = Some(line + body.len());
        }
        index += 1;
        line = next + 1;
    }
    last.unwrap_or_else(|| last_line_end(text, start, end))
}

/// The `-` of the block sequence item whose content starts at `item`.
fn dash_before(text: &str, item: usize) -> usize {
    let b = text.as_bytes();
    let mut i = item;
    while i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\r' | b'\n') {
        i -= 1;
    }
    if i > 0 && b[i - 1] == b'-' {
        return i - 1;
    }
    // An anchor or tag between the dash and the item: the last `- ` of the line.
    let line = text[..item].rfind('\n').map_or(0, |n| n + 1);
    text[line..item]
        .match_indices("- ")
        .last()
        .map_or(item, |(j, _)| line + j)
}

/// A YAML scalar as JSON; `None` for `.nan`, `.inf` and floats that overflow,
/// which JSON cannot hold (turning them into text would let them pass as strings).
fn scalar_to_json(s: Scalar<'_>) -> Option<Value> {
    Some(match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(b),
        Scalar::Integer(i) => Value::Number(i.into()),
        Scalar::FloatingPoint(f) => Value::Number(Number::from_f64(f.into_inner())?),
        Scalar::String(s) => Value::String(s.into_owned()),
    })
}

/// Nodes in `v`, counting no further than `limit`.
fn count_nodes(v: &Value, limit: usize) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        n += 1;
        if n >= limit {
            return n;
        }
        match v {
            Value::Array(a) => stack.extend(a),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    n
}

/// RFC 6901 escaping of one pointer segment.
pub fn escape_pointer(key: &str) -> String {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1")
    } else {
        key.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pos(map: &PosMap, p: &str) -> (usize, usize) {
        let n = map.get(p).unwrap_or_else(|| panic!("no position for {p}"));
        (n.value.start.line, n.value.start.column)
    }

    #[test]
    fn values_and_positions() {
        let text = "id: A-2026-001\ncount: 3\nok: true\nnested:\n  list:\n    - a\n    - {b: 1.5}\n";
        let (v, map) = parse(text, 2, true).unwrap();
        assert_eq!(
            v,
            json!({"id": "A-2026-001", "count": 3, "ok": true, "nested": {"list": ["a", {"b": 1.5}]}})
        );
        let map = map.unwrap();
        assert_eq!(pos(&map, "/id"), (2, 5));
        assert_eq!(map["/id"].key.unwrap().start, Pos { line: 2, column: 1 });
        assert_eq!(pos(&map, "/nested/list/0"), (7, 7));
        assert_eq!(pos(&map, "/nested/list/1/b"), (8, 11));
        assert_eq!(map["/nested/list"].key.unwrap().start, Pos { line: 6, column: 3 });
    }

    #[test]
    fn dates_stay_strings_and_quotes_force_strings() {
        let (v, _) = parse(
            "opened: 2026-03-02T09:14:00Z\ndue: 2026-12-01\nn: '12'\nt: !!str 7\n",
            1,
            false,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"opened": "2026-03-02T09:14:00Z", "due": "2026-12-01", "n": "12", "t": "7"})
        );
    }

    #[test]
    fn duplicate_key_points_at_second() {
        let e = parse("a: 1\nb: 2\na: 3\n", 2, false).unwrap_err();
        assert_eq!(e.pos, Pos { line: 4, column: 1 });
        assert!(e.message.contains("duplicate key `a`"));
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("a: [1, 2\nb: 3\n", 2, false).unwrap_err();
        assert!(e.pos.line >= 2, "{e:?}");
        assert!(e.message.starts_with("invalid YAML"));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text += &format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", "));
        }
        let e = parse(&text, 1, false).unwrap_err();
        assert!(e.message.contains("alias"), "{e:?}");
    }

    #[test]
    fn small_aliases_are_fine() {
        let (v, _) = parse("base: &b {x: 1}\ncopy: *b\n", 1, false).unwrap();
        assert_eq!(v["copy"], json!({"x": 1}));
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let mut text = String::new();
        for i in 0..10_000 {
            text += &" ".repeat(i);
            text += "a:\n";
        }
        let e = parse(&text, 1, false).unwrap_err();
        assert!(e.message.contains("nesting"), "{e:?}");
        let flow = "x: ".to_string() + &"[".repeat(10_000);
        assert!(parse(&flow, 1, false).is_err());
    }

    #[test]
    fn pointer_escaping() {
        let (_, map) = parse("\"a/b\": 1\n\"c~d\": 2\n", 1, true).unwrap();
        let map = map.unwrap();
        assert!(map.contains_key("/a~1b") && map.contains_key("/c~0d"));
    }

    #[test]
    fn layout_ranges_are_bytes_and_exact() {
        let text = "é: \"x y\"  # c\nb: |\n  l1\n  l2\n\nk: |+\n  keep\n\n# c\nn:   # c\nm:\n  k: &a v\n\n  # t\n\
                    l:\n- x\n- y: 1\n  z: 2\nd:\n  - - é\nf: [a, \"b\", {c: d}]  # c\ne: {}\ns: 'it''s'\n";
        let (_, map) = parse_layout(text, 1).unwrap();
        let at = |p: &str| {
            let l = &map[p];
            (&text[l.value.clone()], l.style)
        };
        let key = |p: &str| &text[map[p].key.clone().unwrap()];
        assert_eq!(at("/é"), ("\"x y\"", Style::DoubleQuoted));
        assert_eq!(key("/é"), "é");
        assert_eq!(at("/b"), ("|\n  l1\n  l2", Style::Literal));
        assert_eq!(at("/k"), ("|+\n  keep\n", Style::Literal));
        assert_eq!(at("/n"), ("", Style::Plain));
        assert_eq!(&text[map["/n"].value.start..][..5], "   # ");
        assert_eq!(at("/m"), ("k: &a v", Style::BlockMap));
        assert_eq!(at("/m/k"), ("&a v", Style::Plain));
        assert_eq!(at("/l"), ("- x\n- y: 1\n  z: 2", Style::BlockSeq));
        assert_eq!(at("/l/1"), ("y: 1\n  z: 2", Style::BlockMap));
        assert_eq!(at("/d"), ("- - é", Style::BlockSeq));
        assert_eq!(at("/d/0"), ("- é", Style::BlockSeq));
        assert_eq!(at("/f"), ("[a, \"b\", {c: d}]", Style::FlowSeq));
        assert_eq!(&text[map["/f"].value.start..map["/f"].content_end], "[a, \"b\", {c: d}");
        assert_eq!(at("/f/2"), ("{c: d}", Style::FlowMap));
        assert_eq!(at("/e"), ("{}", Style::FlowMap));
        assert_eq!(map["/e"].content_end, map["/e"].value.start + 1);
        assert_eq!(at("/s"), ("'it''s'", Style::SingleQuoted));
        assert_eq!(at(""), (text.trim_end(), Style::BlockMap));
        // The fast path is unchanged.
        assert_eq!(parse(text, 1, false).unwrap().0, parse_layout(text, 1).unwrap().0);
    }

    #[test]
    fn alias_as_mapping_key_26dv() {
        // 26DV / E76Z: an alias of a scalar is a key; the key is the scalar's text.
        let (v, _) = parse("top3: &node3\n  *alias1 : scalar3\ntop1: &alias1 scalar1\n", 1, false)
            .map(|_| ())
            .map_or_else(|e| (Err(e), None::<()>), |_| (Ok(()), None));
        assert!(v.is_err(), "an alias to an anchor defined later is unknown");
        let (v, _) = parse("k: &alias1 scalar1\ntop3: &node3\n  *alias1 : scalar3\n", 1, false).unwrap();
        assert_eq!(v, json!({"k": "scalar1", "top3": {"scalar1": "scalar3"}}));
        let (v, _) = parse("&a a: &b b\n*b : *a\n", 1, false).unwrap();
        assert_eq!(v, json!({"a": "b", "b": "a"}));
        // The scalar's text, not its value: `0x10` stays `0x10`, as it would as a plain key.
        let (v, _) = parse("a: &n 0x10\n*n : x\n", 1, false).unwrap();
        assert_eq!(v, json!({"a": 16, "0x10": "x"}));
        // Positions and layout see the alias key too.
        let text = "a: &n v\n*n : x\n";
        let (_, map) = parse(text, 1, true).unwrap();
        assert_eq!(map.unwrap()["/v"].key.unwrap().start, Pos { line: 2, column: 1 });
        let (_, map) = parse_layout(text, 1).unwrap();
        assert_eq!(&text[map["/v"].key.clone().unwrap()], "*n");
        // Still no collections as keys, nor duplicates.
        let e = parse("a: &m {x: 1}\n*m : y\n", 1, false).unwrap_err();
        assert!(e.message.contains("mapping keys"), "{e:?}");
        let e = parse("a: &k b\nb: 1\n*k : 2\n", 1, false).unwrap_err();
        assert!(e.message.contains("duplicate key `b`"), "{e:?}");
    }

    #[test]
    fn anchor_on_key_registered_2sxe() {
        let (v, _) = parse("&a: key: &a value\nfoo:\n  *a:\n", 1, false).unwrap();
        assert_eq!(v, json!({"key": "value", "foo": "key"}));
        // HMQ5
        let (v, _) = parse("!!str &a1 \"foo\":\n  !!str bar\n&a2 baz : *a1\n", 1, false).unwrap();
        assert_eq!(v, json!({"foo": "bar", "baz": "foo"}));
    }

    #[test]
    fn non_specific_tag_is_string_s4jq() {
        let (v, _) = parse("- \"12\"\n- 12\n- ! 12\n- ! true\n- ! ~\n", 1, false).unwrap();
        assert_eq!(v, json!(["12", 12, "12", "true", "~"]));
    }

    #[test]
    fn tab_only_line_in_block_scalar_y79y() {
        // Y79Y/000: a tab cannot indent, so a line holding only a tab in a
        // block scalar is an error (saphyr-parser sees it as the first line)...
        assert!(parse("foo: |\n\t\nbar: 1\n", 1, false).is_err());
        // ...and after the first line too, where it used to end the scalar.
        for text in [
            "foo: |\n  x\n\t\nbar: 1\n",
            "foo: >-\n  x\n\n \t \nbar: 1\n",
            "- |\n  a\n\t\n- b\n",
        ] {
            let e = parse(text, 3, false).unwrap_err();
            assert_eq!(e.pos.line, 3 + text.matches('\n').count() - 2, "{text:?}: {e:?}");
            assert!(e.message.contains("tab"), "{e:?}");
            assert!(parse(text, 3, true).is_err());
            assert!(parse_layout(text, 3).is_err());
        }
        // A tab after the indentation is content; a tab line after a
        // comment line, or after a plain value, is a comment line.
        let (v, _) = parse("foo: |\n  \tx\n  \t\nbar: 1\n", 1, false).unwrap();
        assert_eq!(v, json!({"foo": "\tx\n\t\n", "bar": 1}));
        let (v, _) = parse("foo: |\n \t\nbar: 1\n", 1, false).unwrap();
        assert_eq!(v, json!({"foo": "\t\n", "bar": 1}));
        let (v, _) = parse("a:\n  foo: |\n    x\n  # c\n\t\n  b: 1\n\t\n", 1, false).unwrap();
        assert_eq!(v, json!({"a": {"foo": "x\n", "b": 1}}));
        let (v, _) = parse("x:\n  a: |\n  b: 1\n\t\n", 1, false).unwrap();
        assert_eq!(v, json!({"x": {"a": "", "b": 1}}));
    }

    #[test]
    fn c0_control_byte_is_an_error() {
        let e = parse("a: ok\nb: x\u{1}y\n", 2, false).unwrap_err();
        assert_eq!(e.pos, Pos { line: 3, column: 5 });
        assert!(e.message.contains("U+0001"), "{e:?}");
        for text in [
            "a: \"x\u{7f}\"\n",
            "a: |\n  x\u{1b}[0m\n",
            "# c\u{8}\na: 1\n",
            "é: \u{85}x\u{1f}\n",
        ] {
            assert!(parse(text, 1, false).is_err(), "{text:?}");
            assert!(parse(text, 1, true).is_err(), "{text:?}");
            assert!(parse_layout(text, 1).is_err(), "{text:?}");
        }
        let e = parse("é: x\u{1f}\n", 1, false).unwrap_err();
        assert_eq!(e.pos, Pos { line: 1, column: 5 }, "columns count characters");
        // Tab, LF and CR are allowed; escapes are not raw bytes.
        let (v, _) = parse("a: \"x\\u0001\\t\"\r\nb: 'c\td'\r\n", 1, false).unwrap();
        assert_eq!(v, json!({"a": "x\u{1}\t", "b": "c\td"}));
    }

    #[test]
    fn tab_after_colon_is_a_separator() {
        let (v, _) = parse("key:\tvalue\nn:\t 3\nm: \t{a:\t1}\n", 1, false).unwrap();
        assert_eq!(v, json!({"key": "value", "n": 3, "m": {"a": 1}}));
        let (_, map) = parse_layout("key:\tvalue\n", 1).unwrap();
        assert_eq!(map["/key"].value, 5..10);
    }

    #[test]
    fn lone_cr_is_an_error_at_its_position() {
        // A CR without LF would be a line break for saphyr only: refused.
        for (text, line, column) in [
            ("a: 1\rb: 2\n", 2, 5),
            ("a: 'x\ry'\n", 2, 6),
            ("a: 1\r\r\nb: 2\r\n", 2, 5),
            ("a: |\n  x\r", 3, 4),
            ("# c\r\n\r", 3, 1),
        ] {
            let e = parse(text, 2, false).unwrap_err();
            assert_eq!(e, parse(text, 2, true).unwrap_err(), "{text:?}");
            assert_eq!(e, parse_layout(text, 2).unwrap_err(), "{text:?}");
            assert_eq!(e.pos, Pos { line, column }, "{text:?}");
            assert!(e.message.contains("carriage return without a line feed"), "{e:?}");
        }
        // CRLF is a line ending; positions count it as one.
        let (_, map) = parse("a: 1\r\nb: 2\r\n", 2, true).unwrap();
        assert_eq!(pos(&map.unwrap(), "/b"), (3, 4));
    }

    #[test]
    fn flow_map_key_without_value_stays_inside_the_braces() {
        let text = "0: {k0: a,b}  # note: x\n";
        let (v, map) = parse_layout(text, 1).unwrap();
        assert_eq!(v, json!({"0": {"k0": "a", "b": null}}));
        assert_eq!((map["/0"].value.clone(), map["/0"].content_end), (3..12, 11));
        assert_eq!(map["/0/b"].value, 11..11);
        // A key without a value before a comma: empty, not the comma.
        let text = "{a, b: , c: &x , d: !!null }\n";
        let (_, map) = parse_layout(text, 1).unwrap();
        assert_eq!(map["/a"].value, 2..2);
        assert_eq!(map["/b"].value, 6..6);
        assert_eq!(&text[map["/c"].value.clone()], "&x");
        assert_eq!(&text[map["/d"].value.clone()], "!!null");
        assert_eq!(map[""].content_end, text.find(" }").unwrap());
        for l in map.values() {
            assert!(l.value.start <= l.content_end && l.content_end <= l.value.end, "{l:?}");
        }
    }

    #[test]
    fn block_scalar_of_spaces_covers_its_lines() {
        // `|2` under a mapping at indentation 2: content indentation 4, so
        // the line of five spaces holds content (one space).
        let text = "0:\n  \"1\": |2\n     \n";
        let (v, map) = parse_layout(text, 1).unwrap();
        assert_eq!(v, json!({"0": {"1": " \n"}}));
        assert_eq!(&text[map["/0/1"].value.clone()], "|2\n     ");
        assert_eq!(map["/0"].value.end, map["/0/1"].value.end);
        // Spaces beyond the indentation after the last text line are content;
        // lines within the indentation are not, folded or literal.
        let text = "a: |\n  x\n     \n  \nb: >-\n\n   y\n    \n\n  \r\nc: |\n  \n\nd: 1\n";
        let (v, map) = parse_layout(text, 1).unwrap();
        assert_eq!(v["a"], json!("x\n   \n"));
        assert_eq!(&text[map["/a"].value.clone()], "|\n  x\n     ");
        assert_eq!(v["b"], json!("\ny\n "));
        assert_eq!(&text[map["/b"].value.clone()], ">-\n\n   y\n    ");
        assert_eq!(v["c"], json!(""));
        assert_eq!(&text[map["/c"].value.clone()], "|");
    }

    #[test]
    fn flow_collection_opened_before_white_space() {
        for (text, ptr, want, style) in [
            ("\"- 0\": [\ta]\n", "/- 0", "[\ta]", Style::FlowSeq),
            ("a: [ a]\n", "/a", "[ a]", Style::FlowSeq),
            // A flow collection is laid out bracket to bracket.
            ("a: &x [ a]\n", "/a", "[ a]", Style::FlowSeq),
            ("a: &x !!map {\tk: v}\n", "/a", "{\tk: v}", Style::FlowMap),
            ("a: &x\n  [a]\n", "/a", "[a]", Style::FlowSeq),
            ("- - [ b ]\n", "/0/0", "[ b ]", Style::FlowSeq),
            ("- &y\n  - b\n", "/0", "- b", Style::BlockSeq),
        ] {
            let (_, map) = parse_layout(text, 1).unwrap();
            let l = &map[ptr];
            assert_eq!((&text[l.value.clone()], l.style), (want, style), "{text:?}");
        }
    }
}
