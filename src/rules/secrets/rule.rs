//! Secret rules as data: the raw form read from `rules/secrets/*.toml` and the validated
//! runtime form with its compiled pattern.
//!
//! A raw rule cannot reach the matcher: [`SecretRule::validate`] compiles the patterns,
//! checks the id and keywords, and only then gives a runtime rule.

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::finding::Severity;

/// One `[[rule]]` table as written in a rules file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecretRule {
    pub id: String,
    pub title: String,
    pub regex: String,
    /// Lowercase literals, at least one of which appears near every match.
    pub keywords: Vec<String>,
    /// Capture group holding the secret itself. When absent: the first group that took
    /// part in the match, or the whole match for a pattern without groups.
    #[serde(default)]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy, bits per character, of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Patterns that, matching the secret, mark it as not a secret (placeholders and the like).
    #[serde(default)]
    pub allow: Vec<String>,
    pub severity: Severity,
    /// The provider named in the shared why/fix text, e.g. "AWS".
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub why: Option<String>,
    #[serde(default)]
    pub fix: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// Text the rule must match (all of them).
    pub examples: Vec<String>,
    /// Text the rule must not match (none of them).
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// A rules file: a list of `[[rule]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRulesFile {
    #[serde(default)]
    pub rule: Vec<RawSecretRule>,
}

/// A validated rule, ready to match.
#[derive(Debug)]
pub struct SecretRule {
    pub raw: RawSecretRule,
    pub regex: Regex,
    pub allow: Vec<Regex>,
}

/// Why a rule was refused.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: rule `{id}`: {message}")]
pub struct RuleError {
    pub origin: String,
    pub id: String,
    pub message: String,
}

/// What a rule found in a text: where to point, and where the secret is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    pub whole: std::ops::Range<usize>,
    pub secret: std::ops::Range<usize>,
}

impl SecretRule {
    /// Compiles and checks a raw rule; `origin` names its file in errors.
    pub fn validate(raw: RawSecretRule, origin: &str) -> Result<SecretRule, RuleError> {
        let fail = |message: String| RuleError {
            origin: origin.to_string(),
            id: raw.id.clone(),
            message,
        };
        let valid_id = raw.id.strip_prefix("secrets/").is_some_and(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
        if !valid_id {
            return Err(fail("id must be `secrets/kebab-case`".into()));
        }
        if raw.keywords.is_empty() {
            return Err(fail("needs at least one keyword for the prefilter".into()));
        }
        if let Some(k) = raw
            .keywords
            .iter()
            .find(|k| k.is_empty() || k.to_lowercase() != **k)
        {
            return Err(fail(format!("keyword `{k}` must be non-empty lowercase")));
        }
        let regex = compile(&raw.regex).map_err(|e| fail(format!("regex: {e}")))?;
        if let Some(group) = raw.secret_group
            && group >= regex.captures_len()
        {
            return Err(fail(format!("secret_group {group} does not exist")));
        }
        let allow = raw
            .allow
            .iter()
            .map(|a| compile(a).map_err(|e| fail(format!("allow `{a}`: {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SecretRule { raw, regex, allow })
    }

    /// Every match of the rule in `text` whose secret passes the entropy floor and the
    /// allow patterns. Linear in the text: one pass of the regex, each secret checked once.
    pub fn matches(&self, text: &[u8]) -> Vec<SecretMatch> {
        let mut out = Vec::new();
        for caps in self.regex.captures_iter(text) {
            let secret = match self.raw.secret_group {
                Some(group) => caps.get(group),
                None => caps.iter().skip(1).flatten().next().or_else(|| caps.get(0)),
            };
            let (Some(whole), Some(secret)) = (caps.get(0), secret) else {
                continue;
            };
            if self.accepts(secret.as_bytes()) {
                out.push(SecretMatch {
                    whole: whole.range(),
                    secret: secret.range(),
                });
            }
        }
        out
    }

    fn accepts(&self, secret: &[u8]) -> bool {
        if let Some(floor) = self.raw.entropy
            && shannon_entropy(secret) < floor
        {
            return false;
        }
        if self.allow.iter().any(|a| a.is_match(secret)) {
            return false;
        }
        !super::placeholder::is_documented_or_placeholder(secret)
    }
}

/// Patterns are ASCII-only (`\w`, `\b` and classes mean ASCII), which keeps matching on
/// the fast DFA path and lets a pattern run over bytes that are not valid UTF-8.
fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(1 << 23)
        .build()
}

/// Shannon entropy of `s` in bits per byte.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_constant_strings() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
