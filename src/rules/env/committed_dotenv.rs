//! `env/committed-dotenv`: an environment file (`.env`, `.env.production`, `.env.local`,
//! `prod.env`, ...) in the repository that holds real values.
//!
//! ## What it does
//! Reports the file once, on its first line that assigns a real value: not empty, not a
//! placeholder (`changeme`, `<your-password>`, `xxxx`, `null`), not a reference
//! (`${DB_PASSWORD}`), but any setting (`DEBUG=true`, `PORT=3000`, `SECRET=abc`),
//! and not a variable that frameworks publish to the browser anyway (`VITE_*`,
//! `NEXT_PUBLIC_*`, `REACT_APP_*`, ...). Templates by name (`.env.example`, `.env.sample`,
//! `.env.template`, `.env.dist`, ...) and test files (`.env.test`, `.env.ci`) are skipped.
//!
//! Encrypted environment files are meant to be committed: dotenvx values
//! (`encrypted:BD9p…`) with the file's `DOTENV_PUBLIC_KEY`, and a dotenv-vault
//! `.env.vault` (`DOTENV_VAULT_*` ciphertext) hold no real values. Their keys do: a
//! `.env.keys` file (`DOTENV_PRIVATE_KEY*`) is reported, and the secret rules report the
//! key itself.
//!
//! Being scanned is what "committed" means here: git modes scan what the repository holds,
//! and a working-tree scan skips files that `.gitignore` ignores (the walk honours it), so
//! an ignored local `.env` is never reported. An untracked one that is not ignored is: it
//! is one `git add .` away from the repository.
//!
//! TODO: the document does not know whether its file is tracked; with that, an untracked
//! working-tree file could be reported as "not ignored" rather than "committed".

use super::debug_enabled::assignment;
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::secrets::placeholder::{is_dotenvx_encrypted, is_stand_in};
use crate::rules::{Checker, Findings};

const ID: &str = "env/committed-dotenv";

/// Keys named in the message, at most.
const KEYS_SHOWN: usize = 3;

pub struct CommittedDotenv;

impl Checker for CommittedDotenv {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Env
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        if is_template_or_test(doc.path) {
            return;
        }
        let mut first = None;
        let mut keys = Vec::new();
        for line in 1..=doc.line_count() {
            let Some((key, value)) = assignment(doc.line_text(line)) else {
                continue;
            };
            if !is_key(key) || is_public(key) || is_ciphertext(key, value) || !is_real(value) {
                continue;
            }
            first.get_or_insert(line);
            keys.push(key);
        }
        let Some(line) = first else {
            return;
        };
        let mut named = keys
            .iter()
            .take(KEYS_SHOWN)
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if keys.len() > KEYS_SHOWN {
            named.push_str(&format!(" and {} more", keys.len() - KEYS_SHOWN));
        }
        out.report(
            ID,
            doc.line_range(line),
            format!(
                "environment file in the repository holds real values ({named}): commit a \
                 template such as `.env.example` and keep this file out of git"
            ),
        );
    }
}

/// True for templates and test settings, by the words of the file name.
fn is_template_or_test(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    const WORDS: [&str; 12] = [
        "example", "examples", "sample", "template", "tpl", "dist", "defaults", "schema", "test",
        "testing", "ci", "docs",
    ];
    name.split(['.', '-', '_'])
        .any(|part| WORDS.contains(&part))
}

/// An environment variable name; anything else on a line with `=` is not an assignment
/// this rule understands.
fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
}

/// Variables the frameworks build into client-side code: public by design.
fn is_public(key: &str) -> bool {
    const PREFIXES: [&str; 7] = [
        "VITE_",
        "NEXT_PUBLIC_",
        "REACT_APP_",
        "NUXT_PUBLIC_",
        "EXPO_PUBLIC_",
        "GATSBY_",
        "PUBLIC_",
    ];
    PREFIXES.iter().any(|p| key.starts_with(p))
}

/// dotenvx and dotenv-vault encryption: a value encrypted in place, the public key it is
/// encrypted to, or a vault of ciphertext.
fn is_ciphertext(key: &str, value: &str) -> bool {
    is_dotenvx_encrypted(value.trim())
        || key.starts_with("DOTENV_PUBLIC_KEY")
        || key.starts_with("DOTENV_VAULT")
}

/// A value a deployment would use. Settings count as much as secrets (`DEBUG=true`,
/// `PORT=3000`, `SECRET=abc`): the file is what is in the wrong place, and the next value
/// added to it may be a secret. Blanks, placeholders and references are a template's
/// content, and make no finding.
fn is_real(value: &str) -> bool {
    !value.trim().is_empty() && !is_stand_in(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_test_files_are_skipped_by_name() {
        assert!(is_template_or_test(".env.example"));
        assert!(is_template_or_test("web/.env.production.sample"));
        assert!(is_template_or_test("example.env"));
        assert!(is_template_or_test(".env.test"));
        assert!(!is_template_or_test(".env"));
        assert!(!is_template_or_test("deploy/.env.production"));
        assert!(!is_template_or_test(".env.local"));
        assert!(!is_template_or_test("prod.env"));
    }

    #[test]
    fn real_values() {
        assert!(is_real("q7TmW2-pLx9Zr"));
        assert!(is_real("postgres://app:pw@db/app"));
        assert!(!is_real(""));
        assert!(!is_real("<your-password>"));
        assert!(!is_real("${DB_PASSWORD}"));
        assert!(!is_real("changeme"));
        assert!(!is_real("null"));
        // Settings and short or common words are values, though no secret rule reports
        // them (they were skipped as secret placeholders before).
        for value in ["true", "0", "abc", "password", "test", "3000"] {
            assert!(is_real(value), "{value}");
        }
    }
}
