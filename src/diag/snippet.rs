//! Source lines as shown under a message: escaped like [`one_line`], with
//! labelled underlines at byte ranges of the original text.
//!
//! [`one_line`]: super::one_line

use super::text::{is_unsafe_char, push_escape};
use annotate_snippets::{Level, Renderer, Snippet};
use std::ops::Range;

/// A line as shown in a snippet: tabs expanded (annotate-snippets would
/// misplace the underline after a tab), other control, bidirectional and
/// separator characters shown as escapes, as `one_line` shows them
/// (annotate-snippets passes terminal escapes through and drops bidi
/// controls, which would shift the underline). With the byte offset in it
/// of each character of `line`, and of its end.
pub fn display_line(line: &str) -> (String, Vec<usize>) {
    let mut shown = String::with_capacity(line.len());
    let mut offsets = Vec::with_capacity(line.len() + 1);
    for c in line.chars() {
        offsets.push(shown.len());
        match c {
            '\t' => shown.push_str("    "),
            c if is_unsafe_char(c) => push_escape(&mut shown, c),
            c => shown.push(c),
        }
    }
    offsets.push(shown.len());
    (shown, offsets)
}

/// One underline: a byte range of the source and its label. The first
/// label of a snippet is the primary one (`^`), the others secondary (`-`,
/// drawn at warning level so that annotate-snippets adds no level name).
pub struct Label<'a> {
    pub range: Range<usize>,
    pub text: &'a str,
}

/// The lines of `source` that `labels` point at (with a line of context,
/// distant parts folded), underlined, without a title line. A range over
/// several lines is underlined on its first. `None` without labels.
pub fn annotate(source: &str, labels: &[Label], color: bool) -> Option<String> {
    labels.first()?;
    // Each source line: byte start, and the displayed text with its offsets.
    let mut starts = Vec::new();
    let mut shown = String::new();
    let mut lines = Vec::new();
    let mut at = 0;
    for raw in source.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let (text, offsets) = display_line(line);
        starts.push(at);
        lines.push((shown.len(), line, offsets));
        shown.push_str(&text);
        shown.push('\n');
        at += raw.len() + 1;
    }
    // Byte offset in `shown` of byte `offset` of `source`, and its line.
    let map = |offset: usize| -> (usize, usize) {
        let i = starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let (base, line, offsets) = &lines[i];
        let within = offset.saturating_sub(starts[i]).min(line.len());
        let ch = line.get(..within).map_or(line.chars().count(), |p| p.chars().count());
        (i, base + offsets[ch])
    };
    let spans: Vec<Range<usize>> = labels
        .iter()
        .map(|l| {
            let (line, start) = map(l.range.start);
            let (end_line, end) = map(l.range.end.max(l.range.start));
            let line_end = lines[line].0 + lines[line].2.last().copied().unwrap_or(0);
            let end = if end_line != line { line_end } else { end };
            // An empty range marks one character (or the line end).
            if end > start { start..end } else { start..start + 1 }
        })
        .collect();
    let mut snippet = Snippet::source(&shown).line_start(1).fold(true);
    for (i, (label, span)) in labels.iter().zip(spans).enumerate() {
        let level = if i == 0 { Level::Error } else { Level::Warning };
        snippet = snippet.annotation(level.span(span).label(label.text));
    }
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let rendered = renderer.render(Level::Error.title("").snippet(snippet)).to_string();
    let (_, body) = rendered.split_once('\n')?;
    Some(body.trim_end_matches('\n').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_labels() {
        let src = "a = 1\nb = \"\u{1b}x\"\nc = 3\n";
        let b = src.find("\"\u{1b}").unwrap();
        let text = annotate(
            src,
            &[
                Label {
                    range: b..b + 5,
                    text: "here",
                },
                Label {
                    range: 0..1,
                    text: "and there",
                },
            ],
            false,
        )
        .unwrap();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("2 | b = \"\\u{1b}x\""), "{text}");
        assert!(text.contains("^^^^^^^^^ here"), "{text}");
        assert!(text.contains("- and there"), "{text}");
    }
}
