//! `casework import`: a tracker's rows (a CSV file) as new records, each
//! built and validated as `casework new` would, with the next free IDs or
//! the rows' own. The whole file is judged before anything is written:
//! nothing is written unless every row is valid, or the caller chose to
//! leave the invalid ones out.

use super::Transaction;
use super::value::{Assignment, apply, emit_field};
use crate::check;
use crate::config::Kind;
use crate::context::Context;
use crate::diag::Severity;
use crate::files;
use crate::record::cells::{self, Shape};
use crate::record::{self, Entry, RecordFile};
use crate::schema::{self, KindSchema};
use crate::workflow::{self, Change};
use anyhow::{Result, bail};
use chrono::{Datelike, NaiveTime, SecondsFormat};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The largest file casework imports: a tracker is a few MB; a file this
/// size is a mistake (or an attack), refused before it is read.
pub const MAX_IMPORT_SIZE: u64 = 100 * 1024 * 1024;

/// What to import, and how to read it.
pub struct Request<'a> {
    pub kind: &'a Kind,
    /// The file to read.
    pub file: &'a Path,
    /// What `imported.from` records: the file's name as given.
    pub from: String,
    /// `--map COLUMN=FIELD`: the fields a column fills (none: left out).
    /// A column named here is not matched by its name.
    pub maps: Vec<(String, Option<String>)>,
    /// `--state WORD=STATE`: the tracker's word for a state.
    pub states: Vec<(String, String)>,
    /// `--set FIELD=VALUE`: a value for every row that has none.
    pub defaults: Vec<Assignment>,
    /// Keep each row's own ID when it is one of the kind's.
    pub keep_ids: bool,
    /// The cell delimiter; `None`: the header line's most frequent of `,`, `;` and tab.
    pub delimiter: Option<u8>,
    /// The acting user: later states need the kind's archive role.
    pub user: Option<String>,
}

/// The records the file makes, and the rows it cannot.
#[derive(Debug, Default)]
pub struct Plan {
    pub records: Vec<Planned>,
    pub refused: Vec<RowError>,
    /// Rows read, blank ones not counted.
    pub rows: usize,
    /// The role some rows were refused for lacking (a later state).
    pub needs_role: Option<String>,
}

/// One record to create.
#[derive(Debug)]
pub struct Planned {
    /// The CSV line the row starts on.
    pub line: u64,
    pub id: String,
    pub path: String,
    pub status: String,
    /// `related` cases that do not exist (yet): kinds that link to each
    /// other are imported one after the other, so this is no refusal.
    pub dangling: Vec<String>,
    text: String,
}

/// Why a row cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    /// The column the fault is in, when one is.
    pub column: Option<String>,
    pub message: String,
    /// Refused for want of the kind's archive role.
    pub role: bool,
}

/// A header that cannot be imported, with every reason (one a line).
#[derive(Debug, thiserror::Error)]
#[error("{file}:1: the header cannot be imported: {}", problems.join("; "))]
pub struct HeaderError {
    pub file: String,
    pub problems: Vec<String>,
}

impl RowError {
    /// A fault of line `line` (in `column`, when one), not of the role.
    fn new(line: u64, column: Option<&str>, message: String) -> RowError {
        RowError {
            line,
            column: column.map(str::to_string),
            message,
            role: false,
        }
    }
}

/// Where a column's cells go.
#[derive(Debug, Clone)]
enum Target {
    Id,
    Kind,
    Title,
    Status,
    Body,
    Field(Vec<String>, Shape),
}

struct Column {
    name: String,
    targets: Vec<Target>,
}

/// Read the file and plan every record of it. An error is a fault of the
/// file as a whole (unreadable, not CSV, a header that cannot be mapped):
/// no row is judged then.
pub fn plan(ctx: &Context, req: &Request) -> Result<Plan> {
    let kind = req.kind;
    let Some(KindSchema::Ready { schema, .. }) = ctx.schemas.get(&kind.name) else {
        bail!(
            "the schema of kind `{}` cannot be used: run `casework check` to see why",
            kind.name
        );
    };
    let shown = req.file.display();
    let bytes = match files::read_regular(req.file, MAX_IMPORT_SIZE) {
        Ok(b) => b,
        Err(files::ReadError::TooLarge { size, .. }) => bail!(
            "{shown} is {size} bytes, more than the {} MiB casework imports at once: split it into smaller files",
            MAX_IMPORT_SIZE / (1024 * 1024)
        ),
        Err(files::ReadError::NotAFile) => bail!("{shown} is not a regular file"),
        Err(e) => bail!("cannot read {shown}: {e}"),
    };
    // Spreadsheets save UTF-8 with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let delimiter = req.delimiter.unwrap_or_else(|| sniff(bytes));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows: Vec<(u64, csv::ByteRecord)> = Vec::new();
    // Lines counted here: after a CRLF the csv crate's record position
    // still stands before the LF, one line short of where the row starts.
    let (mut counted_to, mut line) = (0usize, 1u64);
    for r in reader.byte_records() {
        let r = r.map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
        let mut start = r.position().map_or(0, |p| p.byte() as usize).min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > counted_to {
            line += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count() as u64;
            counted_to = start;
        }
        rows.push((line, r));
    }
    if rows.is_empty() {
        bail!("{shown} is empty: the first line must name the columns");
    }
    let (_, head) = rows.remove(0);
    let mut names = Vec::new();
    for (i, cell) in head.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(cell) else {
            bail!(
                "{shown}:1: the name of column {} is not UTF-8 text: save the file as UTF-8",
                i + 1
            );
        };
        names.push(name.trim().to_string());
    }
    let columns = map_columns(req, schema, &names, &rows, &shown.to_string())?;

    let now = ctx.now;
    let cal = &ctx.config.calendar;
    let midnight = |d: chrono::NaiveDate| {
        cal.at_local(d, NaiveTime::MIN)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    };
    let now_text = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut plan = Plan::default();
    let mut built: Vec<Built> = Vec::new();
    for (line, row) in &rows {
        if row.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        plan.rows += 1;
        match build_row(req, &columns, *line, row, &midnight, &now_text) {
            Ok(b) => built.push(b),
            Err(errors) => plan.refused.extend(errors),
        }
    }

    // IDs: kept ones first, so that given ones go above them.
    let config = &ctx.config;
    let disposed = record::disposed_ids(config);
    let mut kept: HashMap<String, u64> = HashMap::new();
    let mut highest: BTreeMap<i32, u64> = BTreeMap::new();
    let mut taken = HashSet::new();
    for (i, b) in built.iter().enumerate() {
        let Some(id) = &b.id else { continue };
        let err = |message: String| RowError::new(b.line, b.id_column.as_deref(), message);
        let exists = config.root.join(&kind.dir).join(format!("{id}.md")).exists() || disposed.contains(id);
        if let Some(first) = kept.get(id) {
            plan.refused.push(err(format!("{id} is the ID of line {first} too")));
        } else if exists {
            plan.refused.push(err(format!(
                "{id} is taken: a {} with this ID exists or was disposed of",
                kind.name
            )));
        } else if let Some((year, seq)) = kind.parse_id(id) {
            kept.insert(id.clone(), b.line);
            let h = highest.entry(year).or_default();
            *h = (*h).max(seq);
            continue;
        }
        taken.insert(i);
    }
    let mut next: BTreeMap<i32, u64> = BTreeMap::new();
    let mut planned: Vec<(String, Built)> = Vec::new();
    for (i, mut b) in built.into_iter().enumerate() {
        if taken.contains(&i) {
            continue;
        }
        let id = match b.id.take() {
            Some(id) => id,
            None => {
                let year = b
                    .data
                    .get("opened")
                    .and_then(|v| cal.time_of(v))
                    .map_or_else(|| cal.local_date(now).year(), |t| cal.local_date(t).year());
                let seq = match next.get(&year) {
                    Some(&s) => s + 1,
                    None => {
                        // Free on every branch too, as `new` takes it.
                        let branches =
                            crate::history::at::highest_sequence_on_branches(config, kind, year).unwrap_or(0);
                        let here =
                            record::next_sequence_above(config, kind, year, branches).map_or(u64::MAX, |s| s - 1);
                        here.max(highest.get(&year).copied().unwrap_or(0)) + 1
                    }
                };
                if !kind.is_valid_sequence(seq) {
                    plan.refused.push(RowError::new(
                        b.line,
                        None,
                        format!("no {} ID is left for {year}", kind.name),
                    ));
                    continue;
                }
                next.insert(year, seq);
                kind.format_id(year, seq)
            }
        };
        b.data.insert("id".into(), Value::String(id.clone()));
        planned.push((id, b));
    }

    // The fields in the schema's order, as a person would write them; the marker last.
    let rank: HashMap<String, usize> = schema::field_paths(schema)
        .into_iter()
        .filter(|f| !f.contains('.'))
        .enumerate()
        .map(|(i, f)| (f, i))
        .collect();
    for (_, b) in &mut planned {
        let key = |k: &str| (k == "imported", rank.get(k).copied().unwrap_or(usize::MAX));
        let mut fields: Vec<(String, Value)> = std::mem::take(&mut b.data).into_iter().collect();
        fields.sort_by_key(|(k, _)| key(k));
        b.data = fields.into_iter().collect();
    }
    // Judge each record as `new` and `check --since` would, in parallel.
    let ids: HashSet<&str> = planned.iter().map(|(id, _)| id.as_str()).collect();
    let user = req.user.as_deref().unwrap_or_default();
    let judged: Vec<Result<Planned, Vec<RowError>>> = planned
        .par_iter()
        .map(|(id, b)| judge(ctx, kind, id, b, &ids, user))
        .collect();
    for j in judged {
        match j {
            Ok(p) => plan.records.push(p),
            Err(e) => plan.refused.extend(e),
        }
    }
    if plan.refused.iter().any(|e| e.role) {
        plan.needs_role = Some(kind.archive_role.clone());
    }
    plan.records.sort_by_key(|p| p.line);
    plan.refused.sort_by_key(|e| e.line);
    Ok(plan)
}

/// Create every planned record as part of `tx`.
pub fn write(tx: &mut Transaction, plan: &Plan) -> Result<()> {
    tx.create_all(plan.records.iter().map(|p| (p.path.as_str(), p.text.as_bytes())))
}

/// The delimiter of the header line: the most frequent of `,`, `;` and a
/// tab outside quotes (`,` when none is there).
fn sniff(bytes: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in bytes.iter().take_while(|&&b| b != b'\n') {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
            c.1 += 1;
        }
    }
    // The first of the most frequent: `,` wins a tie.
    counts
        .iter()
        .fold((b',', 0), |best, &(d, n)| if n > best.1 { (d, n) } else { best })
        .0
}

/// A header as a field name might be written: lower case, every run of
/// other characters one `_` (`Assigned to` -> `assigned_to`).
fn normal(name: &str) -> String {
    let mut out = String::new();
    for seg in name.split('.') {
        if !out.is_empty() {
            out.push('.');
        }
        let words: Vec<String> = seg
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        out.push_str(&words.join("_"));
    }
    out
}

/// Where every column goes: `--map` first, else the field its name is.
/// Refuses, before any row is read, a header that names no field, two
/// columns of one name, and a `--map` of a column or field that is none.
fn map_columns(
    req: &Request,
    schema: &Value,
    names: &[String],
    rows: &[(u64, csv::ByteRecord)],
    shown: &str,
) -> Result<Vec<Column>> {
    let kind = req.kind;
    let fields = schema::field_paths(schema);
    let by_normal: HashMap<String, &String> = fields.iter().map(|f| (normal(f), f)).collect();
    let empty = Value::Object(Map::new());
    let target = |field: &str| -> Result<Target, String> {
        Ok(match field {
            "id" => Target::Id,
            "kind" => Target::Kind,
            "title" => Target::Title,
            "status" => Target::Status,
            cells::BODY => Target::Body,
            _ => {
                let path: Vec<String> = field.split('.').map(str::to_string).collect();
                if !fields.iter().any(|f| f == field) && !schema::is_field(schema, &empty, &path) {
                    return Err(match schema::suggest(field, &fields) {
                        Some(s) => format!("`{field}` is not a field of kind `{}`; did you mean `{s}`?", kind.name),
                        None => format!(
                            "`{field}` is not a field of kind `{}` (see `casework schema {}`)",
                            kind.name, kind.name
                        ),
                    });
                }
                let shape = Shape::of(&schema::nodes_at(schema, &empty, &path));
                Target::Field(path, shape)
            }
        })
    };
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = seen.insert(name.to_lowercase(), i) {
            problems.push(format!(
                "columns {} and {} are both named `{name}`: rename one",
                first + 1,
                i + 1
            ));
        }
    }
    for (column, _) in &req.maps {
        if !names.iter().any(|n| n == column.trim()) {
            problems.push(format!(
                "--map {column}=...: the file has no column `{column}` (its columns: {})",
                names.join(", ")
            ));
        }
    }
    let mut columns = Vec::new();
    let mut unknown = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let mapped: Vec<&Option<String>> = req
            .maps
            .iter()
            .filter(|(c, _)| c.trim() == name)
            .map(|(_, f)| f)
            .collect();
        let mut targets = Vec::new();
        if !mapped.is_empty() {
            for field in mapped.into_iter().flatten() {
                match target(field) {
                    Ok(t) => targets.push(t),
                    Err(e) => problems.push(format!("--map {name}={field}: {e}")),
                }
            }
        } else if name.is_empty() {
            // A spreadsheet's trailing empty columns have no name.
            let used = rows
                .iter()
                .any(|(_, r)| r.get(i).is_some_and(|c| !c.trim_ascii().is_empty()));
            if used {
                problems.push(format!(
                    "column {} has no name but holds values: name it, or map it with --map",
                    i + 1
                ));
            }
        } else if let Some(field) = fields
            .iter()
            .find(|f| *f == name)
            .or_else(|| by_normal.get(&normal(name)).copied())
            .map(String::as_str)
            .or((normal(name) == cells::BODY).then_some(cells::BODY))
        {
            targets.push(target(field).map_err(anyhow::Error::msg)?);
        } else {
            unknown.push(name.clone());
        }
        columns.push(Column {
            name: name.clone(),
            targets,
        });
    }
    for name in &unknown {
        let n = normal(name);
        // `Resolution/Comments` is most likely `resolution`.
        let word = || {
            fields
                .iter()
                .find(|f| !f.contains('.') && n.split('_').any(|w| w == f.as_str()))
                .cloned()
        };
        let hint = schema::suggest(&n, &fields)
            .or_else(word)
            .map(|s| format!(" (perhaps --map \"{name}={s}\")"))
            .unwrap_or_default();
        problems.push(format!(
            "column `{name}` names no field of kind `{}`: map it with --map \"{name}=FIELD\"{hint}, or leave it out with --map \"{name}=\"",
            kind.name
        ));
    }
    if !problems.is_empty() {
        return Err(HeaderError {
            file: shown.to_string(),
            problems,
        }
        .into());
    }
    Ok(columns)
}

/// A row's record before its ID is settled.
struct Built {
    line: u64,
    /// The row's own ID, kept (`--keep-ids`); `None`: the next free one.
    id: Option<String>,
    id_column: Option<String>,
    /// Whether the ID is the row's own: only then do messages name it.
    own_id: bool,
    data: Map<String, Value>,
    body: Option<String>,
}

/// The front-matter a row gives, or every fault of it.
fn build_row(
    req: &Request,
    columns: &[Column],
    line: u64,
    row: &csv::ByteRecord,
    midnight: &dyn Fn(chrono::NaiveDate) -> String,
    now: &str,
) -> Result<Built, Vec<RowError>> {
    let kind = req.kind;
    let mut errors = Vec::new();
    let err = |column: &str, message: String| RowError::new(line, Some(column), message);
    if row.len() != columns.len() {
        return Err(vec![RowError::new(
            line,
            None,
            format!(
                "has {} cells where the header has {} columns (a cell holding the delimiter or a line break must be quoted)",
                row.len(),
                columns.len()
            ),
        )]);
    }
    let mut data = Map::new();
    let mut built = Built {
        line,
        id: None,
        id_column: None,
        own_id: false,
        data: Map::new(),
        body: None,
    };
    let mut tracker_id = None;
    let mut status = None;
    let mut title = None;
    for (col, bytes) in columns.iter().zip(row.iter()) {
        let cell = match std::str::from_utf8(bytes) {
            Ok(c) => c,
            Err(e) => {
                let at = e.valid_up_to();
                errors.push(err(
                    &col.name,
                    format!(
                        "is not UTF-8 text (byte 0x{:02X} after `{}`): save the file as UTF-8",
                        bytes[at],
                        String::from_utf8_lossy(&bytes[at.saturating_sub(20)..at])
                    ),
                ));
                continue;
            }
        };
        for t in &col.targets {
            match t {
                Target::Body => built.body = Some(cell.to_string()),
                _ if cell.trim().is_empty() => {}
                Target::Id => {
                    // A table copied out of a document: `FF- 2024- 015`.
                    let id: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
                    if !req.keep_ids {
                        tracker_id = Some(cell.trim().to_string());
                    } else if kind.parse_id(&id).is_some() {
                        built.id = Some(id);
                        built.own_id = true;
                        built.id_column = Some(col.name.clone());
                    } else {
                        errors.push(err(
                            &col.name,
                            format!(
                                "`{}` is not a {} ID (like {}): leave --keep-ids out to give the rows new IDs",
                                cell.trim(),
                                kind.name,
                                kind.example_id()
                            ),
                        ));
                    }
                }
                Target::Kind => {
                    if cell.trim() != kind.name {
                        errors.push(err(
                            &col.name,
                            format!("the row is of kind `{}`, not `{}`", cell.trim(), kind.name),
                        ));
                    }
                }
                Target::Title => title = cell.trim().lines().next().map(str::trim).map(str::to_string),
                Target::Status => match state_of(req, cell.trim()) {
                    Some(s) => status = Some(s),
                    None => errors.push(err(
                        &col.name,
                        format!(
                            "`{}` is no state of a {} ({}): map it with --state \"{}=STATE\"",
                            cell.trim(),
                            kind.name,
                            kind.states.join(", "),
                            cell.trim()
                        ),
                    )),
                },
                Target::Field(path, shape) => match cells::read_cell(cell, shape, midnight) {
                    Ok(Some(value)) => {
                        let a = Assignment {
                            path: path.clone(),
                            append: false,
                            value,
                        };
                        if let Err(e) = apply(&mut data, &a) {
                            errors.push(err(&col.name, e.to_string()));
                        }
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(err(&col.name, e)),
                },
            }
        }
    }
    for a in &req.defaults {
        if !has_path(&data, &a.path)
            && let Err(e) = apply(&mut data, a)
        {
            errors.push(RowError::new(line, None, format!("--set {}: {e}", a.path.join("."))));
        }
    }
    let Some(title) = title.or_else(|| data.get("title").and_then(Value::as_str).map(str::to_string)) else {
        errors.push(RowError::new(
            line,
            None,
            "has no title: map a column to it with --map COLUMN=title".into(),
        ));
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let status = status.unwrap_or_else(|| kind.first_state().to_string());
    // The fixed fields first, as `new` writes them.
    let mut front = Map::new();
    front.insert("id".into(), Value::Null);
    front.insert("kind".into(), Value::String(kind.name.clone()));
    front.insert("title".into(), Value::String(title));
    front.insert("status".into(), Value::String(status));
    if !data.contains_key("opened") {
        front.insert("opened".into(), Value::String(now.to_string()));
    }
    for (k, v) in data {
        if !matches!(k.as_str(), "id" | "kind" | "title" | "status") {
            front.insert(k, v);
        }
    }
    let mut imported = Map::new();
    imported.insert("from".into(), Value::String(req.from.clone()));
    imported.insert("at".into(), Value::String(now.to_string()));
    if let Some(r) = tracker_id {
        imported.insert("ref".into(), Value::String(r));
    }
    front.insert("imported".into(), Value::Object(imported));
    built.data = front;
    Ok(built)
}

/// Whether `data` has a value at `path` (a mapping's keys on the way).
fn has_path(data: &Map<String, Value>, path: &[String]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let mut at = data.get(first);
    for key in rest {
        at = at.and_then(|v| v.get(key));
    }
    at.is_some()
}

/// The state a tracker's word names: `--state` first, then the kind's
/// state of that name (`In Progress` -> `in_progress`); empty: the first.
fn state_of(req: &Request, word: &str) -> Option<String> {
    if word.is_empty() {
        return Some(req.kind.first_state().to_string());
    }
    if let Some((_, s)) = req.states.iter().find(|(w, _)| w.eq_ignore_ascii_case(word)) {
        return Some(s.clone());
    }
    let n = normal(word);
    req.kind.states.iter().find(|s| normal(s) == n).cloned()
}

/// The record a row makes, judged as `new` and the lifecycle check judge
/// a new record.
fn judge(
    ctx: &Context,
    kind: &Kind,
    id: &str,
    b: &Built,
    ids: &HashSet<&str>,
    user: &str,
) -> Result<Planned, Vec<RowError>> {
    let data = &b.data;
    let mut text = String::from("---\n");
    for (k, v) in data {
        emit_field(&mut text, 0, k, v);
    }
    text.push_str("---\n");
    match &b.body {
        Some(body) => text.push_str(body),
        None => text.push_str("## Summary\n\n"),
    }
    let rel = format!("{}/{id}.md", kind.dir);
    let err = |message: String| {
        let message = if message.starts_with(id) || !b.own_id {
            message
        } else {
            format!("{id}: {message}")
        };
        RowError::new(b.line, None, message)
    };
    let file = RecordFile {
        path: rel.clone(),
        abs: ctx.config.root.join(&rel),
        entry: Entry::File,
    };
    let rec = record::parse(file, text).map_err(|d| vec![err(d.message.clone())])?;
    let dangling: Vec<String> = record::missing_links(&ctx.config, &rec.data)
        .into_iter()
        .filter(|l| !ids.contains(l.as_str()))
        .collect();
    let mut errors: Vec<RowError> = Vec::new();
    errors.extend(
        check::check_record(ctx, &rec)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| err(d.message)),
    );
    let change = Change {
        kind,
        old: None,
        new: Some(&rec.data),
        old_dir: None,
        new_dir: Some(&kind.dir),
        author: user,
        at: ctx.now,
        disposed: false,
        renumbered: false,
    };
    for v in workflow::judge(&ctx.config, &change) {
        let mut e = err(v.message);
        e.role = v.code == crate::diag::Code::Role;
        errors.push(e);
    }
    for u in workflow::field_roles(&ctx.config, kind, &rec.data)
        .into_iter()
        .chain(workflow::time_guards(&ctx.config, kind, &rec.data, ctx.now))
    {
        errors.push(err(u.message));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Planned {
        line: b.line,
        id: id.to_string(),
        path: rel,
        status: rec.status().unwrap_or_default().to_string(),
        dangling,
        text: rec.text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_line_decides_the_delimiter_outside_quotes() {
        assert_eq!(sniff(b"ID;Date;Status\n1,2;3"), b';');
        assert_eq!(sniff(b"ID\tDate\n"), b'\t');
        assert_eq!(sniff(b"\"a;b;c\",d\n"), b',');
        assert_eq!(sniff(b"single\n"), b',');
    }

    #[test]
    fn headers_match_field_names_written_as_people_write_them() {
        assert_eq!(normal("Assigned to"), "assigned_to");
        assert_eq!(normal("Customer.Preferred Channel"), "customer.preferred_channel");
        assert_eq!(normal("Feedback/Follow-up"), "feedback_follow_up");
    }
}
