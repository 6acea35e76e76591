//! Baseline files: findings accepted once, by fingerprint, and not reported again.
//!
//! The file is JSON sorted by rule id, path and fingerprint, one entry per finding, so it
//! reviews well in a diff. It names the rule, the path and the fingerprint (a hash), never
//! the matched text: a baseline of secrets holds no secret. `note` is for people (why the
//! finding is accepted); rewriting a baseline keeps the notes of entries that remain.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::finding::{Finding, Severity};
use crate::kind::{ConfigFormat, FileKind};
use crate::report::line_hash;
use crate::{fingerprint, suppress};

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
    /// The file's text as loaded, to point at an entry's line; empty for a new baseline.
    text: String,
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
        Ok(Baseline { entries, text })
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
        Baseline {
            entries,
            text: String::new(),
        }
    }

    /// The entries that accept none of `findings`, with the 1-based line of each in the
    /// loaded file (where its fingerprint stands; 1 when it cannot be found).
    pub fn unused<'b>(&'b self, findings: &[Finding]) -> Vec<(usize, &'b Entry)> {
        let found: BTreeSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
        self.entries
            .values()
            .filter(|e| !found.contains(e.fingerprint.as_str()))
            .map(|e| (self.line_of(&e.fingerprint), e))
            .collect()
    }

    /// The unused entries that `judged` accepts, as `meta/unused-ignore` findings at their
    /// lines in the baseline file, named `shown_path` in the report and fingerprinted with
    /// `identity` (the same as `shown_path` when the baseline is in the scanned tree, its
    /// file name when it is outside, where its path depends on the clone's place).
    pub fn unused_findings(
        &self,
        findings: &[Finding],
        (shown_path, identity): &(String, String),
        severity: Severity,
        judged: &dyn Fn(&Entry) -> bool,
    ) -> Vec<Finding> {
        let doc = Document::new(shown_path, FileKind::Config(ConfigFormat::Json), &self.text);
        let hashes = line_hash::line_hashes(&self.text);
        self.unused(findings)
            .into_iter()
            .filter(|(_, e)| judged(e))
            .map(|(line, e)| {
                let bytes = doc.line_range(line);
                let span = doc.span(&bytes);
                Finding {
                    rule_id: suppress::UNUSED_IGNORE.to_string(),
                    severity,
                    path: shown_path.to_string(),
                    snippet: doc.snippet(&span, &crate::document::Masks::default()),
                    span,
                    bytes,
                    message: format!(
                        "baseline entry for `{}` in `{}` matched no finding",
                        e.rule_id, e.path
                    ),
                    // The entry's own fingerprint names it: another entry is another finding.
                    fingerprint: fingerprint::of_match(
                        suppress::UNUSED_IGNORE,
                        identity,
                        &e.fingerprint,
                    ),
                    line_hash: hashes.get(line - 1).cloned().unwrap_or_default(),
                    origin: Default::default(),
                    also_at: Vec::new(),
                    raw_path: None,
                }
            })
            .collect()
    }

    fn line_of(&self, fingerprint: &str) -> usize {
        let quoted = format!("\"{fingerprint}\"");
        self.text
            .find(&quoted)
            .map_or(1, |at| self.text[..at].matches('\n').count() + 1)
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
