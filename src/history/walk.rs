//! The tree diff that `check --since` and timelines share: the record files
//! (and the disposal register) each commit changed, found without reading a
//! blob. Subtrees with the same id are skipped unread; a kind folder of
//! thousands of records is read once per version, not once per commit that
//! diffs against it.

use super::Layout;
use crate::record;
use chrono::{DateTime, Utc};
use git2::{Oid, Repository, Tree};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;

/// A commit and the record files it changed.
pub(crate) struct CommitChanges {
    pub oid: Oid,
    pub sha: String,
    /// Author email.
    pub author: String,
    pub author_name: String,
    pub subject: String,
    /// Committer time.
    pub time: git2::Time,
    /// Changed record files, by root-relative path.
    pub files: Vec<FileChange>,
    /// Blob of the disposal register before and after, when this commit changed it.
    pub register: Option<(Option<Oid>, Option<Oid>)>,
}

impl CommitChanges {
    /// Committer time in UTC.
    pub fn at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.time.seconds(), 0).unwrap_or_default()
    }
}

/// One path changed by a commit. For a merge, `before` holds the path's
/// version in each parent (the change is legal if legal from any of them).
pub(crate) struct FileChange {
    pub path: String,
    pub before: Vec<Option<Oid>>,
    pub after: Option<Oid>,
}

/// An entry of a tree: its object id and whether it is a tree. Gitlinks
/// (submodule commits) are no files of this repository and count as absent.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Node {
    id: Oid,
    tree: bool,
}

const TREE_MODE: i32 = 0o040000;
const GITLINK_MODE: i32 = 0o160000;

fn node(e: &git2::TreeEntry) -> Option<Node> {
    match e.filemode() {
        GITLINK_MODE => None,
        mode => Some(Node {
            id: e.id(),
            tree: mode == TREE_MODE,
        }),
    }
}

/// Trees read recently. A commit's tree is the next commit's parent tree, and
/// libgit2 caches no object larger than 4 KiB: without this, every version
/// of a large kind folder would be inflated and parsed twice.
pub(crate) struct Trees<'r> {
    repo: &'r Repository,
    recent: HashMap<Oid, Tree<'r>>,
    older: HashMap<Oid, Tree<'r>>,
}

/// Trees kept per generation of [`Trees`] (two generations are kept).
const KEEP: usize = 32;

impl<'r> Trees<'r> {
    pub fn new(repo: &'r Repository) -> Trees<'r> {
        Trees {
            repo,
            recent: HashMap::new(),
            older: HashMap::new(),
        }
    }

    fn get(&mut self, id: Oid) -> Result<Tree<'r>, git2::Error> {
        if let Some(t) = self.recent.get(&id) {
            return Ok(t.clone());
        }
        let t = match self.older.remove(&id) {
            Some(t) => t,
            None => self.repo.find_tree(id)?,
        };
        if self.recent.len() >= KEEP {
            self.older = std::mem::take(&mut self.recent);
        }
        self.recent.insert(id, t.clone());
        Ok(t)
    }
}

/// A changed file: repository path, blob before, blob after.
type Changed = (String, Option<Oid>, Option<Oid>);

/// The record files (and register) a commit changed; `None` if no record file.
/// A merge counts only paths whose merged content differs from every
/// parent's: a file taken whole from a branch was judged on that branch.
pub(crate) fn changes(
    trees: &mut Trees,
    layout: &Layout,
    commit: &git2::Commit,
) -> Result<Option<CommitChanges>, git2::Error> {
    let tree = commit.tree()?;
    let dirs = [layout.records.trim_end_matches('/'), layout.register.as_str()];
    let mut after = Vec::with_capacity(2);
    for dir in dirs {
        after.push(entry_at(&tree, dir)?);
    }
    let mut diff_with = |old: Option<&Tree>| -> Result<Vec<Changed>, git2::Error> {
        let mut out = Vec::new();
        for (dir, b) in dirs.iter().zip(&after) {
            let a = old.map(|t| entry_at(t, dir)).transpose()?.flatten();
            diff_entries(trees, dir, a, *b, &mut out)?;
        }
        Ok(out)
    };
    let mut parents = commit.parents();
    let first = diff_with(parents.next().map(|p| p.tree()).transpose()?.as_ref())?;
    let mut others: Vec<HashMap<String, Option<Oid>>> = Vec::new();
    for p in parents {
        let other = diff_with(Some(&p.tree()?))?;
        others.push(other.into_iter().map(|(path, old, _)| (path, old)).collect());
    }
    let mut files = Vec::new();
    let mut register = None;
    for (path, old, new) in first {
        let mut before = Vec::with_capacity(1 + others.len());
        before.push(old);
        for other in &others {
            match other.get(&path) {
                Some(o) => before.push(*o),
                None => break,
            }
        }
        if before.len() <= others.len() {
            continue;
        }
        if path == layout.register {
            register = Some((before[0], new));
        } else if record::is_record_path(&layout.records, &path)
            && let Some(rel) = layout.relative(&path)
        {
            files.push(FileChange {
                path: rel.to_string(),
                before,
                after: new,
            });
        }
    }
    if files.is_empty() {
        return Ok(None);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let author = commit.author();
    Ok(Some(CommitChanges {
        oid: commit.id(),
        sha: commit.id().to_string(),
        author: author.email().unwrap_or_default().to_string(),
        author_name: author.name().unwrap_or_default().to_string(),
        subject: commit.summary().ok().flatten().unwrap_or_default().to_string(),
        time: commit.committer().when(),
        files,
        register,
    }))
}

fn entry_at(tree: &Tree, path: &str) -> Result<Option<Node>, git2::Error> {
    match tree.get_path(Path::new(path)) {
        Ok(e) => Ok(node(&e)),
        // Not there; a folder object missing from the store is an error.
        Err(e) if e.code() == git2::ErrorCode::NotFound && e.class() != git2::ErrorClass::Odb => Ok(None),
        Err(e) => Err(e),
    }
}

/// git's order of tree entries: a folder's name sorts as if it ended in `/`.
fn tree_order(a: &git2::TreeEntry, b: &git2::TreeEntry) -> Ordering {
    let (x, y) = (a.name_bytes(), b.name_bytes());
    let n = x.len().min(y.len());
    x[..n].cmp(&y[..n]).then_with(|| {
        let end =
            |name: &[u8], e: &git2::TreeEntry| name.get(n).copied().or((e.filemode() == TREE_MODE).then_some(b'/'));
        end(x, a).cmp(&end(y, b))
    })
}

/// Files that differ between two tree entries at `path`, appended to `out`.
fn diff_entries(
    trees: &mut Trees,
    path: &str,
    old: Option<Node>,
    new: Option<Node>,
    out: &mut Vec<Changed>,
) -> Result<(), git2::Error> {
    if old == new {
        return Ok(());
    }
    let (old_tree, new_tree) = (old.filter(|n| n.tree), new.filter(|n| n.tree));
    if old_tree.is_none() && new_tree.is_none() {
        out.push((path.to_string(), old.map(|n| n.id), new.map(|n| n.id)));
        return Ok(());
    }
    // A file replaced by a folder (or the reverse): the file side changes too.
    if let Some(n) = old.filter(|n| !n.tree) {
        out.push((path.to_string(), Some(n.id), None));
    }
    if let Some(n) = new.filter(|n| !n.tree) {
        out.push((path.to_string(), None, Some(n.id)));
    }
    let a = old_tree.map(|n| trees.get(n.id)).transpose()?;
    let b = new_tree.map(|n| trees.get(n.id)).transpose()?;
    let mut ia = a.iter().flat_map(|t| t.iter()).peekable();
    let mut ib = b.iter().flat_map(|t| t.iter()).peekable();
    // Both lists are in git's tree order: merge them by name.
    loop {
        let order = match (ia.peek(), ib.peek()) {
            (None, None) => break,
            (Some(x), Some(y)) => tree_order(x, y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
        };
        let (x, y) = match order {
            Ordering::Equal => (ia.next(), ib.next()),
            Ordering::Less => (ia.next(), None),
            Ordering::Greater => (None, ib.next()),
        };
        let (before, after) = (x.as_ref().and_then(node), y.as_ref().and_then(node));
        if before != after {
            let name = x.as_ref().or(y.as_ref()).map(|e| e.name_bytes()).unwrap_or_default();
            let child = format!("{path}/{}", String::from_utf8_lossy(name));
            diff_entries(trees, &child, before, after, out)?;
        }
    }
    Ok(())
}
