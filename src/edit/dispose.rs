//! `casework dispose`: the end of a record's retention. The record file
//! (and its attachments folder) is removed and one line is appended to the
//! disposal register, in one transaction, so `check --since` sees the
//! removal and the register entry in the same commit. The line holds the
//! dates and who disposed of it, never the case's content: procedure 003
//! keeps a register of what was disposed of, not of what it said.

use super::Transaction;
use crate::config::Kind;
use crate::context::Context;
use crate::record::{self, Record, get_path};
use anyhow::{Result, bail};
use chrono::SecondsFormat;
use serde_json::Value;

/// The register's columns, in order.
pub const REGISTER_COLUMNS: [&str; 8] = [
    "id",
    "kind",
    "opened",
    "closed",
    "archived",
    "disposed_at",
    "reason",
    "by",
];

/// A disposal ready to write.
#[derive(Debug, Clone)]
pub struct Disposal {
    pub id: String,
    /// The register's new text: the old text, unchanged, and one line more.
    pub register: String,
    /// The register line's fields, in [`REGISTER_COLUMNS`] order.
    pub row: Vec<String>,
    /// Files to remove (relative to the root): the record and its attachments.
    pub remove: Vec<String>,
}

/// What `plan` decided.
pub enum Outcome {
    Ready(Disposal),
    /// Why not, one reason a line.
    Refused(Vec<String>),
}

/// Judge the disposal of `rec` by `user` for `reason` at `ctx.now`: the
/// user holds the kind's archive role, the record is archived, its
/// retention is over, the reason is one printable line, and the register
/// does not list the ID already.
pub fn plan(ctx: &Context, kind: &Kind, rec: &Record, reason: &str, user: Option<&str>) -> Result<Outcome> {
    let config = &ctx.config;
    let id = rec.id().unwrap_or_default().to_string();
    let mut refusals = Vec::new();
    match user {
        Some(u) if config.has_role(&kind.archive_role, u) => {}
        _ => refusals.push(role_refusal(config, &kind.archive_role, "disposal", user)),
    }
    let status = rec.status().unwrap_or_default();
    let today = config.calendar.local_date(ctx.now);
    if status != kind.archive_state {
        refusals.push(format!(
            "{id} is `{status}`, not `{}`: only an archived record is disposed of (archive it first: `casework archive`)",
            kind.archive_state
        ));
    } else {
        let until = get_path(&rec.data, "archive.retain_until")
            .and_then(Value::as_str)
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        match until {
            None => refusals.push(format!(
                "{id} has no `archive.retain_until` date: without it its retention cannot be known to be over"
            )),
            Some(until) if until >= today => refusals.push(format!(
                "{id} is kept until {until} (`archive.retain_until`): it may be disposed of from {}",
                until.succ_opt().unwrap_or(until)
            )),
            Some(_) => {}
        }
    }
    let reason = reason.trim();
    if reason.is_empty() {
        refusals.push("give the reason for the disposal with --reason, e.g. \"retention period over\"".into());
    } else if reason.chars().any(char::is_control) {
        refusals.push("the reason must be one line of text, without line breaks or control characters".into());
    } else if reason.starts_with(['=', '+', '-', '@']) {
        // A spreadsheet would run it as a formula when the register is opened.
        refusals.push(format!(
            "the reason starts with `{}`, which a spreadsheet opening the register would take for a formula: start it with a word",
            &reason[..1]
        ));
    }
    let text = record::read_register(config).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", config.register))?;
    if record::register_ids(&text).contains(&id) {
        refusals.push(format!(
            "{id} is already in the disposal register {}: it was disposed of before",
            config.register
        ));
    }
    if let Some(header) = text.lines().next().filter(|h| !h.trim().is_empty()) {
        let columns: Vec<&str> = header.trim_end_matches('\r').split(',').map(str::trim).collect();
        if columns != REGISTER_COLUMNS {
            refusals.push(format!(
                "the disposal register {} has the columns `{}`, not `{}`: fix its first line",
                config.register,
                header.trim_end(),
                REGISTER_COLUMNS.join(",")
            ));
        }
    }
    if !refusals.is_empty() {
        return Ok(Outcome::Refused(refusals));
    }

    let field = |path: Option<&str>| {
        path.and_then(|p| get_path(&rec.data, p))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let row = vec![
        id.clone(),
        kind.name.clone(),
        field(Some("opened")),
        field(kind.closure_field()),
        field(Some("archive.archived_at")),
        ctx.now.to_rfc3339_opts(SecondsFormat::Secs, true),
        reason.to_string(),
        user.unwrap_or_default().to_string(),
    ];
    let register = append_row(&text, &row)?;
    let mut remove = vec![rec.file.path.clone()];
    remove.extend(attachments(ctx, &rec.file.path)?);
    Ok(Outcome::Ready(Disposal {
        id,
        register,
        row,
        remove,
    }))
}

/// "archiving needs the `records` role (archive@example.com); you@x is not
/// in it": the refusal of a step that needs the archive role, naming its
/// configured addresses so the user knows whom to ask.
pub fn role_refusal(config: &crate::config::Config, role: &str, what: &str, user: Option<&str>) -> String {
    let members: Vec<&str> = config
        .roles
        .get(role)
        .map(|m| m.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let members = if members.is_empty() {
        "which lists no one in casework.toml's [roles]".to_string()
    } else {
        format!("whose members are {}", members.join(", "))
    };
    match user {
        Some(u) => format!("{what} needs the `{role}` role, {members}; {u} is not in it"),
        None => format!(
            "{what} needs the `{role}` role, {members}; casework cannot tell who you are: set GIT_AUTHOR_EMAIL or `git config user.email`"
        ),
    }
}

/// `text` with `row` appended as one CSV line, in the register's line
/// ending; the header first when the register is new or empty.
fn append_row(text: &str, row: &[String]) -> Result<String> {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = text.to_string();
    if out.trim().is_empty() {
        out = format!("{}{eol}", REGISTER_COLUMNS.join(","));
    } else if !out.ends_with('\n') {
        out.push_str(eol);
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(if eol == "\r\n" {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    w.write_record(row)?;
    let line = String::from_utf8(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    out.push_str(&line);
    // The register must still read back with the new ID and every old one.
    let before = record::register_ids(text);
    let after = record::register_ids(&out);
    if !after.contains(row[0].as_str()) || !before.is_subset(&after) {
        bail!("the disposal register would not read back as written; nothing was changed");
    }
    Ok(out)
}

/// The files of a case's attachments folder `records/<kind>/<ID>/`, if any.
fn attachments(ctx: &Context, record_path: &str) -> Result<Vec<String>> {
    let folder = record_path.strip_suffix(".md").unwrap_or(record_path);
    let abs = ctx.config.root.join(folder);
    if !abs.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(&abs).follow_links(false) {
        let e = e?;
        if e.file_type().is_dir() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(&ctx.config.root)
            .map_err(|_| anyhow::anyhow!("{} is outside the root", e.path().display()))?;
        out.push(rel.to_string_lossy().replace('\\', "/"));
    }
    out.sort();
    Ok(out)
}

/// Write the disposal in `tx`: the register first, then the removals.
pub fn write(tx: &mut Transaction, ctx: &Context, d: &Disposal) -> Result<()> {
    tx.write(&ctx.config.register, d.register.as_bytes())?;
    for path in &d.remove {
        tx.remove(path)?;
    }
    // The emptied attachments folder goes too (each folder only while empty).
    let record = &d.remove[0];
    let folder = ctx.config.root.join(record.strip_suffix(".md").unwrap_or(record));
    for path in d.remove.iter().skip(1) {
        let mut dir = ctx.config.root.join(path);
        while dir.pop() && dir.starts_with(&folder) {
            if std::fs::remove_dir(&dir).is_err() {
                break;
            }
        }
    }
    Ok(())
}
