//! casework keeps case records as Markdown files with YAML front-matter in
//! git. Data flows one way: files ([`record`], loaded once into a
//! [`record::RecordSet`]) are checked against the configuration
//! ([`config`]), schemas ([`schema`]), workflow rules ([`workflow`]) and
//! clocks ([`calendar`]), all held by one [`context::Context`] per run, into
//! findings ([`diag`]) and views of cases ([`query`]), which [`output`]
//! renders. [`edit`] is the only writer of the records
//! repository; [`cli`] is the only place that prints or exits.

pub mod calendar;
pub mod check;
pub mod cli;
pub mod config;
pub mod context;
pub mod diag;
pub mod edit;
pub mod files;
pub mod history;
pub mod output;
pub mod query;
pub mod record;
pub mod schema;
pub mod site;
pub mod workflow;
