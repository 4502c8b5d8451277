//! casework checks its own `sample-records/` repository: no errors, at the
//! reference time and years later (SLA warnings may come and go).

use crate::support::*;
use std::path::Path;

fn check_samples_at(now: &str) {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-records");
    let home = tempfile::tempdir().unwrap();
    let run = Run::of(
        casework(home.path())
            .arg("-C")
            .arg(&samples)
            .args(["check", "--format", "json"])
            .env("CASEWORK_NOW", now),
    );
    run.assert_code(OK);
    let doc = run.json();
    assert_eq!(doc["summary"]["errors"], 0, "{:#}", doc["diagnostics"]);
    let records = doc["summary"]["records"].as_u64().unwrap();
    let on_disk = snapshot(&samples.join("records"))
        .keys()
        .filter(|k| k.ends_with(".md"))
        .count() as u64;
    assert_eq!(records, on_disk);
    for d in doc["diagnostics"].as_array().unwrap() {
        assert_eq!(d["severity"], "warning", "{d}");
        assert_eq!(d["code"], "sla", "{d}");
    }
}

#[test]
fn sample_records_check_clean_now() {
    check_samples_at(NOW);
}

#[test]
fn sample_records_check_clean_years_later() {
    check_samples_at("2030-01-01T00:00:00Z");
}

#[test]
fn sample_records_human_output_ends_with_the_summary() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-records");
    let home = tempfile::tempdir().unwrap();
    let run = Run::of(casework(home.path()).arg("-C").arg(&samples).arg("check"));
    run.assert_code(OK);
    let last = run.stdout.lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("checked ") && !last.contains("error"), "{last}");
}
