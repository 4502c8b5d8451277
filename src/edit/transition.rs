//! `casework transition` and `casework set`: validated, minimal edits of one
//! record. The new text is built and judged in memory; the file is written
//! (atomically) only when every rule holds, so a refusal leaves it untouched.

use super::text::{self, Edit};
use super::value::Assignment;
use crate::check;
use crate::config::{CYCLES, Kind};
use crate::context::Context;
use crate::diag::Severity;
use crate::query;
use crate::record::{self, Record, get_path};
use crate::workflow;
use anyhow::Result;
use chrono::SecondsFormat;
use serde_json::{Value, json};

/// What the user asked for.
pub struct Request<'a> {
    pub to: Option<&'a str>,
    pub sets: &'a [Assignment],
    pub note: Option<&'a str>,
    /// The acting user's email.
    pub user: Option<&'a str>,
}

/// The result of a validated edit.
pub enum Outcome {
    /// The new text, ready to write.
    Ready { text: String, from: String, to: String },
    /// Why the edit is refused, one reason a line.
    Refused(Vec<String>),
}

/// Fields only `casework new` writes and nothing changes afterwards.
const IMMUTABLE: [&str; 3] = ["id", "kind", "opened"];

/// Plan a transition (when `req.to` is set) or a plain field edit.
pub fn plan(ctx: &Context, kind: &Kind, rec: &Record, req: &Request) -> Result<Outcome> {
    let now = ctx.now;
    let from = rec.status().unwrap_or_default().to_string();
    let mut refusals = Vec::new();
    for a in req.sets {
        let top = a.path[0].as_str();
        if IMMUTABLE.contains(&top) {
            refusals.push(format!("`{top}` never changes once a record exists"));
        }
        if top == "status" {
            refusals.push("`status` changes only by `casework transition ID STATE`, which checks the workflow".into());
        }
    }
    // CI would reject the commit (`archived-modified`), so refuse it here.
    if req.to.is_none() && from == kind.archive_state {
        let user = req.user.unwrap_or("(unknown user)");
        if !ctx.config.has_role(&kind.archive_role, user) {
            refusals.push(format!(
                "an archived record is changed only by the `{}` role; {user} is not in it",
                kind.archive_role
            ));
        }
    }
    if !refusals.is_empty() {
        return Ok(Outcome::Refused(refusals));
    }

    let mut edits = Vec::new();
    let mut approval_unmet = Vec::new();
    let to = match req.to {
        None => from.clone(),
        Some(to) => {
            if to == from {
                return Ok(Outcome::Refused(vec![format!(
                    "{} is already `{to}`",
                    rec.id().unwrap_or("the record")
                )]));
            }
            if !kind.has_state(to) {
                return Ok(Outcome::Refused(vec![format!(
                    "`{to}` is not a state of kind `{}` (states: {})",
                    kind.name,
                    kind.states.join(", ")
                )]));
            }
            let Some(t) = kind.transition(&from, to) else {
                let next: Vec<&str> = kind.next_states(&from).iter().map(|t| t.to.as_str()).collect();
                return Ok(Outcome::Refused(vec![format!(
                    "`{from} -> {to}` is not a transition of kind `{}`; from `{from}` a {} can go to: {}",
                    kind.name,
                    kind.name,
                    if next.is_empty() {
                        "nowhere".to_string()
                    } else {
                        next.join(", ")
                    }
                )]));
            };
            edits.push(Edit::Set {
                path: vec!["status".into()],
                value: Value::String(to.to_string()),
            });
            // Timestamps the step records, unless given with --set or already
            // present; and the retention date on archiving.
            let target = query::simulate(&ctx.config, kind, &rec.data, t, now);
            let given = |f: &str| req.sets.iter().any(|a| a.path.join(".") == f);
            // A reopen keeps the ended cycle in `cycles`; a field given with
            // --set is overwritten in place rather than removed.
            if let Some((entry, moved)) = workflow::ended_cycle(t, &from, &rec.data, now) {
                for f in moved.iter().filter(|f| !given(f)) {
                    edits.push(Edit::Remove { path: vec![f.clone()] });
                }
                edits.push(Edit::Append {
                    path: vec![CYCLES.into()],
                    value: entry,
                });
            }
            // The step's timestamps and the retention date, where the
            // simulated step gives them other values than the record has.
            for field in t
                .sets
                .iter()
                .map(String::as_str)
                .chain(std::iter::once("archive.retain_until"))
            {
                if let Some(v) = get_path(&target, field)
                    && !given(field)
                    && get_path(&rec.data, field) != Some(v)
                {
                    edits.push(Edit::Set {
                        path: split(field),
                        value: v.clone(),
                    });
                }
            }
            let (approved, unmet) = approvals(ctx, kind, &target, &t.requires, req);
            approval_unmet = unmet;
            for (field, value) in approved {
                edits.push(Edit::Set {
                    path: split(&field),
                    value,
                });
            }
            to.to_string()
        }
    };
    for a in req.sets {
        edits.push(if a.append {
            Edit::Append {
                path: a.path.clone(),
                value: a.value.clone(),
            }
        } else {
            Edit::Set {
                path: a.path.clone(),
                value: a.value.clone(),
            }
        });
    }
    if let Some(note) = req.note {
        let update = json!({
            "at": now.to_rfc3339_opts(SecondsFormat::Secs, true),
            "by": req.user.unwrap_or("unknown"),
            "note": note,
        });
        edits.push(Edit::Append {
            path: vec!["updates".into()],
            value: update,
        });
    }
    if edits.is_empty() {
        return Ok(Outcome::Refused(vec![
            "nothing to change: give FIELD=VALUE pairs".into(),
        ]));
    }

    let new_text = text::apply(&rec.text, &edits)?;
    let new = record::parse(rec.file.clone(), new_text.clone())
        .map_err(|d| anyhow::anyhow!("the edit would break the front-matter: {}", d.message))?;

    if req.to.is_some() {
        let user = req
            .user
            .unwrap_or("(unknown user: set GIT_AUTHOR_EMAIL or git config user.email)");
        refusals.extend(
            workflow::judge_transition(&ctx.config, kind, &from, &to, Some(&rec.data), &new.data, user, now)
                .into_iter()
                .map(|v| v.message),
        );
    }
    let had = record::missing_links(&ctx.config, &rec.data);
    refusals.extend(
        record::missing_links(&ctx.config, &new.data)
            .into_iter()
            .filter(|l| !had.contains(l))
            .map(|l| format!("related case {l} does not exist")),
    );
    // Errors the edit would leave in the record; ones it already had do not block it.
    let before: Vec<String> = errors(ctx, rec);
    refusals.extend(
        errors(ctx, &new)
            .into_iter()
            .filter(|m| !before.contains(m) || req.to.is_some()),
    );
    if !refusals.is_empty() {
        // The approval's own reason says more than the schema's "missing field".
        for (field, reason) in approval_unmet {
            refusals.retain(|r| !r.starts_with(&format!("missing field `{field}`")));
            refusals.push(reason);
        }
    }
    let mut seen = std::collections::HashSet::new();
    refusals.retain(|r| seen.insert(r.clone()));
    if !refusals.is_empty() {
        return Ok(Outcome::Refused(refusals));
    }
    Ok(Outcome::Ready {
        text: new_text,
        from,
        to,
    })
}

/// Role fields (`closure.approved_by`) the target state needs and the record
/// lacks: filled with the acting user when they hold the role, since taking
/// the step is approving it; otherwise a reason naming the field and role.
/// A field given with --set is left to the user.
fn approvals(ctx: &Context, kind: &Kind, target: &Value, requires: &[String], req: &Request) -> Approvals {
    let (mut set, mut unmet) = (Vec::new(), Vec::new());
    for (field, role) in &kind.field_roles {
        if get_path(target, field).is_some() || req.sets.iter().any(|a| a.path.join(".") == *field) {
            continue;
        }
        let user = req.user.unwrap_or("(unknown user)");
        let value = Value::String(user.to_string());
        if !(requires.contains(field) || query::guard_needs(ctx, kind, target, field, &value)) {
            continue;
        }
        if ctx.config.has_role(role, user) {
            set.push((field.clone(), value));
        } else {
            unmet.push((
                field.clone(),
                format!(
                    "`{field}` must name a member of role `{role}`, and {user} is not in it: ask one, then add --set {field}=EMAIL"
                ),
            ));
        }
    }
    (set, unmet)
}

/// The role fields to fill (field, value), and those that cannot be
/// (field, reason).
type Approvals = (Vec<(String, Value)>, Vec<(String, String)>);

fn errors(ctx: &Context, rec: &Record) -> Vec<String> {
    check::check_record(ctx, rec)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message)
        .collect()
}

fn split(field: &str) -> Vec<String> {
    field.split('.').map(str::to_string).collect()
}
