//! The command line: flags in, library calls, output and exit codes out.
//! Nothing else in the crate prints or exits.
#![allow(clippy::print_stdout, clippy::print_stderr)]

/// `println!` that never panics: a closed pipe (`casework log ID | head`)
/// ends the output quietly instead of aborting the program.
macro_rules! outln {
    () => { $crate::cli::emit("\n") };
    ($($t:tt)*) => { $crate::cli::emit(&format!("{}\n", format_args!($($t)*))) };
}

/// `print!` that never panics (see `outln!`).
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::emit(&format!($($t)*)) };
}

mod archive;
mod build;
mod check;
mod completions;
mod dispose;
mod due;
mod export;
mod import;
mod init;
mod lessons;
mod list;
mod log;
mod new;
mod renumber;
mod report;
mod retention;
mod sample;
mod schema;
mod serve;
mod show;
mod sweep;
mod transition;

use crate::config::{self, Config};
use crate::context::Context;
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code: success, no errors.
pub const OK: u8 = 0;
/// Exit code: findings (invalid records, refused changes).
pub const FINDINGS: u8 = 1;
/// Exit code: usage, configuration or environment error.
pub const USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "casework",
    version,
    about = "Case records as Markdown files with YAML front-matter in git: validated, lifecycle-checked, published.",
    long_about = "casework keeps an organisation's case records (incidents, requests, complaints, feedback items, \
delivered orders) as one Markdown file per case, with YAML front-matter, in git. It validates them against \
JSON Schemas, enforces each case's lifecycle and tracks service-level clocks on business days.\n\n\
Start with `casework init` in an empty folder, then `casework new KIND --title ...` and `casework check`.",
    after_help = "Exit codes: 0 success; 1 findings (invalid records, refused changes); 2 usage, configuration or environment error.\n\
The current time is read from CASEWORK_NOW (RFC 3339) when set; the acting user is GIT_AUTHOR_EMAIL, then git's author.email, user.email, then EMAIL."
)]
pub struct Cli {
    /// Run as if started in DIR (the records root is found by walking up to casework.toml).
    #[arg(short = 'C', long = "dir", global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
    /// Print only findings and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more about what is done.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    #[command(about = "Scaffold a records repository (config, schemas, folders); no commit, no overwrite")]
    Init(init::Args),
    #[command(about = "Validate records; with --since, also every commit in REV..HEAD")]
    Check(check::Args),
    #[command(about = "Create a record with the next free ID; prints its path")]
    New(new::Args),
    #[command(about = "Move a case to another state, if the workflow allows it")]
    Transition(transition::TransitionArgs),
    #[command(about = "Edit fields of a case with a minimal, validated edit")]
    Set(transition::SetArgs),
    #[command(about = "Append a status update (at, by, note) to a case's `updates`, without a state change")]
    Note(transition::NoteArgs),
    #[command(
        about = "Give a record the next free ID after two branches took the same one; updates `related` references"
    )]
    Renumber(renumber::Args),
    #[command(about = "Show a case: fields, next states and what they need, SLA clocks, recent history")]
    Show(show::Args),
    #[command(about = "Show a case's timeline from git history")]
    Log(log::Args),
    #[command(about = "List the cases that match: by kind, state, owner, category, tag, dates, overdue clocks or text")]
    List(list::Args),
    #[command(
        about = "What is late and what is coming: breached SLA clocks, deadlines due soon, cases to escalate or close"
    )]
    Due(due::Args),
    #[command(
        about = "A reproducible random sample of the cases closed (or archived) in a month, as an audit checklist"
    )]
    Sample(sample::Args),
    #[command(about = "The lessons-learned register: every case's lessons, with kind, category and date")]
    Lessons(lessons::Args),
    #[command(
        about = "Periodic summary per kind: opened, closed, times to acknowledge and resolve, SLA compliance, feedback, trends"
    )]
    Report(report::Args),
    #[command(
        about = "Archive closed cases per policy (archive_after_days), setting archive.archived_at and retain_until"
    )]
    Archive(archive::Args),
    #[command(about = "Archived records past their retention (archive.retain_until), which may be disposed of")]
    Retention(retention::Args),
    #[command(
        about = "Dispose of an archived record past retention: remove it, leaving a line in the disposal register"
    )]
    Dispose(dispose::Args),
    #[command(
        about = "Apply the workflows' automatic steps (close on no response, archive, escalate), for a scheduled CI job"
    )]
    Sweep(sweep::Args),
    #[command(about = "Every record of a kind as CSV (dotted headers, `; `-joined lists) or JSON, fields and body")]
    Export(export::Args),
    #[command(
        about = "New records from a tracker's CSV rows, each validated as `new` would; nothing written unless all are valid"
    )]
    Import(import::Args),
    #[command(about = "Render the static site: dashboard, boards, overdue list, lessons, archive, case pages, reports")]
    Build(build::Args),
    #[command(
        about = "Preview the site: build it, serve it on http://127.0.0.1:PORT/ and rebuild it when a file changes"
    )]
    Serve(serve::Args),
    #[command(about = "Print a kind's JSON Schema, or list the kinds")]
    Schema(schema::Args),
    #[command(about = "Print a shell completion script")]
    Completions(completions::Args),
}

/// Global settings every command may use.
pub struct Globals {
    pub dir: Option<PathBuf>,
    pub color: Color,
    pub quiet: bool,
    pub verbose: bool,
}

impl Globals {
    /// Whether to colour output going to stdout (or stderr with `stderr`).
    pub fn color(&self, stderr: bool) -> bool {
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && if stderr {
                        std::io::stderr().is_terminal()
                    } else {
                        std::io::stdout().is_terminal()
                    }
            }
        }
    }

    /// The folder commands start from.
    pub fn start_dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| PathBuf::from("."))
    }

    /// Find the root and load casework.toml. A broken configuration stops
    /// the run here, before any record is read.
    pub fn load_config(&self) -> Result<Config, Exit> {
        let start = self.start_dir();
        if !start.is_dir() {
            return Err(Exit::usage(format!("{} is not a folder", start.display())));
        }
        let root = config::find_root(&start).ok_or_else(|| {
            let shown = std::path::absolute(&start).unwrap_or(start.clone());
            Exit::usage(format!(
                "no casework.toml in {} or any folder above it: run `casework init` to create a records repository, or pass -C DIR",
                shown.display()
            ))
        })?;
        config::load(&root).map_err(|e| {
            // Every error with its snippet; the first line of each stays
            // `casework.toml:L:C: message`.
            eprint!("{}", e.render(self.color(true)));
            Exit {
                code: USAGE,
                message: None,
            }
        })
    }

    /// The configuration, schemas and time every command that judges
    /// records runs with, built once.
    pub fn context(&self) -> Result<Context, Exit> {
        let config = self.load_config()?;
        Ok(Context::new(config, now()?))
    }
}

/// How a command ends when it cannot do its work.
#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    pub message: Option<String>,
}

impl Exit {
    pub fn usage(message: impl Into<String>) -> Exit {
        Exit {
            code: USAGE,
            message: Some(message.into()),
        }
    }
}

impl From<anyhow::Error> for Exit {
    fn from(e: anyhow::Error) -> Exit {
        Exit::usage(format!("{e:#}"))
    }
}

/// The record with ID `id` and its kind. A record that cannot be found or
/// read is a finding about it (exit 1, as in `check`); a malformed ID, an
/// unreadable folder or an unconfigured kind is a usage error (exit 2).
pub fn find_record<'c>(
    ctx: &'c crate::context::Context,
    id: &str,
) -> Result<(crate::record::Record, &'c config::Kind), Exit> {
    use crate::query::FindError;
    let rec = crate::query::find(ctx, id).map_err(|e| match e {
        FindError::NotFound(_) | FindError::Unreadable(_) => Exit {
            code: FINDINGS,
            message: Some(e.to_string()),
        },
        FindError::BadId(_) | FindError::Walk(_) => Exit::usage(e.to_string()),
    })?;
    let kind = rec
        .kind()
        .and_then(|k| ctx.config.kinds.get(k))
        .ok_or_else(|| Exit::usage(format!("{}: the record's kind is not configured", rec.file.path)))?;
    Ok((rec, kind))
}

/// A kind named on the command line must be one of casework.toml's: else
/// exit 2 with the kinds, and the nearest when it looks like a typo
/// (`requests`).
pub fn known_kind<'c>(config: &'c Config, kind: &str) -> Result<&'c config::Kind, Exit> {
    if let Some(k) = config.kinds.get(kind) {
        return Ok(k);
    }
    let typed = kind.to_lowercase();
    let hint = config
        .kinds
        .keys()
        .find(|k| strsim::damerau_levenshtein(&typed, k) <= 2)
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default();
    let names: Vec<&str> = config.kinds.keys().map(String::as_str).collect();
    Err(Exit::usage(format!(
        "unknown kind `{}` (kinds: {}){hint}",
        crate::diag::one_line(kind),
        names.join(", ")
    )))
}

/// The context and every case a query reads: of the working tree, or with
/// `rev` as the records were at that commit (then "now" is the commit's
/// time unless CASEWORK_NOW is set). Records left out are said on stderr.
pub fn load_cases(
    g: &Globals,
    rev: Option<&str>,
    opts: crate::query::cases::Load,
) -> Result<(Context, crate::query::cases::Cases), Exit> {
    let mut ctx = g.context()?;
    let cases = match rev {
        None => crate::query::cases::load(&ctx, opts).map_err(|e| Exit::usage(e.to_string()))?,
        Some(rev) => {
            let fail = |e: crate::history::HistoryError| Exit::usage(e.to_string());
            if std::env::var_os("CASEWORK_NOW").is_none_or(|v| v.is_empty()) {
                ctx.now = crate::history::at::commit_time(&ctx.config, rev).map_err(fail)?;
            }
            crate::query::cases::load_at(&ctx, rev, opts).map_err(fail)?
        }
    };
    warn_skipped(&cases.skipped);
    Ok((ctx, cases))
}

/// Records a query had to leave out, each on stderr with its place, so no
/// figure is silently wrong.
pub fn warn_skipped(skipped: &[crate::diag::Diagnostic]) {
    for d in skipped {
        eprintln!(
            "casework: warning: left out {}: {}",
            crate::diag::one_line(&d.place()),
            crate::diag::one_line(&d.message)
        );
    }
}

/// A case ID as typed: prefixes are upper case (config validation makes
/// them so), so `req-2026-0001` means REQ-2026-0001.
pub fn case_id(s: &str) -> Result<String, std::convert::Infallible> {
    Ok(s.to_ascii_uppercase())
}

/// `--commit` needs an identity git can author with; without one the
/// change is refused (exit 1) before anything is written, with the fix.
pub fn require_git_identity(root: &std::path::Path) -> Result<(), Exit> {
    match crate::edit::transaction::missing_identity(root) {
        None => Ok(()),
        Some(why) => Err(Exit {
            code: FINDINGS,
            message: Some(format!(
                "--commit needs a git identity, and git has none here ({why}): set one with `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.org`, or leave out --commit and commit yourself"
            )),
        }),
    }
}

/// `--commit` of a change to `paths` refuses (exit 1) when one of them
/// already has uncommitted changes, which the commit would carry along
/// unseen, unless `--force`.
pub fn refuse_uncommitted(root: &std::path::Path, paths: &[&str], force: bool) -> Result<(), Exit> {
    if force {
        return Ok(());
    }
    for path in paths {
        if crate::edit::has_uncommitted_changes(root, path)? {
            return Err(Exit {
                code: FINDINGS,
                message: Some(format!(
                    "{path} has uncommitted changes: commit them first, or pass --force to commit them with this change"
                )),
            });
        }
    }
    Ok(())
}

/// The time "now": CASEWORK_NOW when set, so runs are reproducible.
pub fn now() -> Result<DateTime<Utc>> {
    match std::env::var("CASEWORK_NOW") {
        Ok(s) if !s.is_empty() => DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| anyhow!("CASEWORK_NOW={s:?} is not an RFC 3339 time such as 2026-03-02T09:00:00Z ({e})")),
        _ => Ok(Utc::now()),
    }
}

/// The acting user's email, as git would use it for the author: in git's
/// order, `GIT_AUTHOR_EMAIL`, then `author.email`, then `user.email`
/// (repository config over global), then `EMAIL`.
pub fn identity(root: &std::path::Path) -> Option<String> {
    let env = |name: &str| std::env::var(name).ok().filter(|e| !e.is_empty());
    if let Some(e) = env("GIT_AUTHOR_EMAIL") {
        return Some(e);
    }
    let cfg = git2::Repository::discover(root)
        .and_then(|r| r.config())
        .or_else(|_| git2::Config::open_default())
        .ok();
    ["author.email", "user.email"]
        .iter()
        .find_map(|key| cfg.as_ref()?.get_string(key).ok().filter(|e| !e.is_empty()))
        .or_else(|| env("EMAIL"))
}

/// Write to stdout, ignoring a reader that went away.
pub fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Each of `lines` made safe for one line of a terminal, in one write: a
/// sweep or an import prints tens of thousands of them.
pub fn emit_lines<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) {
    let mut out = String::new();
    for l in lines {
        out.push_str(&crate::diag::one_line(l.as_ref()));
        out.push('\n');
    }
    emit(&out);
}

/// libgit2 maps pack files in windows of 1 GiB, up to 8 GiB in all, and
/// caches up to 256 MiB of objects: walking a long history then holds most
/// of the pack in memory. Smaller windows and limits keep `check --since`
/// within what `git log -p` itself uses, at no measurable cost in time.
#[allow(unsafe_code)]
fn bound_libgit2_memory() {
    const MIB: usize = 1024 * 1024;
    // SAFETY: these set C globals of libgit2 without synchronisation; they
    // run first thing in `main`, before any thread exists or any repository
    // is opened. An error only leaves libgit2's defaults.
    unsafe {
        let _ = git2::opts::set_mwindow_size(32 * MIB);
        let _ = git2::opts::set_mwindow_mapped_limit(96 * MIB);
        let _ = git2::opts::set_cache_max_size((32 * MIB) as isize);
    }
}

/// Parse the arguments, run the command, map the outcome to an exit code.
pub fn main() -> ExitCode {
    // libgit2 re-hashes every object it reads, which git itself does not: a
    // sixth of `check --since`'s time on 10,000 commits. Set here, once for
    // the process, because the library must not change global state.
    git2::opts::strict_hash_verification(false);
    bound_libgit2_memory();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { OK });
        }
    };
    let globals = Globals {
        dir: cli.dir,
        color: cli.color,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    let result = match cli.command {
        Command::Init(a) => init::run(&globals, a),
        Command::Check(a) => check::run(&globals, a),
        Command::New(a) => new::run(&globals, a),
        Command::Transition(a) => transition::run_transition(&globals, a),
        Command::Set(a) => transition::run_set(&globals, a),
        Command::Note(a) => transition::run_note(&globals, a),
        Command::Renumber(a) => renumber::run(&globals, a),
        Command::List(a) => list::run(&globals, a),
        Command::Show(a) => show::run(&globals, a),
        Command::Log(a) => log::run(&globals, a),
        Command::Due(a) => due::run(&globals, a),
        Command::Sample(a) => sample::run(&globals, a),
        Command::Lessons(a) => lessons::run(&globals, a),
        Command::Report(a) => report::run(&globals, a),
        Command::Archive(a) => archive::run(&globals, a),
        Command::Retention(a) => retention::run(&globals, a),
        Command::Dispose(a) => dispose::run(&globals, a),
        Command::Sweep(a) => sweep::run(&globals, a),
        Command::Export(a) => export::run(&globals, a),
        Command::Import(a) => import::run(&globals, a),
        Command::Build(a) => build::run(&globals, a),
        Command::Serve(a) => serve::run(&globals, a),
        Command::Schema(a) => schema::run(&globals, a),
        Command::Completions(a) => completions::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(exit) => {
            if let Some(m) = exit.message {
                // Messages quote file names, values and revisions: one line
                // each, with no terminal escapes (see `diag::one_line`).
                let m = crate::diag::one_line(&m);
                if m.starts_with(config::CONFIG_FILE) {
                    eprintln!("{m}");
                } else {
                    eprintln!("casework: error: {m}");
                }
            }
            ExitCode::from(exit.code)
        }
    }
}
