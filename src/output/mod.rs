//! Output formats: every format renders the same [`Report`].
//!
//! Renderers never print; they write to the `io::Write` they are given.
//! Diagnostics arrive sorted and are rendered in the order given.

pub mod case;
mod github;
mod human;
mod json;
mod junit;
mod sarif;
pub mod table;

use crate::diag::{Diagnostic, Report};
use std::fmt;
use std::io;
use std::str::FromStr;

pub use github::github_step_summary;

/// An output format of `casework check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Compiler-style lines with source snippets (the default).
    #[default]
    Human,
    /// The JSON document of SPEC section 6.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
}

impl Format {
    /// Every format's name, in declaration order.
    pub const NAMES: [&'static str; 5] = ["human", "json", "github", "sarif", "junit"];

    /// Every format, in the order of [`Format::NAMES`].
    pub const ALL: [Format; 5] = [
        Format::Human,
        Format::Json,
        Format::Github,
        Format::Sarif,
        Format::Junit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Github => "github",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown format name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFormatError {
    input: String,
}

impl fmt::Display for ParseFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown output format `{}`: expected one of {}",
            self.input,
            Format::NAMES.join(", ")
        )
    }
}

impl std::error::Error for ParseFormatError {}

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseFormatError { input: s.to_string() })
    }
}

/// What the renderers need besides the report.
pub struct RenderOptions<'a> {
    /// ANSI colour in the human output.
    pub color: bool,
    /// The text of a file given its root-relative path, for snippets.
    pub sources: &'a dyn Fn(&str) -> Option<String>,
    /// The tool's version, for SARIF `driver.version`.
    pub tool_version: &'a str,
    /// The root's folder in the git work tree (`ops/cases/`; empty when the
    /// root is the top or not in git). GitHub resolves annotation files and
    /// SARIF URIs against the work tree, so those two formats prepend it.
    pub path_prefix: &'a str,
}

/// Render `report` in `format` to `out`.
pub fn render(report: &Report, format: Format, opts: &RenderOptions, out: &mut dyn io::Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, opts, out),
        Format::Json => json::render(report, out),
        Format::Github => github::render(report, opts, out),
        Format::Sarif => sarif::render(report, opts, out),
        Format::Junit => junit::render(report, out),
    }
}

/// `n word` with an `s` when `n != 1`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `checked 120 records, 3 commits: 2 errors, 1 warning` or
/// `checked 120 records: no problems`.
fn summary_line(report: &Report) -> String {
    let mut s = format!("checked {}", plural(report.records, "record"));
    if report.commits > 0 {
        s.push_str(", ");
        s.push_str(&plural(report.commits, "commit"));
    }
    s.push_str(": ");
    let (errors, warnings) = (report.errors(), report.warnings());
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(plural(errors, "error"));
    }
    if warnings > 0 {
        parts.push(plural(warnings, "warning"));
    }
    if parts.is_empty() {
        s.push_str("no problems");
    } else {
        s.push_str(&parts.join(", "));
    }
    s
}

/// `file`, `file:line` or `file:line:column`.
fn location(d: &Diagnostic) -> String {
    match (d.line(), d.column()) {
        (Some(line), Some(column)) => format!("{}:{line}:{column}", d.file),
        (Some(line), None) => format!("{}:{line}", d.file),
        (None, _) => d.file.clone(),
    }
}

/// The message, with the commit of a history finding:
/// `message (commit 1a2b3c4 by author@example.com)`.
fn message_with_commit(d: &Diagnostic) -> String {
    let mut m = d.message.clone();
    if let Some(commit) = &d.commit {
        m.push_str(" (commit ");
        m.push_str(short_commit(commit));
        if let Some(author) = &d.author {
            m.push_str(" by ");
            m.push_str(author);
        }
        m.push(')');
    }
    m
}

/// The abbreviated commit id shown to people (7 characters, as git does).
fn short_commit(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::diag::{Code, Diagnostic, Pos, Report, Span};

    pub fn span(line: usize, column: usize, end_line: usize, end_column: usize) -> Span {
        Span {
            start: Pos { line, column },
            end: Pos {
                line: end_line,
                column: end_column,
            },
        }
    }

    /// A small report: an error with a span, a file-level warning and a
    /// history finding.
    pub fn sample() -> Report {
        let mut report = Report {
            files: vec![
                "records/complaint/CMP-2026-0042.md".into(),
                "records/complaint/CMP-2026-0043.md".into(),
                "records/incident/INC-2026-0001.md".into(),
            ],
            records: 3,
            commits: 2,
            diagnostics: vec![],
        };
        report.diagnostics.push(
            Diagnostic::error(
                Code::Schema,
                "records/complaint/CMP-2026-0042.md",
                "\"status\" is not one of the allowed values",
            )
            .at(span(3, 9, 3, 13))
            .record(Some("CMP-2026-0042")),
        );
        report.diagnostics.push(
            Diagnostic::warning(
                Code::Sla,
                "records/complaint/CMP-2026-0043.md",
                "response clock breached",
            )
            .record(Some("CMP-2026-0043")),
        );
        let mut h = Diagnostic::error(
            Code::Transition,
            "records/incident/INC-2026-0001.md",
            "open -> closed is not an allowed transition",
        )
        .record(Some("INC-2026-0001"));
        h.span = Some(span(2, 1, 2, 1));
        h.commit = Some("1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5".into());
        h.author = Some("author@example.com".into());
        h.subject = Some("Close the incident".into());
        report.diagnostics.push(h);
        report
    }

    pub fn no_sources(_: &str) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for (name, format) in Format::NAMES.iter().zip(Format::ALL) {
            assert_eq!(name.parse::<Format>().unwrap(), format);
            assert_eq!(format.to_string(), *name);
        }
        assert_eq!("JSON".parse::<Format>().unwrap(), Format::Json);
        let err = "xml".parse::<Format>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown output format `xml`: expected one of human, json, github, sarif, junit"
        );
        assert_eq!(Format::default(), Format::Human);
    }

    #[test]
    fn summary_lines() {
        let mut report = sample();
        assert_eq!(
            summary_line(&report),
            "checked 3 records, 2 commits: 2 errors, 1 warning"
        );
        report.commits = 0;
        report.diagnostics.truncate(1);
        assert_eq!(summary_line(&report), "checked 3 records: 1 error");
        report.diagnostics.clear();
        report.records = 1;
        assert_eq!(summary_line(&report), "checked 1 record: no problems");
    }

    #[test]
    fn every_format_renders_an_empty_report() {
        let report = Report::default();
        let opts = RenderOptions {
            color: false,
            sources: &no_sources,
            tool_version: "0.1.0",
            path_prefix: "",
        };
        for format in Format::ALL {
            let mut out = Vec::new();
            render(&report, format, &opts, &mut out).unwrap();
            assert!(!out.is_empty(), "{format}");
        }
    }
}
