//! Findings as data: every check produces [`Diagnostic`] values and every
//! output format renders the same list. A finding is never an `Err`.

mod pos;
pub mod snippet;
mod text;

pub use pos::{NodePos, Pos, PosMap, Span, line_col, locate};
pub use text::{is_unsafe_char, one_line, push_escape};

use serde::Serialize;
use std::fmt;

/// How bad a finding is. Warnings alone do not fail a run unless
/// `--deny-warnings` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The stable, kebab-case identifier of a kind of finding (SPEC section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    FrontMatter,
    Yaml,
    Encoding,
    TooLarge,
    Schema,
    IdFormat,
    DuplicateId,
    FileName,
    UnknownKind,
    UnknownStatus,
    BrokenLink,
    Transition,
    Role,
    Immutable,
    ArchivedModified,
    Deleted,
    Sla,
    Config,
}

impl Code {
    pub const ALL: [Code; 18] = [
        Code::FrontMatter,
        Code::Yaml,
        Code::Encoding,
        Code::TooLarge,
        Code::Schema,
        Code::IdFormat,
        Code::DuplicateId,
        Code::FileName,
        Code::UnknownKind,
        Code::UnknownStatus,
        Code::BrokenLink,
        Code::Transition,
        Code::Role,
        Code::Immutable,
        Code::ArchivedModified,
        Code::Deleted,
        Code::Sla,
        Code::Config,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::FrontMatter => "front-matter",
            Code::Yaml => "yaml",
            Code::Encoding => "encoding",
            Code::TooLarge => "too-large",
            Code::Schema => "schema",
            Code::IdFormat => "id-format",
            Code::DuplicateId => "duplicate-id",
            Code::FileName => "file-name",
            Code::UnknownKind => "unknown-kind",
            Code::UnknownStatus => "unknown-status",
            Code::BrokenLink => "broken-link",
            Code::Transition => "transition",
            Code::Role => "role",
            Code::Immutable => "immutable",
            Code::ArchivedModified => "archived-modified",
            Code::Deleted => "deleted",
            Code::Sla => "sla",
            Code::Config => "config",
        }
    }

    /// A one-line description, used as SARIF rule text and in `--help`.
    pub fn summary(self) -> &'static str {
        match self {
            Code::FrontMatter => "The record has no front-matter, or it is not terminated by a `---` line.",
            Code::Yaml => {
                "The front-matter is not valid YAML (syntax, duplicate key, alias expansion or nesting past the limits)."
            }
            Code::Encoding => "The record file is not UTF-8 text.",
            Code::TooLarge => "The record file is larger than `records.max_file_size`; it was not read.",
            Code::Schema => "The front-matter violates its kind's JSON Schema or a guard of its state.",
            Code::IdFormat => {
                "The `id` does not follow the kind's format PREFIX-YEAR-SEQUENCE, with the year of `opened`."
            }
            Code::DuplicateId => "Two record files carry the same `id`.",
            Code::FileName => "The file name is not `<id>.md` or the file is not in its kind's folder.",
            Code::UnknownKind => "The `kind` is not configured in casework.toml.",
            Code::UnknownStatus => "The `status` is not a state of the record's kind.",
            Code::BrokenLink => "An ID listed in `related` does not exist.",
            Code::Transition => "A status change that the kind's workflow does not allow.",
            Code::Role => "The author of a change lacks the role the change needs.",
            Code::Immutable => "`id`, `kind` or `opened` changed after the record was created.",
            Code::ArchivedModified => {
                "An archived record was changed by someone outside its kind's archive role (`records` by default)."
            }
            Code::Deleted => "A record was removed without an entry in the disposal register in the same commit.",
            Code::Sla => "A service-level clock is breached.",
            Code::Config => "A setting in casework.toml cannot be honoured for this record.",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about one file (SPEC section 6). `span` is where in the
/// file, or `None` for a finding about the whole file; it is serialised as
/// its start's `line` and `column`, and its end lets renderers underline the
/// whole offending node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub file: String,
    pub span: Option<Span>,
    pub record: Option<String>,
    pub message: String,
    pub commit: Option<String>,
    pub author: Option<String>,
    /// Subject line of `commit`, shown by the human format.
    pub subject: Option<String>,
    /// Place of `commit` in the walked range, oldest first from 1 (0: the
    /// working tree), so that a file's history findings read in commit order.
    pub order: usize,
}

/// The serialised shape of a [`Diagnostic`] (SPEC section 6).
#[derive(Serialize)]
struct Shape<'a> {
    severity: Severity,
    code: Code,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    record: Option<&'a str>,
    message: &'a str,
    commit: Option<&'a str>,
    author: Option<&'a str>,
}

impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Shape {
            severity: self.severity,
            code: self.code,
            file: &self.file,
            line: self.line(),
            column: self.column(),
            record: self.record.as_deref(),
            message: &self.message,
            commit: self.commit.as_deref(),
            author: self.author.as_deref(),
        }
        .serialize(s)
    }
}

impl Diagnostic {
    pub fn new(severity: Severity, code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            file: file.into(),
            span: None,
            record: None,
            message: message.into(),
            commit: None,
            author: None,
            subject: None,
            order: 0,
        }
    }

    pub fn error(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, file, message)
    }

    pub fn warning(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, file, message)
    }

    /// Point at a span, or at no position (`None`: the whole file).
    pub fn at(mut self, span: impl Into<Option<Span>>) -> Self {
        self.span = span.into();
        self
    }

    /// `file:line:column` as `check` names a place (`file` alone without
    /// a position).
    pub fn place(&self) -> String {
        match self.span {
            Some(s) => format!("{}:{}:{}", self.file, s.start.line, s.start.column),
            None => self.file.clone(),
        }
    }

    /// 1-based line of the start, if the finding has a position.
    pub fn line(&self) -> Option<usize> {
        self.span.map(|s| s.start.line)
    }

    /// 1-based character column of the start.
    pub fn column(&self) -> Option<usize> {
        self.span.map(|s| s.start.column)
    }

    pub fn end_line(&self) -> Option<usize> {
        self.span.map(|s| s.end.line)
    }

    pub fn end_column(&self) -> Option<usize> {
        self.span.map(|s| s.end.column)
    }

    pub fn record(mut self, id: Option<impl Into<String>>) -> Self {
        self.record = id.map(Into::into);
        self
    }
}

/// What one run found, with the counts the JSON summary reports.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every record file examined (relative paths), readable or not.
    pub files: Vec<String>,
    pub records: usize,
    pub commits: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// Stable order: by file; the working tree's findings first, then each
    /// commit's, oldest first; then position, then code.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            let pos = |d: &Diagnostic| d.span.map(|s| s.start);
            (&a.file, a.order, pos(a), a.code, &a.message).cmp(&(&b.file, b.order, pos(b), b.code, &b.message))
        });
    }
}
