//! Import of gitleaks-format rule files (`[secrets] gitleaks_config`), so a team can bring
//! its custom gitleaks rules along unchanged.
//!
//! Read: `[[rules]]` with `id`, `description`, `regex`, `secretGroup`, `entropy`,
//! `keywords`, `path`, and allowlists in both forms (`[rules.allowlist]` and
//! `[[rules.allowlists]]`: `regexes`, `regexTarget`, `stopwords`, `paths`, `condition`),
//! plus the global `[allowlist]` / `[[allowlists]]` (with `targetRules`). An imported rule's
//! id is `secrets/gitleaks/<id>`, lowercased, other characters than `a-z0-9-` as `-`.
//!
//! ## Known problems
//! Go's RE2 syntax is mostly what the `regex` crate accepts; a pattern it cannot compile
//! (e.g. `\Q...\E`) gets one warning and that rule is skipped. Not supported, each with a
//! warning: `[extend]` (the gitleaks default rules are not loaded; ours run anyway), path-only
//! rules (no `regex`), composite rules (`[[rules.required]]`) and commit allowlists.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::rule::{Allowlist, RawSecretRule, RegexTarget, SecretRule, compile, one_line};
use crate::finding::Severity;

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    rules: Vec<GlRule>,
    #[serde(default)]
    allowlist: Option<GlAllowlist>,
    #[serde(default)]
    allowlists: Vec<GlAllowlist>,
    #[serde(default)]
    extend: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlRule {
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    allowlist: Option<GlAllowlist>,
    #[serde(default)]
    allowlists: Vec<GlAllowlist>,
    #[serde(default)]
    required: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlAllowlist {
    #[serde(default)]
    condition: Option<String>,
    #[serde(default)]
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    /// Global allowlists only: the gitleaks rule ids they apply to (all when empty).
    #[serde(default)]
    target_rules: Vec<String>,
}

/// What an import gave: the rules that compiled, and one warning per thing left out.
#[derive(Debug, Default)]
pub struct Import {
    pub rules: Vec<SecretRule>,
    pub warnings: Vec<String>,
}

/// Reads a gitleaks config's text; `origin` names the file in messages. An error is a
/// file that is not gitleaks TOML at all; a rule that cannot be used is a warning.
pub fn import(text: &str, origin: &str) -> Result<Import, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        format!(
            "{origin}: not a gitleaks config: {}",
            e.message().trim().replace('\n', " ")
        )
    })?;
    let mut out = Import::default();
    if file.extend.is_some() {
        out.warnings.push(format!(
            "{origin}: [extend] is not followed: only this file's rules are imported"
        ));
    }
    let global: Vec<(&GlAllowlist, Option<Allowlist>)> = file
        .allowlist
        .iter()
        .chain(&file.allowlists)
        .map(|a| {
            (
                a,
                convert_allowlist(a, origin, "[allowlist]", &mut out.warnings),
            )
        })
        .collect();
    let mut ids = BTreeSet::new();
    for rule in &file.rules {
        let id = format!("secrets/gitleaks/{}", sanitize(&rule.id));
        if !ids.insert(id.clone()) {
            out.warnings.push(format!(
                "{origin}: rule `{}`: another rule has the same id; skipped",
                rule.id
            ));
            continue;
        }
        match convert_rule(rule, &id, origin, &mut out.warnings) {
            Ok(mut converted) => {
                for (raw, list) in &global {
                    let targets = &raw.target_rules;
                    if let Some(list) = list
                        && (targets.is_empty() || targets.contains(&rule.id))
                    {
                        converted.filters.allowlists.push(list.clone());
                    }
                }
                out.rules.push(converted);
            }
            Err(why) => out
                .warnings
                .push(format!("{origin}: rule `{}`: {why}; skipped", rule.id)),
        }
    }
    Ok(out)
}

fn convert_rule(
    rule: &GlRule,
    id: &str,
    origin: &str,
    warnings: &mut Vec<String>,
) -> Result<SecretRule, String> {
    if rule.required.is_some() {
        return Err("composite rules ([[rules.required]]) are not supported".into());
    }
    let Some(regex) = &rule.regex else {
        return Err("path-only rules (no `regex`) are not supported".into());
    };
    let raw = RawSecretRule {
        id: id.to_string(),
        title: rule
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| format!("gitleaks rule {}", rule.id)),
        regex: regex.clone(),
        keywords: rule.keywords.iter().map(|k| k.to_lowercase()).collect(),
        // gitleaks' 0 means "not set".
        secret_group: rule.secret_group.filter(|&g| g > 0),
        entropy: rule.entropy.filter(|&e| e > 0.0),
        allow: Vec::new(),
        severity: Severity::High,
        provider: Some("the service".into()),
        why: None,
        fix: None,
        references: Vec::new(),
        examples: Vec::new(),
        negative_examples: Vec::new(),
    };
    let mut built = SecretRule::build(raw, origin).map_err(|e| one_line(&e.message))?;
    if let Some(path) = &rule.path {
        built.filters.path =
            Some(compile(path).map_err(|e| format!("path: {}", one_line(&e.to_string())))?);
    }
    let context = format!("rule `{}`", rule.id);
    for list in rule.allowlist.iter().chain(&rule.allowlists) {
        if let Some(list) = convert_allowlist(list, origin, &context, warnings) {
            built.filters.allowlists.push(list);
        }
    }
    Ok(built)
}

/// The runtime allowlist, or `None` (with a warning) when it cannot be used as written.
fn convert_allowlist(
    list: &GlAllowlist,
    origin: &str,
    context: &str,
    warnings: &mut Vec<String>,
) -> Option<Allowlist> {
    let mut warn = |message: String| warnings.push(format!("{origin}: {context}: {message}"));
    let target = match list.regex_target.as_deref() {
        None | Some("secret") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(other) => {
            warn(format!(
                "allowlist regexTarget `{other}` unknown; allowlist skipped"
            ));
            return None;
        }
    };
    let all_required = match list.condition.as_deref().map(str::to_ascii_uppercase) {
        None => false,
        Some(c) if c == "OR" => false,
        Some(c) if c == "AND" => true,
        Some(other) => {
            warn(format!(
                "allowlist condition `{other}` unknown; allowlist skipped"
            ));
            return None;
        }
    };
    if !list.commits.is_empty() {
        warn("allowlist `commits` are not supported; ignored".into());
    }
    let mut patterns = |list: &[String]| {
        list.iter()
            .filter_map(|p| match compile(p) {
                Ok(r) => Some(r),
                Err(e) => {
                    warn(format!(
                        "allowlist pattern `{p}` ignored: {}",
                        one_line(&e.to_string())
                    ));
                    None
                }
            })
            .collect::<Vec<_>>()
    };
    let regexes = patterns(&list.regexes);
    let paths = patterns(&list.paths);
    Some(Allowlist {
        all_required,
        paths,
        regexes,
        target,
        stopwords: list.stopwords.iter().map(|w| w.to_lowercase()).collect(),
    })
}

/// A gitleaks id as the tail of one of ours: lowercase, `a-z0-9-` only.
fn sanitize(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "unnamed".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
title = "team rules"

[allowlist]
description = "global"
stopwords = ["sandbox"]

[[rules]]
id = "Acme_Token"
description = "ACME deploy token"
regex = '''(?i)acme[_-]?token\s*=\s*["']?(acm_[A-Za-z0-9]{20})'''
secretGroup = 1
keywords = ["ACM_"]
entropy = 2.5

  [[rules.allowlists]]
  regexes = ['''acm_0{20}''']

  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''notsecret''']

[[rules]]
id = "old-form"
regex = '''oldtok_[a-f0-9]{16}'''
path = '''\.cfg$'''

  [rules.allowlist]
  paths = ['''^test/''']

[[rules]]
id = "go-only"
regex = '''\Qliteral\E[0-9]+'''

[[rules]]
id = "lookahead"
regex = '''tok(?=[0-9])'''

[[rules]]
id = "by-path"
path = '''id_rsa$'''
"#;

    fn imported() -> Import {
        import(CONFIG, "gl.toml").unwrap()
    }

    fn find(import: &Import, id: &str, path: &str, text: &str) -> usize {
        let rule = import.rules.iter().find(|r| r.raw.id == id).unwrap();
        rule.matches_in(path, text.as_bytes()).0.len()
    }

    #[test]
    fn rules_get_namespaced_sanitized_ids() {
        let ids: Vec<_> = imported().rules.iter().map(|r| r.raw.id.clone()).collect();
        assert_eq!(
            ids,
            ["secrets/gitleaks/acme-token", "secrets/gitleaks/old-form"]
        );
    }

    #[test]
    fn unsupported_rules_are_warnings_naming_the_rule() {
        let w = imported().warnings.join("\n");
        assert!(w.contains("gl.toml: rule `go-only`: regex"), "{w}");
        assert!(w.contains("rule `lookahead`"), "{w}");
        assert!(w.contains("rule `by-path`: path-only"), "{w}");
        assert!(w.lines().all(|l| !l.is_empty()), "{w}");
    }

    #[test]
    fn secret_group_keywords_and_entropy_apply() {
        let i = imported();
        let id = "secrets/gitleaks/acme-token";
        assert_eq!(
            find(&i, id, "a.env", "ACME_TOKEN = 'acm_Q7w8E9r0T1y2U3i4O5p6'"),
            1
        );
        assert_eq!(
            find(&i, id, "a.env", "ACME_TOKEN = 'acm_aaaaaaaaaaaaaaaaaaaa'"),
            0
        );
        let rule = i.rules.iter().find(|r| r.raw.id == id).unwrap();
        assert_eq!(rule.raw.keywords, ["acm_"]);
        assert_eq!(rule.raw.secret_group, Some(1));
    }

    #[test]
    fn allowlists_new_form_old_form_and_global() {
        let i = imported();
        let id = "secrets/gitleaks/acme-token";
        // Rule allowlist, regexTarget = line.
        assert_eq!(
            find(
                &i,
                id,
                "a.env",
                "ACME_TOKEN = acm_Q7w8E9r0T1y2U3i4O5p6 # notsecret"
            ),
            0
        );
        // Global stopword, matched in the secret.
        assert_eq!(
            find(&i, id, "a.env", "acme_token=acm_SANDBOXq7w8E9r0T1y2U3"),
            0
        );
        // Old single `[rules.allowlist]` with paths, and the rule's own `path`.
        let old = "secrets/gitleaks/old-form";
        assert_eq!(find(&i, old, "app.cfg", "k = oldtok_0123456789abcdef"), 1);
        assert_eq!(
            find(&i, old, "test/app.cfg", "k = oldtok_0123456789abcdef"),
            0
        );
        assert_eq!(find(&i, old, "app.txt", "k = oldtok_0123456789abcdef"), 0);
    }

    #[test]
    fn a_file_that_is_not_toml_is_an_error() {
        let err = import("[[rules]\nid=", "gl.toml").unwrap_err();
        assert!(err.starts_with("gl.toml: not a gitleaks config"), "{err}");
    }
}
