//! `casework new KIND --title T [--set FIELD=VALUE]... [--commit]`

use super::{Exit, FINDINGS, Globals, OK, identity};
use crate::diag::one_line;
use crate::edit::new::{Advice, Created, NewRecord, create};
use crate::edit::value::parse_assignment;

/// Create a record with the next free ID of its kind and year, in the kind's first state,
/// opened now and owned by you (GIT_AUTHOR_EMAIL, git's author.email or user.email, or EMAIL). Prints its path,
/// relative to the root, as the only line on stdout. Refuses (exit 1) a record that would
/// be invalid, naming what is missing or wrong and how to fix it.
///
/// Example: casework new request --title "Invoice copy" --set customer.name="Ann Lee"
///   --set customer.contact=ann@example.org --set customer.preferred_channel=email
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The kind of case (see `casework schema`).
    pub kind: String,
    /// One-line title of the case.
    #[arg(long, short)]
    pub title: String,
    /// Set a field: dotted paths for nested fields, `+=` appends to a list; values are
    /// typed when they are a whole YAML value (`true`, `5`, `[a, b]`; quote to force text:
    /// `'5'`), anything else is kept exactly as typed (`order #42` included).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub sets: Vec<String>,
    /// Commit the new file (only it) with git.
    #[arg(long)]
    pub commit: bool,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let cfg = &ctx.config;
    let kind = super::known_kind(cfg, &args.kind)?;
    let sets = args
        .sets
        .iter()
        .map(|s| parse_assignment(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let owner = identity(&cfg.root);
    if owner.is_none() && !sets.iter().any(|a| a.path[0] == "owner") {
        eprintln!(
            "casework: warning: no git identity (GIT_AUTHOR_EMAIL or git config user.email): the record gets no owner"
        );
    }
    let req = NewRecord {
        kind,
        title: args.title,
        owner,
        sets,
    };
    if args.commit {
        super::require_git_identity(&cfg.root)?;
    }
    // Holds the writers' lock until the new file is written and committed.
    let mut tx = crate::edit::Transaction::begin(&cfg.root)?;
    match create(&ctx, req, &mut tx)? {
        Created::Written { path, id } => {
            if args.commit {
                tx.commit(&format!("{id}: new {}", kind.name))?;
            } else {
                tx.finish();
            }
            outln!("{}", one_line(&path));
            Ok(OK)
        }
        Created::Refused { findings, advice } => {
            eprintln!("casework: refusing to create the {}: it would not be valid", kind.name);
            for d in &findings {
                eprintln!("  {}[{}]: {}", d.severity.as_str(), d.code, one_line(&d.message));
            }
            for hint in hints(&kind.name, &advice) {
                eprintln!("{}", one_line(&hint));
            }
            Ok(FINDINGS)
        }
    }
}

/// One line per kind of fault the refusal found, each saying what to do.
fn hints(kind: &str, advice: &Advice) -> Vec<String> {
    let mut out = Vec::new();
    if !advice.missing.is_empty() {
        out.push(format!(
            "Give the missing fields with --set FIELD=VALUE: {} (see `casework schema {kind}`).",
            crate::schema::and_list(&advice.missing)
        ));
    }
    for (field, allowed) in &advice.invalid {
        // `--set` reaches mappings only: an item of a list is set with the whole list.
        let settable = !field.split('.').any(|p| p.parse::<usize>().is_ok());
        out.push(match (allowed, settable) {
            (Some(values), true) => format!("Fix the value of `{field}` (allowed: {values}) with --set {field}=VALUE."),
            (Some(values), false) => format!("Fix the value of `{field}` (allowed: {values})."),
            (None, true) => {
                format!("Fix the value of `{field}` with --set {field}=VALUE (see `casework schema {kind}`).")
            }
            (None, false) => format!("Fix the value of `{field}` (see `casework schema {kind}`)."),
        });
    }
    for (field, suggestion) in &advice.unknown {
        out.push(match suggestion {
            Some(s) => format!("`{field}` is not a field of kind `{kind}`; did you mean `{s}`?"),
            None => format!("`{field}` is not a field of kind `{kind}` (see `casework schema {kind}` for its fields)."),
        });
    }
    out
}
