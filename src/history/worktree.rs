//! The history rules applied to the changes not yet committed: each record
//! file that differs from its version at HEAD is judged as a commit by the
//! acting user, now, would be. So `check` (and a pre-commit hook running
//! it) refuses before the commit what `check --since` would refuse after.

use super::{Actor, HistoryError, Item, Version, judge_file, layout_of, pair_moves, parse_blob};
use crate::context::Context;
use crate::diag::{Code, Diagnostic};
use crate::record::{self, RecordFile};
use git2::{Repository, Status, StatusOptions};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// What every finding of an uncommitted change starts with, so that a
/// plain `check` says why a rule of the history applies.
const SINCE_HEAD: &str = "since the last commit: ";

/// Judge every uncommitted change of a record (working tree and index
/// against HEAD) with the rules of `check --since`, `user` acting at
/// `ctx.now`. Outside a git repository there is nothing to compare: no
/// findings. `only` limits the judging to those root-relative paths.
pub fn check_uncommitted(
    ctx: &Context,
    user: Option<&str>,
    only: Option<&HashSet<String>>,
) -> Result<Vec<Diagnostic>, HistoryError> {
    let root = ctx.config.root.as_path();
    let Ok(repo) = Repository::discover(root) else {
        return Ok(Vec::new());
    };
    if repo.is_bare() {
        return Ok(Vec::new());
    }
    let layout = layout_of(&repo, &ctx.config)?;
    // No commit yet: nothing to compare with. The first commit may bring
    // records in any state (a team moving its cases in).
    let head = match repo.head() {
        Ok(h) => h.peel_to_tree()?,
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch || e.code() == git2::ErrorCode::NotFound => {
            return Ok(Vec::new());
        }
        Err(e) => return Err(e.into()),
    };

    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true)
        .renames_head_to_index(false)
        .pathspec(layout.records.trim_end_matches('/'))
        .pathspec(&layout.register)
        .disable_pathspec_match(true);
    let statuses = repo.statuses(Some(&mut opts))?;
    let changed = Status::INDEX_NEW
        | Status::INDEX_MODIFIED
        | Status::INDEX_DELETED
        | Status::INDEX_TYPECHANGE
        | Status::WT_NEW
        | Status::WT_MODIFIED
        | Status::WT_DELETED
        | Status::WT_TYPECHANGE;
    let mut paths = Vec::new();
    let mut register_changed = false;
    for entry in statuses.iter().filter(|e| e.status().intersects(changed)) {
        let Ok(repo_path) = entry.path() else { continue };
        if repo_path == layout.register {
            register_changed = true;
        } else if record::is_record_path(&layout.records, repo_path)
            && let Some(rel) = layout.relative(repo_path)
            && only.is_none_or(|o| o.contains(rel))
        {
            paths.push((repo_path.to_string(), rel.to_string()));
        }
    }
    if paths.is_empty() {
        return Ok(Vec::new());
    }

    let blob_at_head = |repo_path: &str| -> Option<git2::Oid> {
        let e = head.get_path(Path::new(repo_path)).ok()?;
        (e.kind() == Some(git2::ObjectType::Blob)).then(|| e.id())
    };
    let mut out = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    for (repo_path, rel) in &paths {
        let old = match blob_at_head(repo_path) {
            // An unreadable HEAD version was reported by the commit that made it.
            Some(oid) => parse_blob(&repo, root, rel, oid)?.ok().map(Arc::new),
            None => None,
        };
        let new = match working_version(ctx, rel) {
            Ok(v) => v.map(Arc::new),
            // The plain check reports a working file that cannot be read.
            Err(()) => continue,
        };
        items.push((rel.clone(), vec![old], new));
    }
    // A renumbering (`casework renumber`, not committed yet) is one change
    // when no other file in the working tree has the new ID.
    let config = &ctx.config;
    let taken = |id: &str, path: &str| {
        config.kind_for_id(id).is_none_or(|kind| {
            let file = format!("{}/{id}.md", kind.dir);
            file != path && root.join(&file).exists()
        })
    };
    pair_moves(&mut items, &taken);

    let disposed = if register_changed {
        newly_disposed(&repo, root, &ctx.config.register, blob_at_head(&layout.register))?
    } else {
        BTreeSet::new()
    };
    let who = Actor {
        author: user.unwrap_or_default(),
        at: ctx.now,
        guards: false,
    };
    // Without an acting user there is no one to judge a role of (and no
    // commit can be made): those rules wait for the commit.
    let judged = |d: &Diagnostic| user.is_some() || !matches!(d.code, Code::Role | Code::ArchivedModified);
    for (path, before, after) in &items {
        let old = before.first().and_then(Option::as_deref);
        let found = judge_file(ctx, &who, path, old, after.as_deref(), &disposed, &HashMap::new());
        for mut d in found.into_iter().filter(judged) {
            d.message = format!("{SINCE_HEAD}{}", d.message);
            out.push(d);
        }
    }
    Ok(out)
}

/// The working file at `rel`, parsed; `Ok(None)` when it is gone, `Err`
/// when it cannot be read or parsed (the plain check says why).
fn working_version(ctx: &Context, rel: &str) -> Result<Option<Version>, ()> {
    let abs = ctx.config.root.join(rel);
    if std::fs::symlink_metadata(&abs).is_err() {
        return Ok(None);
    }
    let file = RecordFile {
        path: rel.to_string(),
        abs,
        entry: record::Entry::File,
    };
    let rec = record::load(&file, &ctx.config).map_err(|_| ())?;
    Ok(Some(Version {
        dir: rel.rsplit_once('/').map_or("", |(d, _)| d).to_string(),
        record: rec,
        blob: git2::Oid::ZERO_SHA1,
    }))
}

/// IDs in the working tree's disposal register that HEAD's does not hold.
fn newly_disposed(
    repo: &Repository,
    root: &Path,
    register: &str,
    at_head: Option<git2::Oid>,
) -> Result<BTreeSet<String>, HistoryError> {
    let now = crate::files::read_to_string(root, &root.join(register), crate::files::SUPPORT_FILE_LIMIT)
        .map(|t| record::register_ids(&t))
        .unwrap_or_default();
    let before = match at_head {
        Some(oid) => record::register_ids(&String::from_utf8_lossy(super::find_blob(repo, oid)?.content())),
        None => BTreeSet::new(),
    };
    Ok(now.difference(&before).cloned().collect())
}
