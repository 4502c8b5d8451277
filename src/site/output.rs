//! The output folder. casework writes only a folder it made: a marker file
//! holding the content hash of every page says so. A build is written into
//! a new folder beside the output and swapped in, so a failed build leaves
//! the previous site as it was; a page whose bytes did not change is
//! hard-linked from the previous site rather than written again, and a
//! build that changes nothing writes nothing.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The marker file in a site casework wrote: `{"pages": {path: hash}}`.
pub const MARKER: &str = ".casework-site";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{0} holds files casework did not write ({1} among them): give --out an empty or new folder, or one an earlier `casework build` wrote"
    )]
    Foreign(String, String),
    #[error("{0} is not a folder casework may build into: {1}")]
    Refused(String, String),
    #[error("cannot write the site to {0}: {1}")]
    Io(String, std::io::Error),
}

/// What a write changed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub pages: usize,
    /// Pages written anew (the others were linked from the previous site).
    pub changed: usize,
    pub removed: usize,
}

/// Refuse an output folder casework may not replace: the root itself, a
/// folder holding the root or the records, or a folder with files and no
/// marker.
pub fn check(out: &Path, root: &Path, records: &Path) -> Result<(), OutputError> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (o, r, rec) = (canon(out), canon(root), canon(records));
    let show = out.display().to_string();
    if r.starts_with(&o) || rec.starts_with(&o) {
        return Err(OutputError::Refused(show, "it holds the records repository".into()));
    }
    if o.starts_with(&rec) {
        return Err(OutputError::Refused(show, "it is inside the records folder".into()));
    }
    match std::fs::symlink_metadata(out) {
        Err(_) => Ok(()),
        Ok(m) if !m.is_dir() => Err(OutputError::Refused(show, "it is not a folder".into())),
        Ok(_) => {
            if out.join(MARKER).is_file() {
                return Ok(());
            }
            let first = std::fs::read_dir(out)
                .map_err(|e| OutputError::Io(show.clone(), e))?
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .next();
            match first {
                None => Ok(()),
                Some(name) => Err(OutputError::Foreign(show, name)),
            }
        }
    }
}

/// Whether `rel` is a plain relative path: no root, no `..`, no `.`.
pub fn is_safe(rel: &str) -> bool {
    !rel.is_empty() && !rel.contains('\\') && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)))
}

fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// The previous site's pages and their hashes, from its marker.
fn previous(out: &Path) -> BTreeMap<String, String> {
    std::fs::read(out.join(MARKER))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| serde_json::from_value(v.get("pages")?.clone()).ok())
        .unwrap_or_default()
}

/// Write `pages` (root-relative path, bytes) as the site in `out`.
pub fn write(out: &Path, pages: &[(String, Vec<u8>)]) -> Result<Written, OutputError> {
    let io = |e: std::io::Error| OutputError::Io(out.display().to_string(), e);
    let hashes: BTreeMap<String, String> = pages.iter().map(|(p, b)| (p.clone(), hash(b))).collect();
    let old = previous(out);
    let mut written = Written {
        pages: pages.len(),
        changed: pages.iter().filter(|(p, _)| old.get(p) != hashes.get(p)).count(),
        removed: old.keys().filter(|p| !hashes.contains_key(*p)).count(),
    };
    let intact = || old.keys().all(|p| out.join(p).is_file());
    if written.changed == 0 && written.removed == 0 && out.join(MARKER).is_file() && intact() {
        return Ok(written);
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io)?;
    let name = out
        .file_name()
        .map_or("site".into(), |n| n.to_string_lossy().into_owned());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.new-"))
        .tempdir_in(parent)
        .map_err(io)?;
    for (rel, bytes) in pages {
        if !is_safe(rel) {
            return Err(OutputError::Refused(
                rel.clone(),
                "a page path leaves the output folder".into(),
            ));
        }
        let dest = tmp.path().join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let same = old.get(rel) == hashes.get(rel);
        if !(same && std::fs::hard_link(out.join(rel), &dest).is_ok()) {
            std::fs::write(&dest, bytes).map_err(io)?;
            if same {
                written.changed += 1;
            }
        }
    }
    let marker = serde_json::json!({ "generator": "casework", "pages": hashes });
    std::fs::write(
        tmp.path().join(MARKER),
        serde_json::to_vec_pretty(&marker).unwrap_or_default(),
    )
    .map_err(io)?;
    swap(tmp.keep(), out, parent, &name).map_err(io)?;
    Ok(written)
}

/// Put the new folder in place of `out`, then remove the old one.
fn swap(new: PathBuf, out: &Path, parent: &Path, name: &str) -> std::io::Result<()> {
    if out.exists() {
        let old = tempfile::Builder::new()
            .prefix(&format!(".{name}.old-"))
            .tempdir_in(parent)?
            .keep();
        std::fs::remove_dir(&old)?;
        std::fs::rename(out, &old)?;
        if let Err(e) = std::fs::rename(&new, out) {
            let _ = std::fs::rename(&old, out);
            return Err(e);
        }
        std::fs::remove_dir_all(&old)?;
    } else {
        std::fs::rename(&new, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_stay_inside_the_output() {
        for ok in ["index.html", "cases/REQ-2026-0001.html", "assets/site.css"] {
            assert!(is_safe(ok), "{ok}");
        }
        for bad in ["", "../x.html", "/etc/passwd", "cases/../../x", "./x", "a\\..\\b"] {
            assert!(!is_safe(bad), "{bad}");
        }
    }

    #[test]
    fn a_folder_with_foreign_files_is_refused_and_an_unchanged_build_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("records")).unwrap();
        let out = dir.path().join("mine");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("thesis.docx"), "mine").unwrap();
        assert!(matches!(
            check(&out, &root, &root.join("records")),
            Err(OutputError::Foreign(..))
        ));
        assert!(matches!(
            check(&root, &root, &root.join("records")),
            Err(OutputError::Refused(..))
        ));
        let site = dir.path().join("site");
        let pages = vec![
            ("index.html".to_string(), b"a".to_vec()),
            ("x/y.html".to_string(), b"b".to_vec()),
        ];
        assert_eq!(write(&site, &pages).unwrap().changed, 2);
        check(&site, &root, &root.join("records")).unwrap();
        let again = write(&site, &pages).unwrap();
        assert_eq!((again.changed, again.removed), (0, 0));
        let fewer = write(&site, &pages[..1]).unwrap();
        assert_eq!((fewer.changed, fewer.removed), (0, 1));
        assert!(!site.join("x/y.html").exists());
    }
}
