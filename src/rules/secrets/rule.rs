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
    /// Text the rule must match (all of them). Every built-in rule has some; in a user
    /// rule they are optional.
    #[serde(default)]
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
#[derive(Debug, Clone)]
pub struct SecretRule {
    pub raw: RawSecretRule,
    pub regex: Regex,
    pub allow: Vec<Regex>,
    /// Where the rule came from, for `rules` and `explain`: a rules file, a configuration.
    pub origin: String,
    /// Path and allowlist filters of an imported gitleaks rule (empty for the others).
    pub filters: Filters,
}

/// Filters that need more than the secret: the file's path, the whole match, the line.
/// Only imported gitleaks rules carry them.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// The rule runs only on files whose path matches.
    pub path: Option<Regex>,
    /// A match is dropped when any of these allowlists accepts it.
    pub allowlists: Vec<Allowlist>,
}

/// One gitleaks-style allowlist: its checks joined by OR (the default) or AND.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    pub all_required: bool,
    pub paths: Vec<Regex>,
    pub regexes: Vec<Regex>,
    pub target: RegexTarget,
    /// Lowercase words; a secret containing one is allowed.
    pub stopwords: Vec<String>,
}

/// What an allowlist's `regexes` are matched against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RegexTarget {
    #[default]
    Secret,
    Match,
    Line,
}

/// One match as the allowlists see it.
pub struct Candidate<'a> {
    pub path: &'a str,
    pub secret: &'a [u8],
    pub whole: &'a [u8],
    pub line: &'a [u8],
}

impl Allowlist {
    /// True when the allowlist lets `c` through as not a secret.
    pub fn allows(&self, c: &Candidate) -> bool {
        let target = match self.target {
            RegexTarget::Secret => c.secret,
            RegexTarget::Match => c.whole,
            RegexTarget::Line => c.line,
        };
        let lower = String::from_utf8_lossy(c.secret).to_lowercase();
        let mut checks = Vec::new();
        if !self.paths.is_empty() {
            checks.push(self.paths.iter().any(|r| r.is_match(c.path.as_bytes())));
        }
        if !self.regexes.is_empty() {
            checks.push(self.regexes.iter().any(|r| r.is_match(target)));
        }
        if !self.stopwords.is_empty() {
            checks.push(self.stopwords.iter().any(|w| lower.contains(w.as_str())));
        }
        if self.all_required {
            !checks.is_empty() && checks.iter().all(|&c| c)
        } else {
            checks.iter().any(|&c| c)
        }
    }
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
        SecretRule::build(raw, origin)
    }

    /// Like [`SecretRule::validate`], but a rule without keywords is accepted: it runs on
    /// every file (imported gitleaks rules, whose keywords are optional).
    pub fn build(raw: RawSecretRule, origin: &str) -> Result<SecretRule, RuleError> {
        let fail = |message: String| RuleError {
            origin: origin.to_string(),
            id: raw.id.clone(),
            message,
        };
        if let Some(k) = raw
            .keywords
            .iter()
            .find(|k| k.is_empty() || k.to_lowercase() != **k)
        {
            return Err(fail(format!("keyword `{k}` must be non-empty lowercase")));
        }
        let regex = compile(&raw.regex)
            .map_err(|e| fail(format!("regex: {}", one_line(&e.to_string()))))?;
        if let Some(group) = raw.secret_group
            && group >= regex.captures_len()
        {
            return Err(fail(format!("secret_group {group} does not exist")));
        }
        let allow = raw
            .allow
            .iter()
            .map(|a| {
                compile(a).map_err(|e| fail(format!("allow `{a}`: {}", one_line(&e.to_string()))))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SecretRule {
            raw,
            regex,
            allow,
            origin: origin.to_string(),
            filters: Filters::default(),
        })
    }

    /// Checks that the rule matches each of its examples and none of its negative
    /// examples; the error names the first that does not.
    pub fn check_examples(&self) -> Result<(), RuleError> {
        let fail = |message: String| RuleError {
            origin: self.origin.clone(),
            id: self.raw.id.clone(),
            message,
        };
        if let Some(ex) = self
            .raw
            .examples
            .iter()
            .find(|ex| self.matches(ex.as_bytes()).is_empty())
        {
            return Err(fail(format!("example does not match: {ex}")));
        }
        if let Some(ex) = self
            .raw
            .negative_examples
            .iter()
            .find(|ex| !self.matches(ex.as_bytes()).is_empty())
        {
            return Err(fail(format!("negative example matches: {ex}")));
        }
        Ok(())
    }

    /// True when the rule has anything to do with the file at `path`.
    pub fn applies_to_path(&self, path: &str) -> bool {
        let filters = &self.filters;
        if filters
            .path
            .as_ref()
            .is_some_and(|p| !p.is_match(path.as_bytes()))
        {
            return false;
        }
        // A path-only allowlist drops the whole file, before any regex runs.
        !filters.allowlists.iter().any(|a| {
            a.regexes.is_empty()
                && a.stopwords.is_empty()
                && a.paths.iter().any(|r| r.is_match(path.as_bytes()))
        })
    }

    /// [`SecretRule::matches`] in the file at `path`, with the rule's allowlists applied.
    /// Also returns the secrets of the matches that were let through as not secrets
    /// (placeholders, low entropy, allowlisted), to be masked all the same.
    pub fn matches_in(
        &self,
        path: &str,
        text: &[u8],
    ) -> (Vec<SecretMatch>, Vec<std::ops::Range<usize>>) {
        if !self.applies_to_path(path) {
            return (Vec::new(), Vec::new());
        }
        let (mut found, mut rejected) = self.matches_and_rejected(text);
        if !self.filters.allowlists.is_empty() {
            found.retain(|m| {
                let candidate = Candidate {
                    path,
                    secret: text.get(m.secret.clone()).unwrap_or_default(),
                    whole: text.get(m.whole.clone()).unwrap_or_default(),
                    line: text.get(line_around(text, &m.whole)).unwrap_or_default(),
                };
                let allowed = self.filters.allowlists.iter().any(|a| a.allows(&candidate));
                if allowed {
                    rejected.push(m.secret.clone());
                }
                !allowed
            });
        }
        (found, rejected)
    }

    /// Every match of the rule in `text` whose secret passes the entropy floor and the
    /// allow patterns. Linear in the text: one pass of the regex, each secret checked once.
    pub fn matches(&self, text: &[u8]) -> Vec<SecretMatch> {
        self.matches_and_rejected(text).0
    }

    /// [`SecretRule::matches`], and the secrets of the matches it leaves out.
    fn matches_and_rejected(&self, text: &[u8]) -> (Vec<SecretMatch>, Vec<std::ops::Range<usize>>) {
        let mut out = Vec::new();
        let mut rejected = Vec::new();
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
            } else {
                rejected.push(secret.range());
            }
        }
        (out, rejected)
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

/// The regex crate's errors span several lines (the pattern, a caret under the fault,
/// the reason); a configuration error or warning is one line.
pub fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.chars().all(|c| c == '^' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines that hold `range`, without their line breaks.
fn line_around(text: &[u8], range: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = text
        .get(..range.start)
        .and_then(|before| before.iter().rposition(|&b| b == b'\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(range.end..)
        .and_then(|after| after.iter().position(|&b| b == b'\n'))
        .map_or(text.len(), |i| range.end + i);
    start..end
}

/// Patterns are ASCII-only (`\w`, `\b` and classes mean ASCII), which keeps matching on
/// the fast DFA path and lets a pattern run over bytes that are not valid UTF-8.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
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
