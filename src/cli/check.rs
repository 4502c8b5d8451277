//! `casework check [PATH...] [--since REV] [--format F] [--deny-warnings]`

use super::{Exit, FINDINGS, Globals, OK, now};
use crate::check::{Context, run as check_all};
use crate::diag::one_line;
use crate::output::{Format, RenderOptions, github_step_summary, render};
use crate::record::{self, RecordFile};
use crate::schema::Schemas;
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

/// Validate records: front-matter, YAML, the kind's JSON Schema and state guards, ID format,
/// file names, duplicate IDs, related links, time guards and SLA clocks (warnings).
///
/// Exit 0 when there is no error (warnings alone pass unless --deny-warnings), 1 on
/// findings, 2 on a usage or configuration error.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Record files or folders to check (default: every record). Links and duplicate IDs
    /// are still judged against all records.
    pub paths: Vec<PathBuf>,
    /// Also check every commit in REV..HEAD (lifecycle enforcement for pull requests).
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Output format: human, json, github (Actions annotations), sarif, junit.
    #[arg(long, default_value = "human", value_name = "FORMAT")]
    pub format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let cfg = g.load_config()?;
    let now = now()?;
    let started = std::time::Instant::now();
    let mut files = record::discover(&cfg);
    let only = if args.paths.is_empty() {
        None
    } else {
        let known: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
        let mut wanted = HashSet::new();
        let base = g.start_dir();
        for p in &args.paths {
            let p = if p.is_relative() { base.join(p) } else { p.clone() };
            if !p.exists() {
                return Err(Exit::usage(format!("{}: no such file or folder", p.display())));
            }
            let root = std::fs::canonicalize(&cfg.root).unwrap_or(cfg.root.clone());
            // Resolve the folders but not the file itself: a symlink stays a symlink.
            let abs = match (p.parent(), p.file_name()) {
                (Some(dir), Some(name)) if !p.is_dir() => {
                    std::fs::canonicalize(dir).unwrap_or(dir.to_path_buf()).join(name)
                }
                _ => std::fs::canonicalize(&p).unwrap_or(p.clone()),
            };
            let Some(rf) = record::record_file_at(&root, &abs) else {
                return Err(Exit::usage(format!(
                    "{} is outside the records repository at {}",
                    p.display(),
                    cfg.root.display()
                )));
            };
            let records_prefix = format!("{}/", cfg.records_dir);
            // A README or a file of a case's folder is not a record, as in a full check.
            if !abs.is_dir()
                && rf.path.starts_with(&records_prefix)
                && !record::is_record_path(&cfg.records_dir, &rf.path)
            {
                continue;
            }
            if !abs.is_dir() && !rf.path.starts_with(&records_prefix) {
                return Err(Exit::usage(format!(
                    "{} is not a record file: records live under {}/ of {}",
                    p.display(),
                    cfg.records_dir,
                    cfg.root.display()
                )));
            }
            if abs.is_dir() {
                let prefix = if rf.path.is_empty() {
                    String::new()
                } else {
                    format!("{}/", rf.path)
                };
                wanted.extend(known.iter().filter(|k| k.starts_with(&prefix)).cloned());
            } else {
                if !known.contains(&rf.path) {
                    files.push(RecordFile {
                        abs: cfg.root.join(&rf.path),
                        ..rf.clone()
                    });
                }
                wanted.insert(rf.path);
            }
        }
        Some(wanted)
    };
    let schemas = Schemas::compile(&cfg);
    let ctx = Context {
        config: &cfg,
        schemas: &schemas,
        now,
    };
    let mut report = check_all(&ctx, &files, only.as_ref());
    if let Some(rev) = &args.since {
        let history = crate::history::check_since(&ctx, rev).map_err(|e| Exit::usage(e.to_string()))?;
        report.commits = history.commits;
        report.diagnostics.extend(history.diagnostics);
        report.sort();
    }

    let root = cfg.root.clone();
    let sources =
        move |p: &str| crate::files::read_to_string(&root, &root.join(p), crate::files::SUPPORT_FILE_LIMIT).ok();
    let opts = RenderOptions {
        color: g.color(false),
        sources: &sources,
        tool_version: env!("CARGO_PKG_VERSION"),
        path_prefix: &workdir_prefix(&cfg.root),
    };
    let mut out = std::io::stdout().lock();
    let quiet_clean = g.quiet && args.format == Format::Human && report.diagnostics.is_empty();
    if !quiet_clean {
        match render(&report, args.format, &opts, &mut out) {
            // The reader went away (`| head`): the exit code still tells the result.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(Exit::usage(format!("cannot write output: {e}"))),
            Ok(()) => {}
        }
    }
    let _ = out.flush();
    if args.format == Format::Github
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        let summary = github_step_summary(&report);
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(summary.as_bytes()));
        if let Err(e) = written {
            eprintln!(
                "casework: warning: cannot append to GITHUB_STEP_SUMMARY: {}",
                one_line(&e.to_string())
            );
        }
    }
    if g.verbose {
        eprintln!(
            "casework: root {}, {} record files, {} commits, {} ms",
            one_line(&cfg.root.display().to_string()),
            report.records,
            report.commits,
            started.elapsed().as_millis()
        );
    }
    let failed = report.errors() > 0 || (args.deny_warnings && report.warnings() > 0);
    Ok(if failed { FINDINGS } else { OK })
}

/// The root's folder inside its git work tree, `/`-separated with a
/// trailing `/` (`ops/cases/`): empty at the top, outside git, or in a
/// repository without a work tree.
fn workdir_prefix(root: &std::path::Path) -> String {
    let Some(workdir) = git2::Repository::discover(root)
        .ok()
        .and_then(|repo| repo.workdir().and_then(|w| std::fs::canonicalize(w).ok()))
    else {
        return String::new();
    };
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let Ok(rel) = root.strip_prefix(&workdir) else {
        return String::new();
    };
    rel.components()
        .map(|c| format!("{}/", c.as_os_str().to_string_lossy()))
        .collect()
}
