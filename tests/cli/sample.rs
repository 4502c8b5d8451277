//! `casework sample`: reproducible audit samples of the cases closed (or
//! archived) in a month, and `check` of the audit files it writes.

use crate::support::*;
use serde_json::Value;

const AT: &str = "2026-04-02T10:00:00Z";

/// A complaint closed at `closed_at` (opened in January), in `status`, its
/// customer invited to the survey then.
fn complaint(id: &str, status: &str, closed_at: &str, extra: &str) -> String {
    record(
        id,
        "complaint",
        status,
        &format!(
            "owner: ann@example.com\n{CUSTOMER}corrective_actions:\n  - action: Refund sent\n    done: true\nclosure:\n  closed_at: {closed_at}\n  closed_by: ann@example.com\n  communicated_via: email\nfeedback:\n  invited_at: {closed_at}\n{extra}"
        ),
    )
    .replace("opened: 2026-11-02T09:14:00Z", "opened: 2026-01-05T09:00:00Z")
}

/// Complaints 1-8 closed in March 2026 in Berlin (number 8 at 00:30 on
/// 1 March there, still February in UTC); 9 closed in February, 10 on
/// 1 April in Berlin (31 March in UTC); 11 reopened; 12 archived in March
/// after closing in January; 13 archived in April.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.edit_config("timezone = \"UTC\"", "timezone = \"Europe/Berlin\"");
    for n in 1..=7 {
        let id = format!("CMP-2026-{n:04}");
        repo.write(
            &format!("records/complaint/{id}.md"),
            complaint(&id, "closed", &format!("2026-03-{:02}T10:00:00Z", n + 2), ""),
        );
    }
    let put = |id: &str, text: String| repo.write(&format!("records/complaint/{id}.md"), text);
    put(
        "CMP-2026-0008",
        complaint("CMP-2026-0008", "closed", "2026-02-28T23:30:00Z", ""),
    );
    put(
        "CMP-2026-0009",
        complaint("CMP-2026-0009", "closed", "2026-02-10T10:00:00Z", ""),
    );
    put(
        "CMP-2026-0010",
        complaint("CMP-2026-0010", "closed", "2026-03-31T22:30:00Z", ""),
    );
    put(
        "CMP-2026-0011",
        complaint(
            "CMP-2026-0011",
            "investigating",
            "2026-03-12T10:00:00Z",
            "reopen_reason: Customer wrote again\n",
        ),
    );
    let archive = |at: &str| format!("archive:\n  archived_at: {at}\n  retain_until: 2028-01-20\n");
    put(
        "CMP-2026-0012",
        complaint(
            "CMP-2026-0012",
            "archived",
            "2026-01-20T10:00:00Z",
            &archive("2026-03-15T10:00:00Z"),
        ),
    );
    put(
        "CMP-2026-0013",
        complaint(
            "CMP-2026-0013",
            "archived",
            "2026-01-20T10:00:00Z",
            &archive("2026-04-01T10:00:00Z"),
        ),
    );
    repo
}

fn sample(repo: &Repo, args: &[&str]) -> Run {
    Run::of(repo.cmd().arg("sample").args(args).env("CASEWORK_NOW", AT))
}

fn ids(run: &Run) -> Vec<String> {
    run.assert_code(OK);
    run.json()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_test_repository_checks_clean() {
    let repo = repo();
    let run = Run::of(repo.cmd().args(["check", "--format", "json"]).env("CASEWORK_NOW", AT));
    run.assert_code(OK);
}

#[test]
fn the_default_seed_derives_from_kind_and_period_and_gives_a_fixed_sample() {
    let repo = repo();
    let run = sample(
        &repo,
        &["complaint", "--period", "2026-03", "--size", "3", "--format", "json"],
    );
    assert_eq!(ids(&run), ["CMP-2026-0001", "CMP-2026-0005", "CMP-2026-0008"]);
    let doc = run.json();
    assert_eq!(doc["seed"], 2_623_140_342u64);
    assert_eq!(doc["population"], 8);
    assert_eq!(doc["field"], "closure.closed_at");
    assert_eq!(doc["skipped"], 0);
    assert_eq!(
        doc["reproduce"],
        "casework sample complaint --period 2026-03 --size 3 --seed 2623140342"
    );
    // The same seed given explicitly, and a second run, draw the same.
    let again = sample(
        &repo,
        &[
            "complaint",
            "--period",
            "2026-03",
            "--size",
            "3",
            "--seed",
            "2623140342",
            "--format",
            "json",
        ],
    );
    assert_eq!(ids(&again), ids(&run));
}

#[test]
fn the_same_seed_draws_the_same_sample_and_another_seed_may_not() {
    let repo = repo();
    let with = |seed: &str| {
        ids(&sample(
            &repo,
            &[
                "complaint",
                "--period",
                "2026-03",
                "--size",
                "2",
                "--seed",
                seed,
                "--format",
                "json",
            ],
        ))
    };
    assert_eq!(with("123"), with("123"));
    assert_eq!(with("123"), ["CMP-2026-0002", "CMP-2026-0003"]);
    let seeds: Vec<Vec<String>> = (0..10).map(|s| with(&s.to_string())).collect();
    assert!(seeds.iter().any(|s| *s != seeds[0]), "seeds change the draw: {seeds:?}");
}

#[test]
fn only_cases_closed_in_the_period_in_the_calendars_zone_are_drawn() {
    let repo = repo();
    let run = sample(
        &repo,
        &["complaint", "--period", "2026-03", "--size", "50", "--format", "json"],
    );
    let expected: Vec<String> = (1..=8).map(|n| format!("CMP-2026-{n:04}")).collect();
    assert_eq!(ids(&run), expected);
    let feb = sample(
        &repo,
        &["complaint", "--period", "2026-02", "--size", "50", "--format", "json"],
    );
    assert_eq!(ids(&feb), ["CMP-2026-0009"]);
    // Archived records stay closed: 12 and 13 closed in January.
    let jan = sample(
        &repo,
        &["complaint", "--period", "2026-01", "--size", "50", "--format", "json"],
    );
    assert_eq!(ids(&jan), ["CMP-2026-0012", "CMP-2026-0013"]);
}

#[test]
fn archived_samples_the_records_archived_in_the_period() {
    let repo = repo();
    let run = sample(
        &repo,
        &[
            "complaint",
            "--period",
            "2026-03",
            "--size",
            "5",
            "--archived",
            "--format",
            "json",
        ],
    );
    assert_eq!(ids(&run), ["CMP-2026-0012"]);
    assert_eq!(run.json()["field"], "archive.archived_at");
    assert!(run.json()["reproduce"].as_str().unwrap().ends_with(" --archived"));
}

#[test]
fn a_size_larger_than_the_population_takes_all_and_says_so() {
    let repo = repo();
    let run = sample(&repo, &["complaint", "--period", "2026-02", "--size", "5"]);
    run.assert_code(OK);
    assert!(
        run.stdout.contains("All 1 complaint case closed in 2026-02 (by `closure.closed_at`): the size asked for, 5, is not smaller, so every one is taken."),
        "{}",
        run.stdout
    );
    let none = sample(
        &repo,
        &["complaint", "--period", "2025-12", "--size", "5", "--format", "json"],
    );
    assert_eq!(ids(&none), Vec::<String>::new());
    // An empty month says so rather than "All 0 cases".
    let run = sample(&repo, &["complaint", "--period", "2025-12", "--size", "5"]);
    assert!(
        run.stdout
            .contains("No complaint case was closed in 2025-12 (by `closure.closed_at`): nothing to review."),
        "{}",
        run.stdout
    );
}

#[test]
fn the_markdown_is_a_checklist_with_link_closure_owner_and_guard_fields() {
    let repo = repo();
    let run = sample(
        &repo,
        &["complaint", "--period", "2026-03", "--size", "2", "--seed", "123"],
    );
    run.assert_code(OK);
    let md = &run.stdout;
    assert!(
        md.starts_with("# Audit sample: complaint cases closed in 2026-03\n\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "Seed 123. To draw the same sample again: `casework sample complaint --period 2026-03 --size 2 --seed 123`"
        ),
        "{md}"
    );
    assert!(
        md.contains("2 drawn of 8 complaint cases closed in 2026-03 (by `closure.closed_at`), in ID order."),
        "{md}"
    );
    let item = "- [ ] CMP-2026-0002 — A case for the tests\n  \
        - record: [records/complaint/CMP-2026-0002.md](records/complaint/CMP-2026-0002.md)\n  \
        - closed: 2026-03-04 11:00 CET\n  \
        - owner: ann@example.com\n  \
        - status: closed\n  \
        - verify:\n    \
        - [ ] `corrective_actions`\n    \
        - [ ] `closure.closed_at`\n    \
        - [ ] `closure.closed_by`\n    \
        - [ ] `closure.communicated_via`\n";
    assert!(md.contains(item), "{md}");
    assert!(md.contains("- [ ] CMP-2026-0003 — "), "{md}");
    assert_eq!(md.matches("- [ ] CMP-").count(), 2, "{md}");
}

#[test]
fn write_saves_the_audit_file_with_front_matter_and_refuses_a_second_time() {
    let repo = repo();
    let args = [
        "complaint",
        "--period",
        "2026-03",
        "--size",
        "2",
        "--seed",
        "123",
        "--write",
    ];
    let run = sample(&repo, &args);
    run.assert_code(OK);
    assert_eq!(run.stdout, "audits/complaint-2026-03.md\n");
    let text = repo.read("audits/complaint-2026-03.md");
    let fm = front_matter(&text);
    assert_eq!(
        fm,
        serde_json::json!({
            "kind": "complaint", "period": "2026-03", "sample": "closed", "seed": 123,
            "ids": ["CMP-2026-0002", "CMP-2026-0003"],
            "reviewer": null, "reviewed_at": null,
            "cases": [
                {"id": "CMP-2026-0002", "outcome": null, "note": null},
                {"id": "CMP-2026-0003", "outcome": null, "note": null},
            ],
        })
    );
    // Links from audits/ lead back to the records.
    assert!(
        text.contains("[records/complaint/CMP-2026-0002.md](../records/complaint/CMP-2026-0002.md)"),
        "{text}"
    );
    let second = sample(&repo, &args);
    second.assert_code(FINDINGS);
    assert!(
        second.stderr.contains("audits/complaint-2026-03.md already exists"),
        "{}",
        second.stderr
    );
    assert_eq!(repo.read("audits/complaint-2026-03.md"), text, "left as it was");
    // An unreviewed audit file checks clean.
    Run::of(repo.cmd().args(["check", "--format", "json"]).env("CASEWORK_NOW", AT)).assert_code(OK);
    // The archived sample has a file of its own.
    let archived = sample(
        &repo,
        &[
            "complaint",
            "--period",
            "2026-03",
            "--size",
            "2",
            "--archived",
            "--write",
        ],
    );
    archived.assert_code(OK);
    assert_eq!(archived.stdout, "audits/complaint-2026-03-archived.md\n");
}

/// The audit of `write_saves_...` as a reviewer fills it in.
fn reviewed(outcome: &str, second_id: &str) -> String {
    format!(
        "---\nkind: complaint\nperiod: \"2026-03\"\nsample: closed\nseed: 123\nids:\n  - CMP-2026-0002\n  - {second_id}\nreviewer: m.jones@example.com\nreviewed_at: 2026-04-03T15:00:00Z\ncases:\n  - id: CMP-2026-0002\n    outcome: pass\n    note: null\n  - id: {second_id}\n    outcome: {outcome}\n    note: Closure mail not attached.\n---\n\n# Audit sample\n"
    )
}

fn check(repo: &Repo) -> Run {
    Run::of(repo.cmd().args(["check", "--format", "json"]).env("CASEWORK_NOW", AT))
}

#[test]
fn check_accepts_a_reviewed_audit_and_reports_a_bad_outcome_at_its_line() {
    let repo = repo();
    repo.write("audits/complaint-2026-03.md", reviewed("finding", "CMP-2026-0004"));
    check(&repo).assert_code(OK);

    let text = reviewed("fail", "CMP-2026-0004");
    repo.write("audits/complaint-2026-03.md", &text);
    let run = check(&repo);
    run.assert_code(FINDINGS);
    let (line, column) = pos_of(&text, "fail");
    assert_eq!(
        run.findings(),
        [error("schema", "audits/complaint-2026-03.md", line, column)]
    );
    assert!(
        run.stdout.contains("outcome \\\"fail\\\" is not one of pass, finding"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_reports_an_unknown_id_an_unfinished_review_and_a_bad_period_in_an_audit() {
    let repo = repo();
    let text = reviewed("null", "CMP-2026-0099")
        .replace("period: \"2026-03\"", "period: March")
        .replace("reviewed_at: 2026-04-03T15:00:00Z", "reviewed_at: soon");
    repo.write("audits/complaint-2026-03.md", &text);
    let run = check(&repo);
    run.assert_code(FINDINGS);
    let at = |needle: &str, code: &str| {
        let (l, c) = pos_of(&text, needle);
        error(code, "audits/complaint-2026-03.md", l, c)
    };
    let mut expected = vec![
        at("March", "schema"),
        at("CMP-2026-0099\nreviewer", "broken-link"),
        at("soon", "schema"),
        at("CMP-2026-0099\n    outcome", "broken-link"),
        at("null\n    note: Closure", "schema"),
    ];
    expected.sort();
    assert_eq!(run.findings(), expected);
    // A disposed-of ID is no broken link.
    repo.write(
        "disposals.csv",
        "id,kind,opened,closed,archived,disposed_at,reason,by\nCMP-2026-0099,complaint,2026-01-05T09:00:00Z,2026-01-20T10:00:00Z,2026-01-21T10:00:00Z,2028-02-01T10:00:00Z,retention period over,archive@example.com\n",
    );
    let after = check(&repo);
    assert!(!after.stdout.contains("broken-link"), "{}", after.stdout);
}

#[test]
fn sample_refuses_a_bad_period_an_unknown_kind_and_a_zero_size() {
    let repo = repo();
    let bad = sample(&repo, &["complaint", "--period", "2026-3", "--size", "2"]);
    bad.assert_code(USAGE);
    assert!(bad.stderr.contains("expected a month as YYYY-MM"), "{}", bad.stderr);
    let kind = sample(&repo, &["complaints", "--period", "2026-03", "--size", "2"]);
    kind.assert_code(USAGE);
    assert!(
        kind.stderr.contains("unknown kind `complaints` (kinds: "),
        "{}",
        kind.stderr
    );
    sample(&repo, &["complaint", "--period", "2026-03", "--size", "0"]).assert_code(USAGE);
    // An audit file is Markdown: --write takes no --format.
    sample(
        &repo,
        &[
            "complaint",
            "--period",
            "2026-03",
            "--size",
            "2",
            "--write",
            "--format",
            "json",
        ],
    )
    .assert_code(USAGE);
    assert!(!repo.path("audits").exists());
}

#[test]
fn sample_counts_a_record_it_could_not_read() {
    let repo = repo();
    repo.write("records/complaint/CMP-2026-0014.md", "---\nid: [\n---\n");
    let run = sample(
        &repo,
        &["complaint", "--period", "2026-03", "--size", "2", "--format", "json"],
    );
    run.assert_code(OK);
    assert_eq!(run.json()["skipped"], Value::from(1));
    assert!(
        run.stderr.contains("left out records/complaint/CMP-2026-0014.md"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_reports_an_audit_file_without_front_matter() {
    let repo = repo();
    repo.write("audits/complaint-2026-03.md", "# Notes of the March review\n");
    let run = check(&repo);
    run.assert_code(FINDINGS);
    assert_eq!(
        run.findings(),
        [error("front-matter", "audits/complaint-2026-03.md", 1, 1)]
    );
}
