//! `casework init`, `casework new`, `casework schema` and
//! `casework completions` (SPEC sections 4 and 5).

use crate::support::*;
use serde_json::{Value, json};

const KINDS: [&str; 5] = ["incident", "feedback", "request", "complaint", "order"];
const ME: &str = "a.handler@example.com";

/// `casework new ARGS...` as the acting user ME.
fn new(repo: &Repo, args: &[&str]) -> Run {
    Run::of(repo.cmd().arg("new").args(args).env("GIT_AUTHOR_EMAIL", ME))
}

fn names_in(repo: &Repo, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo.path(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn init_scaffolds_a_repository() {
    let repo = Repo::empty();
    let run = Run::of(casework(&repo.home).arg("init").arg(&repo.root));
    run.assert_code(OK);
    assert!(repo.path("casework.toml").is_file());
    assert!(repo.path("README.md").is_file());
    for kind in KINDS {
        let schema: Value = serde_json::from_str(&repo.read(&format!("schemas/{kind}.schema.json"))).unwrap();
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{kind}"
        );
        assert!(repo.path(&format!("records/{kind}")).is_dir(), "records/{kind}/");
    }
    assert_eq!(names_in(&repo, "schemas").len(), 5, "exactly the five default schemas");
    let ignore = repo.read(".gitignore");
    assert!(ignore.lines().any(|l| l.trim() == "_site/"), "{ignore:?}");
    assert!(ignore.lines().any(|l| l.trim() == ".casework-sweep.lock"), "{ignore:?}");
    // A new git repository, with nothing committed.
    assert!(repo.path(".git").is_dir());
    assert_eq!(repo.git(&["rev-list", "--all"]), "");
    // The roles are examples to replace, and the result checks clean.
    let config = repo.read("casework.toml");
    assert!(
        config.contains("[roles]") && config.contains("@example.com"),
        "{config}"
    );
    let check = repo.check_json(&[]);
    check.assert_code(OK);
    assert_eq!(check.json()["summary"]["records"], 0);
}

#[test]
fn init_refuses_when_casework_toml_exists() {
    let repo = Repo::new();
    repo.write(
        "records/complaint/CMP-2026-0001.md",
        record("CMP-2026-0001", "complaint", "received", ""),
    );
    let before = snapshot(&repo.root);
    let run = Run::of(casework(&repo.home).arg("init").arg(&repo.root));
    assert_ne!(run.code, OK, "{}", run.stdout);
    assert!(run.stderr.contains("casework.toml"), "{}", run.stderr);
    assert_same_files(&snapshot(&repo.root), &before, "no file may change");
}

#[test]
fn init_refuses_a_users_own_casework_toml_without_touching_anything() {
    let repo = Repo::empty();
    std::fs::write(repo.path("casework.toml"), "# mine\n").unwrap();
    let before = snapshot(&repo.root);
    let run = Run::of(casework(&repo.home).arg("init").arg(&repo.root));
    assert_ne!(run.code, OK);
    assert_same_files(&snapshot(&repo.root), &before, "no file, folder or .git may appear");
}

#[test]
fn init_inside_a_git_repository_makes_no_new_one() {
    let repo = Repo::empty();
    repo.git(&["init", "-q"]);
    let sub = repo.path("customer-care");
    let run = Run::of(casework(&repo.home).arg("init").arg(&sub));
    run.assert_code(OK);
    assert!(sub.join("casework.toml").is_file());
    assert!(!sub.join(".git").exists(), "a monorepo keeps one repository");
    assert_eq!(repo.git(&["rev-list", "--all"]), "");
    // Commands find the root from a folder inside it.
    let run = Run::of(
        casework(&repo.home)
            .current_dir(sub.join("records/complaint"))
            .args(["check", "--format", "json"]),
    );
    run.assert_code(OK);
}

#[test]
fn init_in_the_current_folder() {
    let repo = Repo::empty();
    let run = Run::of(casework(&repo.home).current_dir(&repo.root).arg("init"));
    run.assert_code(OK);
    assert!(repo.path("casework.toml").is_file());
}

#[test]
fn init_with_a_relative_folder() {
    let repo = Repo::empty();
    let run = Run::of(casework(&repo.home).current_dir(&repo.root).args(["init", "care"]));
    run.assert_code(OK);
    assert!(
        repo.path("care/casework.toml").is_file(),
        "files: {:?}",
        snapshot(&repo.root)
            .keys()
            .filter(|k| k.ends_with(".toml"))
            .collect::<Vec<_>>()
    );
    assert!(!repo.path("care/care").exists());
}

#[test]
fn init_with_dir_flag() {
    let repo = Repo::empty();
    let run = Run::of(casework(&repo.home).arg("-C").arg(&repo.root).arg("init"));
    run.assert_code(OK);
    assert!(repo.path("casework.toml").is_file());
}

#[test]
fn init_appends_to_an_existing_gitignore() {
    let repo = Repo::empty();
    std::fs::write(repo.path(".gitignore"), "target/\n*.log").unwrap();
    Run::of(casework(&repo.home).arg("init").arg(&repo.root)).assert_code(OK);
    let ignore = repo.read(".gitignore");
    assert!(ignore.starts_with("target/\n*.log\n"), "{ignore:?}");
    assert!(ignore.lines().any(|l| l == "_site/"), "{ignore:?}");
}

/// Files casework writes get the permissions any other new file gets
/// (the umask), not those of a private temporary file.
#[cfg(unix)]
#[test]
fn written_files_respect_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new();
    let probe = repo.base().join("probe");
    std::fs::write(&probe, "").unwrap();
    let want = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    let created = new(&repo, &["complaint", "--title", "T"]);
    created.assert_code(OK);
    for file in [
        "casework.toml",
        "README.md",
        ".gitignore",
        "schemas/complaint.schema.json",
        created.stdout.trim(),
    ] {
        let mode = std::fs::metadata(repo.path(file)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, want, "{file}: {mode:o}, expected {want:o}");
    }
}

#[test]
fn new_prints_the_path_and_writes_a_valid_record() {
    let repo = Repo::new();
    let run = new(&repo, &["complaint", "--title", "Late delivery of a sofa"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/complaint/CMP-2026-0001.md\n");
    let text = repo.read("records/complaint/CMP-2026-0001.md");
    assert_eq!(
        front_matter(&text),
        json!({"id": "CMP-2026-0001", "kind": "complaint", "title": "Late delivery of a sofa",
               "status": "received", "opened": NOW, "owner": ME})
    );
    // Block style, one key a line.
    assert!(text.starts_with("---\nid: CMP-2026-0001\nkind: complaint\n"), "{text}");

    let run = new(&repo, &["complaint", "--title", "Second"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/complaint/CMP-2026-0002.md\n");
    let run = new(&repo, &["incident", "--title", "Outage"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/incident/INC-2026-0001.md\n");

    let check = repo.check_json(&[]);
    check.assert_code(OK);
    assert_eq!(check.json()["diagnostics"], json!([]));
    // Written atomically: no temporary file left behind.
    assert_eq!(
        names_in(&repo, "records/complaint"),
        [".gitkeep", "CMP-2026-0001.md", "CMP-2026-0002.md"]
    );
}

#[test]
fn new_prints_the_path_relative_to_the_root() {
    let repo = Repo::new();
    let run = Run::of(
        repo.cmd()
            .current_dir(repo.path("records/incident"))
            .args(["new", "complaint", "--title", "From a subfolder"])
            .env("GIT_AUTHOR_EMAIL", ME),
    );
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/complaint/CMP-2026-0001.md\n");
}

#[test]
fn new_takes_the_year_from_casework_now() {
    let repo = Repo::new();
    new(&repo, &["complaint", "--title", "2026"]).assert_code(OK);
    let run = Run::of(
        repo.cmd()
            .args(["new", "complaint", "--title", "2027"])
            .env("CASEWORK_NOW", "2027-01-04T08:30:00Z"),
    );
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/complaint/CMP-2027-0001.md\n");
    let data = front_matter(&repo.read("records/complaint/CMP-2027-0001.md"));
    assert_eq!(data["opened"], "2027-01-04T08:30:00Z");
}

#[test]
fn new_continues_after_the_highest_sequence() {
    let repo = Repo::new();
    // Lower numbers missing: never reused or filled in.
    repo.write(
        "records/complaint/CMP-2026-0005.md",
        record("CMP-2026-0005", "complaint", "received", ""),
    );
    // Other years and kinds do not count.
    repo.write(
        "records/complaint/CMP-2025-0042.md",
        record("CMP-2025-0042", "complaint", "received", "").replace("2026-11-02", "2025-11-02"),
    );
    repo.write(
        "records/incident/INC-2026-0077.md",
        record("INC-2026-0077", "incident", "open", ""),
    );
    let run = new(&repo, &["complaint", "--title", "Next"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/complaint/CMP-2026-0006.md\n");
    repo.check_json(&[]).assert_code(OK);
}

#[test]
fn new_grows_the_sequence_past_its_width() {
    let repo = Repo::new();
    repo.write(
        "records/complaint/CMP-2026-9999.md",
        record("CMP-2026-9999", "complaint", "received", ""),
    );
    let run = new(&repo, &["complaint", "--title", "Ten thousand"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/complaint/CMP-2026-10000.md\n");
    let run = new(&repo, &["complaint", "--title", "And one"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/complaint/CMP-2026-10001.md\n");

    // Feedback IDs have three digits.
    let fields = [
        "--set",
        "date=2026-11-23",
        "--set",
        "stakeholder=Sales team",
        "--set",
        "summary=Asked for a weekly report",
        "--set",
        "assigned_to=j.smith@example.com",
        "--set",
        "due=2026-12-04",
    ];
    let mut args = vec!["feedback", "--title", "First"];
    args.extend(fields);
    let run = new(&repo, &args);
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/feedback/FF-2026-001.md\n");
    repo.write(
        "records/feedback/FF-2026-999.md",
        repo.read("records/feedback/FF-2026-001.md")
            .replace("FF-2026-001", "FF-2026-999"),
    );
    let run = new(&repo, &args);
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/feedback/FF-2026-1000.md\n");

    let check = repo.check_json(&[]);
    check.assert_code(OK);
    assert_eq!(check.json()["diagnostics"], json!([]));
}

#[test]
fn new_sets_dotted_paths_with_typed_values() {
    let repo = Repo::new();
    let run = new(
        &repo,
        &[
            "complaint",
            "--title",
            "Caller said: \"it's broken\" #1",
            "--set",
            "feedback.invited_at=2026-11-20T10:00:00Z",
            "--set",
            "feedback.rating=5",
            "--set",
            "customer.name='5'",
            "--set",
            "customer.contact=+44 7700 900118",
            "--set",
            "priority=high",
            "--set",
            "tags=[delivery, sofa]",
            "--set",
            "lessons+=Check the straps",
            "--set",
            "lessons+=Photograph the load",
        ],
    );
    run.assert_code(OK);
    let data = front_matter(&repo.read("records/complaint/CMP-2026-0001.md"));
    assert_eq!(data["title"], "Caller said: \"it's broken\" #1");
    assert_eq!(
        data["feedback"],
        json!({"invited_at": "2026-11-20T10:00:00Z", "rating": 5})
    );
    assert_eq!(data["customer"], json!({"name": "5", "contact": "+44 7700 900118"}));
    assert_eq!(data["priority"], "high");
    assert_eq!(data["tags"], json!(["delivery", "sofa"]));
    assert_eq!(data["lessons"], json!(["Check the straps", "Photograph the load"]));
    let check = repo.check_json(&[]);
    check.assert_code(OK);
    assert_eq!(check.json()["diagnostics"], json!([]));
}

#[test]
fn new_refuses_a_value_of_the_wrong_type() {
    let repo = Repo::new();
    let before = snapshot(&repo.root);
    // Quoted, the rating is text, which the schema refuses.
    let run = new(
        &repo,
        &[
            "complaint",
            "--title",
            "T",
            "--set",
            "feedback.invited_at=2026-11-20T10:00:00Z",
            "--set",
            "feedback.rating='5'",
        ],
    );
    run.assert_code(FINDINGS);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("feedback.rating"), "{}", run.stderr);
    assert_same_files(&snapshot(&repo.root), &before, "no file may change");
}

#[test]
fn new_request_needs_the_customer() {
    let repo = Repo::new();
    let before = snapshot(&repo.root);
    let run = new(
        &repo,
        &["request", "--title", "Invoice copy", "--set", "customer.name=Ann Lee"],
    );
    run.assert_code(FINDINGS);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("customer.contact"), "{}", run.stderr);
    assert!(run.stderr.contains("customer.preferred_channel"), "{}", run.stderr);
    assert_same_files(&snapshot(&repo.root), &before, "no file written");

    let run = new(&repo, &["request", "--title", "Invoice copy"]);
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("customer"), "{}", run.stderr);
    assert_same_files(&snapshot(&repo.root), &before, "no file written");

    let run = new(
        &repo,
        &[
            "request",
            "--title",
            "Invoice copy",
            "--set",
            "customer.name=Ann Lee",
            "--set",
            "customer.contact=ann@example.org",
            "--set",
            "customer.preferred_channel=email",
        ],
    );
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/request/REQ-2026-0001.md\n");
    let check = repo.check_json(&[]);
    check.assert_code(OK);
    assert_eq!(check.json()["diagnostics"], json!([]));
}

#[test]
fn new_order_with_its_first_state_fields() {
    let repo = Repo::new();
    let run = new(
        &repo,
        &[
            "order",
            "--title",
            "Wardrobe delivered",
            "--set",
            "customer.name=Oliver Grant",
            "--set",
            "customer.contact=oliver@example.org",
            "--set",
            "delivered_at=2026-11-23T10:00:00Z",
        ],
    );
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/order/ORD-2026-0001.md\n");
    let data = front_matter(&repo.read("records/order/ORD-2026-0001.md"));
    assert_eq!(data["status"], "delivered");
    let check = repo.check_json(&[]);
    check.assert_code(OK);
    assert_eq!(check.json()["diagnostics"], json!([]));
}

#[test]
fn new_refuses_an_unknown_kind() {
    let repo = Repo::new();
    let before = snapshot(&repo.root);
    let run = new(&repo, &["widget", "--title", "T"]);
    run.assert_code(USAGE);
    assert!(run.stderr.contains("widget"), "{}", run.stderr);
    assert_same_files(&snapshot(&repo.root), &before, "no file may change");
}

#[test]
fn new_refuses_to_set_the_fields_it_owns() {
    let repo = Repo::new();
    let before = snapshot(&repo.root);
    for field in [
        "id=CMP-2026-0100",
        "status=closed",
        "kind=incident",
        "opened=2020-01-01T00:00:00Z",
    ] {
        let run = new(&repo, &["complaint", "--title", "T", "--set", field]);
        run.assert_code(USAGE);
        assert_same_files(&snapshot(&repo.root), &before, field);
    }
    let run = new(&repo, &["complaint", "--title", "T", "--set", "no-equals-sign"]);
    run.assert_code(USAGE);
    let run = new(&repo, &["complaint", "--title", "   "]);
    run.assert_code(USAGE);
    assert_same_files(&snapshot(&repo.root), &before, "no file may change");
}

#[test]
fn new_owner_comes_from_git_when_not_in_the_environment() {
    let repo = Repo::new();
    repo.git(&["config", "user.email", "from.config@example.com"]);
    let run = Run::of(repo.cmd().args(["new", "complaint", "--title", "T"]));
    run.assert_code(OK);
    let data = front_matter(&repo.read("records/complaint/CMP-2026-0001.md"));
    assert_eq!(data["owner"], "from.config@example.com");
    // GIT_AUTHOR_EMAIL wins over the configuration.
    new(&repo, &["complaint", "--title", "T2"]).assert_code(OK);
    let data = front_matter(&repo.read("records/complaint/CMP-2026-0002.md"));
    assert_eq!(data["owner"], ME);
}

#[test]
fn new_without_any_identity_leaves_owner_out() {
    let repo = Repo::new();
    let run = Run::of(repo.cmd().args(["new", "complaint", "--title", "T"]));
    run.assert_code(OK);
    let data = front_matter(&repo.read("records/complaint/CMP-2026-0001.md"));
    assert_eq!(data.get("owner"), None);
    repo.check_json(&[]).assert_code(OK);
}

#[test]
fn new_commit_commits_only_the_new_file() {
    let repo = Repo::new();
    repo.git(&["config", "user.name", "Ann Handler"]);
    repo.git(&["config", "user.email", ME]);
    let run = Run::of(repo.cmd().args(["new", "complaint", "--title", "T", "--commit"]));
    run.assert_code(OK);
    let path = "records/complaint/CMP-2026-0001.md";
    assert_eq!(run.stdout, format!("{path}\n"));
    assert_eq!(repo.git(&["rev-list", "--all", "--count"]).trim(), "1");
    assert_eq!(repo.git(&["show", "--name-only", "--format=", "HEAD"]).trim(), path);
    assert_eq!(repo.git(&["ls-files"]).trim(), path);
    assert_eq!(repo.git(&["log", "-1", "--format=%ae"]).trim(), ME);
    // The scaffold is still there, uncommitted.
    assert!(
        repo.git(&["status", "--porcelain"]).contains("?? casework.toml"),
        "{}",
        repo.git(&["status", "--porcelain"])
    );
    // Without --commit, nothing more is committed.
    new(&repo, &["complaint", "--title", "T2"]).assert_code(OK);
    assert_eq!(repo.git(&["rev-list", "--all", "--count"]).trim(), "1");
}

#[test]
fn schema_prints_the_kinds_json_schema() {
    let repo = Repo::new();
    for kind in KINDS {
        let run = repo.run(&["schema", kind]);
        run.assert_code(OK);
        let schema = run.json();
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        let on_disk: Value = serde_json::from_str(&repo.read(&format!("schemas/{kind}.schema.json"))).unwrap();
        assert_eq!(schema, on_disk, "{kind}");
    }
    // The repository's own schema, as edited.
    repo.write(
        "schemas/order.schema.json",
        "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"title\": \"Mine\"}\n",
    );
    assert_eq!(repo.run(&["schema", "order"]).json()["title"], "Mine");

    // Outside a repository: the defaults.
    let outside = Repo::empty();
    let run = outside.run(&["schema", "complaint"]);
    run.assert_code(OK);
    assert_eq!(run.json()["$schema"], "https://json-schema.org/draft/2020-12/schema");
    outside.run(&["schema", "widget"]).assert_code(USAGE);
    repo.run(&["schema", "widget"]).assert_code(USAGE);

    // Without a kind: the kinds with their states.
    let run = repo.run(&["schema"]);
    run.assert_code(OK);
    for kind in KINDS {
        assert!(run.stdout.contains(kind), "{}", run.stdout);
    }
    assert!(run.stdout.contains("received -> investigating"), "{}", run.stdout);
}

#[test]
fn completions() {
    let repo = Repo::empty();
    let run = repo.run(&["completions", "bash"]);
    run.assert_code(OK);
    assert!(run.stdout.contains("complete -F"), "{}", run.stdout);
    assert!(run.stdout.contains("casework"));
    for shell in ["zsh", "fish"] {
        let run = repo.run(&["completions", shell]);
        run.assert_code(OK);
        assert!(run.stdout.contains("casework"), "{shell}");
    }
}

#[test]
fn new_commit_that_fails_leaves_the_repository_as_it_was() {
    let repo = Repo::new();
    // No identity anywhere: git refuses to commit.
    let status = repo.git(&["status", "--porcelain"]);
    let worktree = |repo: &Repo| {
        let mut files = snapshot(&repo.root);
        files.retain(|k, _| !k.starts_with(".git/"));
        files
    };
    let before = worktree(&repo);
    let run = Run::of(repo.cmd().args(["new", "complaint", "--title", "T", "--commit"]));
    assert_ne!(run.code, OK, "{}", run.stdout);
    assert_eq!(run.stdout, "", "no path printed for a record not created");
    assert_same_files(&worktree(&repo), &before, "no file left behind");
    assert_eq!(repo.git(&["status", "--porcelain"]), status, "nothing left staged");
}

#[test]
fn new_never_reuses_a_disposed_id() {
    let repo = Repo::new();
    repo.write(
        "disposals.csv",
        "id,kind,opened,closed,archived,disposed_at,reason,by\n\
         CMP-2026-0007,complaint,2026-01-05T09:00:00Z,2026-01-20T09:00:00Z,2026-02-01T09:00:00Z,2026-11-01T09:00:00Z,Retention ended,archive@example.com\n",
    );
    let run = new(&repo, &["complaint", "--title", "After a disposal"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "records/complaint/CMP-2026-0008.md\n");
}

#[test]
fn a_custom_kind_and_records_folder() {
    let repo = Repo::new();
    repo.write(
        "casework.toml",
        r#"[records]
dir = "cases"

[roles]
lead = ["lead@example.com"]

[kinds.note]
prefix = "NOTE"
digits = 3
states = ["open", "done"]
transitions = [{ from = "open", to = "done", role = "lead" }]
"#,
    );
    repo.write(
        "schemas/note.schema.json",
        r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["id", "kind", "title", "status", "opened"],
  "properties": {
    "id": {"type": "string"},
    "kind": {"const": "note"},
    "title": {"type": "string", "minLength": 1},
    "status": {"enum": ["open", "done"]},
    "opened": {"type": "string", "format": "date-time"},
    "owner": {"type": "string"},
    "body_lines": {"type": "integer"}
  },
  "additionalProperties": false
}
"#,
    );
    let run = new(&repo, &["note", "--title", "Call back", "--set", "body_lines=3"]);
    run.assert_code(OK);
    assert_eq!(run.stdout, "cases/note/NOTE-2026-001.md\n");
    new(&repo, &["complaint", "--title", "Not a kind here"]).assert_code(USAGE);

    repo.write(
        "cases/note/NOTE-2026-002.md",
        record("NOTE-2026-002", "note", "closed", ""),
    );
    // The default records/ folder is no longer read.
    repo.write(
        "records/complaint/CMP-2026-0001.md",
        record("CMP-2026-0001", "complaint", "bogus", ""),
    );
    let check = repo.check_json(&[]);
    check.assert_code(FINDINGS);
    assert_eq!(
        check.findings(),
        [error("unknown-status", "cases/note/NOTE-2026-002.md", 5, 9)]
    );
    assert_eq!(check.json()["summary"]["records"], 2);
}

#[test]
fn new_refuses_a_link_to_a_case_that_does_not_exist() {
    let repo = Repo::new();
    let before = snapshot(&repo.root);
    let run = new(
        &repo,
        &["complaint", "--title", "T", "--set", "related=[INC-2026-0099]"],
    );
    run.assert_code(FINDINGS);
    assert!(run.stderr.contains("INC-2026-0099"), "{}", run.stderr);
    assert_same_files(&snapshot(&repo.root), &before, "no file written");
    // A link to a case that exists is fine.
    repo.write(
        "records/incident/INC-2026-0001.md",
        record("INC-2026-0001", "incident", "open", ""),
    );
    new(
        &repo,
        &["complaint", "--title", "T", "--set", "related=[INC-2026-0001]"],
    )
    .assert_code(OK);
    repo.check_json(&[]).assert_code(OK);
}

/// The root may be a whole existing repository, which usually has a
/// README: init keeps it (never overwrites) and scaffolds the rest.
#[test]
fn init_at_the_root_of_an_existing_repository_keeps_its_readme() {
    let repo = Repo::empty();
    repo.git(&["init", "-q"]);
    std::fs::write(repo.path("README.md"), "# Our project\n").unwrap();
    let run = Run::of(casework(&repo.home).arg("init").arg(&repo.root));
    run.assert_code(OK);
    assert_eq!(repo.read("README.md"), "# Our project\n");
    assert!(repo.path("casework.toml").is_file());
    assert!(repo.path("schemas/complaint.schema.json").is_file());
    assert!(
        repo.read("CASEWORK.md").contains("casework"),
        "the team guide goes beside the README"
    );
}
