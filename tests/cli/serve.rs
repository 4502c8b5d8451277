//! `casework serve`: the real binary serving a real repository, read back
//! with a minimal HTTP/1.0 client, edited while it runs, stopped with
//! SIGINT as Ctrl-C does.

use super::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ID: &str = "REQ-2026-0001";
const CASE_FILE: &str = "records/request/REQ-2026-0001.md";
const CASE_PAGE: &str = "/cases/REQ-2026-0001.html";

/// How long the first build may take before the URL must be printed.
const STARTUP: Duration = Duration::from_secs(20);
/// How long a rebuild may take to show.
const REBUILD: Duration = Duration::from_secs(15);

/// A running `casework serve`, killed when dropped so that a failing test
/// leaves no process behind.
struct Serving {
    child: Child,
    addr: SocketAddr,
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Serving {
    /// `casework serve --port 0` in the repository, once it printed its URL.
    fn start(repo: &Repo) -> Serving {
        // The hermetic environment of the other tests, on a process that
        // can be spawned and signalled.
        let template = repo.cmd();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_casework"));
        for (key, value) in template.get_envs() {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        cmd.current_dir(&repo.root)
            .args(["serve", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("casework serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let seen = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&seen);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut serving = Serving {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            url: String::new(),
            stderr: seen,
        };
        let line = rx.recv_timeout(STARTUP).unwrap_or_else(|e| {
            panic!(
                "no URL on stdout within {STARTUP:?} ({e}); stderr:\n{}",
                serving.stderr()
            )
        });
        let url = line
            .strip_prefix("serving ")
            .and_then(|l| l.strip_suffix(" (Ctrl-C to stop)"))
            .unwrap_or_else(|| panic!("stdout: {line:?}"));
        let hostport = url
            .strip_prefix("http://")
            .and_then(|u| u.strip_suffix('/'))
            .unwrap_or_else(|| panic!("not an http URL: {url:?}"));
        serving.addr = hostport.parse().unwrap_or_else(|e| panic!("{hostport:?}: {e}"));
        serving.url = url.to_string();
        serving
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, path: &str) -> Response {
        get(self.addr, path, &self.addr.to_string()).unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Poll `path` until its body contains `text`, for at most [`REBUILD`].
    #[track_caller]
    fn wait_for_page(&self, path: &str, text: &str) -> Response {
        let start = Instant::now();
        loop {
            let r = self.get(path);
            if r.status == 200 && r.body.contains(text) {
                return r;
            }
            assert!(
                start.elapsed() < REBUILD,
                "{path} never showed {text:?} (status {}); stderr:\n{}",
                r.status,
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait until stderr contains `text`, for at most [`REBUILD`].
    #[track_caller]
    fn wait_for_stderr(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let seen = self.stderr();
            if seen.contains(text) {
                return seen;
            }
            assert!(start.elapsed() < REBUILD, "stderr never said {text:?}:\n{seen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Send SIGINT (Ctrl-C) and give the exit code, waiting a few seconds.
    fn interrupt(&mut self) -> Option<i32> {
        sigint(&self.child);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

#[allow(unsafe_code)]
fn sigint(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).expect("a pid fits pid_t");
    // SAFETY: kill(2) on our own child's pid with a valid signal number
    // touches no memory of this process.
    let done = unsafe { libc::kill(pid, libc::SIGINT) };
    assert_eq!(done, 0, "kill -INT {pid} failed");
}

/// One HTTP response.
#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// `GET path` over HTTP/1.0, with `Host: host`, the request target sent
/// exactly as given (no client-side clean-up of `..`).
fn get(addr: SocketAddr, path: &str, host: &str) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {head:?}")))?;
    Ok(Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    })
}

fn one_record(title: &str) -> Repo {
    let repo = Repo::new();
    repo.write(CASE_FILE, titled(title));
    repo
}

fn titled(title: &str) -> String {
    record(ID, "request", "new", CUSTOMER).replace("title: A case for the tests", &format!("title: {title}"))
}

#[test]
fn serve_answers_on_a_free_port_and_shows_a_changed_record_after_a_rebuild() {
    let repo = one_record("Printer jams on every page");
    let mut serving = Serving::start(&repo);
    assert_ne!(serving.addr.port(), 0);

    let home = serving.get("/");
    assert_eq!(home.status, 200, "{home:?}");
    assert_eq!(home.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert_eq!(home.header("Cache-Control"), Some("no-store"));
    assert!(home.body.contains("<html"), "{}", home.body);
    let case = serving.get(CASE_PAGE);
    assert_eq!(case.status, 200, "{case:?}");
    assert!(case.body.contains("Printer jams on every page"), "{}", case.body);
    let css = serving.get("/assets/site.css");
    assert_eq!(
        (css.status, css.header("Content-Type")),
        (200, Some("text/css; charset=utf-8"))
    );
    let missing = serving.get("/cases/REQ-2026-0999.html");
    assert_eq!(missing.status, 404, "{missing:?}");

    repo.write(CASE_FILE, titled("Printer fixed by a new drum"));
    let after = serving.wait_for_page(CASE_PAGE, "Printer fixed by a new drum");
    assert!(!after.body.contains("Printer jams on every page"));
    let said = serving.wait_for_stderr(&format!("{CASE_FILE} changed: rebuilt"));
    assert!(said.contains("pages written"), "{said}");

    // casework.toml is read again for the next build.
    repo.edit_config("title = \"Customer care records\"", "title = \"Front desk records\"");
    serving.wait_for_page("/", "Front desk records");

    assert_eq!(serving.interrupt(), Some(OK), "stderr:\n{}", serving.stderr());
    assert!(
        TcpStream::connect_timeout(&serving.addr, Duration::from_secs(2)).is_err(),
        "still listening after Ctrl-C"
    );
}

#[test]
fn serve_refuses_paths_outside_the_site() {
    let repo = one_record("A case");
    let secret = "# not to be served: 7f3a9c";
    repo.write("casework.toml", format!("{}\n{secret}\n", repo.read("casework.toml")));
    let serving = Serving::start(&repo);
    for path in [
        "/../casework.toml",
        "/%2e%2e/casework.toml",
        "/%2E%2E%2Fcasework.toml",
        "/cases/../../casework.toml",
        "/cases/..%2f..%2fcasework.toml",
        "/..%5ccasework.toml",
        "/.casework-site",
    ] {
        let r = serving.get(path);
        assert!(matches!(r.status, 400 | 404), "{path}: {r:?}");
        assert!(!r.body.contains(secret), "{path}: {r:?}");
    }
    // A folder without its slash is sent to the folder, relative to itself.
    let r = serving.get("/reports");
    assert_eq!((r.status, r.header("Location")), (301, Some("./reports/")), "{r:?}");
    assert_eq!(serving.get("/reports/").status, 200);

    let mut stream = TcpStream::connect(serving.addr).unwrap();
    write!(
        stream,
        "POST / HTTP/1.0\r\nHost: {}\r\nContent-Length: 0\r\n\r\n",
        serving.addr
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(
        text.starts_with("HTTP/1.1 405") || text.starts_with("HTTP/1.0 405"),
        "{text}"
    );
}

#[test]
fn serve_listens_on_loopback_only() {
    let repo = one_record("A case");
    let serving = Serving::start(&repo);
    assert!(serving.url.starts_with("http://127.0.0.1:"), "{}", serving.url);
    assert!(serving.addr.ip().is_loopback());
    // A page whose own name was pointed at 127.0.0.1 (DNS rebinding) is refused.
    let rebound = get(serving.addr, "/", &format!("attacker.example:{}", serving.addr.port())).unwrap();
    assert_eq!(rebound.status, 403, "{rebound:?}");
    assert_eq!(
        get(serving.addr, "/", &format!("localhost:{}", serving.addr.port()))
            .unwrap()
            .status,
        200
    );
    // The machine's address on its outgoing route, if it has one: nothing
    // answers there. (A UDP connect sends no packet.)
    let outward = UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    if let Some(ip @ IpAddr::V4(_)) = outward {
        let there = SocketAddr::new(ip, serving.addr.port());
        assert!(
            TcpStream::connect_timeout(&there, Duration::from_secs(2)).is_err(),
            "{there} answers"
        );
    }
}

#[test]
fn serve_keeps_serving_the_last_site_when_a_rebuild_fails_and_names_the_file_and_line() {
    let repo = one_record("The original title");
    let serving = Serving::start(&repo);
    serving.wait_for_page(CASE_PAGE, "The original title");

    // A broken template, and a record change it hides.
    repo.write(
        "templates/case.html",
        "{% extends \"base.html\" %}\n{% block main %}\n{{ nope( }}\n{% endblock %}\n",
    );
    repo.write(CASE_FILE, titled("A title no page shows yet"));
    let said = serving.wait_for_stderr("rebuild failed, still serving the last site: templates/case.html:3:");
    let page = serving.get(CASE_PAGE);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The original title"), "{said}\n{}", page.body);

    // An invalid configuration: said with its line and column, site kept.
    repo.remove("templates/case.html");
    let config = repo.read("casework.toml");
    repo.write("casework.toml", format!("{config}\n[records\n"));
    let (line, _) = pos_of(&format!("{config}\n[records\n"), "[records\n");
    serving.wait_for_stderr(&format!(
        "not rebuilt, still serving the last site: casework.toml:{line}:"
    ));
    assert!(serving.get(CASE_PAGE).body.contains("The original title"));

    // Fixed: the next build shows the change that waited.
    repo.write("casework.toml", config);
    serving.wait_for_page(CASE_PAGE, "A title no page shows yet");
}

#[test]
fn serve_exits_2_when_the_first_build_fails() {
    let repo = one_record("A case");
    repo.write("templates/board.html", "{% if %}\n");
    let run = Run::of(repo.cmd().args(["serve", "--port", "0"]));
    run.assert_code(USAGE);
    assert!(run.stderr.contains("templates/board.html:1:"), "{}", run.stderr);
    assert!(!run.stdout.contains("serving"), "{}", run.stdout);
}
