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
    /// Nothing the site is made of changed since the last build: no
    /// record was read and no page rendered.
    pub reused: bool,
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
    let record_files = crate::record::discover(config).map_err(|e| SiteError::Records(e.to_string()))?;
    let inputs = inputs_key(ctx, opts, &out, &templates, &record_files);
    if let Some(previous) = output::unchanged(&out, &inputs) {
        return Ok(Built {
            out,
            written: output::Written {
                pages: previous.pages,
                changed: 0,
                removed: 0,
            },
            cases: previous.cases,
            skipped: Vec::new(),
            no_history: previous.no_history,
            reused: true,
        });
    }
    let all = cases::load_files(ctx, record_files, load);
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
    // A build that left a record out reads the records again next time, to say why.
    let site = output::Site {
        inputs: all.skipped.is_empty().then_some(inputs.as_str()),
        cases: published_cases.len(),
        no_history: no_history.as_deref(),
    };
    let written = output::write(&out, &files, site)?;
    Ok(Built {
        out,
        written,
        cases: published_cases.len(),
        skipped: all.skipped,
        no_history,
        reused: false,
    })
}

/// Everything a build reads, as one hash: casework itself, the
/// configuration and schemas, the templates, each record file, the
/// disposal register and the audit files (by size, times and inode, as
/// `make` and cargo judge a file unchanged), the commit the timelines come
/// from, the build's time and its options. The same hash as the last
/// build's means the same pages: a build with no change reads no record.
fn inputs_key(
    ctx: &Context,
    opts: &Options,
    out: &Path,
    templates: &templates::Templates,
    files: &[crate::record::RecordFile],
) -> String {
    let config = &ctx.config;
    let mut h = blake3::Hasher::new();
    let mut put = |part: &[u8]| {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part);
    };
    put(env!("CARGO_PKG_VERSION").as_bytes());
    let stamp = |path: &Path| -> Vec<u8> {
        let Ok(meta) = std::fs::metadata(path) else {
            return b"-".to_vec();
        };
        let mut v = meta.len().to_le_bytes().to_vec();
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            for n in [
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ctime(),
                meta.ctime_nsec(),
                meta.ino() as i64,
            ] {
                v.extend_from_slice(&n.to_le_bytes());
            }
        }
        #[cfg(not(unix))]
        if let Ok(t) = meta
            .modified()
            .map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default())
        {
            v.extend_from_slice(&t.as_nanos().to_le_bytes());
        }
        v
    };
    if let Ok(exe) = std::env::current_exe() {
        put(&stamp(&exe));
    }
    put(&stamp(&config.root.join(crate::config::CONFIG_FILE)));
    for kind in config.kinds.values() {
        put(&stamp(&config.root.join(&kind.schema)));
    }
    put(templates.fingerprint.as_bytes());
    put(&stamp(&config.root.join(&config.register)));
    for name in crate::check::audit::audit_files(&config.root) {
        put(name.as_bytes());
        put(&stamp(&config.root.join(crate::check::audit::AUDITS_DIR).join(&name)));
    }
    // One stat a record file, in parallel: 50,000 of them in a few hundredths of a second.
    let mut files: Vec<&crate::record::RecordFile> = files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let stamps: Vec<Vec<u8>> = files.par_iter().map(|f| stamp(&f.abs)).collect();
    for (f, st) in files.iter().zip(&stamps) {
        put(f.path.as_bytes());
        put(st);
    }
    let head = git2::Repository::discover(&config.root)
        .ok()
        .and_then(|r| r.head().ok()?.peel_to_commit().ok().map(|c| c.id().to_string()));
    put(head.unwrap_or_default().as_bytes());
    put(&ctx.now.timestamp().to_le_bytes());
    put(opts.base_url.as_deref().unwrap_or_default().as_bytes());
    put(out.to_string_lossy().as_bytes());
    h.finalize().to_hex().to_string()
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
