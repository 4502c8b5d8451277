//! What every command runs with: the validated configuration, each kind's
//! compiled schema and the time "now", built once per run; and the record
//! set, loaded the first time a command asks for it.

use crate::config::Config;
use crate::record::{self, DiscoverError, RecordSet};
use crate::schema::Schemas;
use chrono::{DateTime, Utc};
use std::sync::OnceLock;

/// The configuration, schemas and time a command judges records with.
pub struct Context {
    pub config: Config,
    pub schemas: Schemas,
    /// The time SLA clocks and time guards are judged at.
    pub now: DateTime<Utc>,
    /// Loaded on first use: `show` of one case must not read every record.
    records: OnceLock<Result<RecordSet, DiscoverError>>,
}

impl Context {
    /// Compile every kind's schema once for the whole run.
    pub fn new(config: Config, now: DateTime<Utc>) -> Context {
        let schemas = Schemas::compile(&config);
        Context {
            config,
            schemas,
            now,
            records: OnceLock::new(),
        }
    }

    /// Every record under the records folder, loaded once in parallel.
    pub fn records(&self) -> Result<&RecordSet, &DiscoverError> {
        self.records
            .get_or_init(|| record::discover(&self.config).map(|files| RecordSet::load(&self.config, files)))
            .as_ref()
    }
}
