//! Stub until the real module lands.
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}
pub struct Chart {
    pub svg: String,
    pub table: Table,
}
pub fn bars(title: &str, labels: &[String], series: &[Series], unit: &str) -> Chart {
    line(title, labels, series, unit, None)
}
pub fn line(_title: &str, labels: &[String], series: &[Series], _unit: &str, _max: Option<f64>) -> Chart {
    let mut header = vec!["month".to_string()];
    header.extend(series.iter().map(|s| s.name.clone()));
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut r = vec![l.clone()];
            r.extend(
                series
                    .iter()
                    .map(|s| s.values.get(i).map_or(String::new(), |v| format!("{v:.1}"))),
            );
            r
        })
        .collect();
    Chart {
        svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"></svg>".into(),
        table: Table { header, rows },
    }
}
