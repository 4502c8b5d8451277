//! `casework serve [--port N]`

use super::{Exit, Globals, OK};
use crate::context::Context;
use crate::site::{self, Options, serve};
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long the files must be quiet before a rebuild: an editor's save, a
/// `git checkout` or a copied folder is one rebuild, not one per file.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Preview the site while editing: build it, serve it on
/// http://127.0.0.1:PORT/ and rebuild it whenever a record, a template,
/// casework.toml, an audit file or the disposal register changes.
///
/// This is for looking at the site on your own machine, not for publishing
/// it: the server listens on 127.0.0.1 only (never another interface), so
/// no other machine can reach it, and it answers only requests addressed to
/// 127.0.0.1 or localhost. To publish, run `casework build` and put the
/// output folder on a web server.
///
/// The site is built into _site under the root, as `casework build` does,
/// and served from there: pages are sent with `Cache-Control: no-store`, so
/// reloading the browser shows the last build. A rebuild that fails (a
/// broken template, an invalid casework.toml) is reported on stderr with
/// its file and line, and the last good site stays served until the next
/// change fixes it. If the first build fails, serve exits 2 with the error.
///
/// Each rebuild prints one line on stderr: what changed and how many pages
/// were written. Ctrl-C stops the server.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The port to listen on, on 127.0.0.1; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = 8000)]
    pub port: u16,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let root = ctx.config.root.clone();
    let out = site::default_out(&root);
    let opts = Options {
        out: Some(out.clone()),
        base_url: None,
    };
    // Watch before the first build, so an edit made during it is not lost.
    let watcher = serve::Watcher::start(&root, &out).map_err(|e| Exit::usage(e.to_string()))?;
    let server = serve::Server::bind(args.port).map_err(|e| Exit::usage(e.to_string()))?;

    let built = site::build(&ctx, &opts, &|_| {}).map_err(|e| Exit::usage(e.to_string()))?;
    super::warn_skipped(&built.skipped);
    if let Some(why) = &built.no_history {
        eprintln!("casework: warning: case pages have no timeline: {why}");
    }
    if !g.quiet {
        eprintln!("built {} pages ({} cases)", built.written.pages, built.cases);
    }
    let mut inputs = serve::Inputs::of(&ctx.config);
    drop(ctx);

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed))
        .map_err(|e| Exit::usage(format!("cannot catch Ctrl-C: {e}")))?;
    outln!("serving http://{}/ (Ctrl-C to stop)", server.addr());
    let _ = std::io::stdout().flush();

    std::thread::scope(|s| {
        s.spawn(|| server.run(&out, &stop));
        while let Some(mut burst) = watcher.next(&stop, DEBOUNCE) {
            burst.paths.retain(|p| inputs.has(p));
            if burst.paths.is_empty() && !burst.lost {
                continue;
            }
            if let Some(now_read) = rebuild(g, &root, &opts, &burst) {
                inputs = now_read;
            }
        }
        // The watcher may end on its own; the server must end with it.
        stop.store(true, Ordering::Relaxed);
    });
    Ok(OK)
}

/// Rebuild after `burst`, with the configuration read again (it may be the
/// file that changed), and say on one line what came of it. Gives the files
/// the build reads under the configuration it was read with, when valid.
fn rebuild(g: &Globals, root: &Path, opts: &Options, burst: &serve::Burst) -> Option<serve::Inputs> {
    let what = changed(burst);
    let ctx = match context(root) {
        Ok(ctx) => ctx,
        Err(errors) => {
            for e in errors {
                eprintln!(
                    "{what}: not rebuilt, still serving the last site: {}",
                    crate::diag::one_line(&e)
                );
            }
            return None;
        }
    };
    let inputs = serve::Inputs::of(&ctx.config);
    match site::build(&ctx, opts, &|_| {}) {
        Ok(built) => {
            super::warn_skipped(&built.skipped);
            if !g.quiet {
                let w = built.written;
                let removed = if w.removed > 0 {
                    format!(", {} removed", w.removed)
                } else {
                    String::new()
                };
                eprintln!("{what}: rebuilt, {} of {} pages written{removed}", w.changed, w.pages);
            }
        }
        Err(e) => eprintln!(
            "{what}: rebuild failed, still serving the last site: {}",
            crate::diag::one_line(&e.to_string())
        ),
    }
    Some(inputs)
}

/// A fresh context: the configuration read again, the time taken again,
/// the records to be read again.
fn context(root: &Path) -> Result<Context, Vec<String>> {
    let config = crate::config::load(root).map_err(|e| e.errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let now = super::now().map_err(|e| vec![format!("{e:#}")])?;
    Ok(Context::new(config, now))
}

/// What changed, for the summary line: a few paths by name.
fn changed(burst: &serve::Burst) -> String {
    let shown: Vec<String> = burst
        .paths
        .iter()
        .take(3)
        .map(|p| crate::diag::one_line(p).into_owned())
        .collect();
    match burst.paths.len() {
        0 => "files changed".to_string(),
        1..=3 => format!("{} changed", shown.join(", ")),
        n => format!("{} and {} more changed", shown.join(", "), n - 3),
    }
}
