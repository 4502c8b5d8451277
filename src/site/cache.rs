//! What a site build keeps for the next one, in the git directory
//! (`.git/casework/site.json`; never in the published output, for it holds
//! unredacted fields): each record file's stamp, the case loaded from it
//! and the key of its page. A rebuild loads only the record files whose
//! stamp changed and renders only the case pages whose key changed; the
//! others come from here and from the previous site. Outside git there is
//! no cache, and a cache that cannot be read is none (never an error).

use crate::query::cases::Case;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Bumped whenever the file's shape or meaning changes.
const VERSION: u32 = 3;
const FILE: &str = "site.json";

/// The file's content.
#[derive(Serialize, Deserialize)]
pub struct Stored {
    version: u32,
    /// casework, the configuration and the schemas the cases were loaded
    /// with ([`super::env_key`]): another of them loads every record again.
    env: String,
    /// When the cases' clocks were judged (Unix seconds).
    now: i64,
    entries: Vec<Entry>,
    /// Each monthly report's key and index line, newest first.
    months: Vec<Month>,
    /// The key of the trends page (its twelve months' keys).
    trends: String,
}

impl Stored {
    pub fn new(env: &str, now: i64, entries: Vec<Entry>, months: Vec<Month>, trends: String) -> Stored {
        Stored {
            version: VERSION,
            env: env.to_string(),
            now,
            entries,
            months,
            trends,
        }
    }
}

/// One monthly report as the last build made it.
#[derive(Serialize, Deserialize, Clone)]
pub struct Month {
    /// `2026-10`.
    pub month: String,
    /// The key of its inputs ([`super::month_keys`]).
    pub key: String,
    /// Its line in the reports' index.
    pub entry: serde_json::Value,
}

/// One record file as the last build read it.
#[derive(Serialize, Deserialize, Clone)]
pub struct Entry {
    pub path: String,
    /// Its size, times and inode, hashed ([`super::stamp`]).
    pub stamp: String,
    /// The case, without its body, and without its fields once closed
    /// with no clock running (a case's clocks are judged again from them
    /// at another time).
    pub case: Case,
    /// What the reports read of it, hashed ([`super::digest`]).
    pub digest: String,
    /// Its `related` IDs: a link on its page depends on whether they have pages.
    pub related: Vec<String>,
    /// The key of its page ([`super::page_key`]), when it has one.
    pub page: Option<String>,
}

/// The last build's entries, by path, and its reports.
pub struct Cache {
    pub now: i64,
    pub entries: HashMap<String, Entry>,
    pub months: Vec<Month>,
    pub trends: String,
}

fn file(root: &Path) -> Option<PathBuf> {
    let repo = git2::Repository::discover(root).ok()?;
    Some(repo.path().join("casework").join(FILE))
}

/// The cache of the last build with `env`, if there is one.
pub fn load(root: &Path, env: &str) -> Option<Cache> {
    let bytes = std::fs::read(file(root)?).ok()?;
    let stored: Stored = serde_json::from_slice(&bytes).ok()?;
    if stored.version != VERSION || stored.env != env {
        return None;
    }
    let entries = stored.entries.into_iter().map(|e| (e.path.clone(), e)).collect();
    Some(Cache {
        now: stored.now,
        entries,
        months: stored.months,
        trends: stored.trends,
    })
}

/// Keep `stored` for the next build (see [`crate::history::cache::keep`]).
pub fn save(root: &Path, stored: &Stored) {
    if let Some(path) = file(root) {
        let dir = path.parent().unwrap_or(Path::new("."));
        crate::history::cache::keep(dir, FILE, stored);
    }
}
