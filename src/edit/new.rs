//! `casework new`: a record with the next free ID, valid from the start.

use super::Transaction;
use super::value::{Assignment, apply, emit_field};
use crate::check;
use crate::config::Kind;
use crate::context::Context;
use crate::diag::{Code, Diagnostic, Severity};
use crate::record::{self, Entry, RecordFile};
use crate::schema::{self, KindSchema, Problem};
use anyhow::{Result, bail};
use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use serde_json::{Map, Value};

/// What to create.
pub struct NewRecord<'a> {
    pub kind: &'a Kind,
    pub title: String,
    pub owner: Option<String>,
    pub sets: Vec<Assignment>,
}

/// The outcome: written, or refused with the findings that would make it
/// invalid and what to do about them.
pub enum Created {
    Written { path: String, id: String },
    Refused { findings: Vec<Diagnostic>, advice: Advice },
}

/// What the schema's findings ask of the user, by kind of fault, so that
/// the refusal's hints fit the problem.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Advice {
    /// Dotted paths of required fields the record lacks (inside a missing
    /// mapping, the fields it needs).
    pub missing: Vec<String>,
    /// Fields whose value is not allowed, with the allowed values when the
    /// schema names them.
    pub invalid: Vec<(String, Option<String>)>,
    /// `--set` fields (or fields) the kind does not have, with the nearest
    /// field it has.
    pub unknown: Vec<(String, Option<String>)>,
}

/// Fields `new` writes itself and `--set` may not change.
const OWN_FIELDS: [&str; 4] = ["id", "kind", "status", "opened"];

/// Build, validate and write a new record as part of `tx`.
pub fn create(ctx: &Context, req: NewRecord, tx: &mut Transaction) -> Result<Created> {
    let config = &ctx.config;
    let kind = req.kind;
    if req.title.trim().is_empty() {
        bail!("--title must not be empty");
    }
    for a in &req.sets {
        if OWN_FIELDS.contains(&a.path[0].as_str()) {
            bail!(
                "`{}` is set by casework new itself and cannot be given with --set",
                a.path[0]
            );
        }
    }
    let year = config.calendar.local_date(ctx.now).year();
    // Free on every branch too, so two handlers who fetched each other's
    // work do not take the same ID (outside git: the working tree alone).
    let on_branches = crate::history::at::highest_sequence_on_branches(config, kind, year).unwrap_or(0);
    let mut seq = record::next_sequence_above(config, kind, year, on_branches).ok_or_else(|| exhausted(kind, year))?;
    loop {
        if !kind.is_valid_sequence(seq) {
            return Err(exhausted(kind, year));
        }
        let id = kind.format_id(year, seq);
        let text = render(kind, &id, &req, ctx.now)?;
        let rel = format!("{}/{id}.md", kind.dir);
        let abs = config.root.join(&rel);
        let file = RecordFile {
            path: rel.clone(),
            abs: abs.clone(),
            entry: Entry::File,
        };
        let rec = record::parse(file, text.clone())
            .map_err(|d| anyhow::anyhow!("internal error: new record does not parse: {}", d.message))?;
        let mut errors: Vec<Diagnostic> = record::missing_links(config, &rec.data)
            .into_iter()
            .map(|l| {
                Diagnostic::error(
                    Code::BrokenLink,
                    rel.clone(),
                    format!("related case {l} does not exist"),
                )
            })
            .collect();
        errors.extend(
            check::check_record(ctx, &rec)
                .into_iter()
                .filter(|d| d.severity == Severity::Error),
        );
        if !errors.is_empty() {
            let advice = advise(ctx, kind, &rec.data, &req.sets);
            return Ok(Created::Refused {
                findings: errors,
                advice,
            });
        }
        let target = super::write_target(&config.root, &abs)?;
        match tx.create(&rel, text.as_bytes()) {
            Ok(()) => return Ok(Created::Written { path: rel, id }),
            // Someone took this number meanwhile: take the next.
            Err(_) if target.exists() => seq += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Sort the schema's findings on `data` into [`Advice`]. A misspelt
/// `--set` path is answered whole: `custmer.name` -> `customer.name`.
fn advise(ctx: &Context, kind: &Kind, data: &Value, sets: &[Assignment]) -> Advice {
    let mut advice = Advice::default();
    let Some(KindSchema::Ready { schema, validator }) = ctx.schemas.get(&kind.name) else {
        return advice;
    };
    for v in schema::findings(data, schema, validator) {
        match v.problem {
            Problem::Missing { field, needs } if needs.is_empty() => advice.missing.push(field),
            Problem::Missing { needs, .. } => advice.missing.extend(needs),
            // A fault of the whole front-matter has no field to fix with --set.
            Problem::Invalid { field, .. } if field.is_empty() => {}
            Problem::Invalid { field, allowed } => advice.invalid.push((field, allowed)),
            Problem::Unknown { field, suggestion } => {
                let at: Vec<&str> = field.split('.').collect();
                let typed: Vec<&Assignment> = sets
                    .iter()
                    .filter(|a| a.path.len() >= at.len() && a.path.iter().zip(&at).all(|(p, f)| p == f))
                    .collect();
                for a in &typed {
                    let whole = suggestion.as_ref().map(|s| {
                        let mut path: Vec<String> = s.split('.').map(str::to_string).collect();
                        path.extend(a.path[at.len()..].iter().cloned());
                        if schema::is_field(schema, data, &path) {
                            path.join(".")
                        } else {
                            s.clone()
                        }
                    });
                    let entry = (a.path.join("."), whole);
                    if !advice.unknown.contains(&entry) {
                        advice.unknown.push(entry);
                    }
                }
                if typed.is_empty() {
                    advice.unknown.push((field, suggestion));
                }
            }
        }
    }
    advice.missing.dedup();
    advice
}

fn exhausted(kind: &Kind, year: i32) -> anyhow::Error {
    anyhow::anyhow!(
        "no {} ID is left for {year}: the sequence would pass {} (the highest a case ID may carry)",
        kind.name,
        crate::config::MAX_SEQUENCE
    )
}

/// The text of the new record: fixed fields first, then `--set` fields in order.
fn render(kind: &Kind, id: &str, req: &NewRecord, now: DateTime<Utc>) -> Result<String> {
    let mut data = Map::new();
    data.insert("id".into(), Value::String(id.into()));
    data.insert("kind".into(), Value::String(kind.name.clone()));
    data.insert("title".into(), Value::String(req.title.trim().into()));
    data.insert("status".into(), Value::String(kind.first_state().into()));
    data.insert(
        "opened".into(),
        Value::String(now.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    if let Some(owner) = &req.owner {
        data.insert("owner".into(), Value::String(owner.clone()));
    }
    for a in &req.sets {
        apply(&mut data, a)?;
    }
    let mut text = String::from("---\n");
    for (k, v) in &data {
        emit_field(&mut text, 0, k, v);
    }
    text.push_str("---\n## Summary\n\n");
    Ok(text)
}
