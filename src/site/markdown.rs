//! A record's Markdown body as HTML that is safe to publish.
//!
//! Record bodies are written by many people and may quote hostile text
//! (a customer's e-mail, a pasted web page), so the HTML pulldown-cmark
//! makes is sanitised by ammonia against a short allow-list before it
//! reaches a page. What survives: paragraphs, headings, lists, tables,
//! block quotes, code, emphasis, strikethrough, footnotes, links to http,
//! https, mailto and relative URLs, and images from http, https or
//! relative URLs. What does not: scripts, styles, frames, forms, SVG and
//! MathML, event-handler and `style` attributes, `class` attributes, and
//! any other URL scheme (`javascript:`, `data:`, `vbscript:` ...).
//!
//! Three choices shape the output:
//! - Headings move down one level (`#` is `<h2>`, `######` stays
//!   `<h6>`) and raw `<h1>` tags are dropped (their text kept), because the
//!   page's own `<h1>` is the case's title and a page should have one.
//! - Task-list checkboxes are written as the characters ☐ and ☑, not as
//!   `<input>` elements: a published record is read, not filled in, and a
//!   character reads the same in every browser and screen reader.
//! - `id` attributes (kept only on `<div>`, where footnotes need them) get
//!   the prefix `user-content-`, and in-page links (`href="#x"`) are
//!   pointed at the prefixed id, so a body can never take over an id the
//!   site's own page uses.
//!
//! Table column alignment is kept as the `align` attribute on cells (the
//! site's CSS can style `[align=right]`), since `style` is not allowed.

use ammonia::Builder;
use pulldown_cmark::{Alignment, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The prefix of every `id` a body may carry (see the module docs).
const ID_PREFIX: &str = "user-content-";

/// Renders a record's Markdown body as sanitised HTML (see the module
/// docs for what is kept). Never fails: any input gives some HTML.
pub fn render(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options.insert(Options::ENABLE_FOOTNOTES);
    let mut events = Events::default();
    let parser = Parser::new_ext(markdown, options).map(|e| events.map(e));
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    SANITISER.clean(&html).to_string()
}

/// The changes made to pulldown-cmark's events before they are written:
/// headings shifted, checkboxes as characters, cell alignment as `align`.
#[derive(Default)]
struct Events {
    alignments: Vec<Alignment>,
    in_head: bool,
    cell: usize,
}

impl Events {
    fn map<'a>(&mut self, event: Event<'a>) -> Event<'a> {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level: shift(level),
                id,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
            Event::TaskListMarker(done) => Event::Text(CowStr::Borrowed(if done { "\u{2611} " } else { "\u{2610} " })),
            Event::Start(Tag::Table(alignments)) => {
                self.alignments = alignments;
                Event::Start(Tag::Table(Vec::new()))
            }
            Event::Start(Tag::TableHead) => {
                self.in_head = true;
                self.cell = 0;
                event
            }
            Event::End(TagEnd::TableHead) => {
                self.in_head = false;
                event
            }
            Event::Start(Tag::TableRow) => {
                self.cell = 0;
                event
            }
            Event::Start(Tag::TableCell) => {
                let tag = if self.in_head { "th" } else { "td" };
                let align = match self.alignments.get(self.cell) {
                    Some(Alignment::Left) => " align=\"left\"",
                    Some(Alignment::Center) => " align=\"center\"",
                    Some(Alignment::Right) => " align=\"right\"",
                    _ => "",
                };
                Event::Html(format!("<{tag}{align}>").into())
            }
            Event::End(TagEnd::TableCell) => {
                self.cell += 1;
                Event::Html(if self.in_head { "</th>" } else { "</td>" }.into())
            }
            other => other,
        }
    }
}

/// One heading level down, so a body's `#` sits under the page's `<h1>`.
fn shift(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

/// The allow-list, built once: what a published body may contain.
static SANITISER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    #[rustfmt::skip]
    let tags: HashSet<&str> = [
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del",
        "details", "div", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6", "hr",
        "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
        "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var", "wbr",
    ]
    .into();
    // Elements whose content goes with them: their text is code, styling
    // or a control, never prose worth keeping.
    #[rustfmt::skip]
    let dropped_with_content: HashSet<&str> = [
        "script", "style", "iframe", "frame", "frameset", "object", "embed",
        "applet", "form", "button", "select", "textarea", "noscript",
        "template", "svg", "math",
    ]
    .into();
    let tag_attributes: HashMap<&str, HashSet<&str>> = [
        ("a", ["href", "hreflang"].into()),
        ("img", ["src", "alt", "width", "height"].into()),
        ("ol", ["start"].into()),
        ("td", ["align", "colspan", "rowspan"].into()),
        ("th", ["align", "colspan", "rowspan", "scope"].into()),
        ("div", ["id"].into()),
        ("del", ["datetime"].into()),
        ("ins", ["datetime"].into()),
    ]
    .into();
    let mut builder = Builder::empty();
    builder
        .tags(tags)
        .clean_content_tags(dropped_with_content)
        .tag_attributes(tag_attributes)
        .generic_attributes(["lang", "title"].into())
        .url_schemes(["http", "https", "mailto"].into())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .id_prefix(Some(ID_PREFIX))
        .attribute_filter(|element, attribute, value| {
            // In-page links follow the ids to their prefixed names.
            match value.strip_prefix('#') {
                Some(fragment) if element == "a" && attribute == "href" && !fragment.starts_with(ID_PREFIX) => {
                    Some(Cow::Owned(format!("#{ID_PREFIX}{fragment}")))
                }
                _ => Some(Cow::Borrowed(value)),
            }
        });
    builder
});

#[cfg(test)]
mod tests {
    use super::render;
    use proptest::prelude::*;

    /// A tag of the output: its lower-cased name and its attributes as
    /// (lower-cased name, value) pairs.
    type Tag = (String, Vec<(String, String)>);

    /// The tags of sanitised output. Text `<` is always escaped there, so
    /// every `<` opens a tag; quoted values may hold `>`.
    fn tags(html: &str) -> Vec<Tag> {
        let mut found = Vec::new();
        let b = html.as_bytes();
        let mut i = 0;
        while let Some(start) = html[i..].find('<') {
            i += start + 1;
            let name_end = html[i..]
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/' && i < html.len())
                .map_or(html.len(), |n| i + n);
            let name = html[i..name_end].trim_start_matches('/').to_lowercase();
            i = name_end;
            let mut attrs = Vec::new();
            loop {
                while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                    i += 1;
                }
                if i >= b.len() || b[i] == b'>' {
                    i += 1;
                    break;
                }
                let a = i;
                while i < b.len() && !b"=>/ \t\n".contains(&b[i]) {
                    i += 1;
                }
                let attr = html[a..i].to_lowercase();
                let mut value = String::new();
                if i < b.len() && b[i] == b'=' {
                    i += 1;
                    let quote = b[i];
                    assert!(quote == b'"', "unquoted attribute in {html}");
                    let end = html[i + 1..].find('"').expect("closing quote") + i + 1;
                    value = html[i + 1..end].to_string();
                    i = end + 1;
                }
                attrs.push((attr, value));
            }
            found.push((name, attrs));
        }
        found
    }

    /// Fails when the markup (not the text) of `html` could run script,
    /// load a frame or form, or carry styling.
    fn assert_inert(html: &str) {
        const BANNED: [&str; 10] = [
            "script", "style", "iframe", "form", "input", "button", "object", "embed", "svg", "math",
        ];
        for (name, attrs) in tags(html) {
            assert!(!BANNED.contains(&name.as_str()), "<{name}> in {html}");
            for (attr, value) in attrs {
                assert!(!attr.starts_with("on"), "{attr} on <{name}> in {html}");
                assert!(attr != "style" && attr != "class", "{attr} in {html}");
                let v: String = value
                    .replace("&amp;", "&")
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_lowercase();
                if attr == "href" || attr == "src" {
                    // A URL's scheme is what comes before its first `:`
                    // when that is a scheme name; otherwise it is relative.
                    let scheme = v.split_once(':').map(|(s, _)| s).filter(|s| {
                        s.starts_with(|c: char| c.is_ascii_alphabetic())
                            && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                    });
                    let scheme_ok = scheme.is_none_or(|s| ["http", "https", "mailto"].contains(&s));
                    assert!(scheme_ok, "{attr}={value:?} in {html}");
                }
            }
        }
    }

    /// Fails when any of the words of an attack survives anywhere in the
    /// output, text included (for inputs that hold them only in markup).
    fn assert_gone(html: &str) {
        let lower = html.to_lowercase();
        for word in [
            "script",
            "onerror",
            "onload",
            "onclick",
            "javascript:",
            "vbscript:",
            "data:",
            "iframe",
            "form",
            "style",
            "alert",
        ] {
            assert!(!lower.contains(word), "{word:?} survived in {html}");
        }
    }

    #[test]
    fn the_checks_reject_unsafe_markup() {
        for bad in [
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\" JaVa\tScript:alert(1)\">x</a>",
            "<img src=\"data:image/png;base64,AA\">",
            "<img src=\"x\" onerror=\"alert(1)\">",
            "<p style=\"color:red\">x</p>",
            "<iframe></iframe>",
        ] {
            assert!(std::panic::catch_unwind(|| assert_inert(bad)).is_err(), "{bad}");
        }
        assert_inert("<a href=\"https://example.com/a:b\">x</a><a href=\"./a:b\">y</a>");
    }

    #[test]
    fn script_elements_are_removed_with_their_content() {
        let html = render("before\n\n<script>alert(1)</script>\n\nafter <SCRIPT>alert(2)</SCRIPT>");
        assert_gone(&html);
        assert!(html.contains("before") && html.contains("after"), "{html}");
    }

    #[test]
    fn event_handler_attributes_are_removed() {
        let html =
            render("<img src=x onerror=alert(1)> and <a href=\"https://example.com\" onclick=\"alert(1)\">x</a>");
        assert_gone(&html);
        assert_inert(&html);
        assert!(html.contains("<img src=\"x\">"), "{html}");
    }

    #[test]
    fn javascript_links_lose_their_url() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](jav&#x61;script:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x]( javascript:alert(1) )",
            "[x](vbscript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "![x](data:image/png;base64,AAAA)",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "<a href=\"java\tscript:alert(1)\">x</a>",
            "<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>",
        ] {
            let html = render(md);
            assert_gone(&html);
            assert_inert(&html);
            assert!(html.contains('x'), "{md}: {html}");
        }
    }

    #[test]
    fn an_autolink_with_a_javascript_url_is_text_only() {
        let html = render("<javascript:alert(1)>");
        assert_inert(&html);
        assert_eq!(html, "<p><a rel=\"noopener noreferrer\">javascript:alert(1)</a></p>\n");
    }

    #[test]
    fn frames_forms_and_embedded_objects_are_removed() {
        for md in [
            "<iframe src=\"https://evil.example\"></iframe>",
            "<IFRAME SRC=//evil.example>",
            "<form action=\"https://evil.example\"><input name=a><button>go</button></form>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<svg onload=alert(1)><circle r=1 /></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        ] {
            let html = render(md);
            assert_gone(&html);
            assert_inert(&html);
        }
    }

    #[test]
    fn styles_classes_and_ids_cannot_be_set() {
        let html = render(
            "<p style=\"position:fixed;top:0\" class=\"site-header\" id=\"main\">x</p>\n\n<style>body{display:none}</style>",
        );
        assert_gone(&html);
        assert_inert(&html);
        assert!(!html.contains("main") && !html.contains("site-header"), "{html}");
    }

    #[test]
    fn markdown_inside_html_is_sanitised_too() {
        let html = render(
            "<div>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<details><summary>s</summary>\n\n<script>alert(1)</script>\n\n</details>\n\n</div>",
        );
        assert_gone(&html);
        assert_inert(&html);
        assert!(
            html.contains("<details>") && html.contains("<summary>s</summary>"),
            "{html}"
        );
    }

    #[test]
    fn comments_and_broken_tags_do_not_smuggle_markup() {
        for md in [
            "<!-- <script>alert(1)</script> -->",
            "<scr<script>ipt>alert(1)</script>",
            "<img src=\"x\" alt=\"\" onerror=\"alert(1)\"",
            "<a href='https://example.com'\nonmouseover=alert(1)>x</a>",
            "<![CDATA[<script>alert(1)</script>]]>",
        ] {
            let html = render(md);
            assert_inert(&html);
            assert!(!html.to_lowercase().contains("<script"), "{md}: {html}");
        }
    }

    #[test]
    fn ordinary_content_survives() {
        let md = "# Summary\n\nSee [the site](https://example.com) and `cargo test`.\n\n\
                  | Month | Cases |\n|:------|------:|\n| May | 3 |\n\n\
                  - one\n- two\n\n1. first\n\n> quoted\n\n```rust\nlet a = 1 < 2;\n```\n\n\
                  ~~gone~~ ![logo](img/logo.png) ![remote](https://example.com/a.png) \
                  <mailto:help@example.com>\n";
        let html = render(md);
        assert_inert(&html);
        for part in [
            "<h2>Summary</h2>",
            "<a href=\"https://example.com\" rel=\"noopener noreferrer\">the site</a>",
            "<code>cargo test</code>",
            "<table>",
            "<th align=\"left\">Month</th>",
            "<td align=\"right\">3</td>",
            "<ul>\n<li>one</li>",
            "<ol>\n<li>first</li>",
            "<blockquote>",
            "<pre><code>let a = 1 &lt; 2;\n</code></pre>",
            "<del>gone</del>",
            "<img src=\"img/logo.png\" alt=\"logo\">",
            "<img src=\"https://example.com/a.png\" alt=\"remote\">",
            "href=\"mailto:help@example.com\"",
        ] {
            assert!(html.contains(part), "{part:?} missing from {html}");
        }
    }

    #[test]
    fn headings_move_down_one_level_and_h1_tags_are_dropped() {
        let html = render("# a\n\n## b\n\n###### f\n\n<h1>raw</h1>");
        assert!(html.contains("<h2>a</h2>"), "{html}");
        assert!(html.contains("<h3>b</h3>"), "{html}");
        assert!(html.contains("<h6>f</h6>"), "{html}");
        assert!(!html.contains("<h1") && html.contains("raw"), "{html}");
    }

    #[test]
    fn task_list_items_are_characters_not_inputs() {
        let html = render("- [ ] open\n- [x] done\n");
        assert_inert(&html);
        assert!(
            html.contains("\u{2610} open") && html.contains("\u{2611} done"),
            "{html}"
        );
    }

    #[test]
    fn footnotes_link_to_prefixed_ids() {
        let html = render("Claim.[^1]\n\n[^1]: Source.\n");
        assert!(html.contains("<a href=\"#user-content-1\""), "{html}");
        assert!(html.contains("<div id=\"user-content-1\">"), "{html}");
        assert!(html.contains("Source."), "{html}");
    }

    /// Pieces that, put together at random, come close to attacks.
    fn hostile() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "<",
            ">",
            "/",
            "\"",
            "'",
            "=",
            " ",
            "\n",
            "`",
            "[",
            "]",
            "(",
            ")",
            "!",
            "&",
            "#",
            ";",
            ":",
            "x",
            "a",
            "script",
            "SCRIPT",
            "img",
            "svg",
            "iframe",
            "src",
            "href",
            "onerror",
            "onload",
            "OnClick",
            "javascript",
            "java\tscript",
            "&#x61;",
            "&#106;",
            "&colon;",
            "data",
            "style",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "\\",
            "|",
            "-",
            "*",
            "    ",
            "```",
            "<div>",
            "</div>",
            "[^1]",
            "[^1]:",
            "<a href=",
            "\u{0}",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_yields_script_handlers_or_javascript_urls(md in "\\PC*") {
            let html = render(&md);
            assert_inert(&html);
            prop_assert!(!html.to_lowercase().contains("<script"));
        }

        #[test]
        fn near_attacks_never_yield_script_handlers_or_javascript_urls(md in hostile()) {
            let html = render(&md);
            assert_inert(&html);
            prop_assert!(!html.to_lowercase().contains("<script"));
        }
    }
}
