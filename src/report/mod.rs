//! Reporters: one per output format. Reporters never special-case a rule.

pub mod github;
pub mod human;
pub mod json;
pub mod line_hash;
pub mod progress;
pub mod rules_doc;
pub mod sarif;
pub mod summary;

use std::io::Write;

use crate::engine::ScanResult;
use crate::finding::Severity;

/// How a reporter may style its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Always,
    Never,
}

/// Counts of findings by severity, most severe first.
pub fn counts_by_severity(result: &ScanResult) -> Vec<(Severity, usize)> {
    Severity::ALL
        .iter()
        .map(|&s| {
            (
                s,
                result.findings.iter().filter(|f| f.severity == s).count(),
            )
        })
        .collect()
}

/// Writes `result` as JSON.
pub fn write_json(result: &ScanResult, out: &mut dyn Write) -> std::io::Result<()> {
    json::write(result, out)
}
