//! Record files: find them under the records folder, split the front-matter
//! from the Markdown body, and parse it into a JSON value whose nodes can be
//! traced back to a line and column.

pub mod cells;
pub mod set;
pub mod yaml;

use crate::config::{Config, Kind};
use crate::diag::{Code, Diagnostic, Pos, PosMap, Span};
use serde_json::Value;
pub use set::{RecordSet, SetRecord};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// A record file found under the records folder.
#[derive(Debug, Clone)]
pub struct RecordFile {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    pub abs: PathBuf,
    /// What the directory entry is, as the folder listing said (no extra `stat`).
    pub entry: Entry,
}

/// The type of a directory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    File,
    Symlink,
    /// A FIFO, socket or device: never opened (it could block or never end).
    Other,
    /// A symlink to a folder: never followed, so a linked kind folder cannot
    /// take `check` (or a writer) outside the root.
    FolderLink,
}

impl Entry {
    fn of(t: std::fs::FileType) -> Entry {
        if t.is_symlink() {
            Entry::Symlink
        } else if t.is_file() {
            Entry::File
        } else {
            Entry::Other
        }
    }
}

/// A record whose front-matter parsed.
#[derive(Debug, Clone)]
pub struct Record {
    pub file: RecordFile,
    pub text: String,
    pub fm: FrontMatter,
    /// The front-matter as JSON (an object for any usable record).
    pub data: Value,
}

impl Record {
    /// The `id` field, if it is a string.
    pub fn id(&self) -> Option<&str> {
        self.data.get("id").and_then(Value::as_str)
    }

    pub fn kind(&self) -> Option<&str> {
        self.data.get("kind").and_then(Value::as_str)
    }

    pub fn status(&self) -> Option<&str> {
        self.data.get("status").and_then(Value::as_str)
    }

    /// The front-matter YAML text.
    pub fn yaml(&self) -> &str {
        &self.text[self.fm.yaml.clone()]
    }

    /// The Markdown after the front-matter.
    pub fn body(&self) -> &str {
        &self.text[self.fm.body_start..]
    }

    /// Positions of every node. Parsing twice is cheaper than tracking
    /// positions for the many records that have no finding.
    pub fn positions(&self) -> PosMap {
        yaml::parse(self.yaml(), self.fm.first_line, true)
            .ok()
            .and_then(|(_, p)| p)
            .unwrap_or_default()
    }
}

/// Where the front-matter lies in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    /// Byte range of the YAML between the `---` lines.
    pub yaml: std::ops::Range<usize>,
    /// File line number of the first YAML line.
    pub first_line: usize,
    /// Byte offset of the body.
    pub body_start: usize,
}

/// Why a file could not become a [`Record`] (boxed: the success path is the common one).
pub type LoadFailure = Box<Diagnostic>;

/// Split a file between the front matter and its content.
pub fn split_front_matter(text: &str) -> Result<FrontMatter, (Pos, String)> {
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut lines = LineIter { text, offset: start };
    let first = lines.next();
    if first.is_none_or(|(l, _)| l.trim_end() != "---") {
        return Err((
            Pos { line: 1, column: 1 },
            "no front-matter: a record starts with a line `---`, then YAML fields, then a line `---`".into(),
        ));
    }
    let yaml_start = lines.offset;
    while let Some((l, line_start)) = lines.next() {
        if l.trim_end() == "---" {
            return Ok(FrontMatter {
                yaml: yaml_start..line_start,
                first_line: 2,
                body_start: lines.offset,
            });
        }
    }
    Err((
        Pos { line: 1, column: 1 },
        "the front-matter opened on line 1 is never closed: add a line `---` after the last field".into(),
    ))
}

/// Lines without their terminator, with their start offset.
struct LineIter<'a> {
    text: &'a str,
    offset: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (&'a str, usize);
    fn next(&mut self) -> Option<Self::Item> {
        if self.offset >= self.text.len() {
            return None;
        }
        let start = self.offset;
        let rest = &self.text[start..];
        let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        self.offset += end;
        let line = rest[..end].trim_end_matches('\n').trim_end_matches('\r');
        Some((line, start))
    }
}

/// A folder under the records folder that cannot be listed: its records
/// would be missing from every check, so the run stops (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("cannot read the folder {path}: {reason}; its records cannot be checked")]
pub struct DiscoverError {
    /// Relative to the root.
    pub path: String,
    pub reason: String,
}

/// Every `*.md` file in a kind folder (or any folder) under the records dir,
/// sorted by path. Files directly in the records folder (a README) are not
/// records. Folder links are listed as [`Entry::FolderLink`] rather than
/// followed, so that `check` reports them instead of passing over them.
/// A folder that cannot be read is an error, not a folder without records.
pub fn discover(config: &Config) -> Result<Vec<RecordFile>, DiscoverError> {
    let dir = config.root.join(&config.records_dir);
    // The walk follows a linked records folder itself: only if it stays inside.
    if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink())
        && crate::files::resolve_inside(&config.root, &dir).is_err()
    {
        return Ok(record_file(&config.root, &dir, Entry::FolderLink).into_iter().collect());
    }
    let mut files = Vec::new();
    for e in WalkDir::new(&dir).min_depth(1).follow_links(false) {
        let e = match e {
            Ok(e) => e,
            // No records folder yet: no records.
            Err(err)
                if err.depth() == 0
                    && err
                        .io_error()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) =>
            {
                return Ok(Vec::new());
            }
            Err(err) => {
                let at = err.path().unwrap_or(&dir);
                let path = at
                    .strip_prefix(&config.root)
                    .map_or_else(|_| at.display().to_string(), |p| p.display().to_string());
                let reason = err
                    .io_error()
                    .map_or_else(|| err.to_string(), std::string::ToString::to_string);
                return Err(DiscoverError { path, reason });
            }
        };
        let t = e.file_type();
        let found = if t.is_symlink() && std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir()) {
            record_file(&config.root, e.path(), Entry::FolderLink)
        } else if t.is_dir() {
            None
        } else {
            record_file(&config.root, e.path(), Entry::of(t)).filter(|f| is_record_path(&config.records_dir, &f.path))
        };
        files.extend(found);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Whether `path` (relative to the root, `/`-separated) is where a record
/// lives: a `.md` file (the extension in any case) in a folder of the
/// records folder, a `README.md` excepted; files directly in the records
/// folder are its own documentation. A folder inside a kind folder that is
/// named like a case ID (`records/request/REQ-2026-0001/`) holds that
/// case's attachments, never records; other folders (`2026/`) may hold
/// records. The one rule used by the working-tree walk, the history walk,
/// timelines and `check PATH`.
pub fn is_record_path(records_dir: &str, path: &str) -> bool {
    let Some(rest) = path
        .strip_prefix(records_dir.trim_end_matches('/'))
        .and_then(|r| r.strip_prefix('/'))
    else {
        return false;
    };
    let Some((folder, name)) = rest.rsplit_once('/') else {
        return false;
    };
    !folder.is_empty()
        && !folder.split('/').skip(1).any(is_case_id_shaped)
        && name.len() > 3
        && name.is_char_boundary(name.len() - 3)
        && name[name.len() - 3..].eq_ignore_ascii_case(".md")
        && !name.eq_ignore_ascii_case("README.md")
}

/// Whether a name has the shape of a case ID of some kind,
/// `PREFIX-YEAR-SEQUENCE` (`REQ-2026-0001`): a prefix of upper-case letters
/// and digits starting with a letter, four digits, then digits.
pub fn is_case_id_shaped(name: &str) -> bool {
    let mut parts = name.split('-');
    let (Some(prefix), Some(year), Some(seq), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    prefix.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
        && prefix.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && !seq.is_empty()
        && seq.bytes().all(|b| b.is_ascii_digit())
}

/// A path under the root as a [`RecordFile`], or `None` if outside it.
pub fn record_file(root: &Path, path: &Path, entry: Entry) -> Option<RecordFile> {
    let abs = std::path::absolute(path).ok()?;
    let rel = abs.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(RecordFile {
        path: parts.join("/"),
        abs,
        entry,
    })
}

/// A path given on the command line, typed by `lstat`.
/// A file whose folder (a linked kind folder, say) leads out of the root is
/// typed a symlink, so that loading it resolves the link and refuses it.
pub fn record_file_at(root: &Path, path: &Path) -> Option<RecordFile> {
    let mut entry = std::fs::symlink_metadata(path).map_or(Entry::File, |m| Entry::of(m.file_type()));
    if entry == Entry::File
        && path.parent().is_some_and(|dir| {
            matches!(
                crate::files::resolve_inside(root, dir),
                Err(crate::files::ReadError::OutsideRoot(_))
            )
        })
    {
        entry = Entry::Symlink;
    }
    record_file(root, path, entry)
}

/// Read and parse one file, or say why it cannot be read.
pub fn load(file: &RecordFile, config: &Config) -> Result<Record, LoadFailure> {
    load_owned(file.clone(), config)
}

/// [`load`], taking the file.
pub fn load_owned(file: RecordFile, config: &Config) -> Result<Record, LoadFailure> {
    let fail = |code: Code, pos: Option<Pos>, msg: String| {
        let mut d = Diagnostic::error(code, file.path.clone(), msg);
        if let Some(p) = pos {
            d = d.at(Span { start: p, end: p });
        }
        Box::new(d)
    };
    let limit = config.max_file_size;
    let bytes = match file.entry {
        Entry::Other => Err(crate::files::ReadError::NotAFile),
        // A listed file in a folder the walk reached without following a link.
        Entry::File => crate::files::read_regular(&file.abs, limit),
        Entry::Symlink => crate::files::read(&config.root, &file.abs, limit),
        Entry::FolderLink => Err(crate::files::resolve_inside(&config.root, &file.abs)
            .err()
            .unwrap_or(crate::files::ReadError::NotAFile)),
    };
    let bytes = bytes.map_err(|e| match e {
        crate::files::ReadError::TooLarge { size, limit } => fail(
            Code::TooLarge,
            None,
            format!(
                "file is {size} bytes, above the limit of {limit} bytes (`records.max_file_size`); it was not read"
            ),
        ),
        crate::files::ReadError::Io(e) => fail(Code::Encoding, None, format!("cannot read the file: {e}")),
        crate::files::ReadError::NotAFile if file.entry == Entry::FolderLink => fail(
            Code::FileName,
            None,
            "symlink to a folder: casework does not follow folder links; its records were not checked".into(),
        ),
        crate::files::ReadError::OutsideRoot(to) if file.entry == Entry::FolderLink => fail(
            Code::FileName,
            None,
            format!(
                "symlink to the folder {} outside the repository root: its records were not checked",
                to.display()
            ),
        ),
        crate::files::ReadError::Missing => fail(Code::FileName, None, "broken symlink; it was not read".into()),
        crate::files::ReadError::OutsideRoot(to) => fail(
            Code::FileName,
            None,
            format!(
                "symlink to {} leads out of the repository root; it was not read",
                to.display()
            ),
        ),
        crate::files::ReadError::NotAFile if file.entry == Entry::Symlink => fail(
            Code::FileName,
            None,
            "symlink to something that is not a file; it was not read".into(),
        ),
        crate::files::ReadError::NotAFile => fail(
            Code::FileName,
            None,
            "not a regular file (a FIFO, socket or device); it was not read".into(),
        ),
    })?;
    let text = decode(bytes).map_err(|(pos, msg)| fail(Code::Encoding, Some(pos), msg))?;
    parse(file, text)
}

/// Parse the text of a record file.
pub fn parse(file: RecordFile, text: String) -> Result<Record, LoadFailure> {
    let at = |code: Code, pos: Pos, msg: String| {
        Box::new(Diagnostic::error(code, file.path.clone(), msg).at(Span { start: pos, end: pos }))
    };
    // Conflict markers break the front-matter; looked for only when it is
    // broken, so a clean record pays nothing.
    let conflict = |upto: usize| {
        conflict_marker(&text[..upto]).map(|(line, marker)| {
            at(
                Code::Yaml,
                Pos { line, column: 1 },
                format!(
                    "unresolved merge conflict at line {line} (`{marker}`): keep the lines you want, delete the `<<<<<<<`, `=======` and `>>>>>>>` lines, then commit"
                ),
            )
        })
    };
    let fm = split_front_matter(&text)
        .map_err(|(pos, msg)| conflict(text.len()).unwrap_or_else(|| at(Code::FrontMatter, pos, msg)))?;
    let (data, _) = yaml::parse(&text[fm.yaml.clone()], fm.first_line, false)
        .map_err(|e| conflict(fm.body_start).unwrap_or_else(|| at(Code::Yaml, e.pos, e.message)))?;
    // Markers below the front-matter leave it readable, so they are looked
    // for on their own: one SIMD scan first (memchr's memmem; `str::contains`
    // cost 0.7% of a check) keeps a clean body cheap.
    // The code is `front-matter`: the contract has no code for a conflict,
    // and this one is about the frame of the file (front-matter and body),
    // which the markers break, not about its YAML, which is fine.
    if memchr::memmem::find(&text.as_bytes()[fm.body_start..], b"<<<<<<<").is_some()
        && let Some((line, marker)) = body_conflict(&text, fm.body_start)
    {
        return Err(at(
            Code::FrontMatter,
            Pos { line, column: 1 },
            format!(
                "unresolved merge conflict at line {line} (`{marker}`): keep the lines you want, delete the `<<<<<<<`, `=======` and `>>>>>>>` lines, then commit"
            ),
        ));
    }
    match data {
        Value::Object(_) => Ok(Record { file, text, fm, data }),
        Value::Null => Err(at(
            Code::FrontMatter,
            Pos { line: 1, column: 1 },
            "the front-matter is empty: it needs at least id, kind, title, status and opened".into(),
        )),
        _ => Err(at(
            Code::FrontMatter,
            Pos { line: 2, column: 1 },
            "the front-matter must be a YAML mapping of fields (`name: value` lines)".into(),
        )),
    }
}

/// The first line git writes to open a merge conflict (`<<<<<<< HEAD`),
/// with its line number.
fn conflict_marker(text: &str) -> Option<(usize, String)> {
    if !text.contains("<<<<<<<") {
        return None;
    }
    text.lines()
        .enumerate()
        .find(|(_, l)| l.starts_with("<<<<<<<"))
        .map(|(i, l)| (i + 1, crate::diag::one_line(l.trim_end()).into_owned()))
}

/// The first conflict git left in the body (from byte `body_start` of
/// `text`): a line `<<<<<<< ...`, then a line `=======`, then a line
/// `>>>>>>> ...`, as the file's line number and the opening line. A lone
/// `<<<<<<<` line (in a code sample, say) is no conflict.
fn body_conflict(text: &str, body_start: usize) -> Option<(usize, String)> {
    let first_line = text[..body_start].matches('\n').count() + 1;
    let mut open: Option<(usize, &str)> = None;
    let mut split = false;
    for (i, l) in text[body_start..].lines().enumerate() {
        let l = l.trim_end();
        if open.is_none() {
            if l.starts_with("<<<<<<< ") || l == "<<<<<<<" {
                open = Some((first_line + i, l));
            }
        } else if !split {
            if l.starts_with("<<<<<<<") {
                open = Some((first_line + i, l));
            }
            split = l == "=======";
        } else if l.starts_with(">>>>>>> ") || l == ">>>>>>>" {
            return open.map(|(line, l)| (line, crate::diag::one_line(l).into_owned()));
        }
    }
    None
}

/// UTF-8 text, or the position of the first byte that is not.
pub fn decode(bytes: Vec<u8>) -> Result<String, (Pos, String)> {
    match String::from_utf8(bytes) {
        Ok(text) => {
            if let Some(i) = text.find('\0') {
                return Err((
                    crate::diag::line_col(&text, i),
                    "the file contains NUL bytes: it looks binary, not a Markdown record".into(),
                ));
            }
            Ok(text)
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let valid = e.utf8_error().valid_up_to();
            let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
            Err((
                crate::diag::line_col(prefix, prefix.len()),
                format!(
                    "the file is not UTF-8 text (invalid byte 0x{:02x}); save it as UTF-8",
                    bytes[valid]
                ),
            ))
        }
    }
}

/// Follow a dotted field path (`closure.closed_at`, `updates.0.at`) in a record.
pub fn get_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, part| match v {
        Value::Object(m) => m.get(part),
        Value::Array(a) => a.get(part.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Every value at a path that may contain `*` (each item of a list), with the
/// concrete path of each.
pub fn get_all<'a>(v: &'a Value, path: &str) -> Vec<(String, &'a Value)> {
    let mut out = vec![(String::new(), v)];
    for part in path.split('.') {
        let mut next = Vec::new();
        for (p, v) in out {
            let join = |k: &str| {
                if p.is_empty() {
                    k.to_string()
                } else {
                    format!("{p}.{k}")
                }
            };
            match (part, v) {
                ("*", Value::Array(a)) => next.extend(a.iter().enumerate().map(|(i, x)| (join(&i.to_string()), x))),
                (k, Value::Object(m)) => next.extend(m.get(k).map(|x| (join(k), x))),
                (k, Value::Array(a)) => {
                    next.extend(k.parse::<usize>().ok().and_then(|i| a.get(i)).map(|x| (join(k), x)))
                }
                _ => {}
            }
        }
        out = next;
    }
    out
}

/// The JSON pointer of a dotted path.
pub fn pointer(path: &str) -> String {
    path.split('.')
        .map(|p| format!("/{}", yaml::escape_pointer(p)))
        .collect()
}

/// The highest sequence number used for `kind` in `year` — by a record file
/// or by a disposed record, whose ID is never reused — plus one; `None`
/// when that would pass [`crate::config::MAX_SEQUENCE`].
pub fn next_sequence(config: &Config, kind: &Kind, year: i32) -> Option<u64> {
    next_sequence_above(config, kind, year, 0)
}

/// [`next_sequence`], counting `used` (the highest sequence found
/// elsewhere, such as on other branches) as taken too: `casework renumber`
/// gives a number no branch has.
pub fn next_sequence_above(config: &Config, kind: &Kind, year: i32, used: u64) -> Option<u64> {
    let mut max = used;
    if let Ok(entries) = std::fs::read_dir(config.root.join(&kind.dir)) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some((y, seq)) = name.strip_suffix(".md").and_then(|id| kind.parse_id(id))
                && y == year
            {
                max = max.max(seq);
            }
        }
    }
    for id in disposed_ids(config) {
        if let Some((y, seq)) = kind.parse_id(&id)
            && y == year
        {
            max = max.max(seq);
        }
    }
    Some(max + 1).filter(|&n| kind.is_valid_sequence(n))
}

/// IDs in `related` that name no record (by the `<ID>.md` file of their
/// kind) and no disposed record: what `new`, `set` and `transition` refuse.
pub fn missing_links(config: &Config, data: &Value) -> Vec<String> {
    let Some(Value::Array(items)) = data.get("related") else {
        return Vec::new();
    };
    let mut disposed = None;
    items
        .iter()
        .filter_map(Value::as_str)
        .filter(|id| {
            let exists = config
                .kind_for_id(id)
                .is_some_and(|k| config.root.join(&k.dir).join(format!("{id}.md")).is_file());
            !exists && !disposed.get_or_insert_with(|| disposed_ids(config)).contains(*id)
        })
        .map(str::to_string)
        .collect()
}

/// IDs listed in the disposal register (first column).
pub fn disposed_ids(config: &Config) -> BTreeSet<String> {
    read_register(config).map(|t| register_ids(&t)).unwrap_or_default()
}

/// The text of the disposal register, through the one guarded reader.
/// A missing register is an empty one.
pub fn read_register(config: &Config) -> Result<String, crate::files::ReadError> {
    match crate::files::read_to_string(
        &config.root,
        &config.root.join(&config.register),
        crate::files::SUPPORT_FILE_LIMIT,
    ) {
        Err(crate::files::ReadError::Missing) => Ok(String::new()),
        other => other,
    }
}

/// The IDs of a disposal register's text: the first column after the
/// header. Read as CSV, so a quoted reason holding commas or line breaks
/// is one field; a row that is not CSV is passed over.
pub fn register_ids(text: &str) -> BTreeSet<String> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .filter_map(Result::ok)
        .filter_map(|row| row.get(0).map(|id| id.trim().to_string()))
        .filter(|id| !id.is_empty())
        .collect()
}

/// Whether `id` could be a case ID at all: letters, digits, `-` and `_`,
/// so it is safe in a path and a message.
pub fn is_plausible_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn split_plain_bom_crlf() {
        let t = "---\nid: x\n---\nbody\n";
        let fm = split_front_matter(t).unwrap();
        assert_eq!(&t[fm.yaml.clone()], "id: x\n");
        assert_eq!(&t[fm.body_start..], "body\n");
        let t = "\u{feff}---\r\nid: x\r\n---\r\nbody";
        let fm = split_front_matter(t).unwrap();
        assert_eq!(&t[fm.yaml.clone()], "id: x\r\n");
        assert_eq!(&t[fm.body_start..], "body");
        let t = "---\nid: x\n---";
        assert_eq!(split_front_matter(t).unwrap().body_start, t.len());
    }

    #[test]
    fn split_errors() {
        assert!(
            split_front_matter("# Title\n")
                .unwrap_err()
                .1
                .contains("no front-matter")
        );
        assert!(split_front_matter("").is_err());
        assert!(
            split_front_matter("---\nid: x\n")
                .unwrap_err()
                .1
                .contains("never closed")
        );
    }

    #[test]
    fn conflict_markers_in_the_body_are_found_at_their_file_line() {
        let file = || RecordFile {
            path: "records/a/A-2026-0001.md".into(),
            abs: PathBuf::from("/r/records/a/A-2026-0001.md"),
            entry: Entry::File,
        };
        let head = "---\r\nid: A-2026-0001\r\n---\r\n## Summary\r\n";
        let text = format!("{head}<<<<<<< HEAD\r\nmine\r\n=======\r\ntheirs\r\n>>>>>>> feature\r\n");
        let d = parse(file(), text).unwrap_err();
        assert_eq!(d.code, Code::FrontMatter);
        assert_eq!(d.line(), Some(5));
        assert_eq!(d.column(), Some(1));
        assert!(
            d.message
                .starts_with("unresolved merge conflict at line 5 (`<<<<<<< HEAD`): "),
            "{}",
            d.message
        );
        // Markers that do not make a conflict are Markdown like any other.
        for body in [
            "<<<<<<< HEAD\nno separator\n>>>>>>> x\n",
            "<<<<<<< HEAD\n=======\nnever closed\n",
            "=======\n>>>>>>> x\n<<<<<<< HEAD\n",
            "    <<<<<<< HEAD\n=======\n>>>>>>> x\n",
        ] {
            assert!(parse(file(), format!("{head}{body}")).is_ok(), "{body:?}");
        }
    }

    #[test]
    fn decode_reports_first_bad_byte() {
        let (pos, msg) = decode(b"---\nid: \xff\n".to_vec()).unwrap_err();
        assert_eq!(pos, Pos { line: 2, column: 5 });
        assert!(msg.contains("0xff"));
        assert!(decode(b"ab\0c".to_vec()).unwrap_err().1.contains("binary"));
    }

    #[test]
    fn paths() {
        let v = json!({"a": {"b": [{"c": 1}, {"c": 2}, {}]}});
        assert_eq!(get_path(&v, "a.b.1.c"), Some(&json!(2)));
        let all: Vec<String> = get_all(&v, "a.b.*.c").into_iter().map(|(p, _)| p).collect();
        assert_eq!(all, ["a.b.0.c", "a.b.1.c"]);
        assert_eq!(pointer("a.b.0"), "/a/b/0");
    }

    #[test]
    fn register_reasons_with_commas_and_line_breaks() {
        let text = "id,kind,opened,closed,archived,disposed_at,reason,by\n\
            CMP-2024-0001,complaint,2024-01-02,2024-02-01,2024-03-01,2031-03-02,\"retention over, per policy\nsection 4\",r@x.org\n\
            \"INC-2024-0002\",incident,,,,2031-03-02,plain,r@x.org\n";
        let ids: Vec<String> = register_ids(text).into_iter().collect();
        assert_eq!(ids, ["CMP-2024-0001", "INC-2024-0002"]);
    }

    #[test]
    fn record_paths() {
        for yes in [
            "records/complaint/CMP-2026-0001.md",
            "records/complaint/X.MD",
            "records/request/2026/R.md",
            "records/request/2026/REQ-2026-0001.md",
            "records/request/REQ-2026-0001-notes/R.md",
        ] {
            assert!(is_record_path("records", yes), "{yes}");
        }
        for no in [
            "records/README.md",
            "records/complaint/README.md",
            "records/complaint/readme.MD",
            "records/x.md",
            "records/complaint/notes.txt",
            "other/complaint/X.md",
            "recordsX/complaint/X.md",
            "records/complaint/.md",
            "records/request/REQ-2026-0001/notes.md",
            "records/request/REQ-2026-0001/more/notes.MD",
            "records/request/2026/REQ-2026-0001/notes.md",
        ] {
            assert!(!is_record_path("records", no), "{no}");
        }
        assert!(is_record_path("sub/records/", "sub/records/c/X.md"));
        assert!(!is_record_path("sub/records/", "sub/records/c/X-2026-1/X.md"));
    }

    #[test]
    fn case_id_shapes() {
        for yes in ["REQ-2026-0001", "C2-1999-1", "X-0000-123456789"] {
            assert!(is_case_id_shaped(yes), "{yes}");
        }
        for no in [
            "2026",
            "req-2026-0001",
            "REQ-26-0001",
            "REQ-2026-",
            "REQ-2026-01-x",
            "-2026-1",
            "notes",
        ] {
            assert!(!is_case_id_shaped(no), "{no}");
        }
    }

    #[test]
    fn locate_falls_back_to_parent() {
        let (_, map) = yaml::parse("a:\n  b: 1\n", 2, true).unwrap();
        let map = map.unwrap();
        assert_eq!(
            crate::diag::locate(&map, "/a/missing", true).unwrap().start,
            Pos { line: 2, column: 1 }
        );
        assert_eq!(
            crate::diag::locate(&map, "/a/b", false).unwrap().start,
            Pos { line: 3, column: 6 }
        );
    }
}
