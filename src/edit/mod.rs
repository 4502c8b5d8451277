//! Everything that writes to the records repository: scaffolding (`init`),
//! new records, atomic writes, and the [`Transaction`] that every writer
//! goes through (lock, writes, commit, and undo when any step fails).

pub mod automatic;
pub mod dispose;
pub mod import;
pub mod init;
pub mod new;
pub mod renumber;
pub mod text;
pub mod transaction;
pub mod transition;
pub mod value;

pub use transaction::Transaction;

use crate::files;
use anyhow::{Context as _, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Write `contents` to `path` through a temporary file in the same folder
/// and a rename, so readers never see half a file. With `create_new`, an
/// existing file is never replaced.
pub fn write_atomic(path: &Path, contents: &[u8], create_new: bool) -> Result<()> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    let tmp = write_temp(path, contents, true)?;
    if create_new {
        tmp.persist_noclobber(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot create {}", path.display()))?;
    } else {
        tmp.persist(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// `contents` in a temporary file beside `path` (whose folder exists), to
/// be renamed onto it (removed if it never is); with `sync`, on disk
/// before this returns.
fn write_temp(path: &Path, contents: &[u8], sync: bool) -> Result<tempfile::TempPath> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".casework-");
    // A new file gets 0666 less the umask, like any editor's (tempfile's default is 0600).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    // An existing file keeps its mode.
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    let mut tmp = tmp;
    tmp.write_all(contents)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    // Closed now: an import stages thousands of files, past any limit of open files.
    Ok(tmp.into_temp_path())
}

/// Every write so far on the file system holding `path` on disk, at once:
/// `syncfs(2)`, which the standard library does not offer. One call for
/// an import's 10,000 new files instead of an `fsync` each (seconds of
/// waiting on the disk). Elsewhere than Linux, each file is synced as it
/// is written instead (see [`Transaction::create_all`]).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn sync_filesystem(path: &Path) -> Result<()> {
    use std::os::fd::AsRawFd;
    let dir = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    // SAFETY: syncfs only reads the descriptor, which `dir` owns and keeps
    // open for the whole call; no memory of ours is passed.
    let rc = unsafe { libc::syncfs(dir.as_raw_fd()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error()).with_context(|| format!("cannot sync {}", path.display()))
    }
}

#[cfg(not(target_os = "linux"))]
fn sync_filesystem(_: &Path) -> Result<()> {
    Ok(())
}

/// Where a write to `path` inside `root` really goes. A record that is a
/// symlink to a file inside the root is written at its target, so the
/// link stays a link; a link or a folder (a linked kind folder) that leads
/// out of the root is refused, so no command writes outside the repository.
pub fn write_target(root: &Path, path: &Path) -> Result<PathBuf> {
    let outside = |to: &Path| {
        anyhow::anyhow!(
            "refusing to write {}: it leads out of the repository root (to {})",
            path.display(),
            to.display()
        )
    };
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return match files::resolve_inside(root, path) {
            Ok(real) if real.is_file() => Ok(real),
            Ok(real) => bail!(
                "refusing to write {}: it links to {}, which is not a file",
                path.display(),
                real.display()
            ),
            Err(files::ReadError::OutsideRoot(to)) => Err(outside(&to)),
            Err(e) => bail!(
                "refusing to write {}: the symlink cannot be followed ({e})",
                path.display()
            ),
        };
    }
    // The nearest folder that exists decides where new folders would be made.
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.exists() {
            return match files::resolve_inside(root, d) {
                Ok(_) => Ok(path.to_path_buf()),
                Err(files::ReadError::OutsideRoot(to)) => Err(outside(&to)),
                Err(e) => Err(anyhow::anyhow!("cannot write {}: {e}", path.display())),
            };
        }
        dir = d.parent();
    }
    Ok(path.to_path_buf())
}

/// Replace the record at `path` with `contents`, provided it still holds
/// `expected`: an editor that saved the file while casework was judging
/// its change must not lose that save. Call it while holding [`lock`].
/// Returns where the bytes were written (a linked record's target).
pub fn replace_record(root: &Path, path: &Path, expected: &str, contents: &[u8]) -> Result<PathBuf> {
    let target = write_target(root, path)?;
    // A file longer than the expected text has changed: no need to read it all.
    let now = match files::read(root, &target, expected.len() as u64) {
        Ok(bytes) => Some(bytes),
        Err(files::ReadError::TooLarge { .. }) => None,
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    if now.as_deref() != Some(expected.as_bytes()) {
        bail!(
            "{} changed on disk while casework was editing it; nothing was written: run the command again",
            path.display()
        );
    }
    write_atomic(&target, contents, false)?;
    Ok(target)
}

/// Held while a command reads, changes and commits records: writers of one
/// repository run one at a time, so none can lose another's change (two
/// `set`s of the same list, two `new`s taking the same ID, two commits
/// racing for git's index). An advisory lock (`flock`) on the git folder,
/// or on the root when it is not in a git repository: a folder that exists
/// already, so taking the lock creates no file (on Windows, which cannot
/// lock a folder, a `casework.lock` file in it), and the operating system
/// releases it when the process ends, however it ends.
pub struct Lock {
    _file: std::fs::File,
}

/// How long a writer waits for another to finish.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Take the writers' lock of the repository at `root`, waiting for the
/// writer that holds it.
pub fn lock(root: &Path) -> Result<Lock> {
    let path = match git2::Repository::discover(root) {
        Ok(repo) => repo.path().to_path_buf(),
        Err(_) => root.to_path_buf(),
    };
    // Unix locks the folder itself; elsewhere a folder cannot be opened as
    // a file, so a lock file inside it stands in.
    #[cfg(not(unix))]
    let path = path.join("casework.lock");
    #[cfg(not(unix))]
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path);
    #[cfg(unix)]
    let file = std::fs::File::open(&path);
    let file = file.with_context(|| format!("cannot open {} to lock it", path.display()))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another casework command has been writing in this repository for over {} s (lock {}); try again when it has finished",
                LOCK_WAIT.as_secs(),
                path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
    }
}

/// Whether `path` (relative to `root`) differs from what git has committed.
pub fn has_uncommitted_changes(root: &Path, path: &str) -> Result<bool> {
    let out = std::process::Command::new("git")
        .current_dir(root)
        .args(["status", "--porcelain", "--", path])
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        anyhow::bail!("git status failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(!out.stdout.is_empty())
}
