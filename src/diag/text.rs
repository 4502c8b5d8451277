//! Text from records, file names and commits, made safe for one line of a
//! terminal or a CI log.
//!
//! Field values, file names, commit subjects and author names come from
//! whoever wrote the record or the commit. Printed as they are, a line
//! break in them starts a new line (which a GitHub Actions log reads as a
//! workflow command when it starts with `::`), and control characters drive
//! the terminal (clear the screen, set the window title, reorder the text
//! shown). [`one_line`] shows each such character as a visible escape.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as it is: C0 controls (line feed,
/// carriage return and tab included), DEL, C1 controls, the bidirectional
/// controls (embeddings, overrides, isolates, marks) and the Unicode line
/// and paragraph separators.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Push the visible escape of an unsafe character: `\n`, `\r`, `\t`, or
/// `\u{1b}` (lower-case hex, as Rust writes it).
pub fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` safe to print as (part of) one line: every character for which
/// [`is_unsafe_char`] holds is replaced by its visible escape, so a
/// multi-line value shows as one line and nothing in it can start a new
/// line or send a terminal escape. Other text, `\` included, is unchanged.
pub fn one_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        let s = "CMP-2026-0001: Çà et là — 日本 \\ back`slash`";
        assert!(matches!(one_line(s), Cow::Borrowed(_)));
        assert_eq!(one_line(s), s);
    }

    #[test]
    fn line_breaks_and_controls_are_escaped() {
        assert_eq!(
            one_line("a\n::warning file=x::forged\r::add-mask::x"),
            "a\\n::warning file=x::forged\\r::add-mask::x"
        );
        assert_eq!(
            one_line("\u{1b}[2J\u{1b}]0;title\u{7}"),
            "\\u{1b}[2J\\u{1b}]0;title\\u{7}"
        );
        assert_eq!(one_line("t\tab\u{0}\u{7f}"), "t\\tab\\u{0}\\u{7f}");
        assert_eq!(one_line("\u{85}\u{9b}31m"), "\\u{85}\\u{9b}31m");
        assert_eq!(
            one_line("\u{202e}evil\u{2066}\u{2069}\u{200e}\u{200f}\u{61c}"),
            "\\u{202e}evil\\u{2066}\\u{2069}\\u{200e}\\u{200f}\\u{61c}"
        );
        assert_eq!(one_line("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c");
    }

    #[test]
    fn nothing_unsafe_is_left() {
        for cp in (0..0x3000u32).chain([0xfeff, 0x1f600]) {
            let Some(c) = char::from_u32(cp) else { continue };
            let shown = one_line(&format!("x{c}y")).into_owned();
            assert!(!shown.chars().any(is_unsafe_char), "{cp:x}");
            assert!(!shown.contains('\n') && !shown.contains('\r'));
        }
    }
}
