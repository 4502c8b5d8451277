//! The record files as they were at a commit, read from its tree through
//! libgit2 (no checkout): what `--rev` on the queries reads.

use super::{HistoryError, find_blob, layout_of};
use crate::config::Config;
use crate::record;
use chrono::{DateTime, Utc};
use git2::Repository;
use std::path::Path;

/// One record file of the commit's tree.
pub struct Blob {
    /// Root-relative path.
    pub path: String,
    /// Its bytes, or `None` when larger than `records.max_file_size` (not read).
    pub bytes: Option<Vec<u8>>,
}

/// The committer time of commit `rev`: "now" for a query as of that commit.
pub fn commit_time(config: &Config, rev: &str) -> Result<DateTime<Utc>, HistoryError> {
    let root = &config.root;
    let repo = Repository::discover(root).map_err(|_| HistoryError::NoRepository(root.display().to_string()))?;
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| HistoryError::UnknownRevision(rev.to_string()))?;
    Ok(DateTime::from_timestamp(commit.time().seconds(), 0).unwrap_or_default())
}

/// The record files of commit `rev`'s tree and the commit's time.
pub fn record_blobs(config: &Config, rev: &str) -> Result<(DateTime<Utc>, Vec<Blob>), HistoryError> {
    let root = &config.root;
    let repo = Repository::discover(root).map_err(|_| HistoryError::NoRepository(root.display().to_string()))?;
    let layout = layout_of(&repo, config)?;
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| HistoryError::UnknownRevision(rev.to_string()))?;
    let at = DateTime::from_timestamp(commit.time().seconds(), 0).unwrap_or_default();
    let tree = commit.tree()?;
    let mut found = Vec::new();
    if let Ok(entry) = tree.get_path(Path::new(layout.records.trim_end_matches('/')))
        && let Some(records) = entry.to_object(&repo)?.into_tree().ok()
    {
        records.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
            // Regular files only: a link or submodule is no record file.
            if matches!(e.filemode(), 0o100644 | 0o100755)
                && let Ok(name) = e.name()
            {
                let path = format!("{}{dir}{name}", layout.records);
                if record::is_record_path(&layout.records, &path)
                    && let Some(rel) = layout.relative(&path)
                {
                    found.push((rel.to_string(), e.id()));
                }
            }
            git2::TreeWalkResult::Ok
        })?;
    }
    let mut out = Vec::with_capacity(found.len());
    for (path, oid) in found {
        let blob = find_blob(&repo, oid)?;
        let bytes = (blob.size() as u64 <= config.max_file_size).then(|| blob.content().to_vec());
        out.push(Blob { path, bytes });
    }
    Ok((at, out))
}
