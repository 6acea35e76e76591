//! What a rule reports: the [`Finding`] and its parts.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::discover::Origin;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(format!(
                "unknown severity `{s}`: expected info, low, medium, high or critical"
            )),
        }
    }
}

/// A region of a file, 1-based, columns counted in Unicode scalar values.
/// `end_column` is exclusive, as in SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// The source lines a finding covers, with any secret already masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// 1-based number of the first line in `text`.
    pub first_line: usize,
    /// 1-based column of the original line where `text` starts: above 1 when a long line
    /// was cut to a window around the finding.
    pub first_column: usize,
    pub text: String,
}

/// One problem found at one place.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    pub span: Span,
    /// Byte range of the finding in the file.
    pub bytes: Range<usize>,
    pub message: String,
    pub snippet: Snippet,
    /// Stable across line moves: see [`crate::fingerprint`].
    pub fingerprint: String,
    /// GitHub's `primaryLocationLineHash` of the finding's first line.
    pub line_hash: String,
    /// Where the content came from: the working tree, a commit, the index.
    pub origin: Origin,
    /// Other places with the same fingerprint (the same secret in another file, blob or
    /// commit), merged into this finding; empty when it was found once.
    pub also_at: Vec<Place>,
    /// The path's bytes when they are not UTF-8 (see [`crate::discover::Source::raw_path`]).
    pub raw_path: Option<Vec<u8>>,
}

/// One more place where a merged finding was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub path: String,
    pub span: Span,
    pub origin: Origin,
    pub raw_path: Option<Vec<u8>>,
}
