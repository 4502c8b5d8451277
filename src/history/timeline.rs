//! Cases' timelines from git: every commit that changed a case's file, the
//! fields it changed and the transition it made, oldest first. Renames and
//! moves are followed by the record's ID. All timelines come from one walk
//! of HEAD, with the tree diff of `check --since`.

use super::walk::{self, CommitChanges, FileChange, Trees};
use super::{HistoryError, layout_of, parse_blob};
use crate::config::Config;
use chrono::{DateTime, FixedOffset};
use git2::{Oid, Repository, Sort};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

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

/// Build the timeline of `id` from the history of HEAD (empty if no commit
/// changed it).
pub fn timeline(config: &Config, id: &str) -> Result<Timeline, HistoryError> {
    let wanted = BTreeSet::from([id.to_string()]);
    let mut all = timelines(config, Some(&wanted))?;
    Ok(all.remove(id).unwrap_or_else(|| Timeline {
        id: id.to_string(),
        entries: Vec::new(),
        cut_at: None,
    }))
}

/// The timelines of the IDs in `wanted` (each, even if empty), or of every
/// record file stem that history has seen (`None`), from one walk of HEAD.
/// With `wanted`, only the blobs of those IDs' files are read: their files
/// by name, any name they had later (a rename or move), and files removed
/// in the commit that added one (the older name, if its ID matches).
pub fn timelines(
    config: &Config,
    wanted: Option<&BTreeSet<String>>,
) -> Result<BTreeMap<String, Timeline>, HistoryError> {
    Ok(walk_timelines(config, wanted, true, HashMap::new(), None, None)?.0)
}

/// [`timelines`] without the field changes (`changes` empty): the
/// transitions alone, for a question about states (when was it closed) on
/// many records, at a fraction of the memory. `known` gives the `id` and
/// `status` of blobs the caller has read already (the working tree's
/// files, by their git blob ID): those are never read from git again.
/// The history is that of commit `rev` (a query as of it), else of HEAD.
/// `wanted` `None` gives the transitions of every record history has seen.
pub fn transitions(
    config: &Config,
    wanted: Option<&BTreeSet<String>>,
    known: HashMap<Oid, (String, String)>,
    rev: Option<&str>,
) -> Result<BTreeMap<String, Timeline>, HistoryError> {
    let known: HashMap<Oid, Option<Arc<Value>>> = known
        .into_iter()
        .map(|(oid, (id, status))| {
            let v = serde_json::json!({"id": id, "status": status});
            (oid, Some(Arc::new(v)))
        })
        .collect();
    if wanted.is_none() && rev.is_none() {
        return cached_transitions(config, known);
    }
    Ok(walk_timelines(config, wanted, false, known, rev, None)?.0)
}

/// Every record's transitions from HEAD's history, through the cache of
/// [`super::cache`]: only the commits since the cached one are walked.
fn cached_transitions(
    config: &Config,
    known: HashMap<Oid, Option<Arc<Value>>>,
) -> Result<BTreeMap<String, Timeline>, HistoryError> {
    let repo = Repository::discover(&config.root)
        .map_err(|_| HistoryError::NoRepository(config.root.display().to_string()))?;
    let layout = layout_of(&repo, config)?;
    let key = format!("{}\n{}", layout.records, layout.register);
    let Some(head) = repo.head().and_then(|h| h.peel_to_commit()).ok().map(|c| c.id()) else {
        return Ok(walk_timelines(config, None, false, known, None, None)?.0);
    };
    if repo.is_shallow() {
        return Ok(walk_timelines(config, None, false, known, None, None)?.0);
    }
    if let Some(mut cached) = super::cache::load(&repo, &key) {
        if cached.head == head {
            return Ok(cached.timelines);
        }
        if repo.graph_descendant_of(head, cached.head).unwrap_or(false) {
            let (newer, walked) = walk_timelines(config, None, false, known.clone(), None, Some(cached.head))?;
            if !walked.removals {
                for (id, t) in newer {
                    let entries = &mut cached
                        .timelines
                        .entry(id.clone())
                        .or_insert_with(|| Timeline {
                            id,
                            entries: Vec::new(),
                            cut_at: None,
                        })
                        .entries;
                    entries.extend(t.entries);
                }
                super::cache::save(&repo, &key, head, &cached.timelines);
                return Ok(cached.timelines);
            }
        }
    }
    let (all, _) = walk_timelines(config, None, false, known, None, None)?;
    super::cache::save(&repo, &key, head, &all);
    Ok(all)
}

/// What a walk saw besides the entries.
#[derive(Default)]
struct Walked {
    /// A commit removed a record file (a rename, a move, a disposal).
    removals: bool,
}

fn walk_timelines(
    config: &Config,
    wanted: Option<&BTreeSet<String>>,
    fields: bool,
    known: HashMap<Oid, Option<Arc<Value>>>,
    rev: Option<&str>,
    since: Option<Oid>,
) -> Result<(BTreeMap<String, Timeline>, Walked), HistoryError> {
    let mut walked = Walked::default();
    let repo = Repository::discover(&config.root)
        .map_err(|_| HistoryError::NoRepository(config.root.display().to_string()))?;
    let layout = layout_of(&repo, config)?;
    let mut entries: BTreeMap<String, Vec<TimelineEntry>> = wanted
        .into_iter()
        .flatten()
        .map(|id| (id.clone(), Vec::new()))
        .collect();
    let mut cut_at = None;
    let tip = match rev {
        Some(rev) => Some(
            repo.revparse_single(rev)
                .and_then(|o| o.peel_to_commit())
                .map_err(|_| HistoryError::UnknownRevision(rev.to_string()))?,
        ),
        None => repo.head().and_then(|h| h.peel_to_commit()).ok(),
    };
    if let Some(head) = tip {
        let mut walk = repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL)?;
        walk.push(head.id())?;
        if let Some(since) = since {
            walk.hide(since)?;
        }
        // Walk newest first, so that a rename teaches the older name before the
        // commits that used it; the entries are reversed at the end.
        let mut pass = Pass {
            repo: &repo,
            wanted,
            fields,
            known,
            tracked: HashMap::new(),
            data: HashMap::new(),
        };
        let mut trees = Trees::new(&repo);
        let shallow = super::shallow_commits(&repo);
        for oid in walk {
            let oid = oid?;
            if shallow.contains(&oid) {
                cut_at = Some(oid.to_string());
            }
            let commit = repo.find_commit(oid)?;
            if let Some(c) = walk::changes(&mut trees, &layout, &commit)? {
                walked.removals |= c.files.iter().any(|f| f.after.is_none());
                pass.commit(&c, &mut entries)?;
            }
        }
    }
    let timelines = entries
        .into_iter()
        .map(|(id, mut entries)| {
            entries.reverse();
            let t = Timeline {
                id: id.clone(),
                entries,
                cut_at: cut_at.clone(),
            };
            (id, t)
        })
        .collect();
    Ok((timelines, walked))
}

/// The state of the walk for [`timelines`].
struct Pass<'a> {
    repo: &'a Repository,
    wanted: Option<&'a BTreeSet<String>>,
    /// Take each commit's field changes, not only its transition.
    fields: bool,
    /// Paths that belonged to an ID in a newer commit (a name it had later) -> those IDs.
    tracked: HashMap<String, BTreeSet<String>>,
    /// Front-matter by blob (`None`: not readable as a record), given by
    /// the caller; never dropped.
    known: HashMap<Oid, Option<Arc<Value>>>,
    /// Front-matter by blob as read, a bounded cache.
    data: HashMap<Oid, Option<Arc<Value>>>,
}

impl Pass<'_> {
    /// Add the entries of one commit (walked newest first). The commit's
    /// files are grouped by the ID they belong to in one pass, so a commit
    /// that adds 100,000 records costs one look at each, not one per wanted ID.
    fn commit(
        &mut self,
        c: &CommitChanges,
        entries: &mut BTreeMap<String, Vec<TimelineEntry>>,
    ) -> Result<(), HistoryError> {
        // The IDs whose files this commit changed: by file name or by a name they had later.
        let mut by_id: BTreeMap<String, Vec<&FileChange>> = BTreeMap::new();
        for f in &c.files {
            if let Some(s) = super::stem_of(&f.path).filter(|s| self.wanted.is_none_or(|w| w.contains(*s))) {
                by_id.entry(s.to_string()).or_default().push(f);
            }
            for id in self.tracked.get(&f.path).into_iter().flatten() {
                let mine = by_id.entry(id.clone()).or_default();
                if !mine.iter().any(|m| m.path == f.path) {
                    mine.push(f);
                }
            }
        }
        // Added under a name while another file with the same ID went away:
        // a rename, and the other file is its older name. The removed files'
        // IDs are read once, and only when the commit both adds and removes.
        let adds = by_id
            .values()
            .any(|m| m.iter().any(|f| f.before[0].is_none() && f.after.is_some()));
        let mut removed: Vec<(String, &FileChange)> = Vec::new();
        if adds {
            for f in c.files.iter().filter(|f| f.after.is_none()) {
                if let Some(id) = self.id_of(f.before[0])? {
                    removed.push((id, f));
                }
            }
        }
        let mut by_id: Vec<(String, Vec<&FileChange>)> = by_id.into_iter().collect();
        for (id, mine) in &mut by_id {
            if mine.iter().any(|f| f.before[0].is_none() && f.after.is_some()) {
                for (rid, f) in &removed {
                    if rid == id && !mine.iter().any(|m| m.path == f.path) {
                        mine.push(f);
                    }
                }
            }
        }
        // In bounded batches, so an import of 100,000 records never holds
        // all their front-matter at once.
        let mut ids = by_id.into_iter().peekable();
        while ids.peek().is_some() {
            let batch: Vec<(String, Vec<&FileChange>)> = ids.by_ref().take(BATCH).collect();
            let blobs = batch
                .iter()
                .flat_map(|(_, mine)| [mine.iter().find_map(|f| f.before[0]), mine.iter().find_map(|f| f.after)]);
            self.prefetch(blobs.flatten().collect())?;
            for (id, mine) in batch {
                if let Some(e) = self.entry(c, &id, mine)? {
                    entries.entry(id).or_default().push(e);
                }
            }
        }
        Ok(())
    }

    /// Parse the blobs not cached yet into the cache, on every core when
    /// there are many (a commit that adds or changes thousands of records):
    /// inflating and parsing them is most of such a walk. Each run opens a
    /// handle of its own, as `git2::Repository` is not `Sync`.
    fn prefetch(&mut self, mut oids: Vec<Oid>) -> Result<(), HistoryError> {
        if self.data.len() >= CACHE {
            self.data.clear();
        }
        oids.sort();
        oids.dedup();
        oids.retain(|o| !self.data.contains_key(o) && !self.known.contains_key(o));
        if oids.len() < PARALLEL {
            return Ok(());
        }
        let path = self.repo.path().to_path_buf();
        let fields = self.fields;
        // One run a thread: a new handle starts with cold pack caches.
        let run = oids.len().div_ceil(rayon::current_num_threads());
        let parsed: Vec<Vec<(Oid, Option<Arc<Value>>)>> = oids
            .par_chunks(run)
            .map(|run| {
                let repo = Repository::open(&path)
                    .map_err(|e| HistoryError::Open(path.display().to_string(), e.message().to_string()))?;
                run.iter()
                    .map(|oid| Ok((*oid, read_front_matter(&repo, *oid, fields)?)))
                    .collect::<Result<Vec<_>, HistoryError>>()
            })
            .collect::<Result<_, _>>()?;
        self.data.extend(parsed.into_iter().flatten());
        Ok(())
    }

    /// This commit's entry in the timeline of `id`, from the files of the
    /// commit that are `id`'s (`mine`), if any.
    fn entry(
        &mut self,
        c: &CommitChanges,
        id: &str,
        mine: Vec<&FileChange>,
    ) -> Result<Option<TimelineEntry>, HistoryError> {
        for f in &mine {
            self.tracked.entry(f.path.clone()).or_default().insert(id.to_string());
        }
        // Old version: the one removed or modified; new version: the one added or modified.
        let old_oid = mine.iter().find_map(|f| f.before[0]);
        let new_file = mine.iter().find(|f| f.after.is_some());
        let new_oid = new_file.and_then(|f| f.after);
        let old = self.front_matter(old_oid)?;
        let new = self.front_matter(new_oid)?;
        if old.is_none() && new.is_none() && old_oid.is_some() == new_oid.is_some() {
            return Ok(None);
        }
        let offset = FixedOffset::east_opt(c.time.offset_minutes() * 60).unwrap_or(FixedOffset::east_opt(0).unwrap());
        let date = DateTime::from_timestamp(c.time.seconds(), 0)
            .unwrap_or_default()
            .with_timezone(&offset);
        let status = |v: &Option<Arc<Value>>| {
            v.as_ref()
                .and_then(|d| d.get("status"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (from, to) = (status(&old), status(&new));
        let transition = (from != to).then_some(Transition { from, to });
        Ok(Some(TimelineEntry {
            commit: c.sha.clone(),
            date: date.to_rfc3339(),
            author: c.author.clone(),
            author_name: c.author_name.clone(),
            subject: c.subject.clone(),
            changes: if self.fields {
                diff_fields(old.as_deref(), new.as_deref())
            } else {
                Vec::new()
            },
            transition,
            path: new_file.map(|f| f.path.clone()),
        }))
    }

    /// The front-matter of a blob; `None` when absent or not readable as a record.
    fn front_matter(&mut self, oid: Option<Oid>) -> Result<Option<Arc<Value>>, HistoryError> {
        let Some(oid) = oid else { return Ok(None) };
        if let Some(v) = self.known.get(&oid).or_else(|| self.data.get(&oid)) {
            return Ok(v.clone());
        }
        let v = read_front_matter(self.repo, oid, self.fields)?;
        self.data.insert(oid, v.clone());
        Ok(v)
    }

    fn id_of(&mut self, oid: Option<Oid>) -> Result<Option<String>, HistoryError> {
        Ok(self
            .front_matter(oid)?
            .and_then(|d| d.get("id").and_then(Value::as_str).map(str::to_string)))
    }
}

/// Blobs parsed at most at once, and the parsed blobs kept between
/// commits: enough to bridge a file's consecutive changes, with memory
/// bounded.
const BATCH: usize = 2048;
const CACHE: usize = 4096;
/// Fewer blobs than this are parsed on one thread.
const PARALLEL: usize = 256;

/// The front-matter of blob `oid`; `None` when not readable as a record.
/// Without `fields`, only `id` and `status` are kept.
fn read_front_matter(repo: &Repository, oid: Oid, fields: bool) -> Result<Option<Arc<Value>>, HistoryError> {
    Ok(parse_blob(repo, Path::new(""), "", oid)?.ok().map(|v| {
        let data = v.record.data;
        if fields {
            return Arc::new(data);
        }
        let keep: serde_json::Map<String, Value> = ["id", "status"]
            .into_iter()
            .filter_map(|k| Some((k.to_string(), data.get(k)?.clone())))
            .collect();
        Arc::new(Value::Object(keep))
    }))
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

    /// Commit `files` (path -> text, `None` removes it) on top of HEAD.
    fn commit(repo: &Repository, files: &[(&str, Option<&str>)], at: i64) {
        let root = repo.workdir().unwrap().to_path_buf();
        let mut index = repo.index().unwrap();
        for (path, text) in files {
            let abs = root.join(path);
            match text {
                Some(t) => {
                    std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
                    std::fs::write(&abs, t).unwrap();
                    index.add_path(Path::new(path)).unwrap();
                }
                None => {
                    std::fs::remove_file(&abs).unwrap();
                    index.remove_path(Path::new(path)).unwrap();
                }
            }
        }
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let who = git2::Signature::new("A", "a@example.org", &git2::Time::new(at, 0)).unwrap();
        let parent = repo.head().ok().map(|h| h.peel_to_commit().unwrap());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        repo.commit(Some("HEAD"), &who, &who, "change", &tree, &parents)
            .unwrap();
    }

    fn req(id: &str, status: &str) -> String {
        format!("---\nid: {id}\nkind: request\ntitle: T\nstatus: {status}\n---\n")
    }

    #[test]
    fn all_timelines_from_one_walk_are_each_ids_own() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let config = crate::config::parse(dir.path(), Config::default_toml()).unwrap();
        let (a, b) = ("REQ-2026-0001", "REQ-2026-0002");
        let (pa, pb) = ("records/request/REQ-2026-0001.md", "records/request/REQ-2026-0002.md");
        commit(
            &repo,
            &[("records/request/draft.md", Some(&req(a, "new")))],
            1_800_000_000,
        );
        commit(
            &repo,
            &[("records/request/draft.md", None), (pa, Some(&req(a, "new")))],
            1_800_000_100,
        );
        commit(&repo, &[(pb, Some(&req(b, "new")))], 1_800_000_200);
        commit(
            &repo,
            &[(pa, Some(&req(a, "acknowledged"))), (pb, Some(&req(b, "acknowledged")))],
            1_800_000_300,
        );
        commit(
            &repo,
            &[
                (pb, None),
                ("records/request/2026/REQ-2026-0002.md", Some(&req(b, "acknowledged"))),
            ],
            1_800_000_400,
        );
        commit(&repo, &[("records/README.md", Some("# Records\n"))], 1_800_000_500);

        let all = timelines(&config, None).unwrap();
        assert_eq!(
            all.keys().collect::<Vec<_>>(),
            ["REQ-2026-0001", "REQ-2026-0002", "draft"]
        );
        let some = timelines(&config, Some(&BTreeSet::from([a.to_string(), b.to_string()]))).unwrap();
        for (id, t) in &all {
            let one = timeline(&config, id).unwrap();
            let json = |t: &Timeline| serde_json::to_value(t).unwrap();
            assert_eq!(json(t), json(&one), "{id}");
            let paths = |t: &Timeline| t.entries.iter().map(|e| e.path.clone()).collect::<Vec<_>>();
            assert_eq!(paths(t), paths(&one), "{id}");
            if let Some(s) = some.get(id) {
                assert_eq!(json(s), json(&one), "{id}");
            }
        }
        // Created under another name, renamed, acknowledged: three entries, one creation.
        assert_eq!(all[a].entries.len(), 3);
        assert_eq!(all[b].entries.len(), 3);
        assert_eq!(
            all[b].entries[2].path.as_deref(),
            Some("records/request/2026/REQ-2026-0002.md")
        );
    }
}
