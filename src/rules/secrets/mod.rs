//! The `secrets/` rules: hardcoded credentials.
//!
//! Two kinds of rule share one checker, so that a credential found by a provider rule is
//! not reported again by the generic assignment rule:
//! - provider rules, as data in `rules/secrets/*.toml` ([`provider_tokens`]);
//! - user rules from the configuration ([`custom`]) and imported gitleaks rules
//!   ([`gitleaks`]), run with the provider rules behind the same keyword automaton;
//! - `secrets/jwt-signing-key`, a literal key in a JWT library's sign or verify call
//!   ([`jwt_signing_key`]);
//! - the named-assignment rules `secrets/generic-password` and `secrets/generic-api-key`
//!   ([`generic_password`]).

pub mod custom;
pub mod generic_password;
pub mod gitleaks;
pub mod jwt_signing_key;
pub mod placeholder;
pub mod provider_tokens;
pub mod rule;
pub mod structured;

use super::{Checker, Findings, RuleMeta, Settings};
use crate::document::Document;
use crate::finding::Severity;
use crate::kind::FileKind;

/// Every checker of the family.
pub fn checkers(settings: &Settings) -> Vec<Box<dyn Checker>> {
    let custom = &settings.custom_secret_rules;
    let own = (!custom.is_empty()).then(|| {
        let mut rules = provider_tokens::BUILTIN.rules.clone();
        rules.extend(custom.iter().cloned());
        provider_tokens::RuleSet::new(rules)
    });
    vec![Box::new(SecretScanner { own })]
}

/// Runs the provider rules, then the generic rules on what they left.
struct SecretScanner {
    /// The built-in rules with the configuration's own, when it has any (one automaton
    /// over all of them); `None`: the built-in set alone.
    own: Option<provider_tokens::RuleSet>,
}

impl SecretScanner {
    fn rule_set(&self) -> &provider_tokens::RuleSet {
        self.own.as_ref().unwrap_or(&provider_tokens::BUILTIN)
    }
}

impl Checker for SecretScanner {
    fn rule_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .rule_set()
            .rules
            .iter()
            .map(|r| r.raw.id.clone())
            .collect();
        ids.push(jwt_signing_key::ID.to_string());
        ids.extend(generic_password::RULE_IDS.iter().map(|s| s.to_string()));
        ids
    }

    fn applies_to(&self, _kind: FileKind) -> bool {
        true
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let mut own = Findings::default();
        provider_tokens::check_with(self.rule_set(), doc, &mut own);
        let mut taken: Vec<_> = own.raw.iter().filter_map(|f| f.secret.clone()).collect();
        let mut jwt = Findings::default();
        for key in jwt_signing_key::check(doc, &mut jwt) {
            if !taken.iter().any(|t| t.start < key.end && key.start < t.end) {
                taken.push(key);
            }
        }
        // A provider token passed as a JWT key is reported once, by its provider rule.
        jwt.raw.retain(|f| {
            f.secret.as_ref().is_none_or(|s| {
                !own.raw
                    .iter()
                    .filter_map(|o| o.secret.as_ref())
                    .any(|o| o.start < s.end && s.start < o.end)
            })
        });
        own.raw.extend(jwt.raw);
        generic_password::check(doc, &taken, &mut own);
        out.raw.extend(own.raw);
        out.masked.extend(own.masked);
        out.masked.extend(jwt.masked);
    }
}

const WHY: &str = "A credential committed to a repository can be read by everyone with access \
to the repository, its forks, clones, CI logs and history, for as long as the credential is \
valid; removing it in a later commit does not remove it from history.";

const FIX: &str = "Revoke and rotate the credential now, then load it at run time from the \
environment or a secret manager (and keep it out of the repository, e.g. in an ignored `.env`).";

/// Metadata of every built-in secret rule.
pub fn meta() -> Vec<RuleMeta> {
    let mut all: Vec<RuleMeta> = provider_tokens::BUILTIN
        .rules
        .iter()
        .map(rule_meta)
        .collect();
    all.push(jwt_signing_key::meta());
    all.extend(generic_password::meta());
    all
}

/// The metadata of one data-driven rule (built-in, user or imported).
pub fn rule_meta(rule: &rule::SecretRule) -> RuleMeta {
    let raw = &rule.raw;
    let provider = raw.provider.clone().unwrap_or_else(|| raw.title.clone());
    let builtin = rule.origin.starts_with("rules/secrets/");
    let mut tags = vec!["secret".to_string()];
    if !builtin {
        tags.push("custom".into());
    }
    RuleMeta {
        id: raw.id.clone(),
        title: raw.title.clone(),
        severity: raw.severity,
        enabled: true,
        why: raw
            .why
            .clone()
            .unwrap_or_else(|| format!("A {provider} credential is hardcoded. {WHY}")),
        fix: raw
            .fix
            .clone()
            .unwrap_or_else(|| format!("{FIX} Revoke it in the {provider} console or API first.")),
        example: String::new(),
        fixed_example: String::new(),
        known_problems: if builtin {
            String::new()
        } else {
            format!("A custom rule, defined in {}.", rule.origin)
        },
        checklist: "No secrets in the repository".into(),
        cwe: vec!["CWE-798".into()],
        aliases: Vec::new(),
        tags,
        references: raw.references.clone(),
    }
}

/// Shared metadata fields for the family's coded rules.
fn coded_meta(id: &str, title: &str, severity: Severity, why: &str) -> RuleMeta {
    RuleMeta {
        id: id.into(),
        title: title.into(),
        severity,
        enabled: true,
        why: format!("{why} {WHY}"),
        fix: FIX.into(),
        example: String::new(),
        fixed_example: String::new(),
        known_problems: String::new(),
        checklist: "No secrets in the repository".into(),
        cwe: vec!["CWE-798".into(), "CWE-259".into()],
        // Each rule that a peer's id means names it itself (bandit's B105-B107 are
        // passwords: see generic_password.rs); one alias on every coded rule made
        // `nosec B105` cover them all while `--skip B105` covered one.
        aliases: Vec::new(),
        tags: vec!["secret".into()],
        references: Vec::new(),
    }
}
