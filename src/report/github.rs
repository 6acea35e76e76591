//! `--format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…,col=…,title=…::message`), which GitHub shows on the pull
//! request's changed files without a code-scanning upload (fork pull requests included).
//!
//! Escaping follows GitHub's toolkit (`@actions/core`, `command.ts`): `%`, CR and LF in the
//! message; those and `:` and `,` in property values. Unescaped, a path with a comma would
//! end the `file` property early and a message with a newline would end the command.
//!
//! GitHub displays at most 10 error and 10 warning annotations per step (and 50 per job),
//! so a long list only floods the log. The most severe [`MAX_ANNOTATIONS`] findings are
//! annotated, most severe first, so the ones GitHub shows are the worst; one final notice
//! says how many were left out and where to see them all.

use std::io::Write;

use crate::engine::ScanResult;
use crate::finding::{Finding, Severity};
use crate::rules::catalog;

/// Annotations printed at most; the rest are counted in a final notice.
pub const MAX_ANNOTATIONS: usize = 50;

pub fn write(result: &ScanResult, out: &mut dyn Write) -> std::io::Result<()> {
    write_capped(result, out, MAX_ANNOTATIONS)
}

fn write_capped(result: &ScanResult, out: &mut dyn Write, cap: usize) -> std::io::Result<()> {
    let mut order: Vec<&Finding> = result.findings.iter().collect();
    // Stable: equal severities keep the report's order (path, line).
    order.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in order.iter().take(cap) {
        writeln!(out, "{}", annotation(f))?;
    }
    let left = order.len().saturating_sub(cap);
    if left > 0 {
        let text = format!(
            "smartedu-lint: {left} more findings are not annotated (the first {cap}, most \
             severe first, are); the SARIF report or `smartedu-lint --format human` lists all {}",
            order.len()
        );
        writeln!(out, "::notice title=smartedu-lint::{}", escape_data(&text))?;
    }
    Ok(())
}

/// One finding as a workflow command.
pub fn annotation(f: &Finding) -> String {
    let command = match f.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    };
    let title = match catalog().get(&f.rule_id) {
        Some(meta) => format!("{} ({}): {}", f.rule_id, f.severity, meta.title),
        None => format!("{} ({})", f.rule_id, f.severity),
    };
    let mut props = vec![
        ("file", f.path.clone()),
        ("line", f.span.line.to_string()),
        ("endLine", f.span.end_line.to_string()),
    ];
    // Columns mean something to GitHub only on a one-line annotation.
    if f.span.end_line == f.span.line {
        props.push(("col", f.span.column.to_string()));
        props.push(("endColumn", f.span.end_column.to_string()));
    }
    props.push(("title", title));
    let props = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect::<Vec<_>>()
        .join(",");
    let message = format!(
        "{}\n`smartedu-lint explain {}` says why and how to fix it.",
        f.message, f.rule_id
    );
    format!("::{command} {props}::{}", escape_data(&message))
}

/// The toolkit's `escapeData`: the message of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The toolkit's `escapeProperty`: a `key=value` property of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Snippet, Span};

    fn finding(path: &str, line: usize, severity: Severity, message: &str) -> Finding {
        Finding {
            rule_id: "docker/root-user".to_string(),
            severity,
            path: path.to_string(),
            span: Span {
                line,
                column: 1,
                end_line: line,
                end_column: 9,
            },
            bytes: 0..8,
            message: message.to_string(),
            snippet: Snippet {
                first_column: 1,
                first_line: line,
                text: String::new(),
            },
            fingerprint: String::new(),
            line_hash: String::new(),
            origin: Default::default(),
            also_at: Vec::new(),
            raw_path: None,
        }
    }

    #[test]
    fn message_escapes_percent_cr_and_lf_only() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        // `%` first: an escape's own `%` must not be escaped again.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("a,b:c%d\ne"),
            "a%2Cb%3Ac%25d%0Ae".to_string()
        );
    }

    #[test]
    fn annotation_carries_position_level_and_title() {
        let f = finding("dir,x/Dock:erfile", 3, Severity::High, "runs as root");
        let title = format!(
            "docker/root-user (high): {}",
            catalog()["docker/root-user"].title
        );
        assert_eq!(
            annotation(&f),
            format!(
                "::error file=dir%2Cx/Dock%3Aerfile,line=3,endLine=3,col=1,endColumn=9,\
                 title={}::runs as root%0A\
                 `smartedu-lint explain docker/root-user` says why and how to fix it.",
                escape_property(&title)
            )
        );
        assert!(escape_property(&title).contains("(high)%3A "));
    }

    #[test]
    fn severities_map_to_error_warning_and_notice() {
        let starts = |s| annotation(&finding("f", 1, s, "m"));
        assert!(starts(Severity::Critical).starts_with("::error "));
        assert!(starts(Severity::Medium).starts_with("::warning "));
        assert!(starts(Severity::Low).starts_with("::notice "));
        assert!(starts(Severity::Info).starts_with("::notice "));
    }

    #[test]
    fn multi_line_findings_have_no_columns() {
        let mut f = finding("f", 2, Severity::High, "m");
        f.span.end_line = 4;
        let a = annotation(&f);
        assert!(a.contains("line=2,endLine=4,title="), "{a}");
    }

    #[test]
    fn over_the_cap_the_most_severe_are_annotated_and_the_rest_counted() {
        let result = ScanResult {
            findings: vec![
                finding("a", 1, Severity::Low, "low"),
                finding("a", 2, Severity::High, "high one"),
                finding("b", 1, Severity::Medium, "medium"),
                finding("b", 2, Severity::High, "high two"),
            ],
            summary: Default::default(),
        };
        let mut out = Vec::new();
        write_capped(&result, &mut out, 3).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].starts_with("::error file=a,line=2"), "{text}");
        assert!(lines[1].starts_with("::error file=b,line=2"), "{text}");
        assert!(lines[2].starts_with("::warning file=b,line=1"), "{text}");
        assert!(
            lines[3].starts_with("::notice title=smartedu-lint::smartedu-lint: 1 more findings"),
            "{text}"
        );
    }
}
