//! `casework export KIND [--format csv|json]`

use super::{Exit, FINDINGS, Globals, OK};
use crate::query::export::{Form, export};
use clap::ValueEnum;
use std::io::Write;

/// Every record of a kind, fields and body, for a spreadsheet or another tool. CSV: one row
/// per record in path order; nested fields flattened to dotted headers (`customer.name`), in
/// the schema's order of fields; a list of plain values joined with `; `; a list of mappings
/// (`updates`), or of values holding `;`, as JSON in its cell; the Markdown body in the last
/// column, `body`. An empty cell is an absent field. JSON: an array of the front-matter
/// objects, each with its body under `body`.
///
/// `casework import KIND FILE.csv --keep-ids` reads the CSV back, every field as it was.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  casework export request > requests.csv\n  \
casework export complaint --format json | jq '.[] | select(.priority == \"high\") | .id'")]
pub struct Args {
    /// The kind to export (see `casework schema`).
    pub kind: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

pub fn run(g: &Globals, a: Args) -> Result<u8, Exit> {
    let ctx = g.context()?;
    let kind = super::known_kind(&ctx.config, &a.kind)?;
    let form = match a.format {
        ExportFormat::Csv => Form::Cells,
        ExportFormat::Json => Form::Json,
    };
    let out = export(&ctx, kind, form).map_err(|e| Exit::usage(e.to_string()))?;
    let stdout = std::io::stdout().lock();
    let written = match form {
        Form::Cells => write_csv(stdout, &out.header, &out.rows),
        Form::Json => write_json(stdout, &out.objects),
    };
    // A closed pipe (`casework export request | head`) ends the output quietly.
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(Exit::usage(format!("cannot write the export: {e}")));
    }
    super::warn_skipped(&out.skipped);
    if out.skipped.is_empty() {
        Ok(OK)
    } else {
        eprintln!(
            "casework: {} record file(s) of kind `{}` could not be read and are not in the export: run `casework check`",
            out.skipped.len(),
            kind.name
        );
        Ok(FINDINGS)
    }
}

fn write_csv(to: impl Write, header: &[String], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 16, to));
    if !rows.is_empty() {
        w.write_record(header)?;
    }
    for row in rows {
        w.write_record(row)?;
    }
    w.flush()
}

fn write_json(to: impl Write, objects: &[String]) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, to);
    w.write_all(b"[")?;
    for (i, o) in objects.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        w.write_all(o.as_bytes())?;
    }
    w.write_all(if objects.is_empty() { b"]\n" } else { b"\n]\n" })?;
    w.flush()
}
