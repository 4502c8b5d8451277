//! Every record of the working tree, read and parsed once in parallel and
//! indexed by path, ID and kind, load failures included: `check` judges
//! each record in that pass and the set across files; `query` finds a case
//! by ID in it.

use super::{LoadFailure, PosMap, Record, RecordFile};
use crate::config::Config;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// What loading one record file gave: the record, or why it cannot be one
/// (a finding about the file, kept so that no file goes missing).
pub type Loaded = Result<SetRecord, LoadFailure>;

/// A record of the set: what the indexes and the checks across files need.
///
/// Neither the parsed data nor the text is kept. A parsed front-matter
/// takes ten times the memory of its text, and even the text alone (about
/// 1.2 KB a record) made `check` of 100,000 records a quarter slower here,
/// in page faults. Consumers that need every record's data do their work
/// in the loading pass ([`RecordSet::load_with`]), while each record is
/// whole, as `check` does.
#[derive(Debug, Clone)]
pub struct SetRecord {
    pub file: RecordFile,
    id: Option<String>,
    kind: Option<String>,
    /// The string items of `related`, with their index in the list.
    related: Vec<(usize, String)>,
}

impl SetRecord {
    fn new(rec: &Record) -> SetRecord {
        let text = |k: &str| rec.data.get(k).and_then(Value::as_str).map(str::to_string);
        let related = match rec.data.get("related") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_str().map(|s| (i, s.to_string())))
                .collect(),
            _ => Vec::new(),
        };
        SetRecord {
            file: rec.file.clone(),
            id: text("id"),
            kind: text("kind"),
            related,
        }
    }

    /// The `id` field, if it is a string.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The `kind` field, if it is a string.
    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    /// The string items of `related`, each with its index in the list.
    pub fn related(&self) -> &[(usize, String)] {
        &self.related
    }

    /// The record, read again from its file.
    pub fn record(&self, config: &Config) -> Result<Record, LoadFailure> {
        super::load(&self.file, config)
    }

    /// Positions of every node, for the rare finding found across files
    /// (about `id` or `related`): from the file read again, and only if it
    /// still holds the ID and links that were judged (else none, never a
    /// position for a finding the text no longer has). Comparing those
    /// fields rather than hashing every text keeps the loading pass as
    /// cheap as before.
    pub fn positions(&self, config: &Config) -> PosMap {
        match self.record(config) {
            Ok(rec) if SetRecord::new(&rec).same_fields(self) => rec.positions(),
            _ => PosMap::default(),
        }
    }

    fn same_fields(&self, other: &SetRecord) -> bool {
        self.id == other.id && self.kind == other.kind && self.related == other.related
    }
}

/// The loaded records, sorted by path.
#[derive(Debug, Default)]
pub struct RecordSet {
    entries: Vec<Loaded>,
    /// Indexes of the records that have an ID, sorted by ID then path; an
    /// ID used twice has two neighbours.
    by_id: Vec<u32>,
    /// Indexes of the records of each `kind` they name, in path order.
    by_kind: BTreeMap<String, Vec<u32>>,
}

impl RecordSet {
    /// Read and parse `files` in parallel.
    pub fn load(config: &Config, files: Vec<RecordFile>) -> RecordSet {
        RecordSet::load_with(config, files, |_| ()).0
    }

    /// [`RecordSet::load`], calling `visit` on each file's outcome while
    /// its record is whole (parsed data and text), in the same parallel
    /// pass: a check of every record then reads and parses each once. The
    /// results come in the set's order.
    pub fn load_with<T: Send>(
        config: &Config,
        mut files: Vec<RecordFile>,
        visit: impl Fn(&Result<Record, LoadFailure>) -> T + Sync,
    ) -> (RecordSet, Vec<T>) {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        let (entries, results): (Vec<Loaded>, Vec<T>) = files
            .into_par_iter()
            .map(|f| {
                let loaded = super::load_owned(f, config);
                let result = visit(&loaded);
                (loaded.map(|rec| SetRecord::new(&rec)), result)
            })
            .unzip();
        (RecordSet::from_entries(entries), results)
    }

    fn from_entries(entries: Vec<Loaded>) -> RecordSet {
        let record = |i: u32| entries[i as usize].as_ref().ok();
        let mut by_id: Vec<u32> = (0..entries.len() as u32)
            .filter(|&i| record(i).is_some_and(|r| r.id().is_some()))
            .collect();
        // Stable: equal IDs stay in path order.
        by_id.sort_by(|&a, &b| {
            record(a)
                .and_then(SetRecord::id)
                .cmp(&record(b).and_then(SetRecord::id))
        });
        let mut by_kind: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for i in 0..entries.len() as u32 {
            if let Some(kind) = record(i).and_then(SetRecord::kind) {
                by_kind.entry(kind.to_string()).or_default().push(i);
            }
        }
        RecordSet {
            entries,
            by_id,
            by_kind,
        }
    }

    /// How many record files were found, loaded or not.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every file's outcome, in path order.
    pub fn entries(&self) -> &[Loaded] {
        &self.entries
    }

    /// The records that loaded, in path order.
    pub fn records(&self) -> impl Iterator<Item = &SetRecord> {
        self.entries.iter().filter_map(|e| e.as_ref().ok())
    }

    /// The outcome of the file at `path` (relative to the root).
    pub fn get_path(&self, path: &str) -> Option<&Loaded> {
        self.entries
            .binary_search_by(|e| path_of(e).cmp(path))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The records whose `id` is `id`, in path order: more than one is a
    /// `duplicate-id` finding.
    pub fn with_id(&self, id: &str) -> impl Iterator<Item = &SetRecord> {
        let start = self.by_id.partition_point(|&i| self.id_at(i) < id);
        self.by_id[start..]
            .iter()
            .take_while(move |&&i| self.id_at(i) == id)
            .filter_map(|&i| self.entries[i as usize].as_ref().ok())
    }

    /// Whether some record has the ID `id`.
    pub fn has_id(&self, id: &str) -> bool {
        self.with_id(id).next().is_some()
    }

    /// Every ID with the records that carry it, in ID order.
    pub fn ids(&self) -> impl Iterator<Item = (&str, Vec<&SetRecord>)> {
        self.by_id
            .chunk_by(|&a, &b| self.id_at(a) == self.id_at(b))
            .map(|group| {
                let recs: Vec<&SetRecord> = group
                    .iter()
                    .filter_map(|&i| self.entries[i as usize].as_ref().ok())
                    .collect();
                (self.id_at(group[0]), recs)
            })
    }

    /// The records whose `kind` field is `kind`, in path order.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &SetRecord> {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.entries[i as usize].as_ref().ok())
    }

    fn id_at(&self, i: u32) -> &str {
        self.entries[i as usize]
            .as_ref()
            .ok()
            .and_then(SetRecord::id)
            .unwrap_or_default()
    }
}

/// The root-relative path of a file, loaded or not.
pub fn path_of(e: &Loaded) -> &str {
    match e {
        Ok(r) => &r.file.path,
        Err(d) => &d.file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Diagnostic};
    use std::path::PathBuf;

    fn rec(path: &str, yaml: &str) -> Loaded {
        let file = RecordFile {
            path: path.into(),
            abs: PathBuf::from("/r").join(path),
            entry: super::super::Entry::File,
        };
        super::super::parse(file, format!("---\n{yaml}---\nbody\n")).map(|r| SetRecord::new(&r))
    }

    #[test]
    fn indexes_by_path_id_and_kind() {
        let set = RecordSet::from_entries(vec![
            rec("records/a/A-2026-0001.md", "id: A-2026-0001\nkind: a\n"),
            rec("records/a/A-2026-0002.md", "id: A-2026-0001\nkind: a\n"),
            Err(Box::new(Diagnostic::error(
                Code::Yaml,
                "records/b/B-2026-0001.md",
                "bad",
            ))),
            rec("records/b/B-2026-0002.md", "id: B-2026-0002\nkind: b\n"),
            rec("records/b/x.md", "kind: b\n"),
        ]);
        assert_eq!(set.len(), 5);
        let dup: Vec<&str> = set.with_id("A-2026-0001").map(|r| r.file.path.as_str()).collect();
        assert_eq!(dup, ["records/a/A-2026-0001.md", "records/a/A-2026-0002.md"]);
        assert!(set.has_id("B-2026-0002"));
        assert!(!set.has_id("B-2026-0001") && !set.has_id(""));
        let ids: Vec<(&str, usize)> = set.ids().map(|(id, r)| (id, r.len())).collect();
        assert_eq!(ids, [("A-2026-0001", 2), ("B-2026-0002", 1)]);
        assert_eq!(set.of_kind("b").count(), 2);
        assert!(set.get_path("records/b/B-2026-0001.md").unwrap().is_err());
        assert!(set.get_path("records/b/x.md").unwrap().is_ok());
        assert!(set.get_path("records/c.md").is_none());
        assert_eq!(set.records().count(), 4);
        let b = set.with_id("B-2026-0002").next().unwrap();
        assert_eq!(b.related(), []);
    }

    #[test]
    fn positions_only_while_the_file_holds_what_was_judged() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("casework.toml"), Config::default_toml()).unwrap();
        let config = crate::config::load(&root).unwrap();
        let rel = "records/complaint/CMP-2026-0001.md";
        std::fs::create_dir_all(root.join("records/complaint")).unwrap();
        std::fs::write(root.join(rel), "---\nid: CMP-2026-0001\n---\n").unwrap();
        let set = RecordSet::load(
            &config,
            vec![super::super::record_file(&root, &root.join(rel), super::super::Entry::File).unwrap()],
        );
        let rec = set.with_id("CMP-2026-0001").next().unwrap();
        assert_eq!(rec.positions(&config)["/id"].value.start.line, 2);
        // Edited after loading, the ID kept: the finding still holds, where the ID is now.
        std::fs::write(root.join(rel), "---\ntitle: T\nid: CMP-2026-0001\n---\n").unwrap();
        assert_eq!(rec.positions(&config)["/id"].value.start.line, 3);
        // The ID changed: a finding about the old one has no place in this text.
        std::fs::write(root.join(rel), "---\nid: CMP-2026-0002\n---\n").unwrap();
        assert!(rec.positions(&config).is_empty());
    }
}
