//! Every record of the working tree, loaded once and indexed by path, ID and
//! kind: what `check`, `query` and the reports read instead of the files.

use super::{FrontMatter, LoadFailure, PosMap, Record, RecordFile, yaml};
use crate::config::Config;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// What loading one record file gave: the record, or why it cannot be one
/// (a finding about the file, kept so that no file goes missing).
pub type Loaded = Result<SetRecord, LoadFailure>;

/// A record of the set. A parsed front-matter takes several times the
/// memory of its text, so the set keeps the text up to the end of the
/// front-matter and the fields its indexes need; [`SetRecord::record`]
/// parses the rest again when a consumer wants it.
#[derive(Debug, Clone)]
pub struct SetRecord {
    pub file: RecordFile,
    /// The file's text up to the end of the front-matter (not the body).
    head: String,
    fm: FrontMatter,
    id: Option<String>,
    kind: Option<String>,
    /// The string items of `related`, with their index in the list.
    related: Vec<(usize, String)>,
}

impl SetRecord {
    fn new(rec: Record) -> SetRecord {
        let text = |k: &str| rec.data.get(k).and_then(Value::as_str).map(str::to_string);
        let related = match rec.data.get("related") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_str().map(|s| (i, s.to_string())))
                .collect(),
            _ => Vec::new(),
        };
        let (id, kind) = (text("id"), text("kind"));
        let mut head = rec.text;
        head.truncate(rec.fm.body_start);
        head.shrink_to_fit();
        SetRecord {
            file: rec.file,
            head,
            fm: rec.fm,
            id,
            kind,
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

    /// The front-matter's data, parsed again.
    pub fn data(&self) -> Value {
        yaml::parse(&self.head[self.fm.yaml.clone()], self.fm.first_line, false)
            .map(|(v, _)| v)
            .unwrap_or(Value::Null)
    }

    /// The record without its body (`body()` is empty): for the whole
    /// text, load the file again.
    pub fn record(&self) -> Record {
        Record {
            file: self.file.clone(),
            text: self.head.clone(),
            fm: self.fm.clone(),
            data: self.data(),
        }
    }

    /// Positions of every node, for findings about this record.
    pub fn positions(&self) -> PosMap {
        yaml::parse(&self.head[self.fm.yaml.clone()], self.fm.first_line, true)
            .ok()
            .and_then(|(_, p)| p)
            .unwrap_or_default()
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
    /// its record is whole (parsed data and body), in the same parallel
    /// pass: a check of every record then parses each once. The results
    /// come in the set's order.
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
                (loaded.map(SetRecord::new), result)
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
        super::super::parse(file, format!("---\n{yaml}---\nbody\n")).map(SetRecord::new)
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
        assert_eq!(b.data()["kind"], "b");
        assert_eq!(b.record().body(), "");
        assert_eq!(b.positions()["/kind"].value.start.line, 3);
    }
}
