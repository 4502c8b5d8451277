//! The record files as they were at a commit, read from its tree through
//! libgit2 (no checkout): what `--rev` on the queries reads.

use super::{HistoryError, find_blob, layout_of, records_in_tree};
use crate::config::{Config, Kind};
use crate::record;
use chrono::{DateTime, Utc};
use git2::Repository;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;

/// The repository holding the root, and the commit `rev` names.
fn open_at(config: &Config, rev: &str) -> Result<(Repository, git2::Oid), HistoryError> {
    let root = &config.root;
    let repo = Repository::discover(root).map_err(|_| HistoryError::NoRepository(root.display().to_string()))?;
    let oid = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| HistoryError::UnknownRevision(rev.to_string()))?
        .id();
    Ok((repo, oid))
}

/// The committer time of commit `rev`: "now" for a query as of that commit.
pub fn commit_time(config: &Config, rev: &str) -> Result<DateTime<Utc>, HistoryError> {
    let (repo, oid) = open_at(config, rev)?;
    let commit = repo.find_commit(oid)?;
    Ok(DateTime::from_timestamp(commit.time().seconds(), 0).unwrap_or_default())
}

/// Call `visit` on every record file of commit `rev`'s tree with its bytes
/// (`None` when larger than `records.max_file_size`, not read), in
/// parallel: runs of files are read each with a repository handle of its
/// own (`git2::Repository` is not `Sync`), so inflating the blobs, the cost
/// of an as-of query, is spread over every core. Results in path order.
pub fn map_records<T: Send>(
    config: &Config,
    rev: &str,
    visit: impl Fn(String, Option<Vec<u8>>) -> T + Sync,
) -> Result<Vec<T>, HistoryError> {
    let (repo, oid) = open_at(config, rev)?;
    let layout = layout_of(&repo, config)?;
    let tree = repo.find_commit(oid)?.tree()?;
    // Regular files only: a link is no record file.
    let mut found: Vec<(String, git2::Oid)> = records_in_tree(&repo, &tree, &layout)?
        .into_iter()
        .filter(|r| matches!(r.mode, 0o100644 | 0o100755))
        .map(|r| (r.path, r.blob))
        .collect();
    found.sort();
    let repo_path = repo.path().to_path_buf();
    let runs: Vec<Vec<T>> = found
        .par_chunks(1024)
        .map(|run| {
            let repo = Repository::open(&repo_path)
                .map_err(|e| HistoryError::Open(repo_path.display().to_string(), e.message().to_string()))?;
            let mut out = Vec::with_capacity(run.len());
            for (path, oid) in run {
                let blob = find_blob(&repo, *oid)?;
                let bytes = (blob.size() as u64 <= config.max_file_size).then(|| blob.content().to_vec());
                out.push(visit(path.clone(), bytes));
            }
            Ok(out)
        })
        .collect::<Result<_, HistoryError>>()?;
    Ok(runs.into_iter().flatten().collect())
}

/// The highest sequence of `kind` in `year` on any local or
/// remote-tracking branch (and a detached HEAD), by the file names of
/// each one's kind folder and the IDs of its disposal register; 0 outside
/// git.
pub fn highest_sequence_on_branches(config: &Config, kind: &Kind, year: i32) -> Result<u64, HistoryError> {
    let Ok(repo) = git2::Repository::discover(&config.root) else {
        return Ok(0);
    };
    let Some(workdir) = repo.workdir() else {
        return Ok(0);
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let prefix = canonical(&config.root)
        .strip_prefix(canonical(workdir))
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let (folder, register) = (prefix.join(&kind.dir), prefix.join(&config.register));
    let seq_of = |id: &str| kind.parse_id(id).filter(|&(y, _)| y == year).map(|(_, s)| s);
    let mut trees = Vec::new();
    for r in repo.references()? {
        let r = r?;
        let name = r.name().unwrap_or_default();
        if name.starts_with("refs/heads/") || name.starts_with("refs/remotes/") {
            // A symbolic ref (origin/HEAD) whose target is gone names no tree.
            if let Ok(tree) = r.peel_to_tree() {
                trees.push(tree);
            }
        }
    }
    if let Ok(head) = repo.head()
        && let Ok(tree) = head.peel_to_tree()
    {
        trees.push(tree);
    }
    let mut seen = HashSet::new();
    let mut max = 0;
    for tree in trees.iter().filter(|t| seen.insert(t.id())) {
        if let Ok(entry) = tree.get_path(&folder)
            && let Ok(dir) = entry.to_object(&repo)?.into_tree()
        {
            for e in dir.iter() {
                if let Some(seq) = e.name().ok().and_then(|n| n.strip_suffix(".md")).and_then(seq_of) {
                    max = max.max(seq);
                }
            }
        }
        if let Ok(entry) = tree.get_path(&register) {
            let blob = repo.find_blob(entry.id())?;
            for id in record::register_ids(&String::from_utf8_lossy(blob.content())) {
                max = max.max(seq_of(&id).unwrap_or(0));
            }
        }
    }
    Ok(max)
}
