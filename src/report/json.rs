//! `--format json`: one document, sorted, identical from run to run.

use std::io::Write;

use serde::Serialize;

use crate::discover::Origin;
use crate::engine::ScanResult;
use crate::finding::Severity;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    severity: Severity,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    fingerprint: &'a str,
    /// History findings: the commit that introduced the blob.
    #[serde(flatten)]
    commit: Option<JsonCommit<'a>>,
    /// Other places where the same finding was found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also_at: Vec<JsonPlace<'a>>,
}

#[derive(Serialize)]
struct JsonCommit<'a> {
    commit: &'a str,
    author: &'a str,
    date: String,
}

#[derive(Serialize)]
struct JsonPlace<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    #[serde(flatten)]
    commit: Option<JsonCommit<'a>>,
}

fn commit_of(origin: &Origin) -> Option<JsonCommit<'_>> {
    match origin {
        Origin::Commit(c) => Some(JsonCommit {
            commit: &c.id,
            author: &c.author,
            date: c.date(),
        }),
        Origin::WorkingTree | Origin::Index => None,
    }
}

#[derive(Serialize)]
struct JsonSummary {
    findings: usize,
    by_severity: serde_json::Map<String, serde_json::Value>,
    files_scanned: usize,
    files_skipped: serde_json::Map<String, serde_json::Value>,
    warnings: usize,
}

pub fn write(result: &ScanResult, out: &mut dyn Write) -> std::io::Result<()> {
    let findings = result
        .findings
        .iter()
        .map(|f| JsonFinding {
            rule_id: &f.rule_id,
            severity: f.severity,
            path: &f.path,
            line: f.span.line,
            column: f.span.column,
            end_line: f.span.end_line,
            end_column: f.span.end_column,
            message: &f.message,
            fingerprint: &f.fingerprint,
            commit: commit_of(&f.origin),
            also_at: f
                .also_at
                .iter()
                .map(|p| JsonPlace {
                    path: &p.path,
                    line: p.span.line,
                    column: p.span.column,
                    commit: commit_of(&p.origin),
                })
                .collect(),
        })
        .collect();
    let by_severity = super::counts_by_severity(result)
        .into_iter()
        .map(|(s, n)| (s.to_string(), n.into()))
        .collect();
    let files_skipped = result
        .summary
        .skipped
        .iter()
        .map(|(reason, n)| (reason.as_str().replace(' ', "_"), (*n).into()))
        .collect();
    // Time is left out on purpose: the report must be identical from run to run.
    let report = Report {
        version: 1,
        findings,
        summary: JsonSummary {
            findings: result.findings.len(),
            by_severity,
            files_scanned: result.summary.files_scanned,
            files_skipped,
            warnings: result.summary.warnings,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
