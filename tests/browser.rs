//! The status board's filter script in a real browser (Debian's Chromium,
//! driven over the DevTools protocol by `headless_chrome`).
//!
//! `walk_board` drives one board page and checks it against a `Board` of
//! expected results, so the same walk can run on the hand-written fixture
//! (`tests/fixtures/site/board.html` with `templates/site.js`) or on the
//! output of `casework build`.
//!
//! Chromium is `$CHROMIUM` or `/usr/bin/chromium`. Without it the test says
//! why on stderr and passes, unless `CASEWORK_REQUIRE_BROWSER=1` (CI) makes a
//! missing browser a failure.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Log, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Flags on top of headless_chrome's defaults: no GPU, and nothing that talks
/// to the network behind the test's back.
const CHROMIUM_ARGS: [&str; 6] = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
];

/// How long to wait for a page or a filter to settle before failing.
const SETTLE: Duration = Duration::from_secs(10);

/// The cards a board must show in one state (IDs in page order) and the
/// text of `#filter-count` then.
struct Shown<'a> {
    ids: &'a [&'a str],
    count: &'a str,
}

/// A board opened from a link with a filter in its hash.
struct Link<'a> {
    /// Starts with `#`.
    hash: &'a str,
    /// The values the form must show: owner, category, text.
    controls: [&'a str; 3],
    shown: Shown<'a>,
}

/// What one board must do, step by step.
struct Board<'a> {
    /// `<site>/board/<kind>.html`.
    kind: &'a str,
    /// On load, no filter.
    all: Shown<'a>,
    /// Chosen in `#filter-owner` with the keyboard.
    owner: &'a str,
    owner_shown: Shown<'a>,
    /// Typed into `#filter-text`, on top of the owner.
    text: &'a str,
    text_shown: Shown<'a>,
    /// The URL hash after the owner and the text.
    text_hash: &'a str,
    /// Each opened afresh; the first is applied again by a hash change.
    links: &'a [Link<'a>],
    /// Hostile markup in a title that must be on the page as text.
    hostile_text: Option<&'a str>,
}

/// The fixture's board: 7 request cards, one with a script payload in its title.
const FIXTURE: Board = Board {
    kind: "request",
    all: Shown {
        ids: &[
            "REQ-2026-0001",
            "REQ-2026-0002",
            "REQ-2026-0003",
            "REQ-2026-0004",
            "REQ-2026-0005",
            "REQ-2026-0006",
            "REQ-2026-0007",
        ],
        count: "7 of 7 cases shown",
    },
    owner: "ann@example.com",
    owner_shown: Shown {
        ids: &["REQ-2026-0001", "REQ-2026-0003", "REQ-2026-0005", "REQ-2026-0007"],
        count: "4 of 7 cases shown",
    },
    text: "Parcel",
    text_shown: Shown {
        ids: &["REQ-2026-0001", "REQ-2026-0005"],
        count: "2 of 7 cases shown",
    },
    text_hash: "#owner=ann%40example.com&q=Parcel",
    links: &[
        Link {
            hash: "#owner=o%27neil%40example.com&q=KETTLE",
            controls: ["o'neil@example.com", "", "KETTLE"],
            shown: Shown {
                ids: &["REQ-2026-0004"],
                count: "1 of 7 cases shown",
            },
        },
        Link {
            // An owner no longer on the board: everyone, and the rest still applies.
            hash: "#owner=gone%40example.com&q=parcel",
            controls: ["", "", "parcel"],
            shown: Shown {
                ids: &["REQ-2026-0001", "REQ-2026-0005", "REQ-2026-0006"],
                count: "3 of 7 cases shown",
            },
        },
        Link {
            hash: "#owner=ann@example.com&category=billing&q=%3CIMG",
            controls: ["ann@example.com", "billing", "<IMG"],
            shown: Shown {
                ids: &["REQ-2026-0003"],
                count: "1 of 7 cases shown",
            },
        },
    ],
    hostile_text: Some("<img src=x onerror=\"window.__xss=1\">"),
};

#[test]
fn board_filters_by_owner_and_text_and_restores_them_from_the_url_hash() -> Result<()> {
    let Some(chromium) = chromium()? else {
        return Ok(());
    };
    let site = tempfile::tempdir()?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::create_dir_all(site.path().join("board"))?;
    fs::create_dir_all(site.path().join("assets"))?;
    fs::copy(
        root.join("tests/fixtures/site/board.html"),
        site.path().join("board/request.html"),
    )?;
    fs::copy(root.join("templates/site.js"), site.path().join("assets/site.js"))?;
    fs::write(site.path().join("assets/site.css"), "")?;

    let artifacts = root.join("target/browser-artifacts");
    fs::create_dir_all(&artifacts)?;
    walk_board(&chromium, site.path(), &FIXTURE, &artifacts.join("board.png"))
}

/// The request board of the sample records, built by `casework build`, with
/// one more open request whose title is an XSS payload.
const BUILT: Board = Board {
    kind: "request",
    all: Shown {
        ids: &[
            "REQ-2026-0008",
            "REQ-2026-0099",
            "REQ-2026-0004",
            "REQ-2026-0007",
            "REQ-2026-0003",
            "REQ-2026-0005",
            "REQ-2026-0006",
        ],
        count: "7 of 7 cases shown",
    },
    owner: "j.smith@example.com",
    owner_shown: Shown {
        ids: &["REQ-2026-0008", "REQ-2026-0003", "REQ-2026-0006"],
        count: "3 of 7 cases shown",
    },
    text: "assembly",
    text_shown: Shown {
        ids: &["REQ-2026-0008", "REQ-2026-0006"],
        count: "2 of 7 cases shown",
    },
    text_hash: "#owner=j.smith%40example.com&q=assembly",
    links: &[
        Link {
            hash: "#owner=r.okafor%40example.com&category=quality",
            controls: ["r.okafor@example.com", "quality", ""],
            shown: Shown {
                ids: &["REQ-2026-0007"],
                count: "1 of 7 cases shown",
            },
        },
        Link {
            hash: "#q=CUSHION",
            controls: ["", "", "CUSHION"],
            shown: Shown {
                ids: &["REQ-2026-0007"],
                count: "1 of 7 cases shown",
            },
        },
        Link {
            hash: "#owner=a.khan@example.com&q=%3CIMG",
            controls: ["a.khan@example.com", "", "<IMG"],
            shown: Shown {
                ids: &["REQ-2026-0099"],
                count: "1 of 7 cases shown",
            },
        },
    ],
    hostile_text: Some("<img src=x onerror=\"window.__xss=1\">"),
};

/// The same walk on the site `casework build` writes from the sample
/// records, opened from file:// as a reader would open it.
#[test]
fn the_built_board_filters_in_the_browser_and_its_hostile_title_is_inert() -> Result<()> {
    let Some(chromium) = chromium()? else {
        return Ok(());
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir()?;
    let repo = tmp.path().join("records-repo");
    copy_tree(&root.join("sample-records"), &repo)?;
    let _ = fs::remove_dir_all(repo.join("_site"));
    fs::write(
        repo.join("records/request/REQ-2026-0099.md"),
        "---\nid: REQ-2026-0099\nkind: request\ntitle: \"<img src=x onerror=\\\"window.__xss=1\\\">\"\nstatus: new\n\
opened: 2026-11-20T09:00:00Z\nowner: a.khan@example.com\ncategory: billing\ncustomer:\n  name: Eve\n  preferred_channel: email\n\
request_type: inquiry\n---\n## Summary\n\n<script>window.__xss=2</script>\n",
    )?;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_casework"))
        .args(["-C"])
        .arg(&repo)
        .args(["build", "-q"])
        .env("CASEWORK_NOW", "2026-11-23T12:00:00Z")
        .output()?;
    ensure!(
        out.status.success(),
        "casework build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let artifacts = root.join("target/browser-artifacts");
    fs::create_dir_all(&artifacts)?;
    walk_board(
        &chromium,
        &repo.join("_site"),
        &BUILT,
        &artifacts.join("board-built.png"),
    )
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

/// The browser to use, or `None` (said on stderr) when the test may skip.
fn chromium() -> Result<Option<PathBuf>> {
    let (path, source) = match std::env::var_os("CHROMIUM") {
        Some(path) => (PathBuf::from(path), "$CHROMIUM"),
        None => (PathBuf::from("/usr/bin/chromium"), "the default path"),
    };
    if path.is_file() {
        return Ok(Some(path));
    }
    let why = format!(
        "Chromium is missing: {} ({source}) is not a file; install Debian's `chromium` or set CHROMIUM",
        path.display()
    );
    if std::env::var_os("CASEWORK_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
        bail!("{why} (CASEWORK_REQUIRE_BROWSER=1)");
    }
    // Straight to stderr, not eprintln!: the test harness hides what a passing
    // test prints, and a skip must be seen.
    writeln!(std::io::stderr(), "browser test skipped: {why}")?;
    Ok(None)
}

/// Opens `<site>/board/<kind>.html` from file:// and checks every step of
/// `board`, then the page without JavaScript; saves a screenshot of the last
/// link's state to `screenshot`.
fn walk_board(chromium: &Path, site: &Path, board: &Board, screenshot: &Path) -> Result<()> {
    let profile = tempfile::tempdir()?;
    let options = LaunchOptions::default_builder()
        .path(Some(chromium.to_path_buf()))
        .headless(true)
        .sandbox(false)
        .window_size(Some((1280, 900)))
        .user_data_dir(Some(profile.path().to_path_buf()))
        .args(CHROMIUM_ARGS.iter().map(OsStr::new).collect())
        .build()?;
    let browser = Browser::new(options).context("starting Chromium")?;
    let tab = browser.new_tab()?;
    tab.set_default_timeout(SETTLE);
    let problems = collect_problems(&tab)?;

    let page = site.join("board").join(format!("{}.html", board.kind));
    ensure!(page.is_file(), "{} is missing", page.display());
    let url = file_url(&page.canonicalize()?);

    open(&tab, &url)?;
    expect_shown(&tab, &board.all, "on load")?;

    choose_with_keyboard(&tab, "filter-owner", board.owner)?;
    expect_shown(&tab, &board.owner_shown, "after choosing the owner")?;

    eval(&tab, "document.getElementById('filter-text').focus()")?;
    tab.type_str(board.text)?;
    expect_shown(&tab, &board.text_shown, "after typing the text")?;
    let hash = eval_string(&tab, "location.hash")?;
    ensure!(
        hash == board.text_hash,
        "the URL hash after filtering is {hash:?}, expected {:?}",
        board.text_hash
    );

    for link in board.links {
        let linked = format!("{url}{}", link.hash);
        // Through about:blank so the page loads anew rather than moving within itself.
        open(&tab, "about:blank")?;
        open(&tab, &linked)?;
        expect_link(&tab, link)?;
    }
    if let Some(first) = board.links.first() {
        eval(&tab, "window.__sameDocument = true")?;
        let hash = serde_json::to_string(first.hash)?;
        eval(&tab, &format!("location.hash = {hash}"))?;
        expect_link(&tab, first)?;
        ensure!(
            eval_string(&tab, "String(window.__sameDocument)")? == "true",
            "a hash change reloaded the page instead of filtering it"
        );
        let last = format!("{url}{}", board.links[board.links.len() - 1].hash);
        open(&tab, "about:blank")?;
        open(&tab, &last)?;
    }

    if let Some(hostile) = board.hostile_text {
        let hostile = serde_json::to_string(hostile)?;
        let as_text = eval_string(
            &tab,
            &format!(
                "String([...document.querySelectorAll('article.card')]\
                 .some(card => card.textContent.includes({hostile})))"
            ),
        )?;
        ensure!(as_text == "true", "no card shows {hostile} as text");
    }
    let xss = eval_string(&tab, "typeof window.__xss")?;
    ensure!(xss == "undefined", "a payload ran: window.__xss is {xss}");

    let png = tab.capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)?;
    fs::write(screenshot, png).with_context(|| format!("writing {}", screenshot.display()))?;

    let problems = problems.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    ensure!(
        problems.is_empty(),
        "the page reported problems:\n{}",
        problems.join("\n")
    );
    drop(problems);

    expect_without_javascript(&tab, &url, board.all.ids.len())
}

/// Exceptions, console errors and warnings, and browser log errors, as text.
fn collect_problems(tab: &Tab) -> Result<Arc<Mutex<Vec<String>>>> {
    let problems = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&problems);
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let problem = match event {
            Event::RuntimeExceptionThrown(thrown) => {
                let details = &thrown.params.exception_details;
                let what = details
                    .exception
                    .as_ref()
                    .and_then(|e| e.description.clone())
                    .unwrap_or_default();
                Some(format!(
                    "exception at {}:{}:{}: {} {what}",
                    details.url.as_deref().unwrap_or("?"),
                    details.line_number + 1,
                    details.column_number + 1,
                    details.text
                ))
            }
            Event::RuntimeConsoleAPICalled(call)
                if matches!(
                    call.params.Type,
                    Runtime::ConsoleAPICalledEventTypeOption::Error
                        | Runtime::ConsoleAPICalledEventTypeOption::Warning
                        | Runtime::ConsoleAPICalledEventTypeOption::Assert
                ) =>
            {
                let args: Vec<String> = call
                    .params
                    .args
                    .iter()
                    .map(|a| match &a.value {
                        Some(v) => v.to_string(),
                        None => a.description.clone().unwrap_or_default(),
                    })
                    .collect();
                Some(format!("console {:?}: {}", call.params.Type, args.join(" ")))
            }
            Event::LogEntryAdded(entry) if entry.params.entry.level == Log::LogEntryLevel::Error => {
                let entry = &entry.params.entry;
                Some(format!(
                    "log {:?}: {} {}",
                    entry.source,
                    entry.text,
                    entry.url.as_deref().unwrap_or("")
                ))
            }
            _ => None,
        };
        if let (Some(problem), Ok(mut problems)) = (problem, sink.lock()) {
            problems.push(problem);
        }
    }))?;
    tab.enable_runtime()?;
    tab.enable_log()?;
    Ok(problems)
}

/// Navigates and waits until `url` has loaded and, on a board, the script has
/// shown the filters (without relying on load events, which file:// pages
/// can fire before the navigation call returns).
fn open(tab: &Tab, url: &str) -> Result<()> {
    tab.navigate_to(url)?;
    let target = serde_json::to_string(url)?;
    let ready = format!(
        "String(location.href === {target} && document.readyState === 'complete' && \
         (location.protocol !== 'file:' || \
          !document.querySelector('form.filters').hidden))"
    );
    settle(tab, &ready, "true").with_context(|| format!("opening {url}"))
}

/// Picks `value` in the select `id` with the arrow keys, as a keyboard user would.
fn choose_with_keyboard(tab: &Tab, id: &str, value: &str) -> Result<()> {
    let id = serde_json::to_string(id)?;
    let options = eval_string(tab, &format!("String(document.getElementById({id}).options.length)"))?;
    let options: usize = options.parse()?;
    eval(tab, &format!("document.getElementById({id}).focus()"))?;
    for _ in 0..options {
        if eval_string(tab, &format!("document.getElementById({id}).value"))? == value {
            return Ok(());
        }
        tab.press_key("ArrowDown")?;
    }
    bail!("the arrow keys never reached {value:?} in #{id}")
}

fn expect_link(tab: &Tab, link: &Link) -> Result<()> {
    let context = format!("opened with {}", link.hash);
    expect_shown(tab, &link.shown, &context)?;
    let controls = eval_json(
        tab,
        "['filter-owner', 'filter-category', 'filter-text']\
         .map(id => document.getElementById(id).value)",
    )?;
    let expected: Vec<Value> = link.controls.iter().map(|&c| c.into()).collect();
    ensure!(
        controls == Value::Array(expected),
        "{context}: the form shows owner, category, text {controls}, expected {:?}",
        link.controls
    );
    Ok(())
}

/// Waits until the board shows exactly `shown`: those cards without `hidden`
/// and rendered (a stylesheet's `display` must not undo `hidden`), the count
/// text, and each column's `.count` equal to its visible cards.
fn expect_shown(tab: &Tab, shown: &Shown, context: &str) -> Result<()> {
    let expected = serde_json::json!({
        "unhidden": shown.ids,
        "rendered": shown.ids,
        "count": shown.count,
        "columns_agree": true,
    })
    .to_string();
    let state = "JSON.stringify((() => {
        const cards = [...document.querySelectorAll('article.card')];
        const id = card => (card.getAttribute('data-text') || '').split(' ')[0].toUpperCase();
        const columns = [...document.querySelectorAll('section.column')];
        return {
            unhidden: cards.filter(card => !card.hidden).map(id),
            rendered: cards.filter(card => card.getClientRects().length > 0).map(id),
            count: document.getElementById('filter-count').textContent,
            columns_agree: columns.every(column => {
                const badge = column.querySelector('.count');
                const visible = column.querySelectorAll('article.card:not([hidden])').length;
                return badge !== null && badge.textContent === String(visible);
            }),
        };
    })())";
    settle(tab, state, &expected).with_context(|| context.to_string())
}

/// With JavaScript off the filters stay hidden and every card shows.
fn expect_without_javascript(tab: &Tab, url: &str, cards: usize) -> Result<()> {
    tab.call_method(Emulation::SetScriptExecutionDisabled { value: true })?;
    tab.navigate_to("about:blank")?;
    tab.navigate_to(url)?;
    let target = serde_json::to_string(url)?;
    settle(
        tab,
        &format!("String(location.href === {target} && document.readyState === 'complete')"),
        "true",
    )
    .context("opening the board without JavaScript")?;
    let state = eval_json(
        tab,
        "({ form_hidden: document.querySelector('form.filters').hidden,
            shown: [...document.querySelectorAll('article.card')].filter(c => !c.hidden).length })",
    )?;
    let expected = serde_json::json!({ "form_hidden": true, "shown": cards });
    ensure!(
        state == expected,
        "without JavaScript the board shows {state}, expected {expected}"
    );
    Ok(())
}

/// Polls `expression` (a string-valued JavaScript expression) until it gives
/// `expected`; fails with the last value after `SETTLE`.
fn settle(tab: &Tab, expression: &str, expected: &str) -> Result<()> {
    let deadline = Instant::now() + SETTLE;
    loop {
        let got = eval_string(tab, expression);
        match &got {
            Ok(got) if got == expected => return Ok(()),
            _ if Instant::now() < deadline => sleep(Duration::from_millis(20)),
            Ok(got) => bail!("the page shows {got}\nexpected        {expected}"),
            Err(e) => bail!("the page could not be read: {e:#}"),
        }
    }
}

fn eval(tab: &Tab, expression: &str) -> Result<Runtime::RemoteObject> {
    tab.evaluate(expression, false)
        .with_context(|| format!("evaluating {expression}"))
}

fn eval_string(tab: &Tab, expression: &str) -> Result<String> {
    let result = eval(tab, expression)?;
    match result.value {
        Some(Value::String(s)) => Ok(s),
        _ => bail!(
            "{expression} gave {}, not a string",
            result.description.unwrap_or_else(|| format!("{:?}", result.Type))
        ),
    }
}

fn eval_json(tab: &Tab, expression: &str) -> Result<Value> {
    let text = eval_string(tab, &format!("JSON.stringify({expression})"))?;
    Ok(serde_json::from_str(&text)?)
}

/// `file://` URL of an absolute path, with anything but `/` and the
/// unreserved characters percent-encoded.
fn file_url(path: &Path) -> String {
    const PATH: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    format!("file://{}", utf8_percent_encode(&path.to_string_lossy(), PATH))
}
