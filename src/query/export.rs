//! `casework export`: every record of a kind as one row (or one JSON
//! object), fields and body, so that `casework import` reads it back.
//! Records are loaded and flattened in parallel in the record set's one
//! loading pass; only the rows are kept, never the parsed records.

use crate::config::Kind;
use crate::context::Context;
use crate::diag::Diagnostic;
use crate::record::{self, DiscoverError, RecordSet, cells};
use crate::schema::KindSchema;
use serde_json::Value;
use std::collections::HashMap;

/// What each record becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Dotted-path cells ([`cells::flatten`]) and the body.
    Cells,
    /// The front-matter as one JSON object, with the body under `body`.
    Json,
}

/// The exported records, in path order.
#[derive(Debug, Default)]
pub struct Export {
    /// The columns, in the schema's order of fields (fields it does not
    /// name after them, as first met), `body` last; empty for [`Form::Json`].
    pub header: Vec<String>,
    /// One row per record, a cell per column ([`Form::Cells`]).
    pub rows: Vec<Vec<String>>,
    /// One JSON object per record ([`Form::Json`]).
    pub objects: Vec<String>,
    /// Record files of the kind that could not be read, and why: they are
    /// missing from the export.
    pub skipped: Vec<Diagnostic>,
}

enum Row {
    Cells(Vec<(String, String)>),
    Json(String),
}

/// Export every record in `kind`'s folder.
pub fn export(ctx: &Context, kind: &Kind, form: Form) -> Result<Export, DiscoverError> {
    let prefix = format!("{}/", kind.dir);
    let files: Vec<_> = record::discover(&ctx.config)?
        .into_iter()
        .filter(|f| f.path.starts_with(&prefix))
        .collect();
    let (_, results) = RecordSet::load_with(&ctx.config, files, |loaded| {
        let rec = loaded.as_ref().map_err(|d| d.clone())?;
        let Some(data) = rec.data.as_object() else {
            return Ok(None);
        };
        if data.contains_key(cells::BODY) {
            return Err(Box::new(Diagnostic::error(
                crate::diag::Code::FrontMatter,
                &rec.file.path,
                format!(
                    "has a field named `{}`, the name export gives the body: rename the field",
                    cells::BODY
                ),
            )));
        }
        Ok(Some(match form {
            Form::Cells => {
                let mut row = cells::flatten(data);
                row.push((cells::BODY.to_string(), rec.body().to_string()));
                Row::Cells(row)
            }
            Form::Json => {
                let mut object = data.clone();
                object.insert(cells::BODY.into(), Value::String(rec.body().to_string()));
                Row::Json(serde_json::to_string_pretty(&Value::Object(object)).unwrap_or_default())
            }
        }))
    });
    let mut out = Export::default();
    let mut rows = Vec::new();
    for r in results {
        match r {
            Ok(Some(Row::Cells(row))) => rows.push(row),
            Ok(Some(Row::Json(o))) => out.objects.push(o),
            Ok(None) => {}
            Err(d) => out.skipped.push(*d),
        }
    }
    if form == Form::Cells {
        let order = match ctx.schemas.get(&kind.name) {
            Some(KindSchema::Ready { schema, .. }) => crate::schema::field_paths(schema),
            _ => Vec::new(),
        };
        out.header = header(&order, &rows);
        let column: HashMap<&str, usize> = out.header.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
        out.rows = rows
            .into_iter()
            .map(|row| {
                let mut cells = vec![String::new(); column.len()];
                for (path, cell) in row {
                    cells[column[path.as_str()]] = cell;
                }
                cells
            })
            .collect();
    }
    Ok(out)
}

/// The columns the rows use, in the schema's order: a path it does not
/// name goes after its nearest named parent (or at the end), as first met.
fn header(order: &[String], rows: &[Vec<(String, String)>]) -> Vec<String> {
    let rank: HashMap<&str, usize> = order.iter().enumerate().map(|(i, p)| (p.as_str(), i)).collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut columns: Vec<&str> = Vec::new();
    for row in rows {
        for (path, _) in row {
            if !seen.contains_key(path.as_str()) {
                seen.insert(path, columns.len());
                columns.push(path);
            }
        }
    }
    let key = |p: &str| {
        let mut at = p;
        loop {
            if let Some(&r) = rank.get(at) {
                // An unnamed path goes after every named path inside its parent.
                let r = if at == p {
                    r
                } else {
                    let inside = format!("{at}.");
                    order.iter().rposition(|o| o.starts_with(&inside)).unwrap_or(r)
                };
                return (usize::from(p == cells::BODY), r, usize::from(at != p), seen[p]);
            }
            match at.rsplit_once('.') {
                Some((parent, _)) => at = parent,
                None => return (usize::from(p == cells::BODY), usize::MAX, 1, seen[p]),
            }
        }
    };
    columns.sort_by_key(|p| key(p));
    columns.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_schema_and_the_body_comes_last() {
        let order: Vec<String> = ["id", "title", "customer", "customer.name", "customer.email", "tags"]
            .map(String::from)
            .to_vec();
        let row = |paths: &[&str]| paths.iter().map(|p| (p.to_string(), String::new())).collect::<Vec<_>>();
        let rows = vec![
            row(&["body", "tags", "title", "id", "extra"]),
            row(&["customer.email", "customer.zip", "customer.name", "id"]),
        ];
        assert_eq!(
            header(&order, &rows),
            [
                "id",
                "title",
                "customer.name",
                "customer.email",
                "customer.zip",
                "tags",
                "extra",
                "body"
            ]
        );
    }
}
