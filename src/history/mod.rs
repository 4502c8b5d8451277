//! Lifecycle enforcement through git history: every commit in `REV..HEAD`
//! that touches a record is judged as a change from the old front-matter to
//! the new (SPEC section 7).
//!
//! Walking the commits and diffing their trees is serial and cheap (no blob
//! is read); reading, parsing and judging the changed blobs runs in
//! parallel, one repository handle per thread (`git2::Repository` is not
//! `Sync`).

use crate::check::Context;
use crate::config::{Config, Kind};
use crate::diag::{Code, Diagnostic, Severity};
use crate::record::{self, Entry, Record, RecordFile};
use crate::schema::{self, KindSchema};
use crate::workflow::{self, Change};
use chrono::{DateTime, Utc};
use git2::{Oid, Repository, Sort, Tree};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

pub mod timeline;
pub use timeline::{Timeline, TimelineEntry, timeline};

/// Why the history could not be walked (exit 2, not a finding).
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{0} is not inside a git repository: `--since` needs one")]
    NoRepository(String),
    #[error(
        "unknown revision `{0}`: give a commit, branch or tag that exists here (in CI, fetch enough history, e.g. fetch-depth: 0)"
    )]
    UnknownRevision(String),
    #[error(
        "the history {0}..HEAD is not all in this clone: it is shallow, and commit {1} was fetched without its parents, so the changes in the range cannot be judged. Fetch the whole history: in GitHub Actions `actions/checkout` with `fetch-depth: 0`, in GitLab CI `GIT_DEPTH: 0`, or run `git fetch --unshallow` (or `git fetch --deepen=N` until {0} is an ancestor of HEAD)"
    )]
    Shallow(String, String),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// What walking `REV..HEAD` found.
#[derive(Debug, Default)]
pub struct History {
    pub commits: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// A commit and the record files it changed.
struct CommitChanges {
    oid: Oid,
    sha: String,
    author: String,
    subject: String,
    at: DateTime<Utc>,
    /// Per changed path: the versions before (one per parent that differs) and after.
    files: Vec<FileChange>,
    /// Blob of the disposal register before and after, when this commit changed it.
    register: Option<(Option<Oid>, Option<Oid>)>,
}

/// One path changed by a commit. For a merge, `before` holds the path's
/// version in each parent (the change is legal if legal from any of them).
struct FileChange {
    path: String,
    before: Vec<Option<Oid>>,
    after: Option<Oid>,
}

/// Repository-relative locations of the root's folders.
struct Layout {
    /// The root, relative to the repository's work tree ("" or "sub/dir/").
    prefix: String,
    records: String,
    register: String,
}

impl Layout {
    /// A repository path as a root-relative one, if under the root.
    fn relative<'a>(&self, repo_path: &'a str) -> Option<&'a str> {
        repo_path.strip_prefix(&self.prefix)
    }
}

/// Walk `rev..HEAD` and judge every change to a record.
pub fn check_since(ctx: &Context, rev: &str) -> Result<History, HistoryError> {
    let root = &ctx.config.root;
    // Objects come from the repository's own store: re-hashing every object
    // read doubles the cost of the walk.
    git2::opts::strict_hash_verification(false);
    let repo = Repository::discover(root).map_err(|_| HistoryError::NoRepository(root.display().to_string()))?;
    let layout = layout(&repo, ctx)?;
    let object = repo
        .revparse_single(rev)
        .map_err(|_| HistoryError::UnknownRevision(rev.to_string()))?;
    // A commit excludes itself and its ancestors; a tree (git's empty tree,
    // 4b825dc642cb6eb9a060e54bf8d69288fbee4904) means "from the very first commit".
    let (since, since_tree) = match object.peel_to_commit() {
        Ok(c) => (Some(c.id()), c.tree()?),
        Err(_) => (
            None,
            object
                .peel_to_tree()
                .map_err(|_| HistoryError::UnknownRevision(rev.to_string()))?,
        ),
    };
    let head = repo.head()?.peel_to_commit()?;

    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push(head.id())?;
    if let Some(since) = since {
        walk.hide(since)?;
    }
    // In a shallow clone the walk stops at commits fetched without their
    // parents; libgit2 then shows them as root commits, which would judge
    // them as adding every record. The range must be all here.
    let shallow = shallow_commits(&repo);
    let mut commits = Vec::new();
    let mut count = 0;
    for oid in walk {
        let oid = oid?;
        if shallow.contains(&oid) {
            return Err(HistoryError::Shallow(
                rev.to_string(),
                oid.to_string()[..12].to_string(),
            ));
        }
        let commit = repo.find_commit(oid)?;
        count += 1;
        if let Some(c) = changes(&repo, &layout, &commit)? {
            commits.push(c);
        }
    }

    let at_since = ids_in_tree(&repo, &since_tree, &layout)?;
    let repo_path = repo.path().to_path_buf();
    let diagnostics: Vec<Diagnostic> = commits
        .par_iter()
        .map_init(
            || Repository::open(&repo_path).ok(),
            |repo, c| match repo {
                Some(repo) => judge_commit(ctx, repo, c, &at_since),
                None => Vec::new(),
            },
        )
        .flatten()
        .collect();
    Ok(History {
        commits: count,
        diagnostics,
    })
}

/// The commits a shallow clone holds without their parents (git's
/// `shallow` file; empty for a full clone).
pub(crate) fn shallow_commits(repo: &Repository) -> BTreeSet<Oid> {
    if !repo.is_shallow() {
        return BTreeSet::new();
    }
    std::fs::read_to_string(repo.path().join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect()
}

fn layout(repo: &Repository, ctx: &Context) -> Result<Layout, HistoryError> {
    layout_of(repo, &ctx.config)
}

fn layout_of(repo: &Repository, config: &Config) -> Result<Layout, HistoryError> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| HistoryError::NoRepository("a bare repository".into()))?;
    let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    let root = std::fs::canonicalize(&config.root).unwrap_or_else(|_| config.root.clone());
    let rel = root.strip_prefix(&workdir).unwrap_or(Path::new(""));
    let mut prefix: String = rel
        .components()
        .map(|c| format!("{}/", c.as_os_str().to_string_lossy()))
        .collect();
    if prefix == "/" {
        prefix.clear();
    }
    Ok(Layout {
        records: format!("{prefix}{}/", config.records_dir),
        register: format!("{prefix}{}", config.register),
        prefix,
    })
}

/// The record files (and register) a commit changed; `None` if none.
fn changes(repo: &Repository, layout: &Layout, commit: &git2::Commit) -> Result<Option<CommitChanges>, git2::Error> {
    let tree = commit.tree()?;
    let parents: Vec<Tree> = commit.parents().map(|p| p.tree()).collect::<Result<_, _>>()?;
    let diff_with = |old: Option<&Tree>| -> Result<TreeChanges, git2::Error> {
        let mut out = HashMap::new();
        for dir in [layout.records.trim_end_matches('/'), layout.register.as_str()] {
            let a = old.map(|t| entry_at(t, dir)).transpose()?.flatten();
            let b = entry_at(&tree, dir)?;
            diff_entries(repo, dir, a, b, &mut out)?;
        }
        Ok(out)
    };
    // A merge is judged only for paths whose merged content differs from every parent's.
    let per_parent: Vec<TreeChanges> = if parents.is_empty() {
        vec![diff_with(None)?]
    } else {
        parents.iter().map(|p| diff_with(Some(p))).collect::<Result<_, _>>()?
    };
    let mut files = Vec::new();
    let mut register = None;
    let first = &per_parent[0];
    for (path, (_, after)) in first {
        if !per_parent.iter().all(|m| m.contains_key(path)) {
            continue;
        }
        let before: Vec<Option<Oid>> = per_parent.iter().map(|m| m[path].0).collect();
        if *path == layout.register {
            register = Some((before[0], *after));
        } else if record::is_record_path(&layout.records, path)
            && let Some(rel) = layout.relative(path)
        {
            files.push(FileChange {
                path: rel.to_string(),
                before,
                after: *after,
            });
        }
    }
    if files.is_empty() {
        return Ok(None);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let author = commit.author();
    let time = commit.committer().when();
    Ok(Some(CommitChanges {
        oid: commit.id(),
        sha: commit.id().to_string(),
        author: author.email().unwrap_or_default().to_string(),
        subject: commit.summary().ok().flatten().unwrap_or_default().to_string(),
        at: DateTime::from_timestamp(time.seconds(), 0).unwrap_or_default(),
        files,
        register,
    }))
}

/// Changed files: path -> (blob before, blob after).
type TreeChanges = HashMap<String, (Option<Oid>, Option<Oid>)>;

/// One changed path with its parsed versions before (per parent) and after.
type Versions = (String, Vec<Option<Version>>, Option<Version>);

/// An entry of a tree at a path: (object id, is a tree).
type Node = (Oid, bool);

fn entry_at(tree: &Tree, path: &str) -> Result<Option<Node>, git2::Error> {
    match tree.get_path(Path::new(path)) {
        Ok(e) => Ok(Some((e.id(), e.kind() == Some(git2::ObjectType::Tree)))),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Files that differ between two tree entries at `path`, as
/// path -> (old blob, new blob). Subtrees with the same id are skipped
/// without being read: most commits touch one file of one kind folder.
fn diff_entries(
    repo: &Repository,
    path: &str,
    old: Option<Node>,
    new: Option<Node>,
    out: &mut TreeChanges,
) -> Result<(), git2::Error> {
    if old == new {
        return Ok(());
    }
    let (old_is_tree, new_is_tree) = (old.is_some_and(|n| n.1), new.is_some_and(|n| n.1));
    if !old_is_tree && !new_is_tree {
        out.insert(path.to_string(), (old.map(|n| n.0), new.map(|n| n.0)));
        return Ok(());
    }
    // A file replaced by a folder (or the reverse): the file side changes too.
    if old.is_some() && !old_is_tree {
        out.insert(path.to_string(), (old.map(|n| n.0), None));
    }
    if new.is_some() && !new_is_tree {
        out.insert(path.to_string(), (None, new.map(|n| n.0)));
    }
    let tree = |n: Option<Node>| n.filter(|n| n.1).map(|n| repo.find_tree(n.0)).transpose();
    let (a, b) = (tree(old)?, tree(new)?);
    let entries = |t: &Option<Tree>| -> Vec<(Vec<u8>, Node)> {
        t.iter()
            .flat_map(|t| t.iter())
            .map(|e| {
                (
                    e.name_bytes().to_vec(),
                    (e.id(), e.kind() == Some(git2::ObjectType::Tree)),
                )
            })
            .collect()
    };
    let (ea, eb) = (entries(&a), entries(&b));
    // Both lists are in git's tree order: merge them by name.
    let (mut i, mut j) = (0, 0);
    while i < ea.len() || j < eb.len() {
        let order = match (ea.get(i), eb.get(j)) {
            (Some(x), Some(y)) => x.0.cmp(&y.0),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (name, before, after) = match order {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                (&ea[i - 1].0, Some(ea[i - 1].1), Some(eb[j - 1].1))
            }
            std::cmp::Ordering::Less => {
                i += 1;
                (&ea[i - 1].0, Some(ea[i - 1].1), None)
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                (&eb[j - 1].0, None, Some(eb[j - 1].1))
            }
        };
        if before != after {
            let child = format!("{path}/{}", String::from_utf8_lossy(name));
            diff_entries(repo, &child, before, after, out)?;
        }
    }
    Ok(())
}

/// File stems (IDs, by the naming rule) of the records in a tree -> their paths.
fn ids_in_tree(repo: &Repository, tree: &Tree, layout: &Layout) -> Result<HashMap<String, String>, git2::Error> {
    let mut out = HashMap::new();
    let Ok(entry) = tree.get_path(Path::new(layout.records.trim_end_matches('/'))) else {
        return Ok(out);
    };
    let Some(records) = entry.to_object(repo)?.into_tree().ok() else {
        return Ok(out);
    };
    records.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        if let Some(name) = e.name().ok().and_then(|n| n.strip_suffix(".md")) {
            let path = format!(
                "{}{dir}{name}.md",
                layout.records.strip_prefix(&layout.prefix).unwrap_or(&layout.records)
            );
            out.insert(name.to_string(), path);
        }
        git2::TreeWalkResult::Ok
    })?;
    Ok(out)
}

/// A parsed version of a record file at some commit.
struct Version {
    record: Record,
    dir: String,
}

/// A version of a record file: absent (`Ok(None)`), parsed, or unreadable
/// (the finding that says why).
type Read = Result<Option<Version>, Box<Diagnostic>>;

fn read_version(repo: &Repository, root: &Path, path: &str, oid: Option<Oid>) -> Read {
    let Some(oid) = oid else { return Ok(None) };
    let file = RecordFile {
        path: path.to_string(),
        abs: root.join(path),
        entry: Entry::File,
    };
    let Ok(blob) = repo.find_blob(oid) else { return Ok(None) };
    let text = record::decode(blob.content().to_vec()).map_err(|(pos, msg)| {
        Box::new(Diagnostic::error(Code::Encoding, path, msg).at(crate::diag::Span { start: pos, end: pos }))
    })?;
    let record = record::parse(file, text)?;
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    Ok(Some(Version { record, dir }))
}

/// The newest readable version of `path` before commit `oid` along its
/// `parent`th parent (then first parents): what an unreadable version is judged against.
fn last_readable(repo: &Repository, root: &Path, oid: Oid, parent: usize, path: &str) -> Option<Version> {
    let mut commit = repo.find_commit(oid).ok()?.parent(parent).ok()?;
    for _ in 0..1000 {
        let blob = commit.tree().ok()?.get_path(Path::new(path)).ok()?.id();
        match read_version(repo, root, path, Some(blob)) {
            Ok(v) => return v,
            Err(_) => commit = commit.parent(0).ok()?,
        }
    }
    None
}

/// IDs the commit entered into the disposal register.
fn newly_disposed(repo: &Repository, register: Option<(Option<Oid>, Option<Oid>)>) -> BTreeSet<String> {
    let ids = |oid: Option<Oid>| -> BTreeSet<String> {
        let Some(blob) = oid.and_then(|o| repo.find_blob(o).ok()) else {
            return BTreeSet::new();
        };
        record::register_ids(&String::from_utf8_lossy(blob.content()))
    };
    match register {
        Some((before, after)) => ids(after).difference(&ids(before)).cloned().collect(),
        None => BTreeSet::new(),
    }
}

/// Judge every file change of one commit.
fn judge_commit(
    ctx: &Context,
    repo: &Repository,
    c: &CommitChanges,
    at_since: &HashMap<String, String>,
) -> Vec<Diagnostic> {
    let root: PathBuf = ctx.config.root.clone();
    let disposed = newly_disposed(repo, c.register);
    let mut out = Vec::new();
    // Parse every version once. An unreadable new version is reported (and
    // not judged); an unreadable old one is replaced by the last readable.
    let mut items: Vec<Versions> = Vec::new();
    for f in &c.files {
        let after = match read_version(repo, &root, &f.path, f.after) {
            Ok(v) => v,
            Err(d) => {
                out.push(*d);
                continue;
            }
        };
        let before = f
            .before
            .iter()
            .enumerate()
            .map(|(i, o)| {
                read_version(repo, &root, &f.path, *o).unwrap_or_else(|_| last_readable(repo, &root, c.oid, i, &f.path))
            })
            .collect();
        items.push((f.path.clone(), before, after));
    }
    for d in &mut out {
        d.record = None;
        d.commit = Some(c.sha.clone());
        d.author = Some(c.author.clone());
        d.subject = Some(c.subject.clone());
    }
    pair_moves(&mut items);

    for (path, before, after) in &items {
        if before.iter().all(Option::is_none) && after.is_none() {
            continue;
        }
        // Legal if legal from at least one parent: keep the fewest findings, none if any parent is clean.
        let mut best: Option<Vec<Diagnostic>> = None;
        for old in before {
            let found = judge_file(ctx, c, path, old.as_ref(), after.as_ref(), &disposed, at_since);
            if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                best = Some(found);
            }
            if best.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        out.extend(best.unwrap_or_default());
    }
    out
}

/// A record removed from one path and added at another in the same commit
/// (same ID) is a move: judge it as one change.
fn pair_moves(items: &mut Vec<Versions>) {
    let id_of = |v: &Option<Version>| v.as_ref().and_then(|v| v.record.id().map(str::to_string));
    let mut i = 0;
    while i < items.len() {
        let removed = items[i].2.is_none() && items[i].1.len() == 1 && items[i].1[0].is_some();
        if removed {
            let id = id_of(&items[i].1[0]);
            let target = items
                .iter()
                .position(|(_, b, a)| b.len() == 1 && b[0].is_none() && a.is_some() && id_of(a) == id);
            if let (Some(j), Some(_)) = (target, id) {
                let old = items[i].1[0].take();
                items[j].1[0] = old;
                items.remove(i);
                continue;
            }
        }
        i += 1;
    }
}

/// The findings of one change of one file in one commit.
fn judge_file(
    ctx: &Context,
    c: &CommitChanges,
    path: &str,
    old: Option<&Version>,
    new: Option<&Version>,
    disposed: &BTreeSet<String>,
    at_since: &HashMap<String, String>,
) -> Vec<Diagnostic> {
    let config = &ctx.config;
    let kind_of = |v: &Version| -> Option<&Kind> {
        v.record
            .kind()
            .and_then(|k| config.kinds.get(k))
            .or_else(|| config.kind_for_dir(&v.dir))
    };
    let Some(kind) = new.and_then(kind_of).or_else(|| old.and_then(kind_of)) else {
        return Vec::new();
    };
    let id = new.or(old).and_then(|v| v.record.id()).map(str::to_string);
    let change = Change {
        kind,
        old: old.map(|v| &v.record.data),
        new: new.map(|v| &v.record.data),
        old_dir: old.map(|v| v.dir.as_str()),
        new_dir: new.map(|v| v.dir.as_str()),
        author: &c.author,
        at: c.at,
        disposed: id.as_ref().is_some_and(|i| disposed.contains(i)),
    };
    let mut found: Vec<(Code, Option<String>, String)> = workflow::judge(config, &change)
        .into_iter()
        .map(|v| (v.code, v.field, v.message))
        .collect();

    let mut schema_findings = Vec::new();
    if let Some(n) = new {
        let status = n.record.status();
        let entered = old.is_none_or(|o| o.record.status() != status);
        if entered {
            // The new state's guards must hold in this very commit.
            if let Some(KindSchema::Ready { schema, validator }) = ctx.schemas.get(&kind.name) {
                let mut positions = None;
                schema_findings = schema::check(&n.record, schema, validator, &mut positions);
                schema_findings.retain(|d| d.code == Code::Schema);
            }
            for u in workflow::field_roles(config, kind, &n.record.data)
                .into_iter()
                .chain(workflow::time_guards(config, kind, &n.record.data, c.at))
            {
                found.push((Code::Schema, Some(u.field), u.message));
            }
        }
        if old.is_none()
            && let Some(idv) = n.record.id()
            && let Some(other) = at_since.get(idv).filter(|p| p.as_str() != path)
        {
            let suggestion = kind
                .parse_id(idv)
                .and_then(|(year, _)| record::next_sequence(config, kind, year).map(|seq| kind.format_id(year, seq)))
                .map(|s| format!("; renumber it, e.g. to {s}"))
                .unwrap_or_default();
            found.push((
                Code::DuplicateId,
                Some("id".into()),
                format!("{idv} is added by this change but {other} already has it{suggestion}"),
            ));
        }
    }

    let positions = new
        .filter(|_| !found.is_empty())
        .map(|n| n.record.positions())
        .unwrap_or_default();
    let mut out: Vec<Diagnostic> = found
        .into_iter()
        .map(|(code, field, message)| {
            let mut d = Diagnostic::new(Severity::Error, code, path, message).record(id.clone());
            if let Some(f) = field.filter(|_| new.is_some()) {
                d = d.at(crate::diag::locate(&positions, &record::pointer(&f), false));
            }
            d
        })
        .collect();
    out.extend(schema_findings);
    for d in &mut out {
        d.commit = Some(c.sha.clone());
        d.author = Some(c.author.clone());
        d.subject = Some(c.subject.clone());
    }
    out
}
