//! `casework archive [--kind K] [--dry-run] [--commit] [--force]`

use super::sweep::{Run, execute};
use super::{Exit, FINDINGS, Globals, OK, identity};
use crate::edit::automatic::Scope;
use crate::query::automatic::Wanted;

/// Archive closed cases per policy: every case of a kind whose `archive_after_days` business
/// days have passed since its closure (the kind's closure field, else the commit that closed
/// it) moves to the archive state, as `casework transition ID archived` would move it,
/// setting archive.archived_at (now) and archive.retain_until (the closure date plus the
/// kind's retention_years). Needs the kind's archive role (`records` by default).
///
/// --dry-run prints the plan and changes nothing. --commit makes one commit listing the
/// cases. `archive_after_days = 0` turns a kind's automatic archiving off.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only cases of this kind.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Print what would be archived; change nothing.
    #[arg(long, conflicts_with = "commit")]
    pub dry_run: bool,
    /// Commit the archived records in one commit whose message lists them.
    #[arg(long)]
    pub commit: bool,
    /// With --commit, commit even files that already had uncommitted changes.
    #[arg(long, requires = "commit")]
    pub force: bool,
}

pub fn run(g: &Globals, a: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let config = &ctx.config;
    let kinds: Vec<&crate::config::Kind> = match &a.kind {
        Some(k) => vec![super::known_kind(config, k)?],
        None => config.kinds.values().filter(|k| k.archive_after_days > 0).collect(),
    };
    let kinds: Vec<_> = kinds.into_iter().filter(|k| k.archive_after_days > 0).collect();
    if kinds.is_empty() {
        if !g.quiet {
            outln!(
                "archive: nothing to do: automatic archiving is off (archive_after_days = 0) for {}",
                a.kind
                    .as_deref()
                    .map_or("every kind".to_string(), |k| format!("kind `{k}`"))
            );
        }
        return Ok(OK);
    }
    // Archiving is the records team's act: refused whole, before anything is read.
    let user = identity(&config.root);
    let roles: std::collections::BTreeSet<&str> = kinds.iter().map(|k| k.archive_role.as_str()).collect();
    for role in roles {
        if !user.as_deref().is_some_and(|u| config.has_role(role, u)) {
            return Err(Exit {
                code: FINDINGS,
                message: Some(format!(
                    "refusing to archive: {}",
                    crate::edit::dispose::role_refusal(config, role, "archiving", user.as_deref())
                )),
            });
        }
    }
    let scope = Scope {
        wanted: Wanted::ARCHIVE,
        kind: a.kind.clone(),
        user,
        dry_run: a.dry_run,
    };
    execute(g, &ctx, &scope, &Run::new("archive", a.dry_run, a.commit, a.force))
}
