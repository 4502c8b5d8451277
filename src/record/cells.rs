//! Front-matter as the cells of one table row, for `casework export` and
//! `casework import`: nested mappings flattened to dotted headers
//! (`customer.name`), a list of plain scalars joined with `; `, any other
//! list (of mappings, or of text that holds `; `) as JSON in its cell. Both
//! directions live here, so that an export reads back as it was.

use serde_json::{Map, Value};

/// What joins the items of a list of scalars in one cell.
pub const LIST_SEPARATOR: &str = "; ";

/// The column that holds the Markdown body, after every field.
pub const BODY: &str = "body";

/// `data` as (dotted path, cell) pairs, in the order of its keys. An empty
/// mapping or list keeps a cell of its own (`{}`, `[]`); `null` is an
/// empty cell.
pub fn flatten(data: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in data {
        flatten_into(k.clone(), v, &mut out);
    }
    out
}

fn flatten_into(path: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                flatten_into(format!("{path}.{k}"), v, out);
            }
        }
        Value::Array(items) => out.push((path, list_cell(items))),
        other => out.push((path, scalar_cell(other))),
    }
}

/// A scalar's cell: text as it is, numbers and booleans as written.
fn scalar_cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Object(_) => "{}".into(),
        other => other.to_string(),
    }
}

/// A list's cell: `a; b` when every item is a scalar that reads back alone
/// from such a join, else the list as JSON.
fn list_cell(items: &[Value]) -> String {
    let joinable = !items.is_empty()
        && items.iter().all(|v| match v {
            Value::String(s) => {
                !s.is_empty()
                    && s.trim() == s
                    && !s.contains(LIST_SEPARATOR.trim_end())
                    && !s.contains(['\n', '\r'])
            }
            Value::Number(_) | Value::Bool(_) => true,
            _ => false,
        })
        // A cell starting with `[` is read back as JSON.
        && !items[0].as_str().is_some_and(|s| s.starts_with('['));
    if joinable {
        items.iter().map(scalar_cell).collect::<Vec<_>>().join(LIST_SEPARATOR)
    } else {
        serde_json::to_string(items).unwrap_or_default()
    }
}

/// What a field holds, as its schema says: how a cell is read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    Text,
    Integer,
    Number,
    Boolean,
    /// A date-time; a cell with a date alone means midnight of that day in
    /// the calendar's zone (trackers keep dates).
    DateTime,
    /// A `YYYY-MM-DD` date.
    Date,
    /// A list of items of the inner shape.
    List(Box<Shape>),
    /// A mapping, or a list of mappings: JSON in the cell.
    Json,
    /// The schema does not say: a number, boolean or JSON is typed, else text.
    Any,
}

impl Shape {
    /// The shape the subschemas `nodes` of one field describe.
    pub fn of(nodes: &[&Value]) -> Shape {
        let types: Vec<&str> = nodes
            .iter()
            .filter_map(|n| match n.get("type") {
                Some(Value::String(s)) => Some(s.as_str()),
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
                _ => None,
            })
            .collect();
        let format = nodes.iter().find_map(|n| n.get("format").and_then(Value::as_str));
        let has = |t: &str| types.contains(&t);
        if has("array") || nodes.iter().any(|n| n.get("items").is_some()) {
            let items: Vec<&Value> = nodes.iter().filter_map(|n| n.get("items")).collect();
            return match Shape::of(&items) {
                Shape::Json | Shape::List(_) => Shape::Json,
                inner => Shape::List(Box::new(inner)),
            };
        }
        if has("object") || nodes.iter().any(|n| n.get("properties").is_some()) {
            return Shape::Json;
        }
        match (types.first().copied(), format) {
            (Some("string"), Some("date-time")) => Shape::DateTime,
            (Some("string"), Some("date")) => Shape::Date,
            (Some("string"), _) => Shape::Text,
            (Some("integer"), _) => Shape::Integer,
            (Some("number"), _) => Shape::Number,
            (Some("boolean"), _) => Shape::Boolean,
            _ if nodes
                .iter()
                .any(|n| n.get("enum").is_some() || n.get("const").is_some()) =>
            {
                Shape::Text
            }
            _ => Shape::Any,
        }
    }
}

/// The value a cell holds for a field of `shape`; `Ok(None)` for an empty
/// cell (an absent field). `midnight` turns a date into the date-time of
/// that day's start. The error says what the cell should hold.
pub fn read_cell(
    cell: &str,
    shape: &Shape,
    midnight: &dyn Fn(chrono::NaiveDate) -> String,
) -> Result<Option<Value>, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    read_value(cell, shape, midnight).map(Some)
}

fn read_value(cell: &str, shape: &Shape, midnight: &dyn Fn(chrono::NaiveDate) -> String) -> Result<Value, String> {
    let json = |what: &str| {
        serde_json::from_str::<Value>(cell).map_err(|e| format!("`{cell}` is not {what} written as JSON ({e})"))
    };
    Ok(match shape {
        Shape::Text => Value::String(cell.to_string()),
        // A number, `true`, `false` or JSON is typed; anything else is text.
        Shape::Any => serde_json::from_str(cell).unwrap_or_else(|_| Value::String(cell.to_string())),
        Shape::Integer => cell
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("`{cell}` is not a whole number"))?,
        Shape::Number => cell
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("`{cell}` is not a number"))?,
        Shape::Boolean => match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" => Value::Bool(true),
            "false" | "no" => Value::Bool(false),
            _ => return Err(format!("`{cell}` is not true or false")),
        },
        Shape::Date => Value::String(date_of(cell).map_or_else(|| cell.to_string(), |d| d.to_string())),
        Shape::DateTime => match date_of(cell) {
            Some(d) if !cell.contains(':') => Value::String(midnight(d)),
            _ => Value::String(cell.to_string()),
        },
        Shape::Json => json("a mapping or list")?,
        Shape::List(inner) => {
            if cell.starts_with('[') {
                json("a list")?
            } else {
                Value::Array(
                    cell.split(LIST_SEPARATOR.trim_end())
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|item| read_value(item, inner, midnight))
                        .collect::<Result<_, _>>()?,
                )
            }
        }
    })
}

/// A date in a cell, spaces inside allowed (`2024- 06-17`, as a table
/// copied out of a document has it).
fn date_of(cell: &str) -> Option<chrono::NaiveDate> {
    let compact: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    chrono::NaiveDate::parse_from_str(&compact, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn midnight(d: chrono::NaiveDate) -> String {
        format!("{d}T00:00:00Z")
    }

    #[test]
    fn nested_mappings_flatten_to_dotted_paths_and_lists_join_or_turn_to_json() {
        let data = json!({
            "customer": {"name": "Ann", "contact": {"email": "a@x"}},
            "tags": ["billing", "vip"],
            "odd": ["a; b", "c"],
            "updates": [{"at": "2026-01-01", "note": "x"}],
            "none": [],
            "n": 5,
        });
        let cells = flatten(data.as_object().unwrap());
        let get = |k: &str| cells.iter().find(|(p, _)| p == k).map(|(_, c)| c.as_str());
        assert_eq!(get("customer.name"), Some("Ann"));
        assert_eq!(get("customer.contact.email"), Some("a@x"));
        assert_eq!(get("tags"), Some("billing; vip"));
        assert_eq!(get("odd"), Some(r#"["a; b","c"]"#));
        assert_eq!(get("updates"), Some(r#"[{"at":"2026-01-01","note":"x"}]"#));
        assert_eq!(get("none"), Some("[]"));
        assert_eq!(get("n"), Some("5"));
    }

    #[test]
    fn every_cell_export_writes_reads_back_as_the_value_it_came_from() {
        let list = Shape::List(Box::new(Shape::Text));
        for (value, shape) in [
            (json!(["billing", "vip"]), list.clone()),
            (json!(["a; b", "c"]), list.clone()),
            (json!(["[x]"]), list.clone()),
            (json!([]), list),
            (json!([{"at": "2026-01-01"}]), Shape::Json),
            (json!(true), Shape::Boolean),
            (json!(3), Shape::Integer),
            (json!("5"), Shape::Text),
        ] {
            let cells = flatten(json!({ "f": value }).as_object().unwrap());
            let back = read_cell(&cells[0].1, &shape, &midnight).unwrap();
            assert_eq!(back, Some(value), "cell {:?}", cells[0].1);
        }
    }

    #[test]
    fn a_date_for_a_date_time_field_is_the_start_of_that_day() {
        assert_eq!(
            read_cell("2024- 06-17", &Shape::DateTime, &midnight).unwrap(),
            Some(json!("2024-06-17T00:00:00Z"))
        );
        assert_eq!(
            read_cell("2024- 06-17", &Shape::Date, &midnight).unwrap(),
            Some(json!("2024-06-17"))
        );
        assert_eq!(read_cell("  ", &Shape::Text, &midnight).unwrap(), None);
        assert!(read_cell("soon", &Shape::Integer, &midnight).is_err());
    }
}
