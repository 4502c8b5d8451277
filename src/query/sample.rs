//! Audit samples (procedure 003: "supervisors review random samples of
//! closed complaints and archived records monthly"): a reproducible random
//! choice among the cases of a kind closed, or archived, in one month.
//!
//! The sample depends only on the set of cases and the seed: the cases are
//! sorted by ID, then drawn by a partial Fisher–Yates shuffle written here,
//! fed by ChaCha8. `rand_chacha` is the Rand project's ChaCha crate; ChaCha8
//! is a fixed, published stream cipher, and the seed is used as its key
//! directly (`from_seed`, not `seed_from_u64`), so a seed gives the same
//! numbers on every platform and every version of the crate. The draw
//! itself is ours rather than `rand::seq`, whose algorithms may change
//! between releases of `rand`.

use super::cases::{Case, Cases};
use crate::config::{Calendar, Kind};
use crate::context::Context;
use crate::schema::KindSchema;
use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    /// `2026-03`, and nothing else (no day, no single-digit month).
    pub fn parse(s: &str) -> Option<Period> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let month: u32 = m.parse().ok()?;
        (1..=12).contains(&month).then_some(Period {
            year: y.parse().ok()?,
            month,
        })
    }

    /// Whether `t` falls in this month in the calendar's zone.
    pub fn contains(self, cal: &Calendar, t: DateTime<Utc>) -> bool {
        let d = cal.local_date(t);
        d.year() == self.year && d.month() == self.month
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The seed two supervisors get without agreeing on one: FNV-1a (32 bits)
/// of "KIND PERIOD", a fixed function (std's hasher is randomized per
/// process), short enough to type.
pub fn default_seed(kind: &str, period: Period) -> u64 {
    let mut h: u32 = 0x811c_9dc5;
    for b in format!("{kind} {period}").bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    u64::from(h)
}

/// What to sample.
#[derive(Debug, Clone)]
pub struct SampleQuery {
    pub kind: String,
    pub period: Period,
    pub size: usize,
    pub seed: u64,
    /// Records archived in the period rather than closed in it.
    pub archived: bool,
}

/// One case drawn.
#[derive(Debug, Clone, Serialize)]
pub struct SampledCase {
    pub id: String,
    pub title: String,
    /// Root-relative path of the record.
    pub path: String,
    pub status: String,
    pub owner: Option<String>,
    /// When it was closed (or archived), RFC 3339.
    pub closed_at: String,
    #[serde(skip)]
    pub at: DateTime<Utc>,
    /// The fields its state's guards require: what the reviewer verifies.
    pub verify: Vec<String>,
}

/// The sample, and what it was drawn from.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub kind: String,
    pub period: String,
    pub seed: u64,
    pub archived: bool,
    /// The time field that placed a case in the period.
    pub field: String,
    /// How many cases were closed (archived) in the period.
    pub population: usize,
    /// The size asked for.
    pub size: usize,
    /// In ID order.
    pub cases: Vec<SampledCase>,
}

/// Draw the sample. The population is every closed case of the kind whose
/// closure (or archive) time falls in the period, sorted by ID; a size
/// larger than the population takes all of it.
pub fn sample(ctx: &Context, all: &Cases, q: &SampleQuery) -> Sample {
    let cal = &ctx.config.calendar;
    let kind = ctx.config.kinds.get(&q.kind);
    // The field the population is dated by, named in the output.
    let field = match kind {
        Some(_) if q.archived => "archive.archived_at",
        Some(k) => k.closure_field().unwrap_or("archive.archived_at"),
        None => "",
    }
    .to_string();
    let mut population: Vec<(&Case, DateTime<Utc>)> = all
        .cases
        .iter()
        .filter(|c| c.kind == q.kind && c.closed)
        .filter(|c| !q.archived || kind.is_some_and(|k| c.status == k.archive_state))
        .filter_map(|c| {
            let at = if field == "archive.archived_at" {
                c.archived_at
            } else {
                c.closed_at
            }?;
            q.period.contains(cal, at).then_some((c, at))
        })
        .collect();
    population.sort_by(|(a, _), (b, _)| id_order(kind, &a.id, &b.id));
    let chosen = pick(population.len(), q.size, q.seed);
    let schema = match ctx.schemas.get(&q.kind) {
        Some(KindSchema::Ready { schema, .. }) => Some(schema),
        _ => None,
    };
    let cases = chosen
        .into_iter()
        .map(|i| {
            let (c, at) = &population[i];
            SampledCase {
                id: c.id.clone(),
                title: c.title.clone(),
                path: c.path.clone(),
                status: c.status.clone(),
                owner: c.owner.clone(),
                closed_at: at.to_rfc3339_opts(SecondsFormat::Secs, true),
                at: *at,
                verify: kind.map(|k| guard_fields(schema, k, &c.status)).unwrap_or_default(),
            }
        })
        .collect();
    Sample {
        kind: q.kind.clone(),
        period: q.period.to_string(),
        seed: q.seed,
        archived: q.archived,
        field,
        population: population.len(),
        size: q.size,
        cases,
    }
}

/// IDs by year and sequence number (CMP-2026-10000 after CMP-2026-9999),
/// then as text.
fn id_order(kind: Option<&Kind>, a: &str, b: &str) -> std::cmp::Ordering {
    let key = |id: &str| kind.and_then(|k| k.parse_id(id));
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// `k` distinct indices of `0..n` (all of them when `k >= n`), ascending:
/// the first `k` places of a Fisher–Yates shuffle driven by ChaCha8 keyed
/// with the seed.
pub fn pick(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(key);
    let mut idx: Vec<usize> = (0..n).collect();
    let k = k.min(n);
    for i in 0..k {
        let j = i + below(&mut rng, (n - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut out = idx[..k].to_vec();
    out.sort_unstable();
    out
}

/// A uniform number below `bound` (> 0), without modulo bias: draws that
/// fall in the incomplete last block of 2^64 are drawn again.
fn below(rng: &mut ChaCha8Rng, bound: u64) -> u64 {
    // 2^64 mod bound: the size of the incomplete block.
    let rem = (u64::MAX % bound + 1) % bound;
    loop {
        let x = rng.next_u64();
        if x <= u64::MAX - rem {
            return x % bound;
        }
    }
}

/// The fields a case in `state` must carry: each `required` of the kind's
/// schema under `if status is <state>` (one level into a required mapping,
/// `closure.closed_at`), then the `requires` and `sets` of the transitions
/// into the state, in that order, each once.
pub fn guard_fields(schema: Option<&Value>, kind: &Kind, state: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |f: String| {
        if !out.contains(&f) {
            out.push(f);
        }
    };
    if let Some(schema) = schema {
        for rule in conditionals(schema) {
            let Some(status) = rule.pointer("/if/properties/status") else {
                continue;
            };
            let applies = status.get("const").and_then(Value::as_str) == Some(state)
                || status
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.iter().any(|v| v.as_str() == Some(state)));
            if !applies {
                continue;
            }
            let then = rule.get("then").unwrap_or(&Value::Null);
            for field in strings(then.get("required")) {
                let inner = strings(then.pointer(&format!("/properties/{field}/required")));
                if inner.is_empty() {
                    add(field.to_string());
                } else {
                    inner.iter().for_each(|i| add(format!("{field}.{i}")));
                }
            }
        }
    }
    for t in kind.transitions.iter().filter(|t| t.to == state) {
        t.requires.iter().chain(&t.sets).for_each(|f| add(f.clone()));
    }
    out
}

/// The schema itself and every member of its `allOf`, nested too.
fn conditionals(schema: &Value) -> Vec<&Value> {
    let mut out = vec![schema];
    let mut i = 0;
    while i < out.len() {
        if let Some(Value::Array(items)) = out[i].get("allOf") {
            out.extend(items.iter());
        }
        i += 1;
    }
    out
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, parse};
    use serde_json::json;
    use std::path::Path;

    #[test]
    fn a_period_is_a_year_and_a_month() {
        assert_eq!(Period::parse("2026-03"), Some(Period { year: 2026, month: 3 }));
        for bad in [
            "2026-3",
            "2026-13",
            "2026-00",
            "26-03",
            "2026-03-01",
            "march",
            "2026-0a",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    /// The draw is part of the contract: these numbers must never change.
    #[test]
    fn a_seed_draws_the_same_indices_forever() {
        assert_eq!(pick(10, 3, 123), pick(10, 3, 123));
        assert_eq!(pick(5, 9, 1), vec![0, 1, 2, 3, 4]);
        assert_eq!(pick(0, 3, 1), Vec::<usize>::new());
        assert_eq!(
            default_seed("complaint", Period { year: 2026, month: 3 }),
            2_623_140_342
        );
        assert_eq!(pick(100, 5, 123), vec![0, 37, 44, 54, 59]);
        let all: Vec<usize> = (0..1000).flat_map(|s| pick(20, 2, s)).collect();
        assert!((0..20).all(|i| all.contains(&i)), "every index can be drawn");
    }

    #[test]
    fn the_guard_fields_of_a_closed_complaint_come_from_its_schema_and_transitions() {
        let config = parse(Path::new("/r"), Config::default_toml()).unwrap();
        let kind = &config.kinds["complaint"];
        let schema = json!({"allOf": [
            {"if": {"properties": {"status": {"enum": ["resolved", "closed"]}}},
             "then": {"required": ["corrective_actions"]}},
            {"if": {"properties": {"status": {"const": "closed"}}},
             "then": {"required": ["closure"], "properties": {"closure": {"required": ["closed_at", "closed_by"]}}}},
            {"if": {"properties": {"status": {"enum": ["archived"]}}}, "then": {"required": ["archive"]}},
        ]});
        assert_eq!(
            guard_fields(Some(&schema), kind, "closed"),
            ["corrective_actions", "closure.closed_at", "closure.closed_by"]
        );
        assert_eq!(guard_fields(None, kind, "archived"), ["archive.archived_at"]);
    }
}
