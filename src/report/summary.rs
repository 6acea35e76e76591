//! `smartedu-lint summary FILE`: a Markdown summary of a report (counts by severity, the
//! most severe findings), which the GitHub Action appends to `$GITHUB_STEP_SUMMARY`.
//!
//! It reads the report rather than rescanning, so the summary always describes the very
//! report that was uploaded, and a scan is never run twice. Both reports the tool writes to
//! a file are read: SARIF (`--format sarif`, also other tools' SARIF) and the JSON report
//! (`--format json`). Anything else is refused with the reason, never summarised as "no
//! findings".

use serde_json::Value;

use crate::finding::Severity;

/// Why a file is not a report the summary can read.
#[derive(Debug, PartialEq, Eq)]
pub enum NotAReport {
    Empty,
    NotText,
    /// Not JSON; where the parser stopped.
    NotJson {
        line: usize,
        column: usize,
    },
    /// JSON, but neither SARIF (`runs`) nor the JSON report (`version`, `findings`).
    OtherJson,
}

impl std::fmt::Display for NotAReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAReport::Empty => write!(f, "empty file"),
            NotAReport::NotText => write!(f, "not UTF-8 text"),
            NotAReport::NotJson { line, column } => {
                write!(f, "not JSON (line {line}, column {column})")
            }
            NotAReport::OtherJson => {
                write!(f, "JSON, but neither SARIF nor a smartedu-lint report")
            }
        }
    }
}

/// One result as the summary shows it.
struct Row<'a> {
    severity: Option<Severity>,
    level: &'a str,
    rule: &'a str,
    location: String,
    message: &'a str,
}

/// The Markdown summary of the report `bytes` (SARIF or the JSON report), listing at most
/// `top` findings.
pub fn of_report(bytes: &[u8], top: usize) -> Result<String, NotAReport> {
    let text = std::str::from_utf8(bytes).map_err(|_| NotAReport::NotText)?;
    if text.trim().is_empty() {
        return Err(NotAReport::Empty);
    }
    let report: Value = serde_json::from_str(text).map_err(|e| NotAReport::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    if report["runs"].is_array() {
        return Ok(markdown(&report, top));
    }
    let ours = report["version"].is_u64() && report["findings"].is_array();
    if !ours {
        return Err(NotAReport::OtherJson);
    }
    let rows = report["findings"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(json_row)
        .collect();
    Ok(table(rows, &[], top, "in the JSON report"))
}

/// The Markdown summary of `sarif`, listing at most `top` findings.
pub fn markdown(sarif: &Value, top: usize) -> String {
    let runs: Vec<&Value> = sarif["runs"].as_array().into_iter().flatten().collect();
    let rows: Vec<Row> = runs.iter().copied().flat_map(results).map(row).collect();
    let notes: Vec<&str> = runs.iter().copied().flat_map(notifications).collect();
    table(
        rows,
        &notes,
        top,
        "in the SARIF report (and in code scanning, when it was uploaded)",
    )
}

/// The summary of `rows`, with `notes` (truncation notices) first; `rest` says where the
/// findings beyond the `top` shown are.
fn table(mut rows: Vec<Row>, notes: &[&str], top: usize, rest: &str) -> String {
    // Most severe first; `sort_by_key` is stable, so ties keep the report's order.
    rows.sort_by_key(|r| std::cmp::Reverse(r.severity));

    let mut out = String::from("### smartedu-lint\n\n");
    for note in notes {
        out.push_str(&format!("> [!WARNING]\n> {}\n\n", one_line(note)));
    }
    if rows.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    let noun = if rows.len() == 1 {
        "finding"
    } else {
        "findings"
    };
    out.push_str(&format!("**{} {noun}**\n\n", rows.len()));
    out.push_str("| severity | findings |\n| --- | ---: |\n");
    for (name, n) in counts(&rows) {
        out.push_str(&format!("| {name} | {n} |\n"));
    }

    let shown = rows.len().min(top);
    if shown > 0 {
        out.push_str(&format!(
            "\n#### Top {shown}\n\n| severity | rule | location | message |\n| --- | --- | --- | --- |\n"
        ));
        for r in rows.iter().take(top) {
            out.push_str(&format!(
                "| {} | `{}` | `{}` | {} |\n",
                r.severity.map_or(r.level, |s| s.as_str()),
                code_cell(r.rule),
                code_cell(&r.location),
                table_cell(r.message)
            ));
        }
    }
    if rows.len() > shown {
        out.push_str(&format!("\n{} more {rest}.\n", rows.len() - shown));
    }
    out
}

/// A finding of the JSON report.
fn json_row(finding: &Value) -> Row<'_> {
    let path = finding["path"].as_str().unwrap_or("?");
    let location = match finding["line"].as_u64() {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    };
    let severity = finding["severity"].as_str().and_then(|s| s.parse().ok());
    Row {
        severity,
        level: finding["severity"].as_str().unwrap_or("warning"),
        rule: finding["rule_id"].as_str().unwrap_or("?"),
        location,
        message: finding["message"].as_str().unwrap_or(""),
    }
}

fn results(run: &Value) -> &[Value] {
    run["results"].as_array().map_or(&[], Vec::as_slice)
}

fn row(result: &Value) -> Row<'_> {
    let loc = &result["locations"][0]["physicalLocation"];
    let uri = loc["artifactLocation"]["uri"].as_str().unwrap_or("?");
    let location = match loc["region"]["startLine"].as_u64() {
        Some(line) => format!("{}:{line}", percent_decode(uri)),
        None => percent_decode(uri),
    };
    Row {
        severity: result["properties"]["severity"]
            .as_str()
            .and_then(|s| s.parse().ok()),
        level: result["level"].as_str().unwrap_or("warning"),
        rule: result["ruleId"].as_str().unwrap_or("?"),
        location,
        message: result["message"]["text"].as_str().unwrap_or(""),
    }
}

/// Counts by severity, most severe first; results without our severity count by level.
fn counts(rows: &[Row]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Severity::ALL
        .iter()
        .map(|&s| {
            let n = rows.iter().filter(|r| r.severity == Some(s)).count();
            (s.to_string(), n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    for r in rows.iter().filter(|r| r.severity.is_none()) {
        match out.iter_mut().find(|(name, _)| name == r.level) {
            Some((_, n)) => *n += 1,
            None => out.push((r.level.to_string(), 1)),
        }
    }
    out
}

fn notifications(run: &Value) -> Vec<&str> {
    run["invocations"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|inv| {
            inv["toolExecutionNotifications"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .filter_map(|n| n["message"]["text"].as_str())
        .collect()
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// Text safe in a table cell: no line breaks, no column separators, no HTML.
fn table_cell(s: &str) -> String {
    one_line(s)
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text safe inside a one-backtick code span in a table cell.
fn code_cell(s: &str) -> String {
    one_line(s).replace('`', "'").replace('|', "\\|")
}

/// Undoes the SARIF writer's percent-encoding of paths (`a%20b` → `a b`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn result(severity: &str, rule: &str, uri: &str, line: u64, message: &str) -> Value {
        json!({
            "ruleId": rule,
            "level": "error",
            "message": {"text": message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": line}
            }}],
            "properties": {"severity": severity}
        })
    }

    #[test]
    fn counts_by_severity_and_lists_the_most_severe_first() {
        let sarif = json!({"runs": [{"results": [
            result("medium", "compose/unpinned-image", "compose.yml", 4, "unpinned"),
            result("critical", "secrets/aws-access-key", "a%20b/x.py", 2, "key AKIA…"),
            result("high", "docker/root-user", "Dockerfile", 1, "runs | as <root>"),
            result("high", "docker/root-user", "sub/Dockerfile", 1, "second"),
        ]}]});
        let md = markdown(&sarif, 2);
        assert!(md.contains("**4 findings**"), "{md}");
        assert!(
            md.contains("| critical | 1 |\n| high | 2 |\n| medium | 1 |\n"),
            "{md}"
        );
        assert!(!md.contains("| low |"), "no empty rows: {md}");
        assert!(md.contains("#### Top 2"), "{md}");
        let critical = md.find("`a b/x.py:2`").expect("decoded path");
        let high = md.find("`Dockerfile:1`").expect("second row");
        assert!(critical < high, "{md}");
        assert!(md.contains("runs \\| as &lt;root&gt;"), "{md}");
        assert!(!md.contains("second"), "only the top 2: {md}");
        assert!(md.contains("\n2 more in the SARIF report"), "{md}");
    }

    #[test]
    fn a_clean_report_says_so() {
        let sarif = json!({"runs": [{"results": []}]});
        assert_eq!(markdown(&sarif, 10), "### smartedu-lint\n\nNo findings.\n");
    }

    #[test]
    fn truncation_notices_are_shown() {
        let sarif = json!({"runs": [{
            "invocations": [{"toolExecutionNotifications": [
                {"level": "warning", "message": {"text": "30000 findings exceed the limit"}}
            ]}],
            "results": [result("low", "r/x", "f", 1, "m")]
        }]});
        let md = markdown(&sarif, 10);
        assert!(
            md.contains("> [!WARNING]\n> 30000 findings exceed the limit"),
            "{md}"
        );
        assert!(md.contains("| low | 1 |"), "{md}");
    }

    #[test]
    fn other_tools_results_count_by_level() {
        let sarif = json!({"runs": [{"results": [
            {"ruleId": "x", "level": "note", "message": {"text": "m"}, "locations": []}
        ]}]});
        let md = markdown(&sarif, 10);
        assert!(md.contains("| note | 1 |"), "{md}");
        assert!(md.contains("| note | `x` | `?` | m |"), "{md}");
    }

    #[test]
    fn the_json_report_is_read_and_other_files_are_refused() {
        let report = json!({"version": 1, "findings": [
            {"rule_id": "docker/root-user", "severity": "high", "path": "Dockerfile",
             "line": 1, "message": "root"},
            {"rule_id": "secrets/x", "severity": "critical", "path": "a.py", "line": 3,
             "message": "key"}
        ]});
        let md = of_report(report.to_string().as_bytes(), 10).unwrap();
        assert!(md.contains("**2 findings**"), "{md}");
        assert!(md.contains("| critical | 1 |\n| high | 1 |\n"), "{md}");
        let critical = md.find("`a.py:3`").expect("a row per finding");
        assert!(critical < md.find("`Dockerfile:1`").unwrap(), "{md}");
        let clean = json!({"version": 1, "findings": []}).to_string();
        assert_eq!(
            of_report(clean.as_bytes(), 10).unwrap(),
            "### smartedu-lint\n\nNo findings.\n"
        );

        assert_eq!(of_report(b"", 10), Err(NotAReport::Empty));
        assert_eq!(of_report(b" \n", 10), Err(NotAReport::Empty));
        assert_eq!(of_report(b"\xff\xfe", 10), Err(NotAReport::NotText));
        assert_eq!(
            of_report(b"{\n  x", 10),
            Err(NotAReport::NotJson { line: 2, column: 3 })
        );
        for other in ["{}", "[]", "3", "{\"findings\": []}", "{\"runs\": {}}"] {
            assert_eq!(
                of_report(other.as_bytes(), 10),
                Err(NotAReport::OtherJson),
                "{other}"
            );
        }
    }

    #[test]
    fn percent_decoding_leaves_stray_percents() {
        assert_eq!(percent_decode("a%20b%2"), "a b%2");
        assert_eq!(percent_decode("%C3%BC%zz"), "ü%zz");
    }
}
