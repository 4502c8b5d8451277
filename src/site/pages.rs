//! What each page shows: contexts for the templates, built from the loaded
//! cases and the queries behind `due`, `report`, `sample` and `lessons`.
//! Every value from a record passes [`Published`], which leaves out what
//! `[site] redact` names and archived cases `[site] archived` keeps back.

use super::{charts, markdown, redact};
use crate::calendar::ClockState;
use crate::config::{Config, Kind};
use crate::context::Context;
use crate::history::Timeline;
use crate::query::cases::{Case, Cases};
use crate::query::due::{DueFilter, DueItem, DueState, due};
use crate::query::lessons::{LessonFilter, LessonRow, lessons};
use crate::query::report::{self, ClosingDates, Window};
use crate::query::sample::{self, SampleQuery};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

/// One page to render: its path in the site, its template and context.
pub struct Page {
    pub path: String,
    pub template: &'static str,
    pub context: Value,
}

/// What may be published of the cases.
pub struct Published<'a> {
    pub config: &'a Config,
    /// IDs of the cases that get a page of their own.
    pages: HashSet<&'a str>,
}

impl<'a> Published<'a> {
    pub fn new(config: &'a Config, cases: &'a Cases) -> Published<'a> {
        let pages = cases
            .cases
            .iter()
            .filter(|c| has_page(config, c))
            .map(|c| c.id.as_str())
            .collect();
        Published { config, pages }
    }

    /// `prefix` + `cases/ID.html` when the case has a page.
    pub fn href(&self, id: &str, prefix: &str) -> Option<String> {
        self.pages.contains(id).then(|| format!("{prefix}{}", case_path(id)))
    }

    /// A top-level field's value, unless `[site] redact` names it.
    pub fn field<'v>(&self, name: &str, value: Option<&'v str>) -> Option<&'v str> {
        value.filter(|_| !redact::is_redacted(name, &self.config.site.redact))
    }

    fn owner<'v>(&self, c: &'v Case) -> &'v str {
        self.field("owner", c.owner.as_deref()).unwrap_or_default()
    }

    fn title<'v>(&self, c: &'v Case) -> &'v str {
        self.field("title", Some(c.title.as_str())).unwrap_or_default()
    }
}

/// Whether a case gets a page: every case but an archived one, unless
/// `[site] archived = "full"`; and only with an ID that is a safe file name.
pub fn has_page(config: &Config, c: &Case) -> bool {
    let archived = config.kinds.get(&c.kind).is_some_and(|k| c.status == k.archive_state);
    crate::record::is_plausible_id(&c.id) && (!archived || config.site.archived_full)
}

/// `cases/REQ-2026-0001.html` (the ID is checked by [`has_page`]).
pub fn case_path(id: &str) -> String {
    format!("cases/{id}.html")
}

fn date(config: &Config, t: Option<DateTime<Utc>>) -> String {
    t.map(|t| config.calendar.local_date(t).to_string()).unwrap_or_default()
}

fn state_label(s: DueState) -> &'static str {
    match s {
        DueState::Breached => "breached",
        DueState::Escalate => "escalate",
        DueState::DueSoon => "due soon",
        DueState::Reminder => "reminder",
        DueState::ReadyToClose => "ready to close",
    }
}

fn clock_label(s: ClockState) -> (&'static str, &'static str) {
    match s {
        ClockState::Breached => ("breached", "breached"),
        ClockState::Escalated => ("escalated", "escalated"),
        ClockState::DueSoon => ("due_soon", "due soon"),
        ClockState::Running => ("running", "running"),
    }
}

fn due_rows(p: &Published, items: &[DueItem], prefix: &str) -> Vec<Value> {
    let cal = &p.config.calendar;
    items
        .iter()
        .map(|d| {
            json!({
                "id": d.id, "href": p.href(&d.id, prefix),
                "title": p.field("title", Some(d.title.as_str())).unwrap_or_default(),
                "owner": p.field("owner", d.owner.as_deref()).unwrap_or_default(),
                "clock": d.clock, "state": d.state.as_str(), "state_label": state_label(d.state),
                "due": cal.display(d.at),
            })
        })
        .collect()
}

fn lesson_rows(p: &Published, rows: &[LessonRow], prefix: &str) -> Vec<Value> {
    if redact::is_redacted("lessons", &p.config.site.redact) {
        return Vec::new();
    }
    rows.iter()
        .map(|l| {
            json!({
                "lesson": l.lesson, "id": l.id, "href": p.href(&l.id, prefix), "kind": l.kind,
                "category": p.field("category", l.category.as_deref()).unwrap_or_default(),
                "date": date(p.config, l.at),
            })
        })
        .collect()
}

/// The dashboard: per kind, counts by state, breached clocks, what is due
/// this week; what is late; the newest lessons.
pub fn dashboard(p: &Published, cases: &Cases, items: &[DueItem], register: &[LessonRow], now: DateTime<Utc>) -> Page {
    let config = p.config;
    let kinds: Vec<Value> = config
        .kinds
        .values()
        .map(|k| {
            let of_kind = || cases.cases.iter().filter(|c| c.kind == k.name);
            let states: Vec<Value> = k
                .states
                .iter()
                .map(|s| json!({ "name": s, "count": of_kind().filter(|c| c.status == *s).count() }))
                .collect();
            let items_of = |st: DueState| items.iter().filter(|d| d.kind == k.name && d.state == st).count();
            json!({
                "name": k.name, "title": k.title, "states": states,
                "open": of_kind().filter(|c| !c.closed).count(),
                "breached": items_of(DueState::Breached) + items_of(DueState::Escalate),
                "due_week": items_of(DueState::DueSoon),
            })
        })
        .collect();
    let late: Vec<DueItem> = items
        .iter()
        .filter(|d| matches!(d.state, DueState::Breached | DueState::Escalate))
        .take(10)
        .cloned()
        .collect();
    Page {
        path: "index.html".into(),
        template: "index.html",
        context: json!({
            "page_title": "Dashboard", "root": "", "now": config.calendar.display(now),
            "kinds": kinds,
            "late": due_rows(p, &late, ""), "due_count": items.len(),
            "lessons": lesson_rows(p, &register[..register.len().min(5)], ""),
            "skipped": cases.skipped.len(),
        }),
    }
}

/// A status board: a column per open state, a card per open case.
pub fn board(p: &Published, kind: &Kind, cases: &Cases, now: DateTime<Utc>) -> Page {
    let cal = &p.config.calendar;
    let open: Vec<&Case> = cases
        .cases
        .iter()
        .filter(|c| c.kind == kind.name && !c.closed)
        .collect();
    let mut owners: Vec<&str> = open.iter().map(|c| p.owner(c)).filter(|o| !o.is_empty()).collect();
    owners.sort_unstable();
    owners.dedup();
    let category = |c: &Case| {
        p.field("category", c.category.as_deref())
            .unwrap_or_default()
            .to_string()
    };
    let mut categories: Vec<String> = open.iter().map(|c| category(c)).filter(|c| !c.is_empty()).collect();
    categories.sort_unstable();
    categories.dedup();
    let columns: Vec<Value> = kind
        .states
        .iter()
        .filter(|s| !kind.is_closed(s))
        .map(|s| {
            let cards: Vec<Value> = open
                .iter()
                .filter(|c| c.status == *s)
                .map(|c| {
                    // The most urgent clock is the card's badge.
                    let worst = c.clocks.iter().min_by_key(|k| (k.state as u8, k.due_at));
                    let (sla_state, sla) = match worst {
                        Some(k) => {
                            let (class, label) = clock_label(k.state);
                            (class, format!("{label}: {} {}", k.name, cal.display(k.due_at)))
                        }
                        None => ("", String::new()),
                    };
                    let title = p.title(c);
                    json!({
                        "id": c.id, "title": title, "href": case_path(&c.id),
                        "owner": p.owner(c), "category": category(c),
                        "priority": p.field("priority", c.priority.as_deref()).unwrap_or_default(),
                        "text": format!("{} {title}", c.id).to_lowercase(),
                        "age": c.opened.map_or(0, |o| report::business_days(cal, o, now).floor() as i64),
                        "sla": sla, "sla_state": sla_state,
                    })
                })
                .collect();
            json!({ "state": s, "label": s.replace('_', " "), "cards": cards })
        })
        .collect();
    Page {
        path: format!("board/{}.html", kind.name),
        template: "board.html",
        context: json!({
            "page_title": format!("{} board", kind.title), "root": "../",
            "kind": { "name": kind.name, "title": kind.title },
            "owners": owners, "categories": categories, "columns": columns,
        }),
    }
}

/// The overdue and escalation list: exactly what `casework due` reports.
pub fn due_page(p: &Published, items: &[DueItem], now: DateTime<Utc>, within: u32) -> Page {
    Page {
        path: "due.html".into(),
        template: "due.html",
        context: json!({
            "page_title": "Overdue and escalations", "root": "",
            "items": due_rows(p, items, ""), "within": within,
            "now": p.config.calendar.display(now),
        }),
    }
}

pub fn lessons_page(p: &Published, register: &[LessonRow]) -> Page {
    Page {
        path: "lessons.html".into(),
        template: "lessons.html",
        context: json!({ "page_title": "Lessons learned", "root": "", "rows": lesson_rows(p, register, "") }),
    }
}

/// The archive by year and month archived, and the disposal register.
pub fn archive(p: &Published, cases: &Cases, register: (Vec<String>, Vec<Vec<String>>)) -> Page {
    let config = p.config;
    let mut by_month: BTreeMap<(i32, u32), Vec<Value>> = BTreeMap::new();
    for c in &cases.cases {
        let Some(kind) = config.kinds.get(&c.kind) else {
            continue;
        };
        if c.status != kind.archive_state {
            continue;
        }
        let at = c.archived_at.or(c.closed_at);
        let key = at.map_or((0, 0), |t| {
            let d = config.calendar.local_date(t);
            (d.year(), d.month())
        });
        let retain = c.retain_until.map(|d| d.to_string()).unwrap_or_default();
        by_month.entry(key).or_default().push(json!({
            "id": c.id, "kind": c.kind, "href": p.href(&c.id, ""),
            "opened": date(config, c.opened), "closed": date(config, c.closed_at),
            "archived": date(config, c.archived_at), "retain_until": retain,
        }));
    }
    let mut years: BTreeMap<i32, Vec<Value>> = BTreeMap::new();
    for ((y, m), cases) in by_month.into_iter().rev() {
        let month = if y == 0 {
            "no archive date".to_string()
        } else {
            NaiveDate::from_ymd_opt(y, m, 1).map_or_else(String::new, |d| d.format("%B %Y").to_string())
        };
        years
            .entry(y)
            .or_default()
            .push(json!({ "month": month, "cases": cases }));
    }
    let years: Vec<Value> = years
        .into_iter()
        .rev()
        .map(|(y, months)| json!({ "year": if y == 0 { "Undated".to_string() } else { y.to_string() }, "months": months }))
        .collect();
    Page {
        path: "archive.html".into(),
        template: "archive.html",
        context: json!({
            "page_title": "Archive", "root": "", "years": years, "full": config.site.archived_full,
            "disposals": { "header": register.0, "rows": register.1 },
        }),
    }
}

/// One case's page: its fields (redacted), body (sanitised) and timeline.
pub fn case_page(ctx: &Context, p: &Published, c: &Case, timeline: Option<&Timeline>) -> Page {
    let config = &ctx.config;
    let mut data = c.data();
    redact::redact(&mut data, &config.site.redact);
    let mut fields = Vec::new();
    if let Value::Object(m) = &data {
        for (k, v) in m {
            if matches!(k.as_str(), "id" | "title" | "status") {
                continue;
            }
            if k == "related" {
                // IDs link to their cases' pages where those are published.
                let ids: Vec<&str> = match v {
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    v => v.as_str().into_iter().collect(),
                };
                let links: Vec<Value> = ids
                    .iter()
                    .map(|id| json!({ "id": id, "href": p.href(id, "../") }))
                    .collect();
                fields.push(json!({ "name": k, "value": ids.join(", "), "links": links }));
                continue;
            }
            flatten(k, v, &mut fields);
        }
    }
    let clocks: Vec<Value> = c
        .clocks
        .iter()
        .map(|k| {
            let (class, label) = clock_label(k.state);
            json!({ "name": k.name, "due": config.calendar.display(k.due_at), "state": class, "state_label": label })
        })
        .collect();
    let timeline: Vec<Value> = timeline
        .map(|t| {
            t.entries
                .iter()
                .map(|e| {
                    let transition = e.transition.as_ref().map(|t| {
                        format!(
                            "{} → {}",
                            t.from.as_deref().unwrap_or("(new)"),
                            t.to.as_deref().unwrap_or("(removed)")
                        )
                    });
                    let when = DateTime::parse_from_rfc3339(&e.date)
                        .map(|d| config.calendar.display(d.to_utc()))
                        .unwrap_or_else(|_| e.date.clone());
                    json!({ "date": when, "author": e.author, "subject": e.subject, "transition": transition })
                })
                .collect()
        })
        .unwrap_or_default();
    let kind_title = config.kinds.get(&c.kind).map_or(c.kind.as_str(), |k| k.title.as_str());
    let title = p.title(c);
    Page {
        path: case_path(&c.id),
        template: "case.html",
        context: json!({
            "page_title": format!("{} {title}", c.id), "root": "../",
            "case": {
                "id": c.id, "title": title, "status": c.status, "kind_title": kind_title,
                "owner": p.owner(c), "opened": date(config, c.opened),
                "fields": fields, "clocks": clocks, "timeline": timeline,
                "body": markdown::render(c.body.as_deref().unwrap_or_default()),
            },
        }),
    }
}

/// Leaf values by dotted path, as one line of text each.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) if !m.is_empty() => m.iter().for_each(|(k, x)| flatten(&format!("{prefix}.{k}"), x, out)),
        Value::Array(a) if !a.is_empty() && a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let items: Vec<String> = a.iter().map(scalar).collect();
            out.push(json!({ "name": prefix, "value": items.join(", ") }));
        }
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| flatten(&format!("{prefix}.{}", i + 1), x, out)),
        _ => out.push(json!({ "name": prefix, "value": scalar(v) })),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// The months from the first case opened to `now`'s, oldest first.
pub fn months(config: &Config, cases: &Cases, now: DateTime<Utc>) -> Vec<(i32, u32)> {
    let first = cases.cases.iter().filter_map(|c| c.opened).min();
    let (Some(first), last) = (first, config.calendar.local_date(now)) else {
        return Vec::new();
    };
    let first = config.calendar.local_date(first);
    let mut out = Vec::new();
    let (mut y, mut m) = (first.year(), first.month());
    while (y, m) <= (last.year(), last.month()) && out.len() < 600 {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// One month's report: its page, its line in the index, and the report
/// by its month's name.
pub type MonthReport = (Page, Value, (String, report::Report));

/// One month's report ([`MonthReport`]).
pub fn month_report(
    config: &Config,
    now: DateTime<Utc>,
    cases: &Cases,
    (y, m): (i32, u32),
    dates: &ClosingDates,
) -> Option<MonthReport> {
    let w = Window::month(y, m)?;
    let r = report::report(config, now, cases, &w, None, |_| dates.clone());
    let name = format!("{y:04}-{m:02}");
    let kinds: Vec<Value> = r
        .kinds
        .iter()
        .map(|(k, kr)| {
            let num = |x: Option<f64>| x.map_or("–".to_string(), |x| format!("{x:.1}"));
            json!({
                "name": k, "r": kr,
                "ack": num(kr.time_to_acknowledge.as_ref().and_then(|d| d.median)),
                "resolve": num(kr.time_to_resolve.median), "resolve_p90": num(kr.time_to_resolve.p90),
            })
        })
        .collect();
    let entry = json!({
        "month": name, "href": format!("{name}.html"),
        "opened": r.kinds.values().map(|k| k.opened).sum::<usize>(),
        "closed": r.kinds.values().map(|k| k.closed).sum::<usize>(),
    });
    let page = Page {
        path: report_path(&name),
        template: "report.html",
        context: json!({ "page_title": format!("Report {name}"), "root": "../", "report": r, "kinds": kinds }),
    };
    Some((page, entry, (name, r)))
}

/// `reports/2026-10.html`.
pub fn report_path(month: &str) -> String {
    format!("reports/{month}.html")
}

/// The index of the monthly reports, newest first (`entries` as
/// [`month_report`] gives them).
pub fn reports_index(entries: Vec<Value>) -> Page {
    Page {
        path: "reports/index.html".into(),
        template: "reports.html",
        context: json!({ "page_title": "Monthly reports", "root": "../", "months": entries }),
    }
}

/// Feedback and trends over the last twelve months of reports.
pub fn trends(reports: &[(String, report::Report)]) -> Page {
    let last: Vec<&(String, report::Report)> = reports.iter().take(12).rev().collect();
    let labels: Vec<String> = last.iter().map(|(n, _)| n.clone()).collect();
    let sum = |f: &dyn Fn(&report::KindReport) -> f64| -> Vec<f64> {
        last.iter().map(|(_, r)| r.kinds.values().map(f).sum()).collect()
    };
    let feedback = [
        charts::Series {
            name: "positive".into(),
            values: sum(&|k| k.feedback.positive as f64),
        },
        charts::Series {
            name: "negative".into(),
            values: sum(&|k| k.feedback.negative as f64),
        },
        charts::Series {
            name: "suggestion".into(),
            values: sum(&|k| k.feedback.suggestion as f64),
        },
    ];
    let kinds: Vec<String> = last
        .first()
        .map(|(_, r)| r.kinds.keys().cloned().collect())
        .unwrap_or_default();
    let per_kind = |f: &dyn Fn(&report::KindReport) -> Option<f64>| -> Vec<charts::Series> {
        kinds
            .iter()
            .map(|k| charts::Series {
                name: k.clone(),
                values: last
                    .iter()
                    .map(|(_, r)| r.kinds.get(k).and_then(f).unwrap_or(f64::NAN))
                    .collect(),
            })
            .collect()
    };
    let compliance = per_kind(&|k| {
        let (met, missed) = k.sla.iter().fold((0, 0), |(a, b), s| (a + s.met, b + s.missed));
        (met + missed > 0).then(|| 100.0 * met as f64 / (met + missed) as f64)
    });
    let resolve = per_kind(&|k| k.time_to_resolve.median);
    let charts = [
        ("Feedback received by category", &feedback[..], "items", None, true),
        (
            "SLA compliance (% of clocks met)",
            &compliance[..],
            "%",
            Some(100.0),
            false,
        ),
        ("Median time to resolve", &resolve[..], "business days", None, false),
    ];
    let charts: Vec<Value> = charts
        .into_iter()
        .map(|(title, series, unit, max, bars)| {
            let c = if bars {
                charts::bars(title, &labels, series, unit)
            } else {
                charts::line(title, &labels, series, unit, max)
            };
            let mut header = c.table.header;
            if let Some(first) = header.first_mut() {
                *first = "Month".into();
            }
            json!({ "title": title, "svg": c.svg, "header": header, "rows": c.table.rows })
        })
        .collect();
    Page {
        path: "trends.html".into(),
        template: "trends.html",
        context: json!({ "page_title": "Feedback and trends", "root": "", "months": labels.len(), "charts": charts }),
    }
}

/// The saved audits and last month's sample of each kind.
pub fn audits(ctx: &Context, p: &Published, cases: &Cases, saved: Vec<Value>) -> Page {
    let today = ctx.config.calendar.local_date(ctx.now);
    let last = today.with_day(1).and_then(|d| d.pred_opt()).map(|d| sample::Period {
        year: d.year(),
        month: d.month(),
    });
    let samples: Vec<Value> = match last {
        Some(period) => ctx
            .config
            .kinds
            .keys()
            .map(|k| {
                let q = SampleQuery {
                    kind: k.clone(),
                    period,
                    size: 5,
                    seed: sample::default_seed(k, period),
                    archived: false,
                };
                let s = sample::sample(ctx, cases, &q);
                let picked: Vec<Value> = s
                    .cases
                    .iter()
                    .map(|c| json!({ "id": c.id, "href": p.href(&c.id, ""), "title": p.field("title", Some(c.title.as_str())).unwrap_or_default() }))
                    .collect();
                json!({ "kind": k, "period": s.period, "seed": s.seed, "population": s.population, "cases": picked })
            })
            .collect(),
        None => Vec::new(),
    };
    let saved: Vec<Value> = saved
        .into_iter()
        .map(|mut a| {
            let ids: Vec<Value> = a
                .get("ids")
                .and_then(Value::as_array)
                .map(|ids| {
                    ids.iter()
                        .filter_map(Value::as_str)
                        .map(|id| json!({ "id": id, "href": p.href(id, "") }))
                        .collect()
                })
                .unwrap_or_default();
            a["ids"] = Value::Array(ids);
            a
        })
        .collect();
    Page {
        path: "audits.html".into(),
        template: "audits.html",
        context: json!({ "page_title": "Audit samples", "root": "", "saved": saved, "samples": samples }),
    }
}

/// The search page with its index (redacted like every page) embedded, and
/// the same index as `search.json` for other tools.
pub fn search(p: &Published, cases: &Cases) -> (Page, String) {
    let index: Vec<Value> = cases
        .cases
        .iter()
        .filter_map(|c| {
            let href = p.href(&c.id, "")?;
            let tags = if redact::is_redacted("tags", &p.config.site.redact) {
                Vec::new()
            } else {
                c.tags.clone()
            };
            Some(json!({
                "id": c.id, "title": p.title(c), "status": c.status, "kind": c.kind, "href": href,
                "owner": p.field("owner", c.owner.as_deref()),
                "category": p.field("category", c.category.as_deref()), "tags": tags,
            }))
        })
        .collect();
    let json = serde_json::to_string(&index).unwrap_or_else(|_| "[]".into());
    // Inside a <script> element: no `</script>` or `<!--` can close it.
    let embedded = json.replace('<', "\\u003c");
    let page = Page {
        path: "search.html".into(),
        template: "search.html",
        context: json!({ "page_title": "Search", "root": "", "index": embedded }),
    };
    (page, json)
}

/// The Atom feed: the newest lessons and closed cases.
pub fn feed(p: &Published, cases: &Cases, register: &[LessonRow], now: DateTime<Utc>) -> Page {
    let base = p
        .config
        .site
        .base_url
        .as_deref()
        .map(|b| format!("{}/", b.trim_end_matches('/')));
    let link = |id: &str| p.href(id, base.as_deref().unwrap_or_default());
    let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut entries: Vec<(DateTime<Utc>, Value)> = Vec::new();
    let lessons: &[LessonRow] = if redact::is_redacted("lessons", &p.config.site.redact) {
        &[]
    } else {
        register
    };
    for lesson in lessons {
        let Some(at) = lesson.at else { continue };
        entries.push((
            at,
            json!({
                "title": format!("Lesson from {}", lesson.id), "id": format!("urn:casework:lesson:{}:{}", lesson.id, blake3::hash(lesson.lesson.as_bytes()).to_hex().get(..16).unwrap_or_default()),
                "updated": rfc(at), "href": link(&lesson.id), "summary": lesson.lesson,
            }),
        ));
    }
    for c in cases.cases.iter().filter(|c| c.closed) {
        let Some(at) = c.closed_at else { continue };
        entries.push((
            at,
            json!({
                "title": format!("{} closed: {}", c.id, p.title(c)), "id": format!("urn:casework:closed:{}:{}", c.id, rfc(at)),
                "updated": rfc(at), "href": link(&c.id), "summary": format!("{} closed on {}", c.id, date(p.config, Some(at))),
            }),
        ));
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    entries.truncate(50);
    let updated = entries.first().map_or(now, |e| e.0);
    Page {
        path: "feed.xml".into(),
        template: "feed.xml",
        context: json!({
            "root": "", "feed_id": format!("urn:casework:feed:{}", blake3::hash(p.config.site.title.as_bytes()).to_hex().get(..16).unwrap_or_default()),
            "updated": rfc(updated), "base_url": base, "entries": entries.into_iter().map(|e| e.1).collect::<Vec<_>>(),
        }),
    }
}

/// The due list and the lessons register, as the commands give them.
pub fn queries(ctx: &Context, cases: &Cases) -> (Vec<DueItem>, Vec<LessonRow>) {
    (
        due(ctx, cases, &DueFilter::default()),
        lessons(&ctx.config.calendar, cases, &LessonFilter::default()),
    )
}
