//! The published site.

pub mod charts;
pub mod markdown;
pub mod redact;
