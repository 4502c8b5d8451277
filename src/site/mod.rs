//! The published site (`casework build`): pages rendered from the loaded
//! cases and the queries, through templates, into a folder swapped in
//! whole.

pub mod charts;
pub mod markdown;
pub mod output;
pub mod pages;
pub mod redact;
pub mod serve;
pub mod templates;

use crate::context::Context;
use crate::query::cases::{self, Load};
use crate::query::report;
use pages::{Page, Published};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The output folder (default `_site` under the root).
    pub out: Option<PathBuf>,
    /// The address the site is published at, for the feed's absolute links.
    pub base_url: Option<String>,
}

/// What a build did.
#[derive(Debug)]
pub struct Built {
    pub out: PathBuf,
    pub written: output::Written,
    pub cases: usize,
    /// Record files left out (unreadable), each a warning.
    pub skipped: Vec<crate::diag::Diagnostic>,
    /// Why the timelines are missing, when git could not give them.
    pub no_history: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error(transparent)]
    Template(#[from] templates::TemplateError),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error("{0}")]
    Records(String),
}

/// The default output folder.
pub fn default_out(root: &Path) -> PathBuf {
    root.join("_site")
}

/// Build the whole site. `progress` is told the number of pages, then
/// called once per page rendered.
pub fn build(ctx: &Context, opts: &Options, progress: &(dyn Fn(Option<usize>) + Sync)) -> Result<Built, SiteError> {
    let config = &ctx.config;
    let out = opts.out.clone().unwrap_or_else(|| default_out(&config.root));
    output::check(&out, &config.root, &config.root.join(&config.records_dir))?;
    // Templates first: a broken one fails before any work.
    let templates = templates::Templates::load(&config.root, config.max_file_size)?;
    let load = Load {
        fields: true,
        report: true,
        body: true,
        blobs: true,
        soon: 5,
        ..Load::default()
    };
    let all = cases::load(ctx, load).map_err(|e| SiteError::Records(e.to_string()))?;
    let published = Published::new(config, &all);

    // Git gives the timelines and the closing dates records lack, one pass each.
    // The pages show who moved a case when, not each field's change: the
    // transitions-only walk, knowing the versions the working tree has.
    let known = all
        .cases
        .iter()
        .filter_map(|c| Some((c.blob?, (c.id.clone(), c.status.clone()))))
        .collect();
    let (timelines, no_history) = match crate::history::transitions(config, None, known, None) {
        Ok(t) => (t, None),
        Err(crate::history::HistoryError::NoRepository(_)) => {
            (BTreeMap::new(), Some("the records are not in a git repository".into()))
        }
        Err(e) => (BTreeMap::new(), Some(e.to_string())),
    };
    // The closing dates records lack come from the same timelines.
    let dates = match &no_history {
        None => Ok(report::closing_dates(config, &timelines)),
        Some(why) => Err(why.clone()),
    };
    let (items, register) = pages::queries(ctx, &all);
    let mut specs: Vec<Page> = vec![
        pages::dashboard(&published, &all, &items, &register, ctx.now),
        pages::due_page(&published, &items, ctx.now, 5),
        pages::lessons_page(&published, &register),
        pages::archive(&published, &all, disposals(ctx)),
        pages::audits(ctx, &published, &all, saved_audits(ctx)),
        pages::feed(&published, &all, &register, ctx.now),
    ];
    specs.extend(
        config
            .kinds
            .values()
            .map(|k| pages::board(&published, k, &all, ctx.now)),
    );
    let months = pages::months(config, &all, ctx.now);
    let (report_pages, reports) = pages::reports(config, ctx.now, &all, &months, &dates);
    specs.extend(report_pages);
    specs.push(pages::trends(&reports));
    let (search, index) = pages::search(&published, &all);
    specs.push(search);
    let site = site_context(ctx, opts);
    let published_cases: Vec<&cases::Case> = all.cases.iter().filter(|c| pages::has_page(config, c)).collect();
    progress(Some(specs.len() + published_cases.len()));
    let render = |p: &Page| -> Result<(String, Vec<u8>), SiteError> {
        let mut context = p.context.clone();
        context["site"] = site.clone();
        let text = templates.render(p.template, &context)?;
        progress(None);
        Ok((p.path.clone(), text.into_bytes()))
    };
    let mut files: Vec<(String, Vec<u8>)> = specs.par_iter().map(render).collect::<Result<_, _>>()?;
    let case_files: Vec<(String, Vec<u8>)> = published_cases
        .par_iter()
        .map(|c| render(&pages::case_page(ctx, &published, c, timelines.get(&c.id))))
        .collect::<Result<_, _>>()?;
    files.extend(case_files);
    files.push(("search.json".into(), index.into_bytes()));
    for (name, text) in &templates.assets {
        files.push((format!("assets/{name}"), text.clone().into_bytes()));
    }
    let written = output::write(&out, &files)?;
    Ok(Built {
        out,
        written,
        cases: published_cases.len(),
        skipped: all.skipped,
        no_history,
    })
}

/// What every page knows of the site.
fn site_context(ctx: &Context, opts: &Options) -> Value {
    let config = &ctx.config;
    let commit = git2::Repository::discover(&config.root).ok().and_then(|r| {
        r.head()
            .ok()?
            .peel_to_commit()
            .ok()
            .map(|c| c.id().to_string()[..12].to_string())
    });
    let kinds: Vec<Value> = config
        .kinds
        .values()
        .map(|k| json!({ "name": k.name, "title": k.title }))
        .collect();
    json!({
        "title": config.site.title,
        "kinds": kinds,
        "commit": commit,
        "timezone": config.calendar.timezone.name(),
        "base_url": opts.base_url.clone().or_else(|| config.site.base_url.clone()),
    })
}

/// The disposal register as a table: its header and rows, as written.
fn disposals(ctx: &Context) -> (Vec<String>, Vec<Vec<String>>) {
    let Ok(text) = crate::record::read_register(&ctx.config) else {
        return Default::default();
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let rows = reader
        .records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The saved audit files' front-matter (kind, period, seed, IDs, reviewer).
fn saved_audits(ctx: &Context) -> Vec<Value> {
    let dir = ctx.config.root.join(crate::check::audit::AUDITS_DIR);
    crate::check::audit::audit_files(&ctx.config.root)
        .into_iter()
        .filter_map(|n| {
            let text = crate::files::read_to_string(&ctx.config.root, &dir.join(&n), ctx.config.max_file_size).ok()?;
            let fm = crate::record::split_front_matter(&text).ok()?;
            let (data, _) = crate::record::yaml::parse(&text[fm.yaml.clone()], fm.first_line, false).ok()?;
            let get = |k: &str| data.get(k).cloned().unwrap_or(Value::Null);
            Some(json!({
                "file": format!("audits/{n}"), "kind": get("kind"), "period": get("period"), "seed": get("seed"),
                "ids": get("ids"), "reviewer": get("reviewer"), "reviewed_at": get("reviewed_at"),
            }))
        })
        .collect()
}
