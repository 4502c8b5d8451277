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
use std::rc::Rc;

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

/// Trees read recently, as git stores them. A commit's tree is the next
/// commit's parent tree, and libgit2 caches no object larger than 4 KiB:
/// without this, every version of a large kind folder would be inflated
/// twice.
pub(crate) struct Trees<'r> {
    repo: &'r Repository,
    recent: HashMap<Oid, Rc<Vec<u8>>>,
    older: HashMap<Oid, Rc<Vec<u8>>>,
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

    /// The raw content of tree `id`: entries of `MODE SP NAME NUL OID`.
    fn get(&mut self, id: Oid) -> Result<Rc<Vec<u8>>, git2::Error> {
        if let Some(t) = self.recent.get(&id) {
            return Ok(t.clone());
        }
        let t = match self.older.remove(&id) {
            Some(t) => t,
            None => {
                let odb = self.repo.odb()?;
                let object = odb.read(id)?;
                if object.kind() != git2::ObjectType::Tree {
                    return Err(git2::Error::from_str(&format!("object {id} is not a tree")));
                }
                Rc::new(object.data().to_vec())
            }
        };
        if self.recent.len() >= KEEP {
            self.older = std::mem::take(&mut self.recent);
        }
        self.recent.insert(id, t.clone());
        Ok(t)
    }
}

/// How many leading bytes `a` and `b` share, compared a block at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// How many trailing bytes `a` and `b` share.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (ea, eb) = (a.len(), b.len());
    let mut k = 0;
    while k + 64 <= n && a[ea - k - 64..ea - k] == b[eb - k - 64..eb - k] {
        k += 64;
    }
    while k < n && a[ea - k - 1] == b[eb - k - 1] {
        k += 1;
    }
    k
}

/// The entry of `data` at `at` and where the next starts; `None` at the end.
fn next_entry(data: &[u8], at: usize) -> Result<Option<(RawEntry<'_>, usize)>, git2::Error> {
    if at >= data.len() {
        Ok(None)
    } else {
        raw_entry(data, at).map(Some)
    }
}

/// One entry of a raw tree: name, mode and object id.
struct RawEntry<'a> {
    name: &'a [u8],
    mode: u32,
    id: &'a [u8],
}

/// The entry of raw tree `data` at `pos`, and where the next one starts.
/// Read by hand rather than through libgit2's entry objects: a commit that
/// changes one file of a kind folder of thousands is a walk over all of
/// them, for every commit of a long history.
fn raw_entry(data: &[u8], pos: usize) -> Result<(RawEntry<'_>, usize), git2::Error> {
    let bad = || git2::Error::from_str("a tree object is corrupt");
    let rest = data.get(pos..).ok_or_else(bad)?;
    let space = memchr::memchr(b' ', rest).ok_or_else(bad)?;
    let nul = space + memchr::memchr(0, &rest[space..]).ok_or_else(bad)?;
    let id = rest.get(nul + 1..nul + 21).ok_or_else(bad)?;
    let mut mode = 0u32;
    for &d in &rest[..space] {
        if !(b'0'..=b'7').contains(&d) {
            return Err(bad());
        }
        mode = mode * 8 + u32::from(d - b'0');
    }
    Ok((
        RawEntry {
            name: &rest[space + 1..nul],
            mode,
            id,
        },
        pos + nul + 21,
    ))
}

impl RawEntry<'_> {
    fn node(&self) -> Option<Node> {
        match self.mode as i32 {
            GITLINK_MODE => None,
            mode => Some(Node {
                id: Oid::from_bytes(self.id).ok()?,
                tree: mode == TREE_MODE,
            }),
        }
    }

    fn same(&self, other: &RawEntry) -> bool {
        self.name == other.name && self.mode == other.mode && self.id == other.id
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
fn tree_order(a: &RawEntry, b: &RawEntry) -> Ordering {
    let (x, y) = (a.name, b.name);
    let n = x.len().min(y.len());
    x[..n].cmp(&y[..n]).then_with(|| {
        let end = |name: &[u8], e: &RawEntry| name.get(n).copied().or((e.mode as i32 == TREE_MODE).then_some(b'/'));
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
    let (a, b): (&[u8], &[u8]) = (
        a.as_deref().map_or(&[], Vec::as_slice),
        b.as_deref().map_or(&[], Vec::as_slice),
    );
    // Both lists are in git's tree order: merge them by name, from the
    // first entry that differs to where the rest of both is the same bytes
    // (most commits change one file of a folder of thousands).
    let (pre, suf) = (common_prefix(a, b), common_suffix(a, b));
    let mut start = 0;
    while let Some((_, end)) = next_entry(a, start)?.filter(|(_, end)| *end <= pre) {
        start = end;
    }
    let rest_same = |i: usize, j: usize| a.len() - i == b.len() - j && a.len() - i <= suf;
    let (mut x, mut y) = (next_entry(a, start)?, next_entry(b, start)?);
    loop {
        let order = match (&x, &y) {
            (None, None) => break,
            (Some((p, _)), Some((q, _))) => tree_order(p, q),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
        };
        let (before, after, i, j) = match order {
            Ordering::Equal => {
                let ((p, i), (q, j)) = (x.take().expect("both"), y.take().expect("both"));
                if p.same(&q) && rest_same(i, j) {
                    break;
                }
                (Some(p), Some(q), i, j)
            }
            Ordering::Less => {
                let (p, i) = x.take().expect("old side");
                (Some(p), None, i, 0)
            }
            Ordering::Greater => {
                let (q, j) = y.take().expect("new side");
                (None, Some(q), 0, j)
            }
        };
        let (old, new) = (
            before.as_ref().and_then(RawEntry::node),
            after.as_ref().and_then(RawEntry::node),
        );
        if old != new {
            let name = before.as_ref().or(after.as_ref()).map(|e| e.name).unwrap_or_default();
            let child = format!("{path}/{}", String::from_utf8_lossy(name));
            diff_entries(trees, &child, old, new, out)?;
        }
        if before.is_some() {
            x = next_entry(a, i)?;
        }
        if after.is_some() {
            y = next_entry(b, j)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_ends_are_counted_across_block_boundaries() {
        let a: Vec<u8> = (0..200u8).collect();
        let mut b = a.clone();
        b[130] = 0xFF;
        assert_eq!(common_prefix(&a, &b), 130);
        assert_eq!(common_suffix(&a, &b), 69);
        assert_eq!(common_prefix(&a, &a), 200);
        assert_eq!(common_suffix(&a[..10], &a), 0);
        assert_eq!(common_prefix(&a[..10], &a), 10);
    }

    #[test]
    fn raw_tree_entries_read_back_as_git_writes_them() {
        let mut data = b"100644 a.md\0".to_vec();
        data.extend([1u8; 20]);
        data.extend(b"40000 dir\0");
        data.extend([2u8; 20]);
        let (e, next) = raw_entry(&data, 0).unwrap();
        assert_eq!((e.name, e.mode, next), (&b"a.md"[..], 0o100644, 32));
        let (d, end) = raw_entry(&data, next).unwrap();
        assert_eq!((d.name, d.mode, end), (&b"dir"[..], 0o40000, data.len()));
        assert!(d.node().unwrap().tree);
        assert!(next_entry(&data, end).unwrap().is_none());
        assert!(raw_entry(&data[..40], next).is_err(), "a cut entry is corrupt");
    }
}
