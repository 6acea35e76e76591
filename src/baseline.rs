//! Baseline files: findings accepted once, by fingerprint, and not reported again.
//!
//! The file is JSON sorted by rule id, path and fingerprint, one entry per finding, so it
//! reviews well in a diff. It names the rule, the path and the fingerprint (a hash), never
//! the matched text: a baseline of secrets holds no secret. `note` is for people (why the
//! finding is accepted); rewriting a baseline keeps the notes of entries that remain.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read the baseline")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a smartedu-lint baseline")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: cannot write the baseline")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub rule_id: String,
    /// Where the finding was first seen; informative only, matching is by fingerprint.
    pub path: String,
    pub fingerprint: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// The fingerprints a baseline accepts, with their entries.
#[derive(Debug, Default)]
pub struct Baseline {
    entries: BTreeMap<String, Entry>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: File = serde_json::from_str(&text).map_err(|source| BaselineError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        let entries = file
            .findings
            .into_iter()
            .map(|e| (e.fingerprint.clone(), e))
            .collect();
        Ok(Baseline { entries })
    }

    /// True when the baseline accepts `finding`.
    pub fn accepts(&self, finding: &Finding) -> bool {
        self.entries.contains_key(&finding.fingerprint)
    }

    /// The baseline of `findings`, keeping the notes `previous` had for them.
    pub fn of(findings: &[Finding], previous: Option<&Baseline>) -> Baseline {
        let mut entries = BTreeMap::new();
        for f in findings {
            let note = previous
                .and_then(|b| b.entries.get(&f.fingerprint))
                .map(|e| e.note.clone())
                .unwrap_or_default();
            entries
                .entry(f.fingerprint.clone())
                .or_insert_with(|| Entry {
                    rule_id: f.rule_id.clone(),
                    path: f.path.clone(),
                    fingerprint: f.fingerprint.clone(),
                    note,
                });
        }
        Baseline { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes the baseline: sorted by rule id, path and fingerprint, ending in a newline.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let findings: BTreeSet<&Entry> = self.entries.values().collect();
        let file = serde_json::json!({ "version": VERSION, "findings": findings });
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        std::fs::write(path, text).map_err(|source| BaselineError::Write {
            path: path.to_path_buf(),
            source,
        })
    }
}
