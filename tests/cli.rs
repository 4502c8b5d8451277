//! casework's integration tests: one test binary that runs the real
//! `casework` executable against temporary records repositories built in
//! code (see `tests/cli/support.rs`), plus property tests that call the
//! library directly.
//!
//! Fixtures live in `tests/fixtures/`: `valid/records/` must check clean,
//! and each `invalid/<case>/` holds the records (and optional `setup.json`)
//! of one finding, with the findings expected in `expected.json`.

#[path = "cli/site.rs"]
mod site;
#[path = "cli/support.rs"]
mod support;

#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/check_fixtures.rs"]
mod check_fixtures;
#[path = "cli/clocks.rs"]
mod clocks;
#[path = "cli/config_errors.rs"]
mod config_errors;
#[path = "cli/due.rs"]
mod due;
#[path = "cli/formats.rs"]
mod formats;
#[path = "cli/fuzz_properties.rs"]
mod fuzz_properties;
#[path = "cli/history.rs"]
mod history;
#[path = "cli/import_export.rs"]
mod import_export;
#[path = "cli/init_new.rs"]
mod init_new;
#[path = "cli/lessons.rs"]
mod lessons;
#[path = "cli/list.rs"]
mod list;
#[path = "cli/log_show.rs"]
mod log_show;
#[path = "cli/missing.rs"]
mod missing;
#[path = "cli/note.rs"]
mod note;
#[path = "cli/properties.rs"]
mod properties;
#[path = "cli/registers.rs"]
mod registers;
#[path = "cli/regression.rs"]
mod regression;
#[path = "cli/regression_output.rs"]
mod regression_output;
#[path = "cli/renumber.rs"]
mod renumber;
#[path = "cli/reopen.rs"]
mod reopen;
#[path = "cli/report.rs"]
mod report;
#[path = "cli/rev.rs"]
mod rev;
#[path = "cli/sample.rs"]
mod sample;
#[path = "cli/sample_records.rs"]
mod sample_records;
#[cfg(unix)]
#[path = "cli/serve.rs"]
mod serve;
#[cfg(unix)]
#[path = "cli/sweep.rs"]
mod sweep;
#[cfg(unix)]
#[path = "cli/transaction.rs"]
mod transaction;
#[path = "cli/transition.rs"]
mod transition;
#[path = "cli/uncommitted.rs"]
mod uncommitted;
#[path = "cli/yaml_suite.rs"]
mod yaml_suite;
