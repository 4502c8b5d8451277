//! Everything that writes to the records repository: scaffolding (`init`),
//! new records, atomic writes and commits.

pub mod init;
pub mod new;
pub mod text;
pub mod transition;
pub mod value;

use anyhow::{Context as _, Result};
use std::io::Write;
use std::path::Path;

/// Write `contents` to `path` through a temporary file in the same folder
/// and a rename, so readers never see half a file. With `create_new`, an
/// existing file is never replaced.
pub fn write_atomic(path: &Path, contents: &[u8], create_new: bool) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
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
    tmp.as_file().sync_all()?;
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

/// Commit exactly `paths` (relative to `root`) with `message`.
///
/// Runs the `git` program rather than libgit2 so that the user's hooks,
/// signing settings and identity apply exactly as for their own commits.
pub fn commit(root: &Path, paths: &[&str], message: &str) -> Result<()> {
    let run = |args: &[&str]| -> Result<()> {
        let out = std::process::Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .context("cannot run git")?;
        if !out.status.success() {
            anyhow::bail!(
                "git {} failed: {}",
                args.first().copied().unwrap_or_default(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    };
    let mut add = vec!["add", "--"];
    add.extend_from_slice(paths);
    run(&add)?;
    let mut commit = vec!["commit", "--quiet", "-m", message, "--"];
    commit.extend_from_slice(paths);
    if let Err(e) = run(&commit) {
        // Leave the index as it was: unstage what `git add` staged.
        let mut reset = vec!["reset", "--quiet", "--"];
        reset.extend_from_slice(paths);
        let _ = run(&reset);
        return Err(e);
    }
    Ok(())
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
