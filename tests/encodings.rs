//! Text saved as UTF-16 with a byte-order mark (as Windows editors do) is checked like
//! UTF-8 text, with the same line numbers.

use smartedu_lint::config::Config;
use smartedu_lint::discover::tree::TreeWalk;
use smartedu_lint::engine::{Engine, RuleSet};

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut out = if little {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        out.extend(if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

fn scan(files: &[(&str, Vec<u8>)]) -> Vec<(String, usize, String)> {
    let dir = tempfile::TempDir::new().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let engine = Engine::new(RuleSet::from_config(&Config::default()));
    let walk = TreeWalk {
        roots: vec![dir.path().to_path_buf()],
        threads: 1,
        max_file_size: 1024 * 1024,
        exclude: Vec::new(),
        output: None,
    };
    let mut found: Vec<_> = engine
        .scan_tree(&walk)
        .findings
        .iter()
        .map(|f| (f.path.clone(), f.span.line, f.rule_id.clone()))
        .collect();
    found.sort();
    found
}

#[test]
fn utf16_dockerfile_and_env_file_are_checked_on_the_right_lines() {
    let dockerfile =
        "# built on Windows\r\nFROM python:3.12-slim\r\nRUN pip install flask\r\nUSER root\r\n";
    let env = "# settings\nAPP_NAME=demo\n\nDEBUG=true\n";
    let found = scan(&[
        ("Dockerfile", utf16(dockerfile, true)),
        (".env", utf16(env, false)),
    ]);
    let has = |path: &str, line: usize, rule: &str| {
        found
            .iter()
            .any(|(p, l, r)| p == path && *l == line && r == rule)
    };
    assert!(has("Dockerfile", 4, "docker/root-user"), "{found:?}");
    assert!(has(".env", 4, "env/debug-enabled"), "{found:?}");
}

#[test]
fn utf16_without_a_byte_order_mark_stays_binary() {
    let mut raw = utf16("FROM python:3.12-slim\nUSER root\n", true);
    raw.drain(..2);
    assert!(scan(&[("Dockerfile", raw)]).is_empty());
}
