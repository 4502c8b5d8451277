//! GitHub Actions: workflow commands that become annotations, and the
//! Markdown job summary that lists every finding (GitHub shows only a few
//! annotations per step).

use super::{RenderOptions, location, message_with_commit as message, summary_line};
use crate::diag::{Diagnostic, Report, Severity};
use std::fmt::Write as _;
use std::io;

pub(super) fn render(report: &Report, opts: &RenderOptions, out: &mut dyn io::Write) -> io::Result<()> {
    for d in &report.diagnostics {
        writeln!(out, "{}", command(d, opts.path_prefix))?;
    }
    writeln!(out, "{}", summary_line(report))
}

/// One `::error ...::message` line; `file` is `prefix` and the root-relative path.
fn command(d: &Diagnostic, prefix: &str) -> String {
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props: Vec<(&str, String)> = vec![("file", format!("{prefix}{}", d.file))];
    if let Some(line) = d.line().filter(|&l| l >= 1) {
        props.push(("line", line.to_string()));
        let end_line = d.end_line().filter(|&el| el >= line);
        match end_line {
            // GitHub honours columns only when the annotation starts and
            // ends on the same line.
            Some(el) if el > line => props.push(("endLine", el.to_string())),
            _ => {
                if let Some(col) = d.column().filter(|&c| c >= 1) {
                    props.push(("col", col.to_string()));
                    if let Some(ec) = d.end_column().filter(|&ec| end_line.is_some() && ec > col) {
                        props.push(("endLine", line.to_string()));
                        props.push(("endColumn", ec.to_string()));
                    }
                }
            }
        }
    }
    props.push(("title", format!("casework [{}]", d.code)));
    let props: Vec<String> = props
        .into_iter()
        .map(|(k, v)| format!("{k}={}", escape_property(&v)))
        .collect();
    format!("::{name} {}::{}", props.join(","), escape_data(&message(d)))
}

/// As `escapeData` in @actions/core.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// As `escapeProperty` in @actions/core.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Markdown for `$GITHUB_STEP_SUMMARY`: a heading, the summary sentence and
/// a table of every finding.
pub fn github_step_summary(report: &Report) -> String {
    let mut s = String::from("### casework check\n\n");
    s.push_str(&summary_line(report));
    s.push_str(".\n");
    if report.diagnostics.is_empty() {
        s.push_str("\nNo findings.\n");
        return s;
    }
    s.push_str("\n| Severity | Code | Location | Record | Message |\n");
    s.push_str("| --- | --- | --- | --- | --- |\n");
    for d in &report.diagnostics {
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | {} | {} |",
            d.severity.as_str(),
            d.code,
            md_cell(&location(d)),
            md_cell(d.record.as_deref().unwrap_or("")),
            md_cell(&message(d)),
        );
    }
    s
}

/// Text safe in a Markdown table cell: no line breaks, pipes or markup.
fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let s = s.replace("\r\n", "\n");
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push_str("<br>"),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{sample, span};
    use super::*;
    use crate::diag::Code;

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        let opts = RenderOptions {
            color: false,
            sources: &super::super::test_support::no_sources,
            tool_version: "0.1.0",
            path_prefix: "",
        };
        super::render(report, &opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_and_summary() {
        let text = render(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "::error file=records/complaint/CMP-2026-0042.md,line=3,col=9,endLine=3,endColumn=13,title=casework [schema]::\"status\" is not one of the allowed values",
                "::warning file=records/complaint/CMP-2026-0043.md,title=casework [sla]::response clock breached",
                "::error file=records/incident/INC-2026-0001.md,line=2,col=1,title=casework [transition]::open -> closed is not an allowed transition (commit 1a2b3c4 by author@example.com)",
                "checked 3 records, 2 commits: 2 errors, 1 warning",
            ]
        );
    }

    #[test]
    fn escaping() {
        let d = Diagnostic::error(Code::Schema, "records/a,b:c/X 100%.md", "50% done\r\nnext: line, more")
            .at(span(1, 2, 1, 4));
        assert_eq!(
            command(&d, ""),
            "::error file=records/a%2Cb%3Ac/X 100%25.md,line=1,col=2,endLine=1,endColumn=4,title=casework [schema]::50%25 done%0D%0Anext: line, more"
        );
    }

    #[test]
    fn multi_line_span_drops_columns() {
        let d = Diagnostic::warning(Code::Yaml, "a.md", "m").at(span(2, 3, 5, 1));
        assert_eq!(
            command(&d, ""),
            "::warning file=a.md,line=2,endLine=5,title=casework [yaml]::m"
        );
        // An empty or reversed span keeps the start only.
        let d = Diagnostic::warning(Code::Yaml, "a.md", "m").at(span(2, 3, 2, 3));
        assert_eq!(
            command(&d, ""),
            "::warning file=a.md,line=2,col=3,title=casework [yaml]::m"
        );
        let d = Diagnostic::warning(Code::Yaml, "a.md", "m").at(span(0, 0, 0, 0));
        assert_eq!(command(&d, ""), "::warning file=a.md,title=casework [yaml]::m");
    }

    #[test]
    fn step_summary_table() {
        let mut report = sample();
        report.diagnostics[0].message = "a | b\nc_d <e>".into();
        let md = github_step_summary(&report);
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(lines[0], "### casework check");
        assert_eq!(lines[2], "checked 3 records, 2 commits: 2 errors, 1 warning.");
        assert_eq!(lines[4], "| Severity | Code | Location | Record | Message |");
        assert_eq!(
            lines[6],
            "| error | `schema` | records/complaint/CMP-2026-0042.md:3:9 | CMP-2026-0042 | a \\| b<br>c\\_d \\<e\\> |"
        );
        assert_eq!(
            lines[8],
            "| error | `transition` | records/incident/INC-2026-0001.md:2:1 | INC-2026-0001 | open -\\> closed is not an allowed transition (commit 1a2b3c4 by author@example.com) |"
        );
        assert_eq!(lines.len(), 9);
        // Every row has the same number of unescaped pipes as the header.
        for row in &lines[4..] {
            assert_eq!(row.replace("\\|", "").matches('|').count(), 6, "{row}");
        }
    }

    #[test]
    fn step_summary_without_findings() {
        let report = Report {
            records: 4,
            ..Report::default()
        };
        assert_eq!(
            github_step_summary(&report),
            "### casework check\n\nchecked 4 records: no problems.\n\nNo findings.\n"
        );
    }
}
