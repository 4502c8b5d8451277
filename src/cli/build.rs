//! `casework build [--out DIR] [--base-url URL]`

use super::{Exit, Globals, OK};
use crate::site::{self, Options, SiteError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Render the static site: dashboard, a status board per kind, overdue list,
/// lessons register, archive index and disposal register, a page per case,
/// trends, monthly reports, audit samples, search and an Atom feed.
///
/// The site is self-contained (no CDN, every link relative): open its
/// index.html from disk or publish the folder anywhere. Templates are built
/// in; a file of the same name in the root's templates/ folder replaces one
/// (base.html, index.html, board.html, case.html, site.css, ...).
///
/// The new site is built beside the output folder and swapped in, so a failed
/// build leaves the previous one intact; pages whose bytes did not change are
/// kept as they were. --out refuses a folder holding files casework did not
/// write. `[site] redact` fields appear in no file; archived cases are only
/// listed in the archive index unless `[site] archived = "full"`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The output folder [default: _site under the root].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The address the site is published at, for the feed's absolute links
    /// [default: `[site] base_url`].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let out = args.out.map(|o| {
        if o.is_absolute() {
            o
        } else {
            std::env::current_dir().unwrap_or_default().join(o)
        }
    });
    let opts = Options {
        out,
        base_url: args.base_url,
    };
    let bar = if g.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} pages")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b.set_message("building");
        b
    };
    let progress = |n: Option<usize>| match n {
        Some(total) => bar.set_length(total as u64),
        None => bar.inc(1),
    };
    let built = site::build(&ctx, &opts, &progress);
    bar.finish_and_clear();
    let built = built.map_err(|e| match e {
        SiteError::Template(e) => Exit::usage(e.to_string()),
        e => Exit::usage(e.to_string()),
    })?;
    super::warn_skipped(&built.skipped);
    if let Some(why) = &built.no_history {
        eprintln!("casework: warning: case pages have no timeline: {why}");
    }
    if !g.quiet && built.reused {
        eprintln!(
            "built {} pages ({} cases): nothing changed since the last build, no record read",
            built.written.pages, built.cases
        );
    } else if !g.quiet {
        let w = built.written;
        eprintln!(
            "built {} pages ({} cases): {} written, {} unchanged, {} removed",
            w.pages,
            built.cases,
            w.changed,
            w.pages - w.changed.min(w.pages),
            w.removed
        );
    }
    outln!("{}", built.out.join("index.html").display());
    Ok(OK)
}
