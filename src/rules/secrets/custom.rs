//! User secret rules: `[[secrets.rules]]` tables in `.smartedu-lint.toml`, written in the
//! form of the built-in `rules/secrets/*.toml` rules.
//!
//! They are checked as strictly as the built-in ones (id under `secrets/`, keywords,
//! patterns that compile) and, when the user gave examples, against those examples, so a
//! rule that cannot find what its author meant it to find is a configuration error.

use std::collections::HashSet;

use super::rule::{RawSecretRule, RuleError, SecretRule};

/// Validates the user's rules; `origin` names the configuration file in errors.
/// `taken` holds the ids already in use (the built-in rules).
pub fn load(
    raws: &[RawSecretRule],
    origin: &str,
    taken: &HashSet<&str>,
) -> Result<Vec<SecretRule>, RuleError> {
    let mut seen = HashSet::new();
    let mut rules = Vec::new();
    for raw in raws {
        let clash = |message: &str| RuleError {
            origin: origin.to_string(),
            id: raw.id.clone(),
            message: message.to_string(),
        };
        if taken.contains(raw.id.as_str()) {
            return Err(clash("a built-in rule has this id; choose another"));
        }
        if !seen.insert(raw.id.clone()) {
            return Err(clash("defined twice"));
        }
        let rule = SecretRule::validate(raw.clone(), origin)?;
        rule.check_examples()?;
        rules.push(rule);
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Result<Vec<SecretRule>, RuleError> {
        #[derive(serde::Deserialize)]
        struct File {
            rule: Vec<RawSecretRule>,
        }
        let file: File = toml::from_str(text).map_err(|e| RuleError {
            origin: "t.toml".into(),
            id: String::new(),
            message: e.to_string(),
        })?;
        load(
            &file.rule,
            "t.toml",
            &HashSet::from(["secrets/aws-access-key"]),
        )
    }

    const GOOD: &str = r#"
[[rule]]
id = "secrets/acme-token"
title = "ACME token"
severity = "high"
regex = '''\b(acme_[a-z0-9]{24})\b'''
keywords = ["acme_"]
examples = ["ACME=acme_q8w7e6r5t4y3u2i1o9p8a7s6"]
negative_examples = ["acme_short"]
"#;

    #[test]
    fn a_good_rule_loads_and_matches() {
        let loaded = rules(GOOD).unwrap();
        assert_eq!(loaded.len(), 1);
        assert_eq!(
            loaded[0]
                .matches(b"x acme_q8w7e6r5t4y3u2i1o9p8a7s6 y")
                .len(),
            1
        );
    }

    #[test]
    fn examples_are_optional() {
        let text = GOOD.replace("examples = [\"ACME=acme_q8w7e6r5t4y3u2i1o9p8a7s6\"]\n", "");
        assert_eq!(rules(&text).unwrap().len(), 1);
    }

    #[test]
    fn a_bad_regex_names_the_rule() {
        let err = rules(&GOOD.replace("[a-z0-9]{24})", "[a-z0-9{24})"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t.toml: rule `secrets/acme-token`: regex"),
            "{err}"
        );
    }

    #[test]
    fn an_example_that_does_not_match_is_an_error() {
        let err = rules(&GOOD.replace("o9p8a7s6\"]", "o9p8\"]"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`secrets/acme-token`: example does not match"),
            "{err}"
        );
    }

    #[test]
    fn a_matching_negative_example_is_an_error() {
        let err = rules(&GOOD.replace("\"acme_short\"", "\"acme_q8w7e6r5t4y3u2i1o9p8a7s6\""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("negative example matches"), "{err}");
    }

    #[test]
    fn ids_must_be_under_secrets_and_not_built_in() {
        let err = rules(&GOOD.replace("secrets/acme-token", "acme-token"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("secrets/kebab-case"), "{err}");
        let err = rules(&GOOD.replace("secrets/acme-token", "secrets/aws-access-key"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("built-in rule has this id"), "{err}");
    }
}
