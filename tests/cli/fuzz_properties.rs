//! The properties of the fuzz targets (`fuzz/props.rs`, shared with
//! `fuzz/fuzz_targets/`), as proptest runs for machines without a nightly
//! toolchain. The long runs are ignored:
//!
//! ```text
//! cargo test --release --test cli fuzz_properties -- --ignored
//! ```
//!
//! The inputs the fuzzers found, kept as regression tests, run always.

/// The input types as they are: built here by strategies, not `Arbitrary`.
macro_rules! input_type {
    ($($item:tt)*) => {
        $($item)*
    };
}

#[path = "../../fuzz/props.rs"]
mod props;

use casework::edit::text::{Edit, apply};
use props::{EditCase, EditSpec, Eol, LineSpec, NewValue, Text};
use proptest::prelude::*;
use serde_json::json;

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        4 => any::<u8>().prop_map(Text::Table),
        1 => "[a-z0-9 #:'\"\\-]{0,10}".prop_map(Text::Free),
        1 => "\\PC{0,10}".prop_map(Text::Free),
        1 => "[a-z \t\r\n]{0,8}".prop_map(Text::Free),
    ]
}

fn line() -> impl Strategy<Value = LineSpec> {
    (any::<u8>(), any::<u8>(), any::<u8>(), text(), text()).prop_map(|(depth, shape, style, key, value)| LineSpec {
        depth: depth % 4,
        shape,
        style,
        key,
        value,
    })
}

fn eol() -> impl Strategy<Value = Eol> {
    prop_oneof![Just(Eol::Lf), Just(Eol::Crlf), any::<u64>().prop_map(Eol::Mixed)]
}

fn edit_spec() -> impl Strategy<Value = EditSpec> {
    (any::<u8>(), any::<u8>(), text(), any::<u8>(), text(), any::<i64>()).prop_map(|(kind, target, key, vk, vt, n)| {
        EditSpec {
            kind,
            target,
            key,
            value: NewValue { kind: vk, text: vt, n },
        }
    })
}

fn edit_case() -> impl Strategy<Value = EditCase> {
    (
        prop::collection::vec(line(), 0..14),
        eol(),
        any::<bool>(),
        prop::collection::vec(edit_spec(), 1..4),
    )
        .prop_map(|(lines, eol, bom, edits)| EditCase { lines, eol, bom, edits })
}

/// YAML-ish text between `---` lines, for the loader.
fn yamlish() -> impl Strategy<Value = Vec<u8>> {
    (
        "[a-z0-9 :#'\"\\-\\[\\]{},&*!|>?%@\t\r\n~.é日]{0,80}",
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(s, crlf, bom)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            format!("{}---{eol}{s}{eol}---{eol}body{eol}", if bom { "\u{feff}" } else { "" }).into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 50_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    #[ignore = "long run: cargo test --release --test cli fuzz_properties -- --ignored"]
    fn fuzz_parse_yamlish(bytes in yamlish()) {
        props::check_parse(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    #[ignore = "long run: cargo test --release --test cli fuzz_properties -- --ignored"]
    fn fuzz_parse_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut text = b"---\n".to_vec();
        text.extend(bytes);
        text.extend(b"\n---\n");
        props::check_parse(&text).map_err(TestCaseError::fail)?;
    }

    #[test]
    #[ignore = "long run: cargo test --release --test cli fuzz_properties -- --ignored"]
    fn fuzz_edit(case in edit_case()) {
        props::check_edit_case(&case).map_err(TestCaseError::fail)?;
        props::check_parse(case.text().as_bytes()).map_err(TestCaseError::fail)?;
    }
}

// ---- inputs found by fuzzing, fixed in src/edit/text.rs ----

fn set(p: &str, value: serde_json::Value) -> Edit {
    Edit::Set {
        path: p.split('.').map(str::to_string).collect(),
        value,
    }
}

fn append(p: &str, value: serde_json::Value) -> Edit {
    Edit::Append {
        path: p.split('.').map(str::to_string).collect(),
        value,
    }
}

fn holds(text: &str, edits: &[Edit]) {
    if let Err(e) = props::check_edit(text, edits) {
        panic!("{e}");
    }
}

#[test]
fn mixed_endings_inserted_lines_follow_their_neighbour() {
    let text = "---\r\na: 1\nl:\n  - x\r\nm:\n  k: v\n---\r\nbody\n";
    holds(
        text,
        &[
            set("m.n", json!("w")),
            append("l", json!("y")),
            set("b", json!({"c": [1]})),
        ],
    );
    // `y` and `n` are quoted by the writer (YAML 1.1 booleans, `edit::value`).
    let out = apply(text, &[set("m.n", json!("w")), append("l", json!("y"))]).unwrap();
    assert_eq!(
        out,
        "---\r\na: 1\nl:\n  - x\r\n  - \"y\"\r\nm:\n  k: v\n  \"n\": w\n---\r\nbody\n"
    );
}

/// From the `edit` target: a flow mapping whose quoted scalar holds a raw
/// CR. A CR without LF is now refused by the loader (see
/// `lone_cr_is_refused_at_its_position`), so the edit is refused rather
/// than written; the property holds either way.
#[test]
fn a_bare_cr_in_the_edited_line_is_refused() {
    let text = "\u{feff}---\n\"R1\": {k0: 'JO\r', \"0.1\": {}}  # note: x\n---\nbody\n";
    holds(text, &[set("R1.0.1.deep", json!(1829977483625037719_i64))]);
    assert!(apply(text, &[set("R1.0.1.deep", json!(1))]).is_err());
    holds("---\n\r0: x\n---\n", &[set("0", json!("changed"))]);
    assert!(apply("---\n\r0: x\n---\n", &[set("0", json!("changed"))]).is_err());
}

// ---- found by fuzzing, fixed in src/record/yaml.rs ----

/// saphyr ends a line at a lone CR (as YAML 1.2 says), so positions after
/// one were a line past where the rest of casework (and editors) see it:
/// `b` is on file line 2 here but was reported on line 3. The loader now
/// refuses a CR without LF, at its own position
/// (`fuzz/artifacts-kept/parse-lone-cr-counts-as-line-break.md`).
#[test]
fn lone_cr_is_refused_at_its_position() {
    let text = "---\na: 1\rb: 2\n---\n";
    let fm = casework::record::split_front_matter(text).unwrap();
    for positions in [false, true] {
        let e = casework::record::yaml::parse(&text[fm.yaml.clone()], fm.first_line, positions).unwrap_err();
        assert_eq!((e.pos.line, e.pos.column), (2, 5), "{e:?}");
        assert!(e.message.contains("carriage return"), "{e:?}");
    }
    assert!(casework::record::yaml::parse_layout(&text[fm.yaml.clone()], fm.first_line).is_err());
    // CRLF is a line ending like LF.
    let text = "---\r\na: 1\r\nb: 2\r\n---\r\n";
    let fm = casework::record::split_front_matter(text).unwrap();
    let (_, pos) = casework::record::yaml::parse(&text[fm.yaml.clone()], fm.first_line, true).unwrap();
    assert_eq!(pos.unwrap()["/b"].value.start.line, 3);
}

/// A flow mapping whose last entry is a key without a value (`b` in
/// `{k0: a,b}`) got a layout whose `content_end` lay past the closing
/// brace, inside the comment after it (`value: 3..12, content_end: 23`):
/// the empty value of `b` took saphyr's span, which runs on to the next
/// token. An insert into that mapping now goes before the brace.
#[test]
fn flow_map_ending_in_a_key_without_value_keeps_content_inside() {
    let y = "0: {k0: a,b}  # note: x\n";
    let (_, layout) = casework::record::yaml::parse_layout(y, 2).unwrap();
    let l = &layout["/0"];
    assert_eq!((l.value.clone(), l.content_end), (3..12, 11), "{l:?}");
    assert_eq!(layout["/0/b"].value, 11..11);
    let text = format!("---\n{y}---\nbody\n");
    holds(&text, &[set("0.new", json!(1))]);
    assert_eq!(
        apply(&text, &[set("0.new", json!(1))]).unwrap(),
        "---\n0: {k0: a,b, new: 1}  # note: x\n---\nbody\n"
    );
}

/// A block scalar with an indentation indicator whose only line is spaces
/// (`|2` then five spaces: content beyond the indentation) got a layout
/// that ended at its header, so a field added after it landed between the
/// header and that line; the safety net refused the edit.
#[test]
fn field_added_after_a_block_scalar_of_spaces() {
    let text = "---\n0:\n  \"1\": |2\n     \n---\nbody\n";
    let out = apply(text, &[append("l", json!("x"))]).unwrap();
    assert_eq!(out, "---\n0:\n  \"1\": |2\n     \nl:\n  - x\n---\nbody\n");
    holds(text, &[append("l", json!("x"))]);
    // Without an indicator too: a line of spaces beyond the indentation
    // after the last text line is content.
    holds("---\na: |\n  x\n     \n---\n", &[set("b", json!(1))]);
}

/// A flow list opened by `[` then a tab (or a space after an anchor) was
/// taken for a block list: its layout started inside the key (at the `-`
/// of the quoted key `"- 0"`).
#[test]
fn flow_list_opened_before_a_tab() {
    let y = "\"- 0\": [\ta]\n";
    let (_, layout) = casework::record::yaml::parse_layout(y, 2).unwrap();
    let l = &layout["/- 0"];
    assert_eq!(
        (l.style, l.value.clone()),
        (casework::record::yaml::Style::FlowSeq, 7..11)
    );
    holds(&format!("---\n{y}---\n"), &[append("- 0", json!("b"))]);
    holds("---\na: &x [ a]\n---\n", &[append("a", json!("b"))]);
}
