//! `casework schema [KIND]`

use super::{Exit, Globals, OK};
use crate::config;
use crate::edit::init::default_schema;

/// Print a kind's JSON Schema (the records repository's own, or the built-in default
/// outside one). Without KIND, list the kinds with their states and schema files.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The kind whose schema to print.
    pub kind: Option<String>,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let in_repo = config::find_root(&g.start_dir()).is_some();
    if !in_repo {
        // Outside a repository: the defaults `init` would write.
        return match args.kind {
            Some(k) => match default_schema(&k) {
                Some(s) => {
                    out!("{s}");
                    Ok(OK)
                }
                None => Err(Exit::usage(format!(
                    "unknown kind `{k}`: the default kinds are incident, feedback, request, complaint, order"
                ))),
            },
            None => {
                outln!("Default kinds (outside a records repository): incident, feedback, request, complaint, order");
                Ok(OK)
            }
        };
    }
    let cfg = g.load_config()?;
    match args.kind {
        Some(k) => {
            let kind = cfg.kinds.get(&k).ok_or_else(|| {
                Exit::usage(format!(
                    "unknown kind `{k}` (kinds: {})",
                    cfg.kinds.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            })?;
            let path = cfg.root.join(&kind.schema);
            let text = crate::files::read_to_string(&cfg.root, &path, crate::files::SUPPORT_FILE_LIMIT)
                .map_err(|e| Exit::usage(format!("cannot read {}: {e}", kind.schema)))?;
            out!("{text}");
            if !text.ends_with('\n') {
                outln!();
            }
        }
        None => {
            for k in cfg.kinds.values() {
                outln!(
                    "{:<10} {:<5} {}  ({})",
                    k.name,
                    k.prefix,
                    k.states.join(" -> "),
                    crate::diag::one_line(&k.schema)
                );
            }
        }
    }
    Ok(OK)
}
