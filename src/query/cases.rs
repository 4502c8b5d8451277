//! The cases as the supervisors' questions read them. Every record is
//! loaded once, in parallel, in the record set's loading pass; what `list`,
//! `due`, `report`, `sample` and `lessons` (and the site) ask of a record is
//! taken out while it is whole, with its SLA clocks computed at `now`.
//! Each command is then a query over [`Cases`], with no loading of its own.

use crate::calendar::{self, Clock};
use crate::context::Context;
use crate::diag::{Code, Diagnostic};
use crate::history::HistoryError;
use crate::record::{self, DiscoverError, Entry, Record, RecordFile, RecordSet, get_path};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// One case, as the queries read it. Serialisable for the site's build
/// cache (without `text`, which only `list --grep` asks for).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Case {
    /// Root-relative path of the record file.
    pub path: String,
    pub id: String,
    pub kind: String,
    pub title: String,
    pub status: String,
    pub owner: Option<String>,
    pub opened: Option<DateTime<Utc>>,
    pub priority: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    /// Whether `status` is one of the kind's closed states.
    pub closed: bool,
    /// The time in the kind's closure field ([`Kind::closure_field`]),
    /// whatever the state.
    ///
    /// [`Kind::closure_field`]: crate::config::Kind::closure_field
    pub closed_at: Option<DateTime<Utc>>,
    /// `archive.archived_at`.
    pub archived_at: Option<DateTime<Utc>>,
    /// `archive.retain_until`: the last day the record must be kept.
    pub retain_until: Option<chrono::NaiveDate>,
    /// Every front-matter field as JSON text, as `serde_json`'s pretty
    /// printer writes it: a fraction of the parsed value's memory, read back
    /// only for the few cases a query looks into, and what `list --format
    /// json` prints as it is. Empty when the load did not ask for it
    /// ([`Load::fields`]).
    pub fields: String,
    /// Title and body, lower-cased, when the load asked for text search.
    #[serde(skip)]
    pub text: Option<String>,
    /// The Markdown body as written, when the load asked for it (the site).
    pub body: Option<String>,
    /// The SLA clocks running at `now` (for a closed case, only those that
    /// run in a closed state).
    pub clocks: Vec<Clock>,
    /// Waits for the customer that are over at `now` (a request resolved
    /// past its non-response period): name and when each ended.
    pub waits: Vec<(String, DateTime<Utc>)>,
    /// The handler's reminders due by the end of the look-ahead, or passed
    /// (none for a closed case): field and time ([`super::due::reminders`]).
    #[serde(default)]
    pub reminders: Vec<(String, DateTime<Utc>)>,
    /// The lessons learned, dated (`casework lessons`); empty for most.
    pub lessons: Vec<super::lessons::Lesson>,
    /// What `casework report` reads, when the load asked for it ([`Load::report`]).
    pub report: Option<Box<super::report::Facts>>,
    /// The git blob ID of the file's bytes ([`Load::blobs`]; also for a
    /// closed case without its closure time when the report's facts are
    /// taken): a history walk need not read that version from git.
    #[serde(with = "oid_text")]
    pub blob: Option<git2::Oid>,
}

/// A git object ID as its hex text.
mod oid_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(oid: &Option<git2::Oid>, s: S) -> Result<S::Ok, S::Error> {
        match oid {
            Some(o) => s.serialize_some(&o.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<git2::Oid>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        Ok(text.and_then(|t| git2::Oid::from_str(&t).ok()))
    }
}

impl Case {
    /// The front-matter, parsed again from [`Case::fields`].
    pub fn data(&self) -> Value {
        serde_json::from_str(&self.fields).unwrap_or(Value::Null)
    }

    /// Judge the SLA clocks and the waits again at `ctx.now`, from
    /// [`Case::fields`]: a case kept from an earlier run, at another time.
    /// One without its fields (a closed case without clocks) keeps what it had.
    pub fn judge_clocks_again(&mut self, ctx: &Context, soon: u32) {
        let Some(kind) = ctx.config.kinds.get(&self.kind) else {
            return;
        };
        if self.fields.is_empty() {
            return;
        }
        let data = self.data();
        self.clocks = calendar::clocks(kind, &ctx.config.calendar, &data, ctx.now, soon);
        if !self.closed {
            self.waits = super::due::waits_over(&ctx.config, kind, &self.status, &data, ctx.now);
            self.reminders = super::due::reminders(&ctx.config, &data, ctx.now, soon);
        }
    }
}

/// What to take from each record beyond the fields every query reads.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Keep title and body for `--grep`.
    pub text: bool,
    /// Look-ahead of "due soon", in business days.
    pub soon: u32,
    /// Keep the whole front-matter ([`Case::fields`]): `list` prints it or
    /// sorts by a field of it; the other queries need none of it, and
    /// 100,000 records' fields are a few hundred MB.
    pub fields: bool,
    /// Take out the report's facts ([`Case::report`]).
    pub report: bool,
    /// Keep the Markdown body ([`Case::body`]).
    pub body: bool,
    /// Hash every file's bytes as git would ([`Case::blob`]).
    pub blobs: bool,
}

impl Default for Load {
    fn default() -> Self {
        Load {
            text: false,
            soon: 2,
            fields: false,
            report: false,
            body: false,
            blobs: false,
        }
    }
}

/// Every case of the working tree, and the record files that are none.
#[derive(Debug, Default)]
pub struct Cases {
    /// In path order.
    pub cases: Vec<Case>,
    /// Why a record file was left out (unreadable, invalid front-matter,
    /// no ID, an unknown kind): said on stderr, counted in the output.
    pub skipped: Vec<Diagnostic>,
}

/// Load every record once and take out what the queries read.
pub fn load(ctx: &Context, opts: Load) -> Result<Cases, DiscoverError> {
    Ok(load_files(ctx, record::discover(&ctx.config)?, opts))
}

/// [`load`] of the record files `files` (as [`record::discover`] finds them).
pub fn load_files(ctx: &Context, files: Vec<RecordFile>, opts: Load) -> Cases {
    let (_, results) = RecordSet::load_with(&ctx.config, files, |loaded| match loaded {
        Ok(rec) => case_of(ctx, rec, opts),
        Err(d) => Err(d.clone()),
    });
    collect(results)
}

/// Every case as it was at commit `rev` (its tree, read through git; no
/// checkout).
pub fn load_at(ctx: &Context, rev: &str, opts: Load) -> Result<Cases, HistoryError> {
    let results = crate::history::at::map_records(&ctx.config, rev, |path, bytes| {
        let file = RecordFile {
            abs: ctx.config.root.join(&path),
            path,
            entry: Entry::File,
        };
        let Some(bytes) = bytes else {
            return Err(Box::new(Diagnostic::error(
                Code::TooLarge,
                &file.path,
                format!("larger than records.max_file_size at {rev}: not read"),
            )));
        };
        let text = record::decode(bytes).map_err(|(pos, msg)| {
            Box::new(Diagnostic::error(Code::Encoding, &file.path, msg).at(crate::diag::Span { start: pos, end: pos }))
        })?;
        let rec = record::parse(file, text)?;
        case_of(ctx, &rec, opts)
    })?;
    Ok(collect(results))
}

fn collect(results: Vec<Result<Case, Box<Diagnostic>>>) -> Cases {
    let mut out = Cases::default();
    for r in results {
        match r {
            Ok(case) => out.cases.push(case),
            Err(d) => out.skipped.push(*d),
        }
    }
    out.cases.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The case a record is, or why it is none.
fn case_of(ctx: &Context, rec: &Record, opts: Load) -> Result<Case, Box<Diagnostic>> {
    let text = |k: &str| rec.data.get(k).and_then(Value::as_str).map(str::to_string);
    let skip = |why: String| Box::new(Diagnostic::warning(crate::diag::Code::FrontMatter, &rec.file.path, why));
    let id = text("id").ok_or_else(|| skip("no `id`: left out".into()))?;
    let kind_name = text("kind")
        .or_else(|| {
            let dir = rec.file.path.rsplit_once('/').map_or("", |(d, _)| d);
            ctx.config.kind_for_dir(dir).map(|k| k.name.clone())
        })
        .ok_or_else(|| skip(format!("{id} has no `kind`: left out")))?;
    let kind = ctx.config.kinds.get(&kind_name).ok_or_else(|| {
        skip(format!(
            "{id} is of kind `{kind_name}`, which casework.toml does not define: left out"
        ))
    })?;
    let status = text("status").unwrap_or_default();
    let closed = kind.is_closed(&status);
    // A closed case has only the clocks that run in a closed state (the
    // survey invitation after a complaint's closure).
    let clocks = calendar::clocks(kind, &ctx.config.calendar, &rec.data, ctx.now, opts.soon);
    let tags = match rec.data.get("tags") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let title = text("title").unwrap_or_default();
    let cal = &ctx.config.calendar;
    let time = |field: &str| get_path(&rec.data, field).and_then(|v| cal.time_of(v));
    let opened = time("opened");
    let closed_at = kind.closure_field().and_then(time);
    Ok(Case {
        closed_at,
        archived_at: time("archive.archived_at"),
        retain_until: get_path(&rec.data, "archive.retain_until")
            .and_then(Value::as_str)
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()),
        report: opts
            .report
            .then(|| Box::new(super::report::facts_of(cal, kind, &rec.data))),
        // A closed case without its closure time is dated from history,
        // where the version the working tree has then needs no reading.
        blob: (opts.blobs || (opts.report && closed && closed_at.is_none()))
            .then(|| git2::Oid::hash_object(git2::ObjectType::Blob, rec.text.as_bytes()).ok())
            .flatten(),
        path: rec.file.path.clone(),
        lessons: super::lessons::lessons_of(cal, kind, &rec.data, opened),
        opened,
        owner: text("owner"),
        priority: text("priority"),
        category: text("category"),
        tags,
        closed,
        fields: if opts.fields {
            serde_json::to_string_pretty(&rec.data).unwrap_or_default()
        } else {
            String::new()
        },
        waits: if closed {
            Vec::new()
        } else {
            super::due::waits_over(&ctx.config, kind, &status, &rec.data, ctx.now)
        },
        reminders: if closed {
            Vec::new()
        } else {
            super::due::reminders(&ctx.config, &rec.data, ctx.now, opts.soon)
        },
        text: opts.text.then(|| format!("{title}\n{}", rec.body()).to_lowercase()),
        body: opts.body.then(|| rec.body().to_string()),
        clocks,
        id,
        kind: kind_name,
        title,
        status,
    })
}
