//! One case's timeline from git: every commit that changed its file, the
//! fields it changed and the transition it made, oldest first. Renames and
//! moves are followed by the record's ID.

use super::{Layout, TreeChanges, diff_entries, entry_at, layout_of, read_version};
use crate::config::Config;
use chrono::{DateTime, FixedOffset};
use git2::{Oid, Repository, Sort};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A file's blob before and after a commit.
type Blobs = (Option<Oid>, Option<Oid>);

/// The timeline of one record.
#[derive(Debug, Serialize)]
pub struct Timeline {
    pub id: String,
    pub entries: Vec<TimelineEntry>,
    /// In a shallow clone, a commit the walk reached without its parents:
    /// the timeline may start late, and its first entry may show as the
    /// case's creation. Not in JSON (SPEC's shape).
    #[serde(skip)]
    pub cut_at: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    /// Full SHA of the commit.
    pub commit: String,
    /// Committer date, RFC 3339.
    pub date: String,
    /// Author email.
    pub author: String,
    pub subject: String,
    pub changes: Vec<FieldChange>,
    pub transition: Option<Transition>,
    /// The file's path after this commit (`None` when removed); not in JSON.
    #[serde(skip)]
    pub path: Option<String>,
    #[serde(skip)]
    pub author_name: String,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Transition {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Build the timeline of `id` from the history of HEAD.
pub fn timeline(config: &Config, id: &str) -> Result<Timeline, super::HistoryError> {
    git2::opts::strict_hash_verification(false);
    let repo = Repository::discover(&config.root)
        .map_err(|_| super::HistoryError::NoRepository(config.root.display().to_string()))?;
    let layout = layout_of(&repo, config)?;
    let mut entries = Vec::new();
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(Timeline {
            id: id.to_string(),
            entries,
            cut_at: None,
        });
    };
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL)?;
    walk.push(head.id())?;
    // Walk newest first, so that a rename teaches the older name before the
    // commits that used it; the entries are reversed at the end.
    let mut tracked: BTreeSet<String> = BTreeSet::new();
    let stem = format!("/{id}.md");
    let shallow = super::shallow_commits(&repo);
    let mut cut_at = None;
    for oid in walk {
        let oid = oid?;
        if shallow.contains(&oid) {
            cut_at = Some(oid.to_string());
        }
        let commit = repo.find_commit(oid)?;
        let changes = changed_records(&repo, &layout, &commit)?;
        if changes.is_empty() {
            continue;
        }
        // This record's paths in this commit: by file name or by a name it had later.
        let mut mine: Vec<(&String, &Blobs)> = changes
            .iter()
            .filter(|(p, _)| p.ends_with(&stem) || tracked.contains(*p))
            .collect();
        if mine.is_empty() {
            continue;
        }
        // Added here under this name while another file with the same ID went
        // away: a rename, and the other file is its older name.
        if mine.iter().any(|(_, (old, new))| old.is_none() && new.is_some()) {
            let older: Vec<_> = changes
                .iter()
                .filter(|(p, (old, new))| {
                    new.is_none() && !mine.iter().any(|(m, _)| m == p) && blob_id(&repo, *old).as_deref() == Some(id)
                })
                .collect();
            mine.extend(older);
        }
        for (p, _) in &mine {
            tracked.insert((*p).clone());
        }
        // Old version: the one removed or modified; new version: the one added or modified.
        let old_oid = mine.iter().find_map(|(_, (o, _))| *o);
        let new_entry = mine.iter().find(|(_, (_, n))| n.is_some());
        let new_oid = new_entry.and_then(|(_, (_, n))| *n);
        let old = front_matter(&repo, old_oid);
        let new = front_matter(&repo, new_oid);
        if old.is_none() && new.is_none() && old_oid.is_some() == new_oid.is_some() {
            continue;
        }
        let time = commit.committer().when();
        let offset = FixedOffset::east_opt(time.offset_minutes() * 60).unwrap_or(FixedOffset::east_opt(0).unwrap());
        let date = DateTime::from_timestamp(time.seconds(), 0)
            .unwrap_or_default()
            .with_timezone(&offset);
        let status = |v: &Option<Value>| {
            v.as_ref()
                .and_then(|d| d.get("status"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (from, to) = (status(&old), status(&new));
        let transition = (from != to).then_some(Transition { from, to });
        let author = commit.author();
        entries.push(TimelineEntry {
            commit: commit.id().to_string(),
            date: date.to_rfc3339(),
            author: author.email().unwrap_or_default().to_string(),
            author_name: author.name().unwrap_or_default().to_string(),
            subject: commit.summary().ok().flatten().unwrap_or_default().to_string(),
            changes: diff_fields(old.as_ref(), new.as_ref()),
            transition,
            path: new_entry.and_then(|(p, _)| layout.relative(p)).map(str::to_string),
        });
    }
    entries.reverse();
    Ok(Timeline {
        id: id.to_string(),
        entries,
        cut_at,
    })
}

/// Record files a commit changed. A merge counts only for files whose
/// merged content differs from every parent's (what `check --since` judges):
/// a file taken whole from a branch was already logged on that branch.
fn changed_records(repo: &Repository, layout: &Layout, commit: &git2::Commit) -> Result<TreeChanges, git2::Error> {
    let tree = commit.tree()?;
    let dir = layout.records.trim_end_matches('/');
    let after = entry_at(&tree, dir)?;
    let diff = |parent: Option<git2::Tree>| -> Result<TreeChanges, git2::Error> {
        let mut out = TreeChanges::new();
        let before = parent.as_ref().map(|t| entry_at(t, dir)).transpose()?.flatten();
        diff_entries(repo, dir, before, after, &mut out)?;
        out.retain(|p, _| crate::record::is_record_path(&layout.records, p));
        Ok(out)
    };
    let mut parents = commit.parents();
    let mut out = diff(parents.next().map(|p| p.tree()).transpose()?)?;
    for p in parents {
        let other = diff(Some(p.tree()?))?;
        out.retain(|path, _| other.contains_key(path));
    }
    Ok(out)
}

fn front_matter(repo: &Repository, oid: Option<Oid>) -> Option<Value> {
    read_version(repo, Path::new(""), "", oid)
        .ok()
        .flatten()
        .map(|v| v.record.data)
}

fn blob_id(repo: &Repository, oid: Option<Oid>) -> Option<String> {
    front_matter(repo, oid)?
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Leaf fields that differ, by dotted path (`closure.closed_at`, `updates.2.note`).
pub fn diff_fields(old: Option<&Value>, new: Option<&Value>) -> Vec<FieldChange> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    if let Some(v) = old {
        flatten("", v, &mut a);
    }
    if let Some(v) = new {
        flatten("", v, &mut b);
    }
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out: Vec<FieldChange> = keys
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            old: a.get(k).cloned(),
            new: b.get(k).cloned(),
        })
        .collect();
    // Front-matter order reads better than alphabetical: status first.
    out.sort_by_key(|c| c.field != "status");
    out
}

fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) if !m.is_empty() => m.iter().for_each(|(k, x)| flatten(&join(k), x, out)),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| flatten(&join(&i.to_string()), x, out)),
        _ => {
            out.insert(prefix.to_string(), v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_diff() {
        let old = json!({"status": "open", "updates": [{"note": "a"}], "owner": "x"});
        let new = json!({"status": "in_progress", "updates": [{"note": "a"}, {"note": "b"}]});
        let d = diff_fields(Some(&old), Some(&new));
        assert_eq!(d[0].field, "status");
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["status", "owner", "updates.1.note"]);
        assert_eq!(d[1].new, None);
    }
}
