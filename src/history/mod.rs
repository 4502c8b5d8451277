//! Lifecycle enforcement through git history: every commit in `REV..HEAD`
//! that touches a record is judged as a change from the old front-matter to
//! the new (SPEC section 7).
//!
//! The walk lists the commits (cheap: no tree is read). The commits are then
//! cut into runs of consecutive commits, and each run is diffed, read, parsed
//! and judged on one thread with a repository handle of its own
//! (`git2::Repository` is not `Sync`): memory holds the runs in flight, not
//! the range, and a version that one commit adds and a later commit of the
//! run changes is parsed once.

use crate::config::{Config, Kind};
use crate::context::Context;
use crate::diag::{Code, Diagnostic, Severity};
use crate::record::{self, Entry, Record, RecordFile};
use crate::schema::{self, KindSchema};
use crate::workflow::{self, Change};
use git2::{Oid, Repository, Sort, Tree};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use walk::{CommitChanges, Trees};

pub mod at;
pub(crate) mod cache;
pub mod timeline;
mod walk;
mod worktree;
pub use timeline::{FieldChange, Timeline, TimelineEntry, timeline, timelines, transitions};
pub use worktree::check_uncommitted;

/// Why the history could not be walked (exit 2, not a finding).
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{0} is not inside a git repository, and this command reads its history")]
    NoRepository(String),
    #[error(
        "unknown revision `{0}`: give a commit, branch or tag that exists here (in CI, fetch enough history, e.g. fetch-depth: 0)"
    )]
    UnknownRevision(String),
    #[error(
        "the history {0}..HEAD is not all in this clone: it is shallow, and commit {1} was fetched without its parents, so the changes in the range cannot be judged. Fetch the whole history: in GitHub Actions `actions/checkout` with `fetch-depth: 0`, in GitLab CI `GIT_DEPTH: 0`, or run `git fetch --unshallow` (or `git fetch --deepen=N` until {0} is an ancestor of HEAD)"
    )]
    Shallow(String, String),
    #[error(
        "git object {0} is not in this clone (a partial clone, `--filter=blob:none`, or a damaged repository), so the history cannot be read: clone without `--filter`, or fetch the missing objects"
    )]
    MissingObject(String),
    #[error("cannot open the git repository {0} to read its history: {1}")]
    Open(String, String),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// What walking `REV..HEAD` found.
#[derive(Debug, Default)]
pub struct History {
    pub commits: usize,
    pub diagnostics: Vec<Diagnostic>,
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

/// Consecutive commits diffed and judged on one thread with one handle:
/// long enough that the trees and versions one commit read are there for
/// the next, short enough that a handle's mapped pack pages and caches are
/// let go often (on 90,000 commits, runs of 2,048 peaked at 456 MB; runs of
/// 256 held less but took a fifth more CPU time).
const RUN: usize = 512;

/// Walk `rev..HEAD` and judge every change to a record.
pub fn check_since(ctx: &Context, rev: &str) -> Result<History, HistoryError> {
    let plan = plan(ctx, rev)?;
    let mut diagnostics = judge(ctx, &plan)?;
    // A record that collided with one at REV but was renumbered (its file
    // renamed) or removed later in the range no longer collides: only a
    // file still there at HEAD is a duplicate the merge would meet.
    // Two records added at one path (two branches that each ran `new`)
    // collide only while REV is not merged: once it is, git has made one
    // file of them.
    if diagnostics
        .iter()
        .any(|d| d.code == Code::DuplicateId && d.commit.is_some())
    {
        let repo = Repository::open(&plan.repo_path)
            .map_err(|e| HistoryError::Open(plan.repo_path.display().to_string(), e.message().to_string()))?;
        let head = repo.head()?.peel_to_commit()?;
        let merged = plan
            .since
            .is_some_and(|since| since == head.id() || repo.graph_descendant_of(head.id(), since).unwrap_or(false));
        let tree = head.tree()?;
        let prefix = &plan.layout.prefix;
        diagnostics.retain(|d| {
            let same_path = || {
                d.record
                    .as_ref()
                    .and_then(|id| plan.at_since.get(id))
                    .is_some_and(|(p, _)| *p == d.file)
            };
            d.code != Code::DuplicateId
                || d.commit.is_none()
                || (tree.get_path(Path::new(&format!("{prefix}{}", d.file))).is_ok() && !(merged && same_path()))
        });
    }
    Ok(History {
        commits: plan.oids.len(),
        diagnostics,
    })
}

/// Judge the planned range, runs in parallel, findings in commit order.
fn judge(ctx: &Context, plan: &Plan) -> Result<Vec<Diagnostic>, HistoryError> {
    // Each run opens its own handle and drops it at the end: libgit2 caches
    // every commit and small tree a handle reads, so handles that lived for
    // the whole range would hold it all.
    let runs: Vec<Vec<Diagnostic>> = plan
        .oids
        .par_chunks(RUN)
        .enumerate()
        .map(|(i, run)| {
            let repo = Repository::open(&plan.repo_path)
                .map_err(|e| HistoryError::Open(plan.repo_path.display().to_string(), e.message().to_string()))?;
            judge_run(ctx, &repo, &plan.layout, run, i * RUN, &plan.at_since)
        })
        .collect::<Result<_, _>>()?;
    Ok(runs.into_iter().flatten().collect())
}

/// What judging `rev..HEAD` needs, found with a handle that is closed before
/// the judging starts.
struct Plan {
    repo_path: PathBuf,
    layout: Layout,
    /// The range, oldest first.
    oids: Vec<Oid>,
    /// Record IDs at `rev`: ID -> path and blob.
    at_since: HashMap<String, (String, Oid)>,
    /// The commit `rev` names (`None`: a tree, the whole history).
    since: Option<Oid>,
}

fn plan(ctx: &Context, rev: &str) -> Result<Plan, HistoryError> {
    let root = &ctx.config.root;
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
    let mut oids = Vec::new();
    for oid in walk {
        let oid = oid?;
        if shallow.contains(&oid) {
            return Err(HistoryError::Shallow(
                rev.to_string(),
                oid.to_string()[..12].to_string(),
            ));
        }
        oids.push(oid);
    }
    let at_since = ids_in_tree(&repo, &since_tree, &layout)?;
    Ok(Plan {
        repo_path: repo.path().to_path_buf(),
        layout,
        oids,
        at_since,
        since,
    })
}

/// Diff and judge consecutive commits, oldest first.
fn judge_run(
    ctx: &Context,
    repo: &Repository,
    layout: &Layout,
    run: &[Oid],
    first: usize,
    at_since: &HashMap<String, (String, Oid)>,
) -> Result<Vec<Diagnostic>, HistoryError> {
    let mut trees = Trees::new(repo);
    let mut versions = Versions::default();
    let mut out = Vec::new();
    for (i, &oid) in run.iter().enumerate() {
        let commit = repo.find_commit(oid)?;
        if let Some(c) = walk::changes(&mut trees, layout, &commit)? {
            let found = judge_commit(ctx, repo, &c, at_since, &mut versions)?;
            out.extend(found.into_iter().map(|d| Diagnostic {
                order: first + i + 1,
                ..d
            }));
        }
    }
    Ok(out)
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

/// One changed path with its parsed versions before (per parent) and after.
type Item = (String, Vec<Option<Arc<Version>>>, Option<Arc<Version>>);

/// A record file of a tree: root-relative path, blob and file mode.
struct TreeRecord {
    path: String,
    blob: Oid,
    mode: i32,
}

/// The record files (by [`record::is_record_path`]) of a tree's records
/// folder: the one walk of a tree that `check --since`, renumbering and
/// `--rev` share. Gitlinks (submodules) are no files of this repository.
fn records_in_tree(repo: &Repository, tree: &Tree, layout: &Layout) -> Result<Vec<TreeRecord>, HistoryError> {
    let mut out = Vec::new();
    let Ok(entry) = tree.get_path(Path::new(layout.records.trim_end_matches('/'))) else {
        return Ok(out);
    };
    let Some(records) = entry.to_object(repo)?.into_tree().ok() else {
        return Ok(out);
    };
    records.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        if !matches!(e.filemode(), 0o040000 | 0o160000)
            && let Ok(name) = e.name()
        {
            let path = format!("{}{dir}{name}", layout.records);
            if record::is_record_path(&layout.records, &path)
                && let Some(rel) = layout.relative(&path)
            {
                out.push(TreeRecord {
                    path: rel.to_string(),
                    blob: e.id(),
                    mode: e.filemode(),
                });
            }
        }
        git2::TreeWalkResult::Ok
    })?;
    Ok(out)
}

/// Record files of a tree: file stem (the ID, by the naming rule) ->
/// root-relative path and blob.
fn ids_in_tree(
    repo: &Repository,
    tree: &Tree,
    layout: &Layout,
) -> Result<HashMap<String, (String, Oid)>, HistoryError> {
    Ok(records_in_tree(repo, tree, layout)?
        .into_iter()
        .filter_map(|r| Some((stem_of(&r.path)?.to_string(), (r.path, r.blob))))
        .collect())
}

/// A record file's name without `.md`: the ID it is named for.
fn stem_of(path: &str) -> Option<&str> {
    path.rsplit('/').next()?.strip_suffix(".md")
}

/// A parsed version of a record file at some commit.
struct Version {
    record: Record,
    dir: String,
    /// The blob it was read from (zero for a working file).
    blob: Oid,
}

/// A version of a record file: absent (`Ok(None)`), parsed, or unreadable
/// (the finding that says why).
type Read = Result<Option<Arc<Version>>, Box<Diagnostic>>;

/// Versions already parsed in this run, by path and blob: the version one
/// commit adds is the one the next change of that file starts from.
#[derive(Default)]
struct Versions(HashMap<(String, Oid), Result<Arc<Version>, Box<Diagnostic>>>);

/// A blob of the store; one that is not there is an error, never an absent file.
fn find_blob(repo: &Repository, oid: Oid) -> Result<git2::Blob<'_>, HistoryError> {
    repo.find_blob(oid).map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => HistoryError::MissingObject(oid.to_string()),
        _ => HistoryError::Git(e),
    })
}

/// Parse the blob `oid` as the record file at root-relative `path`.
fn parse_blob(
    repo: &Repository,
    root: &Path,
    path: &str,
    oid: Oid,
) -> Result<Result<Version, Box<Diagnostic>>, HistoryError> {
    let blob = find_blob(repo, oid)?;
    let file = RecordFile {
        path: path.to_string(),
        abs: root.join(path),
        entry: Entry::File,
    };
    let text = match record::decode(blob.content().to_vec()) {
        Ok(t) => t,
        Err((pos, msg)) => {
            return Ok(Err(Box::new(
                Diagnostic::error(Code::Encoding, path, msg).at(crate::diag::Span { start: pos, end: pos }),
            )));
        }
    };
    Ok(record::parse(file, text).map(|record| Version {
        record,
        dir: path.rsplit_once('/').map_or("", |(d, _)| d).to_string(),
        blob: oid,
    }))
}

fn read_version(
    repo: &Repository,
    root: &Path,
    path: &str,
    oid: Option<Oid>,
    cache: &mut Versions,
) -> Result<Read, HistoryError> {
    let Some(oid) = oid else { return Ok(Ok(None)) };
    let key = (path.to_string(), oid);
    if let Some(v) = cache.0.get(&key) {
        return Ok(v.clone().map(Some));
    }
    let v = parse_blob(repo, root, path, oid)?.map(Arc::new);
    cache.0.insert(key, v.clone());
    Ok(v.map(Some))
}

/// The newest readable version of `path` before commit `oid` along its
/// `parent`th parent (then first parents): what an unreadable version is judged against.
fn last_readable(
    repo: &Repository,
    root: &Path,
    oid: Oid,
    parent: usize,
    path: &str,
    cache: &mut Versions,
) -> Result<Option<Arc<Version>>, HistoryError> {
    let first = repo.find_commit(oid)?;
    if parent >= first.parent_count() {
        return Ok(None);
    }
    let mut commit = first.parent(parent)?;
    for _ in 0..1000 {
        let blob = match commit.tree()?.get_path(Path::new(path)) {
            Ok(e) => e.id(),
            Err(e) if e.code() == git2::ErrorCode::NotFound && e.class() != git2::ErrorClass::Odb => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        match read_version(repo, root, path, Some(blob), cache)? {
            Ok(v) => return Ok(v),
            Err(_) if commit.parent_count() > 0 => commit = commit.parent(0)?,
            Err(_) => return Ok(None),
        }
    }
    Ok(None)
}

/// IDs the commit entered into the disposal register.
fn newly_disposed(
    repo: &Repository,
    register: Option<(Option<Oid>, Option<Oid>)>,
) -> Result<BTreeSet<String>, HistoryError> {
    let ids = |oid: Option<Oid>| -> Result<BTreeSet<String>, HistoryError> {
        let Some(oid) = oid else {
            return Ok(BTreeSet::new());
        };
        Ok(record::register_ids(&String::from_utf8_lossy(
            find_blob(repo, oid)?.content(),
        )))
    };
    Ok(match register {
        Some((before, after)) => ids(after)?.difference(&ids(before)?).cloned().collect(),
        None => BTreeSet::new(),
    })
}

/// Judge every file change of one commit.
fn judge_commit(
    ctx: &Context,
    repo: &Repository,
    c: &CommitChanges,
    at_since: &HashMap<String, (String, Oid)>,
    cache: &mut Versions,
) -> Result<Vec<Diagnostic>, HistoryError> {
    let root = ctx.config.root.as_path();
    let disposed = newly_disposed(repo, c.register)?;
    let mut out = Vec::new();
    // Parse every version once. An unreadable new version is reported (and
    // not judged); an unreadable old one is replaced by the last readable.
    let mut items: Vec<Item> = Vec::new();
    for f in &c.files {
        let after = match read_version(repo, root, &f.path, f.after, cache)? {
            Ok(v) => v,
            Err(d) => {
                out.push(*d);
                continue;
            }
        };
        let mut before = Vec::with_capacity(f.before.len());
        for (i, o) in f.before.iter().enumerate() {
            before.push(match read_version(repo, root, &f.path, *o, cache)? {
                Ok(v) => v,
                Err(_) => last_readable(repo, root, c.oid, i, &f.path, cache)?,
            });
        }
        items.push((f.path.clone(), before, after));
    }
    for d in &mut out {
        d.record = None;
        d.commit = Some(c.sha.clone());
        d.author = Some(c.author.clone());
        d.subject = Some(c.subject.clone());
    }
    // Whether a record file other than `path` has `id`, at REV or in this
    // commit's tree (read only for a candidate renumbering, which is rare).
    let tree = std::cell::OnceCell::new();
    let taken = |id: &str, path: &str| {
        at_since.get(id).is_some_and(|(p, _)| p != path)
            || tree
                .get_or_init(|| record_paths(repo, &ctx.config, c.oid))
                .as_ref()
                .is_none_or(|paths: &Vec<String>| paths.iter().any(|p| p != path && stem_of(p) == Some(id)))
    };
    pair_moves(&mut items, &taken);

    for (path, before, after) in &items {
        if before.iter().all(Option::is_none) && after.is_none() {
            continue;
        }
        // Legal if legal from at least one parent: keep the fewest findings, none if any parent is clean.
        let mut best: Option<Vec<Diagnostic>> = None;
        let who = Actor {
            author: &c.author,
            at: c.at(),
            guards: true,
        };
        for old in before {
            let mut found = judge_file(ctx, &who, path, old.as_deref(), after.as_deref(), &disposed, at_since);
            for d in &mut found {
                d.commit = Some(c.sha.clone());
                d.author = Some(c.author.clone());
                d.subject = Some(c.subject.clone());
            }
            if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                best = Some(found);
            }
            if best.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        out.extend(best.unwrap_or_default());
    }
    Ok(out)
}

/// A record removed from one path and added at another in the same commit
/// (same ID) is a move: judge it as one change. So is a renumbering (see
/// [`is_renumbering`]) to an ID that no other file has (`taken(id, path)`
/// says whether a file other than `path` has it).
fn pair_moves(items: &mut Vec<Item>, taken: &dyn Fn(&str, &str) -> bool) {
    let id_of = |v: &Option<Arc<Version>>| v.as_ref().and_then(|v| v.record.id().map(str::to_string));
    let mut i = 0;
    while i < items.len() {
        let removed = items[i].2.is_none() && items[i].1.len() == 1 && items[i].1[0].is_some();
        if removed {
            let id = id_of(&items[i].1[0]);
            let added = |(_, b, a): &Item| b.len() == 1 && b[0].is_none() && a.is_some();
            let target = items.iter().position(|it| added(it) && id_of(&it.2) == id).or_else(|| {
                let old = &items[i].1[0].as_ref()?.record;
                items.iter().position(|it| {
                    added(it)
                        && it.2.as_ref().is_some_and(|new| {
                            is_renumbering(old, &new.record) && new.record.id().is_some_and(|n| !taken(n, &it.0))
                        })
                })
            });
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

/// Whether `new` is `old` given another ID, as `casework renumber` makes
/// it: the same front-matter but for `id`, and for `related` entries that
/// named the old ID and name the new one. The body may differ, as in any change.
fn is_renumbering(old: &Record, new: &Record) -> bool {
    let (Some(from), Some(to)) = (old.id(), new.id()) else {
        return false;
    };
    if from == to {
        return false;
    }
    let mut expected = old.data.clone();
    expected["id"] = to.into();
    if let Some(serde_json::Value::Array(items)) = expected.get_mut("related") {
        for item in items.iter_mut().filter(|v| v.as_str() == Some(from)) {
            *item = to.into();
        }
    }
    expected == new.data
}

/// The root-relative paths of the record files in commit `oid`'s tree;
/// `None` when the tree cannot be read (then every ID counts as taken).
fn record_paths(repo: &Repository, config: &Config, oid: Oid) -> Option<Vec<String>> {
    let layout = layout_of(repo, config).ok()?;
    let tree = repo.find_commit(oid).ok()?.tree().ok()?;
    let found = records_in_tree(repo, &tree, &layout).ok()?;
    Some(found.into_iter().map(|r| r.path).collect())
}

/// Who made a change and when: a commit's author and time, or the acting
/// user now for the working tree.
pub(crate) struct Actor<'a> {
    pub author: &'a str,
    pub at: chrono::DateTime<chrono::Utc>,
    /// Whether to judge the new state's guards too (the working tree's are
    /// judged by the plain check already).
    pub guards: bool,
}

/// The findings of one change of one file.
fn judge_file(
    ctx: &Context,
    c: &Actor,
    path: &str,
    old: Option<&Version>,
    new: Option<&Version>,
    disposed: &BTreeSet<String>,
    at_since: &HashMap<String, (String, Oid)>,
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
        author: c.author,
        at: c.at,
        disposed: id.as_ref().is_some_and(|i| disposed.contains(i)),
        // Only `pair_moves` joins versions of two paths with two IDs, and only for a renumbering.
        renumbered: old
            .zip(new)
            .is_some_and(|(o, n)| o.record.file.path != path && o.record.id() != n.record.id()),
    };
    let mut found: Vec<(Code, Option<String>, String)> = workflow::judge(config, &change)
        .into_iter()
        .map(|v| (v.code, v.field, v.message))
        .collect();

    let mut schema_findings = Vec::new();
    if let Some(n) = new {
        let status = n.record.status();
        let entered = old.is_none_or(|o| o.record.status() != status);
        if entered && c.guards {
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
            // At another path, or at this one with other content: two
            // branches that each ran `new` (an add/add conflict to come).
            && let Some((other, _)) = at_since.get(idv).filter(|(p, blob)| p.as_str() != path || *blob != n.blob)
        {
            let suggestion = kind
                .parse_id(idv)
                .and_then(|(year, _)| record::next_sequence(config, kind, year).map(|seq| kind.format_id(year, seq)))
                .map(|s| format!(", e.g. {s}"))
                .unwrap_or_default();
            found.push((
                Code::DuplicateId,
                Some("id".into()),
                format!(
                    "{idv} is added by this change but {other} already has it: on this change's branch, give it the next free ID{suggestion} with `casework renumber {idv} --path {path}`"
                ),
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
            } else if code == Code::ArchivedModified
                && let (Some(o), Some(n)) = (old, new)
            {
                d = d.at(first_change(&o.record.text, &n.record.text));
            }
            d
        })
        .collect();
    out.extend(schema_findings);
    out
}

/// The first line of `new` that differs from `old` (the whole line, `end`
/// exclusive): where
/// a change to a record that no field names is shown.
fn first_change(old: &str, new: &str) -> crate::diag::Span {
    let (mut a, mut b) = (old.split_inclusive('\n'), new.split_inclusive('\n'));
    let mut line = 1;
    let mut last = "";
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => {
                line += 1;
                last = y;
            }
            // A change in this line, or lines removed at the end (shown at the last line).
            (_, Some(y)) => return line_span(line, y),
            (_, None) => return line_span((line - 1).max(1), last),
        }
    }
}

fn line_span(line: usize, text: &str) -> crate::diag::Span {
    use crate::diag::{Pos, Span};
    let width = text.trim_end_matches(['\n', '\r']).chars().count();
    Span {
        start: Pos { line, column: 1 },
        end: Pos {
            line,
            column: width + 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_changed_line_is_found_at_the_start_middle_and_end() {
        let at = |a: &str, b: &str| {
            let s = first_change(a, b);
            (s.start.line, s.end.column)
        };
        assert_eq!(at("a\nb\nc\n", "a\nB2\nc\n"), (2, 3));
        assert_eq!(at("a\nb\n", "x\nb\n"), (1, 2));
        assert_eq!(at("a\nb\n", "a\nb\nc\n"), (3, 2));
        assert_eq!(at("a\nb\nc\n", "a\nb\n"), (2, 2));
        assert_eq!(at("a\r\nbody\r\n", "a\r\nbody!\r\n"), (2, 6));
    }

    /// A handle that cannot be opened for a run (the repository went away
    /// meanwhile) stops the check; it once gave that run no findings.
    #[test]
    fn a_run_whose_handle_cannot_be_opened_is_an_error_not_a_clean_run() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::parse(dir.path(), Config::default_toml()).unwrap();
        let ctx = Context::new(config, chrono::Utc::now());
        let plan = Plan {
            repo_path: dir.path().join("gone/.git"),
            layout: Layout {
                prefix: String::new(),
                records: "records/".into(),
                register: "disposals.csv".into(),
            },
            oids: vec![Oid::ZERO_SHA1],
            at_since: HashMap::new(),
            since: None,
        };
        assert!(matches!(judge(&ctx, &plan), Err(HistoryError::Open(..))));
    }
}
