//! `casework serve`: the built site over HTTP on 127.0.0.1, and a watcher
//! that says when the files a build reads have changed. Nothing here
//! prints or builds: the command decides what a change means.
//!
//! The server only ever listens on the loopback address and answers only
//! requests addressed to it by a loopback name, so neither another machine
//! nor a web page that rebinds its own name to 127.0.0.1 can read the site.

use crate::config::Config;
use percent_encoding::percent_decode_str;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How often the loops look at the stop flag.
const POLL: Duration = Duration::from_millis(100);

/// The longest a burst of changes may hold back a rebuild: a folder being
/// copied in for minutes still shows its first files.
const LONGEST_BURST: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {0}: {1}: pass --port N for another port, or --port 0 for a free one")]
    Bind(SocketAddr, std::io::Error),
    #[error("cannot start the HTTP server on {0}: {1}")]
    Server(SocketAddr, String),
    #[error("cannot watch {0} for changes: {1}")]
    Watch(String, notify::Error),
    #[error(
        "cannot watch {0} for changes: the system's limit of watched folders is reached (on Linux, raise fs.inotify.max_user_watches)"
    )]
    TooManyFolders(String),
}

/// The HTTP server of one output folder.
pub struct Server {
    http: tiny_http::Server,
    addr: SocketAddr,
}

impl Server {
    /// Listen on 127.0.0.1:`port` (0: a free port), and on no other address.
    pub fn bind(port: u16) -> Result<Server, ServeError> {
        let want = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = TcpListener::bind(want).map_err(|e| ServeError::Bind(want, e))?;
        let addr = listener.local_addr().map_err(|e| ServeError::Bind(want, e))?;
        let http =
            tiny_http::Server::from_listener(listener, None).map_err(|e| ServeError::Server(addr, e.to_string()))?;
        Ok(Server { http, addr })
    }

    /// The address listened on, with the port picked when 0 was asked.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answer requests with the files of `out` until `stop` is set.
    pub fn run(&self, out: &Path, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            match self.http.recv_timeout(POLL) {
                Ok(Some(request)) => self.answer(out, request),
                Ok(None) => {}
                // A connection that failed is that client's problem; do not
                // spin on a listener that keeps failing.
                Err(_) => std::thread::sleep(POLL),
            }
        }
    }

    fn answer(&self, out: &Path, request: tiny_http::Request) {
        let host = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Host"))
            .map(|h| h.value.as_str().to_string());
        let response = if !host_allowed(host.as_deref()) {
            page(
                403,
                "Forbidden",
                &format!("This server answers only at http://{}/.", self.addr),
            )
        } else if !matches!(request.method(), tiny_http::Method::Get | tiny_http::Method::Head) {
            with(
                page(405, "Method Not Allowed", "Only GET and HEAD are served."),
                "Allow",
                "GET, HEAD",
            )
        } else {
            match resolve(out, request.url()) {
                Target::File(path) => match std::fs::File::open(&path) {
                    Ok(file) => with(
                        tiny_http::Response::from_file(file).boxed(),
                        "Content-Type",
                        content_type(&path),
                    ),
                    Err(_) => not_found(),
                },
                Target::Directory(location) => with(
                    page(301, "Moved Permanently", "This page is a folder."),
                    "Location",
                    &location,
                ),
                Target::NotFound => not_found(),
                Target::Bad => page(400, "Bad Request", "This address cannot name a page of the site."),
            }
        };
        let response = with(response, "Cache-Control", "no-store");
        let response = with(response, "X-Content-Type-Options", "nosniff");
        // A client that went away needs no answer.
        let _ = request.respond(response);
    }
}

/// Whether a request's `Host` names the loopback address. Browsers always
/// send one; a page whose own name was rebound to 127.0.0.1 sends that name.
fn host_allowed(host: Option<&str>) -> bool {
    let Some(host) = host else {
        return true;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost")
}

/// `response` with the header `name: value`, left out if it is not one
/// (a value that is not ASCII).
fn with(mut response: tiny_http::ResponseBox, name: &str, value: &str) -> tiny_http::ResponseBox {
    if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        response.add_header(h);
    }
    response
}

/// A short HTML page with `status`.
fn page(status: u16, title: &str, text: &str) -> tiny_http::ResponseBox {
    let body = format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<title>{status} {title}</title>\n<h1>{title}</h1>\n<p>{}</p>\n",
        html_escape(text)
    );
    let response = tiny_http::Response::from_string(body).with_status_code(status).boxed();
    with(response, "Content-Type", "text/html; charset=utf-8")
}

fn not_found() -> tiny_http::ResponseBox {
    page(404, "Not Found", "No page of the site is at this address.")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The Content-Type of a file of the site, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// What a request's path names.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A file inside the output folder (canonical path).
    File(PathBuf),
    /// A folder asked for without its trailing `/`: redirect to this
    /// relative address (`./NAME/`), so the page's relative links resolve.
    Directory(String),
    NotFound,
    /// Not a path of the site at all: `..`, a NUL, invalid percent-encoding.
    Bad,
}

/// Map a request target (`/cases/REQ-2026-0001.html?x`) to a file inside
/// `out`: percent-decoded, `..` refused, hidden files (the site's marker)
/// not served, a folder served by its index.html, and the result checked
/// to be inside `out` once every link is resolved.
pub fn resolve(out: &Path, target: &str) -> Target {
    let raw = target.split(['?', '#']).next().unwrap_or_default();
    let Some(raw) = raw.strip_prefix('/') else {
        return Target::Bad;
    };
    let Ok(decoded) = percent_decode_str(raw).decode_utf8() else {
        return Target::Bad;
    };
    if decoded.contains(['\0', '\\']) {
        return Target::Bad;
    }
    let mut rel = PathBuf::new();
    let mut last = "";
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Target::Bad,
            s if s.starts_with('.') => return Target::NotFound,
            s => {
                rel.push(s);
                last = s;
            }
        }
    }
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Target::Bad;
    }
    let Ok(base) = out.canonicalize() else {
        return Target::NotFound;
    };
    let mut path = base.join(&rel);
    if path.is_dir() {
        if !raw.is_empty() && !raw.ends_with('/') {
            // Relative, from the decoded name: never `//host`, never a scheme.
            let name = percent_encoding::utf8_percent_encode(last, percent_encoding::NON_ALPHANUMERIC);
            return Target::Directory(format!("./{name}/"));
        }
        path.push("index.html");
    }
    match path.canonicalize() {
        Ok(real) if real.starts_with(&base) && real.is_file() => Target::File(real),
        _ => Target::NotFound,
    }
}

/// The files and folders a build reads, relative to the root: a change
/// anywhere else (a log file, an editor's notes) is no reason to rebuild.
#[derive(Debug, Clone)]
pub struct Inputs {
    files: Vec<String>,
    folders: Vec<String>,
}

impl Inputs {
    /// What a build with `config` reads: casework.toml, the records folder,
    /// templates/, audits/, the disposal register and the kinds' schemas
    /// (with the folders holding them, for the files they refer to).
    pub fn of(config: &Config) -> Inputs {
        let mut files = vec![crate::config::CONFIG_FILE.to_string(), config.register.clone()];
        let mut folders = vec![
            config.records_dir.clone(),
            "templates".to_string(),
            crate::check::audit::AUDITS_DIR.to_string(),
        ];
        for kind in config.kinds.values() {
            let schema = kind.schema.trim_start_matches("./").to_string();
            match schema.rsplit_once('/') {
                Some((dir, _)) => folders.push(dir.to_string()),
                None => files.push(schema),
            }
        }
        files.sort();
        files.dedup();
        folders.sort();
        folders.dedup();
        Inputs { files, folders }
    }

    /// Whether the build reads `rel` (a root-relative `/` path), or a file
    /// inside it when it is a folder holding inputs.
    pub fn has(&self, rel: &str) -> bool {
        let inside = |dir: &str, p: &str| p == dir || p.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
        self.files.iter().any(|f| f == rel) || self.folders.iter().any(|d| inside(d, rel) || inside(rel, d))
    }
}

/// One burst of changes, once the files have been quiet for a moment.
#[derive(Debug, Default)]
pub struct Burst {
    /// The changed paths, relative to the root where inside it, sorted.
    pub paths: Vec<String>,
    /// The watcher lost events (an overflowing queue, a watch that failed):
    /// anything may have changed.
    pub lost: bool,
}

/// Watches the records repository for changes a build would see.
pub struct Watcher {
    // Kept alive: dropping it stops the watch.
    _watcher: notify::RecommendedWatcher,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
    ignore: Ignore,
}

impl Watcher {
    /// Watch `root` and everything under it, except `.git/`, the output
    /// folder `out` and the folders a build makes beside it.
    pub fn start(root: &Path, out: &Path) -> Result<Watcher, ServeError> {
        use notify::Watcher as _;
        let (tx, events) = mpsc::channel();
        let fail = |e: notify::Error| match e.kind {
            notify::ErrorKind::MaxFilesWatch => ServeError::TooManyFolders(root.display().to_string()),
            _ => ServeError::Watch(root.display().to_string(), e),
        };
        let mut watcher = notify::recommended_watcher(tx).map_err(fail)?;
        watcher.watch(root, notify::RecursiveMode::Recursive).map_err(fail)?;
        Ok(Watcher {
            _watcher: watcher,
            events,
            ignore: Ignore::new(root, out),
        })
    }

    /// Wait for a change, then for the files to be quiet for `quiet`, and
    /// return what changed; `None` once `stop` is set.
    pub fn next(&self, stop: &AtomicBool, quiet: Duration) -> Option<Burst> {
        let mut burst = Burst::default();
        let mut started: Option<Instant> = None;
        let mut last = Instant::now();
        loop {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            if let Some(start) = started
                && (last.elapsed() >= quiet || start.elapsed() >= LONGEST_BURST)
            {
                burst.paths.sort();
                burst.paths.dedup();
                return Some(burst);
            }
            let wait = if started.is_some() {
                quiet.saturating_sub(last.elapsed()).min(POLL)
            } else {
                POLL
            };
            match self.events.recv_timeout(wait) {
                Ok(Ok(event)) => {
                    if !changes_content(&event.kind) {
                        continue;
                    }
                    let seen: Vec<String> = event.paths.iter().filter_map(|p| self.ignore.shown(p)).collect();
                    if seen.is_empty() && !event.paths.is_empty() {
                        continue;
                    }
                    if seen.is_empty() {
                        burst.lost = true;
                    }
                    burst.paths.extend(seen);
                }
                Ok(Err(_)) => burst.lost = true,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                // The watcher is gone: nothing more will come.
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
            last = Instant::now();
            started.get_or_insert(last);
        }
    }
}

/// Whether an event may change what a build reads: not a file opened or
/// read (the build itself reads every record), nor an access time.
fn changes_content(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
    match kind {
        notify::EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        notify::EventKind::Access(_) => false,
        notify::EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

/// The paths a change of which is no reason to rebuild.
struct Ignore {
    root: PathBuf,
    out: PathBuf,
    git: PathBuf,
    /// The folder holding `out`, and the prefixes of the build's
    /// temporary folders in it (`.<out>.new-`, `.<out>.old-`).
    beside: PathBuf,
    temporary: [String; 2],
}

impl Ignore {
    fn new(root: &Path, out: &Path) -> Ignore {
        let name = out
            .file_name()
            .map_or("site".into(), |n| n.to_string_lossy().into_owned());
        Ignore {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            git: root.join(".git"),
            beside: out.parent().map_or_else(|| root.to_path_buf(), Path::to_path_buf),
            temporary: [format!(".{name}.new-"), format!(".{name}.old-")],
        }
    }

    /// How to name a changed `path`, or `None` when it is ignored.
    fn shown(&self, path: &Path) -> Option<String> {
        if path.starts_with(&self.out) || path.starts_with(&self.git) {
            return None;
        }
        if let Ok(rest) = path.strip_prefix(&self.beside)
            && let Some(Component::Normal(first)) = rest.components().next()
        {
            let first = first.to_string_lossy();
            if self.temporary.iter().any(|t| first.starts_with(t.as_str())) {
                return None;
            }
        }
        let name = path.file_name()?.to_string_lossy();
        // Editors' swap, backup and lock files: saving the file itself
        // comes as its own event.
        if name.ends_with('~')
            || name.starts_with(".#")
            || name == "4913"
            || [".swp", ".swx", ".swo"].iter().any(|s| name.ends_with(s))
        {
            return None;
        }
        let shown = match path.strip_prefix(&self.root) {
            Ok(rel) => rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => path.display().to_string(),
        };
        Some(shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("_site");
        std::fs::create_dir_all(out.join("cases")).unwrap();
        std::fs::create_dir_all(out.join("reports")).unwrap();
        std::fs::write(out.join("index.html"), "home").unwrap();
        std::fs::write(out.join("reports/index.html"), "reports").unwrap();
        std::fs::write(out.join("cases/REQ-2026-0001.html"), "case").unwrap();
        std::fs::write(out.join(".casework-site"), "{}").unwrap();
        std::fs::write(dir.path().join("casework.toml"), "secret").unwrap();
        let out = out.canonicalize().unwrap();
        (dir, out)
    }

    #[test]
    fn request_paths_map_to_files_inside_the_site_only() {
        let (_dir, out) = site();
        assert_eq!(resolve(&out, "/"), Target::File(out.join("index.html")));
        assert_eq!(resolve(&out, "/index.html?q=1"), Target::File(out.join("index.html")));
        assert_eq!(
            resolve(&out, "/cases/REQ%2D2026-0001.html"),
            Target::File(out.join("cases/REQ-2026-0001.html"))
        );
        assert_eq!(resolve(&out, "/reports/"), Target::File(out.join("reports/index.html")));
        assert_eq!(resolve(&out, "/reports"), Target::Directory("./reports/".into()));
        assert_eq!(resolve(&out, "//reports"), Target::Directory("./reports/".into()));
        for bad in [
            "/../casework.toml",
            "/%2e%2e/casework.toml",
            "/cases/../../casework.toml",
            "/cases/..%2F..%2Fcasework.toml",
            "/a%00b",
            "/..\\casework.toml",
            "/%ff",
            "casework.toml",
            "http://example.org/",
        ] {
            assert_eq!(resolve(&out, bad), Target::Bad, "{bad}");
        }
        for missing in ["/nothing.html", "/.casework-site", "/cases/.hidden"] {
            assert_eq!(resolve(&out, missing), Target::NotFound, "{missing}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_site_is_not_followed() {
        let (dir, out) = site();
        std::os::unix::fs::symlink(dir.path().join("casework.toml"), out.join("config.html")).unwrap();
        assert_eq!(resolve(&out, "/config.html"), Target::NotFound);
    }

    #[test]
    fn only_loopback_host_names_are_answered() {
        for ok in [
            None,
            Some("127.0.0.1:8000"),
            Some("localhost:1"),
            Some("LOCALHOST"),
            Some("127.0.0.1"),
        ] {
            assert!(host_allowed(ok), "{ok:?}");
        }
        for bad in ["evil.example:8000", "127.0.0.1.evil.example", "localhost.evil:80", ""] {
            assert!(!host_allowed(Some(bad)), "{bad}");
        }
    }

    #[test]
    fn content_types_follow_the_extension() {
        for (name, want) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("search.json", "application/json"),
            ("feed.xml", "application/xml; charset=utf-8"),
            ("chart.svg", "image/svg+xml"),
            ("logo.PNG", "image/png"),
            ("x.bin", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), want, "{name}");
        }
    }

    #[test]
    fn the_output_git_and_build_folders_are_ignored() {
        let root = Path::new("/r");
        let ignore = Ignore::new(root, &root.join("_site"));
        for ignored in [
            "/r/_site/index.html",
            "/r/_site",
            "/r/.git/index",
            "/r/._site.new-a1b2/cases/x.html",
            "/r/._site.old-zz",
            "/r/records/request/.REQ-2026-0001.md.swp",
            "/r/records/request/REQ-2026-0001.md~",
        ] {
            assert_eq!(ignore.shown(Path::new(ignored)), None, "{ignored}");
        }
        for (seen, shown) in [
            (
                "/r/records/request/REQ-2026-0001.md",
                "records/request/REQ-2026-0001.md",
            ),
            ("/r/casework.toml", "casework.toml"),
            ("/r/templates/case.html", "templates/case.html"),
            ("/r/_site2/x", "_site2/x"),
        ] {
            assert_eq!(ignore.shown(Path::new(seen)).as_deref(), Some(shown), "{seen}");
        }
    }

    #[test]
    fn only_the_files_a_build_reads_are_inputs() {
        let root = tempfile::tempdir().unwrap();
        let config = crate::config::parse(root.path(), crate::config::Config::default_toml()).unwrap();
        let inputs = Inputs::of(&config);
        for yes in [
            "casework.toml",
            "disposals.csv",
            "records/request/REQ-2026-0001.md",
            "records",
            "templates/case.html",
            "audits/2026-10-request.md",
            "schemas/request.schema.json",
        ] {
            assert!(inputs.has(yes), "{yes}: {inputs:?}");
        }
        for no in [
            "serve.log",
            "recordsX/a.md",
            "notes/templates/x",
            "casework.toml.bak",
            "README.md",
        ] {
            assert!(!inputs.has(no), "{no}: {inputs:?}");
        }
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
        assert!(!changes_content(&notify::EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(changes_content(&notify::EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(changes_content(&notify::EventKind::Create(CreateKind::File)));
        assert!(changes_content(&notify::EventKind::Modify(ModifyKind::Any)));
    }
}
