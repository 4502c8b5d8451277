//! `casework check [PATH...] [--since REV] [--format F] [--deny-warnings]`

use super::{Exit, FINDINGS, Globals, OK};
use crate::check::{run as check_all, select};
use crate::diag::one_line;
use crate::output::{Format, RenderOptions, github_step_summary, render};
use crate::record;
use clap::ValueEnum;
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
    #[arg(long, value_enum, ignore_case = true, default_value_t = CheckFormat::Human, value_name = "FORMAT", hide_possible_values = true)]
    pub format: CheckFormat,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// The formats of `check --format`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Github,
    Sarif,
    Junit,
}

impl From<CheckFormat> for Format {
    fn from(f: CheckFormat) -> Format {
        match f {
            CheckFormat::Human => Format::Human,
            CheckFormat::Json => Format::Json,
            CheckFormat::Github => Format::Github,
            CheckFormat::Sarif => Format::Sarif,
            CheckFormat::Junit => Format::Junit,
        }
    }
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let cfg = &ctx.config;
    let format = Format::from(args.format);
    let started = std::time::Instant::now();
    let found = record::discover(cfg).map_err(|e| Exit::usage(e.to_string()))?;
    let selection = select(cfg, &g.start_dir(), &args.paths, found).map_err(|e| Exit::usage(e.to_string()))?;
    let (mut report, _) = check_all(&ctx, selection.files, selection.only.as_ref());
    // What the next commit would be refused for, caught before it is made.
    let user = super::identity(&cfg.root);
    let uncommitted = crate::history::check_uncommitted(&ctx, user.as_deref(), selection.only.as_ref())
        .map_err(|e| Exit::usage(e.to_string()))?;
    report.diagnostics.extend(uncommitted);
    report.sort();
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
    let quiet_clean = g.quiet && format == Format::Human && report.diagnostics.is_empty();
    if !quiet_clean {
        match render(&report, format, &opts, &mut out) {
            // The reader went away (`| head`): the exit code still tells the result.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(Exit::usage(format!("cannot write output: {e}"))),
            Ok(()) => {}
        }
    }
    let _ = out.flush();
    if format == Format::Github
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
