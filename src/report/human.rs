//! `--format human`: rustc-style diagnostics with the source lines, and a summary.

use std::io::Write;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Config};
use termcolor::{Ansi, NoColor, WriteColor};

use super::Color;
use crate::discover::Origin;
use crate::engine::ScanResult;
use crate::finding::{Finding, Severity};

/// The lines of one finding, presented to codespan as a file whose line numbers start at
/// the finding's first line.
struct SnippetFile {
    name: String,
    text: String,
    first_line: usize,
    line_starts: Vec<usize>,
}

impl SnippetFile {
    fn new(finding: &Finding) -> Self {
        let text = printable(&finding.snippet.text);
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SnippetFile {
            name: printable(&finding.path),
            text,
            first_line: finding.snippet.first_line,
            line_starts,
        }
    }

    /// The byte range in the snippet that a finding's span covers.
    fn range_of(&self, f: &Finding) -> Range<usize> {
        // Columns count from the start of the original line; the snippet may start later.
        let shift = f.snippet.first_column.saturating_sub(1);
        let to_offset = |line: usize, column: usize| {
            let column = if line == f.snippet.first_line {
                column.saturating_sub(shift).max(1)
            } else {
                column
            };
            let index = line
                .saturating_sub(self.first_line)
                .min(self.line_starts.len() - 1);
            let start = self.line_starts[index];
            let line_text = &self.text[start..];
            let line_text = line_text.split('\n').next().unwrap_or("");
            let within = line_text
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(line_text.trim_end_matches('\r').len(), |(i, _)| i);
            start + within
        };
        let start = to_offset(f.span.line, f.span.column);
        let end = to_offset(f.span.end_line, f.span.end_column).max(start);
        start..end
    }
}

impl<'a> Files<'a> for SnippetFile {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(&self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, FilesError> {
        Ok(self
            .line_starts
            .binary_search(&byte_index)
            .unwrap_or_else(|next| next - 1))
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, FilesError> {
        Ok(self.first_line + line_index)
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, FilesError> {
        let start = *self
            .line_starts
            .get(line_index)
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: self.line_starts.len() - 1,
            })?;
        let end = self
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Ok(start..end)
    }
}

/// Writes every finding as a diagnostic, then the summary line.
pub fn write(result: &ScanResult, out: &mut dyn Write, color: Color) -> std::io::Result<()> {
    match color {
        Color::Always => write_styled(result, &mut Ansi::new(out)),
        Color::Never => write_styled(result, &mut NoColor::new(out)),
    }
}

fn write_styled(result: &ScanResult, out: &mut dyn WriteColor) -> std::io::Result<()> {
    let config = Config::default();
    for finding in &result.findings {
        let file = SnippetFile::new(finding);
        let diagnostic = Diagnostic::new(cs_severity(finding.severity))
            .with_code(&finding.rule_id)
            .with_message(printable(&finding.message))
            .with_labels(vec![Label::primary((), file.range_of(finding))])
            .with_notes(notes(finding).iter().map(|n| printable(n)).collect());
        term::emit_to_write_style(out, &config, &file, &diagnostic)
            .map_err(std::io::Error::other)?;
    }
    writeln!(out, "{}", summary_line(result))
}

/// `text` with every control character but newline and tab replaced by `?` bytes, one per
/// byte (so snippet offsets stay put): a scanned file, its name or a commit's author must
/// not move the cursor, erase lines or retitle the terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn notes(finding: &Finding) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(commit) = commit_note(&finding.origin) {
        notes.push(format!("introduced in {commit}"));
    }
    for place in &finding.also_at {
        let commit = commit_note(&place.origin)
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        notes.push(format!(
            "also at {}:{}{commit}",
            place.path, place.span.line
        ));
    }
    notes.push(format!(
        "severity: {}; run `smartedu-lint explain {}` for why and how to fix",
        finding.severity, finding.rule_id
    ));
    notes
}

/// `commit 1a2b3c4d5e6f by Jane Doe, 2024-01-31T12:00:00+01:00`
fn commit_note(origin: &Origin) -> Option<String> {
    match origin {
        Origin::Commit(c) => Some(format!(
            "commit {} by {}, {}",
            c.id.get(..12).unwrap_or(&c.id),
            c.author,
            c.date()
        )),
        Origin::WorkingTree | Origin::Index => None,
    }
}

fn cs_severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Critical | Severity::High => CsSeverity::Error,
        Severity::Medium | Severity::Low => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    }
}

/// `3 findings (1 high, 2 medium) in 120 files; skipped 4 (3 binary, 1 too large); 0.12s`
pub fn summary_line(result: &ScanResult) -> String {
    let n = result.findings.len();
    let by: Vec<String> = super::counts_by_severity(result)
        .into_iter()
        .filter(|(_, c)| *c > 0)
        .map(|(s, c)| format!("{c} {s}"))
        .collect();
    let mut line = format!("{n} finding{}", if n == 1 { "" } else { "s" });
    if !by.is_empty() {
        line.push_str(&format!(" ({})", by.join(", ")));
    }
    let s = &result.summary;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    line.push_str(&format!(
        " in {} file{} scanned",
        s.files_scanned,
        plural(s.files_scanned)
    ));
    let skipped: usize = s.skipped.values().sum();
    if skipped > 0 {
        let why: Vec<String> = s
            .skipped
            .iter()
            .map(|(reason, c)| format!("{c} {}", reason.as_str()))
            .collect();
        line.push_str(&format!("; {skipped} skipped ({})", why.join(", ")));
    }
    if s.warnings > 0 {
        line.push_str(&format!("; {} warning{}", s.warnings, plural(s.warnings)));
    }
    line.push_str(&format!("; {:.2}s", s.elapsed.as_secs_f64()));
    line
}
