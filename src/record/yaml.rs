//! YAML front-matter to `serde_json::Value`, straight from saphyr's event
//! stream, so nesting depth, alias expansion and duplicate keys are bounded
//! and reported before anything large is built.

use crate::diag::{Pos, Span};
use saphyr::Scalar;
use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

/// Deepest nesting of mappings and sequences accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes that aliases may add by expansion (billion-laughs guard).
pub const MAX_ALIAS_NODES: usize = 10_000;

/// Where a node sits in the file: its key (for mapping values) and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePos {
    pub key: Option<Span>,
    pub value: Span,
}

/// JSON pointer (`/closure/closed_at`, `/updates/0/at`) -> position.
pub type PosMap = HashMap<String, NodePos>;

/// A YAML problem at a 1-based line and column of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// Parse `text` (the front-matter; its first line is line `first_line` of
/// the file) into a JSON value, and positions when `positions` is set.
pub fn parse(text: &str, first_line: usize, positions: bool) -> Result<(Value, Option<PosMap>), YamlError> {
    let mut b = Builder {
        first_line,
        positions: positions.then(HashMap::new),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        root: None,
        docs: 0,
    };
    for event in Parser::new_from_str(text) {
        let (ev, span) = event.map_err(|e| YamlError {
            pos: b.pos(e.marker().line(), e.marker().col()),
            message: format!("invalid YAML: {}", e.info()),
        })?;
        b.event(ev, span)?;
    }
    Ok((b.root.unwrap_or(Value::Null), b.positions))
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

struct Builder {
    first_line: usize,
    positions: Option<PosMap>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    alias_nodes: usize,
    root: Option<Value>,
    docs: usize,
}

impl Builder {
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
        if self.positions.is_none() {
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
                if self.expecting_key() {
                    let key = match Scalar::parse_from_cow_and_metadata(text.clone(), style, tag.as_ref()) {
                        Some(Scalar::Null) if style == ScalarStyle::Plain && text.is_empty() => {
                            return Err(self.error(span, "empty mapping key".into()));
                        }
                        _ => text.into_owned(),
                    };
                    if let Some(Frame::Map { value, key: slot, .. }) = self.stack.last_mut() {
                        if value.contains_key(&key) {
                            return Err(self.error(span, format!("duplicate key `{key}`")));
                        }
                        *slot = Some((key, span));
                    }
                    return Ok(());
                }
                let value = match Scalar::parse_from_cow_and_metadata(text.clone(), style, tag.as_ref()) {
                    Some(s) => scalar_to_json(s),
                    None => Value::String(text.into_owned()),
                };
                self.add(value, anchor, span, span)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.expecting_key() {
                    return Err(self.error(span, "mapping keys must be plain values, not lists or mappings".into()));
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.error(span, format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                let (pointer, _) = self.child_pointer();
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
                self.add(value, anchor, whole, start)?;
            }
            Event::Alias(id) => {
                if self.expecting_key() {
                    return Err(self.error(span, "aliases cannot be mapping keys here".into()));
                }
                let Some(value) = self.anchors.get(&id).cloned() else {
                    return Err(self.error(span, "alias to an unknown anchor".into()));
                };
                self.alias_nodes += count_nodes(&value, MAX_ALIAS_NODES + 1);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(self.error(
                        span,
                        format!("aliases expand to more than {MAX_ALIAS_NODES} nodes (a YAML alias bomb?)"),
                    ));
                }
                self.add(value, 0, span, span)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Attach a finished node to its parent (or make it the root).
    fn add(&mut self, value: Value, anchor: usize, span: YSpan, start: YSpan) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        let (pointer, key_span) = self.child_pointer();
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

fn scalar_to_json(s: Scalar<'_>) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(b),
        Scalar::Integer(i) => Value::Number(i.into()),
        Scalar::FloatingPoint(f) => {
            Number::from_f64(f.into_inner()).map_or_else(|| Value::String(f.to_string()), Value::Number)
        }
        Scalar::String(s) => Value::String(s.into_owned()),
    }
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
}
