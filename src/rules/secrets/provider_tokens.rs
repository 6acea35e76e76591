//! Provider tokens: the rules of `rules/secrets/*.toml` (AWS keys, GitHub tokens, private
//! keys, connection strings, ...), run behind one keyword prefilter.
//!
//! ## What it does
//! Finds credentials whose format the provider documents (a fixed prefix, length and
//! alphabet), each under its own rule id such as `secrets/aws-access-key`.
//!
//! ## Why is this bad?
//! A credential committed to a repository is readable by everyone with access to the
//! repository and its history, forks and CI logs, for as long as the credential lives.
//!
//! ## How it is fast
//! One ASCII case-insensitive Aho-Corasick automaton over every rule's keywords scans each
//! file once; only the rules whose keyword occurs run their regex, each compiled once.
//!
//! ## Known problems
//! A rule whose keyword is the token prefix (`ghp_`) does not care where the token sits;
//! one whose keyword is the provider's name needs that name somewhere in the file, not
//! necessarily near the token.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::rule::{RawRulesFile, RuleError, SecretRule};
use crate::document::Document;
use crate::fingerprint;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

/// The rule files, embedded at build time: the one place that lists them.
pub const RULE_FILES: &[(&str, &str)] = &[
    (
        "rules/secrets/cloud.toml",
        include_str!("../../../rules/secrets/cloud.toml"),
    ),
    (
        "rules/secrets/source-hosting.toml",
        include_str!("../../../rules/secrets/source-hosting.toml"),
    ),
    (
        "rules/secrets/messaging.toml",
        include_str!("../../../rules/secrets/messaging.toml"),
    ),
    (
        "rules/secrets/payments.toml",
        include_str!("../../../rules/secrets/payments.toml"),
    ),
    (
        "rules/secrets/ai.toml",
        include_str!("../../../rules/secrets/ai.toml"),
    ),
    (
        "rules/secrets/registries.toml",
        include_str!("../../../rules/secrets/registries.toml"),
    ),
    (
        "rules/secrets/saas.toml",
        include_str!("../../../rules/secrets/saas.toml"),
    ),
    (
        "rules/secrets/keys.toml",
        include_str!("../../../rules/secrets/keys.toml"),
    ),
    (
        "rules/secrets/connection-strings.toml",
        include_str!("../../../rules/secrets/connection-strings.toml"),
    ),
];

/// Loads and validates every embedded rule.
pub fn load_builtin() -> Result<Vec<SecretRule>, RuleError> {
    let mut rules = Vec::new();
    for (origin, text) in RULE_FILES {
        let file: RawRulesFile = toml::from_str(text).map_err(|e| RuleError {
            origin: origin.to_string(),
            id: String::new(),
            message: e.to_string(),
        })?;
        for raw in file.rule {
            rules.push(SecretRule::validate(raw, origin)?);
        }
    }
    Ok(rules)
}

/// The built-in rules with their prefilter, built once.
pub static BUILTIN: LazyLock<RuleSet> = LazyLock::new(|| {
    // The embedded rules are checked by `every_rule_matches_its_examples`; an error here
    // is a build defect, not user input, so it is logged and the rules are dropped.
    let rules = load_builtin().unwrap_or_else(|e| {
        tracing::error!("built-in secret rules are invalid: {e}");
        Vec::new()
    });
    RuleSet::new(rules)
});

/// Rules and the keyword automaton that picks which of them to run.
pub struct RuleSet {
    pub rules: Vec<SecretRule>,
    prefilter: Option<AhoCorasick>,
    /// For each automaton pattern, the rule it belongs to.
    owner: Vec<usize>,
    /// Rules without keywords (imported gitleaks rules may have none): run on every file.
    unfiltered: Vec<usize>,
}

impl RuleSet {
    pub fn new(rules: Vec<SecretRule>) -> RuleSet {
        let mut keywords = Vec::new();
        let mut owner = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            for k in &rule.raw.keywords {
                keywords.push(k.as_str());
                owner.push(i);
            }
        }
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keywords)
            .map_err(|e| tracing::error!("secret keyword automaton: {e}"))
            .ok();
        let unfiltered = (0..rules.len())
            .filter(|&i| rules[i].raw.keywords.is_empty())
            .collect();
        RuleSet {
            rules,
            prefilter,
            owner,
            unfiltered,
        }
    }

    /// Indexes of the rules whose keywords occur in `text`: one pass over the text.
    pub fn candidates(&self, text: &[u8]) -> Vec<usize> {
        let mut hit = vec![false; self.rules.len()];
        if let Some(ac) = &self.prefilter {
            let mut left = self.rules.len();
            for m in ac.find_overlapping_iter(text) {
                if let Some(&rule) = self.owner.get(m.pattern().as_usize())
                    && let Some(seen) = hit.get_mut(rule)
                    && !*seen
                {
                    *seen = true;
                    left -= 1;
                    if left == 0 {
                        break;
                    }
                }
            }
        }
        (0..self.rules.len()).filter(|&i| hit[i]).collect()
    }
}

/// The checker for every data-driven secret rule.
pub struct ProviderTokens;

impl Checker for ProviderTokens {
    fn rule_ids(&self) -> Vec<String> {
        BUILTIN.rules.iter().map(|r| r.raw.id.clone()).collect()
    }

    fn applies_to(&self, _kind: FileKind) -> bool {
        true
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        check_with(&BUILTIN, doc, out);
    }
}

/// Runs `set` over `doc`, reporting each secret once.
pub fn check_with(set: &RuleSet, doc: &Document, out: &mut Findings) {
    let text = doc.text.as_bytes();
    let mut run = set.candidates(text);
    run.extend(&set.unfiltered);
    for i in run {
        let Some(rule) = set.rules.get(i) else {
            continue;
        };
        let (found, rejected) = rule.matches_in(doc.path, text);
        for secret in rejected {
            out.mask(secret);
        }
        for m in found {
            let secret = String::from_utf8_lossy(&text[m.secret.clone()]);
            let message = format!("{} `{}` hardcoded", rule.raw.title, masked_prefix(&secret));
            out.report_secret(
                &rule.raw.id,
                point_at(doc, &m.whole, &m.secret),
                m.secret,
                message,
            );
        }
    }
}

/// The range to point at: the secret when it starts on the match's first line (a
/// one-line token), else the match's first line (a private key's BEGIN line).
fn point_at(
    doc: &Document,
    whole: &std::ops::Range<usize>,
    secret: &std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    let first_line = doc.line_of(whole.start);
    if doc.line_of(secret.start) == first_line && doc.line_of(secret.end) == first_line {
        secret.clone()
    } else {
        let line = doc.line_range(first_line);
        whole.start.max(line.start)..line.end
    }
}

/// The secret as a message shows it: the redacted form, cut short.
pub fn masked_prefix(secret: &str) -> String {
    let redacted = fingerprint::redact(secret);
    let shown: String = redacted.chars().take(8).collect();
    if redacted.chars().count() > 8 {
        format!("{shown}…")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_matches_its_examples_and_none_of_its_negative_examples() {
        let rules = load_builtin().unwrap_or_else(|e| panic!("{e}"));
        let mut failures = Vec::new();
        for rule in &rules {
            for ex in &rule.raw.examples {
                if rule.matches(ex.as_bytes()).is_empty() {
                    failures.push(format!("{}: example does not match: {ex}", rule.raw.id));
                }
            }
            for ex in &rule.raw.negative_examples {
                if !rule.matches(ex.as_bytes()).is_empty() {
                    failures.push(format!("{}: negative example matches: {ex}", rule.raw.id));
                }
            }
            if rule.raw.examples.is_empty() {
                failures.push(format!("{}: has no examples", rule.raw.id));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_example_passes_the_prefilter() {
        let set = &*BUILTIN;
        for (i, rule) in set.rules.iter().enumerate() {
            for ex in &rule.raw.examples {
                assert!(
                    set.candidates(ex.as_bytes()).contains(&i),
                    "{}: no keyword in example {ex}",
                    rule.raw.id
                );
            }
        }
    }

    #[test]
    fn rule_ids_are_unique() {
        let mut ids: Vec<_> = BUILTIN.rules.iter().map(|r| r.raw.id.as_str()).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate secret rule ids");
    }

    /// The secret each rule takes from `text`, by rule id.
    fn secrets_in(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for rule in &BUILTIN.rules {
            for m in rule.matches(text.as_bytes()) {
                out.push((rule.raw.id.clone(), text[m.secret].to_string()));
            }
        }
        out
    }

    #[test]
    fn a_url_password_runs_to_the_last_at_before_the_host() {
        let id = "secrets/connection-string-password".to_string();
        for (url, password) in [
            (
                "postgres://app:S3cr3t@Pa55w0rdXyZ@db.internal:5432/prod",
                "S3cr3t@Pa55w0rdXyZ",
            ),
            ("amqp://svc:a@b@c9Q2z@mq/vhost", "a@b@c9Q2z"),
            ("redis://:kDfbMibr6Jqg@cache:6379/0", "kDfbMibr6Jqg"),
            // An address in the query is not part of the password.
            (
                "https://app:kDfbMibr6Jqg@host?notify=ops@example.org",
                "kDfbMibr6Jqg",
            ),
        ] {
            assert_eq!(
                secrets_in(url),
                [(id.clone(), password.to_string())],
                "{url}"
            );
        }
    }

    #[test]
    fn a_private_key_in_a_json_string_starts_at_its_data() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Vt2Lq9Zx\\nWb3kR8pT5mN1cY4";
        let json = format!(
            "{{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n\"}}"
        );
        let found = secrets_in(&json);
        assert_eq!(
            found,
            [("secrets/private-key".to_string(), body.to_string())],
            "{json}"
        );
        assert!(masked_prefix(&found[0].1).starts_with("MIIE"));
    }

    #[test]
    fn tokens_holding_a_placeholder_word_by_chance_are_reported() {
        // Random base62 that happens to spell `fAke` and `xxXx`.
        for token in [
            "ghp_lpaiy2MQoMnL8x6uPbITfAkeJxSmoPtZ04y6",
            "ghp_q5NaTXdLXREflMxxXxj0aiNxcW8UbzcbpRRD",
        ] {
            let line = format!("a=\"{token}\"");
            let found = secrets_in(&line);
            assert!(
                found
                    .iter()
                    .any(|(id, s)| id == "secrets/github-token" && s == token),
                "{token}: {found:?}"
            );
        }
        for placeholder in [
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "ghp_fakeTokenForTests0000000000000000000",
            "AKIAIOSFODNN7EXAMPLE",
        ] {
            assert_eq!(secrets_in(placeholder), [], "{placeholder}");
        }
    }

    #[test]
    fn message_never_contains_the_secret() {
        assert_eq!(
            masked_prefix("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "ghp_****…"
        );
        assert_eq!(masked_prefix("hunter2"), "h******");
    }
}
