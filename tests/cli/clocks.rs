//! SLA clocks in business time, as `show` and `check` print them.

use crate::support::*;

const REQ: &str = "records/request/REQ-2026-0001.md";

/// A request opened Friday 2026-06-05 16:00 UTC (1 business day to acknowledge).
fn friday_request(repo: &Repo, extra: &str) {
    repo.write(
        REQ,
        record("REQ-2026-0001", "request", "new", &format!("{CUSTOMER}{extra}"))
            .replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-06-05T16:00:00Z"),
    );
}

fn show_at(repo: &Repo, now: &str) -> String {
    let run = Run::of(repo.cmd().args(["show", "REQ-2026-0001"]).env("CASEWORK_NOW", now));
    run.assert_code(OK);
    run.stdout
}

#[test]
fn a_one_day_clock_from_friday_afternoon_breaches_on_monday_afternoon() {
    let repo = Repo::new();
    friday_request(&repo, "");
    // Monday 15:00: an hour left. Monday 17:00: breached at 16:00 (it once said "due soon").
    let before = show_at(&repo, "2026-06-08T15:00:00Z");
    assert!(
        before.contains("acknowledge              due 2026-06-08 16:00 UTC  due soon"),
        "{before}"
    );
    let after = show_at(&repo, "2026-06-08T17:00:00Z");
    assert!(
        after.contains("acknowledge              due 2026-06-08 16:00 UTC  BREACHED"),
        "{after}"
    );
    let run = Run::of(
        repo.cmd()
            .args(["check", "--format", "json"])
            .env("CASEWORK_NOW", "2026-06-08T17:00:00Z"),
    );
    let sla = run.diagnostics_with("sla");
    assert_eq!(sla.len(), 1, "{}", run.stdout);
    assert_eq!(
        sla[0]["message"],
        "SLA `acknowledge` was due 2026-06-08 16:00 UTC and is breached"
    );
}

#[test]
fn business_hours_and_a_priority_budget_set_the_deadline() {
    let repo = Repo::new();
    repo.edit_config("[calendar]", "[calendar]\nhours = \"09:00-17:30\"");
    repo.edit_config(
        "stop = \"acknowledged_at\", within = 1 }",
        "stop = \"acknowledged_at\", within = { urgent = \"4h\", normal = 1 } }",
    );
    friday_request(&repo, "priority: urgent\n");
    // 1h30 on Friday, then 2h30 from Monday 09:00.
    let out = show_at(&repo, "2026-06-08T09:00:00Z");
    assert!(
        out.contains("acknowledge              due 2026-06-08 11:30 UTC  due soon"),
        "{out}"
    );
    // In another zone the time is the zone's.
    repo.edit_config("timezone = \"UTC\"", "timezone = \"Europe/London\"");
    let out = show_at(&repo, "2026-06-08T08:00:00Z");
    // Friday 17:00 BST start: 30 minutes that day, 3h30 from Monday 09:00 BST.
    assert!(
        out.contains("acknowledge              due 2026-06-08 12:30 BST"),
        "{out}"
    );
}

#[test]
fn a_bad_budget_or_hours_is_a_config_error_at_its_line() {
    let repo = Repo::new();
    repo.edit_config("[calendar]", "[calendar]\nhours = \"9-5\"");
    let run = repo.run(&["check"]);
    run.assert_code(USAGE);
    assert!(
        run.stderr.contains("casework.toml:10:9: business hours \"9-5\""),
        "{}",
        run.stderr
    );
}
