//! What a case still needs, said at once: `show`'s next steps and the
//! refusals of `transition`, `set` and `new` name every missing field,
//! nested ones included, with the values they may take; and `new`'s hint
//! fits the fault (a missing field, a value not allowed, a misspelt field).

use crate::support::*;

const ME: &str = "h.handler@example.com";
const INC: &str = "records/incident/INC-2026-0001.md";
const REQ: &str = "records/request/REQ-2026-0001.md";
const ACK: &str = "acknowledged_at: 2026-11-02T10:00:00Z\nexpected_resolution: 2026-11-20\n";

/// A committed incident, moved to `in_progress` with casework itself.
fn incident_in_progress() -> Repo {
    let repo = Repo::with_history();
    run_as(
        &repo,
        ME,
        &["new", "incident", "--title", "Printer on fire", "--commit"],
    )
    .assert_code(OK);
    run_as(&repo, ME, &["transition", "INC-2026-0001", "in_progress", "--commit"]).assert_code(OK);
    repo
}

/// The lines `show` prints under `-> STATE`, up to the next state or section.
fn needs_of(show: &str, state: &str) -> String {
    let head = format!("  -> {state}");
    let mut lines = show.lines().skip_while(|l| !l.starts_with(&head));
    let first = lines.next().unwrap_or_else(|| panic!("no {head:?} in:\n{show}"));
    let rest: Vec<&str> = lines.take_while(|l| l.starts_with("       ")).collect();
    format!("{first}\n{}", rest.join("\n"))
}

#[test]
fn show_names_every_field_a_missing_resolution_needs() {
    let repo = incident_in_progress();
    let run = repo.run(&["show", "INC-2026-0001"]);
    run.assert_code(OK);
    let resolved = needs_of(&run.stdout, "resolved");
    for want in [
        "`resolution.summary`",
        "`resolution.corrective_actions` (a list of at least 1 item)",
        "`resolution.verified` (true)",
    ] {
        assert!(resolved.contains(want), "{want} not under resolved:\n{}", run.stdout);
    }
}

#[test]
fn a_refused_transition_to_resolved_names_summary_actions_and_verified_in_one_run() {
    let repo = incident_in_progress();
    let before = repo.read(INC);
    let run = run_as(&repo, ME, &["transition", "INC-2026-0001", "resolved"]);
    run.assert_code(FINDINGS);
    for want in [
        "resolution.summary",
        "resolution.corrective_actions",
        "resolution.verified` (true)",
    ] {
        assert!(run.stderr.contains(want), "{want} not named:\n{}", run.stderr);
    }
    assert_eq!(repo.read(INC), before, "a refusal leaves the file as it was");
}

#[test]
fn a_refused_transition_names_every_unmet_nested_field_once() {
    let repo = incident_in_progress();
    let run = run_as(
        &repo,
        ME,
        &[
            "transition",
            "INC-2026-0001",
            "resolved",
            "--set",
            "resolution.verified=false",
            "--set",
            "resolution.corrective_actions=[]",
        ],
    );
    run.assert_code(FINDINGS);
    let reasons: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("  - ")).collect();
    for field in [
        "`resolution.summary`",
        "`resolution.verified`",
        "`resolution.corrective_actions`",
    ] {
        let naming = reasons.iter().filter(|l| l.contains(field)).count();
        assert_eq!(naming, 1, "{field} on {naming} lines:\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains("`resolution.verified` must be true"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("needs at least 1 item"), "{}", run.stderr);
}

#[test]
fn closing_a_request_names_the_outcomes_confirmation_allows() {
    let resolution = "resolution:\n  summary: Sent the copy\n  notified_at: 2026-11-20T10:00:00Z\n";
    let repo = committed_request(ME, "resolved", &format!("{ACK}{resolution}"));
    let run = run_as(&repo, ME, &["transition", "REQ-2026-0001", "closed"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr.contains("`confirmation.outcome`") && run.stderr.contains("confirmed | no_response"),
        "{}",
        run.stderr
    );
    let show = repo.run(&["show", "REQ-2026-0001"]);
    show.assert_code(OK);
    let closed = needs_of(&show.stdout, "closed");
    assert!(closed.contains("confirmed | no_response"), "{}", show.stdout);
}

#[test]
fn several_problems_of_one_field_read_as_one_line() {
    let repo = committed_request(ME, "acknowledged", ACK);
    let before = repo.read(REQ);
    let run = run_as(&repo, ME, &["set", "REQ-2026-0001", "title="]);
    run.assert_code(FINDINGS);
    let naming: Vec<&str> = run.stderr.lines().filter(|l| l.contains("`title`")).collect();
    assert_eq!(naming, ["  - `title` must not be empty"], "{}", run.stderr);
    assert_eq!(repo.read(REQ), before);
}

#[test]
fn new_with_a_value_not_allowed_gets_the_allowed_values_not_the_missing_fields_hint() {
    let repo = Repo::with_history();
    let run = run_as(
        &repo,
        ME,
        &[
            "new",
            "request",
            "--title",
            "Invoice copy",
            "--set",
            "customer.name=Ann Lee",
            "--set",
            "customer.contact=ann@example.org",
            "--set",
            "customer.preferred_channel=fax",
        ],
    );
    run.assert_code(FINDINGS);
    assert!(
        run.stderr
            .contains("`customer.preferred_channel` is \"fax\"; allowed: email | phone | sms"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Fix the value of `customer.preferred_channel`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Give the missing fields"), "{}", run.stderr);
    assert!(!repo.path(REQ).exists());
}

#[test]
fn new_with_a_misspelt_field_asks_whether_the_nearest_field_was_meant() {
    let repo = Repo::with_history();
    let run = run_as(
        &repo,
        ME,
        &[
            "new",
            "request",
            "--title",
            "Invoice copy",
            "--set",
            "custmer.name=Ann Lee",
            "--set",
            "customer.contact=ann@example.org",
            "--set",
            "customer.preferred_channel=email",
        ],
    );
    run.assert_code(FINDINGS);
    assert!(
        run.stderr
            .contains("`custmer.name` is not a field of kind `request`; did you mean `customer.name`?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("unknown field `custmer`: not a field of kind `request`"),
        "{}",
        run.stderr
    );
    // `customer.name` is missing too (it was misspelt): that hint applies as well.
    assert!(
        run.stderr
            .contains("Give the missing fields with --set FIELD=VALUE: customer.name (see"),
        "{}",
        run.stderr
    );
    assert!(!repo.path(REQ).exists());
}

#[test]
fn new_without_a_required_mapping_names_the_fields_inside_it() {
    let repo = Repo::with_history();
    let run = run_as(&repo, ME, &["new", "order", "--title", "Order 42"]);
    run.assert_code(FINDINGS);
    assert!(
        run.stderr
            .contains("missing field `customer`: it needs `customer.name` and `customer.contact`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("missing field `delivered_at`: it must be a time, e.g. 2026-03-02T09:14:00Z"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "Give the missing fields with --set FIELD=VALUE: customer.name, customer.contact and delivered_at"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Fix the value"), "{}", run.stderr);
}

#[test]
fn new_hints_offer_set_only_for_fields_set_can_reach() {
    let repo = Repo::with_history();
    let run = run_as(
        &repo,
        ME,
        &[
            "new",
            "incident",
            "--title",
            "Printer on fire",
            "--set",
            "tags=[a, 5]",
            "--set",
            "due=tomorrow",
        ],
    );
    run.assert_code(FINDINGS);
    assert!(
        run.stderr
            .contains("Fix the value of `tags.1` (see `casework schema incident`)."),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("Fix the value of `due` with --set due=VALUE (see `casework schema incident`)."),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Give the missing fields"), "{}", run.stderr);
}
