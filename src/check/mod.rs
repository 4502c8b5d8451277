//! Validate the records of the working tree: each file alone (in parallel),
//! then across files (duplicate IDs, related links).

pub mod audit;
pub mod select;

use crate::calendar::{ClockState, clocks};
use crate::config::Kind;
use crate::diag::PosMap;
use crate::diag::{Code, Diagnostic, Report};
use crate::record::{self, Record, RecordFile, RecordSet, SetRecord, set::path_of};
use crate::schema::{self, KindSchema};
use crate::workflow;
use chrono::Datelike;
use std::collections::{BTreeMap, HashSet};

use crate::context::Context;
pub use select::{SelectError, Selection, select};

/// Load and check every record file, reporting findings only for `only`
/// when given (links and duplicates are still judged against every
/// record). Each record is judged alone in the loading pass, while its
/// data is parsed; then the set is judged across files.
pub fn run(ctx: &Context, files: Vec<RecordFile>, only: Option<&HashSet<String>>) -> (Report, RecordSet) {
    let wanted = |path: &str| only.is_none_or(|o| o.contains(path));
    let (set, results) = RecordSet::load_with(&ctx.config, files, |loaded| match loaded {
        Err(d) if wanted(&d.file) => vec![(**d).clone()],
        Ok(rec) if wanted(&rec.file.path) => check_record(ctx, rec),
        _ => Vec::new(),
    });
    let mut report = Report {
        files: set
            .entries()
            .iter()
            .map(path_of)
            .filter(|p| wanted(p))
            .map(str::to_string)
            .collect(),
        ..Report::default()
    };
    report.records = report.files.len();
    report.diagnostics.extend(results.into_iter().flatten());
    report.diagnostics.extend(cross_file(ctx, &set, &wanted));
    // Audit files (`casework sample --write`) are judged with the records
    // they name; a selection of paths (`check PATH...`) leaves them out.
    if only.is_none() {
        report.diagnostics.extend(audit::check_audits(ctx, &set, &wanted));
    }
    report.sort();
    (report, set)
}

/// Findings of one record on its own.
pub fn check_record(ctx: &Context, rec: &Record) -> Vec<Diagnostic> {
    let mut positions: Option<PosMap> = None;
    let mut out = Vec::new();
    let mut schema_findings = Vec::new();
    let path = rec.file.path.clone();
    let id = rec.id().map(str::to_string);
    let mut emit = |positions: &mut Option<PosMap>, severity, code, pointer: &str, key: bool, message: String| {
        let map = positions.get_or_insert_with(|| rec.positions());
        let span = crate::diag::locate(map, pointer, key);
        out.push(
            Diagnostic::new(severity, code, path.clone(), message)
                .at(span)
                .record(id.clone()),
        );
    };
    use crate::diag::Severity::{Error, Warning};

    let folder = rec.file.path.rsplit_once('/').map_or("", |(d, _)| d);
    let folder_kind = ctx.config.kind_for_dir(folder);
    let kind: Option<&Kind> = match rec.kind() {
        Some(name) => match ctx.config.kinds.get(name) {
            Some(k) => Some(k),
            None => {
                let known: Vec<&str> = ctx.config.kinds.keys().map(String::as_str).collect();
                emit(
                    &mut positions,
                    Error,
                    Code::UnknownKind,
                    "/kind",
                    false,
                    format!(
                        "kind `{name}` is not configured in casework.toml (kinds: {})",
                        known.join(", ")
                    ),
                );
                return out;
            }
        },
        None => folder_kind,
    };
    let Some(kind) = kind else {
        emit(
            &mut positions,
            Error,
            Code::Schema,
            "",
            false,
            "missing field `kind`, and the file is not in a kind's folder".into(),
        );
        return out;
    };
    if folder != kind.dir {
        emit(
            &mut positions,
            Error,
            Code::FileName,
            "/kind",
            false,
            format!(
                "a `{}` record belongs in `{}/`, not in `{folder}/`",
                kind.name, kind.dir
            ),
        );
    }

    let status = rec.status();
    if let Some(s) = status
        && !kind.has_state(s)
    {
        let hint = kind
            .states
            .iter()
            .find(|k| strsim::damerau_levenshtein(s, k) <= 2)
            .map(|k| format!("; did you mean `{k}`?"))
            .unwrap_or_default();
        emit(
            &mut positions,
            Error,
            Code::UnknownStatus,
            "/status",
            false,
            format!(
                "status `{s}` is not a state of kind `{}` (states: {}){hint}",
                kind.name,
                kind.states.join(", ")
            ),
        );
    }

    match ctx.schemas.get(&kind.name) {
        Some(KindSchema::Ready { schema, validator }) => {
            schema_findings = schema::check(rec, schema, validator, &mut positions)
        }
        Some(KindSchema::Broken(msg)) => emit(&mut positions, Error, Code::Config, "/kind", false, msg.clone()),
        None => {}
    }

    if let Some(idv) = rec.id() {
        match kind.parse_id(idv) {
            None => {
                emit(
                    &mut positions,
                    Error,
                    Code::IdFormat,
                    "/id",
                    false,
                    // All digits, but past what a u64 or MAX_SEQUENCE holds.
                    if idv.rsplit('-').next().is_some_and(|seq| {
                        !seq.is_empty()
                            && seq.bytes().all(|b| b.is_ascii_digit())
                            && seq.parse::<u64>().map_or(true, |n| n > crate::config::MAX_SEQUENCE)
                    }) {
                        format!(
                            "id {idv:?} has a sequence number above {}, the highest a case ID may carry",
                            crate::config::MAX_SEQUENCE
                        )
                    } else {
                        format!(
                            "id {idv:?} does not follow the format of kind `{}`: {}-YEAR-{} (e.g. {})",
                            kind.name,
                            kind.prefix,
                            "N".repeat(kind.digits),
                            kind.example_id()
                        )
                    },
                )
            }
            Some((year, _)) => {
                if let Some(opened) = rec.data.get("opened").and_then(|v| ctx.config.calendar.time_of(v)) {
                    let oy = ctx.config.calendar.local_date(opened).year();
                    if oy != year && opened.year() != year {
                        emit(
                            &mut positions,
                            Error,
                            Code::IdFormat,
                            "/id",
                            false,
                            format!("id {idv} carries the year {year}, but the case was opened in {oy}"),
                        );
                    }
                }
                // `.MD` is found like `.md`, and asked to be renamed like any other mismatch.
                let name = rec.file.path.rsplit('/').next().unwrap_or_default();
                if name.strip_suffix(".md") != Some(idv) {
                    emit(
                        &mut positions,
                        Error,
                        Code::FileName,
                        "/id",
                        false,
                        format!("the file name `{name}` does not match the id: rename the file to `{idv}.md`"),
                    );
                }
            }
        }
    }

    for u in workflow::field_roles(&ctx.config, kind, &rec.data)
        .into_iter()
        .chain(workflow::time_guards(&ctx.config, kind, &rec.data, ctx.now))
    {
        emit(
            &mut positions,
            Error,
            Code::Schema,
            &record::pointer(&u.field),
            false,
            u.message,
        );
    }

    for clock in clocks(kind, &ctx.config.calendar, &rec.data, ctx.now, 0) {
        if clock.state != ClockState::Breached {
            continue;
        }
        let due = ctx.config.calendar.display(clock.due_at);
        let message = match &clock.escalation {
            Some(field) => format!(
                "SLA `{}` was due {due} and is breached: escalate it and record `{field}`",
                clock.name
            ),
            None => format!("SLA `{}` was due {due} and is breached", clock.name),
        };
        emit(
            &mut positions,
            Warning,
            Code::Sla,
            &record::pointer(&clock.field),
            false,
            message,
        );
    }
    out.extend(schema_findings);
    out
}

/// A cross-file finding before its position is known: (pointer, code, message).
type Pending = (String, Code, String);

/// Duplicate IDs and links to cases that do not exist.
fn cross_file(ctx: &Context, set: &RecordSet, wanted: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    // IDs disposed of are gone on purpose: links to them are not broken.
    let mut out = Vec::new();
    let disposed = match record::read_register(&ctx.config) {
        Ok(text) => record::register_ids(&text),
        Err(e) => {
            out.push(Diagnostic::error(
                Code::Config,
                ctx.config.register.clone(),
                format!("the disposal register cannot be read: {e}"),
            ));
            Default::default()
        }
    };
    let mut found: BTreeMap<&str, (&SetRecord, Vec<Pending>)> = BTreeMap::new();
    for (id, recs) in set.ids().filter(|(_, r)| r.len() > 1) {
        for rec in &recs {
            let others: Vec<&str> = recs
                .iter()
                .filter(|o| o.file.path != rec.file.path)
                .map(|o| o.file.path.as_str())
                .collect();
            found.entry(&rec.file.path).or_insert((rec, Vec::new())).1.push((
                "/id".into(),
                Code::DuplicateId,
                format!(
                    "id {id} is also used by {}: give this record the next free ID with `casework renumber {id} --path {}`",
                    others.join(", "),
                    rec.file.path
                ),
            ));
        }
    }
    for rec in set.records() {
        for (i, target) in rec.related() {
            if !set.has_id(target) && !disposed.contains(target.as_str()) {
                found.entry(&rec.file.path).or_insert((rec, Vec::new())).1.push((
                    format!("/related/{i}"),
                    Code::BrokenLink,
                    format!("related case {target} does not exist"),
                ));
            }
        }
    }
    for (path, (rec, items)) in found {
        if !wanted(path) {
            continue;
        }
        // Rare: the file is read again for positions, rather than every
        // text kept (see `SetRecord`).
        let map = rec.positions(&ctx.config);
        let id = rec.id().map(str::to_string);
        for (pointer, code, message) in items {
            out.push(
                Diagnostic::error(code, path, message)
                    .at(crate::diag::locate(&map, &pointer, false))
                    .record(id.clone()),
            );
        }
    }
    out
}
