//! The site's timelines kept between builds, by commit, in the git
//! directory (`.git/casework/transitions.json`, never in the published
//! output). History only grows: a rebuild walks the commits since the
//! cached one and appends their entries. A cached commit HEAD no longer
//! descends from (a rewritten history), a commit since that removes a
//! record file (a rename or disposal may re-attribute older entries), a
//! shallow clone, or another records layout is walked afresh.

use super::timeline::{Timeline, TimelineEntry, Transition};
use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;

/// Bumped whenever the file's shape or the walk's meaning changes.
const VERSION: u32 = 1;
const DIR: &str = "casework";
const FILE: &str = "transitions.json";

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    /// The records folder and register path the walk looked at.
    layout: String,
    head: String,
    /// Each commit once; entries refer to it by index.
    commits: Vec<Commit>,
    cases: Vec<(String, Vec<Step>)>,
}

#[derive(Serialize, Deserialize)]
struct Commit {
    sha: String,
    date: String,
    author: String,
    author_name: String,
    subject: String,
}

#[derive(Serialize, Deserialize)]
struct Step {
    commit: u32,
    /// `Some` when the commit changed the state: (from, to).
    transition: Option<(Option<String>, Option<String>)>,
    path: Option<String>,
}

/// The cached timelines and the commit they are of.
pub(crate) struct Cached {
    pub head: Oid,
    pub timelines: BTreeMap<String, Timeline>,
}

/// The cache, when there is one for `layout`; `None` for a missing,
/// unreadable or older file (a cache is never an error).
pub(crate) fn load(repo: &Repository, layout: &str) -> Option<Cached> {
    let bytes = std::fs::read(repo.path().join(DIR).join(FILE)).ok()?;
    let stored: Stored = serde_json::from_slice(&bytes).ok()?;
    if stored.version != VERSION || stored.layout != layout {
        return None;
    }
    let head = Oid::from_str(&stored.head).ok()?;
    let commits = stored.commits;
    let mut timelines = BTreeMap::new();
    for (id, steps) in stored.cases {
        let mut entries = Vec::with_capacity(steps.len());
        for s in steps {
            let c = commits.get(s.commit as usize)?;
            entries.push(TimelineEntry {
                commit: c.sha.clone(),
                date: c.date.clone(),
                author: c.author.clone(),
                author_name: c.author_name.clone(),
                subject: c.subject.clone(),
                changes: Vec::new(),
                transition: s.transition.map(|(from, to)| Transition { from, to }),
                path: s.path,
            });
        }
        let t = Timeline {
            id: id.clone(),
            entries,
            cut_at: None,
        };
        timelines.insert(id, t);
    }
    Some(Cached { head, timelines })
}

/// Keep `timelines` as those of `head`. Written beside and renamed, so a
/// reader never sees half a file; a failure leaves no cache, quietly.
pub(crate) fn save(repo: &Repository, layout: &str, head: Oid, timelines: &BTreeMap<String, Timeline>) {
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut commits = Vec::new();
    let cases = timelines
        .iter()
        .map(|(id, t)| {
            let steps = t
                .entries
                .iter()
                .map(|e| {
                    let commit = *index.entry(e.commit.as_str()).or_insert_with(|| {
                        commits.push(Commit {
                            sha: e.commit.clone(),
                            date: e.date.clone(),
                            author: e.author.clone(),
                            author_name: e.author_name.clone(),
                            subject: e.subject.clone(),
                        });
                        (commits.len() - 1) as u32
                    });
                    Step {
                        commit,
                        transition: e.transition.as_ref().map(|t| (t.from.clone(), t.to.clone())),
                        path: e.path.clone(),
                    }
                })
                .collect();
            (id.clone(), steps)
        })
        .collect();
    let stored = Stored {
        version: VERSION,
        layout: layout.to_string(),
        head: head.to_string(),
        commits,
        cases,
    };
    keep(&repo.path().join(DIR), FILE, &stored);
}

/// `value` as JSON in `dir/file`, written beside and renamed, so a reader
/// never sees half a file; a failure leaves no file, quietly (a cache is
/// never an error).
pub(crate) fn keep(dir: &std::path::Path, file: &str, value: &impl Serialize) {
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer(std::io::BufWriter::new(tmp.as_file_mut()), value)?;
        tmp.as_file_mut().flush()?;
        tmp.persist(dir.join(file)).map_err(|e| e.error)?;
        Ok(())
    };
    let _ = write();
}
