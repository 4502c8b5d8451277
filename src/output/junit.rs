//! JUnit XML: one test case per file, one `<failure>` per error; warnings
//! go to the test case's `<system-out>`.
//!
//! Written by hand on purpose: `quick-junit` allows one `<failure>` per test
//! case and writes line breaks in attributes raw (parsers turn them into
//! spaces), and escaping five characters needs no XML writer.

use super::{location, message_with_commit};
use crate::diag::{Diagnostic, Report, Severity};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;

pub(super) fn render(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    out.write_all(document(report).as_bytes())
}

fn document(report: &Report) -> String {
    // Every examined file, then any other file a finding names
    // (casework.toml, a deleted record), in order of first mention.
    let mut files: Vec<&str> = Vec::new();
    let mut by_file: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
    for file in &report.files {
        if !by_file.contains_key(file.as_str()) {
            by_file.insert(file, Vec::new());
            files.push(file);
        }
    }
    for d in &report.diagnostics {
        by_file
            .entry(&d.file)
            .or_insert_with(|| {
                files.push(&d.file);
                Vec::new()
            })
            .push(d);
    }
    let tests = files.len();
    // The number of `<failure>` elements (one per error), as junitparser,
    // Jenkins and GitLab count them; not the number of failing test cases.
    let failures = report.errors();

    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"casework\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        s,
        "  <testsuite name=\"casework check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    for file in files {
        let diags = &by_file[file];
        let open = format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            attr(classname(file)),
            attr(file)
        );
        if diags.is_empty() {
            let _ = writeln!(s, "{open}/>");
            continue;
        }
        let _ = writeln!(s, "{open}>");
        let mut warnings = Vec::new();
        for d in diags {
            match d.severity {
                Severity::Error => {
                    let _ = writeln!(
                        s,
                        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                        attr(&format!("[{}] {}", d.code, message_with_commit(d))),
                        d.code,
                        text(&format!("{}: {}", location(d), message_with_commit(d))),
                    );
                }
                Severity::Warning => warnings.push(format!(
                    "{}: warning[{}]: {}",
                    location(d),
                    d.code,
                    message_with_commit(d)
                )),
            }
        }
        if !warnings.is_empty() {
            let _ = writeln!(s, "      <system-out>{}</system-out>", text(&warnings.join("\n")));
        }
        s.push_str("    </testcase>\n");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}

/// The kind folder of a record (`records/complaint/X.md` -> `complaint`),
/// or `records` for a file outside any folder.
fn classname(file: &str) -> &str {
    file.rsplit('/')
        .nth(1)
        .filter(|dir| !dir.is_empty())
        .unwrap_or("records")
}

/// Characters XML 1.0 cannot hold, even escaped, become U+FFFD.
fn xml_chars(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// `&`, `<`, `>` and both quotes as entities, for text and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Element text. A raw CR would be read back as LF (XML 1.0 section 2.11
/// normalises line ends), so it is written as a character reference.
fn text(s: &str) -> String {
    escape(&xml_chars(s)).replace('\r', "&#13;")
}

/// An attribute value; line breaks and tabs as character references so
/// that parsers do not normalise them to spaces.
fn attr(s: &str) -> String {
    escape(&xml_chars(s))
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{sample, span};
    use super::*;
    use crate::diag::Code;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    /// (element name, attributes) of every start or empty tag, and the
    /// unescaped text of `<failure>` / `<system-out>` elements.
    type Element = (String, HashMap<String, String>);

    fn parse(xml: &str) -> (Vec<Element>, Vec<String>) {
        let mut reader = Reader::from_str(xml);
        let mut elements = Vec::new();
        let mut texts = Vec::new();
        let mut current: Option<String> = None;
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) => {
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (
                                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                    .unwrap()
                                    .into_owned(),
                            )
                        })
                        .collect();
                    if name == "failure" || name == "system-out" {
                        current = Some(String::new());
                    }
                    elements.push((name, attrs));
                }
                Event::Text(t) => {
                    if let Some(cur) = current.as_mut() {
                        cur.push_str(&t.decode().unwrap());
                    }
                }
                // Entity references come as events of their own.
                Event::GeneralRef(r) => {
                    let name = r.decode().unwrap();
                    let resolved = quick_xml::escape::unescape(&format!("&{name};")).unwrap().into_owned();
                    current.as_mut().unwrap().push_str(&resolved);
                }
                Event::End(_) => texts.extend(current.take()),
                Event::Eof => break,
                _ => {}
            }
        }
        (elements, texts)
    }

    #[test]
    fn counts_and_cases() {
        let mut report = sample();
        report.diagnostics.push(Diagnostic::error(
            Code::Config,
            "casework.toml",
            "bad <setting> & \"quote\"",
        ));
        report
            .diagnostics
            .push(Diagnostic::error(Code::Yaml, "records/complaint/CMP-2026-0042.md", "second").at(span(1, 1, 1, 2)));
        let xml = document(&report);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
        let (elements, texts) = parse(&xml);
        let get = |name: &str| -> Vec<&HashMap<String, String>> {
            elements.iter().filter(|(n, _)| n == name).map(|(_, a)| a).collect()
        };
        let suites = get("testsuites");
        assert_eq!(suites.len(), 1);
        // 3 record files + casework.toml; 4 errors: two in CMP-0042, one in
        // INC-0001 and one in casework.toml.
        assert_eq!(suites[0]["tests"], "4");
        assert_eq!(suites[0]["failures"], "4");
        assert_eq!(suites[0]["errors"], "0");
        let suite = get("testsuite");
        assert_eq!(suite[0]["name"], "casework check");
        assert_eq!(suite[0]["tests"], "4");
        assert_eq!(suite[0]["failures"], "4");
        let cases = get("testcase");
        let names: Vec<(&str, &str)> = cases
            .iter()
            .map(|a| (a["classname"].as_str(), a["name"].as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("complaint", "records/complaint/CMP-2026-0042.md"),
                ("complaint", "records/complaint/CMP-2026-0043.md"),
                ("incident", "records/incident/INC-2026-0001.md"),
                ("records", "casework.toml"),
            ]
        );
        let failures = get("failure");
        assert_eq!(failures.len(), 4);
        assert_eq!(
            failures[0]["message"],
            "[schema] \"status\" is not one of the allowed values"
        );
        assert_eq!(failures[0]["type"], "schema");
        assert_eq!(failures[1]["message"], "[yaml] second");
        assert_eq!(
            failures[2]["message"],
            "[transition] open -> closed is not an allowed transition (commit 1a2b3c4 by author@example.com)"
        );
        assert_eq!(failures[3]["message"], "[config] bad <setting> & \"quote\"");
        assert_eq!(
            texts,
            [
                "records/complaint/CMP-2026-0042.md:3:9: \"status\" is not one of the allowed values",
                "records/complaint/CMP-2026-0042.md:1:1: second",
                "records/complaint/CMP-2026-0043.md: warning[sla]: response clock breached",
                "records/incident/INC-2026-0001.md:2:1: open -> closed is not an allowed transition (commit 1a2b3c4 by author@example.com)",
                "casework.toml: bad <setting> & \"quote\"",
            ]
        );
    }

    #[test]
    fn empty_and_clean() {
        let report = Report {
            files: vec!["records/a/A-1.md".into()],
            records: 1,
            ..Report::default()
        };
        let xml = document(&report);
        assert!(xml.contains("<testsuites name=\"casework\" tests=\"1\" failures=\"0\" errors=\"0\">"));
        assert!(xml.contains("<testcase classname=\"a\" name=\"records/a/A-1.md\"/>"));
        let (elements, _) = parse(&xml);
        assert_eq!(elements.len(), 3);
        let xml = document(&Report::default());
        assert!(xml.contains("tests=\"0\" failures=\"0\""));
        parse(&xml);
    }

    #[test]
    fn control_characters_and_newlines() {
        let report = Report {
            diagnostics: vec![Diagnostic::error(Code::Yaml, "x.md", "a\u{1}b\nc\r\nd\re\tf")],
            ..Report::default()
        };
        let xml = document(&report);
        assert!(!xml.contains('\u{1}') && !xml.contains('\r'));
        let (elements, texts) = parse(&xml);
        let failure = &elements.iter().find(|(n, _)| n == "failure").unwrap().1;
        assert_eq!(failure["message"], "[yaml] a\u{FFFD}b\nc\r\nd\re\tf");
        assert_eq!(texts, ["x.md: a\u{FFFD}b\nc\r\nd\re\tf"]);
    }
}
