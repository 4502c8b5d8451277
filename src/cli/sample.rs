//! `casework sample KIND --period YYYY-MM --size N [--seed S] [--archived] [--format md|json] [--write]`

use super::{Exit, FINDINGS, Globals, OK};
use crate::check::audit::AUDITS_DIR;
use crate::config::Calendar;
use crate::query::cases::Load;
use crate::query::sample::{Period, Sample, SampleQuery, default_seed, sample};
use clap::ValueEnum;
use serde_json::{Value, json};

/// A reproducible random sample of the cases of KIND closed in a month, for the
/// supervisors' monthly review (procedure 003); with --archived, of the records
/// archived in it. The cases are sorted by ID and drawn with a seed: without --seed it
/// derives from KIND and the period, so two supervisors get the same sample. The output
/// names the seed and the command that gives the same sample again.
///
/// Markdown is a checklist per case: link, closure date, owner and the fields its
/// state requires, to verify. --write saves it as audits/KIND-PERIOD.md (with
/// --archived, audits/KIND-PERIOD-archived.md) with front-matter for the review
/// (reviewer, reviewed_at, and per case an outcome, pass or finding, and a note),
/// which `casework check` validates; it never overwrites an audit file.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The kind of case to sample (`casework schema` lists the kinds).
    #[arg(value_name = "KIND")]
    pub kind: String,
    /// The month the cases were closed (archived) in, in the calendar's zone.
    #[arg(long, value_name = "YYYY-MM")]
    pub period: String,
    /// How many cases to draw; more than there are takes them all.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub size: u64,
    /// The seed of the draw (default: derived from KIND and the period).
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Sample the records archived in the period instead of those closed in it.
    #[arg(long)]
    pub archived: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SampleFormat::Md)]
    pub format: SampleFormat,
    /// Save the checklist as an audit file under audits/ and print its path.
    #[arg(long, conflicts_with = "format")]
    pub write: bool,
    /// Read the records as they were at this commit (branch, tag, SHA).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SampleFormat {
    Md,
    Json,
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    let period = Period::parse(&args.period).ok_or_else(|| {
        Exit::usage(format!(
            "--period {}: expected a month as YYYY-MM, e.g. 2026-03",
            crate::diag::one_line(&args.period)
        ))
    })?;
    let (ctx, all) = super::load_cases(g, args.rev.as_deref(), Load::default())?;
    super::known_kind(&ctx.config, &args.kind)?;
    let q = SampleQuery {
        kind: args.kind.clone(),
        period,
        size: usize::try_from(args.size).unwrap_or(usize::MAX),
        seed: args.seed.unwrap_or_else(|| default_seed(&args.kind, period)),
        archived: args.archived,
    };
    let s = sample(&ctx, &all, &q);
    let skipped = all.skipped.len();
    if args.write {
        let rel = format!(
            "{AUDITS_DIR}/{}-{}{}.md",
            s.kind,
            s.period,
            if s.archived { "-archived" } else { "" }
        );
        if ctx.config.root.join(&rel).symlink_metadata().is_ok() {
            return Err(Exit {
                code: FINDINGS,
                message: Some(format!(
                    "{rel} already exists: an audit file is never overwritten; review that one, or move it away to draw again"
                )),
            });
        }
        let text = format!(
            "{}{}",
            front_matter(&s),
            markdown(&s, &args, &ctx.config.calendar, skipped, "../")
        );
        let mut tx = crate::edit::Transaction::begin(&ctx.config.root)?;
        tx.create(&rel, text.as_bytes())?;
        tx.finish();
        outln!("{rel}");
        return Ok(OK);
    }
    match args.format {
        SampleFormat::Json => {
            let mut doc = serde_json::to_value(&s).map_err(|e| Exit::usage(e.to_string()))?;
            if let Value::Object(m) = &mut doc {
                m.insert("reproduce".into(), Value::String(reproduce(&s, &args)));
                m.insert("skipped".into(), json!(skipped));
            }
            outln!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| Exit::usage(e.to_string()))?
            );
        }
        SampleFormat::Md => out!("{}", markdown(&s, &args, &ctx.config.calendar, skipped, "")),
    }
    Ok(OK)
}

/// The command that draws this sample again.
fn reproduce(s: &Sample, args: &Args) -> String {
    format!(
        "casework sample {} --period {} --size {} --seed {}{}",
        s.kind,
        s.period,
        args.size,
        s.seed,
        if s.archived { " --archived" } else { "" }
    )
}

/// The checklist; links to the records are relative to the root, with
/// `link_base` before them (`../` from the audits folder).
fn markdown(s: &Sample, args: &Args, cal: &Calendar, skipped: usize, link_base: &str) -> String {
    let what = if s.archived { "archived" } else { "closed" };
    let mut out = format!("# Audit sample: {} cases {what} in {}\n\n", s.kind, s.period);
    out.push_str(&format!(
        "Seed {}{}. To draw the same sample again: `{}`\n\n",
        s.seed,
        args.seed.map_or_else(
            || format!(" (derived from \"{} {}\")", s.kind, s.period),
            |_| String::new()
        ),
        reproduce(s, args)
    ));
    let found = format!(
        "{} {} case{} {what} in {} (by `{}`)",
        s.population,
        s.kind,
        if s.population == 1 { "" } else { "s" },
        s.period,
        s.field
    );
    if s.population == 0 {
        out.push_str(&format!(
            "No {} case was {what} in {} (by `{}`): nothing to review.\n",
            s.kind, s.period, s.field
        ));
    } else if s.size >= s.population {
        out.push_str(&format!(
            "All {found}: the size asked for, {}, is not smaller, so every one is taken.\n",
            s.size
        ));
    } else {
        out.push_str(&format!("{} drawn of {found}, in ID order.\n", s.cases.len()));
    }
    if skipped > 0 {
        out.push_str(&format!(
            "{skipped} record file{} could not be read and {} left out (see `casework check`).\n",
            if skipped == 1 { "" } else { "s" },
            if skipped == 1 { "was" } else { "were" }
        ));
    }
    for c in &s.cases {
        let line = |v: &str| crate::diag::one_line(v).into_owned();
        out.push_str(&format!("\n- [ ] {} — {}\n", c.id, line(&c.title)));
        out.push_str(&format!("  - record: [{}]({link_base}{})\n", c.path, c.path));
        out.push_str(&format!("  - {what}: {}\n", cal.display(c.at)));
        out.push_str(&format!(
            "  - owner: {}\n",
            c.owner.as_deref().map_or("(none)".into(), line)
        ));
        out.push_str(&format!("  - status: {}\n", line(&c.status)));
        if !c.verify.is_empty() {
            out.push_str("  - verify:\n");
            for f in &c.verify {
                out.push_str(&format!("    - [ ] `{f}`\n"));
            }
        }
    }
    out
}

/// The audit file's front-matter: what was drawn, and a place for each outcome.
fn front_matter(s: &Sample) -> String {
    let ids: Vec<Value> = s.cases.iter().map(|c| Value::String(c.id.clone())).collect();
    let cases: Vec<Value> = s
        .cases
        .iter()
        .map(|c| json!({"id": c.id, "outcome": null, "note": null}))
        .collect();
    let fields = json!({
        "kind": s.kind,
        "period": s.period,
        "sample": if s.archived { "archived" } else { "closed" },
        "seed": s.seed,
        "ids": ids,
        "reviewer": null,
        "reviewed_at": null,
        "cases": cases,
    });
    let mut out = String::from("---\n");
    if let Value::Object(m) = &fields {
        for (k, v) in m {
            crate::edit::value::emit_field(&mut out, 0, k, v);
        }
    }
    out.push_str("---\n\n");
    out
}
