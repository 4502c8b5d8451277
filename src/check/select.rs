//! `check PATH...`: which record files the paths on the command line name.

use crate::config::Config;
use crate::record::{self, RecordFile};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The files to load and the ones to report on.
#[derive(Debug)]
pub struct Selection {
    /// Every record file, plus any file named that the walk did not find
    /// (it is loaded, and refused if it leads out of the root).
    pub files: Vec<RecordFile>,
    /// The paths to report findings for; `None` for all. Links and
    /// duplicate IDs are still judged against every file.
    pub only: Option<HashSet<String>>,
}

/// Why a path cannot be checked (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error("{0}: no such file or folder")]
    Missing(String),
    #[error("{path} is outside the records repository at {root}")]
    OutsideRoot { path: String, root: String },
    #[error("{path} is not a record file: records live under {records}/ of {root}")]
    NotARecord {
        path: String,
        records: String,
        root: String,
    },
}

/// Resolve `paths` (relative to `base`) against the record files `found`.
/// A folder names the records under it; a file that is not a record by
/// [`record::is_record_path`] (a README, an attachment) is passed over.
pub fn select(
    config: &Config,
    base: &Path,
    paths: &[PathBuf],
    mut found: Vec<RecordFile>,
) -> Result<Selection, SelectError> {
    if paths.is_empty() {
        return Ok(Selection {
            files: found,
            only: None,
        });
    }
    let known: HashSet<String> = found.iter().map(|f| f.path.clone()).collect();
    let mut wanted = HashSet::new();
    let root = std::fs::canonicalize(&config.root).unwrap_or(config.root.clone());
    let records_prefix = format!("{}/", config.records_dir);
    for p in paths {
        let p = if p.is_relative() { base.join(p) } else { p.clone() };
        if !p.exists() {
            return Err(SelectError::Missing(p.display().to_string()));
        }
        // Resolve the folders but not the file itself: a symlink stays a symlink.
        let abs = match (p.parent(), p.file_name()) {
            (Some(dir), Some(name)) if !p.is_dir() => {
                std::fs::canonicalize(dir).unwrap_or(dir.to_path_buf()).join(name)
            }
            _ => std::fs::canonicalize(&p).unwrap_or(p.clone()),
        };
        let Some(rf) = record::record_file_at(&root, &abs) else {
            return Err(SelectError::OutsideRoot {
                path: p.display().to_string(),
                root: config.root.display().to_string(),
            });
        };
        let is_dir = abs.is_dir();
        if is_dir {
            let prefix = if rf.path.is_empty() {
                String::new()
            } else {
                format!("{}/", rf.path)
            };
            wanted.extend(known.iter().filter(|k| k.starts_with(&prefix)).cloned());
        } else if !rf.path.starts_with(&records_prefix) {
            return Err(SelectError::NotARecord {
                path: p.display().to_string(),
                records: config.records_dir.clone(),
                root: config.root.display().to_string(),
            });
        } else if record::is_record_path(&config.records_dir, &rf.path) {
            if !known.contains(&rf.path) {
                found.push(RecordFile {
                    abs: config.root.join(&rf.path),
                    ..rf.clone()
                });
            }
            wanted.insert(rf.path);
        }
        // Otherwise a README or a file of a case's folder: not a record, as in a full check.
    }
    Ok(Selection {
        files: found,
        only: Some(wanted),
    })
}
