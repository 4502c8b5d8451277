//! Findings as data: every check produces [`Diagnostic`] values and every
//! output format renders the same list. A finding is never an `Err`.

mod text;

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
            Code::ArchivedModified => "An archived record was changed by someone outside the `records` role.",
            Code::Deleted => "A record was removed other than by `casework dispose`.",
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

/// One finding about one file (SPEC section 6). `line` and `column` are
/// 1-based; `column` counts characters. `end_column` (not serialised) lets
/// renderers underline the whole offending node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    #[serde(skip)]
    pub end_line: Option<usize>,
    #[serde(skip)]
    pub end_column: Option<usize>,
    pub record: Option<String>,
    pub message: String,
    pub commit: Option<String>,
    pub author: Option<String>,
    /// Subject line of `commit`, shown by the human format.
    #[serde(skip)]
    pub subject: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            file: file.into(),
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            record: None,
            message: message.into(),
            commit: None,
            author: None,
            subject: None,
        }
    }

    pub fn error(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, file, message)
    }

    pub fn warning(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, file, message)
    }

    /// Point at a span: start and end as 1-based (line, column).
    pub fn at(mut self, span: Span) -> Self {
        self.line = Some(span.start.line);
        self.column = Some(span.start.column);
        self.end_line = Some(span.end.line);
        self.end_column = Some(span.end.column);
        self
    }

    pub fn record(mut self, id: Option<impl Into<String>>) -> Self {
        self.record = id.map(Into::into);
        self
    }
}

/// A 1-based position in a file; `column` counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A range in a file, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
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

    /// Stable order: by file, then position, then code.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.code, &a.message).cmp(&(&b.file, b.line, b.column, b.code, &b.message))
        });
    }
}
