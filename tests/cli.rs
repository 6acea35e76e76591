//! Runs the binary on temporary trees: every output format, exit code and error path.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A synthetic AWS access key id, assembled at run time so this file holds no secret.
fn fake_aws_key() -> String {
    format!("AKIA{}", "Z7KQ3MPLW4RTVN2X")
}

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

fn json_findings(dir: &Path, args: &[&str]) -> (Vec<(String, usize, String)>, Value) {
    let out = lint(dir)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap() as usize,
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (findings, report)
}

const ROOT_DOCKERFILE: &str =
    "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n";

#[test]
fn human_output_shows_the_source_line_and_a_summary() {
    let dir = tree(&[("Dockerfile", ROOT_DOCKERFILE)]);
    let out = lint(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("[docker/root-user]"), "{stdout}");
    assert!(stdout.contains("Dockerfile:1:"), "{stdout}");
    assert!(stdout.contains("FROM python:3.12-slim"), "{stdout}");
    assert!(
        stdout.contains("1 finding (1 high) in 1 file scanned"),
        "{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn clean_tree_exits_zero() {
    let dir = tree(&[(
        "Dockerfile",
        "FROM python:3.12-slim\nRUN useradd -u 10001 app\nUSER 10001\n",
    )]);
    lint(dir.path()).assert().code(0);
}

#[test]
fn json_report_is_exact_sorted_and_stable() {
    let dir = tree(&[
        ("b/Dockerfile", ROOT_DOCKERFILE),
        ("a/Dockerfile", "FROM node:latest\nUSER node\n"),
    ]);
    let (findings, report) = json_findings(dir.path(), &[]);
    assert_eq!(
        findings,
        vec![
            ("a/Dockerfile".into(), 1, "docker/unpinned-image".into()),
            ("b/Dockerfile".into(), 1, "docker/root-user".into()),
        ]
    );
    assert_eq!(report["version"], 1);
    let first = &report["findings"][0];
    for key in [
        "severity",
        "column",
        "end_line",
        "end_column",
        "message",
        "fingerprint",
    ] {
        assert!(!first[key].is_null(), "missing {key}");
    }
    let again = lint(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let once = lint(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(again.stdout, once.stdout, "identical from run to run");
}

#[test]
fn fingerprint_survives_a_line_move() {
    let a = tree(&[("Dockerfile", "FROM node:latest\nUSER node\n")]);
    let b = tree(&[("Dockerfile", "# a comment\n\nFROM node:latest\nUSER node\n")]);
    let fp = |d: &Path| json_findings(d, &[]).1["findings"][0]["fingerprint"].clone();
    assert_eq!(fp(a.path()), fp(b.path()));
    assert!(fp(a.path()).is_string());
}

/// The OASIS schema, with its one known defect mended: `region`'s `anyOf` sits inside
/// `properties`, where it is not a valid schema; it was meant to apply to `region` itself.
fn sarif_schema() -> Value {
    let mut schema: Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let region = &mut schema["definitions"]["region"];
    let any_of = region["properties"]
        .as_object_mut()
        .unwrap()
        .remove("anyOf")
        .expect("the defect this mends is still there");
    region["anyOf"] = any_of;
    schema
}

#[test]
fn sarif_validates_against_the_schema() {
    let dir = tree(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        (
            "dir with space/config.py",
            &format!("AWS_KEY = \"{}\"\n", fake_aws_key()),
        ),
    ]);
    let out = lint(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");

    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "docker/root-user"));
    for rule in rules {
        assert!(rule["shortDescription"]["text"].is_string());
        assert!(rule["fullDescription"]["text"].is_string());
        assert!(rule["help"]["text"].is_string());
        assert!(rule["properties"]["security-severity"].is_string());
    }
    let results = run["results"].as_array().unwrap();
    let root = results
        .iter()
        .find(|r| r["ruleId"] == "docker/root-user")
        .unwrap();
    let loc = &root["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "Dockerfile");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 1);
    assert!(root["partialFingerprints"]["primaryLocationLineHash"].is_string());
    let secret = results
        .iter()
        .find(|r| r["ruleId"].as_str().unwrap().starts_with("secrets/"))
        .expect("the AWS key is reported");
    assert_eq!(
        secret["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dir%20with%20space/config.py"
    );
}

#[test]
fn sarif_of_a_clean_tree_validates_and_lists_every_rule() {
    let dir = tree(&[("README.md", "nothing to see\n")]);
    let out = lint(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let listed = lint(dir.path()).arg("rules").output().unwrap().stdout;
    assert_eq!(
        rules.len(),
        String::from_utf8_lossy(&listed).lines().count()
    );
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn secrets_are_redacted_in_every_format() {
    let key = fake_aws_key();
    let dir = tree(&[("settings.py", &format!("AWS_ACCESS_KEY_ID = \"{key}\"\n"))]);
    for format in ["human", "json", "sarif"] {
        let out = lint(dir.path())
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let all = [out.stdout, out.stderr].concat();
        let text = String::from_utf8_lossy(&all);
        assert!(text.contains("secrets/aws-access-key"), "{format}: {text}");
        assert!(!text.contains(&key), "{format} leaks the secret");
        assert!(
            !text.contains(&key[..10]),
            "{format} shows more than 4 characters"
        );
    }
}

#[test]
fn a_secret_quoted_in_another_rule_s_message_is_masked_too() {
    // The log rule quotes the logged expression, which holds the key itself.
    let key = fake_aws_key();
    let dir = tree(&[(
        "app.py",
        &format!("import logging\nlogging.info(\"%s\", Client(\"{key}\").secret_key)\n"),
    )]);
    for format in ["human", "json", "sarif", "github"] {
        let out = lint(dir.path())
            .args(["--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).to_string();
        assert!(text.contains("sensitive-data-logged"), "{format}: {text}");
        assert!(
            !text.contains(&key[..10]),
            "{format} leaks the secret: {text}"
        );
    }
}

#[test]
fn a_bare_file_name_finds_the_configuration_from_the_working_directory() {
    // pre-commit passes paths relative to the repository's top, often bare names.
    let dir = tree(&[
        (
            ".smartedu-lint.toml",
            "[rules]\ndisable = [\"code/debug-enabled\"]\n",
        ),
        ("settings.py", "DEBUG = True\n"),
        ("app/settings.py", "DEBUG = True\n"),
    ]);
    let (found, _) = json_findings(dir.path(), &["settings.py", "app/settings.py"]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_gitleaks_config_outside_the_configuration_s_folder_or_not_a_file_is_refused() {
    let dir = tree(&[
        (
            "repo/.smartedu-lint.toml",
            "[secrets]\ngitleaks_config = \"../gl.toml\"\n",
        ),
        (
            "gl.toml",
            "[[rules]]\nid = \"x\"\nregex = '''x_[0-9]{8}'''\n",
        ),
        ("repo/a.txt", "nothing\n"),
    ]);
    let out = lint(&dir.path().join("repo")).arg(".").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("outside the configuration's folder"), "{err}");

    let out = lint(dir.path())
        .args(["-c", "/dev/zero", "repo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
}

#[test]
fn an_unknown_only_name_is_a_usage_error_with_a_hint() {
    let key = fake_aws_key();
    let dir = tree(&[("settings.py", &format!("AWS_ACCESS_KEY_ID = \"{key}\"\n"))]);
    let out = lint(dir.path())
        .args(["--only", "secrets/aws-acess-key", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did you mean `secrets/aws-access-key`"),
        "{err}"
    );
    // A family without its slash, as in the configuration, is that family.
    let (found, _) = json_findings(dir.path(), &["--only", "secrets", "."]);
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn control_characters_from_a_scanned_file_never_reach_the_terminal() {
    let dir = tree(&[(
        "x\u{1b}[2Jy.py",
        "DEBUG = True  # \u{1b}[2K\u{1b}[1A\u{1b}]0;PWNED\u{7}\n",
    )]);
    let out = lint(dir.path()).arg(".").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !out.stdout.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!out.stdout.contains(&0x07));
}

#[test]
fn show_secrets_prints_them_in_full_only_when_asked() {
    let key = fake_aws_key();
    let dir = tree(&[("settings.py", &format!("AWS_ACCESS_KEY_ID = \"{key}\"\n"))]);
    for format in ["human", "json", "sarif"] {
        let out = lint(dir.path())
            .args(["--format", format, "--show-secrets", "."])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&key),
            "{format}"
        );
    }
}

#[test]
fn fail_on_sets_the_threshold() {
    // An unpinned image is medium: below `high`, at `medium`.
    let dir = tree(&[("Dockerfile", "FROM node:latest\nUSER node\n")]);
    lint(dir.path())
        .args(["--fail-on", "high"])
        .assert()
        .code(0);
    lint(dir.path())
        .args(["--fail-on", "medium"])
        .assert()
        .code(1);
    lint(dir.path())
        .args(["--fail-on", "urgent"])
        .assert()
        .code(2);
}

#[test]
fn output_file_gets_the_report() {
    let dir = tree(&[("Dockerfile", ROOT_DOCKERFILE)]);
    lint(dir.path())
        .args(["--format", "sarif", "--output", "out.sarif"])
        .assert()
        .code(1)
        .stdout("");
    let text = fs::read_to_string(dir.path().join("out.sarif")).unwrap();
    assert!(text.contains("\"version\": \"2.1.0\""));
}

#[test]
fn malformed_config_is_a_usage_error_naming_file_and_line() {
    let dir = tree(&[
        (
            ".smartedu-lint.toml",
            "exclude = []\n[rules]\ndisabel = [\"x\"]\n",
        ),
        ("Dockerfile", ROOT_DOCKERFILE),
    ]);
    let out = lint(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(".smartedu-lint.toml:3:1"), "{stderr}");
    assert!(stderr.contains("disabel"), "{stderr}");
}

#[test]
fn config_disables_rules_and_excludes_paths() {
    let dir = tree(&[
        (
            ".smartedu-lint.toml",
            "exclude = [\"vendor/\"]\n[rules]\ndisable = [\"docker/unpinned-image\"]\n",
        ),
        ("Dockerfile", "FROM node:latest\n"),
        ("vendor/Dockerfile", ROOT_DOCKERFILE),
    ]);
    let (findings, _) = json_findings(dir.path(), &[]);
    assert_eq!(
        findings,
        vec![("Dockerfile".into(), 1, "docker/root-user".into())]
    );
}

#[test]
fn severity_override_changes_the_exit_code() {
    let dir = tree(&[
        (
            "cfg.toml",
            "[rules.severity]\n\"docker/unpinned-image\" = \"critical\"\n",
        ),
        ("Dockerfile", "FROM node:latest\nUSER node\n"),
    ]);
    lint(dir.path())
        .args(["--config", "cfg.toml", "--fail-on", "critical"])
        .assert()
        .code(1);
}

#[test]
fn inline_suppression_hides_the_finding() {
    let dir = tree(&[(
        "Dockerfile",
        "# smartedu-lint: ignore[docker/unpinned-image]\nFROM node:latest\nUSER node\n",
    )]);
    lint(dir.path()).assert().code(0);
}

#[test]
fn missing_path_is_exit_two_and_the_rest_is_scanned() {
    let dir = tree(&[("Dockerfile", ROOT_DOCKERFILE)]);
    let out = lint(dir.path()).args(["nope", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope: no such file or folder"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("docker/root-user"));
}

#[test]
fn binary_and_large_files_are_skipped_and_counted() {
    let dir = tree(&[("Dockerfile", ROOT_DOCKERFILE)]);
    fs::write(dir.path().join("blob.bin"), b"\x00\x01AKIA\x00").unwrap();
    fs::write(dir.path().join("big.txt"), "x".repeat(2048)).unwrap();
    fs::write(dir.path().join("cfg.toml"), "max_file_size = 1024\n").unwrap();
    let (_, report) = json_findings(dir.path(), &["--config", "cfg.toml"]);
    assert_eq!(report["summary"]["files_skipped"]["binary"], 1);
    assert_eq!(report["summary"]["files_skipped"]["too_large"], 1);
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let dir = tree(&[]);
    let mut bytes = b"FROM node:latest\n# \xff\xfe caf\xe9\n".to_vec();
    bytes.extend_from_slice(b"USER node\n");
    fs::write(dir.path().join("Dockerfile"), bytes).unwrap();
    let (findings, _) = json_findings(dir.path(), &[]);
    assert_eq!(
        findings,
        vec![("Dockerfile".into(), 1, "docker/unpinned-image".into())]
    );
}

#[test]
fn a_single_file_can_be_scanned() {
    let dir = tree(&[
        ("sub/Dockerfile", ROOT_DOCKERFILE),
        ("other/Dockerfile", ROOT_DOCKERFILE),
    ]);
    let (findings, _) = json_findings(dir.path(), &["sub/Dockerfile"]);
    assert_eq!(
        findings,
        vec![("sub/Dockerfile".into(), 1, "docker/root-user".into())]
    );
}

#[test]
fn gitignored_files_and_dot_git_are_not_scanned() {
    let dir = tree(&[
        (".gitignore", "build/\n"),
        ("build/Dockerfile", ROOT_DOCKERFILE),
        (".git/Dockerfile", ROOT_DOCKERFILE),
        ("Dockerfile", "FROM node:22\nUSER node\n"),
    ]);
    lint(dir.path()).assert().code(0);
}

#[test]
fn rules_lists_every_core_rule() {
    let dir = tree(&[]);
    let out = lint(dir.path()).arg("rules").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for id in [
        "docker/root-user",
        "docker/unpinned-image",
        "compose/missing-resource-limits",
        "compose/root-user",
        "compose/unpinned-image",
        "code/debug-enabled",
        "code/sql-string-building",
        "secrets/aws-access-key",
        "secrets/generic-password",
        "secrets/private-key",
        "secrets/github-token",
    ] {
        assert!(stdout.contains(id), "missing {id}");
    }
}

#[test]
fn explain_prints_why_and_fix() {
    let dir = tree(&[]);
    let out = lint(dir.path())
        .args(["explain", "docker/root-user"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("## Why it matters") && stdout.contains("## How to fix it"));
    lint(dir.path())
        .args(["explain", "DL3002"])
        .assert()
        .code(0);
    lint(dir.path())
        .args(["explain", "no/such-rule"])
        .assert()
        .code(2);
}

#[test]
fn identical_findings_in_one_file_stay_apart_at_their_own_lines() {
    let conf = "server {\n    listen 443 ssl;\n}\n\nserver {\n    listen 443 ssl;\n}\n";
    let dir = tree(&[("site.nginx", conf)]);
    let (found, report) = json_findings(dir.path(), &["--only", "nginx/missing-hsts"]);
    assert_eq!(
        found,
        [
            (
                "site.nginx".to_string(),
                1,
                "nginx/missing-hsts".to_string()
            ),
            (
                "site.nginx".to_string(),
                5,
                "nginx/missing-hsts".to_string()
            ),
        ]
    );
    let findings = report["findings"].as_array().unwrap();
    assert_ne!(findings[0]["fingerprint"], findings[1]["fingerprint"]);
    assert!(findings.iter().all(|f| f.get("also_at").is_none()));
}

#[test]
fn one_secret_written_twice_in_a_file_is_still_one_finding() {
    let key = fake_aws_key();
    let dir = tree(&[("keys.txt", &format!("a = {key}\nb = {key}\n"))]);
    let (found, _) = json_findings(dir.path(), &["--only", "secrets/aws-access-key"]);
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn write_baseline_says_how_many_findings_it_wrote_and_where() {
    let dir = tree(&[("Dockerfile", ROOT_DOCKERFILE)]);
    let out = lint(dir.path())
        .args([
            "--only",
            "docker/root-user",
            "--write-baseline",
            "base.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("wrote 1 finding to base.json as a baseline (1 file scanned; "),
        "{stdout}"
    );
    assert!(!stdout.contains("0 findings"), "{stdout}");
    let written = fs::read_to_string(dir.path().join("base.json")).unwrap();
    assert_eq!(written.matches("\"fingerprint\"").count(), 1, "{written}");
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_gets_an_exact_percent_encoded_sarif_uri() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tree(&[]);
    let name = std::ffi::OsStr::from_bytes(b"Dockerfile.\xff");
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("sub").join(name), ROOT_DOCKERFILE).unwrap();
    let out = lint(dir.path())
        .args(["--only", "docker/root-user", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "sub/Dockerfile.%FF");
    let (found, _) = json_findings(dir.path(), &["--only", "docker/root-user"]);
    assert_eq!(found[0].0, "sub/Dockerfile.\u{fffd}");
}

#[test]
fn a_bare_marker_is_not_judged_when_some_rule_did_not_run() {
    let dir = tree(&[(
        "settings.py",
        "DEBUG = True  # smartedu-lint: ignore\nX = 1  # smartedu-lint: ignore\n",
    )]);
    let flag = "--report-unused-ignores";
    // Every rule ran: the marker on line 2 hid nothing, the one on line 1 hid the finding.
    let (all, _) = json_findings(dir.path(), &[flag]);
    assert_eq!(
        all,
        [("settings.py".into(), 2, "meta/unused-ignore".into())]
    );
    // The code rules did not run: neither bare marker can be judged.
    let (only, _) = json_findings(dir.path(), &["--only", "secrets/", flag]);
    assert!(only.is_empty(), "{only:?}");
    fs::write(
        dir.path().join(".smartedu-lint.toml"),
        "[rules]\ndisable = [\"code/\"]\n",
    )
    .unwrap();
    let (disabled, _) = json_findings(dir.path(), &[flag]);
    assert!(disabled.is_empty(), "{disabled:?}");
    lint(dir.path()).arg(flag).assert().code(0);
}

#[test]
fn unused_marker_findings_on_two_lines_are_not_merged() {
    let marker = "# smartedu-lint: ignore[code/debug-enabled, secrets/github-token]";
    let dir = tree(&[(
        "a.py",
        &format!("X = 1  {marker}\nDEBUG = True  {marker}\n"),
    )]);
    let (found, report) = json_findings(dir.path(), &["--report-unused-ignores"]);
    assert_eq!(
        found,
        [
            ("a.py".into(), 1, "meta/unused-ignore".into()),
            ("a.py".into(), 2, "meta/unused-ignore".into())
        ]
    );
    let all = report["findings"].as_array().unwrap();
    for f in all {
        assert!(
            f.get("also_at")
                .is_none_or(|a| a.as_array().unwrap().is_empty()),
            "{f:#}"
        );
    }
    let (one, two) = (
        all[0]["message"].as_str().unwrap(),
        all[1]["message"].as_str().unwrap(),
    );
    assert!(one.contains("code/debug-enabled"), "{one}");
    assert!(!two.contains("code/debug-enabled"), "{two}");
    assert!(two.contains("secrets/github-token"), "{two}");
}

/// `n` distinct GitHub-token-shaped strings, assembled at run time.
fn fake_github_tokens(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("ghp_{:0>36}", format!("Zq{i}x").repeat(8)))
        .map(|t| t[..40].to_string())
        .collect()
}

#[test]
fn many_secrets_on_one_long_line_are_all_reported_and_masked() {
    // 3000 on one line took minutes in a debug build when each finding scanned the line.
    let tokens = fake_github_tokens(3000);
    let dir = tree(&[("tokens.txt", &format!("{}\n", tokens.join(" ")))]);
    let (found, report) = json_findings(dir.path(), &["-q"]);
    assert_eq!(found.len(), 3000, "{found:?}");
    let text = report.to_string();
    assert!(tokens.iter().all(|t| !text.contains(&t[..10])));
}

#[test]
fn a_secret_found_in_one_file_is_masked_in_another_file_s_snippet() {
    let password = "CorrectHorseBatteryStaple42";
    let dir = tree(&[
        ("b.py", &format!("password = \"{password}\"\n")),
        ("c.py", &format!("DEBUG = True  # old one was {password}\n")),
    ]);
    for format in ["human", "json", "sarif", "github"] {
        let out = lint(dir.path())
            .args(["--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).to_string();
        assert!(text.contains("c.py"), "{format}: {text}");
        assert!(!text.contains(&password[..8]), "{format} leaks: {text}");
    }
    let out = lint(dir.path()).arg("--show-secrets").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(password));
}

#[test]
fn a_warning_quoting_the_file_shows_at_most_four_characters() {
    let token = &fake_github_tokens(1)[0];
    let dir = tree(&[("Dockerfile", &format!("# escape={token}\nFROM a:1\n"))]);
    let out = lint(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).to_string();
    assert!(text.contains("invalid escape directive"), "{text}");
    assert!(!text.contains(&token[..5]), "{text}");
}

#[test]
fn sarif_reports_and_the_output_file_are_not_scanned() {
    let dir = tree(&[("Dockerfile", ROOT_DOCKERFILE)]);
    lint(dir.path())
        .args(["-f", "sarif", "-o", "smartedu-lint.sarif", "."])
        .assert()
        .code(1);
    let (found, _) = json_findings(dir.path(), &["."]);
    assert!(found.iter().all(|(p, _, _)| p == "Dockerfile"), "{found:?}");
    assert!(!found.is_empty());
    // Any name given to --output: that file is this run's report, not a source.
    fs::write(dir.path().join("report.txt"), fake_aws_key()).unwrap();
    let out = lint(dir.path())
        .args(["-f", "json", "-o", "report.txt", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("report.txt")).unwrap()).unwrap();
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(paths.iter().all(|p| *p == "Dockerfile"), "{paths:?}");
}

#[test]
fn summary_reads_the_json_report_as_well_as_sarif() {
    // Two findings: root (high) and unpinned (medium).
    let dir = tree(&[("Dockerfile", "FROM python\nCMD [\"python\"]\n")]);
    for (format, file) in [("json", "out.json"), ("sarif", "out.sarif")] {
        lint(dir.path())
            .args(["--format", format, "--output", file])
            .assert()
            .code(1);
        let out = lint(dir.path())
            .args(["summary", "--top", "1", file])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{file}");
        let md = String::from_utf8(out.stdout).unwrap();
        // The same two findings either way, never "No findings".
        assert!(
            md.starts_with("### smartedu-lint\n\n**2 findings**"),
            "{file}: {md}"
        );
        assert!(
            md.contains("| high | 1 |\n| medium | 1 |\n"),
            "{file}: {md}"
        );
        assert!(
            md.contains("| high | `docker/root-user` | `Dockerfile:1` |"),
            "{file}: {md}"
        );
        assert!(md.contains("\n1 more in the "), "{file}: {md}");
    }
}

#[test]
fn summary_of_what_is_not_a_report_is_one_line_and_exit_two() {
    let dir = tree(&[
        ("empty.sarif", ""),
        ("notes.txt", "FROM python\n"),
        (
            "other.json",
            "{\"name\": \"package\", \"version\": \"1.0.0\"}",
        ),
        ("list.json", "[1, 2]"),
        ("folder/x", ""),
    ]);
    for (file, why) in [
        ("empty.sarif", "empty file"),
        ("notes.txt", "not JSON (line 1, column 1)"),
        (
            "other.json",
            "JSON, but neither SARIF nor a smartedu-lint report",
        ),
        (
            "list.json",
            "JSON, but neither SARIF nor a smartedu-lint report",
        ),
        ("missing.sarif", "no such file"),
        ("folder", "a folder, not a file"),
    ] {
        let out = lint(dir.path()).args(["summary", file]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(out.stdout.is_empty(), "{file}: no summary printed");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{file}: {err}");
        assert!(err.starts_with(&format!("error: {file}: {why}; ")), "{err}");
        assert!(
            err.contains("a SARIF report made by `smartedu-lint --format sarif`"),
            "{err}"
        );
    }
    // A device that never ends is refused once past the bound, not read forever.
    if Path::new("/dev/zero").exists() {
        let out = lint(dir.path())
            .args(["summary", "/dev/zero"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.starts_with("error: /dev/zero: not a regular file; "),
            "{err}"
        );
    }
    // A FIFO would block the open forever.
    let fifo = dir.path().join("pipe");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let out = lint(dir.path()).args(["summary", "pipe"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.starts_with("error: pipe: not a regular file; "),
            "{err}"
        );
    }
}

/// Writes `files` under `root` and makes it a git work tree.
fn repo_at(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let full = root.join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    }
    git2::Repository::init(root).unwrap();
}

#[test]
fn a_baseline_outside_the_tree_matches_in_a_clone_at_another_place() {
    let files = [
        ("Dockerfile", ROOT_DOCKERFILE),
        ("svc/Dockerfile", "FROM node\n"),
        ("svc/app.py", "db_password = \"Kestrel-9-moss\"\n"),
    ];
    let outer = TempDir::new().unwrap();
    let one = outer.path().join("one/repo");
    let two = outer.path().join("two/deeper/clone");
    repo_at(&one, &files);
    repo_at(&two, &files);
    fs::create_dir_all(outer.path().join("baselines")).unwrap();
    let baseline = outer.path().join("baselines/base.json");
    let baseline_arg = baseline.to_str().unwrap();

    let out = lint(&one)
        .args(["--write-baseline", baseline_arg, "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let written = fs::read_to_string(&baseline).unwrap();
    assert!(
        !written.contains(outer.path().to_str().unwrap()),
        "{written}"
    );
    let paths: Vec<&str> = written
        .lines()
        .filter_map(|l| l.trim().strip_prefix("\"path\": \""))
        .collect();
    assert_eq!(
        paths,
        [
            "Dockerfile\",",
            "svc/Dockerfile\",",
            "svc/Dockerfile\",",
            "svc/app.py\","
        ],
        "{written}"
    );

    // However the other clone is named, every finding is in the baseline.
    let svc = two.join("svc");
    let two_arg = two.to_str().unwrap().to_string();
    for (cwd, args) in [
        (two.as_path(), vec!["."]),
        (svc.as_path(), vec!["."]),
        (svc.as_path(), vec!["Dockerfile", "app.py"]),
        (svc.as_path(), vec!["../svc/Dockerfile", "../Dockerfile"]),
        (outer.path(), vec![two_arg.as_str()]),
    ] {
        let out = lint(cwd)
            .args(["--baseline", baseline_arg])
            .args(&args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{args:?} in {cwd:?}: {stdout}");
        assert!(stdout.starts_with("0 findings"), "{args:?}: {stdout}");
    }

    // An entry that matches nothing is reported at a relative path to the baseline, with
    // the same fingerprint in both clones.
    let mut json: Value = serde_json::from_str(&written).unwrap();
    json["findings"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "rule_id": "docker/root-user", "path": "gone/Dockerfile",
            "fingerprint": "0123456789abcdef0123456789abcdef", "note": ""
        }));
    fs::write(&baseline, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let unused = |root: &Path| {
        let (found, report) = json_findings(
            root,
            &["--report-unused-ignores", "--baseline", baseline_arg, "."],
        );
        assert_eq!(found.len(), 1, "{report}");
        let f = &report["findings"][0];
        assert_eq!(f["rule_id"], "meta/unused-ignore");
        (
            f["path"].as_str().unwrap().to_string(),
            f["fingerprint"].as_str().unwrap().to_string(),
        )
    };
    let (path_one, fp_one) = unused(&one);
    let (path_two, fp_two) = unused(&two);
    assert_eq!(path_one, "../../baselines/base.json");
    assert_eq!(path_two, "../../../baselines/base.json");
    assert_eq!(fp_one, fp_two);
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A repository beside files it must never read: `outside/secret.py` and `outside-file`
/// hold passwords, and links in `repo/` point at them, at `/etc`, and at each other.
#[cfg(unix)]
fn tree_with_links() -> TempDir {
    let outer = tree(&[
        ("outside/secret.py", "password = \"Outside-Kestrel-9\"\n"),
        ("outside-file", "password = \"Outside-Heron-7\"\n"),
        (
            "repo/Dockerfile",
            "FROM python:3.12-slim\nRUN useradd -u 10001 app\nUSER 10001\n",
        ),
        ("repo/a/keep.txt", "nothing here\n"),
    ]);
    let repo = outer.path().join("repo");
    git2::Repository::init(&repo).unwrap();
    symlink("/etc", repo.join("evil"));
    symlink("../outside-file", repo.join("evil2"));
    symlink("../outside", repo.join("evil3"));
    symlink(outer.path().join("outside/secret.py"), repo.join("evil4"));
    symlink("..", repo.join("a/up"));
    symlink("c", repo.join("b"));
    symlink("b", repo.join("c"));
    symlink("b", repo.join("d"));
    symlink("self", repo.join("self"));
    symlink("nowhere", repo.join("broken"));
    outer
}

#[cfg(unix)]
#[test]
fn links_in_the_tree_are_never_followed_and_loops_are_one_clear_warning() {
    let outer = tree_with_links();
    let out = lint(outer.path())
        .args(["--format", "json", "repo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["findings"], serde_json::json!([]), "{stdout}");
    assert_eq!(report["summary"]["files_scanned"], 2, "{stdout}");
    assert_eq!(report["summary"]["warnings"], 4, "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let mut lines: Vec<&str> = stderr.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "warning: b: symbolic link loop (b -> c -> b), skipped",
            "warning: broken: broken symbolic link (its target does not exist), skipped",
            "warning: d: symbolic link into a loop of links (b -> c -> b), skipped",
            "warning: self: symbolic link loop (self -> self), skipped",
        ],
        "{stderr}"
    );
    for outside in ["Outside", "etc", "evil", "secret.py"] {
        assert!(
            !stdout.contains(outside) && !stderr.contains(outside),
            "{outside}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_link_named_on_the_command_line_is_followed_unless_it_leads_nowhere() {
    let outer = tree_with_links();
    let repo = outer.path().join("repo");
    // The user's own choice: the link named is followed (links inside its target are not).
    let (found, report) = json_findings(&repo, &["evil3", "evil2"]);
    assert_eq!(
        found,
        [
            (
                "evil2".to_string(),
                1,
                "secrets/generic-password".to_string()
            ),
            (
                "evil3/secret.py".to_string(),
                1,
                "secrets/generic-password".to_string()
            ),
        ],
        "{report}"
    );
    for (arg, error) in [
        ("b", "error: b: symbolic link loop (b -> c -> b)\n"),
        ("self", "error: self: symbolic link loop (self -> self)\n"),
        (
            "d",
            "error: d: symbolic link into a loop of links (b -> c -> b)\n",
        ),
        (
            "broken",
            "error: broken: broken symbolic link (its target does not exist)\n",
        ),
    ] {
        let out = lint(&repo).args([arg, "Dockerfile"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{arg}");
        assert_eq!(String::from_utf8(out.stderr).unwrap(), error, "{arg}");
        // The other path is still scanned.
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("in 1 file scanned"),
            "{arg}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_configuration_found_in_the_tree_that_links_outside_it_is_not_read() {
    let outer = tree_with_links();
    let repo = outer.path().join("repo");
    fs::write(
        outer.path().join("outside.toml"),
        "[rules]\ndisable = [\"secrets/\"]\nOUTSIDE_KEY = 1\n",
    )
    .unwrap();
    symlink("../outside.toml", repo.join(".smartedu-lint.toml"));
    let out = lint(&repo).arg(".").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(".smartedu-lint.toml: a symbolic link to a file outside the repository, not read; name the file with --config to use it"),
        "{stderr}"
    );
    assert!(!stderr.contains("OUTSIDE_KEY"), "{stderr}");
    // Named with --config, it is the user's choice, and read.
    let out = lint(&repo)
        .args(["--config", "../outside.toml", "."])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("OUTSIDE_KEY")
    );
    // A link to a configuration inside the repository is fine.
    fs::remove_file(repo.join(".smartedu-lint.toml")).unwrap();
    fs::write(repo.join("a/lint.toml"), "exclude = [\"a/\"]\n").unwrap();
    symlink("a/lint.toml", repo.join(".smartedu-lint.toml"));
    lint(&repo).arg(".").assert().code(0);
}

/// Findings of `--only docker/root-user` in `cwd` with `args`, and the warning lines
/// (sorted), for the ignore-file tests: every Dockerfile there is reported at line 1.
fn root_user_findings(cwd: &Path, args: &[&str]) -> (Vec<String>, Vec<String>) {
    let out = lint(cwd)
        .args(["--format", "json", "--only", "docker/root-user"])
        .args(args)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(
                (f["line"].as_u64(), &f["rule_id"]),
                (Some(1), &"docker/root-user".into())
            );
            f["path"].as_str().unwrap().to_string()
        })
        .collect();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let mut warnings: Vec<String> = stderr.lines().map(str::to_string).collect();
    warnings.sort();
    assert_eq!(report["summary"]["warnings"], warnings.len(), "{stderr}");
    (paths, warnings)
}

/// A `.gitignore` that is a symbolic link is never read, wherever it points (out of the
/// tree by a relative or an absolute path, at `/dev/zero`, or at a file inside the tree):
/// git refuses it too. Each is one warning line, and the files its target's patterns
/// would hide are scanned.
#[cfg(unix)]
#[test]
fn a_gitignore_that_is_a_symbolic_link_is_never_read() {
    let outer = tree(&[
        // Would hide every Dockerfile of the repository.
        ("outside-ignore", "Dockerfile\n*.dockerfile\n"),
        ("repo/Dockerfile", ROOT_DOCKERFILE),
        ("repo/sub/Dockerfile", ROOT_DOCKERFILE),
        ("repo/sub/app.dockerfile", ROOT_DOCKERFILE),
        ("repo/zero/Dockerfile", ROOT_DOCKERFILE),
        ("repo/inside/patterns.txt", "Dockerfile\n"),
        ("repo/inside/Dockerfile", ROOT_DOCKERFILE),
    ]);
    let repo = outer.path().join("repo");
    git2::Repository::init(&repo).unwrap();
    symlink("../outside-ignore", repo.join(".gitignore"));
    symlink(
        outer.path().join("outside-ignore"),
        repo.join("sub/.gitignore"),
    );
    // Read through the link, this one exhausted the memory.
    symlink("/dev/zero", repo.join("zero/.gitignore"));
    symlink("patterns.txt", repo.join("inside/.gitignore"));
    let warning = |name: &str| {
        format!(
            "warning: {name}: a symbolic link, not read for ignore patterns (git refuses it too)"
        )
    };

    let (paths, warnings) = root_user_findings(&repo, &["."]);
    assert_eq!(
        paths,
        [
            "Dockerfile",
            "inside/Dockerfile",
            "sub/Dockerfile",
            "sub/app.dockerfile",
            "zero/Dockerfile"
        ]
    );
    assert_eq!(
        warnings,
        [
            warning(".gitignore"),
            warning("inside/.gitignore"),
            warning("sub/.gitignore"),
            warning("zero/.gitignore"),
        ]
    );

    // A link in a folder above the scan root is refused too, and named once however many
    // roots lie below it.
    let (paths, warnings) = root_user_findings(&repo, &["sub", "inside"]);
    assert_eq!(
        paths,
        ["inside/Dockerfile", "sub/Dockerfile", "sub/app.dockerfile"]
    );
    assert_eq!(
        warnings,
        [
            warning(".gitignore"),
            warning("inside/.gitignore"),
            warning("sub/.gitignore"),
        ]
    );
    let (paths, warnings) = root_user_findings(&repo.join("sub"), &["."]);
    assert_eq!(paths, ["sub/Dockerfile", "sub/app.dockerfile"]);
    assert_eq!(warnings, [warning(".gitignore"), warning("sub/.gitignore")]);

    // Outside a repository git reads no `.gitignore`: the link is only a link.
    fs::remove_dir_all(repo.join(".git")).unwrap();
    fs::remove_file(repo.join("zero/.gitignore")).unwrap();
    symlink("nowhere", repo.join("zero/.gitignore"));
    let (paths, warnings) = root_user_findings(&repo, &["."]);
    assert_eq!(paths.len(), 5, "{paths:?}");
    assert_eq!(
        warnings,
        ["warning: zero/.gitignore: broken symbolic link (its target does not exist), skipped"]
    );
}

/// Not a regular file: a FIFO would block the read forever, and git skips a pattern file
/// over 100 MiB. Both are named and not read.
#[cfg(unix)]
#[test]
fn a_gitignore_that_is_not_a_regular_file_or_is_huge_is_not_read() {
    let dir = tree(&[
        ("fifo/Dockerfile", ROOT_DOCKERFILE),
        ("huge/Dockerfile", ROOT_DOCKERFILE),
        // A folder named `.gitignore` is walked like any other.
        ("folder/.gitignore/Dockerfile", ROOT_DOCKERFILE),
    ]);
    git2::Repository::init(dir.path()).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("fifo/.gitignore"))
        .status()
        .unwrap();
    assert!(made.success());
    let huge = fs::File::create(dir.path().join("huge/.gitignore")).unwrap();
    huge.set_len(100 * 1024 * 1024 + 1).unwrap();
    let (paths, warnings) = root_user_findings(dir.path(), &["."]);
    assert_eq!(
        paths,
        [
            "fifo/Dockerfile",
            "folder/.gitignore/Dockerfile",
            "huge/Dockerfile"
        ]
    );
    assert_eq!(
        warnings,
        [
            "warning: fifo/.gitignore: not a regular file, not read for ignore patterns",
            "warning: huge/.gitignore: larger than 100 MiB, not read for ignore patterns",
        ]
    );
}

/// Git's rules for regular ignore files, as `git ls-files -o --exclude-standard` applies
/// them to this tree: the deepest `.gitignore` with a matching line decides (negation
/// included), an ignored folder is not entered (a `!` inside it cannot bring a file back),
/// `.git/info/exclude` comes after every `.gitignore`, and the files in the folders above
/// the scan root apply to it.
#[test]
fn nested_gitignores_negation_and_info_exclude_follow_git() {
    let files: Vec<(&str, &str)> = [
        "Dockerfile",
        "a.dockerfile",
        "keep.dockerfile",
        "svc/a.dockerfile",
        "svc/secret.dockerfile",
        "svc/deep/keep.dockerfile",
        "svc/deep/b.dockerfile",
        "svc/generated/Dockerfile",
        "svc/excluded/Dockerfile",
        "build/keep.dockerfile",
        "excluded/Dockerfile",
    ]
    .into_iter()
    .map(|p| (p, ROOT_DOCKERFILE))
    .chain([
        (
            ".gitignore",
            "*.dockerfile\n!keep.dockerfile\nbuild/\ngenerated/\n",
        ),
        (
            "svc/.gitignore",
            "!*.dockerfile\nsecret.dockerfile\n!excluded/\n",
        ),
        ("svc/deep/.gitignore", "keep.dockerfile\n"),
        ("build/.gitignore", "!*\n"),
    ])
    .collect();
    let dir = TempDir::new().unwrap();
    repo_at(dir.path(), &files);
    fs::create_dir_all(dir.path().join(".git/info")).unwrap();
    fs::write(dir.path().join(".git/info/exclude"), "excluded/\n").unwrap();

    let (paths, warnings) = root_user_findings(dir.path(), &["."]);
    assert_eq!(
        paths,
        [
            "Dockerfile",
            "keep.dockerfile",
            "svc/a.dockerfile",
            "svc/deep/b.dockerfile",
            "svc/excluded/Dockerfile",
        ]
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let in_svc = [
        "svc/a.dockerfile",
        "svc/deep/b.dockerfile",
        "svc/excluded/Dockerfile",
    ];
    assert_eq!(root_user_findings(dir.path(), &["svc"]).0, in_svc);
    assert_eq!(
        root_user_findings(&dir.path().join("svc"), &["."]).0,
        in_svc
    );
    let absolute = dir.path().join("svc");
    assert_eq!(
        root_user_findings(Path::new("/"), &[absolute.to_str().unwrap()]).0,
        in_svc
    );
}

/// stderr of a run that must fail with a usage error (exit 2) and print nothing else.
fn usage_error(dir: &Path, args: &[&str]) -> String {
    let out = lint(dir).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty(), "{args:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn unknown_rule_names_get_the_nearest_ids_or_families_everywhere() {
    let dir = tree(&[("Dockerfile", ROOT_DOCKERFILE)]);
    for (flag_or_command, name, hint) in [
        (
            "--only",
            "code/sql-string-buildin",
            "did you mean `code/sql-string-building`?",
        ),
        (
            "--skip",
            "code/sql-string-buildin",
            "did you mean `code/sql-string-building`?",
        ),
        ("--only", "cod/", "did you mean `code/`?"),
        ("--skip", "secret", "did you mean `secrets/`?"),
        (
            "--skip",
            "Docker/Root-User",
            "did you mean `docker/root-user`?",
        ),
        (
            "--only",
            "sql-strng-building",
            "did you mean `code/sql-string-building`?",
        ),
        (
            "--only",
            "root-user",
            "did you mean `compose/root-user`, `docker/root-user` or `k8s/root-user`?",
        ),
        // Nothing near: no made-up suggestion.
        ("--only", "foo", "`smartedu-lint rules` lists them"),
        (
            "explain",
            "code/sql-string-buildin",
            "did you mean `code/sql-string-building`?",
        ),
        ("explain", "zzz", "`smartedu-lint rules` lists them"),
    ] {
        let args: Vec<&str> = if flag_or_command == "explain" {
            vec!["explain", name]
        } else {
            vec![flag_or_command, name, "."]
        };
        let err = usage_error(dir.path(), &args);
        let what = if name.ends_with('/') {
            "rule family"
        } else {
            "rule"
        };
        assert_eq!(
            err,
            format!("error: {flag_or_command}: unknown {what} `{name}`; {hint}\n"),
            "{args:?}"
        );
    }
    // A family is not one rule to explain: its rules are listed.
    let err = usage_error(dir.path(), &["explain", "env"]);
    assert_eq!(
        err,
        "error: `env` is a family of 2 rules; explain one of them: env/committed-dotenv, env/debug-enabled\n"
    );
    // The configuration's names get the same hints, with the file.
    fs::write(
        dir.path().join("lint.toml"),
        "[rules]\ndisable = [\"docker/root-usr\"]\n",
    )
    .unwrap();
    let err = usage_error(dir.path(), &["--config", "lint.toml", "."]);
    assert_eq!(
        err,
        "error: lint.toml: [rules] disable: unknown rule `docker/root-usr`; did you mean `docker/root-user`?\n"
    );
    // A command name mistyped is read as a path; the error says which command was meant.
    let err = usage_error(dir.path(), &["explian", "docker/root-user"]);
    assert!(
        err.starts_with(
            "error: explian: no such file or folder; did you mean the `explain` command?\n"
        ),
        "{err}"
    );
    // Flags are clap's, and so are their hints.
    let err = usage_error(dir.path(), &["--skp", "code/"]);
    assert!(
        err.contains("tip: a similar argument exists: '--skip'"),
        "{err}"
    );
}

#[test]
fn skip_turns_rules_and_families_off() {
    let dir = tree(&[(
        "Dockerfile",
        "FROM python\nENV DB_PASSWORD=Kestrel-9-moss\n",
    )]);
    let ids = |args: &[&str]| {
        let (found, _) = json_findings(dir.path(), args);
        found.into_iter().map(|(_, _, id)| id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&["."]),
        [
            "docker/root-user",
            "docker/unpinned-image",
            "secrets/generic-password"
        ]
    );
    assert_eq!(
        ids(&["--skip", "docker/", "."]),
        ["secrets/generic-password"]
    );
    assert_eq!(
        ids(&["--skip", "DL3002,secrets/generic-password", "."]),
        ["docker/unpinned-image"]
    );
    assert_eq!(
        ids(&["--only", "docker/", "--skip", "docker/unpinned-image", "."]),
        ["docker/root-user"]
    );
}

#[test]
fn a_tracked_dotenv_is_reported_coherently_whatever_it_holds() {
    /// Every finding of every rule: rule, severity, line.
    type Expected<'a> = &'a [(&'a str, &'a str, u64)];
    let cases: [(&str, Expected); 6] = [
        (
            "DEBUG=true\n",
            &[
                ("env/committed-dotenv", "medium", 1),
                ("env/debug-enabled", "high", 1),
            ],
        ),
        // Too short and common for a secret rule; a value of the file all the same.
        ("SECRET=abc\n", &[("env/committed-dotenv", "medium", 1)]),
        ("PORT=3000\n", &[("env/committed-dotenv", "medium", 1)]),
        // Empty values are no secret and no setting: a template under a deployable name.
        ("API_KEY=\n", &[]),
        ("API_KEY=\nSECRET=\"\"\nTOKEN= # set on the server\n", &[]),
        (
            "API_KEY=\nDB_PASSWORD=Kestrel-9-moss\n",
            &[
                ("env/committed-dotenv", "medium", 2),
                ("secrets/generic-password", "high", 2),
            ],
        ),
    ];
    for (text, expected) in cases {
        let dir = tree(&[(".env", text)]);
        let (_, report) = json_findings(dir.path(), &["."]);
        let found: Vec<(String, String, u64)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, String, u64)> = expected
            .iter()
            .map(|(r, s, l)| (r.to_string(), s.to_string(), *l))
            .collect();
        assert_eq!(found, expected, "{text}");
    }
}

#[test]
fn absolute_folders_outside_a_repository_are_told_apart() {
    let dir = tree(&[
        ("srv/a/Dockerfile", ROOT_DOCKERFILE),
        ("srv/b/Dockerfile", ROOT_DOCKERFILE),
    ]);
    let a = dir.path().join("srv/a");
    let b = dir.path().join("srv/b");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let (findings, _) = json_findings(dir.path(), &[a, b, "--only", "docker/root-user"]);
    let paths: Vec<&str> = findings.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, ["a/Dockerfile", "b/Dockerfile"]);
    // One folder alone is still named from itself.
    let (findings, _) = json_findings(dir.path(), &[a, "--only", "docker/root-user"]);
    assert_eq!(findings[0].0, "Dockerfile");
}

/// Asserts that the scan refused a root: exit 2, and exactly one error line naming it
/// and saying `why`.
fn assert_refused_root(dir: &Path, args: &[&str], named: &str, why: &str) {
    let out = lint(dir).args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with(&format!("error: {named}: ")),
        "{stderr}"
    );
    assert!(lines[0].contains(why), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "no report of a scan that did not run"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_root_folder_or_file_is_an_error_not_a_clean_scan() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[
        ("locked/inner/app.py", "DEBUG = True\n"),
        ("secret.env", "A=1\n"),
    ]);
    let locked = dir.path().join("locked/inner");
    let file = dir.path().join("secret.env");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).unwrap();
    // Root (as CI runs) reads through mode 000: then there is nothing to refuse, and the
    // assertion would test nothing, so it is made only where the folder is unreadable.
    if fs::read_dir(&locked).is_err() {
        assert_refused_root(
            dir.path(),
            &["locked/inner"],
            "locked/inner",
            "cannot list this folder",
        );
    }
    if fs::File::open(&file).is_err() {
        assert_refused_root(
            dir.path(),
            &["secret.env"],
            "secret.env",
            "cannot read this file",
        );
    }
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_as_root_is_an_error_and_does_not_hang() {
    let dir = tree(&[("app.py", "x = 1\n")]);
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe"))
        .status()
        .unwrap();
    assert!(made.success());
    assert_refused_root(
        dir.path(),
        &["pipe"],
        "pipe",
        "a named pipe (FIFO), not a regular file",
    );
    assert_refused_root(
        dir.path(),
        &["/dev/zero"],
        "/dev/zero",
        "a character device, not a regular file",
    );
    // The other roots are still scanned and reported; the exit code says one was refused.
    let out = lint(dir.path())
        .args(["--format", "json", "pipe", "app.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["files_scanned"], 1);
}

#[test]
fn max_file_size_zero_is_a_configuration_error() {
    let dir = tree(&[
        (".smartedu-lint.toml", "max_file_size = 0\n"),
        ("app.py", "DEBUG = True\n"),
    ]);
    let out = lint(dir.path()).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("max_file_size = 0 would skip every file"),
        "{stderr}"
    );
}

#[test]
fn lines_ending_with_a_lone_carriage_return_are_numbered_like_newlines() {
    let key = fake_aws_key();
    // A second key: one secret in two files would be merged into one finding.
    let other = format!("AKIA{}", "Q4WERTYUPLKJ7H2G");
    let dir = tree(&[
        ("app.py", &format!("import os\r\rAWS_KEY = \"{key}\"\r")),
        (
            "mixed.env",
            &format!("A=1\r\nB=2\rAWS_ACCESS_KEY_ID={other}\n"),
        ),
        (
            "Dockerfile-dev",
            "# build\rFROM python:3.12-slim\rCOPY . /app\r",
        ),
    ]);
    let (findings, _) = json_findings(
        dir.path(),
        &[
            "--only",
            "secrets/aws-access-key",
            "--only",
            "docker/root-user",
        ],
    );
    let got: Vec<(&str, usize, &str)> = findings
        .iter()
        .map(|(p, l, r)| (p.as_str(), *l, r.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Dockerfile-dev", 2, "docker/root-user"),
            ("app.py", 3, "secrets/aws-access-key"),
            ("mixed.env", 3, "secrets/aws-access-key"),
        ]
    );
}

#[test]
fn only_naming_an_off_by_default_rule_runs_it() {
    let dir = tree(&[("Dockerfile", ROOT_DOCKERFILE)]);
    let (found, _) = json_findings(dir.path(), &["--only", "docker/missing-healthcheck"]);
    assert_eq!(
        found,
        [("Dockerfile".into(), 1, "docker/missing-healthcheck".into())]
    );
    // A family keeps its members' defaults: the off-by-default rule stays off.
    let (found, _) = json_findings(dir.path(), &["--only", "docker/"]);
    assert_eq!(found, [("Dockerfile".into(), 1, "docker/root-user".into())]);
    // Named on the command line, it runs even when the configuration disables it.
    fs::write(
        dir.path().join(".smartedu-lint.toml"),
        "[rules]\ndisable = [\"docker/\"]\n",
    )
    .unwrap();
    let (found, _) = json_findings(dir.path(), &["--only", "docker/missing-healthcheck"]);
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn bandit_password_aliases_mean_generic_password_everywhere() {
    let explain = |name: &str| {
        let out = lint(Path::new("."))
            .args(["explain", name])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    for alias in ["B105", "B106", "b107", "S105"] {
        let text = explain(alias);
        assert!(
            text.starts_with("secrets/generic-password: "),
            "{alias}: {text}"
        );
        assert!(!text.contains("secrets/generic-api-key"), "{alias}: {text}");
    }
    // An alias that two rules carry is both of them, in explain as in --skip.
    let both = explain("B608");
    assert!(both.starts_with("code/sql-string-building: "), "{both}");
    assert!(both.contains("\ncode/sql-string-passed-on: "), "{both}");

    // Other values in each file: one secret in two files would be one finding.
    let password = |v: &str| format!("db_password = \"Xq7vB2mN9pL4kJ8hG3f{v}\"");
    let api_key = |v: &str| format!("api_token = \"q8Zr4tLw0pX2vN7mK3s{v}\"");
    let dir = tree(&[
        ("app.py", &format!("{}\n{}\n", password("A"), api_key("A"))),
        (
            "marked.py",
            &format!(
                "{}  # nosec B105\n{}  # nosec B105\n",
                password("B"),
                api_key("B")
            ),
        ),
    ]);
    let (found, _) = json_findings(dir.path(), &["--skip", "B105"]);
    assert_eq!(
        found,
        [
            ("app.py".into(), 2, "secrets/generic-api-key".into()),
            ("marked.py".into(), 2, "secrets/generic-api-key".into()),
        ]
    );
    let (found, _) = json_findings(dir.path(), &["--only", "B105"]);
    assert_eq!(
        found,
        [("app.py".into(), 1, "secrets/generic-password".into())]
    );
}

#[test]
fn a_marker_covers_every_line_of_a_finding_and_its_build_site() {
    let py = "def f(cur, n):\n\
              \x20   q = \"SELECT * FROM t WHERE name = '%s'\" % n  # nosec B608\n\
              \x20   cur.execute(q)\n\
              \n\
              def g(cur, n):\n\
              \x20   cur.execute(\n\
              \x20       \"SELECT * FROM t WHERE name = '%s'\" % n\n\
              \x20   )  # smartedu-lint: ignore[code/sql-string-building]\n\
              \n\
              def h(cur, n):\n\
              \x20   q = \"SELECT * FROM t WHERE name = '%s'\" % n\n\
              \x20   cur.execute(q)\n\
              \n\
              NOTE = \"\"\"\n\
              # smartedu-lint: ignore\n\
              \"\"\"\n";
    let dir = tree(&[("app.py", py)]);
    let (found, _) = json_findings(dir.path(), &["--report-unused-ignores"]);
    assert_eq!(
        found,
        [
            ("app.py".into(), 11, "code/sql-string-building".into()),
            ("app.py".into(), 12, "code/sql-string-building".into()),
        ]
    );
}

#[test]
fn warnings_show_file_and_service_names_whole() {
    let dir = tree(&[(
        "docker-compose.yml",
        "services:\n  web-frontend:\n    extends:\n      file: nope-missing.yml\n      service: base\n    image: nginx:1.27\n",
    )]);
    let out = lint(dir.path()).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "docker-compose.yml:4: `extends` file `nope-missing.yml` cannot be read; \
             service `web-frontend` is not judged"
        ),
        "{stderr}"
    );
}

#[test]
fn no_secret_shaped_value_is_printed_in_full_in_another_finding_s_snippet() {
    // A placeholder-shaped GitHub token beside a reported AWS key, and a URL password
    // holding `@`: neither may appear in clear. Assembled at run time.
    let aws = fake_aws_key();
    let gh = format!("ghp_{}", "fakeTokenForTests0000000000000000000");
    let password = format!("S3cr3t@{}", "Pa55w0rdXyZ");
    let dir = tree(&[(
        "m.py",
        &format!(
            "cfg = {{\"aws\": \"{aws}\", \"gh\": \"{gh}\"}}\n\
             A = \"postgres://app:{password}@db.internal:5432/prod\"\n"
        ),
    )]);
    for format in ["human", "json", "sarif", "github"] {
        let out = lint(dir.path())
            .args(["--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).to_string();
        assert!(text.contains("secrets/aws-access-key"), "{format}: {text}");
        assert!(
            text.contains("secrets/connection-string-password"),
            "{format}: {text}"
        );
        assert!(
            !text.contains("fakeToken"),
            "{format} leaks the token: {text}"
        );
        assert!(
            !text.contains("Pa55w0rdXyZ"),
            "{format} leaks the password: {text}"
        );
    }
}

#[test]
fn a_committed_file_that_gitignore_matches_is_still_scanned() {
    let dir = tree(&[
        (".gitignore", ".env\nbuild/\n"),
        (".env", "DB_PASSWORD=Kestrel-9-moss-River\n"),
        ("build/Dockerfile", ROOT_DOCKERFILE),
        ("build/untracked/Dockerfile", ROOT_DOCKERFILE),
        ("local.env", "DB_PASSWORD=Heron-7-untracked-Lake\n"),
    ]);
    let repo = git2::Repository::init(dir.path()).unwrap();
    let mut index = repo.index().unwrap();
    // `git add -f`: the index holds what the .gitignore matches.
    for path in [".gitignore", ".env", "build/Dockerfile"] {
        index.add_path(Path::new(path)).unwrap();
    }
    index.write().unwrap();
    fs::write(dir.path().join(".gitignore"), ".env\nbuild/\nlocal.env\n").unwrap();
    let (findings, _) = json_findings(
        dir.path(),
        &[
            ".",
            "--only",
            "secrets/generic-password",
            "--only",
            "docker/root-user",
        ],
    );
    let paths: Vec<&str> = findings.iter().map(|(p, _, _)| p.as_str()).collect();
    // Tracked files are scanned; ignored files git does not hold are not.
    assert_eq!(paths, [".env", "build/Dockerfile"]);
    // From a sub-folder, only what is under it (a folder named on the command line is
    // walked whatever a .gitignore above says).
    let (findings, _) = json_findings(
        dir.path(),
        &[
            "build",
            "--only",
            "docker/root-user",
            "--only",
            "secrets/generic-password",
        ],
    );
    let paths: Vec<&str> = findings.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, ["build/Dockerfile", "build/untracked/Dockerfile"]);
    // Excluded by the configuration stays excluded.
    fs::write(
        dir.path().join(".smartedu-lint.toml"),
        "exclude = [\".env\"]\n",
    )
    .unwrap();
    let (findings, _) = json_findings(dir.path(), &[".", "--only", "secrets/generic-password"]);
    assert!(findings.is_empty(), "{findings:?}");
}

#[cfg(unix)]
#[test]
fn a_tracked_path_under_a_link_out_of_the_tree_is_not_followed() {
    let outer = tree(&[
        ("outside/app/.env", "DB_PASSWORD=Outside-Kestrel-9x\n"),
        ("repo/.gitignore", "app/\n"),
        ("repo/app/.env", "DB_PASSWORD=Inside-Heron-7-Lake\n"),
    ]);
    let repo_dir = outer.path().join("repo");
    let repo = git2::Repository::init(&repo_dir).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("app/.env")).unwrap();
    index.write().unwrap();
    // The folder is swapped for a link out of the tree after it was added.
    fs::remove_dir_all(repo_dir.join("app")).unwrap();
    std::os::unix::fs::symlink(outer.path().join("outside/app"), repo_dir.join("app")).unwrap();
    let out = lint(&repo_dir)
        .args(["--format", "json", "."])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).to_string();
    assert!(!text.contains("app/.env"), "{text}");
    assert!(!text.contains("Outside"), "{text}");
}

#[test]
fn a_rust_operator_chain_of_twenty_thousand_links_is_checked_not_a_crash() {
    // syn nests one level per link; on a worker's stack this aborted the whole run.
    let mut text = String::from(
        "fn f(conn: &Connection, c: &str) {\n    conn.execute(&(String::from(\"INSERT INTO t VALUES ('\")\n",
    );
    for _ in 0..20_000 {
        text.push_str("        + c + \"', '\"\n");
    }
    text.push_str("        + \"')\"), []);\n}\n");
    let dir = tree(&[("src/load.rs", &text), ("Dockerfile", ROOT_DOCKERFILE)]);
    let (findings, _) = json_findings(
        dir.path(),
        &[
            ".",
            "--only",
            "code/sql-string-building",
            "--only",
            "docker/root-user",
        ],
    );
    let found: Vec<(&str, usize, &str)> = findings
        .iter()
        .map(|(p, l, r)| (p.as_str(), *l, r.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("Dockerfile", 1, "docker/root-user"),
            ("src/load.rs", 2, "code/sql-string-building"),
        ]
    );
}

#[test]
fn a_long_run_of_one_base64_letter_is_scanned_in_linear_time() {
    // Base64 of zeros: found as secret-shaped at many lengths, whose masking automaton
    // once took quadratic time (100,000 `A`s never finished). Checked by result, not timed.
    let run = "A".repeat(200_000);
    let dir = tree(&[(
        "blob.json",
        &format!("{{\"data\": \"{run}\", \"key\": \"{}\"}}\n", fake_aws_key()),
    )]);
    let out = lint(dir.path())
        .args(["--format", "json", "--only", "secrets/"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("secrets/aws-access-key"), "{text}");
    assert!(!text.contains(&fake_aws_key()), "{text}");
}

#[test]
fn secrets_are_masked_in_other_findings_when_the_secret_rules_are_off() {
    // Assembled at run time: the source holds no secret-shaped literal.
    let password = format!("Vk9mQz{}", "2xLp7w");
    let key = format!("Hf6jKd{}", "8sLa2q");
    let tls_off = format!("sslmode={}", "disable");
    let dir = tree(&[(
        "a.py",
        &format!(
            "DATABASE_URL = \"postgres://app:{password}@db:5432/app?{tls_off}\"\n\
             app.run(debug=True, secret_key=\"{key}\")  # smartedu-lint: ignore[secrets/generic-api-key]\n"
        ),
    )]);
    fs::write(
        dir.path().join(".smartedu-lint.toml"),
        "[rules]\ndisable = [\"secrets/\"]\n",
    )
    .unwrap();
    for args in [
        vec!["--skip", "secrets/"],
        vec![
            "--only",
            "code/debug-enabled",
            "--only",
            "config/db-tls-disabled",
        ],
        vec![],
    ] {
        for format in ["human", "json", "sarif", "github"] {
            let out = lint(dir.path())
                .args(["--format", format])
                .args(&args)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).to_string();
            assert!(text.contains("debug"), "{args:?} {format}: {text}");
            assert!(!text.contains(&password), "{args:?} {format} leaks: {text}");
            assert!(!text.contains(&key), "{args:?} {format} leaks: {text}");
        }
    }
}
