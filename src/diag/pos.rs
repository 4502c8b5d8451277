//! Positions in a source file: line and column of a byte offset, and the
//! source map of a record's front-matter (JSON pointer -> span). Neither
//! has a default: a finding with no position has `None`, never line 0.

use std::collections::HashMap;

/// A 1-based position in a file; `column` counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A range in a file, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// Where a node sits in the file: its key (for mapping values) and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePos {
    pub key: Option<Span>,
    pub value: Span,
}

/// JSON pointer (`/closure/closed_at`, `/updates/0/at`) -> position.
pub type PosMap = HashMap<String, NodePos>;

/// The span for `pointer`, or for its nearest enclosing node that has one.
/// `key` prefers the key of a mapping entry over its value. `None` when the
/// map holds neither (no positions could be read).
pub fn locate(map: &PosMap, pointer: &str, key: bool) -> Option<Span> {
    let mut p = pointer;
    loop {
        if let Some(n) = map.get(p) {
            return Some(if key { n.key.unwrap_or(n.value) } else { n.value });
        }
        if p.is_empty() {
            return None;
        }
        p = &p[..p.rfind('/').unwrap_or(0)];
    }
}

/// The 1-based line and character column of a byte offset (past the end:
/// the end). Lines end at LF.
pub fn line_col(text: &str, offset: usize) -> Pos {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    Pos { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\nçd", 6), Pos { line: 2, column: 3 });
        assert_eq!(line_col("ab", 99), Pos { line: 1, column: 3 });
    }

    #[test]
    fn empty_map_has_no_position() {
        assert_eq!(locate(&PosMap::new(), "/status", true), None);
    }
}
