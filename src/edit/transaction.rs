//! One change of the records repository, all or nothing: the writers' lock,
//! atomic writes of any number of files, then a commit or not. If anything
//! fails before the end (a write, `git add`, a hook that rejects the
//! commit), every file touched is put back as it was and so is each one's
//! entry in git's index; paths the transaction did not touch are left alone.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! # let root = std::path::Path::new(".");
//! let mut tx = casework::edit::Transaction::begin(root)?;
//! tx.create("records/request/REQ-2026-0001.md", b"---\n...")?;
//! tx.write("disposals.csv", b"id,kind\n")?;
//! tx.remove("records/request/REQ-2025-0001.md")?;
//! tx.commit("REQ-2026-0001: new request")?; // or tx.finish() to keep the files uncommitted
//! # Ok(()) }
//! ```

use super::{Lock, lock, write_atomic, write_target};
use crate::files;
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A change in progress; dropping it without [`commit`](Self::commit) or
/// [`finish`](Self::finish) undoes its writes.
pub struct Transaction {
    root: PathBuf,
    _lock: Lock,
    /// What each touched path held before, in the order first touched.
    undo: Vec<Undo>,
    /// Where each target is in `undo`: an import touches 10,000 files,
    /// and a search of the list per file would be quadratic.
    index: std::collections::HashMap<PathBuf, usize>,
    open: bool,
}

struct Undo {
    /// Relative to the root, `/`-separated: the name given to git.
    rel: String,
    /// Where the bytes really are (a linked record's target).
    target: PathBuf,
    /// The old content; `None` for a file the transaction created.
    before: Option<Vec<u8>>,
    /// What the transaction left there; `None` once removed. An undo
    /// leaves a file that no longer holds it (saved meanwhile) alone.
    written: Option<Vec<u8>>,
    /// Folders made for a new file, deepest first, removed again on undo.
    made_dirs: Vec<PathBuf>,
    /// The mode of a removed file, given back when it is restored.
    mode: Option<std::fs::Permissions>,
}

impl Transaction {
    /// Take the writers' lock of the repository at `root` (see [`lock`]) and
    /// start a change. The lock is held until the transaction ends.
    pub fn begin(root: &Path) -> Result<Transaction> {
        Ok(Transaction {
            root: root.to_path_buf(),
            _lock: lock(root)?,
            undo: Vec::new(),
            index: std::collections::HashMap::new(),
            open: true,
        })
    }

    /// Create `rel`, which must not exist yet (a file that appeared
    /// meanwhile is an error and is left alone).
    pub fn create(&mut self, rel: &str, contents: &[u8]) -> Result<()> {
        let target = write_target(&self.root, &self.root.join(rel))?;
        let made_dirs = missing_dirs(&target);
        write_atomic(&target, contents, true)?;
        self.note(rel, target, None, Some(contents), made_dirs);
        Ok(())
    }

    /// Create many new files (`casework import`), none of which may exist
    /// yet: each is written beside its place (in parallel), the file system
    /// is synced once, then each is renamed into place and the renames
    /// synced. As safe as [`create`](Self::create) for each, without an
    /// `fsync` each, and each folder is checked (and made) once, not once a
    /// file: 10,000 files in one folder cost a fraction of a second.
    pub fn create_all<'a>(&mut self, files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<()> {
        use rayon::prelude::*;
        let per_file = !cfg!(target_os = "linux");
        let mut folders: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
        let mut staged = Vec::new();
        for (rel, contents) in files {
            let path = self.root.join(rel);
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let mut made_dirs = Vec::new();
            if folders.insert(dir.clone()) {
                // Where the folder really is decides where the files go.
                let target = write_target(&self.root, &path)?;
                if target != path {
                    bail!("refusing to create {rel}: it exists already");
                }
                made_dirs = missing_dirs(&path);
                std::fs::create_dir_all(&dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
            }
            staged.push((rel, path, made_dirs, contents));
        }
        let written: Vec<Result<tempfile::TempPath>> = staged
            .par_iter()
            .map(|(_, path, _, contents)| super::write_temp(path, contents, per_file))
            .collect();
        let temps = written.into_iter().collect::<Result<Vec<_>>>()?;
        super::sync_filesystem(&self.root)?;
        let placed: Vec<Result<()>> = staged
            .par_iter()
            .zip(temps)
            .map(|((_, path, _, _), tmp)| {
                tmp.persist_noclobber(path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("cannot create {}", path.display()))
            })
            .collect();
        // Every file placed is noted, so that a failure undoes them all.
        let mut first_error = None;
        for ((rel, path, made_dirs, contents), r) in staged.into_iter().zip(placed) {
            match r {
                Ok(()) => self.note(rel, path, None, Some(contents), made_dirs),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => super::sync_filesystem(&self.root),
        }
    }

    /// Replace the record `rel`, provided it still holds `expected` (see
    /// [`super::replace_record`]).
    pub fn replace(&mut self, rel: &str, expected: &str, contents: &[u8]) -> Result<()> {
        let target = super::replace_record(&self.root, &self.root.join(rel), expected, contents)?;
        self.note(
            rel,
            target,
            Some(expected.as_bytes().to_vec()),
            Some(contents),
            Vec::new(),
        );
        Ok(())
    }

    /// Write `rel` whatever it holds now, creating it if need be (a
    /// register that grows by a line).
    pub fn write(&mut self, rel: &str, contents: &[u8]) -> Result<()> {
        let target = write_target(&self.root, &self.root.join(rel))?;
        let before = self.current(rel, &target)?;
        let made_dirs = missing_dirs(&target);
        write_atomic(&target, contents, false)?;
        self.note(rel, target, before, Some(contents), made_dirs);
        Ok(())
    }

    /// Remove the file `rel`. A symlink is refused: undoing its removal
    /// would have to recreate the link.
    pub fn remove(&mut self, rel: &str) -> Result<()> {
        let path = self.root.join(rel);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            bail!("refusing to remove {rel}: it is a symbolic link");
        }
        let target = write_target(&self.root, &path)?;
        let Some(before) = self.current(rel, &target)? else {
            bail!("cannot remove {rel}: there is no such file");
        };
        let mode = std::fs::metadata(&target).map(|m| m.permissions()).ok();
        std::fs::remove_file(&target).with_context(|| format!("cannot remove {rel}"))?;
        self.note(rel, target, Some(before), None, Vec::new());
        if let Some(u) = self.undo.iter_mut().find(|u| u.rel == rel && u.mode.is_none()) {
            u.mode = mode;
        }
        Ok(())
    }

    /// Stage and commit exactly the touched paths with `message`, running
    /// the `git` program so that the user's hooks, signing and identity
    /// apply. Other staged paths stay staged and out of the commit. On
    /// failure the files and their index entries are restored.
    pub fn commit(mut self, message: &str) -> Result<()> {
        let paths: Vec<&str> = self.undo.iter().map(|u| u.rel.as_str()).collect();
        if paths.is_empty() {
            self.open = false;
            return Ok(());
        }
        let staged = match git(
            &self.root,
            &["ls-files", "--stage", "-z", "--full-name", "--"],
            &paths,
            None,
        ) {
            Ok(out) => out,
            Err(e) => return Err(self.undo_after(e, None)),
        };
        let result = git(&self.root, &["add", "--"], &paths, None).and_then(|_| {
            git(
                &self.root,
                &["commit", "--quiet", "-m", message, "--only", "--"],
                &paths,
                None,
            )
        });
        match result {
            Ok(_) => {
                self.open = false;
                Ok(())
            }
            Err(e) => Err(self.undo_after(e, Some(&staged))),
        }
    }

    /// End the change and keep the files as written, uncommitted.
    pub fn finish(mut self) {
        self.open = false;
    }

    /// Undo every write now, reporting what could not be undone.
    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        self.restore_files()
    }

    /// Undo after `cause`; with the index entries `staged` (as `git
    /// ls-files --stage -z` printed them) also restore the index.
    fn undo_after(&mut self, cause: anyhow::Error, staged: Option<&[u8]>) -> anyhow::Error {
        self.open = false;
        let mut failed = self.restore_files().err();
        if let Some(staged) = staged
            && let Err(e) = self.restore_index(staged)
        {
            failed.get_or_insert(e);
        }
        match failed {
            None => cause,
            Some(e) => cause.context(format!("the repository could not be put back as it was: {e:#}")),
        }
    }

    fn restore_files(&mut self) -> Result<()> {
        let mut first_error = None;
        for u in self.undo.iter().rev() {
            let now = match self.current(&u.rel, &u.target) {
                Ok(now) => now,
                Err(e) => {
                    first_error.get_or_insert(e);
                    continue;
                }
            };
            if now != u.written {
                first_error.get_or_insert(anyhow::anyhow!("{} changed meanwhile and was left as it is", u.rel));
                continue;
            }
            let done = match &u.before {
                Some(bytes) => write_atomic(&u.target, bytes, false).and_then(|()| match &u.mode {
                    Some(mode) => std::fs::set_permissions(&u.target, mode.clone())
                        .with_context(|| format!("cannot restore the mode of {}", u.rel)),
                    None => Ok(()),
                }),
                None => match std::fs::remove_file(&u.target) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        Err(anyhow::Error::new(e).context(format!("cannot remove {}", u.rel)))
                    }
                    _ => {
                        for d in &u.made_dirs {
                            // Only while empty: another file may have been put there.
                            let _ = std::fs::remove_dir(d);
                        }
                        Ok(())
                    }
                },
            };
            if let Err(e) = done {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Put the index entries of the touched paths back: drop what `git add`
    /// staged, then feed back what was there before (blob, mode and stage),
    /// so a change the user had staged stays staged.
    fn restore_index(&self, staged: &[u8]) -> Result<()> {
        let paths: Vec<&str> = self.undo.iter().map(|u| u.rel.as_str()).collect();
        git(&self.root, &["update-index", "--force-remove", "--"], &paths, None)?;
        if !staged.is_empty() {
            git(&self.root, &["update-index", "-z", "--index-info"], &[], Some(staged))?;
        }
        Ok(())
    }

    /// The content of `rel` now, `None` if there is no file.
    fn current(&self, rel: &str, target: &Path) -> Result<Option<Vec<u8>>> {
        if std::fs::symlink_metadata(target).is_err() {
            return Ok(None);
        }
        match files::read(&self.root, target, u64::MAX) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) => bail!("cannot read {rel}: {e}"),
        }
    }

    fn note(
        &mut self,
        rel: &str,
        target: PathBuf,
        before: Option<Vec<u8>>,
        written: Option<&[u8]>,
        made_dirs: Vec<PathBuf>,
    ) {
        let written = written.map(<[u8]>::to_vec);
        // A path touched again keeps its first content to restore.
        if let Some(&i) = self.index.get(&target) {
            self.undo[i].written = written;
            return;
        }
        self.index.insert(target.clone(), self.undo.len());
        self.undo.push(Undo {
            rel: rel.to_string(),
            target,
            before,
            written,
            made_dirs,
            mode: None,
        });
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if self.open {
            let _ = self.restore_files();
        }
    }
}

/// The folders above `path` that do not exist yet, deepest first.
fn missing_dirs(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        out.push(d.to_path_buf());
        dir = d.parent();
    }
    out
}

/// Why git could not author a commit in `root` (no name or email it can
/// use), in git's words; `None` when it can. Asked before any change is
/// made, so that `--commit` is refused rather than rolled back.
pub fn missing_identity(root: &Path) -> Option<String> {
    ["GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"].iter().find_map(|var| {
        git(root, &["var", var], &[], None).err().map(|e| {
            let text = format!("{e:#}");
            text.lines()
                .map(str::trim)
                .find(|l| l.starts_with("fatal:"))
                .unwrap_or(text.lines().next().unwrap_or_default())
                .to_string()
        })
    })
}

/// Run `git ARGS PATHS` in `root` (pathspecs taken literally), with `input`
/// on stdin; its stdout, or an error naming the subcommand and git's message.
/// Paths given on one command line at most: a sweep or an archive run may
/// commit tens of thousands of files, past the system's argument limit.
const PATHS_PER_RUN: usize = 1000;

/// Run git with `args` then `paths`. `add` and `commit` read many paths
/// from stdin (`--pathspec-from-file`), as one commit must take them all;
/// other commands run once per [`PATHS_PER_RUN`] paths, outputs joined.
fn git(root: &Path, args: &[&str], paths: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>> {
    if paths.len() <= PATHS_PER_RUN || input.is_some() {
        return git_run(root, args, paths, input);
    }
    if matches!(args.first(), Some(&"add" | &"commit")) {
        let args: Vec<&str> = args
            .iter()
            .copied()
            .filter(|a| *a != "--")
            .chain(["--pathspec-from-file=-", "--pathspec-file-nul"])
            .collect();
        let list: Vec<u8> = paths.iter().flat_map(|p| p.bytes().chain([0])).collect();
        return git_run(root, &args, &[], Some(&list));
    }
    let mut out = Vec::new();
    for run in paths.chunks(PATHS_PER_RUN) {
        out.extend(git_run(root, args, run, None)?);
    }
    Ok(out)
}

fn git_run(root: &Path, args: &[&str], paths: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>> {
    let mut child = Command::new("git")
        .current_dir(root)
        .arg("--literal-pathspecs")
        .args(args)
        .args(paths)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run git")?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        use std::io::Write as _;
        stdin.write_all(input).context("cannot write to git")?;
    }
    let out = child.wait_with_output().context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git_in(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git").current_dir(dir).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A git repository with `a.txt` and `b.txt` in the index (not committed).
    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git_in(root, &["init", "-q"]);
        std::fs::write(root.join("a.txt"), "a\n").unwrap();
        std::fs::write(root.join("b.txt"), "b\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(root.join("b.txt"), std::fs::Permissions::from_mode(0o750)).unwrap();
        }
        git_in(root, &["add", "a.txt", "b.txt"]);
        dir
    }

    fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(root)
            .into_iter()
            .filter_entry(|e| e.file_name() != ".git")
            .map(|e| e.unwrap())
            .map(|e| {
                let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().into_owned();
                let bytes = if e.file_type().is_file() {
                    std::fs::read(e.path()).unwrap()
                } else {
                    b"/".to_vec()
                };
                (rel, bytes)
            })
            .collect();
        out.sort();
        out
    }

    /// Create in a new folder, overwrite, remove: all of it undone.
    fn change(tx: &mut Transaction) {
        tx.create("new/dir/c.txt", b"c\n").unwrap();
        tx.write("a.txt", b"a2\n").unwrap();
        tx.write("a.txt", b"a3\n").unwrap();
        tx.remove("b.txt").unwrap();
    }

    #[test]
    fn dropped_or_rolled_back_leaves_the_files_as_they_were() {
        let dir = repo();
        let before = files(dir.path());
        let mut tx = Transaction::begin(dir.path()).unwrap();
        change(&mut tx);
        assert_ne!(files(dir.path()), before);
        drop(tx);
        assert_eq!(files(dir.path()), before);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("b.txt"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o750, "the removed file comes back with its mode");
        }
        let mut tx = Transaction::begin(dir.path()).unwrap();
        change(&mut tx);
        tx.rollback().unwrap();
        assert_eq!(files(dir.path()), before);
    }

    #[test]
    fn a_commit_of_more_files_than_one_command_line_holds_takes_them_all() {
        let dir = repo();
        let root = dir.path();
        git_in(root, &["config", "user.name", "t"]);
        git_in(root, &["config", "user.email", "t@example.com"]);
        git_in(root, &["commit", "-qm", "base"]);
        // 1,500 paths of 1,500 bytes: past Linux's 2 MiB for one command line.
        let deep = vec!["d".repeat(249); 6].join("/");
        let mut tx = Transaction::begin(root).unwrap();
        for i in 0..1_500 {
            tx.create(&format!("{deep}/{i:04}.md"), b"x\n").unwrap();
        }
        tx.commit("many").unwrap();
        let listed = git_in(root, &["show", "--name-only", "--format=", "HEAD"]);
        assert_eq!(listed.lines().count(), 1_500);
    }

    #[test]
    fn finish_keeps_the_files_and_leaves_the_index_alone() {
        let dir = repo();
        let index = git_in(dir.path(), &["ls-files", "--stage"]);
        let mut tx = Transaction::begin(dir.path()).unwrap();
        change(&mut tx);
        tx.finish();
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"a3\n");
        assert_eq!(std::fs::read(dir.path().join("new/dir/c.txt")).unwrap(), b"c\n");
        assert!(!dir.path().join("b.txt").exists());
        assert_eq!(git_in(dir.path(), &["ls-files", "--stage"]), index);
    }

    #[cfg(unix)]
    #[test]
    fn a_refused_commit_restores_files_and_index_entries() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = repo();
        let root = dir.path();
        let hook = root.join(".git/hooks/pre-commit");
        std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
        std::fs::write(&hook, "#!/bin/sh\nexit 1\n").unwrap();
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
        // A staged change of a.txt that differs from the work tree.
        std::fs::write(root.join("a.txt"), "a staged\n").unwrap();
        git_in(root, &["add", "a.txt"]);
        std::fs::write(root.join("a.txt"), "a edited\n").unwrap();
        let (before, index) = (files(root), git_in(root, &["ls-files", "--stage"]));
        let mut tx = Transaction::begin(root).unwrap();
        change(&mut tx);
        let err = tx.commit("change").unwrap_err();
        assert!(format!("{err:#}").contains("git commit failed"), "{err:#}");
        assert!(!format!("{err:#}").contains("could not be put back"), "{err:#}");
        assert_eq!(files(root), before);
        assert_eq!(git_in(root, &["ls-files", "--stage"]), index);
    }

    #[test]
    fn undo_leaves_a_file_saved_meanwhile_alone() {
        let dir = repo();
        let mut tx = Transaction::begin(dir.path()).unwrap();
        tx.write("a.txt", b"a2\n").unwrap();
        std::fs::write(dir.path().join("a.txt"), "saved by an editor\n").unwrap();
        let err = tx.rollback().unwrap_err();
        assert!(err.to_string().contains("changed meanwhile"), "{err}");
        assert_eq!(
            std::fs::read(dir.path().join("a.txt")).unwrap(),
            b"saved by an editor\n"
        );
    }
}
