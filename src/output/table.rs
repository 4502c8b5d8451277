//! Tables for people and for spreadsheets: `list`, `due` and the registers
//! print their rows through these, never with hand-padded strings.

use comfy_table::{ColumnConstraint, ContentArrangement, LineStyle, Table, TableStyle, Width};

/// The width a table fits: `COLUMNS` when the shell exports it, else the
/// 80 columns of a classic terminal (casework reads no terminal size).
pub fn width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&c: &u16| c >= 40)
        .unwrap_or(80)
}

/// `rows` under `header` fitted to `width` columns: every column as wide as
/// its content, but the `flex` columns (a title, a name) share what is left
/// and wrap inside it (the last never narrower than 12, the others 8 to 12 wide, or as wide as their longest word).
/// Every cell is one line of data (see `diag::one_line`).
pub fn render(header: &[&str], rows: &[Vec<String>], width: u16, flex: &[usize]) -> String {
    let mut table = Table::new();
    table
        .load_style(TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─')))
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(header.iter().copied());
    for row in rows {
        table.add_row(row.iter().map(|c| crate::diag::one_line(c).into_owned()));
    }
    let constraints = (0..header.len()).map(|i| {
        if flex.last() == Some(&i) {
            ColumnConstraint::LowerBoundary(Width::Fixed(12))
        } else if flex.contains(&i) {
            // Wide enough for its longest word and its padding, so no word is cut.
            let word = rows
                .iter()
                .filter_map(|r| r.get(i))
                .flat_map(|c| c.split_whitespace())
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0);
            let upper = u16::try_from(word.max(12) + 1).unwrap_or(u16::MAX);
            ColumnConstraint::Boundaries {
                lower: Width::Fixed(8.min(upper)),
                upper: Width::Fixed(upper),
            }
        } else {
            ColumnConstraint::ContentWidth
        }
    });
    table.set_constraints(constraints);
    // One space of padding after each cell and the blank line between columns.
    for column in table.column_iter_mut() {
        column.set_padding((0, 1));
    }
    // Lines end where their text does.
    table.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

/// `rows` under `header` as CSV (RFC 4180, quoted where needed).
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_fits_its_width_and_csv_quotes() {
        let rows = vec![vec![
            "REQ-2026-0001".into(),
            "A title long enough to wrap inside its own column, really".into(),
        ]];
        let t = render(&["ID", "TITLE"], &rows, 40, &[1]);
        assert!(t.lines().all(|l| l.chars().count() <= 40), "{t}");
        assert!(t.contains("REQ-2026-0001") && t.contains("really"), "{t}");
        let c = csv(&["id", "title"], &[vec!["a".into(), "b, \"c\"".into()]]);
        assert_eq!(c, "id,title\na,\"b, \"\"c\"\"\"\n");
    }
}
