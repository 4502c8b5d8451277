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

/// The previous site's marker, when it has one.
fn marker(out: &Path) -> Option<serde_json::Value> {
    std::fs::read(out.join(MARKER))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
}

/// The previous site's pages and their hashes, from its marker.
pub fn previous(out: &Path) -> BTreeMap<String, String> {
    marker(out)
        .and_then(|v| serde_json::from_value(v.get("pages")?.clone()).ok())
        .unwrap_or_default()
}

/// What the previous build of `out` wrote, when it was built from exactly
/// `inputs` (see [`Site`]) and every page of it is still there: its page
/// and case counts. Then a build has nothing to do.
pub fn unchanged(out: &Path, inputs: &str) -> Option<Previous> {
    let m = marker(out)?;
    if m.get("inputs").and_then(|v| v.as_str()) != Some(inputs) {
        return None;
    }
    let pages: BTreeMap<String, String> = serde_json::from_value(m.get("pages")?.clone()).ok()?;
    let cases = m.get("cases").and_then(serde_json::Value::as_u64)? as usize;
    let no_history = m.get("no_history").and_then(|v| v.as_str()).map(str::to_string);
    pages
        .keys()
        .all(|p| is_safe(p) && out.join(p).is_file())
        .then_some(Previous {
            pages: pages.len(),
            cases,
            no_history,
        })
}

/// The previous build, as its marker tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    pub pages: usize,
    pub cases: usize,
    /// Why its case pages had no timeline (said again by a build that reuses it).
    pub no_history: Option<String>,
}

/// What a build writes beside its pages into the marker.
#[derive(Debug, Clone, Copy, Default)]
pub struct Site<'a> {
    /// The hash of everything the build read ([`unchanged`]); `None`
    /// when the build cannot be repeated from it (a record left out, no
    /// history): the next build then does all its work again.
    pub inputs: Option<&'a str>,
    /// Case pages in the site.
    pub cases: usize,
    /// Why the case pages have no timeline, if they have none.
    pub no_history: Option<&'a str>,
}

/// Write `pages` (root-relative path, bytes) as the site in `out`, with
/// the pages `kept` as the previous site has them (pages not rendered
/// again because their inputs did not change; each must be in it).
pub fn write(out: &Path, pages: &[(String, Vec<u8>)], kept: &[String], site: Site) -> Result<Written, OutputError> {
    let io = |e: std::io::Error| OutputError::Io(out.display().to_string(), e);
    let old = previous(out);
    let mut hashes: BTreeMap<String, String> = pages.iter().map(|(p, b)| (p.clone(), hash(b))).collect();
    for p in kept {
        match old.get(p) {
            Some(h) => hashes.insert(p.clone(), h.clone()),
            None => {
                return Err(OutputError::Refused(
                    p.clone(),
                    "a page kept from the previous site is not in it".into(),
                ));
            }
        };
    }
    let mut written = Written {
        pages: hashes.len(),
        changed: pages.iter().filter(|(p, _)| old.get(p) != hashes.get(p)).count(),
        removed: old.keys().filter(|p| !hashes.contains_key(*p)).count(),
    };
    let new_marker = serde_json::json!({
        "generator": "casework",
        "inputs": site.inputs,
        "cases": site.cases,
        "no_history": site.no_history,
        "pages": hashes,
    });
    let intact = || old.keys().all(|p| out.join(p).is_file());
    let link = |rel: &str, dest: &Path| {
        std::fs::hard_link(out.join(rel), dest).or_else(|_| std::fs::copy(out.join(rel), dest).map(|_| ()))
    };
    if written.changed == 0 && written.removed == 0 && out.join(MARKER).is_file() && intact() {
        // The same pages from other inputs (another time of day): only the marker says so.
        if marker(out).as_ref() != Some(&new_marker) {
            let tmp = tempfile::Builder::new()
                .prefix(".casework-marker-")
                .tempfile_in(out)
                .map_err(io)?;
            std::fs::write(tmp.path(), serde_json::to_vec_pretty(&new_marker).unwrap_or_default()).map_err(io)?;
            tmp.persist(out.join(MARKER)).map_err(|e| io(e.error))?;
        }
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
    for rel in kept {
        let dest = tmp.path().join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        link(rel, &dest).map_err(io)?;
    }
    std::fs::write(
        tmp.path().join(MARKER),
        serde_json::to_vec_pretty(&new_marker).unwrap_or_default(),
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
        let built = Site {
            inputs: Some("k1"),
            cases: 0,
            no_history: None,
        };
        assert_eq!(write(&site, &pages, &[], built).unwrap().changed, 2);
        check(&site, &root, &root.join("records")).unwrap();
        assert_eq!(unchanged(&site, "k1").map(|p| (p.pages, p.cases)), Some((2, 0)));
        assert_eq!(unchanged(&site, "k2"), None);
        let again = write(&site, &pages, &[], Site::default()).unwrap();
        assert_eq!((again.changed, again.removed), (0, 0));
        assert_eq!(
            unchanged(&site, "k1"),
            None,
            "the marker follows the last build's inputs"
        );
        let fewer = write(&site, &pages[..1], &[], Site::default()).unwrap();
        assert_eq!((fewer.changed, fewer.removed), (0, 1));
        assert!(!site.join("x/y.html").exists());
    }
}
