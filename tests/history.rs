//! The git modes on real repositories built with `git2` in temporary folders: `--history`,
//! `--since`, `--staged`, `--diff`, baselines, and one finding per secret wherever it is.
//!
//! Secrets are assembled at run time, so this file and the repositories it builds from it
//! hold no literal token.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use git2::{IndexAddOption, Oid, Repository, Signature, Time};
use serde_json::Value;
use tempfile::TempDir;

/// A GitHub-token-shaped string, different for each seed, with a high-entropy body.
fn token(seed: u64) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let body: String = (0..36)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ALPHABET[(state >> 33) as usize % ALPHABET.len()] as char
        })
        .collect();
    format!("ghp_{body}")
}

struct Repo {
    dir: TempDir,
    repo: Repository,
    clock: i64,
}

impl Repo {
    fn new() -> Repo {
        let dir = TempDir::new().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        Repo {
            dir,
            repo,
            clock: 1_600_000_000,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, content: &[u8]) {
        let full = self.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, content).unwrap();
    }

    fn remove(&self, path: &str) {
        fs::remove_file(self.path().join(path)).unwrap();
    }

    /// Stages one path (added, modified or deleted).
    fn stage(&self, path: &str) {
        let mut index = self.repo.index().unwrap();
        if self.path().join(path).exists() {
            index.add_path(Path::new(path)).unwrap();
        } else {
            index.remove_path(Path::new(path)).unwrap();
        }
        index.write().unwrap();
    }

    /// Stages everything and commits it on HEAD; `extra_parent` makes a merge.
    fn commit_all(&mut self, message: &str, extra_parent: Option<Oid>) -> Oid {
        let mut index = self.repo.index().unwrap();
        index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        self.commit_index(message, extra_parent)
    }

    fn commit_index(&mut self, message: &str, extra_parent: Option<Oid>) -> Oid {
        let mut index = self.repo.index().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        self.clock += 3600;
        let who =
            Signature::new("Ann Author", "ann@example.com", &Time::new(self.clock, 60)).unwrap();
        let mut parents = Vec::new();
        if let Ok(head) = self.repo.head().and_then(|h| h.peel_to_commit()) {
            parents.push(head);
        }
        if let Some(id) = extra_parent {
            parents.push(self.repo.find_commit(id).unwrap());
        }
        let parents: Vec<_> = parents.iter().collect();
        self.repo
            .commit(Some("HEAD"), &who, &who, message, &tree, &parents)
            .unwrap()
    }

    /// Points HEAD at a new or existing branch and checks it out.
    fn switch(&self, branch: &str, from: Oid) {
        let name = format!("refs/heads/{branch}");
        if self.repo.find_reference(&name).is_err() {
            self.repo
                .branch(branch, &self.repo.find_commit(from).unwrap(), false)
                .unwrap();
        }
        self.repo.set_head(&name).unwrap();
        self.repo
            .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .unwrap();
    }
}

fn lint(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("smartedu-lint")
        .unwrap()
        .arg(dir)
        .args(["--format", "json"])
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SMARTEDU_LINT_LOG")
        .output()
        .unwrap()
}

/// The report's findings; asserts the exit code first.
fn findings(dir: &Path, args: &[&str], code: i32) -> Vec<Value> {
    let out = lint(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"].as_array().unwrap().clone()
}

/// `(path, line)` of a finding and of every other place it lists.
fn places(f: &Value) -> Vec<(String, u64)> {
    let one = |v: &Value| {
        (
            v["path"].as_str().unwrap().to_string(),
            v["line"].as_u64().unwrap(),
        )
    };
    let mut out = vec![one(f)];
    if let Some(more) = f["also_at"].as_array() {
        out.extend(more.iter().map(one));
    }
    out
}

#[test]
fn a_secret_added_then_deleted_is_found_with_its_commit() {
    let mut repo = Repo::new();
    repo.write("README.md", b"hello\n");
    repo.commit_all("start", None);
    repo.write(
        "app/settings.py",
        format!("DEBUG = 0\nTOKEN = \"{}\"\n", token(1)).as_bytes(),
    );
    let added = repo.commit_all("add settings", None);
    repo.remove("app/settings.py");
    repo.commit_all("remove settings", None);

    let out = lint(repo.path(), &["--history"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("ann@example.com"), "no e-mail in reports");
    assert!(!text.contains(&token(1)), "no secret in reports");
    let report: Value = serde_json::from_str(&text).unwrap();
    let found = report["findings"].as_array().unwrap();
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(f["rule_id"], "secrets/github-token");
    assert_eq!(
        (f["path"].as_str(), f["line"].as_u64()),
        (Some("app/settings.py"), Some(2))
    );
    assert_eq!(f["commit"], added.to_string());
    assert_eq!(f["author"], "Ann Author");
    assert_eq!(f["date"], "2020-09-13T15:26:40+01:00");

    // Without --history the deleted secret is not in the tree.
    assert!(findings(repo.path(), &[], 0).is_empty());
}

#[test]
fn one_secret_in_two_commits_and_the_tree_is_one_finding() {
    let mut repo = Repo::new();
    let secret = token(2);
    repo.write("a.py", format!("KEY = \"{secret}\"\n").as_bytes());
    repo.commit_all("a", None);
    repo.write(
        "b/c.js",
        format!("// x\nconst key = \"{secret}\";\n").as_bytes(),
    );
    repo.commit_all("b", None);
    // Uncommitted: only in the working tree.
    repo.write("local.env", format!("KEY={secret}\n").as_bytes());

    // Secrets only: env/committed-dotenv also reports the untracked `local.env`.
    let found = findings(repo.path(), &["--history", "--only", "secrets/"], 1);
    assert_eq!(found.len(), 1, "{found:#?}");
    let mut at = places(&found[0]);
    at.sort();
    assert_eq!(
        at,
        [
            ("a.py".into(), 1),
            ("b/c.js".into(), 2),
            ("local.env".into(), 1)
        ]
    );
    // The working-tree copy leads: it is what to fix first.
    assert_eq!(found[0]["path"], "local.env");
    assert!(found[0]["commit"].is_null());

    // Two copies in one working tree are one finding too.
    let found = findings(repo.path(), &["--only", "secrets/"], 1);
    assert_eq!(found.len(), 1);
    assert_eq!(places(&found[0]).len(), 3);
}

#[test]
fn since_only_sees_newer_commits() {
    let mut repo = Repo::new();
    repo.write("old.py", format!("T = \"{}\"\n", token(3)).as_bytes());
    let old = repo.commit_all("old", None);
    repo.write("new.py", format!("T = \"{}\"\n", token(4)).as_bytes());
    let new = repo.commit_all("new", None);

    let found = findings(repo.path(), &["--history", "--since", &old.to_string()], 1);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["path"], "new.py");
    assert_eq!(found[0]["commit"], new.to_string());

    let found = findings(repo.path(), &["--history", "--since", "HEAD"], 0);
    assert!(found.is_empty());
}

#[test]
fn diff_counts_only_lines_changed_since_the_merge_base() {
    let mut repo = Repo::new();
    let old = format!("A = \"{}\"\n", token(5));
    repo.write("conf.py", old.as_bytes());
    repo.write("Dockerfile", b"FROM python:3.12-slim\nUSER app\n");
    let base = repo.commit_all("base", None);
    repo.switch("feature", base);
    repo.write("conf.py", format!("{old}B = \"{}\"\n", token(6)).as_bytes());
    // The user line changes, so the root-user finding is on a changed line.
    repo.write("Dockerfile", b"FROM python:3.12-slim\nUSER root\n");
    repo.commit_all("feature", None);
    // main moves on after the branch point: its changes are not the PR's.
    repo.switch("main-line", base);
    repo.write("other.py", format!("C = \"{}\"\n", token(7)).as_bytes());
    repo.commit_all("main moves", None);
    repo.switch("feature", base);

    let found = findings(repo.path(), &["--diff", "main-line"], 1);
    let mut got: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("Dockerfile", 2, "docker/root-user"),
            ("conf.py", 2, "secrets/github-token")
        ]
    );
}

#[test]
fn staged_sees_the_index_not_the_working_tree() {
    let mut repo = Repo::new();
    repo.write("app.py", format!("OLD = \"{}\"\n", token(8)).as_bytes());
    repo.commit_all("start", None);
    // Staged: a new line with a secret; the committed line is not re-reported.
    let staged = format!("OLD = \"{}\"\nNEW = \"{}\"\n", token(8), token(9));
    repo.write("app.py", staged.as_bytes());
    repo.stage("app.py");
    // Then the working tree moves on, unstaged, with another secret.
    repo.write(
        "app.py",
        format!("{staged}LATER = \"{}\"\n", token(10)).as_bytes(),
    );
    repo.write(
        "untracked.py",
        format!("U = \"{}\"\n", token(11)).as_bytes(),
    );

    let found = findings(repo.path(), &["--staged"], 1);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0]["path"].as_str(), found[0]["line"].as_u64()),
        (Some("app.py"), Some(2))
    );

    // Nothing staged: nothing to report.
    repo.commit_index("commit staged", None);
    assert!(findings(repo.path(), &["--staged"], 0).is_empty());
}

#[test]
fn staged_works_before_the_first_commit() {
    let repo = Repo::new();
    repo.write("first.py", format!("X = \"{}\"\n", token(12)).as_bytes());
    repo.stage("first.py");
    let found = findings(repo.path(), &["--staged"], 1);
    assert_eq!(found.len(), 1);
}

#[test]
fn the_baseline_hides_exactly_its_findings() {
    let mut repo = Repo::new();
    repo.write("a.py", format!("A = \"{}\"\n", token(13)).as_bytes());
    repo.write("b.py", format!("B = \"{}\"\n", token(14)).as_bytes());
    repo.commit_all("two", None);
    let baseline = repo.path().join("baseline.json");
    let base = baseline.to_str().unwrap();

    assert!(findings(repo.path(), &["--write-baseline", base], 0).is_empty());
    let text = fs::read_to_string(&baseline).unwrap();
    assert!(
        !text.contains(&token(13)) && !text.contains("ghp_"),
        "{text}"
    );
    let written: Value = serde_json::from_str(&text).unwrap();
    let entries = written["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e["note"] == "" && e["fingerprint"].is_string())
    );
    assert_eq!(entries[0]["path"], "a.py");

    repo.write("c.py", format!("C = \"{}\"\n", token(15)).as_bytes());
    let found = findings(repo.path(), &["--baseline", base], 1);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["path"], "c.py");

    // The baseline's fingerprints hold in history too: same secrets, same fingerprints.
    repo.remove("c.py");
    assert!(findings(repo.path(), &["--history", "--baseline", base], 0).is_empty());

    // Rewriting keeps a reviewer's notes.
    let noted = text.replacen("\"note\": \"\"", "\"note\": \"test key\"", 1);
    fs::write(&baseline, noted).unwrap();
    findings(
        repo.path(),
        &["--baseline", base, "--write-baseline", base],
        0,
    );
    assert!(fs::read_to_string(&baseline).unwrap().contains("test key"));
}

#[test]
fn merges_renames_branches_and_binary_blobs() {
    let mut repo = Repo::new();
    repo.write("README.md", b"x\n");
    let root = repo.commit_all("root", None);

    // A secret that lives only on a merged topic branch, replaced before the merge.
    repo.switch("topic", root);
    repo.write(
        "scripts/publish.js",
        format!("const t = \"{}\";\n", token(16)).as_bytes(),
    );
    let on_topic = repo.commit_all("publish script", None);
    repo.write("scripts/publish.js", b"const t = process.env.TOKEN;\n");
    let topic_end = repo.commit_all("use env", None);
    repo.switch("master", root);
    repo.write("main.py", b"print(1)\n");
    repo.commit_all("main work", None);
    repo.commit_all("merge topic", Some(topic_end));
    repo.repo
        .find_reference("refs/heads/topic")
        .unwrap()
        .delete()
        .unwrap();

    // A secret committed, then its file renamed: one blob, one finding, first path.
    repo.write(
        "deploy/notify.yml",
        format!("token: {}\n", token(17)).as_bytes(),
    );
    let added = repo.commit_all("notify", None);
    fs::create_dir_all(repo.path().join("ci")).unwrap();
    fs::rename(
        repo.path().join("deploy/notify.yml"),
        repo.path().join("ci/notify.yml"),
    )
    .unwrap();
    repo.commit_all("move notify", None);

    // A binary blob holding a token is skipped (NUL byte), not reported.
    let mut binary = vec![0u8, 1, 2];
    binary.extend(token(18).as_bytes());
    repo.write("logo.png", &binary);
    repo.commit_all("logo", None);

    let out = lint(repo.path(), &["--history"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = report["findings"].as_array().unwrap();
    let mut got: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["commit"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("deploy/notify.yml", added.to_string()),
            ("scripts/publish.js", on_topic.to_string()),
        ]
    );
    assert!(report["summary"]["files_skipped"]["binary"].as_u64() >= Some(1));
}

#[test]
fn a_shallow_clone_scans_what_it_has_and_says_what_it_cannot_see() {
    let mut repo = Repo::new();
    repo.write("old.py", format!("T = \"{}\"\n", token(19)).as_bytes());
    repo.commit_all("old", None);
    repo.remove("old.py");
    repo.commit_all("drop", None);
    repo.write("new.py", format!("T = \"{}\"\n", token(20)).as_bytes());
    let head = repo.commit_all("new", None);

    let clones = TempDir::new().unwrap();
    let shallow = clones.path().join("shallow");
    let url = format!("file://{}", repo.path().display());
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(&shallow)
        .status()
        .unwrap();
    assert!(status.success());

    let out = lint(&shallow, &["--history"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shallow clone"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = report["findings"].as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["path"], "new.py");
    assert_eq!(found[0]["commit"], head.to_string());

    // A bare clone has every commit and no working tree.
    let bare = clones.path().join("bare.git");
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--bare", &url])
        .arg(&bare)
        .status()
        .unwrap();
    assert!(status.success());
    let found = findings(&bare, &["--history"], 1);
    let mut paths: Vec<_> = found.iter().map(|f| f["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(paths, ["new.py", "old.py"]);
}

#[test]
fn history_outside_a_repository_is_an_error() {
    let dir = TempDir::new().unwrap();
    let out = lint(dir.path(), &["--history"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git repository"));
    let out = lint(dir.path(), &["--staged"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sarif_carries_the_commit_and_every_place() {
    let mut repo = Repo::new();
    let secret = token(21);
    repo.write("a.py", format!("K = \"{secret}\"\n").as_bytes());
    let first = repo.commit_all("a", None);
    // Other content around the same secret: another blob.
    repo.write("b.py", format!("# b\nK = \"{secret}\"\n").as_bytes());
    repo.commit_all("b", None);
    let out = Command::cargo_bin("smartedu-lint")
        .unwrap()
        .arg(repo.path())
        .args(["--history", "--format", "sarif"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["properties"]["commit"], first.to_string());
    assert_eq!(results[0]["properties"]["author"], "Ann Author");
    let locations = results[0]["locations"].as_array().unwrap();
    assert_eq!(locations.len(), 2);
    assert!(locations[1]["properties"]["commit"].is_string());
    // Not placed on a line of today's file: the line is a property of the commit's place.
    assert!(locations[0]["physicalLocation"]["region"].is_null());
    assert_eq!(locations[0]["properties"]["line"], 1);
    assert!(results[0]["partialFingerprints"]["primaryLocationLineHash"].is_null());
}

#[test]
fn old_versions_are_judged_by_the_secret_rules_only() {
    let mut repo = Repo::new();
    // A root Dockerfile with a token, fixed later: the token stays leaked, the root user
    // is old news.
    repo.write(
        "Dockerfile",
        format!("FROM python:3.12-slim\nENV TOKEN={}\nUSER root\n", token(7)).as_bytes(),
    );
    let added = repo.commit_all("first image", None);
    repo.write("Dockerfile", b"FROM python:3.12-slim\nUSER app\n");
    repo.commit_all("drop root and the token", None);
    // A file still root at the tip of a branch other than HEAD's is judged in full.
    repo.write("worker/Dockerfile", b"FROM python:3.12-slim\nUSER 0\n");
    let side = repo.commit_all("worker image", None);
    repo.switch("side", side);
    repo.write("worker/Dockerfile", b"FROM python:3.12-slim\nUSER app\n");
    let main_tip = repo.commit_all("worker runs as app", None);
    repo.repo
        .reference("refs/heads/keep", side, true, "test")
        .unwrap();
    repo.switch("side", main_tip);

    let found = findings(repo.path(), &["--history"], 1);
    let ids: Vec<(&str, &str)> = found
        .iter()
        .map(|f| (f["rule_id"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    assert!(
        ids.contains(&("secrets/github-token", "Dockerfile")),
        "{ids:?}"
    );
    let token = found
        .iter()
        .find(|f| f["rule_id"] == "secrets/github-token")
        .unwrap();
    assert_eq!(token["commit"], added.to_string());
    assert!(
        ids.contains(&("docker/root-user", "worker/Dockerfile")),
        "{ids:?}"
    );
    assert!(
        !ids.contains(&("docker/root-user", "Dockerfile")),
        "a fixed Dockerfile is not reported again: {ids:?}"
    );
}

/// Runs `--history` under `script`, which gives the command a pseudo-terminal, and returns
/// everything it wrote there; `None` when `script` is not installed.
fn on_a_terminal(dir: &Path, extra: &str, ci: Option<&str>) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| Path::new(p).is_file())?;
    let bin = assert_cmd::cargo::cargo_bin("smartedu-lint");
    let log = TempDir::new().unwrap();
    let typescript = log.path().join("typescript");
    let inner = format!(
        "{} --history {} -f json -o {} {extra}",
        bin.display(),
        dir.display(),
        log.path().join("report.json").display()
    );
    let mut cmd = std::process::Command::new(script);
    cmd.args(["-qec", &inner])
        .arg(&typescript)
        .env_remove("CI")
        .env_remove("SMARTEDU_LINT_LOG");
    if let Some(value) = ci {
        cmd.env("CI", value);
    }
    let status = cmd.output().unwrap().status;
    assert!(status.code().is_some_and(|c| c <= 1), "{status:?}");
    Some(String::from_utf8_lossy(&fs::read(typescript).unwrap()).into_owned())
}

#[test]
// Saying that the terminal cases were skipped is this test's only output.
#[allow(clippy::print_stderr)]
fn the_progress_bar_shows_only_on_a_terminal_without_quiet_or_ci() {
    let mut repo = Repo::new();
    repo.write("a.py", b"x = 1\n");
    repo.commit_all("a", None);

    // Piped stderr (as in CI logs and here): no bar.
    let out = lint(repo.path(), &["--history"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("blobs"));

    let Some(shown) = on_a_terminal(repo.path(), "", None) else {
        eprintln!("`script` is not installed: the terminal cases were not run");
        return;
    };
    assert!(
        shown.contains("history [") && shown.contains("blobs"),
        "{shown}"
    );
    let quiet = on_a_terminal(repo.path(), "-q", None).unwrap();
    assert!(!quiet.contains("blobs"), "-q: {quiet}");
    let ci = on_a_terminal(repo.path(), "", Some("true")).unwrap();
    assert!(!ci.contains("blobs"), "CI=true: {ci}");
}

/// `(path, line, message)` of each finding.
fn where_and_what(found: &[Value]) -> Vec<(String, u64, String)> {
    found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn unused_baseline_entries_are_reported_with_their_rule_and_path() {
    let mut repo = Repo::new();
    repo.write("a.py", format!("A = \"{}\"\n", token(20)).as_bytes());
    repo.write("b.py", format!("B = \"{}\"\n", token(21)).as_bytes());
    repo.commit_all("two", None);
    let baseline = repo.path().join("baseline.json");
    let base = baseline.to_str().unwrap();
    findings(repo.path(), &["--write-baseline", base], 0);

    // Both entries still hide a finding: nothing to say.
    let flag = "--report-unused-ignores";
    assert!(findings(repo.path(), &["--baseline", base, flag], 0).is_empty());

    // b.py's secret is gone from the tree: its entry is stale, a.py's is not.
    repo.write("b.py", b"B = os.environ[\"B\"]\n");
    assert!(findings(repo.path(), &["--baseline", base], 0).is_empty());
    let found = findings(repo.path(), &["--baseline", base, flag], 1);
    // The finding points at the line of the stale entry's fingerprint.
    let text = fs::read_to_string(&baseline).unwrap();
    let written: Value = serde_json::from_str(&text).unwrap();
    let entries = written["findings"].as_array().unwrap();
    let stale = entries.iter().find(|e| e["path"] == "b.py").unwrap();
    let fingerprint = stale["fingerprint"].as_str().unwrap();
    let line = text.lines().position(|l| l.contains(fingerprint)).unwrap() as u64 + 1;
    assert_eq!(
        where_and_what(&found),
        [(
            "baseline.json".to_string(),
            line,
            "baseline entry for `secrets/github-token` in `b.py` matched no finding".to_string()
        )]
    );
    assert_eq!(found[0]["rule_id"], "meta/unused-ignore");
    assert_eq!(found[0]["severity"], "low");

    // History still holds b.py's secret, so there the entry is used.
    assert!(findings(repo.path(), &["--history", "--baseline", base, flag], 0).is_empty());
    // Rules that did not run cannot judge their entries.
    assert!(
        findings(
            repo.path(),
            &["--baseline", base, flag, "--only", "docker/"],
            0
        )
        .is_empty()
    );
    // --staged sees too little to judge a baseline.
    assert!(findings(repo.path(), &["--baseline", base, flag, "--staged"], 0).is_empty());
}

#[test]
fn staged_and_diff_judge_only_markers_on_changed_lines() {
    let mut repo = Repo::new();
    let old = "x = 1  # smartedu-lint: ignore[code/debug-enabled]\n";
    repo.write("app.py", old.as_bytes());
    let base = repo.commit_all("old marker", None);
    let flag = "--report-unused-ignores";
    // In the tree the old marker is stale.
    assert_eq!(findings(repo.path(), &[flag], 1).len(), 1);

    repo.switch("feature", base);
    let new = format!("{old}y = 2  # smartedu-lint: ignore[docker/root-user]\n");
    repo.write("app.py", new.as_bytes());
    repo.stage("app.py");
    let expected = [(
        "app.py".to_string(),
        2,
        "unused suppression for `docker/root-user`".to_string(),
    )];
    assert_eq!(
        where_and_what(&findings(repo.path(), &["--staged", flag], 1)),
        expected
    );
    assert!(findings(repo.path(), &["--staged"], 0).is_empty());

    repo.commit_index("new marker", None);
    repo.repo
        .branch("main-line", &repo.repo.find_commit(base).unwrap(), false)
        .unwrap();
    assert_eq!(
        where_and_what(&findings(repo.path(), &["--diff", "main-line", flag], 1)),
        expected
    );
    // History scans leave markers alone.
    assert!(findings(repo.path(), &["--history", flag], 0).is_empty());
}

#[test]
fn configured_excludes_apply_in_every_git_mode() {
    let mut repo = Repo::new();
    repo.write(".smartedu-lint.toml", b"exclude = [\"fixtures/\"]\n");
    repo.write("README.md", b"hello\n");
    let base = repo.commit_all("start", None);
    repo.write(
        "fixtures/f.py",
        format!("TOKEN = \"{}\"\n", token(21)).as_bytes(),
    );
    repo.commit_all("add a fixture", None);
    assert!(findings(repo.path(), &["--history"], 0).is_empty());
    assert!(findings(repo.path(), &["--diff", &base.to_string()], 0).is_empty());
    repo.write(
        "fixtures/g.py",
        format!("TOKEN = \"{}\"\n", token(22)).as_bytes(),
    );
    repo.stage("fixtures/g.py");
    assert!(findings(repo.path(), &["--staged"], 0).is_empty());
    // Outside the excluded folder the same token is still found.
    repo.write("app.py", format!("TOKEN = \"{}\"\n", token(22)).as_bytes());
    repo.stage("app.py");
    assert_eq!(findings(repo.path(), &["--staged"], 1).len(), 1);
}

#[test]
fn a_committed_binary_file_is_counted_once_not_again_from_the_working_tree() {
    let mut repo = Repo::new();
    repo.write("logo.png", &[0u8, 1, 2, 3]);
    repo.write("README.md", b"hello\n");
    repo.commit_all("one", None);
    // An untracked binary file that no commit holds is still counted, once.
    repo.write("new.bin", &[0u8, 9, 9, 9]);
    let out = lint(repo.path(), &["--history"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["summary"]["files_skipped"]["binary"].as_u64(),
        Some(2),
        "{}",
        report["summary"]
    );
}

/// Under a pseudo-terminal (util-linux `script`), the history bar is drawn; a warning logged during
/// the scan must clear the bar's line and stand on its own, not be appended to the bar.
#[test]
fn warnings_during_a_history_scan_do_not_share_the_progress_bar_s_line() {
    let mut repo = Repo::new();
    for i in 0..40 {
        repo.write(
            &format!("pod{i}.yaml"),
            format!("apiVersion: v1\nkind: Pod\nspec: [\n  x{i}: {{\n").as_bytes(),
        );
    }
    repo.commit_all("broken manifests", None);
    let bin = assert_cmd::cargo::cargo_bin("smartedu-lint");
    let command = format!(
        "'{}' --history '{}' > /dev/null",
        bin.display(),
        repo.path().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .env_remove("SMARTEDU_LINT_LOG")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("history ["), "no bar drawn: {screen:?}");
    let starts: Vec<usize> = screen.match_indices("warning:").map(|(i, _)| i).collect();
    assert!(!starts.is_empty(), "no warning logged: {screen:?}");
    for i in starts {
        let before = &screen[..i];
        assert!(
            before.is_empty() || before.ends_with('\n') || before.ends_with("\u{1b}[2K"),
            "a warning follows other text on its line: {:?}",
            before.chars().rev().take(80).collect::<String>()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_committed_file_name_that_is_not_utf8_keeps_its_bytes_in_the_sarif_uri() {
    use std::os::unix::ffi::OsStrExt;
    let mut repo = Repo::new();
    let name = std::ffi::OsStr::from_bytes(b"Dockerfile.\xff");
    fs::create_dir(repo.path().join("sub")).unwrap();
    fs::write(
        repo.path().join("sub").join(name),
        "FROM python:3.12-slim\n",
    )
    .unwrap();
    repo.commit_all("odd name", None);
    let out = Command::cargo_bin("smartedu-lint")
        .unwrap()
        .arg(repo.path())
        .args([
            "--history",
            "--only",
            "docker/root-user",
            "--format",
            "sarif",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "sub/Dockerfile.%FF", "{}", sarif["runs"][0]["results"]);
}

/// `(path, line, rule)` of each finding, sorted.
fn sorted_places(found: &[Value]) -> Vec<(String, u64, String)> {
    let mut got: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

/// A repository with the same secret in `src/app.py` and, outside `src`, in `top.py` and
/// `srcx/near.py` (a folder whose name starts like `src`): a scan of `src` sees only the first.
fn repo_with_a_folder(first: &str) -> (Repo, String) {
    let mut repo = Repo::new();
    repo.write("README.md", b"start\n");
    repo.commit_all(first, None);
    let same = format!("T = \"{}\"\n", token(40));
    // Outside the folder first: the walk meets the shared blob there before `src`.
    repo.write("aaa/top.py", same.as_bytes());
    repo.write("srcx/near.py", same.as_bytes());
    repo.write("src/app.py", same.as_bytes());
    (repo, same)
}

fn src_only(found: &[Value]) -> bool {
    found.iter().all(|f| places(f).len() == 1)
        && sorted_places(found)
            == [(
                "src/app.py".to_string(),
                1,
                "secrets/github-token".to_string(),
            )]
}

#[test]
fn staged_from_a_folder_inside_the_repository_sees_only_that_folder() {
    let (repo, _) = repo_with_a_folder("start");
    for path in ["aaa/top.py", "srcx/near.py", "src/app.py"] {
        repo.stage(path);
    }
    let found = findings(&repo.path().join("src"), &["--staged"], 1);
    assert!(src_only(&found), "{found:#?}");
    // Paths stay from the repository's top, as a tree scan of the folder shows them.
    let tree = findings(&repo.path().join("src"), &[], 1);
    assert_eq!(sorted_places(&tree), sorted_places(&found));
    // From the top, all three.
    let top = findings(repo.path(), &["--staged"], 1);
    assert_eq!(top.iter().map(|f| places(f).len()).sum::<usize>(), 3);
}

#[test]
fn diff_from_a_folder_inside_the_repository_sees_only_that_folder() {
    let (mut repo, _) = repo_with_a_folder("base");
    let base = repo.repo.head().unwrap().peel_to_commit().unwrap().id();
    repo.commit_all("feature", None);
    let base = base.to_string();
    let found = findings(&repo.path().join("src"), &["--diff", &base], 1);
    assert!(src_only(&found), "{found:#?}");
}

#[test]
fn history_from_a_folder_inside_the_repository_sees_only_that_folder() {
    let (mut repo, same) = repo_with_a_folder("start");
    repo.commit_all("add", None);
    // Uncommitted work outside the folder is not scanned either.
    repo.write(
        "aaa/later.py",
        format!("L = \"{}\"\n", token(41)).as_bytes(),
    );
    repo.write("src/later.py", same.as_bytes());
    let found = findings(&repo.path().join("src"), &["--history"], 1);
    let paths: Vec<_> = found.iter().flat_map(places).map(|(p, _)| p).collect();
    assert!(paths.iter().all(|p| p.starts_with("src/")), "{found:#?}");
    assert!(paths.contains(&"src/app.py".to_string()), "{found:#?}");
    // A nested folder works too; its parent's files are outside it.
    repo.write(
        "src/deep/d.py",
        format!("D = \"{}\"\n", token(42)).as_bytes(),
    );
    repo.commit_all("deep", None);
    let found = findings(&repo.path().join("src/deep"), &["--history"], 1);
    assert_eq!(
        sorted_places(&found),
        [(
            "src/deep/d.py".to_string(),
            1,
            "secrets/github-token".to_string()
        )]
    );
}

#[test]
fn the_search_upward_stops_at_a_ceiling_and_errors_are_one_clear_line() {
    let (repo, _) = repo_with_a_folder("start");
    let out = Command::cargo_bin("smartedu-lint")
        .unwrap()
        .arg(repo.path().join("src"))
        .arg("--staged")
        .env("GIT_CEILING_DIRECTORIES", repo.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a git repository"), "{stderr}");
    assert!(stderr.contains("src"), "{stderr}");
    assert!(!stderr.contains("class="), "{stderr}");
    // A libgit2 failure is shown by its message, without the class and code.
    let out = lint(repo.path(), &["--diff", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--diff no-such-branch"), "{stderr}");
    assert!(
        !stderr.contains("class=") && !stderr.contains("code="),
        "{stderr}"
    );
}

/// `(path, line, rule)` of each finding, sorted.
fn where_found(found: &[Value]) -> Vec<(String, u64, String)> {
    let mut got: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

#[test]
fn diff_follows_a_file_changed_then_moved_on_the_branch() {
    let mut repo = Repo::new();
    let old_secret = format!("OLD = \"{}\"\n", token(21));
    repo.write(
        "settings.py",
        format!("DEBUG = True\n{old_secret}x = 1\n").as_bytes(),
    );
    let base = repo.commit_all("base", None);
    repo.switch("trunk", base);
    repo.switch("feature", base);
    // Changed in place, then moved: across the whole diff too few lines are alike for
    // rename detection (git's own `diff -M` sees a deletion and an addition).
    let new = format!("DEBUG = True\n{old_secret}x = 2\nNEW = \"{}\"\n", token(22));
    repo.write("settings.py", new.as_bytes());
    repo.commit_all("change", None);
    repo.remove("settings.py");
    repo.write("sub/conf2.py", new.as_bytes());
    repo.commit_all("move", None);

    let found = findings(repo.path(), &["--diff", "trunk"], 1);
    assert_eq!(
        where_found(&found),
        [(
            "sub/conf2.py".to_string(),
            4,
            "secrets/github-token".to_string()
        )]
    );
    // A pure rename adds no line at all.
    repo.switch("pure", base);
    repo.remove("settings.py");
    repo.write(
        "sub/conf2.py",
        format!("DEBUG = True\n{old_secret}x = 1\n").as_bytes(),
    );
    repo.commit_all("move only", None);
    assert!(findings(repo.path(), &["--diff", "trunk"], 0).is_empty());
}

#[test]
fn staged_counts_added_lines_of_a_file_with_lone_carriage_returns() {
    let mut repo = Repo::new();
    repo.write("app.py", b"import os\r");
    repo.commit_all("start", None);
    // git sees one line changed; the scan sees three lines, the secret on the third.
    repo.write(
        "app.py",
        format!("import os\rx = 1\rTOKEN = \"{}\"\r", token(31)).as_bytes(),
    );
    repo.stage("app.py");
    let found = findings(repo.path(), &["--staged"], 1);
    assert_eq!(
        where_found(&found),
        [("app.py".to_string(), 3, "secrets/github-token".to_string())]
    );
}
