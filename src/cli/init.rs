//! `casework init [DIR]`

use super::{Exit, Globals, OK};
use crate::edit::init;
use std::path::PathBuf;

/// Scaffold a records repository: casework.toml (with example role addresses to replace),
/// the five default kinds' schemas and folders, a README for the team and a .gitignore
/// for the site. Runs `git init` when DIR is not inside a git repository. Makes no commit
/// and never overwrites a file.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder to scaffold (created if missing; default: the current folder, or -C DIR).
    #[arg(id = "target", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let dir = match (args.dir, &g.dir) {
        (Some(d), Some(base)) if d.is_relative() => base.join(d),
        (Some(d), _) => d,
        (None, Some(base)) => base.clone(),
        (None, None) => init::target(None),
    };
    let done = init::init(&dir)?;
    if !g.quiet {
        outln!(
            "Created a casework records repository in {}",
            crate::diag::one_line(&dir.display().to_string())
        );
        for f in &done.written {
            outln!("  {f}");
        }
        if done.git_initialised {
            outln!("  (and a new git repository)");
        }
        outln!();
        outln!("Next: replace the example addresses under [roles] in casework.toml, then");
        outln!("  casework new complaint --title \"First complaint\"");
        outln!("  casework check");
    }
    Ok(OK)
}
