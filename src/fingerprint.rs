//! Fingerprints that identify a finding across runs and line moves.
//!
//! A fingerprint hashes the rule id with what was matched, never the line number, so a
//! finding keeps its identity when code above it changes. For secrets the secret alone is
//! hashed (not the path), so copies of one secret are one finding; the secret itself never
//! appears in clear.

use sha2::{Digest, Sha256};

/// Fingerprint of a structural finding: rule id, path and the matched text with runs of
/// whitespace collapsed, so re-indenting does not change it.
pub fn of_match(rule_id: &str, path: &str, matched: &str) -> String {
    let normalized = matched.split_whitespace().collect::<Vec<_>>().join(" ");
    digest(&[rule_id, path, &normalized])
}

/// Fingerprint of a secret: rule id and secret only.
pub fn of_secret(rule_id: &str, secret: &str) -> String {
    digest(&[rule_id, secret])
}

/// Fingerprint of the `n`-th (1-based after the first) repeat, in one file, of a finding
/// whose plain fingerprint is `first`.
pub fn of_occurrence(first: &str, n: usize) -> String {
    digest(&[first, &n.to_string()])
}

fn digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let out = hasher.finalize();
    out[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Masks a secret for display: at most its first 4 characters stay, fewer for short
/// secrets, and the rest become `*`. The length is kept so columns stay true.
pub fn redact(secret: &str) -> String {
    let keep = redact_keep(secret.chars().count());
    secret
        .chars()
        .enumerate()
        .map(|(i, c)| if i < keep { c } else { '*' })
        .collect()
}

/// How many leading characters [`redact`] keeps of a secret `len` characters long.
pub fn redact_keep(len: usize) -> usize {
    (len / 4).min(4)
}

/// A value from a scanned file, cut for a warning: its first 4 characters, then `…` when
/// there is more. Warnings quote what did not parse, which may be a credential, and they
/// are not masked like snippets are.
pub fn excerpt(value: &str) -> String {
    let mut chars = value.chars();
    let shown: String = chars.by_ref().take(4).collect();
    if chars.next().is_some() {
        format!("{shown}…")
    } else {
        shown
    }
}

/// A name from a scanned file (a file, a service, a heredoc delimiter), whole for a
/// warning: names are not secrets, and a cut name no longer says which one is meant.
/// Control characters are escaped so that a name cannot break the line or drive the
/// terminal.
pub fn shown_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shown_whole_with_control_characters_escaped() {
        assert_eq!(shown_name("missing-service"), "missing-service");
        assert_eq!(shown_name("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
    }

    #[test]
    fn excerpt_shows_at_most_four_characters() {
        assert_eq!(excerpt(&format!("ghp_{}", "a".repeat(36))), "ghp_…");
        assert_eq!(excerpt("EOF"), "EOF");
        assert_eq!(excerpt("éééé"), "éééé");
    }

    #[test]
    fn redact_keeps_at_most_four_characters() {
        let key = format!("AKIA{}", "ABCDEFGHIJKLMNOP");
        assert_eq!(redact(&key), format!("AKIA{}", "*".repeat(16)));
        assert_eq!(redact("hunter2"), "h******");
        assert_eq!(redact("abc"), "***");
    }

    #[test]
    fn match_fingerprint_ignores_whitespace_but_not_path() {
        let a = of_match("docker/root-user", "Dockerfile", "USER  root");
        let b = of_match("docker/root-user", "Dockerfile", "USER root");
        let c = of_match("docker/root-user", "other/Dockerfile", "USER root");
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn repeats_get_distinct_stable_fingerprints() {
        let first = of_match("nginx/missing-hsts", "a.conf", "server {");
        assert_ne!(of_occurrence(&first, 1), first);
        assert_ne!(of_occurrence(&first, 1), of_occurrence(&first, 2));
        assert_eq!(of_occurrence(&first, 1), of_occurrence(&first, 1));
    }

    #[test]
    fn secret_fingerprint_is_independent_of_path() {
        assert_eq!(
            of_secret("secrets/x", "s3cr3t"),
            of_secret("secrets/x", "s3cr3t")
        );
        assert_ne!(
            of_secret("secrets/x", "s3cr3t"),
            of_secret("secrets/y", "s3cr3t")
        );
    }
}
