//! `casework report [--period YYYY-MM | --quarter YYYY-Qn | --from DATE --to DATE] [--kind K] [--format md|json|csv]`

use super::{Exit, Globals, OK};
use crate::output::table;
use crate::query::cases::Load;
use crate::query::report::{self, Durations, KindReport, PERIOD_FORMS, Report, Trend, Window};
use clap::ValueEnum;

/// A periodic summary for management review, per kind: cases opened, closed and open at
/// the end of the period; time to acknowledge and to resolve in business days (median and
/// p90); SLA compliance per clock; feedback by category and ratings; the top categories and
/// tags against the previous period of the same length; escalations, reopened cases and
/// the lessons recorded.
///
/// The period is the previous calendar month unless given. Dates are local dates of the
/// `[calendar]` zone, both ends included. A closed record without its closing field is
/// dated by the commit that closed it (one pass over the git history).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A calendar month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["quarter", "from", "to"])]
    pub period: Option<String>,
    /// A quarter, YYYY-Qn (Q1 is January to March).
    #[arg(long, value_name = "YYYY-Qn", conflicts_with_all = ["from", "to"])]
    pub quarter: Option<String>,
    /// First day of the period, YYYY-MM-DD (with --to).
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// Last day of the period, YYYY-MM-DD, included (with --from).
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// Only this kind.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Output format: Markdown tables, JSON, or CSV rows of kind,metric,value.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// Read the records as they were at this commit (branch, tag, SHA); now is then
    /// that commit's time unless CASEWORK_NOW is set.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Json,
    Csv,
}

/// The period the flags name (exit 2 with the accepted forms otherwise).
fn window(args: &Args, today: chrono::NaiveDate) -> Result<Window, Exit> {
    let bad = |flag: &str, value: &str, what: &str| {
        Exit::usage(format!(
            "{flag} {}: {what}; give {PERIOD_FORMS}",
            crate::diag::one_line(value)
        ))
    };
    if let Some(p) = &args.period {
        return Window::parse_month(p).ok_or_else(|| bad("--period", p, "not a month YYYY-MM"));
    }
    if let Some(q) = &args.quarter {
        return Window::parse_quarter(q).ok_or_else(|| bad("--quarter", q, "not a quarter YYYY-Qn (n from 1 to 4)"));
    }
    if let (Some(f), Some(t)) = (&args.from, &args.to) {
        let from = report::parse_date(f).ok_or_else(|| bad("--from", f, "not a date YYYY-MM-DD"))?;
        let to = report::parse_date(t).ok_or_else(|| bad("--to", t, "not a date YYYY-MM-DD"))?;
        return Window::range(from, to).ok_or_else(|| bad("--to", t, &format!("is before --from {from}")));
    }
    Window::last_month(today).ok_or_else(|| Exit::usage(format!("no month before {today}: give {PERIOD_FORMS}")))
}

pub fn run(g: &Globals, args: Args) -> Result<u8, Exit> {
    // Flags are judged before any record is read.
    let config = g.load_config()?;
    if let Some(k) = &args.kind {
        super::known_kind(&config, k)?;
    }
    let now = super::now()?;
    let w = window(&args, config.calendar.local_date(now))?;
    let load = Load {
        report: true,
        ..Load::default()
    };
    let (ctx, cases) = super::load_cases(g, args.rev.as_deref(), load)?;
    let config = &ctx.config;
    let r = report::report(config, ctx.now, &cases, &w, args.kind.as_deref(), |ids| {
        report::closing_dates_from_history(config, ids, args.rev.as_deref())
    });
    match args.format {
        ReportFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&r).map_err(|e| Exit::usage(e.to_string()))?
        ),
        ReportFormat::Csv => out!("{}", table::csv(&["kind", "metric", "value"], &long_rows(&r))),
        ReportFormat::Md => out!("{}", markdown(&r)),
    }
    Ok(OK)
}

/// A figure with one decimal, or `-` when there is none.
fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{x:.1}"))
}

/// A Markdown table; cells are one line, with `|` escaped.
fn md_table(header: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let cell = |c: &str| crate::diag::one_line(c).replace('|', "\\|");
    let mut out = format!("| {} |\n|", header.join(" | "));
    for r in right {
        out.push_str(if *r { " ---: |" } else { " --- |" });
    }
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// The report as Markdown tables a manager pastes into a review.
pub fn markdown(r: &Report) -> String {
    let kinds = || r.kinds.iter();
    let mut out = format!(
        "# Case report {} to {}\n\nCompared with {} to {}; clocks still running judged at {}.\n",
        r.period.from, r.period.to, r.previous_period.from, r.previous_period.to, r.now
    );
    if r.skipped > 0 {
        out.push_str(&format!(
            "{} record file(s) could not be read and are left out (`casework check` names them).\n",
            r.skipped
        ));
    }
    let d = |x: &Option<Durations>, f: fn(&Durations) -> Option<f64>| num(x.as_ref().and_then(f));
    out.push_str("\n## Cases\n\n");
    let rows: Vec<Vec<String>> = kinds()
        .map(|(name, k)| {
            let ack = &k.time_to_acknowledge;
            let res = Some(k.time_to_resolve.clone());
            vec![
                name.clone(),
                k.opened.to_string(),
                k.closed.to_string(),
                k.open_at_end.to_string(),
                d(ack, |x| x.median),
                d(ack, |x| x.p90),
                d(&res, |x| x.median),
                d(&res, |x| x.p90),
            ]
        })
        .collect();
    out.push_str(&md_table(
        &[
            "kind",
            "opened",
            "closed",
            "open at end",
            "acknowledge median",
            "acknowledge p90",
            "resolve median",
            "resolve p90",
        ],
        &[false, true, true, true, true, true, true, true],
        &rows,
    ));
    out.push_str("\nTimes in business days, from `opened`, for the cases acknowledged or resolved in the period.\n");

    out.push_str("\n## SLA compliance\n\n");
    let rows: Vec<Vec<String>> = kinds()
        .flat_map(|(name, k)| {
            k.sla.iter().map(move |s| {
                vec![
                    name.clone(),
                    s.clock.clone(),
                    s.met.to_string(),
                    s.missed.to_string(),
                    s.pending.to_string(),
                    s.percent_met.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%")),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        out.push_str("No SLA clocks.\n");
    } else {
        out.push_str(&md_table(
            &["kind", "clock", "met", "missed", "pending", "met %"],
            &[false, false, true, true, true, true],
            &rows,
        ));
        out.push_str("\nFor the cases opened in the period; pending clocks are still running within their deadline.\n");
    }

    out.push_str("\n## Feedback\n\n");
    let rows: Vec<Vec<String>> = kinds()
        .filter(|(_, k)| feedback_count(k) > 0)
        .map(|(name, k)| {
            let f = &k.feedback;
            vec![
                name.clone(),
                f.positive.to_string(),
                f.negative.to_string(),
                f.suggestion.to_string(),
                f.ratings.count.to_string(),
                num(f.ratings.mean),
            ]
        })
        .collect();
    if rows.is_empty() {
        out.push_str("No feedback received in the period.\n");
    } else {
        out.push_str(&md_table(
            &["kind", "positive", "negative", "suggestion", "ratings", "mean rating"],
            &[false, true, true, true, true, true],
            &rows,
        ));
    }

    for (title, pick) in [
        (
            "Recurring categories",
            (|k: &KindReport| &k.categories) as fn(&KindReport) -> &Vec<Trend>,
        ),
        ("Recurring tags", |k: &KindReport| &k.tags),
    ] {
        out.push_str(&format!("\n## {title}\n\n"));
        let rows: Vec<Vec<String>> = kinds()
            .flat_map(|(name, k)| {
                pick(k).iter().map(move |t| {
                    vec![
                        name.clone(),
                        t.name.clone(),
                        t.count.to_string(),
                        t.previous.to_string(),
                        t.change.clone(),
                    ]
                })
            })
            .collect();
        if rows.is_empty() {
            out.push_str("None in the cases opened in the period.\n");
        } else {
            out.push_str(&md_table(
                &[
                    "kind",
                    if title.ends_with("tags") { "tag" } else { "category" },
                    "cases",
                    "previous",
                    "change",
                ],
                &[false, false, true, true, true],
                &rows,
            ));
        }
    }

    out.push_str("\n## Escalations, reopened cases and lessons\n\n");
    let ids = |v: &[String]| if v.is_empty() { "-".to_string() } else { v.join(", ") };
    let rows: Vec<Vec<String>> = kinds()
        .map(|(name, k)| {
            vec![
                name.clone(),
                k.escalations.count.to_string(),
                ids(&k.escalations.ids),
                k.reopened.count.to_string(),
                ids(&k.reopened.ids),
                k.lessons.len().to_string(),
            ]
        })
        .collect();
    out.push_str(&md_table(
        &["kind", "escalated", "cases", "reopened", "cases", "lessons"],
        &[false, true, false, true, false, true],
        &rows,
    ));
    let lessons: Vec<Vec<String>> = kinds()
        .flat_map(|(_, k)| &k.lessons)
        .map(|l| vec![l.id.clone(), l.text.clone()])
        .collect();
    if !lessons.is_empty() {
        out.push_str("\n### Lessons learned (cases closed in the period)\n\n");
        out.push_str(&md_table(&["case", "lesson"], &[false, false], &lessons));
    }
    if !r.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for n in &r.notes {
            out.push_str(&format!("- {}\n", crate::diag::one_line(n)));
        }
    }
    out
}

fn feedback_count(k: &KindReport) -> usize {
    k.feedback.positive + k.feedback.negative + k.feedback.suggestion + k.feedback.ratings.count
}

/// The report as rows of kind, metric, value, for a spreadsheet.
fn long_rows(r: &Report) -> Vec<Vec<String>> {
    let mut rows = vec![
        vec![String::new(), "period.from".into(), r.period.from.to_string()],
        vec![String::new(), "period.to".into(), r.period.to.to_string()],
        vec![String::new(), "skipped".into(), r.skipped.to_string()],
    ];
    let opt = |x: Option<f64>| x.map(|x| format!("{x:.1}")).unwrap_or_default();
    for (name, k) in &r.kinds {
        let mut add = |metric: String, value: String| rows.push(vec![name.clone(), metric, value]);
        add("opened".into(), k.opened.to_string());
        add("closed".into(), k.closed.to_string());
        add("open_at_end".into(), k.open_at_end.to_string());
        add("closed_date_unknown".into(), k.closed_date_unknown.to_string());
        let mut times = vec![("time_to_resolve", &k.time_to_resolve)];
        if let Some(a) = &k.time_to_acknowledge {
            times.insert(0, ("time_to_acknowledge", a));
        }
        for (what, d) in times {
            add(format!("{what}.count"), d.count.to_string());
            add(format!("{what}.median"), opt(d.median));
            add(format!("{what}.p90"), opt(d.p90));
        }
        for s in &k.sla {
            add(format!("sla.{}.met", s.clock), s.met.to_string());
            add(format!("sla.{}.missed", s.clock), s.missed.to_string());
            add(format!("sla.{}.pending", s.clock), s.pending.to_string());
            add(format!("sla.{}.percent_met", s.clock), opt(s.percent_met));
        }
        let f = &k.feedback;
        add("feedback.positive".into(), f.positive.to_string());
        add("feedback.negative".into(), f.negative.to_string());
        add("feedback.suggestion".into(), f.suggestion.to_string());
        add("feedback.ratings.count".into(), f.ratings.count.to_string());
        add("feedback.ratings.mean".into(), opt(f.ratings.mean));
        for (what, list) in [("category", &k.categories), ("tag", &k.tags)] {
            for t in list {
                add(format!("{what}.{}", t.name), t.count.to_string());
                add(format!("{what}.{}.previous", t.name), t.previous.to_string());
                add(format!("{what}.{}.change", t.name), t.change.clone());
            }
        }
        add("escalations".into(), k.escalations.count.to_string());
        add("reopened".into(), k.reopened.count.to_string());
        add("lessons".into(), k.lessons.len().to_string());
    }
    rows
}
