//! Helpers: temporary records repositories made by the real `casework init`,
//! a hermetic environment for every run, and findings read from
//! `--format json`.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// The time every run is judged at, so SLA clocks are stable.
pub const NOW: &str = "2026-11-23T12:00:00Z";

/// Exit codes (SPEC section 5).
pub const OK: i32 = 0;
pub const FINDINGS: i32 = 1;
pub const USAGE: i32 = 2;

/// `tests/fixtures` of this repository.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// No run may take longer than this: a hang is a failure, not a stuck suite.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The casework binary with an environment that does not depend on the
/// machine: `HOME` (hence git's global config) is `home`, no system git
/// config, no identity, no CI variables, `CASEWORK_NOW` fixed.
pub fn casework(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casework"));
    hermetic(&mut cmd, home);
    cmd.timeout(TIMEOUT);
    cmd
}

fn hermetic(cmd: &mut Command, home: &Path) {
    for var in [
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_CONFIG",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GITHUB_STEP_SUMMARY",
        "EMAIL",
        "NO_COLOR",
        "CLICOLOR_FORCE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("CASEWORK_NOW", NOW);
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(cmd: &mut Command) -> Run {
        let out = cmd.output().expect("casework runs");
        Run {
            // A signal (a crash) has no code: never equal to an expected one.
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }

    /// The diagnostics of a `--format json` run.
    pub fn findings(&self) -> Vec<Finding> {
        let doc = self.json();
        let mut list: Vec<Finding> = doc["diagnostics"]
            .as_array()
            .expect("diagnostics is a list")
            .iter()
            .map(Finding::from_json)
            .collect();
        list.sort();
        list
    }

    /// Assert the exit code, showing the output when it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The one finding of `casework check` (exit 1, no panic) in `repo`.
#[track_caller]
pub fn only_finding(repo: &Repo) -> Finding {
    let run = repo.check_json(&[]);
    run.assert_code(FINDINGS);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    findings.into_iter().next().unwrap()
}

/// The position and identity of one finding, as `--format json` gives it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub code: String,
    pub severity: String,
}

impl Finding {
    pub fn from_json(d: &Value) -> Finding {
        Finding {
            file: d["file"].as_str().expect("file is a string").to_string(),
            line: d["line"].as_u64(),
            column: d["column"].as_u64(),
            code: d["code"].as_str().expect("code is a string").to_string(),
            severity: d["severity"].as_str().expect("severity is a string").to_string(),
        }
    }
}

/// An error finding at `line:column` of `file`.
pub fn error(code: &str, file: &str, line: u64, column: u64) -> Finding {
    Finding {
        file: file.into(),
        line: Some(line),
        column: Some(column),
        code: code.into(),
        severity: "error".into(),
    }
}

/// A temporary records repository, scaffolded by `casework init` with the
/// defaults, and a home folder of its own.
pub struct Repo {
    _tmp: TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
}

impl Repo {
    /// A temporary folder with an empty `repo/` (not yet a records repository).
    pub fn empty() -> Repo {
        let tmp = tempfile::Builder::new()
            .prefix("casework-test-")
            .tempdir()
            .expect("temp dir");
        // Canonical, so paths compare equal to what the binary resolves.
        let base = tmp.path().canonicalize().expect("canonical temp dir");
        let root = base.join("repo");
        let home = base.join("home");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        Repo { _tmp: tmp, root, home }
    }

    /// `casework init` in a fresh temporary folder.
    pub fn new() -> Repo {
        let repo = Repo::empty();
        let run = Run::of(casework(&repo.home).arg("init").arg(&repo.root));
        run.assert_code(OK);
        repo
    }

    /// The temporary folder holding `repo/` and `home/`.
    pub fn base(&self) -> &Path {
        self.root.parent().expect("repo has a parent")
    }

    /// casework, started in the root (no `-C`).
    pub fn cmd(&self) -> Command {
        let mut cmd = casework(&self.home);
        cmd.current_dir(&self.root);
        cmd
    }

    /// `casework` in the root as `email`: author and committer, so that
    /// `--commit` works without any git config.
    pub fn cmd_as(&self, email: &str) -> Command {
        let mut cmd = self.cmd();
        cmd.env("GIT_AUTHOR_NAME", "Acting User")
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_COMMITTER_NAME", "Acting User")
            .env("GIT_COMMITTER_EMAIL", email);
        cmd
    }

    /// Run `casework ARGS...` in the root.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(self.cmd().args(args))
    }

    /// Run `casework check --format json ARGS...` in the root.
    pub fn check_json(&self, args: &[&str]) -> Run {
        Run::of(self.cmd().args(["check", "--format", "json"]).args(args))
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap_or_else(|e| panic!("cannot remove {rel}: {e}"));
    }

    /// Replace `from` (which must occur) by `to` in casework.toml.
    pub fn edit_config(&self, from: &str, to: &str) {
        let text = self.read("casework.toml");
        assert!(text.contains(from), "casework.toml has no {from:?}");
        self.write("casework.toml", text.replacen(from, to, 1));
    }

    /// Copy the files of folder `from` into folder `to` (relative to the root).
    pub fn copy_in(&self, from: &Path, to: &str) {
        for (rel, bytes) in snapshot(from) {
            if !rel.ends_with('/') {
                self.write(&format!("{to}/{rel}"), bytes);
            }
        }
    }

    /// Run git in the root.
    pub fn git(&self, args: &[&str]) -> String {
        git(&self.root, &self.home, args)
    }
}

/// Run git in `dir` with the same hermetic environment; panics on failure.
pub fn git(dir: &Path, home: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, home);
    let run = Run::of(cmd.current_dir(dir).args(args).timeout(TIMEOUT));
    assert_eq!(run.code, 0, "git {args:?} failed: {}", run.stderr);
    run.stdout
}

/// Every file under `dir` (relative `/` paths -> contents), symlinks and
/// `.git` included, for "nothing changed" assertions.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else if ft.is_symlink() {
                out.insert(
                    rel,
                    std::fs::read_link(&p)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                        .into_bytes(),
                );
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A record of `kind` with the common fields and `extra` YAML lines
/// (each ending in a newline) before the closing `---`. Line numbers:
/// `id` 2, `kind` 3, `title` 4, `status` 5, `opened` 6, `extra` from 7.
pub fn record(id: &str, kind: &str, status: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\nkind: {kind}\ntitle: A case for the tests\nstatus: {status}\nopened: 2026-11-02T09:14:00Z\n{extra}---\n## Summary\n\nWhat happened.\n"
    )
}

/// 1-based line and character column of the first `needle` in `text`.
pub fn pos_of(text: &str, needle: &str) -> (u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u64, column as u64)
}

/// Assert two snapshots are equal, naming the paths that differ (not
/// dumping the contents).
#[track_caller]
pub fn assert_same_files(after: &BTreeMap<String, Vec<u8>>, before: &BTreeMap<String, Vec<u8>>, what: &str) {
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    let changed: Vec<&String> = after
        .iter()
        .filter(|(k, v)| before.get(*k).is_some_and(|b| b != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        added.is_empty() && removed.is_empty() && changed.is_empty(),
        "{what}: added {added:?}, removed {removed:?}, changed {changed:?}"
    );
}

// ---------------------------------------------------------------------------
// Git history with controlled authors and dates (for `check --since`, `log`,
// `show` and `--commit`). Every git run gets the hermetic environment above
// plus an explicit identity: nothing depends on a global git config.
// ---------------------------------------------------------------------------

/// Who commits the scaffold of [`Repo::with_history`], and when.
pub const SETUP_AUTHOR: &str = "setup@example.com";
pub const SETUP_DATE: &str = "2026-11-02T08:00:00Z";

/// Run git in `dir` as `who` (author and committer, with their dates);
/// panics on failure.
pub fn git_as(dir: &Path, home: &Path, who: &Commit, args: &[&str]) -> String {
    let run = try_git_as(dir, home, who, args);
    assert_eq!(run.code, 0, "git {args:?} failed: {}\n{}", run.stderr, run.stdout);
    run.stdout
}

/// Run git in `dir` as `who`, whatever the outcome (e.g. a merge that conflicts).
pub fn try_git_as(dir: &Path, home: &Path, who: &Commit, args: &[&str]) -> Run {
    let name = who.email.split('@').next().unwrap_or("someone");
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, home);
    cmd.current_dir(dir)
        .args([
            "-c",
            &format!("user.name={name}"),
            "-c",
            &format!("user.email={}", who.email),
        ])
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", who.email)
        .env("GIT_COMMITTER_NAME", name)
        .env("GIT_COMMITTER_EMAIL", who.email)
        .env("GIT_AUTHOR_DATE", who.author_date)
        .env("GIT_COMMITTER_DATE", who.committer_date)
        .timeout(TIMEOUT);
    Run::of(&mut cmd)
}

/// The identity and times of one commit.
#[derive(Debug, Clone, Copy)]
pub struct Commit<'a> {
    pub email: &'a str,
    pub author_date: &'a str,
    pub committer_date: &'a str,
}

/// A commit by `email` at `date` (author and committer date alike).
pub fn by<'a>(email: &'a str, date: &'a str) -> Commit<'a> {
    Commit {
        email,
        author_date: date,
        committer_date: date,
    }
}

impl Repo {
    /// `casework init` (which makes the git repository) with the scaffold
    /// committed on branch `main` by [`SETUP_AUTHOR`] at [`SETUP_DATE`].
    pub fn with_history() -> Repo {
        let repo = Repo::new();
        repo.git(&["symbolic-ref", "HEAD", "refs/heads/main"]);
        repo.commit(by(SETUP_AUTHOR, SETUP_DATE), "Scaffold the records repository");
        repo
    }

    /// Run git in the root as `who`.
    pub fn git_as(&self, who: Commit, args: &[&str]) -> String {
        git_as(&self.root, &self.home, &who, args)
    }

    /// Run git in the root as `who`, whatever the outcome.
    pub fn try_git_as(&self, who: Commit, args: &[&str]) -> Run {
        try_git_as(&self.root, &self.home, &who, args)
    }

    /// Stage everything (`git add -A`) and commit it as `who`; the full SHA.
    pub fn commit(&self, who: Commit, message: &str) -> String {
        self.git_as(who, &["add", "-A"]);
        self.git_as(who, &["commit", "-q", "--allow-empty", "-m", message]);
        self.sha("HEAD")
    }

    /// Write `rel` and commit everything as `who`; the full SHA.
    pub fn write_commit(&self, who: Commit, rel: &str, contents: impl AsRef<[u8]>, message: &str) -> String {
        self.write(rel, contents);
        self.commit(who, message)
    }

    /// The full SHA of a revision.
    pub fn sha(&self, rev: &str) -> String {
        self.git(&["rev-parse", "--verify", &format!("{rev}^{{commit}}")])
            .trim()
            .to_string()
    }
}

/// A finding as a history check reports it: which rule, where, in which
/// commit, by whom (`commit`/`author` null for the working tree).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub code: String,
    pub file: String,
    pub line: Option<u64>,
    pub commit: Option<String>,
    pub author: Option<String>,
}

/// A finding of commit `commit` by `author`.
pub fn found(code: &str, file: &str, line: Option<u64>, commit: &str, author: &str) -> Found {
    Found {
        code: code.into(),
        file: file.into(),
        line,
        commit: Some(commit.into()),
        author: Some(author.into()),
    }
}

impl Run {
    /// The error findings of a `--format json` run (warnings, e.g. `sla`,
    /// left out), sorted.
    pub fn errors(&self) -> Vec<Found> {
        let doc = self.json();
        let mut list: Vec<Found> = doc["diagnostics"]
            .as_array()
            .expect("diagnostics is a list")
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| {
                let s = |k: &str| d[k].as_str().map(str::to_string);
                Found {
                    code: s("code").expect("code"),
                    file: s("file").expect("file"),
                    line: d["line"].as_u64(),
                    commit: s("commit"),
                    author: s("author"),
                }
            })
            .collect();
        list.sort();
        list
    }

    /// The error findings that name a commit (from walking the history).
    pub fn history_errors(&self) -> Vec<Found> {
        self.errors().into_iter().filter(|f| f.commit.is_some()).collect()
    }

    /// The JSON diagnostics (errors and warnings) whose code is `code`.
    pub fn diagnostics_with(&self, code: &str) -> Vec<Value> {
        self.json()["diagnostics"]
            .as_array()
            .expect("diagnostics is a list")
            .iter()
            .filter(|d| d["code"] == code)
            .cloned()
            .collect()
    }
}

/// A record text's front-matter as data.
pub fn front_matter(text: &str) -> Value {
    let fm = casework::record::split_front_matter(text).expect("front-matter");
    let (value, _) = casework::record::yaml::parse(&text[fm.yaml], fm.first_line, false).expect("YAML");
    value
}

/// `casework ARGS...` in the root as `email` (author and committer, so
/// `--commit` works without any git config), at a fixed commit time.
pub fn run_as(repo: &Repo, email: &str, args: &[&str]) -> Run {
    Run::of(
        repo.cmd_as(email)
            .args(args)
            .env("GIT_AUTHOR_DATE", "2026-11-23T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-11-23T12:00:00Z"),
    )
}

/// A customer block a request's schema accepts.
pub const CUSTOMER: &str = "customer:\n  name: Ada Lovelace\n  contact: ada@example.org\n  preferred_channel: email\n";

/// A repository with REQ-2026-0001 in `status` (with `extra` fields)
/// committed by `email` in `records/request/REQ-2026-0001.md`.
pub fn committed_request(email: &str, status: &str, extra: &str) -> Repo {
    let repo = Repo::with_history();
    repo.write_commit(
        by(email, "2026-11-23T09:00:00Z"),
        "records/request/REQ-2026-0001.md",
        record("REQ-2026-0001", "request", status, &format!("{CUSTOMER}{extra}")),
        "Log REQ-2026-0001",
    );
    repo
}

/// INC-2026-0001 in `follow_up` with everything `closed` needs but the
/// status (and the closing time, which the step sets), committed by `email`.
pub fn follow_up_incident(repo: &Repo, email: &str) {
    repo.write_commit(
        by(email, "2026-11-12T09:00:00Z"),
        "records/incident/INC-2026-0001.md",
        record(
            "INC-2026-0001",
            "incident",
            "follow_up",
            "resolution:\n  summary: Renewed the certificate.\n  corrective_actions:\n    - Renewal automated.\n  verified: true\n\
             stakeholder_feedback:\n  - stakeholder: Shop team\n    at: 2026-11-10T10:00:00Z\n    satisfied: true\n\
             closure:\n  approved_by: m.jones@example.com\n  communicated_to:\n    - shop@example.com\nlessons: []\n",
        ),
        "Follow up",
    );
}
