//! `casework renumber`: give a record the next free ID after two branches
//! each ran `casework new` and took the same one. The file is renamed, its
//! `id` line rewritten, and the `related` entries of other records that
//! name the old ID point at the new one, all in one [`Transaction`].
//!
//! "Free" means free everywhere the collision could come from: the working
//! tree, the tree of every local branch and remote-tracking branch (after
//! `git fetch`, the other side's records), and the disposal register of
//! each of them. Reading a ref's kind folder is one tree read, no history
//! walk.

use super::Transaction;
use super::text::{self, Edit};
use crate::config::{Config, Kind};
use crate::context::Context;
use crate::record::yaml::{self, Style};
use crate::record::{self, Record, split_front_matter};
use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::Value;

/// What to renumber.
pub struct Request<'a> {
    /// The ID the record has now.
    pub id: &'a str,
    /// Root-relative path of the file to renumber, when several hold the ID.
    pub path: Option<&'a str>,
    /// The acting user's email (an archived record is renumbered only by its archive role).
    pub user: Option<&'a str>,
}

/// The outcome: ready to write, or refused with the reasons.
pub enum Outcome {
    Ready(Box<Renumbering>),
    Refused(Vec<String>),
}

/// A planned renumbering, not yet written.
pub struct Renumbering {
    pub old_id: String,
    pub new_id: String,
    /// Root-relative paths of the file before and after.
    pub old_path: String,
    pub new_path: String,
    old_text: String,
    new_text: String,
    /// Records whose `related` entries are rewritten to the new ID.
    pub references: Vec<Reference>,
    /// Records that cite the old ID and are left alone because another
    /// record still holds it: which one they mean is for a person to say.
    pub cited_by: Vec<String>,
    /// File lines of the record's body that mention the old ID. The body is
    /// the team's own text and is left as it is: a mention may well mean
    /// the other record, which keeps the ID.
    pub body_mentions: Vec<usize>,
}

/// A record whose `related` list names the renumbered record.
pub struct Reference {
    pub path: String,
    before: String,
    after: String,
}

impl Renumbering {
    /// Every path the renumbering writes: the old and new file, then the
    /// references. `--commit` commits exactly these.
    pub fn paths(&self) -> Vec<&str> {
        let mut out = vec![self.old_path.as_str(), self.new_path.as_str()];
        out.extend(self.references.iter().map(|r| r.path.as_str()));
        out
    }

    /// Write it as part of `tx`: the new file, the old one removed (if it
    /// still holds the text that was planned on), each reference replaced.
    pub fn write(&self, config: &Config, tx: &mut Transaction) -> Result<()> {
        let abs = config.root.join(&self.old_path);
        // A file longer than the planned text has changed: no need to read it all.
        let now = match crate::files::read(&config.root, &abs, self.old_text.len() as u64) {
            Ok(bytes) => Some(bytes),
            Err(crate::files::ReadError::TooLarge { .. }) => None,
            Err(e) => bail!("cannot read {}: {e}", self.old_path),
        };
        if now.as_deref() != Some(self.old_text.as_bytes()) {
            bail!(
                "{} changed on disk while casework was renumbering it; nothing was written: run the command again",
                self.old_path
            );
        }
        tx.create(&self.new_path, self.new_text.as_bytes())?;
        tx.remove(&self.old_path)?;
        for r in &self.references {
            tx.replace(&r.path, &r.before, r.after.as_bytes())?;
        }
        Ok(())
    }
}

/// Plan the renumbering of `req.id`.
pub fn plan(ctx: &Context, req: &Request) -> Result<Outcome> {
    let config = &ctx.config;
    let id = req.id;
    let set = ctx.records().map_err(|e| anyhow!("{e}"))?;
    let holders: Vec<_> = set.with_id(id).collect();
    let chosen = match (req.path, holders.as_slice()) {
        (Some(path), _) => match holders.iter().find(|r| r.file.path == path) {
            Some(r) => r,
            None => {
                let why = match set.get_path(path) {
                    Some(Err(d)) => unreadable(d),
                    Some(Ok(r)) => format!("{path} holds {}, not {id}", r.id().unwrap_or("no `id`")),
                    None => format!("{path} is not a record file"),
                };
                return Ok(Outcome::Refused(vec![why]));
            }
        },
        (None, [one]) => one,
        (None, []) => {
            // The file named for the ID may be there but unreadable (an
            // add/add merge conflict leaves it full of markers).
            let named = config.kind_for_id(id).map(|k| format!("{}/{id}.md", k.dir));
            return Ok(Outcome::Refused(vec![
                match named.as_deref().and_then(|p| set.get_path(p)) {
                    Some(Err(d)) => unreadable(d),
                    _ => format!("no record has the ID {id}"),
                },
            ]));
        }
        (None, many) => {
            let paths: Vec<&str> = many.iter().map(|r| r.file.path.as_str()).collect();
            return Ok(Outcome::Refused(vec![format!(
                "{id} is the ID of {} records ({}): choose the one to renumber with `casework renumber {id} --path FILE`",
                paths.len(),
                paths.join(", ")
            )]));
        }
    };
    let rec = chosen.record(config).map_err(|d| anyhow!("{}", unreadable(&d)))?;
    let folder = rec.file.path.rsplit_once('/').map_or("", |(d, _)| d);
    let Some(kind) = rec
        .kind()
        .and_then(|k| config.kinds.get(k))
        .or_else(|| config.kind_for_dir(folder))
    else {
        return Ok(Outcome::Refused(vec![format!(
            "{}: the record's kind is not configured",
            rec.file.path
        )]));
    };
    let Some((year, _)) = kind.parse_id(id) else {
        return Ok(Outcome::Refused(vec![format!(
            "{id} does not follow the format of kind `{}` ({}), so it has no year to number in",
            kind.name,
            kind.example_id()
        )]));
    };
    let mut refusals = Vec::new();
    let archived = |r: &Record| r.status() == Some(kind_of(config, r).map_or("", |k| k.archive_state.as_str()));
    let may_change_archived =
        |r: &Record| kind_of(config, r).is_some_and(|k| req.user.is_some_and(|u| config.has_role(&k.archive_role, u)));
    if archived(&rec) && !may_change_archived(&rec) {
        refusals.push(format!(
            "{id} is archived, and an archived record is changed only by the `{}` role; {} is not in it",
            kind.archive_role,
            req.user.unwrap_or("(unknown user)")
        ));
    }

    // Free in the working tree (every record of the set, whatever its
    // folder), on every branch, and in every disposal register.
    let in_tree = set
        .of_kind(&kind.name)
        .filter_map(|r| kind.parse_id(r.id()?))
        .filter(|&(y, _)| y == year)
        .map(|(_, seq)| seq)
        .max()
        .unwrap_or(0);
    let used = in_tree.max(crate::history::at::highest_sequence_on_branches(config, kind, year)?);
    let seq = record::next_sequence_above(config, kind, year, used).ok_or_else(|| {
        anyhow!(
            "no {} ID is left for {year}: the sequence would pass {}",
            kind.name,
            crate::config::MAX_SEQUENCE
        )
    })?;
    let new_id = kind.format_id(year, seq);
    let new_path = format!("{folder}/{new_id}.md");
    let new_text = text::apply(
        &rec.text,
        &[Edit::Set {
            path: vec!["id".into()],
            value: Value::String(new_id.clone()),
        }],
    )
    .with_context(|| format!("cannot rewrite the `id` of {}", rec.file.path))?;

    // References follow only when the old ID is gone afterwards; with two
    // files of one ID, which one a reference means is not for casework to guess.
    let still_held = holders.len() > 1;
    let citing: Vec<_> = set
        .records()
        .filter(|r| r.file.path != rec.file.path && r.related().iter().any(|(_, t)| t == id))
        .collect();
    let mut references = Vec::new();
    let mut cited_by = Vec::new();
    for r in citing {
        if still_held {
            cited_by.push(r.file.path.clone());
            continue;
        }
        let other = r.record(config).map_err(|d| anyhow!("{}", unreadable(&d)))?;
        if archived(&other) && !may_change_archived(&other) {
            refusals.push(format!(
                "{} cites {id} in `related` and is archived, and only the archive role changes an archived record: renumber as a member of that role, or leave {id} as it is",
                other.file.path
            ));
            continue;
        }
        let after = rewrite_related(&other.text, id, &new_id)
            .with_context(|| format!("cannot rewrite the `related` entries of {}", other.file.path))?;
        if let Some(after) = after {
            references.push(Reference {
                path: other.file.path.clone(),
                before: other.text,
                after,
            });
        }
    }
    if !refusals.is_empty() {
        return Ok(Outcome::Refused(refusals));
    }
    let body_line = rec.text[..rec.fm.body_start].matches('\n').count() + 1;
    let body_mentions = rec
        .body()
        .lines()
        .enumerate()
        .filter(|(_, l)| mentions(l, id))
        .map(|(i, _)| body_line + i)
        .collect();
    Ok(Outcome::Ready(Box::new(Renumbering {
        old_id: id.to_string(),
        new_id,
        old_path: rec.file.path.clone(),
        new_path,
        old_text: rec.text.clone(),
        new_text,
        references,
        cited_by,
        body_mentions,
    })))
}

fn kind_of<'c>(config: &'c Config, r: &Record) -> Option<&'c Kind> {
    r.kind().and_then(|k| config.kinds.get(k)).or_else(|| {
        let folder = r.file.path.rsplit_once('/').map_or("", |(d, _)| d);
        config.kind_for_dir(folder)
    })
}

/// A finding about a file that cannot be read, as `check` names it.
fn unreadable(d: &crate::diag::Diagnostic) -> String {
    let mut why = format!("{}: {}", d.place(), d.message);
    if d.message.starts_with("unresolved merge conflict") {
        why.push_str(
            "; if a merge left it so (both branches added this ID), run `git merge --abort`, renumber the record on your branch, and merge again",
        );
    }
    why
}

/// Whether `line` names `id` as a whole word (not REQ-2026-00071).
fn mentions(line: &str, id: &str) -> bool {
    line.match_indices(id).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + id.len()..].chars().next();
        let part = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        !part(before) && !part(after)
    })
}

/// `text` with each `related` item that is `old` changed to `new`, each a
/// splice of that item's own bytes (its quotes, comments and the lines
/// around it stay); `None` when no item names `old`. The result must read
/// back as the same data with those items changed.
fn rewrite_related(text: &str, old: &str, new: &str) -> Result<Option<String>> {
    let fm = split_front_matter(text).map_err(|(_, m)| anyhow!(m))?;
    let yaml_text = &text[fm.yaml.clone()];
    let (mut data, layout) =
        yaml::parse_layout(yaml_text, fm.first_line).map_err(|e| anyhow!("line {}: {}", e.pos.line, e.message))?;
    let Some(Value::Array(items)) = data.get_mut("related") else {
        return Ok(None);
    };
    let mut splices = Vec::new();
    for (i, item) in items.iter_mut().enumerate() {
        if item.as_str() != Some(old) {
            continue;
        }
        let lay = layout
            .get(&format!("/related/{i}"))
            .ok_or_else(|| anyhow!("internal error: no layout for `related` item {i}"))?;
        let source = &yaml_text[lay.value.clone()];
        // Plain or quoted, the ID's characters need no escape: the ID's own
        // text is replaced. An alias or an escaped ID is left to a person.
        let at = match lay.style {
            Style::Plain | Style::SingleQuoted | Style::DoubleQuoted => source.find(old),
            _ => None,
        }
        .ok_or_else(|| anyhow!("item {i} of `related` is not written as plain text; change it to {new} by hand"))?;
        let start = fm.yaml.start + lay.value.start + at;
        splices.push(start..start + old.len());
        *item = Value::String(new.to_string());
    }
    if splices.is_empty() {
        return Ok(None);
    }
    let mut out = text.to_string();
    for range in splices.iter().rev() {
        out.replace_range(range.clone(), new);
    }
    let fm2 = split_front_matter(&out).map_err(|(_, m)| anyhow!(m))?;
    let reread = yaml::parse(&out[fm2.yaml.clone()], fm2.first_line, false).map(|(v, _)| v);
    if reread.ok().as_ref() != Some(&data) || out[fm2.body_start..] != text[fm.body_start..] {
        bail!("internal error: the edit would not read back as intended; the file was left as it was");
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_items_are_rewritten_in_place() {
        let text = "---\nid: A-2026-0001\nrelated:\n  - B-2026-0001 # the first\n  - \"B-2026-0007\"\n  - B-2026-00071\nother: [B-2026-0007]\n---\nB-2026-0007 in the body\n";
        let out = rewrite_related(text, "B-2026-0007", "B-2026-0008").unwrap().unwrap();
        assert_eq!(
            out,
            text.replacen("\"B-2026-0007\"", "\"B-2026-0008\"", 1),
            "only the item that names the old ID changes"
        );
        let flow = "---\nrelated: [B-2026-0007, 'B-2026-0007']\n---\n";
        assert_eq!(
            rewrite_related(flow, "B-2026-0007", "B-2026-0008").unwrap().unwrap(),
            "---\nrelated: [B-2026-0008, 'B-2026-0008']\n---\n"
        );
        assert!(
            rewrite_related("---\nrelated: []\n---\n", "B-2026-0007", "B-2026-0008")
                .unwrap()
                .is_none()
        );
        let escaped = "---\nrelated: [\"\\x42-2026-0007\"]\n---\n";
        assert!(rewrite_related(escaped, "B-2026-0007", "B-2026-0008").is_err());
    }

    #[test]
    fn a_mention_is_the_whole_id() {
        assert!(mentions("see B-2026-0007.", "B-2026-0007"));
        assert!(mentions("B-2026-0007", "B-2026-0007"));
        assert!(!mentions("B-2026-00071", "B-2026-0007"));
        assert!(!mentions("AB-2026-0007", "B-2026-0007"));
    }
}
