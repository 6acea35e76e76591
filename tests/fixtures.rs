//! Runs every rule fixture under `fixtures/<family>/<name>/` and compares what is found
//! with the fixture's `expected.txt`.
//!
//! `expected.txt` lists one finding a line, `<file>:<line> <rule-id>`; `#` starts a
//! comment. The findings compared are those of the rule `<family>/<name>` when that rule
//! exists, else of every rule of the family. Every file in the folder whose name contains
//! `ok` must produce none of them. All rules are enabled, off-by-default ones too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use smartedu_lint::config::Config;
use smartedu_lint::discover::tree::TreeWalk;
use smartedu_lint::engine::{Engine, RuleSet};
use smartedu_lint::rules::builtin_meta;

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn engine() -> Engine {
    let mut config = Config::default();
    config.rules.enable = builtin_meta().keys().cloned().collect();
    Engine::new(RuleSet::from_config(&config))
}

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for family in std::fs::read_dir(fixtures_root())
        .into_iter()
        .flatten()
        .flatten()
    {
        for dir in std::fs::read_dir(family.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if dir.path().join("expected.txt").is_file() {
                dirs.push(dir.path());
            }
        }
    }
    dirs.sort();
    dirs
}

fn parse_expected(dir: &Path) -> BTreeSet<(String, usize, String)> {
    let text = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
    let mut out = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let (place, rule) = line
            .split_once(char::is_whitespace)
            .unwrap_or_else(|| panic!("{}:{}: want `file:line rule`", dir.display(), n + 1));
        let (file, lineno) = place.rsplit_once(':').unwrap();
        out.insert((
            file.to_string(),
            lineno.parse().unwrap(),
            rule.trim().to_string(),
        ));
    }
    out
}

fn copy_outside_repo(dir: &Path) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                std::fs::create_dir_all(&target).unwrap();
                copy(&entry.path(), &target);
            } else if kind.is_symlink() {
                let link = std::fs::read_link(entry.path()).unwrap();
                std::os::unix::fs::symlink(link, &target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let temp = tempfile::TempDir::new().unwrap();
    copy(dir, temp.path());
    temp
}

#[test]
fn every_fixture_produces_exactly_its_expected_findings() {
    let engine = engine();
    let mut failures = Vec::new();
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty(), "no fixtures found");
    for dir in dirs {
        let family = dir
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let rule = format!("{family}/{name}");
        let selects = |id: &str| {
            if builtin_meta().contains_key(&rule) {
                id == rule
            } else {
                id.starts_with(&format!("{family}/"))
            }
        };
        // Scanned from a copy outside this repository, so paths are relative to the
        // fixture folder and no rule sees the `fixtures/` folder name.
        let copy = copy_outside_repo(&dir);
        let walk = TreeWalk {
            roots: vec![copy.path().to_path_buf()],
            threads: 1,
            max_file_size: 5 * 1024 * 1024,
            exclude: vec!["expected.txt".into()],
            output: None,
        };
        let result = engine.scan_tree(&walk);
        let found: BTreeSet<_> = result
            .findings
            .iter()
            .filter(|f| selects(&f.rule_id))
            .map(|f| (f.path.clone(), f.span.line, f.rule_id.clone()))
            .collect();
        let expected = parse_expected(&dir);
        for missing in expected.difference(&found) {
            failures.push(format!("{}: missing {missing:?}", dir.display()));
        }
        for extra in found.difference(&expected) {
            failures.push(format!("{}: unexpected {extra:?}", dir.display()));
        }
        let ok_files = found
            .iter()
            .filter(|(path, _, _)| path.contains("ok"))
            .count();
        if ok_files > 0 {
            failures.push(format!("{}: a file named *ok* has findings", dir.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_structural_rule_has_a_fixture_with_flagged_and_clean_cases() {
    let mut missing = Vec::new();
    for id in builtin_meta()
        .keys()
        .filter(|id| !id.starts_with("secrets/"))
    {
        let dir = fixtures_root().join(id);
        let has_expected = dir.join("expected.txt").is_file() && !parse_expected(&dir).is_empty();
        let has_ok = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("ok"));
        if !(has_expected && has_ok) {
            missing.push(id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "rules without flagged and ok fixtures: {missing:?}"
    );
}
