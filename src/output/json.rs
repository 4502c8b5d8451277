//! The JSON format (SPEC section 6): a stable, versioned document.

use crate::diag::{Diagnostic, Report};
use serde::Serialize;
use std::io;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: Summary,
    diagnostics: &'a [Diagnostic],
}

#[derive(Serialize)]
struct Summary {
    records: usize,
    commits: usize,
    errors: usize,
    warnings: usize,
}

pub(super) fn render(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let doc = Document {
        version: 1,
        summary: Summary {
            records: report.records,
            commits: report.commits,
            errors: report.errors(),
            warnings: report.warnings(),
        },
        diagnostics: &report.diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample;
    use crate::diag::{Code, Diagnostic, Report};
    use serde_json::json;

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        super::render(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn exact_shape() {
        let text = render(&sample());
        assert!(text.ends_with("}\n"));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let expected = json!({
            "version": 1,
            "summary": {"records": 3, "commits": 2, "errors": 2, "warnings": 1},
            "diagnostics": [
                {
                    "severity": "error", "code": "schema",
                    "file": "records/complaint/CMP-2026-0042.md", "line": 3, "column": 9,
                    "record": "CMP-2026-0042",
                    "message": "\"status\" is not one of the allowed values",
                    "commit": null, "author": null
                },
                {
                    "severity": "warning", "code": "sla",
                    "file": "records/complaint/CMP-2026-0043.md", "line": null, "column": null,
                    "record": "CMP-2026-0043", "message": "response clock breached",
                    "commit": null, "author": null
                },
                {
                    "severity": "error", "code": "transition",
                    "file": "records/incident/INC-2026-0001.md", "line": 2, "column": 1,
                    "record": "INC-2026-0001",
                    "message": "open -> closed is not an allowed transition",
                    "commit": "1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5",
                    "author": "author@example.com"
                }
            ]
        });
        assert_eq!(value, expected);
        // Field order is part of the contract (serde_json keeps it with
        // `preserve_order`).
        let keys: Vec<&str> = value["diagnostics"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "severity", "code", "file", "line", "column", "record", "message", "commit", "author"
            ]
        );
        let top: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(top, ["version", "summary", "diagnostics"]);
        let summary: Vec<&str> = value["summary"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(summary, ["records", "commits", "errors", "warnings"]);
    }

    #[test]
    fn empty_report() {
        let report = Report {
            records: 5,
            ..Report::default()
        };
        let value: serde_json::Value = serde_json::from_str(&render(&report)).unwrap();
        assert_eq!(
            value,
            json!({"version": 1, "summary": {"records": 5, "commits": 0, "errors": 0, "warnings": 0}, "diagnostics": []})
        );
    }

    #[test]
    fn config_finding_without_record() {
        let report = Report {
            diagnostics: vec![Diagnostic::error(Code::Config, "casework.toml", "bad")],
            ..Report::default()
        };
        let value: serde_json::Value = serde_json::from_str(&render(&report)).unwrap();
        assert_eq!(value["diagnostics"][0]["code"], "config");
        assert_eq!(value["diagnostics"][0]["record"], serde_json::Value::Null);
    }
}
