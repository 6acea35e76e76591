//! User secret rules (`[[secrets.rules]]`) and gitleaks import (`[secrets] gitleaks_config`),
//! end to end through the binary.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A token of the user rule's format, assembled at run time.
fn acme_token() -> String {
    format!("acme_{}", "q8w7e6r5t4y3u2i1o9p8a7s6")
}

fn corp_token() -> String {
    format!("CORP-{}", "7f3a9c2e1b5d4f6a8c0e")
}

// The rule's example is a token of its format: the configuration itself is not scanned.
const CONFIG: &str = r#"
exclude = [".smartedu-lint.toml"]

[secrets]
gitleaks_config = "security/gitleaks.toml"

[[secrets.rules]]
id = "secrets/acme-token"
title = "ACME deploy token"
severity = "critical"
regex = '''\b(acme_[a-z0-9]{24})\b'''
keywords = ["acme_"]
examples = ["ACME=acme_z9y8x7w6v5u4t3s2r1q0p9o8"]
"#;

const GITLEAKS: &str = r#"
title = "corp rules"

[[rules]]
id = "corp-token"
description = "Corp internal token"
regex = '''CORP-[a-f0-9]{20}'''
keywords = ["corp-"]

[[rules.allowlists]]
paths = ['''^docs/''']

[[rules]]
id = "go-only"
regex = '''\Qliteral\E[0-9]+'''
"#;

fn repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    let files = [
        (".smartedu-lint.toml", CONFIG.to_string()),
        ("security/gitleaks.toml", GITLEAKS.to_string()),
        (
            "deploy.sh",
            format!("curl -H \"X-Acme: {}\" acme.io\n", acme_token()),
        ),
        (
            "app/settings.ini",
            format!("[corp]\nid = {}\n", corp_token()),
        ),
        (
            "docs/guide.md",
            format!("Tokens look like {}\n", corp_token()),
        ),
    ];
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

fn findings(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("secrets/"))
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn user_and_imported_rules_find_their_tokens_and_fail_the_run() {
    let dir = repo();
    let out = lint(dir.path()).args(["-f", "json", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = findings(&report);
    assert_eq!(
        found,
        [
            (
                "app/settings.ini".into(),
                "secrets/gitleaks/corp-token".into()
            ),
            ("deploy.sh".into(), "secrets/acme-token".into()),
        ]
    );
    // The secret is masked like any other.
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&acme_token()));
    // The rule the regex crate cannot compile is one warning, naming it; the rest ran.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warning: Vec<_> = stderr.lines().filter(|l| l.contains("go-only")).collect();
    assert_eq!(warning.len(), 1, "{stderr}");
    assert!(warning[0].starts_with("warning: ") && warning[0].contains("skipped"));
}

#[test]
fn rules_and_explain_list_the_custom_rules() {
    let dir = repo();
    let out = lint(dir.path()).arg("rules").output().unwrap();
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    let line = table
        .lines()
        .find(|l| l.starts_with("secrets/acme-token "))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(line.contains("critical") && line.contains("ACME deploy token"));
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("secrets/gitleaks/corp-token "))
    );

    let out = lint(dir.path())
        .args(["explain", "secrets/acme-token"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(".smartedu-lint.toml"));
}

#[test]
fn sarif_describes_the_custom_rules() {
    let dir = repo();
    let out = lint(dir.path())
        .args(["-f", "sarif", "."])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = rules
        .iter()
        .position(|r| r["id"] == "secrets/acme-token")
        .unwrap();
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "secrets/acme-token")
        .unwrap();
    assert_eq!(result["ruleIndex"].as_u64(), Some(index as u64));
}

#[test]
fn custom_rules_can_be_disabled_and_reranked() {
    let dir = repo();
    let config = format!(
        "{CONFIG}\n[rules]\ndisable = [\"secrets/gitleaks/corp-token\"]\n\
         [rules.severity]\n\"secrets/acme-token\" = \"low\"\n"
    );
    fs::write(dir.path().join(".smartedu-lint.toml"), config).unwrap();
    let out = lint(dir.path()).args(["-f", "json", "."]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        findings(&report),
        [("deploy.sh".into(), "secrets/acme-token".into())]
    );
    assert_eq!(report["findings"][0]["severity"], "low");
    let out = lint(dir.path())
        .args(["--fail-on", "medium", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_bad_user_regex_is_a_one_line_config_error_naming_the_rule() {
    let dir = repo();
    let config = CONFIG.replace("[a-z0-9]{24})", "[a-z0-9{24})");
    fs::write(dir.path().join(".smartedu-lint.toml"), config).unwrap();
    let out = lint(dir.path()).arg(".").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<_> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("`secrets/acme-token`"), "{stderr}");
    assert!(errors[0].contains("regex"), "{stderr}");
}

#[test]
fn a_user_rule_whose_example_does_not_match_is_a_config_error() {
    let dir = repo();
    let config = CONFIG.replace("acme_z9y8x7w6v5u4t3s2r1q0p9o8", "acme_z9y8");
    fs::write(dir.path().join(".smartedu-lint.toml"), config).unwrap();
    let out = lint(dir.path()).arg(".").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`secrets/acme-token`: example does not match"),
        "{stderr}"
    );
}

#[test]
fn a_missing_gitleaks_file_is_a_config_error() {
    let dir = repo();
    fs::remove_file(dir.path().join("security/gitleaks.toml")).unwrap();
    let out = lint(dir.path()).arg(".").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("gitleaks_config"), "{stderr}");
}
