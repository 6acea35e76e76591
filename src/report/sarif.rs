//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.
//!
//! One run; every rule in `tool.driver.rules` with its documentation; results with
//! `%SRCROOT%`-relative URIs, 1-based positions, GitHub's `primaryLocationLineHash` and our
//! own content fingerprint under a versioned key.
//!
//! GitHub's upload limits are kept here too: at most [`MAX_RESULTS`] results per run (the
//! least severe are dropped, and the run says so in a tool notification), and a warning when
//! the file would exceed [`MAX_GZIPPED_BYTES`] once gzipped. Suppressed findings never reach
//! this module: the engine drops them, so the file has no `suppressions`.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
};

use super::rules_doc::anchor;
use crate::discover::Origin;
use crate::engine::ScanResult;
use crate::finding::{Finding, Severity, Span};
use crate::rules::{RuleMeta, catalog, explain_text};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/smartedu/smartedu-lint";
/// The key of our own fingerprint; bump the version when its recipe changes.
pub const FINGERPRINT_KEY: &str = "smartedu-lint/v1";

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub rejects an upload larger than this once gzipped ("10 MB"; the decimal reading is
/// the stricter one).
pub const MAX_GZIPPED_BYTES: usize = 10_000_000;

pub fn write(result: &ScanResult, out: &mut dyn Write) -> std::io::Result<()> {
    let (sarif, dropped) = build_capped(result, MAX_RESULTS);
    if dropped > 0 {
        tracing::warn!("{}", truncation_note(result.findings.len(), dropped));
    }
    let mut bytes = serde_json::to_vec_pretty(&sarif).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    // Deflate adds at most 5 bytes per 64 KiB block and gzip an 18-byte frame, so only a
    // file within 0.1% of the limit or above it can be too large gzipped; only those are
    // compressed to measure, and the usual run pays nothing.
    if bytes.len() > MAX_GZIPPED_BYTES - MAX_GZIPPED_BYTES / 1000 {
        let gzipped = gzipped_len(&bytes)?;
        if gzipped > MAX_GZIPPED_BYTES {
            tracing::warn!(
                "the SARIF file is {} bytes gzipped; GitHub code scanning rejects uploads over \
                 {MAX_GZIPPED_BYTES} bytes: exclude paths or disable rules in the configuration \
                 to report fewer findings",
                gzipped
            );
        }
    }
    out.write_all(&bytes)
}

/// The size of `bytes` gzipped at the default level, as `upload-sarif` compresses it.
fn gzipped_len(bytes: &[u8]) -> std::io::Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn truncation_note(total: usize, dropped: usize) -> String {
    format!(
        "{total} findings exceed GitHub code scanning's limit of {MAX_RESULTS} results per run: \
         the {dropped} least severe are left out of the SARIF file"
    )
}

/// The SARIF log for `result`, with every finding.
pub fn build(result: &ScanResult) -> Sarif {
    build_capped(result, usize::MAX).0
}

/// The SARIF log for `result` with at most `limit` results, and how many were dropped.
/// The most severe findings are kept; ties keep the report's order.
pub fn build_capped(result: &ScanResult, limit: usize) -> (Sarif, usize) {
    let metas: Vec<&RuleMeta> = catalog().values().collect();
    let index: BTreeMap<&str, usize> = metas
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let rules = metas.iter().map(|m| descriptor(m)).collect::<Vec<_>>();
    let kept = most_severe(&result.findings, limit);
    let dropped = result.findings.len() - kept.len();
    let results = kept
        .iter()
        .map(|f| sarif_result(f, index.get(f.rule_id.as_str()).copied()))
        .collect::<Vec<_>>();

    let driver = ToolComponent::builder()
        .name("smartedu-lint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    let invocation = if dropped > 0 {
        let note = Notification::builder()
            .level(json!("warning"))
            .message(
                Message::builder()
                    .text(truncation_note(result.findings.len(), dropped))
                    .build(),
            )
            .build();
        Invocation::builder()
            .execution_successful(true)
            .tool_execution_notifications(vec![note])
            .build()
    } else {
        Invocation::builder().execution_successful(true).build()
    };
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(RunAutomationDetails::builder().id("smartedu-lint/").build())
        .column_kind(json!("unicodeCodePoints"))
        .original_uri_base_ids(BTreeMap::from([(
            "%SRCROOT%".to_string(),
            ArtifactLocation::builder()
                .description(Message::builder().text("The scan root").build())
                .build(),
        )]))
        .invocations(vec![invocation])
        .results(results)
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    (sarif, dropped)
}

/// The `limit` most severe findings, in their original order.
fn most_severe(findings: &[Finding], limit: usize) -> Vec<&Finding> {
    if findings.len() <= limit {
        return findings.iter().collect();
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    // Stable: among equal severities the earlier finding wins.
    order.sort_by_key(|&i| std::cmp::Reverse(findings.get(i).map(|f| f.severity)));
    order.truncate(limit);
    order.sort_unstable();
    order.iter().filter_map(|&i| findings.get(i)).collect()
}

fn descriptor(m: &RuleMeta) -> ReportingDescriptor {
    let mut help_text = format!("{}\n\nHow to fix: {}", m.why.trim(), m.fix.trim());
    if !m.checklist.is_empty() {
        help_text.push_str(&format!("\n\nChecklist item: {}", m.checklist));
    }
    let mut tags = m.tags.clone();
    if !tags.iter().any(|t| t == "security") {
        tags.push("security".to_string());
    }
    tags.extend(
        m.cwe
            .iter()
            .map(|c| format!("external/cwe/{}", c.to_ascii_lowercase())),
    );
    let properties = PropertyBag::builder()
        .tags(tags)
        .additional_properties(BTreeMap::from([
            ("precision".to_string(), json!("high")),
            (
                "security-severity".to_string(),
                json!(security_severity(m.severity)),
            ),
        ]))
        .build();
    ReportingDescriptor::builder()
        .id(&m.id)
        .name(rule_name(&m.id))
        .short_description(text_message(&m.title))
        .full_description(text_message(m.why.trim()))
        .help(
            MultiformatMessageString::builder()
                .text(help_text)
                .markdown(explain_text(m))
                .build(),
        )
        .help_uri(format!(
            "{INFORMATION_URI}/blob/main/docs/rules.md#{}",
            anchor(&m.id)
        ))
        .default_configuration(
            ReportingConfiguration::builder()
                .enabled(m.enabled)
                .level(json!(level(m.severity)))
                .build(),
        )
        .properties(properties)
        .build()
}

/// One place of a finding; a history place carries its commit in `properties`.
///
/// A place in an old commit gets no `region`: GitHub would put it on that line of the file
/// as it is now, which may no longer exist or hold something else. Its line and column go
/// in `properties` instead.
fn location(path: &str, raw_path: Option<&[u8]>, span: &Span, origin: &Origin) -> Location {
    let uri = encode_uri(raw_path.unwrap_or(path.as_bytes()));
    let mut commit = commit_properties(origin);
    if !commit.is_empty() {
        commit.insert("line".to_string(), json!(span.line));
        commit.insert("column".to_string(), json!(span.column));
        let physical = PhysicalLocation::builder()
            .artifact_location(
                ArtifactLocation::builder()
                    .uri(uri.clone())
                    .uri_base_id("%SRCROOT%")
                    .build(),
            )
            .build();
        return Location::builder()
            .physical_location(physical)
            .properties(PropertyBag::builder().additional_properties(commit).build())
            .build();
    }
    let region = Region::builder()
        .start_line(span.line as i64)
        .start_column(span.column as i64)
        .end_line(span.end_line as i64)
        .end_column(span.end_column as i64)
        .build();
    let physical = PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(uri.clone())
                .uri_base_id("%SRCROOT%")
                .build(),
        )
        .region(region)
        .build();
    Location::builder().physical_location(physical).build()
}

fn commit_properties(origin: &Origin) -> BTreeMap<String, serde_json::Value> {
    match origin {
        Origin::Commit(c) => BTreeMap::from([
            ("commit".to_string(), json!(c.id)),
            ("author".to_string(), json!(c.author)),
            ("date".to_string(), json!(c.date())),
        ]),
        Origin::WorkingTree | Origin::Index => BTreeMap::new(),
    }
}

fn sarif_result(f: &Finding, rule_index: Option<usize>) -> SarifResult {
    // The same secret elsewhere is the same result: every place is one of its locations.
    let locations: Vec<Location> =
        std::iter::once(location(&f.path, f.raw_path.as_deref(), &f.span, &f.origin))
            .chain(
                f.also_at
                    .iter()
                    .map(|p| location(&p.path, p.raw_path.as_deref(), &p.span, &p.origin)),
            )
            .collect();
    let mut fingerprints = BTreeMap::from([(FINGERPRINT_KEY.to_string(), f.fingerprint.clone())]);
    // The line hash describes a line of the current file; a history finding has none there.
    let in_history = matches!(f.origin, Origin::Commit(_));
    if !f.line_hash.is_empty() && !in_history {
        fingerprints.insert("primaryLocationLineHash".to_string(), f.line_hash.clone());
    }
    let mut properties = commit_properties(&f.origin);
    properties.insert("severity".to_string(), json!(f.severity.as_str()));
    let properties = PropertyBag::builder()
        .additional_properties(properties)
        .build();
    let builder = SarifResult::builder()
        .rule_id(&f.rule_id)
        .level(level_enum(f.severity))
        .message(Message::builder().text(&f.message).build())
        .locations(locations)
        .partial_fingerprints(fingerprints)
        .properties(properties);
    match rule_index {
        Some(i) => builder.rule_index(i as i64).build(),
        None => builder.build(),
    }
}

fn text_message(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn level_enum(s: Severity) -> serde_sarif::sarif::ResultLevel {
    use serde_sarif::sarif::ResultLevel;
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub reads this number to show a severity: 9.0+ critical, 7.0+ high, 4.0+ medium.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// `docker/root-user` → `DockerRootUser`.
fn rule_name(id: &str) -> String {
    id.split(['/', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Percent-encodes what a relative URI reference may not hold as is (RFC 3986), byte by
/// byte: a file name that is not UTF-8 keeps its exact bytes.
fn encode_uri(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encoding_keeps_slashes_and_escapes_the_rest() {
        assert_eq!(encode_uri(b"a b/c#d%.py"), "a%20b/c%23d%25.py");
        assert_eq!(encode_uri("docs/ü.md".as_bytes()), "docs/%C3%BC.md");
        assert_eq!(encode_uri(b"bin/Dockerfile.\xff"), "bin/Dockerfile.%FF");
    }

    fn finding(path: &str, rule: &str) -> Finding {
        use crate::finding::Snippet;
        Finding {
            rule_id: rule.to_string(),
            severity: Severity::High,
            path: path.to_string(),
            span: Span {
                line: 3,
                column: 1,
                end_line: 3,
                end_column: 9,
            },
            bytes: 20..28,
            message: "the message".to_string(),
            snippet: Snippet {
                first_column: 1,
                first_line: 3,
                text: "USER root".to_string(),
            },
            fingerprint: "00ff".to_string(),
            line_hash: "5e4d5a9cf1294ad9:1".to_string(),
            origin: Default::default(),
            also_at: Vec::new(),
            raw_path: None,
        }
    }

    #[test]
    fn results_carry_positions_fingerprints_and_rule_index() {
        let result = ScanResult {
            findings: vec![
                finding("a b/Dockerfile", "docker/root-user"),
                finding("x", "user/rule"),
            ],
            summary: Default::default(),
        };
        let log = serde_json::to_value(build(&result)).unwrap();
        let r = &log["runs"][0]["results"][0];
        assert_eq!(r["ruleId"], "docker/root-user");
        assert_eq!(r["level"], "error");
        assert_eq!(r["partialFingerprints"][FINGERPRINT_KEY], "00ff");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
        let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(uri, "a%20b/Dockerfile");
        assert!(log["runs"][0]["results"][1]["ruleIndex"].is_null());
        assert_eq!(log["runs"][0]["automationDetails"]["id"], "smartedu-lint/");
    }

    fn with_severity(line: usize, severity: Severity) -> Finding {
        let mut f = finding("Dockerfile", "docker/root-user");
        f.span.line = line;
        f.severity = severity;
        f
    }

    #[test]
    fn over_the_cap_the_least_severe_are_dropped_and_the_run_says_so() {
        let findings = vec![
            with_severity(1, Severity::Low),
            with_severity(2, Severity::Critical),
            with_severity(3, Severity::Medium),
            with_severity(4, Severity::Critical),
            with_severity(5, Severity::High),
        ];
        let result = ScanResult {
            findings,
            summary: Default::default(),
        };
        let (sarif, dropped) = build_capped(&result, 3);
        assert_eq!(dropped, 2);
        let log = serde_json::to_value(sarif).unwrap();
        let lines: Vec<u64> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(lines, [2, 4, 5], "most severe kept, in report order");
        let notes = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
        assert_eq!(notes[0]["level"], "warning");
        let text = notes[0]["message"]["text"].as_str().unwrap();
        assert!(text.contains("the 2 least severe are left out"), "{text}");
    }

    #[test]
    fn github_limit_is_25000_results() {
        let findings = (0..MAX_RESULTS + 1)
            .map(|i| {
                with_severity(
                    i + 1,
                    if i == 0 {
                        Severity::Low
                    } else {
                        Severity::High
                    },
                )
            })
            .collect();
        let result = ScanResult {
            findings,
            summary: Default::default(),
        };
        let (sarif, dropped) = build_capped(&result, MAX_RESULTS);
        assert_eq!(dropped, 1);
        let results = &sarif.runs[0].results;
        assert_eq!(results.as_ref().map(Vec::len), Some(25_000));
        // The one low finding (line 1) is the one left out.
        let log = serde_json::to_value(&sarif).unwrap();
        assert_eq!(
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
    }

    #[test]
    fn under_the_cap_nothing_is_dropped_or_noted() {
        let result = ScanResult {
            findings: vec![with_severity(1, Severity::Low)],
            summary: Default::default(),
        };
        let (sarif, dropped) = build_capped(&result, MAX_RESULTS);
        assert_eq!(dropped, 0);
        let log = serde_json::to_value(sarif).unwrap();
        assert!(log["runs"][0]["invocations"][0]["toolExecutionNotifications"].is_null());
    }

    #[test]
    fn gzipped_length_is_measured() {
        let text = "{\"ruleId\": \"docker/root-user\"}\n".repeat(10_000);
        let n = gzipped_len(text.as_bytes()).unwrap();
        assert!(n > 20 && n < text.len() / 50, "{n} bytes");
        // The gzip frame alone is 20 bytes: an empty input is not empty gzipped.
        assert_eq!(gzipped_len(b"").unwrap(), 20);
    }

    #[test]
    fn rule_names_are_camel_case() {
        assert_eq!(rule_name("docker/root-user"), "DockerRootUser");
    }
}
