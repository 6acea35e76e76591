//! `smartedu-lint summary FILE.sarif`: a Markdown summary of a SARIF report (counts by
//! severity, the most severe findings), which the GitHub Action appends to
//! `$GITHUB_STEP_SUMMARY`.
//!
//! It reads the SARIF file rather than rescanning, so the summary always describes the very
//! report that was uploaded, and a scan is never run twice.

use serde_json::Value;

use crate::finding::Severity;

/// One result as the summary shows it.
struct Row<'a> {
    severity: Option<Severity>,
    level: &'a str,
    rule: &'a str,
    location: String,
    message: &'a str,
}

/// The Markdown summary of `sarif`, listing at most `top` findings.
pub fn markdown(sarif: &Value, top: usize) -> String {
    let runs: Vec<&Value> = sarif["runs"].as_array().into_iter().flatten().collect();
    let mut rows: Vec<Row> = runs.iter().copied().flat_map(results).map(row).collect();
    // Most severe first; `sort_by_key` is stable, so ties keep the report's order.
    rows.sort_by_key(|r| std::cmp::Reverse(r.severity));

    let mut out = String::from("### smartedu-lint\n\n");
    for note in runs.iter().copied().flat_map(notifications) {
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
        out.push_str(&format!(
            "\n{} more in the SARIF report (and in code scanning, when it was uploaded).\n",
            rows.len() - shown
        ));
    }
    out
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
    fn percent_decoding_leaves_stray_percents() {
        assert_eq!(percent_decode("a%20b%2"), "a b%2");
        assert_eq!(percent_decode("%C3%BC%zz"), "ü%zz");
    }
}
