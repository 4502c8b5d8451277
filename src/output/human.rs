//! The human format: `file:line:col: severity[code]: message`, a source
//! snippet with the span underlined, and a summary line.

use super::{RenderOptions, location, short_commit, summary_line};
use crate::diag::snippet::display_line;
use crate::diag::{Diagnostic, Report, Severity, one_line};
use annotate_snippets::{Level, Renderer, Snippet};
use std::io;
use std::ops::Range;

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Lines of context shown before and after the span.
const CONTEXT_BEFORE: usize = 2;
const CONTEXT_AFTER: usize = 1;
/// A span over more lines than this is shown from its start to the end of
/// its first line.
const MAX_SPAN_LINES: usize = 6;

pub(super) fn render(report: &Report, opts: &RenderOptions, out: &mut dyn io::Write) -> io::Result<()> {
    // Diagnostics come sorted by file: keep the last file's text.
    let mut cached: Option<(&str, Option<String>)> = None;
    for d in &report.diagnostics {
        write_header(d, opts.color, out)?;
        if let Some(commit) = &d.commit {
            write!(out, "  in commit {}", one_line(short_commit(commit)))?;
            if let Some(subject) = &d.subject {
                write!(out, " \"{}\"", one_line(subject))?;
            }
            if let Some(author) = &d.author {
                write!(out, " by {}", one_line(author))?;
            }
            writeln!(out)?;
            writeln!(out)?;
            continue;
        }
        if d.line().is_none() {
            continue;
        }
        if cached.as_ref().is_none_or(|(file, _)| *file != d.file) {
            cached = Some((&d.file, (opts.sources)(&d.file)));
        }
        let Some((_, Some(source))) = &cached else {
            continue;
        };
        if let Some(snippet) = snippet(source, d, opts.color) {
            out.write_all(snippet.as_bytes())?;
            out.write_all(b"\n\n")?;
        }
    }
    if opts.color {
        writeln!(out, "{BOLD}{}{RESET}", summary_line(report))
    } else {
        writeln!(out, "{}", summary_line(report))
    }
}

fn write_header(d: &Diagnostic, color: bool, out: &mut dyn io::Write) -> io::Result<()> {
    let loc = one_line(&location(d)).into_owned();
    let message = one_line(&d.message);
    let severity = d.severity.as_str();
    if color {
        let paint = match d.severity {
            Severity::Error => RED,
            Severity::Warning => YELLOW,
        };
        writeln!(
            out,
            "{BOLD}{loc}{RESET}: {paint}{severity}[{}]{RESET}: {message}",
            d.code
        )
    } else {
        writeln!(out, "{loc}: {severity}[{}]: {message}", d.code)
    }
}

/// A few lines of `source` around the finding, rendered by
/// annotate-snippets, without its title line; `None` when the text has no
/// lines to show.
fn snippet(source: &str, d: &Diagnostic, color: bool) -> Option<String> {
    let (text, first_line, range) = excerpt(source, d)?;
    let level = match d.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    };
    let message = level.title("").snippet(
        Snippet::source(&text)
            .line_start(first_line)
            .annotation(level.span(range)),
    );
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let rendered = renderer.render(message).to_string();
    // Drop the title line: our own header says it.
    let (_, body) = rendered.split_once('\n')?;
    Some(body.trim_end_matches('\n').to_string())
}

/// The lines to show (joined by `\n`, line ends and control characters
/// normalised), the number of the first, and the byte range to underline
/// in that text. Positions out of range are clamped.
fn excerpt(source: &str, d: &Diagnostic) -> Option<(String, usize, Range<usize>)> {
    let mut raw: Vec<&str> = source.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    if source.ends_with('\n') && raw.len() > 1 {
        raw.pop();
    }
    let n = raw.len();
    // Positions are worked out in characters of the raw lines;
    // `display_line` maps them to bytes of the text shown.
    let chars = |line: usize| raw[line - 1].chars().count();

    let line = d.line()?.clamp(1, n);
    let column = d.column().map(|c| c.max(1));
    // 0-based character offsets within their lines.
    let start_char = column.map_or(0, |c| (c - 1).min(chars(line)));
    let end = match (d.end_line(), d.end_column()) {
        (Some(el), Some(ec)) if el >= line && column.is_some() => {
            let el = el.min(n);
            let ec = ec.max(1) - 1;
            let ec = ec.min(chars(el));
            if el - line >= MAX_SPAN_LINES {
                Some((line, chars(line)))
            } else if el > line && ec == 0 {
                // Ends at the start of a line: stop at the end of the one before.
                Some((el - 1, chars(el - 1)))
            } else {
                Some((el, ec))
            }
        }
        _ => None,
    }
    .filter(|&end| end > (line, start_char));

    let last_line = end.map_or(line, |(el, _)| el);
    let first = line.saturating_sub(CONTEXT_BEFORE).max(1);
    let last = (last_line + CONTEXT_AFTER).min(n);
    let (shown, offsets): (Vec<String>, Vec<Vec<usize>>) = raw[first - 1..last].iter().map(|l| display_line(l)).unzip();
    let text = shown.join("\n");

    // Byte offset in `text` of a (line, character) position.
    let line_offset = |l: usize| -> usize { shown[..l - first].iter().map(|s| s.len() + 1).sum() };
    let byte_at = |l: usize, ch: usize| -> usize {
        let offsets = &offsets[l - first];
        line_offset(l) + offsets[ch.min(offsets.len() - 1)]
    };

    let start = byte_at(line, start_char);
    let range = match end {
        Some((el, ec)) => start..byte_at(el, ec),
        None if column.is_none() => {
            // No column: the whole line, from its first non-blank character.
            let s = &shown[line - first];
            let indent = s.len() - s.trim_start().len();
            let base = line_offset(line);
            if s.trim().is_empty() {
                base + s.len()..base + s.len() + 1
            } else {
                base + indent..base + s.trim_end().len()
            }
        }
        None => start..start + token_len(&shown[line - first][start - line_offset(line)..]),
    };
    Some((text, first, range))
}

/// The length in bytes of what to underline at the start of `rest` when the
/// span has no end: a quoted scalar, a token, or one character. At the end
/// of the line, 1 (the line end itself).
fn token_len(rest: &str) -> usize {
    let Some(first) = rest.chars().next() else {
        return 1;
    };
    if first == '"' || first == '\'' {
        return rest[1..].find(first).map_or(rest.len(), |i| i + 2);
    }
    let is_token = |c: char| !c.is_whitespace() && !matches!(c, ':' | ',' | '[' | ']' | '{' | '}' | '#');
    if !is_token(first) {
        return first.len_utf8();
    }
    rest.char_indices()
        .find(|&(_, c)| !is_token(c))
        .map_or(rest.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{sample, span};
    use super::*;
    use crate::diag::Code;

    const RECORD: &str = "---\nid: CMP-2026-0042\nstatus: opén\ntitle: Çà et là\nopened: 2026-01-05\n---\nBody.\n";

    fn human(report: &Report, source: &str, color: bool) -> String {
        let source = source.to_string();
        let sources = move |_: &str| Some(source.clone());
        let opts = RenderOptions {
            color,
            sources: &sources,
            tool_version: "0",
            path_prefix: "",
        };
        let mut out = Vec::new();
        super::render(report, &opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn one(d: Diagnostic, source: &str) -> String {
        let report = Report {
            records: 1,
            files: vec![d.file.clone()],
            diagnostics: vec![d],
            commits: 0,
        };
        human(&report, source, false)
    }

    fn underlined(d: &Diagnostic, source: &str) -> String {
        let (text, _, range) = excerpt(source, d).unwrap();
        text[range].to_string()
    }

    #[test]
    fn sample_report() {
        // The span of the first finding is `opén` in RECORD.
        let report = sample();
        let text = human(&report, RECORD, false);
        let expected = "\
records/complaint/CMP-2026-0042.md:3:9: error[schema]: \"status\" is not one of the allowed values
  |
1 | ---
2 | id: CMP-2026-0042
3 | status: opén
  |         ^^^^
4 | title: Çà et là
  |

records/complaint/CMP-2026-0043.md: warning[sla]: response clock breached
records/incident/INC-2026-0001.md:2:1: error[transition]: open -> closed is not an allowed transition
  in commit 1a2b3c4 \"Close the incident\" by author@example.com

checked 3 records, 2 commits: 2 errors, 1 warning
";
        assert_eq!(text, expected);
    }

    #[test]
    fn non_ascii_crlf() {
        let crlf = RECORD.replace('\n', "\r\n");
        // `Çà` on line 4: columns 8..10.
        let d = Diagnostic::error(Code::Schema, "r.md", "bad title").at(span(4, 8, 4, 10));
        assert_eq!(underlined(&d, &crlf), "Çà");
        let text = one(d, &crlf);
        assert!(!text.contains('\r'));
        assert!(text.contains("4 | title: Çà et là\n  |        ^^\n"), "{text}");
        // No end: the token `là` at the end of the line.
        let mut d = Diagnostic::error(Code::Schema, "r.md", "m").at(span(4, 14, 4, 14));
        assert_eq!(underlined(&d, &crlf), "là");
        // Column past the end of the line: the line end.
        d.span = Some(span(4, 40, 4, 40));
        assert_eq!(underlined(&d, &crlf), "\n");
        let text = one(d, &crlf);
        assert!(text.contains("4 | title: Çà et là\n  |                ^\n"), "{text}");
    }

    #[test]
    fn end_defaults() {
        let src = "a: \"quoted value\" # c\nlist: [x, y]\n";
        let at = |l, c| Diagnostic::warning(Code::Yaml, "r.md", "m").at(span(l, c, l, c));
        assert_eq!(underlined(&at(1, 4), src), "\"quoted value\"");
        assert_eq!(underlined(&at(1, 1), src), "a");
        assert_eq!(underlined(&at(1, 2), src), ":");
        assert_eq!(underlined(&at(2, 8), src), "x");
        // A multi-line span ending at column 1 stops at the previous line end.
        let d = Diagnostic::error(Code::Yaml, "r.md", "m").at(span(1, 4, 2, 1));
        assert_eq!(underlined(&d, src), "\"quoted value\" # c");
        let d = Diagnostic::error(Code::Yaml, "r.md", "m").at(span(1, 4, 2, 5));
        assert_eq!(underlined(&d, src), "\"quoted value\" # c\nlist");
        assert!(one(d, src).contains("2 | | list: [x, y]"));
    }

    #[test]
    fn only_lines_around_the_finding() {
        let src: String = (1..=40).map(|i| format!("line {i}\n")).collect();
        let d = Diagnostic::error(Code::Yaml, "r.md", "m").at(span(20, 1, 20, 5));
        let text = one(d, &src);
        assert!(
            text.contains("18 | line 18\n19 | line 19\n20 | line 20\n   | ^^^^\n21 | line 21\n"),
            "{text}"
        );
        assert!(!text.contains("line 17") && !text.contains("line 22"));
        // A huge span is cut to its first line.
        let d = Diagnostic::error(Code::Yaml, "r.md", "m").at(span(2, 1, 39, 1));
        let text = one(d, &src);
        assert!(!text.contains("line 10"), "{text}");
    }

    #[test]
    fn out_of_range_positions_do_not_panic() {
        let sources = [
            "",
            "\n",
            "x",
            "é\r\n",
            "a\nb",
            "\r\n\r\n",
            "\u{1b}[31mred\n",
            "a\u{202E}b\n",
            "\tk:\t\"v é\n\u{1}\u{7f}日本\r\n\r",
        ];
        let big = [usize::MAX - 1, usize::MAX];
        let mut spans = vec![];
        for a in (0..6).chain(big) {
            for b in (0..8).chain(big) {
                for c in (0..6).chain(big) {
                    for d in (0..8).chain(big) {
                        spans.push(span(a, b, c, d));
                    }
                }
            }
        }
        for source in sources {
            for &s in &spans {
                let mut d = Diagnostic::error(Code::Yaml, "r.md", "m").at(s);
                if let Some((text, _, range)) = excerpt(source, &d) {
                    assert!(text.get(range.clone()).is_some() || range.end == text.len() + 1);
                }
                let report = Report {
                    diagnostics: vec![d.clone()],
                    ..Report::default()
                };
                let text = human(&report, source, s.start.line % 2 == 0);
                assert!(text.contains("r.md:"), "{source:?} {s:?}");
                assert!(!text.contains("\u{1b}[31mred") && !text.contains('\u{202E}'));
                d.span = Some(span(s.start.line, s.start.column, s.start.line, s.start.column));
                excerpt(source, &d);
            }
        }
    }

    #[test]
    fn control_characters_keep_columns() {
        // U+0001 is shown as `\u{1}` (5 characters): the span must still land on `b`.
        let d = Diagnostic::error(Code::Yaml, "r.md", "m").at(span(1, 3, 1, 4));
        assert_eq!(underlined(&d, "a\u{1}b: x\n"), "b");
        let text = one(d, "a\u{1}b: x\n");
        assert!(text.contains("1 | a\\u{1}b: x\n  |       ^\n"), "{text}");
        // A bidi override and an escape before the span, and in it.
        let d = Diagnostic::error(Code::Yaml, "r.md", "m").at(span(1, 3, 1, 5));
        let src = "a\u{202e}b\u{1b}c: x\n";
        assert_eq!(underlined(&d, src), "b\\u{1b}");
        let text = one(d, src);
        assert!(
            text.contains("1 | a\\u{202e}b\\u{1b}c: x\n  |          ^^^^^^^\n"),
            "{text}"
        );
        let d = Diagnostic::error(Code::Yaml, "r.md", "m").at(span(1, 4, 1, 6));
        assert_eq!(underlined(&d, "\tk:\tvalue"), "    v");
        let text = one(d, "\tk:\tvalue");
        assert!(text.contains("1 |     k:    value\n  |       ^^^^^\n"), "{text}");
    }

    #[test]
    fn no_snippet_without_source_or_line() {
        let report = Report {
            records: 2,
            diagnostics: vec![Diagnostic::error(Code::Yaml, "r.md", "m").at(span(1, 1, 1, 2))],
            ..Report::default()
        };
        let opts = RenderOptions {
            color: false,
            sources: &super::super::test_support::no_sources,
            tool_version: "0",
            path_prefix: "",
        };
        let mut out = Vec::new();
        super::render(&report, &opts, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "r.md:1:1: error[yaml]: m\nchecked 2 records: 1 error\n"
        );
        let report = Report {
            records: 7,
            ..Report::default()
        };
        assert_eq!(human(&report, "", false), "checked 7 records: no problems\n");
    }

    #[test]
    fn colour() {
        let d = Diagnostic::warning(Code::Sla, "r.md", "late").at(span(2, 1, 2, 3));
        let report = Report {
            records: 1,
            diagnostics: vec![d],
            ..Report::default()
        };
        let text = human(&report, RECORD, true);
        assert!(
            text.starts_with("\x1b[1mr.md:2:1\x1b[0m: \x1b[1;33mwarning[sla]\x1b[0m: late\n"),
            "{text:?}"
        );
        let plain = human(&report, RECORD, false);
        assert!(!plain.contains('\x1b'));
    }
}
