//! Arbitrary bytes as a record file: the YAML loader's three modes agree,
//! positions and layout ranges lie inside the text, and edits of the raw
//! text are exact or refused (see `fuzz/props.rs`).
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

fuzz_target!(|data: &[u8]| {
    if let Err(e) = props::check_parse(data) {
        panic!("{e}\ninput: {:?}", String::from_utf8_lossy(data));
    }
});
