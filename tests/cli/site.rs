//! `casework build`: the static site, built by the real binary from real
//! repositories, its files read back.

use super::support::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-23T12:00:00Z";

fn build(repo: &Repo, args: &[&str]) -> Run {
    Run::of(repo.cmd().env("CASEWORK_NOW", NOW).arg("build").args(args))
}

/// Every file of the site: path -> text (assets and pages are all text).
fn site(dir: &Path) -> BTreeMap<String, String> {
    snapshot(dir)
        .into_iter()
        .filter(|(p, _)| !p.ends_with('/'))
        .map(|(p, b)| (p, String::from_utf8_lossy(&b).into_owned()))
        .collect()
}

/// The `href="..."` and `src="..."` values of an HTML text.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
            }
        }
    }
    out
}

fn sample_records() -> Repo {
    let repo = Repo::empty();
    repo.copy_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-records"), ".");
    let _ = std::fs::remove_dir_all(repo.path("_site"));
    repo
}

#[test]
fn the_sample_records_site_has_every_page_and_every_link_resolves() {
    let repo = sample_records();
    let run = build(&repo, &[]);
    run.assert_code(OK);
    let index = repo.path("_site/index.html");
    assert_eq!(run.stdout.trim(), index.display().to_string());
    // A copy outside git: the pages are built, and the missing timelines said.
    assert!(
        run.stderr
            .contains("case pages have no timeline: the records are not in a git repository"),
        "{}",
        run.stderr
    );
    let files = site(&repo.path("_site"));
    for page in [
        "index.html",
        "board/request.html",
        "board/complaint.html",
        "due.html",
        "lessons.html",
        "archive.html",
        "trends.html",
        "reports/index.html",
        "audits.html",
        "search.html",
        "search.json",
        "feed.xml",
        "assets/site.css",
        "assets/site.js",
        "cases/CMP-2026-0001.html",
    ] {
        assert!(
            files.contains_key(page),
            "no {page}: {:?}",
            files.keys().collect::<Vec<_>>()
        );
    }
    let mut checked = 0;
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let dir = Path::new(path).parent().unwrap_or(Path::new(""));
        for link in links(text) {
            // No CDN, no absolute link to the site itself: only records' own
            // links (in their bodies) may leave the site.
            if link.starts_with("http://") || link.starts_with("https://") || link.starts_with("mailto:") {
                assert!(
                    !link.contains(".css") && !link.contains(".js"),
                    "{path}: external asset {link}"
                );
                continue;
            }
            let target = link.split('#').next().unwrap_or_default();
            if target.is_empty() {
                continue;
            }
            let resolved: PathBuf = dir.join(target);
            let norm = normalize(&resolved);
            assert!(files.contains_key(&norm), "{path}: {link} -> {norm} is missing");
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} links checked");
    // A related case is a link to its page.
    let case = &files["cases/CMP-2026-0001.html"];
    assert!(
        case.contains(r#"<a href="../cases/INC-2026-0001.html">INC-2026-0001</a>"#),
        "{case}"
    );
    // The board shows open cases only, with the contract the filter script reads.
    let board = &files["board/request.html"];
    assert!(board.contains(r#"<select id="filter-owner" name="owner">"#), "{board}");
    assert!(board.contains(r#"class="card" data-owner=""#), "{board}");
}

/// `a/../b` -> `b`, as a browser resolves a relative link.
fn normalize(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

const HOSTILE_BODY: &str = "## Summary\n\n<script>window.__xss=1</script>\n\n<img src=x onerror=\"window.__xss=2\">\n\n[click](javascript:window.__xss=3) and [also](JaVaScRiPt:alert(1))\n\n<iframe src=\"https://evil.example\"></iframe>\n\n<form action=\"https://evil.example\"><input name=a></form>\n\n<p style=\"background:url(https://evil.example)\">styled</p>\n\n<svg onload=\"window.__xss=4\"></svg>\n\nA [fine link](https://example.com/help) stays.\n";

fn hostile() -> Repo {
    let repo = Repo::new();
    let extra = "owner: \"<script>window.__xss=5</script>@example.com\"\ncategory: \"<img src=x onerror=window.__xss=6>\"\ntags: [\"<b>tag</b>\"]\ncustomer:\n  name: Ann Lee\n  contact: secret-contact-7731@example.org\n";
    let text = record("REQ-2026-0001", "request", "new", extra)
        .replace(
            "title: A case for the tests",
            "title: \"<b>Bold</b> title <script>window.__xss=7</script>\"",
        )
        .replace("## Summary\n\nWhat happened.\n", HOSTILE_BODY);
    repo.write("records/request/REQ-2026-0001.md", text);
    // `casework init` redacts `customer.contact` and stakeholders' contacts.
    assert!(repo.read("casework.toml").contains(r#""customer.contact""#));
    repo
}

#[test]
fn hostile_content_in_a_record_is_inert_in_every_file() {
    let repo = hostile();
    build(&repo, &[]).assert_code(OK);
    let files = site(&repo.path("_site"));
    let case = &files["cases/REQ-2026-0001.html"];
    assert!(case.contains("https://example.com/help"), "{case}");
    assert!(
        case.contains("&lt;b&gt;Bold&lt;&#x2F;b&gt;") || case.contains("&lt;b&gt;Bold&lt;/b&gt;"),
        "{case}"
    );
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        for tag in tags(text) {
            let name = tag.split([' ', '>', '/', '\n']).next().unwrap_or_default();
            assert!(
                !matches!(name, "iframe" | "object" | "embed" | "style" | "button" | "textarea"),
                "{path}: <{tag}"
            );
            // casework's own filter inputs and charts only.
            if name == "input" {
                assert!(
                    tag.contains("id=\"filter-") || tag.contains("id=\"search-"),
                    "{path}: <{tag}"
                );
            }
            if name == "svg" {
                assert_eq!(path, "trends.html", "<{tag}");
            }
            if name == "form" {
                assert!(
                    tag.contains("class=\"filters\"") || tag.contains("class=\"search\""),
                    "{path}: <{tag}"
                );
            }
            if name == "script" {
                let ours = tag.contains("src=\"../assets/") || tag.contains("src=\"assets/");
                assert!(ours || tag.contains("type=\"application/json\""), "{path}: <{tag}");
            }
            assert!(no_handler(&tag), "{path}: <{tag}");
            assert!(
                !tag.contains("javascript:") && !tag.contains(" style="),
                "{path}: <{tag}"
            );
        }
    }
    // The feed is XML: the same text, escaped.
    assert!(!files["feed.xml"].contains("<script"));
    // The search index is data: its strings are JSON, never markup in a page.
    assert!(
        files["search.html"].contains("\\u003cb>Bold\\u003c/b>"),
        "{}",
        files["search.html"]
    );
}

/// The raw tags of an HTML text, lower-cased, without the `<`: escaped text
/// (`&lt;script&gt;`) holds none.
fn tags(html: &str) -> Vec<String> {
    let lower = html.to_lowercase();
    let mut out = Vec::new();
    let mut rest = lower.as_str();
    // Skip the embedded JSON index: data, not markup.
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with('/') || tag.starts_with('!') {
            continue;
        }
        out.push(tag.to_string());
        if tag.starts_with("script") && tag.contains("application/json") {
            rest = &rest[rest.find("</script").unwrap_or(rest.len())..];
        }
    }
    out
}

/// No attribute of the tag is an event handler (`onerror=`, `onload=`...):
/// the names outside quoted values.
fn no_handler(tag: &str) -> bool {
    let mut names = Vec::new();
    let (mut quote, mut word) = (None, String::new());
    for ch in tag.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '"' || ch == '\'' => quote = Some(ch),
            None if ch == '=' || ch.is_whitespace() => {
                if !word.is_empty() {
                    names.push(std::mem::take(&mut word));
                }
            }
            None => word.push(ch),
        }
    }
    names.push(word);
    !names.iter().skip(1).any(|n| n.starts_with("on"))
}

#[test]
fn a_redacted_field_appears_in_no_output_file() {
    let repo = hostile();
    build(&repo, &[]).assert_code(OK);
    let files = site(&repo.path("_site"));
    assert!(files["cases/REQ-2026-0001.html"].contains("Ann Lee"));
    for (path, text) in &files {
        assert!(
            !text.contains("secret-contact-7731"),
            "{path} holds the redacted contact"
        );
    }
}

fn with_archived(full: bool) -> Repo {
    let repo = Repo::new();
    let extra = "owner: ann@example.com\nclosure:\n  closed_at: 2026-09-01T10:00:00Z\narchive:\n  archived_at: 2026-10-05T10:00:00Z\n  retain_until: 2033-09-01\n";
    let text = record("CMP-2026-0001", "complaint", "archived", extra)
        .replace("What happened.", "The archived body: private-body-5512.");
    repo.write("records/complaint/CMP-2026-0001.md", text);
    if full {
        repo.edit_config("[site]", "[site]\narchived = \"full\"");
    }
    repo
}

#[test]
fn an_archived_case_is_in_the_archive_index_but_its_page_and_body_are_not_published() {
    let repo = with_archived(false);
    build(&repo, &[]).assert_code(OK);
    let files = site(&repo.path("_site"));
    let archive = &files["archive.html"];
    assert!(
        archive.contains("CMP-2026-0001") && archive.contains("2033-09-01"),
        "{archive}"
    );
    assert!(!files.contains_key("cases/CMP-2026-0001.html"));
    for (path, text) in &files {
        assert!(!text.contains("private-body-5512"), "{path} holds the archived body");
    }
    // `archived = "full"` publishes it.
    let repo = with_archived(true);
    build(&repo, &[]).assert_code(OK);
    let page = repo.read("_site/cases/CMP-2026-0001.html");
    assert!(page.contains("private-body-5512"), "{page}");
}

#[test]
fn a_broken_user_template_fails_with_its_file_and_line_and_leaves_the_old_site() {
    let repo = sample_records();
    build(&repo, &[]).assert_code(OK);
    let before = snapshot(&repo.path("_site"));
    repo.write(
        "templates/board.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ kind.title }</h1>\n{% endblock content %}\n",
    );
    let run = build(&repo, &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("templates/board.html:3:"), "{}", run.stderr);
    assert_same_files(&snapshot(&repo.path("_site")), &before, "the previous site");
    // An unknown filter is found once all templates are in: still its file and line.
    repo.write(
        "templates/board.html",
        "{% extends \"base.html\" %}\n{% block content %}\n\n<h1>{{ kind.title | shout }}</h1>\n{% endblock content %}\n",
    );
    let run = build(&repo, &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("templates/board.html:4: Unknown filter"),
        "{}",
        run.stderr
    );
    // A working override is used.
    repo.write(
        "templates/board.html",
        "{% extends \"base.html\" %}\n{% block content %}<h1>Our board: {{ kind.title }}</h1>{% endblock content %}\n",
    );
    build(&repo, &[]).assert_code(OK);
    assert!(
        repo.read("_site/board/request.html")
            .contains("Our board: Customer request")
    );
}

#[cfg(unix)]
fn inode(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).unwrap().ino()
}

#[cfg(unix)]
#[test]
fn a_rebuild_writes_only_the_pages_that_changed_and_none_without_a_change() {
    let repo = sample_records();
    build(&repo, &[]).assert_code(OK);
    let (other, changed) = ("_site/cases/INC-2026-0001.html", "_site/cases/CMP-2026-0001.html");
    let (other_ino, changed_ino) = (inode(&repo.path(other)), inode(&repo.path(changed)));
    let run = build(&repo, &[]);
    run.assert_code(OK);
    assert!(
        run.stderr
            .contains("nothing changed since the last build, no record read"),
        "{}",
        run.stderr
    );
    assert_eq!(
        inode(&repo.path(changed)),
        changed_ino,
        "an unchanged build replaced a page"
    );
    // Another time of day: every page judged again, none of them different.
    let run = Run::of(repo.cmd().arg("build").env("CASEWORK_NOW", "2026-11-23T12:00:30Z"));
    run.assert_code(OK);
    assert!(run.stderr.contains(" 0 written"), "{}", run.stderr);
    assert!(!run.stderr.contains("no record read"), "{}", run.stderr);
    let rec = "records/complaint/CMP-2026-0001.md";
    repo.write(
        rec,
        repo.read(rec)
            .replace("## Summary", "## Summary\n\nA new line for the rebuild."),
    );
    let run = build(&repo, &[]);
    run.assert_code(OK);
    assert!(repo.read(changed).contains("A new line for the rebuild."));
    assert_ne!(inode(&repo.path(changed)), changed_ino);
    assert_eq!(
        inode(&repo.path(other)),
        other_ino,
        "a page that did not change was written again"
    );
}

#[test]
fn a_rebuild_reads_the_records_again_when_a_template_the_config_or_the_register_changed() {
    let repo = sample_records();
    build(&repo, &[]).assert_code(OK);
    let reused = |repo: &Repo| build(repo, &[]).stderr.contains("no record read");
    assert!(reused(&repo));
    repo.write(
        "templates/case.html",
        "{% extends \"base.html\" %}{% block content %}Our case page{% endblock content %}",
    );
    assert!(!reused(&repo));
    assert!(repo.read("_site/cases/CMP-2026-0001.html").contains("Our case page"));
    assert!(reused(&repo));
    repo.edit_config("title = \"", "title = \"New: ");
    assert!(!reused(&repo));
    assert!(reused(&repo));
    let register = repo.read("disposals.csv");
    std::fs::write(repo.path("disposals.csv"), register.as_bytes()).unwrap();
    assert!(!reused(&repo), "a register written again is read again");
}

#[test]
fn out_refuses_a_folder_holding_files_casework_did_not_write() {
    let repo = Repo::new();
    repo.write("../thesis/chapter1.docx", "my work");
    let run = build(&repo, &["--out", "../thesis"]);
    run.assert_code(2);
    assert!(run.stderr.contains("did not write"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.base().join("thesis/chapter1.docx")).unwrap(),
        "my work"
    );
    // Nor the repository itself.
    let run = build(&repo, &["--out", "."]);
    run.assert_code(2);
    assert!(repo.path("casework.toml").is_file());
}

#[test]
fn a_record_whose_id_is_no_file_name_gets_no_page_and_nothing_leaves_the_output() {
    let repo = Repo::new();
    repo.write(
        "records/request/REQ-2026-0001.md",
        record("../../../escaped", "request", "new", "owner: ann@example.com\n"),
    );
    build(&repo, &[]).assert_code(OK);
    assert!(!repo.base().join("escaped.html").exists() && !repo.path("escaped.html").exists());
    let files = site(&repo.path("_site"));
    assert!(files.keys().all(|p| !p.contains("..")), "{:?}", files.keys());
    assert!(!files.keys().any(|p| p.starts_with("cases/")), "{:?}", files.keys());
}

#[test]
fn a_rebuild_walks_only_the_commits_since_the_cached_one_and_a_rewritten_history_afresh() {
    let repo = committed_request("h@example.com", "new", "");
    let page = "_site/cases/REQ-2026-0001.html";
    build(&repo, &[]).assert_code(OK);
    assert!(repo.read(page).contains("Log REQ-2026-0001"));
    // The cache lives in the git directory, never in the published site.
    let cache = ".git/casework/transitions.json";
    let cached = repo.read(cache);
    assert!(cached.contains("Log REQ-2026-0001"), "{cached}");
    assert!(site(&repo.path("_site")).keys().all(|p| !p.contains("transitions")));
    // Mark the cached entry: a rebuild that reuses it shows the mark.
    repo.write(cache, cached.replace("Log REQ-2026-0001", "Logged, as the cache says"));
    let rec = "records/request/REQ-2026-0001.md";
    repo.write(rec, repo.read(rec).replace("status: new", "status: acknowledged"));
    let step = repo.commit(by("h@example.com", "2026-11-23T10:00:00Z"), "Acknowledge the request");
    build(&repo, &[]).assert_code(OK);
    let html = repo.read(page);
    assert!(
        html.contains("Logged, as the cache says"),
        "the cached entry was not reused"
    );
    assert!(
        html.contains("Acknowledge the request"),
        "the new commit was not walked"
    );
    assert!(html.contains("new → acknowledged"), "{html}");
    // History rewritten: the cached commit is no ancestor of HEAD any more.
    repo.git_as(
        by("h@example.com", "2026-11-23T10:05:00Z"),
        &["commit", "-q", "--amend", "-m", "Acknowledged after all"],
    );
    assert_ne!(repo.sha("HEAD"), step);
    build(&repo, &[]).assert_code(OK);
    let html = repo.read(page);
    assert!(
        html.contains("Log REQ-2026-0001"),
        "a rewritten history was not walked afresh"
    );
    assert!(html.contains("Acknowledged after all") && !html.contains("Acknowledge the request"));
}

/// The site in `dir` without its marker (which names the build's inputs).
fn pages_of(dir: &Path) -> BTreeMap<String, String> {
    let mut pages = site(dir);
    pages.remove(".casework-site");
    pages
}

/// The sample records as a git repository, committed.
fn sample_repo() -> Repo {
    let repo = sample_records();
    repo.git(&["init", "-q", "-b", "main"]);
    repo.commit(by(SETUP_AUTHOR, SETUP_DATE), "Sample records");
    repo
}

/// A build from the cache gives the very site a build without one gives.
fn assert_same_as_a_fresh_build(repo: &Repo, now: &str) {
    let run = Run::of(repo.cmd().env("CASEWORK_NOW", now).arg("build"));
    run.assert_code(OK);
    let _ = std::fs::remove_file(repo.path(".git/casework/site.json"));
    let fresh = repo.base().join("fresh");
    let _ = std::fs::remove_dir_all(&fresh);
    Run::of(repo.cmd().env("CASEWORK_NOW", now).args(["build", "--out"]).arg(&fresh)).assert_code(OK);
    assert_eq!(pages_of(&repo.path("_site")), pages_of(&fresh), "at {now}");
    // The fresh build left a cache again, for the next step.
    Run::of(repo.cmd().env("CASEWORK_NOW", now).arg("build")).assert_code(OK);
}

#[cfg(unix)]
#[test]
fn a_rebuild_from_the_build_cache_renders_only_the_changed_case_and_gives_the_site_a_fresh_build_gives() {
    let repo = sample_repo();
    build(&repo, &[]).assert_code(OK);
    assert!(repo.path(".git/casework/site.json").is_file());
    let cache = repo.read(".git/casework/site.json");
    assert!(!cache.contains("The customer"), "no body is kept in the cache");
    let (other, changed) = ("_site/cases/INC-2026-0001.html", "_site/cases/CMP-2026-0001.html");
    let other_ino = inode(&repo.path(other));
    let report = "_site/reports/2026-02.html";
    let report_ino = inode(&repo.path(report));
    let rec = "records/complaint/CMP-2026-0001.md";
    repo.write(rec, repo.read(rec).replace("## Summary", "## Summary\n\nA new line."));
    let run = build(&repo, &[]);
    run.assert_code(OK);
    assert!(repo.read(changed).contains("A new line."));
    assert_eq!(
        inode(&repo.path(other)),
        other_ino,
        "an unchanged case page was rendered again"
    );
    assert_eq!(
        inode(&repo.path(report)),
        report_ino,
        "a report that counts nothing of the change was made again"
    );
    assert_same_as_a_fresh_build(&repo, NOW);
    // A week later: the open cases' clocks judged again from the cache.
    assert_same_as_a_fresh_build(&repo, "2026-11-30T12:00:00Z");
    // What the monthly reports count changes: their pages are made again.
    build(&repo, &[]).assert_code(OK);
    let report_ino = inode(&repo.path(report));
    repo.write(
        rec,
        repo.read(rec)
            .replace("closed_at: 2026-02-20T16:10:00Z", "closed_at: 2026-03-02T16:10:00Z"),
    );
    build(&repo, &[]).assert_code(OK);
    assert_ne!(
        inode(&repo.path(report)),
        report_ino,
        "a report whose cases changed was kept"
    );
    assert_same_as_a_fresh_build(&repo, NOW);
    // A commit that moves one case: the others' pages stay.
    let other_ino = inode(&repo.path(other));
    repo.commit(by(SETUP_AUTHOR, "2026-11-24T09:00:00Z"), "A new line");
    build(&repo, &[]).assert_code(OK);
    assert_eq!(
        inode(&repo.path(other)),
        other_ino,
        "a commit that left a case alone rendered its page"
    );
    assert_same_as_a_fresh_build(&repo, NOW);
}
