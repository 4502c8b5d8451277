//! A generated record and edits: `edit::text::apply` refuses, or its
//! result reads back as the original data with the edits applied and
//! keeps every line the edits did not touch (see `fuzz/props.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The structured input derives `Arbitrary`.
macro_rules! input_type {
    ($($item:tt)*) => {
        #[derive(arbitrary::Arbitrary)]
        $($item)*
    };
}

#[path = "../props.rs"]
mod props;

fuzz_target!(|case: props::EditCase| {
    if let Err(e) = props::check_edit_case(&case) {
        panic!("{e}");
    }
});
