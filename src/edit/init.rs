//! `casework init`: scaffold a records repository from the embedded defaults.

use super::write_atomic;
use crate::config::{CONFIG_FILE, Config};
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};

/// The default schemas, embedded so `init` works anywhere.
pub const DEFAULT_SCHEMAS: [(&str, &str); 5] = [
    ("incident", include_str!("../../schemas/incident.schema.json")),
    ("feedback", include_str!("../../schemas/feedback.schema.json")),
    ("request", include_str!("../../schemas/request.schema.json")),
    ("complaint", include_str!("../../schemas/complaint.schema.json")),
    ("order", include_str!("../../schemas/order.schema.json")),
];

const TEAM_README: &str = include_str!("../../scaffold/README.md");
const GITIGNORE_LINE: &str = "_site/";
/// What `.gitignore` gains besides the site: the lock a running `sweep` or
/// `archive` holds (a killed run may leave the file behind).
const GITIGNORE_LOCK: &str = super::automatic::RUN_LOCK;

/// What `init` did, for the CLI to report.
#[derive(Debug, Default)]
pub struct Scaffolded {
    pub written: Vec<String>,
    pub git_initialised: bool,
}

/// The default schema of a kind, if it is one of the five.
pub fn default_schema(kind: &str) -> Option<&'static str> {
    DEFAULT_SCHEMAS.iter().find(|(k, _)| *k == kind).map(|(_, s)| *s)
}

/// Write the configuration, schemas, kind folders, team README (CASEWORK.md
/// when the folder has a README.md) and `.gitignore` into `dir`; refuses if
/// any of those files exists.
pub fn init(dir: &Path) -> Result<Scaffolded> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut files: Vec<(String, Vec<u8>)> = vec![(CONFIG_FILE.into(), Config::default_toml().as_bytes().to_vec())];
    for (kind, schema) in DEFAULT_SCHEMAS {
        files.push((format!("schemas/{kind}.schema.json"), schema.as_bytes().to_vec()));
        files.push((format!("records/{kind}/.gitkeep"), Vec::new()));
    }
    // An existing repository keeps its README: the team guide goes beside it.
    let guide = if dir.join("README.md").exists() {
        "CASEWORK.md"
    } else {
        "README.md"
    };
    files.push((guide.into(), TEAM_README.as_bytes().to_vec()));

    let existing: Vec<&str> = files
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| dir.join(p).exists())
        .collect();
    if !existing.is_empty() {
        bail!(
            "{} already exists in {}; casework init never overwrites files (move them away or edit them by hand)",
            existing.join(", "),
            dir.display()
        );
    }
    // Read before writing anything, so that a .gitignore that cannot be
    // read leaves the folder as it was.
    let ignore = super::write_target(dir, &dir.join(".gitignore"))?;
    let current = match crate::files::read_to_string(dir, &ignore, crate::files::SUPPORT_FILE_LIMIT) {
        Ok(text) => text,
        Err(crate::files::ReadError::Missing) => String::new(),
        Err(e) => anyhow::bail!("cannot add `{GITIGNORE_LINE}` to .gitignore: {e}"),
    };
    let mut done = Scaffolded::default();
    for (path, contents) in &files {
        write_atomic(&dir.join(path), contents, true)?;
        done.written.push(path.clone());
    }

    let has = |line: &str| {
        current
            .lines()
            .any(|l| l.trim() == line || l.trim() == format!("/{line}"))
    };
    let mut add = String::new();
    if !has(GITIGNORE_LINE) {
        add.push_str(&format!("# the published site, built into _site/\n{GITIGNORE_LINE}\n"));
    }
    if !has(GITIGNORE_LOCK) {
        add.push_str(&format!(
            "# held while `casework sweep` or `archive` runs\n{GITIGNORE_LOCK}\n"
        ));
    }
    if !add.is_empty() {
        let sep = if current.is_empty() || current.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        write_atomic(&ignore, format!("{current}{sep}{add}").as_bytes(), false)?;
        done.written.push(".gitignore".into());
    }

    if git2::Repository::discover(dir).is_err() {
        git2::Repository::init(dir).with_context(|| format!("cannot create a git repository in {}", dir.display()))?;
        done.git_initialised = true;
    }
    Ok(done)
}

/// The folder `init` scaffolds: the argument, or the current folder.
pub fn target(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(|| PathBuf::from("."))
}
