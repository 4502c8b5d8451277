//! The site's templates: the defaults embedded in the binary, each
//! replaced by a file of the same name in the root's `templates/` folder.
//! Every template is autoescaped; only sanitised HTML (a record's body
//! after ammonia, casework's own SVG) goes through `safe`.

use crate::files;
use std::path::Path;
use tera::Tera;

/// The templates and assets a site is made of: name, default text.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("board.html", include_str!("../../templates/board.html")),
    ("due.html", include_str!("../../templates/due.html")),
    ("lessons.html", include_str!("../../templates/lessons.html")),
    ("archive.html", include_str!("../../templates/archive.html")),
    ("case.html", include_str!("../../templates/case.html")),
    ("trends.html", include_str!("../../templates/trends.html")),
    ("reports.html", include_str!("../../templates/reports.html")),
    ("report.html", include_str!("../../templates/report.html")),
    ("audits.html", include_str!("../../templates/audits.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("feed.xml", include_str!("../../templates/feed.xml")),
];

/// Files copied to `assets/` as they are (overridable the same way).
pub const ASSETS: &[(&str, &str)] = &[
    ("site.css", include_str!("../../templates/site.css")),
    ("site.js", include_str!("../../templates/site.js")),
    ("search.js", include_str!("../../templates/search.js")),
    ("lessons.js", include_str!("../../templates/lessons.js")),
];

/// A template or asset that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// `templates/board.html:12: ...`
    #[error("{file}:{line}: {message}")]
    Broken { file: String, line: usize, message: String },
    #[error("templates/{0}: cannot read it: {1}")]
    Unreadable(String, files::ReadError),
}

/// The compiled templates, and the assets.
pub struct Templates {
    tera: Tera,
    /// Name -> text.
    pub assets: Vec<(String, String)>,
    /// The names the root's `templates/` overrides, for messages.
    pub overridden: Vec<String>,
    /// A hash of every template's and asset's text: part of a build's inputs.
    pub fingerprint: String,
}

impl Templates {
    /// The defaults, each replaced by `ROOT/templates/NAME` when it exists.
    pub fn load(root: &Path, limit: u64) -> Result<Templates, TemplateError> {
        let dir = root.join("templates");
        let mut overridden = Vec::new();
        let mut text = |name: &str, default: &str| -> Result<(String, bool), TemplateError> {
            let path = dir.join(name);
            if std::fs::symlink_metadata(&path).is_err() {
                return Ok((default.to_string(), false));
            }
            overridden.push(name.to_string());
            files::read_to_string(root, &path, limit)
                .map(|t| (t, true))
                .map_err(|e| TemplateError::Unreadable(name.to_string(), e))
        };
        let mut sources = Vec::new();
        for (name, default) in DEFAULTS {
            let (t, user) = text(name, default)?;
            sources.push((name.to_string(), t, user));
        }
        let mut assets = Vec::new();
        for (name, default) in ASSETS {
            assets.push((name.to_string(), text(name, default)?.0));
        }
        let mut tera = Tera::new();
        // An empty suffix matches every name: all templates autoescape.
        tera.autoescape_on([""]);
        // Each template alone first, so an error names its own file.
        for (name, t, user) in &sources {
            let mut probe = Tera::new();
            if let Err(e) = probe.add_raw_template(name, t) {
                let shown = if *user {
                    format!("templates/{name}")
                } else {
                    format!("(built-in) {name}")
                };
                if !matches!(e.kind(), tera::ErrorKind::MissingParent { .. }) {
                    return Err(broken(&shown, &e));
                }
            }
        }
        tera.add_raw_templates(sources.iter().map(|(n, t, _)| (n.as_str(), t.as_str())))
            .map_err(|e| broken("templates", &e))?;
        let mut hasher = blake3::Hasher::new();
        for (name, text) in sources
            .iter()
            .map(|(n, t, _)| (n, t))
            .chain(assets.iter().map(|(n, t)| (n, t)))
        {
            for part in [name.as_bytes(), text.as_bytes()] {
                super::put_part(&mut hasher, part);
            }
        }
        Ok(Templates {
            tera,
            assets,
            overridden,
            fingerprint: hasher.finalize().to_hex().to_string(),
        })
    }

    /// Render template `name` with `context`.
    pub fn render(&self, name: &str, context: &serde_json::Value) -> Result<String, TemplateError> {
        let ctx = tera::Context::from_serialize(context).map_err(|e| broken(name, &e))?;
        self.tera.render(name, &ctx).map_err(|e| {
            let shown = if self.overridden.iter().any(|o| o == name) {
                format!("templates/{name}")
            } else {
                name.to_string()
            };
            broken(&shown, &e)
        })
    }
}

/// A tera error as `file:line: message`, with the line tera points at.
fn broken(file: &str, e: &tera::Error) -> TemplateError {
    let (line, message) = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            (r.span().start_line, r.message().to_string())
        }
        _ => (0, e.to_string()),
    };
    // Errors found once all templates are in (an unknown filter, a missing
    // parent) come as tera's report text: `error: MSG` then `--> NAME:LINE:COL`.
    if line == 0
        && let Some((msg, place)) = message.split_once("\n --> ").or_else(|| message.split_once("--> "))
    {
        let mut parts = place.lines().next().unwrap_or_default().rsplitn(3, ':');
        let (_col, line, name) = (parts.next(), parts.next(), parts.next());
        if let (Some(line), Some(name)) = (line.and_then(|l| l.parse().ok()), name) {
            let file = if file == "templates" {
                format!("templates/{name}")
            } else {
                file.to_string()
            };
            let msg = msg.trim().trim_start_matches("error:").trim();
            return TemplateError::Broken {
                file,
                line,
                message: crate::diag::one_line(msg).into_owned(),
            };
        }
    }
    TemplateError::Broken {
        file: file.to_string(),
        line: line.max(1),
        message: crate::diag::one_line(&message).into_owned(),
    }
}
