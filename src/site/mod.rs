//! The published site (`casework build`): pages rendered from the loaded
//! cases and the queries, through templates, into a folder swapped in
//! whole.

pub mod cache;
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
use std::collections::{BTreeMap, HashMap, HashSet};
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
    let record_files = crate::record::discover(config).map_err(|e| SiteError::Records(e.to_string()))?;
    // One stat a record file, in parallel: 50,000 of them in a few hundredths of a second.
    let stamps: HashMap<String, String> = record_files
        .par_iter()
        .map(|f| (f.path.clone(), stamp(&f.abs)))
        .collect();
    let env = env_key(ctx);
    let inputs = inputs_key(ctx, opts, &out, &templates, &env, &stamps);
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
    let mut cached = cache::load(&config.root, &env);
    let (all, mut kept) = load_cases(ctx, record_files, &stamps, cached.as_mut());
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
    let site = site_context(ctx, opts);
    // Only the dashboard names the commit, so that a commit that leaves a
    // case (or a month) alone leaves its page alone too.
    let mut plain_site = site.clone();
    plain_site["commit"] = Value::Null;
    let site_key = {
        let mut h = blake3::Hasher::new();
        h.update(env.as_bytes());
        h.update(templates.fingerprint.as_bytes());
        h.update(plain_site.to_string().as_bytes());
        h.finalize().to_hex().to_string()
    };
    let previous = output::previous(&out);
    let in_previous = |path: &str| previous.contains_key(path) && out.join(path).is_file();
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
    // The monthly reports: a month whose inputs are those of its page in
    // the last build is that page (each is a pass over every case).
    let months = pages::months(config, &all, ctx.now);
    let month_keys = month_keys(&site_key, ctx, &all, &kept.digests, &dates, &months);
    let cached_months: HashMap<&str, &cache::Month> = cached
        .as_ref()
        .map(|c| c.months.iter().map(|m| (m.month.as_str(), m)).collect())
        .unwrap_or_default();
    let mut kept_pages: Vec<String> = Vec::new();
    let mut month_pages: Vec<cache::Month> = Vec::new();
    let mut index = Vec::new();
    let mut newest: Vec<Option<(String, report::Report)>> = Vec::new();
    let done: Vec<(String, String, Option<pages::MonthReport>)> = months
        .par_iter()
        .zip(month_keys.par_iter())
        .rev()
        .map(|(&(y, m), key)| {
            let name = format!("{y:04}-{m:02}");
            let same = cached_months
                .get(name.as_str())
                .is_some_and(|c| c.key == *key && in_previous(&pages::report_path(&name)));
            let made = if same {
                None
            } else {
                pages::month_report(config, ctx.now, &all, (y, m), &dates)
            };
            (name, key.clone(), made)
        })
        .collect();
    for (name, key, made) in done {
        let entry = match made {
            Some((page, entry, report)) => {
                specs.push(page);
                newest.push(Some(report));
                entry
            }
            None => match cached_months.get(name.as_str()) {
                Some(c) => {
                    kept_pages.push(pages::report_path(&name));
                    newest.push(None);
                    c.entry.clone()
                }
                None => continue,
            },
        };
        index.push(entry.clone());
        month_pages.push(cache::Month {
            month: name,
            key,
            entry,
        });
    }
    specs.push(pages::reports_index(index));
    // The trends read the last twelve months' reports.
    let trends_key = {
        let mut h = blake3::Hasher::new();
        for m in month_pages.iter().take(12) {
            h.update(m.key.as_bytes());
        }
        h.finalize().to_hex().to_string()
    };
    if cached.as_ref().is_some_and(|c| c.trends == trends_key) && in_previous("trends.html") {
        kept_pages.push("trends.html".into());
    } else {
        let reports: Vec<(String, report::Report)> = month_pages
            .iter()
            .zip(newest.into_iter().chain(std::iter::repeat_with(|| None)))
            .take(12)
            .filter_map(|(m, r)| {
                r.or_else(|| {
                    let (y, mo) = m.month.split_once('-')?;
                    let (y, mo) = (y.parse().ok()?, mo.parse().ok()?);
                    pages::month_report(config, ctx.now, &all, (y, mo), &dates).map(|(_, _, r)| r)
                })
            })
            .collect();
        specs.push(pages::trends(&reports));
    }
    let (search, search_index) = pages::search(&published, &all);
    specs.push(search);
    let published_cases: Vec<&cases::Case> = all.cases.iter().filter(|c| pages::has_page(config, c)).collect();
    progress(Some(specs.len() + published_cases.len()));
    let render = |p: &Page, site: &Value| -> Result<(String, Vec<u8>), SiteError> {
        let mut context = p.context.clone();
        context["site"] = site.clone();
        let text = templates.render(p.template, &context)?;
        progress(None);
        Ok((p.path.clone(), text.into_bytes()))
    };
    let mut files: Vec<(String, Vec<u8>)> = specs
        .par_iter()
        .map(|p| render(p, if p.path == "index.html" { &site } else { &plain_site }))
        .collect::<Result<_, _>>()?;

    // A case page whose inputs are those of its page in the previous site is that page.
    let empty = Vec::new();
    let keyed: Vec<(&cases::Case, String)> = published_cases
        .par_iter()
        .map(|c| {
            let related = kept.related.get(&c.path).unwrap_or(&empty);
            let key = page_key(&site_key, &stamps, c, timelines.get(&c.id), related, &published);
            (*c, key)
        })
        .collect();
    let rendered: Vec<Option<(String, Vec<u8>)>> = keyed
        .par_iter()
        .map(|(c, key)| {
            let path = pages::case_path(&c.id);
            if kept.pages.get(&c.path) == Some(key) && in_previous(&path) {
                progress(None);
                return Ok(None);
            }
            // A case kept from the last build has no body: read it again.
            let full = if kept.from_cache.contains(c.path.as_str()) {
                reload(ctx, c)
            } else {
                None
            };
            let c = full.as_ref().unwrap_or(c);
            render(&pages::case_page(ctx, &published, c, timelines.get(&c.id)), &plain_site).map(Some)
        })
        .collect::<Result<_, SiteError>>()?;
    for ((c, _), r) in keyed.iter().zip(rendered) {
        match r {
            Some(file) => files.push(file),
            None => kept_pages.push(pages::case_path(&c.id)),
        }
    }
    files.push(("search.json".into(), search_index.into_bytes()));
    for (name, text) in &templates.assets {
        files.push((format!("assets/{name}"), text.clone().into_bytes()));
    }
    // A build that left a record out reads the records again next time, to say why.
    let site = output::Site {
        inputs: all.skipped.is_empty().then_some(inputs.as_str()),
        cases: published_cases.len(),
        no_history: no_history.as_deref(),
    };
    let written = output::write(&out, &files, &kept_pages, site)?;
    let cases_published = published_cases.len();
    let mut page_keys: HashMap<String, String> = keyed.into_iter().map(|(c, k)| (c.path.clone(), k)).collect();
    // The cases themselves go into the cache: this build needs them no more.
    let entries = all
        .cases
        .into_iter()
        .filter_map(|mut case| {
            case.body = None;
            // A closed case's clocks, if any, are judged again from them.
            if case.closed && case.clocks.is_empty() {
                case.fields = String::new();
            }
            Some(cache::Entry {
                stamp: stamps.get(&case.path)?.clone(),
                digest: kept.digests.remove(&case.path)?,
                related: kept.related.remove(&case.path).unwrap_or_default(),
                page: page_keys.remove(&case.path),
                path: case.path.clone(),
                case,
            })
        })
        .collect();
    let stored = cache::Stored::new(&env, ctx.now.timestamp(), entries, month_pages, trends_key);
    cache::save(&config.root, &stored);
    Ok(Built {
        out,
        written,
        cases: cases_published,
        skipped: all.skipped,
        no_history,
        reused: false,
    })
}

/// What the loading of the cases kept from the last build.
#[derive(Default)]
struct Kept {
    /// Paths of the cases taken from the cache (no body).
    from_cache: HashSet<String>,
    /// Each case's `related` IDs, by path.
    related: HashMap<String, Vec<String>>,
    /// The key each case's page had in the last build, by path.
    pages: HashMap<String, String>,
    /// What the reports read of each case, hashed ([`digest`]), by path.
    digests: HashMap<String, String>,
}

/// Every case: the record files whose stamp is the cached one from the
/// cache (their clocks judged again at another time), the others loaded.
fn load_cases(
    ctx: &Context,
    files: Vec<crate::record::RecordFile>,
    stamps: &HashMap<String, String>,
    mut cached: Option<&mut cache::Cache>,
) -> (cases::Cases, Kept) {
    let load = Load {
        fields: true,
        report: true,
        body: true,
        blobs: true,
        soon: SOON,
        ..Load::default()
    };
    let mut kept = Kept::default();
    let again = cached.as_ref().is_some_and(|c| c.now != ctx.now.timestamp());
    let mut fresh = Vec::new();
    let mut from_cache = Vec::new();
    for f in files {
        // Taken out of the cache, not copied. A page key is kept only for
        // an unchanged file: a changed one's key names its new stamp.
        match cached
            .as_deref_mut()
            .and_then(|c| c.entries.remove(&f.path))
            .filter(|e| stamps.get(&f.path) == Some(&e.stamp))
        {
            Some(e) => {
                if let Some(key) = e.page {
                    kept.pages.insert(f.path.clone(), key);
                }
                kept.related.insert(f.path.clone(), e.related);
                kept.digests.insert(f.path.clone(), e.digest);
                from_cache.push(e.case);
            }
            None => fresh.push(f),
        }
    }
    let mut all = cases::load_files(ctx, fresh, load);
    for c in &all.cases {
        kept.related.insert(c.path.clone(), related_of(&c.data()));
        kept.digests.insert(c.path.clone(), digest(c));
    }
    let taken: Vec<cases::Case> = from_cache
        .into_par_iter()
        .map(|mut case| {
            if again {
                case.judge_clocks_again(ctx, SOON);
            }
            case
        })
        .collect();
    for case in taken {
        kept.from_cache.insert(case.path.clone());
        all.cases.push(case);
    }
    all.cases.sort_by(|a, b| a.path.cmp(&b.path));
    (all, kept)
}

/// What the reports read of a case, hashed: the case but for its fields,
/// body and the clocks judged at the build's time (the reports judge
/// their own from the facts).
fn digest(c: &cases::Case) -> String {
    let mut c = c.clone();
    (c.fields, c.body, c.text, c.clocks, c.waits, c.reminders, c.blob) =
        (String::new(), None, None, Vec::new(), Vec::new(), Vec::new(), None);
    blake3::hash(&serde_json::to_vec(&c).unwrap_or_default()).to_hex()[..32].to_string()
}

/// The key of each month's report: a month's report reads the cases opened
/// by its end (and those without an opening time), their closing dates
/// from history, the build's time and the site's settings. The cases in
/// order of opening, each month's key the hash of all before it.
fn month_keys(
    site_key: &str,
    ctx: &Context,
    all: &cases::Cases,
    digests: &HashMap<String, String>,
    dates: &report::ClosingDates,
    months: &[(i32, u32)],
) -> Vec<String> {
    use chrono::Datelike;
    let cal = &ctx.config.calendar;
    let mut by_month: BTreeMap<(i32, u32), Vec<&cases::Case>> = BTreeMap::new();
    let mut undated = Vec::new();
    for c in &all.cases {
        match c.opened.map(|t| cal.local_date(t)) {
            Some(d) => by_month.entry((d.year(), d.month())).or_default().push(c),
            None => undated.push(c),
        }
    }
    let mut h = blake3::Hasher::new();
    h.update(site_key.as_bytes());
    h.update(&ctx.now.timestamp().to_le_bytes());
    if let Err(why) = dates {
        h.update(why.as_bytes());
    }
    let add = |h: &mut blake3::Hasher, c: &cases::Case| {
        h.update(c.path.as_bytes());
        h.update(digests.get(&c.path).map_or("", String::as_str).as_bytes());
        if let Some(at) = dates.as_ref().ok().and_then(|d| d.get(&c.id)) {
            h.update(&at.timestamp().to_le_bytes());
        }
    };
    for c in undated {
        add(&mut h, c);
    }
    // Cases opened before the first month listed count from the start.
    let first = months.first().copied().unwrap_or((i32::MIN, 0));
    for c in by_month.range(..first).flat_map(|(_, cs)| cs) {
        add(&mut h, c);
    }
    let mut out = Vec::with_capacity(months.len());
    for &(y, m) in months {
        for c in by_month.get(&(y, m)).into_iter().flatten() {
            add(&mut h, c);
        }
        let mut k = h.clone();
        k.update(&y.to_le_bytes());
        k.update(&m.to_le_bytes());
        out.push(k.finalize().to_hex().to_string());
    }
    out
}

/// The look-ahead of "due soon" on the site, in business days.
const SOON: u32 = 5;

/// The `related` IDs of a front-matter.
fn related_of(data: &Value) -> Vec<String> {
    match data.get("related") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// A case kept from the last build, read again whole (its body and
/// fields) for its page.
fn reload(ctx: &Context, c: &cases::Case) -> Option<cases::Case> {
    let config = &ctx.config;
    let file = crate::record::record_file_at(&config.root, &config.root.join(&c.path))?;
    let load = Load {
        fields: true,
        report: false,
        body: true,
        soon: SOON,
        ..Load::default()
    };
    cases::load_files(ctx, vec![file], load).cases.pop()
}

/// Everything a case page shows comes from these: the site's templates and
/// settings (`site_key`), the record file (its stamp), its timeline, which
/// of its related cases have pages, and its clocks (judged at the build's
/// time). The same key as the page's in the last build means the same page.
fn page_key(
    site_key: &str,
    stamps: &HashMap<String, String>,
    c: &cases::Case,
    timeline: Option<&crate::history::Timeline>,
    related: &[String],
    published: &Published,
) -> String {
    let mut h = blake3::Hasher::new();
    let mut put = |part: &[u8]| put_part(&mut h, part);
    put(site_key.as_bytes());
    put(c.path.as_bytes());
    put(stamps.get(&c.path).map_or("", String::as_str).as_bytes());
    put(&serde_json::to_vec(&timeline).unwrap_or_default());
    for id in related {
        put(id.as_bytes());
        put(&[u8::from(published.href(id, "").is_some())]);
    }
    put(&serde_json::to_vec(&c.clocks).unwrap_or_default());
    h.finalize().to_hex().to_string()
}

/// `part` into `h` with its length first, so that no two sequences of
/// parts hash alike.
fn put_part(h: &mut blake3::Hasher, part: &[u8]) {
    h.update(&(part.len() as u64).to_le_bytes());
    h.update(part);
}

/// A file's size, times and inode, hashed: what `make` and cargo trust to
/// say a file is unchanged. `-` for a file that cannot be read.
fn stamp(path: &Path) -> String {
    let Ok(meta) = std::fs::metadata(path) else {
        return "-".into();
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
    blake3::hash(&v).to_hex()[..32].to_string()
}

/// casework itself, the configuration and the schemas: what every case
/// is loaded with.
fn env_key(ctx: &Context) -> String {
    let config = &ctx.config;
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Ok(exe) = std::env::current_exe() {
        h.update(stamp(&exe).as_bytes());
    }
    h.update(stamp(&config.root.join(crate::config::CONFIG_FILE)).as_bytes());
    for kind in config.kinds.values() {
        h.update(kind.schema.as_bytes());
        h.update(stamp(&config.root.join(&kind.schema)).as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// Everything a build reads, as one hash: casework, the configuration and
/// schemas (`env`), the templates, each record file's stamp, the disposal
/// register and the audit files, the commit the timelines come from, the
/// build's time and its options. The same hash as the last build's means
/// the same pages: a build with no change reads no record.
fn inputs_key(
    ctx: &Context,
    opts: &Options,
    out: &Path,
    templates: &templates::Templates,
    env: &str,
    stamps: &HashMap<String, String>,
) -> String {
    let config = &ctx.config;
    let mut h = blake3::Hasher::new();
    let mut put = |part: &[u8]| put_part(&mut h, part);
    put(env.as_bytes());
    put(templates.fingerprint.as_bytes());
    put(stamp(&config.root.join(&config.register)).as_bytes());
    for name in crate::check::audit::audit_files(&config.root) {
        put(name.as_bytes());
        put(stamp(&config.root.join(crate::check::audit::AUDITS_DIR).join(&name)).as_bytes());
    }
    let mut files: Vec<(&String, &String)> = stamps.iter().collect();
    files.sort();
    for (path, st) in files {
        put(path.as_bytes());
        put(st.as_bytes());
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
