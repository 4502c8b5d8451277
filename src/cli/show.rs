//! `casework show ID`

use super::{Exit, Globals, OK, identity};
use crate::history::timeline;
use crate::output::case::render_case;
use crate::query;

/// Show one case: its metadata, state, the states it can move to next with what is still
/// missing for each, its SLA clocks, and the last few entries of its timeline.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case ID, e.g. CMP-2026-0042 (any case).
    #[arg(value_parser = super::case_id)]
    pub id: String,
    /// How many timeline entries to show.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub last: usize,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let cfg = &ctx.config;
    let (rec, kind) = super::find_record(&ctx, &args.id)?;
    let user = identity(&cfg.root);
    // Outside git there is no timeline; a history that cannot be read (a
    // missing object) is an error, as in `log`.
    let history = match timeline(cfg, rec.id().unwrap_or_default()) {
        Ok(t) => Some(t),
        Err(crate::history::HistoryError::NoRepository(_)) => None,
        Err(e) => return Err(Exit::usage(e.to_string())),
    };
    let view = query::case_view(&ctx, kind, &rec, user.as_deref(), history, args.last);
    out!("{}", render_case(&view, g.color(false)));
    Ok(OK)
}
