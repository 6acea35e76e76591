//! The integrations, end to end through the binary: `--format github`, the rule catalogue
//! (`rules --format json|markdown`, docs/rules.md, SARIF `helpUri`), `summary`, and the
//! paths reports carry when a hook or an action names folders and files.
//!
//! Tests that need outside tools (actionlint, pre-commit, shellcheck) are in
//! tests/ci_tools.rs.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// Two findings: root-user (high) and unpinned-image (medium).
const ROOT_DOCKERFILE: &str = "FROM python:latest\nCOPY . /app\n";

fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, text) in files {
        let full = dir.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    }
    dir
}

fn lint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("smartedu-lint").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SMARTEDU_LINT_LOG");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

#[test]
fn github_format_prints_escaped_annotations_and_exits_by_severity() {
    let dir = tree(&[("a,b/Dockerfile", ROOT_DOCKERFILE)]);
    let out = lint(dir.path())
        .args(["--format", "github"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    // Sorted by severity: root-user (high) before unpinned-image (medium).
    assert!(
        lines[0].starts_with("::error file=a%2Cb/Dockerfile,line=1,endLine=1,col=1,"),
        "{text}"
    );
    assert!(
        lines[0].contains(",title=docker/root-user (high)%3A "),
        "{text}"
    );
    assert!(
        lines[1].starts_with("::warning file=a%2Cb/Dockerfile,"),
        "{text}"
    );
}

#[test]
fn rules_json_lists_every_rule() {
    let dir = tree(&[]);
    let json: Value = serde_json::from_str(&stdout(
        lint(dir.path()).args(["rules", "--format", "json"]),
    ))
    .unwrap();
    let table = stdout(lint(dir.path()).arg("rules"));
    let rules = json["rules"].as_array().unwrap();
    assert_eq!(rules.len(), table.lines().count());
    let ids: HashSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for line in table.lines() {
        let id = line.split_whitespace().next().unwrap();
        assert!(ids.contains(id), "{id} missing from the JSON");
    }
    assert!(
        rules
            .iter()
            .all(|r| r["why"].is_string() && r["fix"].is_string())
    );
}

fn docs_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md")
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let dir = tree(&[]);
    let generated = stdout(lint(dir.path()).args(["rules", "--format", "markdown"]));
    let path = docs_path();
    let committed = fs::read_to_string(&path).unwrap_or_default();
    if generated == committed {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        fs::write(&path, &generated).unwrap();
        return;
    }
    panic!(
        "docs/rules.md is out of date with the rule metadata. Regenerate it with\n  \
         UPDATE_DOCS=1 cargo test --test integrations docs_rules_md\nor\n  {}",
        smartedu_lint::report::rules_doc::REGENERATE
    );
}

/// The anchors GitHub generates for the headings of a Markdown file: lower case, spaces to
/// `-`, everything but letters, digits, `-` and `_` dropped, repeats numbered.
fn github_anchors(markdown: &str) -> HashSet<String> {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let mut anchors = HashSet::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if in_code || !line.starts_with('#') {
            continue;
        }
        let text = line.trim_start_matches('#').trim();
        let slug: String = text
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let n = seen.entry(slug.clone()).or_insert(0);
        anchors.insert(if *n == 0 {
            slug.clone()
        } else {
            format!("{slug}-{n}")
        });
        *n += 1;
    }
    anchors
}

#[test]
fn sarif_help_uris_point_at_headings_of_docs_rules_md() {
    let anchors = github_anchors(&fs::read_to_string(docs_path()).unwrap());
    let dir = tree(&[]);
    let sarif: Value =
        serde_json::from_str(&stdout(lint(dir.path()).args(["--format", "sarif"]))).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.len() > 10);
    for rule in rules {
        let uri = rule["helpUri"].as_str().unwrap();
        let (page, anchor) = uri.split_once('#').unwrap();
        assert!(page.ends_with("/docs/rules.md"), "{uri}");
        assert!(
            anchors.contains(anchor),
            "{uri}: no such heading in docs/rules.md"
        );
    }
}

#[test]
fn summary_of_a_sarif_report_counts_and_lists_findings() {
    let dir = tree(&[("Dockerfile", ROOT_DOCKERFILE)]);
    lint(dir.path())
        .args(["--format", "sarif", "--output", "out.sarif"])
        .assert()
        .code(1);
    let md = stdout(lint(dir.path()).args(["summary", "out.sarif"]));
    assert!(
        md.starts_with("### smartedu-lint\n\n**2 findings**"),
        "{md}"
    );
    assert!(md.contains("| high | 1 |\n| medium | 1 |\n"), "{md}");
    assert!(
        md.contains("| high | `docker/root-user` | `Dockerfile:1` |"),
        "{md}"
    );

    fs::write(dir.path().join("bad.sarif"), "{ not json").unwrap();
    let out = lint(dir.path())
        .args(["summary", "bad.sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.sarif: not JSON (line 1"));
}

#[test]
fn suppressed_findings_are_not_in_the_sarif_file() {
    let dir = tree(&[(
        "Dockerfile",
        "# smartedu-lint: ignore[docker/root-user]\nFROM python:latest\n",
    )]);
    let sarif: Value =
        serde_json::from_str(&stdout(lint(dir.path()).args(["--format", "sarif"]))).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty(), "the unsuppressed finding is there");
    for r in results {
        assert_ne!(r["ruleId"], "docker/root-user");
        assert!(r["suppressions"].is_null());
    }
}

#[test]
fn paths_are_relative_to_the_repository_holding_the_scan_root() {
    let dir = tree(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("services/api/Dockerfile", ROOT_DOCKERFILE),
    ]);
    let path_of = |cwd: &Path, arg: &str| {
        let json: Value =
            serde_json::from_str(&stdout(lint(cwd).args(["--format", "json", arg]))).unwrap();
        json["findings"][0]["path"].clone()
    };
    // GitHub places results by repository path, wherever the scan starts.
    assert_eq!(
        path_of(dir.path(), "services/api"),
        "services/api/Dockerfile"
    );
    assert_eq!(
        path_of(&dir.path().join("services"), "./api/"),
        "services/api/Dockerfile"
    );
    assert_eq!(
        path_of(&dir.path().join("services/api"), "."),
        "services/api/Dockerfile"
    );
}

#[test]
fn outside_a_repository_paths_are_relative_to_the_scan_root() {
    let dir = tree(&[("services/api/Dockerfile", ROOT_DOCKERFILE)]);
    let json: Value = serde_json::from_str(&stdout(lint(dir.path()).args([
        "--format",
        "json",
        "services/api",
    ])))
    .unwrap();
    assert_eq!(json["findings"][0]["path"], "Dockerfile");
}

#[test]
fn files_named_one_by_one_honour_the_configured_excludes() {
    let dir = tree(&[
        (".smartedu-lint.toml", "exclude = [\"fixtures/\"]\n"),
        ("fixtures/Dockerfile", ROOT_DOCKERFILE),
        ("app/Dockerfile", ROOT_DOCKERFILE),
    ]);
    let json: Value = serde_json::from_str(&stdout(lint(dir.path()).args([
        "--format",
        "json",
        "fixtures/Dockerfile",
        "app/Dockerfile",
    ])))
    .unwrap();
    let paths: HashSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, HashSet::from(["app/Dockerfile"]));
}

#[test]
fn only_restricts_the_scan_to_the_named_rules() {
    let key = format!("AKIA{}", "Z7KQ3MPLW4RTVN2X");
    let dir = tree(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        ("settings.py", &format!("AWS_ACCESS_KEY_ID = \"{key}\"\n")),
    ]);
    let json: Value = serde_json::from_str(&stdout(
        lint(dir.path()).args(["--format", "json", "--only", "secrets/"]),
    ))
    .unwrap();
    let rules: HashSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, HashSet::from(["secrets/aws-access-key"]));
    let json: Value = serde_json::from_str(&stdout(lint(dir.path()).args([
        "--format",
        "json",
        "--only",
        "docker/root-user,docker/unpinned-image",
    ])))
    .unwrap();
    assert_eq!(json["summary"]["findings"], 2);
}
