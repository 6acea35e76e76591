//! `env/debug-enabled`: a `.env` file that switches debug mode on (`DEBUG=true`,
//! `FLASK_DEBUG=1`, `DJANGO_DEBUG=yes`, `APP_DEBUG=on`).
//!
//! Example and development files are skipped: `.env.example`, `.env.sample`,
//! `.env.template`, `.env.dist`, `.env.development`, `.env.local`, `.env.test` and the
//! like describe or serve a developer's machine, not a deployment.

use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "env/debug-enabled";

pub struct DebugEnabled;

impl Checker for DebugEnabled {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Env
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        if is_non_production(doc.path) {
            return;
        }
        for line in 1..=doc.line_count() {
            let Some((key, value)) = assignment(doc.line_text(line)) else {
                continue;
            };
            if is_debug_key(key) && is_on(value) {
                out.report(
                    ID,
                    doc.line_range(line),
                    format!("`{key}={value}` turns debug mode on wherever this file is used"),
                );
            }
        }
    }
}

/// True for env files that are examples or serve development and tests.
fn is_non_production(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    const WORDS: [&str; 10] = [
        "example", "sample", "template", "dist", "dev", "local", "test", "ci", "tpl", "defaults",
    ];
    name.split(['.', '-', '_'])
        .any(|part| WORDS.contains(&part) || part == "development" || part == "testing")
}

/// `KEY=value` with an optional `export `, the value without quotes or a trailing
/// ` # comment`.
pub(super) fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.starts_with('#') {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (key, value) = line.split_once('=')?;
    let value = value.split(" #").next().unwrap_or(value).trim();
    Some((key.trim(), value.trim_matches(['"', '\''])))
}

/// `DEBUG` and the framework switches named `<FRAMEWORK>_DEBUG`.
fn is_debug_key(key: &str) -> bool {
    matches!(
        key,
        "DEBUG" | "FLASK_DEBUG" | "DJANGO_DEBUG" | "APP_DEBUG" | "WERKZEUG_DEBUG" | "DEBUG_MODE"
    )
}

fn is_on(value: &str) -> bool {
    ["true", "1", "yes", "on"]
        .iter()
        .any(|v| value.eq_ignore_ascii_case(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_assignments() {
        assert_eq!(
            assignment("export DEBUG=\"true\" # on"),
            Some(("DEBUG", "true"))
        );
        assert_eq!(assignment("# DEBUG=1"), None);
        assert!(!is_on("false"));
        assert!(!is_debug_key("DEBUG_LEVEL"));
    }

    #[test]
    fn example_and_development_files_are_skipped() {
        assert!(is_non_production(".env.example"));
        assert!(is_non_production("web/.env.development"));
        assert!(is_non_production(".env.local"));
        assert!(!is_non_production(".env"));
        assert!(!is_non_production("deploy/.env.production"));
    }
}
