//! The GitHub Action's shell steps, run as the runner runs them (`bash --noprofile --norc
//! -eo pipefail`), against temporary repositories, with `GITHUB_OUTPUT`,
//! `GITHUB_STEP_SUMMARY` and `GITHUB_PATH` pointing at temporary files. The `uses:` steps
//! (cache, upload) cannot run here: their wiring is checked instead.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;
use yaml_rust2::{Yaml, YamlLoader};

fn action() -> Yaml {
    let text = include_str!("../action.yml");
    YamlLoader::load_from_str(text).unwrap().remove(0)
}

fn step(id: &str) -> Yaml {
    action()["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no step `{id}`"))
        .clone()
}

fn step_ids() -> Vec<String> {
    action()["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// A runner's view of one job: the workspace, the runner's files, and the outputs of the
/// steps run so far.
struct Runner {
    _tmp: TempDir,
    workspace: PathBuf,
    temp: PathBuf,
    summary: PathBuf,
    path_file: PathBuf,
    inputs: BTreeMap<String, String>,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// Prepended to PATH: where the fake `cargo` lives.
    bin_dir: PathBuf,
}

impl Runner {
    fn new(files: &[(&str, &str)], inputs: &[(&str, &str)]) -> Runner {
        let tmp = TempDir::new().unwrap();
        let workspace = tmp.path().join("repo");
        for (path, text) in files {
            let full = workspace.join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, text).unwrap();
        }
        fs::create_dir_all(&workspace).unwrap();
        let temp = tmp.path().join("runner-temp");
        let bin_dir = tmp.path().join("fake-bin");
        fs::create_dir_all(&temp).unwrap();
        fs::create_dir_all(&bin_dir).unwrap();
        // Defaults from action.yml, then the test's own inputs.
        let mut all = BTreeMap::new();
        for (name, spec) in action()["inputs"].as_hash().unwrap() {
            let default = spec["default"].as_str().unwrap_or("").to_string();
            all.insert(name.as_str().unwrap().to_string(), default);
        }
        for (k, v) in inputs {
            all.insert(k.to_string(), v.to_string());
        }
        Runner {
            summary: tmp.path().join("summary.md"),
            path_file: tmp.path().join("path.txt"),
            _tmp: tmp,
            workspace,
            temp,
            inputs: all,
            outputs: BTreeMap::new(),
            bin_dir,
        }
    }

    /// The value of `${{ expr }}` for the few expressions our `env:` blocks use.
    fn eval(&self, expr: &str) -> String {
        let expr = expr.trim();
        if let Some(name) = expr.strip_prefix("inputs.") {
            return self.inputs[name].clone();
        }
        if expr == "github.action_path" {
            return env!("CARGO_MANIFEST_DIR").to_string();
        }
        let parts: Vec<&str> = expr.split('.').collect();
        if let ["steps", id, "outputs", key] = parts[..] {
            return self
                .outputs
                .get(id)
                .and_then(|o| o.get(key))
                .cloned()
                .unwrap_or_default();
        }
        panic!("the test does not know the expression `{expr}`");
    }

    fn substitute(&self, value: &str) -> String {
        let mut out = String::new();
        let mut rest = value;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").unwrap() + start;
            out.push_str(&self.eval(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Runs the shell step `id` and records its outputs.
    fn run(&mut self, id: &str) -> Output {
        let step = step(id);
        assert_eq!(step["shell"].as_str(), Some("bash"), "{id}");
        let script = step["run"].as_str().unwrap();
        assert!(
            !script.contains("${{"),
            "{id}: inputs reach scripts through env only"
        );
        let output_file = self.temp.join(format!("output-{id}"));
        fs::write(&output_file, "").unwrap();
        let path = format!(
            "{}:{}",
            self.bin_dir.display(),
            std::env::var("PATH").unwrap()
        );
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(&self.workspace)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.temp.display().to_string())
            .env("RUNNER_TEMP", &self.temp)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &self.summary)
            .env("GITHUB_PATH", &self.path_file)
            .env("NO_COLOR", "1");
        if let Some(env) = step["env"].as_hash() {
            for (k, v) in env {
                cmd.env(k.as_str().unwrap(), self.substitute(v.as_str().unwrap()));
            }
        }
        let out = cmd.output().unwrap();
        let outputs = fs::read_to_string(&output_file)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.outputs.insert(id.to_string(), outputs);
        out
    }

    fn output(&self, id: &str, key: &str) -> &str {
        &self.outputs[id][key]
    }

    /// Installs a fake `cargo` that records its arguments and "installs" the test binary.
    fn fake_cargo(&self) -> PathBuf {
        let log = self.temp.join("cargo-args");
        let script = format!(
            "#!/usr/bin/env bash\nset -e\nprintf '%s\\n' \"$*\" > '{log}'\n\
             while [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
             mkdir -p \"$root/bin\"\ncp '{bin}' \"$root/bin/smartedu-lint\"\n",
            log = log.display(),
            bin = env!("CARGO_BIN_EXE_smartedu-lint"),
        );
        let cargo = self.bin_dir.join("cargo");
        fs::write(&cargo, script).unwrap();
        make_executable(&cargo);
        log
    }

    /// The steps a run without a cache hit goes through, up to the scan.
    fn install_and_scan(&mut self) -> Output {
        assert!(self.run("setup").status.success());
        let log = self.fake_cargo();
        let install = self.run("install");
        assert!(install.status.success(), "{install:?}");
        let args = fs::read_to_string(log).unwrap();
        assert_eq!(
            args.trim(),
            format!(
                "install --path {} --locked --root {}",
                env!("CARGO_MANIFEST_DIR"),
                self.output("setup", "root")
            )
        );
        assert!(self.run("path").status.success());
        self.run("scan")
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

const DIRTY_DOCKERFILE: &str = "FROM python:latest\nCOPY . /app\n";

#[test]
fn a_repository_with_findings_gets_a_sarif_file_a_summary_and_a_failed_job() {
    let mut runner = Runner::new(
        &[
            ("Dockerfile", DIRTY_DOCKERFILE),
            ("sub/compose.yml", "services: {}\n"),
        ],
        &[
            ("args", "--only docker/root-user   --threads 1"),
            ("fail-on", "high"),
        ],
    );
    let scan = runner.install_and_scan();
    assert!(scan.status.success(), "the scan step never fails: {scan:?}");
    assert_eq!(runner.output("scan", "exit-code"), "1");
    assert_eq!(runner.output("scan", "sarif-written"), "true");

    let bin_dir = format!("{}/bin", runner.output("setup", "root"));
    assert_eq!(
        fs::read_to_string(&runner.path_file).unwrap().trim(),
        bin_dir
    );

    let sarif: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(runner.workspace.join("smartedu-lint.sarif")).unwrap(),
    )
    .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    // `args` was split into words: `--only docker/root-user` left one rule running.
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "docker/root-user");

    assert!(runner.run("summary").status.success());
    let summary = fs::read_to_string(&runner.summary).unwrap();
    assert!(
        summary.starts_with("### smartedu-lint\n\n**1 finding**"),
        "{summary}"
    );
    assert!(summary.contains("| high | `docker/root-user` | `Dockerfile:1` |"));

    let verdict = runner.run("verdict");
    assert_eq!(verdict.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&verdict.stdout).contains("::error title=smartedu-lint::"));
}

#[test]
fn a_clean_repository_passes_and_a_broken_scan_fails_with_code_two() {
    let mut runner = Runner::new(&[("README.md", "hello\n")], &[]);
    runner.install_and_scan();
    assert_eq!(runner.output("scan", "exit-code"), "0");
    assert_eq!(runner.run("verdict").status.code(), Some(0));
    assert!(runner.run("summary").status.success());
    assert!(
        fs::read_to_string(&runner.summary)
            .unwrap()
            .contains("No findings.")
    );

    let mut broken = Runner::new(&[], &[("path", "does/not/exist")]);
    broken.install_and_scan();
    assert_eq!(broken.output("scan", "exit-code"), "2");
    assert_eq!(broken.run("verdict").status.code(), Some(2));
}

#[test]
fn the_cache_key_follows_the_sources_or_the_version() {
    let mut a = Runner::new(&[], &[]);
    let mut b = Runner::new(&[], &[]);
    a.run("setup");
    b.run("setup");
    let key = a.output("setup", "key").to_string();
    assert!(key.starts_with("smartedu-lint-Linux-X64-src-"), "{key}");
    assert_eq!(key.len(), "smartedu-lint-Linux-X64-src-".len() + 16);
    assert_eq!(
        key,
        b.output("setup", "key"),
        "the same sources, the same key"
    );

    let mut v = Runner::new(&[], &[("version", "0.1.0")]);
    v.run("setup");
    assert_eq!(
        v.output("setup", "key"),
        "smartedu-lint-Linux-X64-crates-0.1.0"
    );
    let log = v.fake_cargo();
    assert!(v.run("install").status.success());
    let args = fs::read_to_string(log).unwrap();
    assert!(
        args.starts_with("install smartedu-lint --version =0.1.0 --locked --root "),
        "{args}"
    );
}

#[test]
fn upload_is_pinned_skipped_on_forks_and_comes_before_the_verdict() {
    let upload = step("upload");
    let uses = upload["uses"].as_str().unwrap();
    let (name, sha) = uses.split_once('@').unwrap();
    assert_eq!(name, "github/codeql-action/upload-sarif");
    assert!(
        sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "{uses}"
    );
    let cond = upload["if"].as_str().unwrap();
    assert!(cond.contains("inputs.upload == 'true'"), "{cond}");
    assert!(
        cond.contains("github.event.pull_request.head.repo.full_name == github.repository"),
        "{cond}"
    );
    assert_eq!(
        upload["with"]["sarif_file"].as_str(),
        Some("${{ inputs.sarif-file }}")
    );
    for id in ["cache", "save"] {
        let uses = step(id)["uses"].as_str().unwrap().to_string();
        assert!(uses.split_once('@').unwrap().1.len() == 40, "{uses}");
    }
    let ids = step_ids();
    let at = |id: &str| ids.iter().position(|s| s == id).unwrap();
    assert!(at("scan") < at("summary") && at("summary") < at("upload"));
    assert_eq!(at("verdict"), ids.len() - 1, "the job fails last");
    assert!(
        step("verdict")["if"].is_badvalue(),
        "the verdict has no condition"
    );
}
