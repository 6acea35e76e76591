//! Rule metadata: one record per rule id, loaded from the embedded `rules/` data.

use std::collections::BTreeMap;
use std::sync::{LazyLock, OnceLock};

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// Everything said about a rule besides how it checks: the source of `rules`, `explain`
/// and the SARIF rule descriptions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// Stable, path-like id such as `docker/root-user`. Never reused.
    pub id: String,
    /// One line: what the rule finds.
    pub title: String,
    pub severity: Severity,
    /// Off-by-default rules run only when enabled in the configuration.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Why it matters: the concrete risk.
    pub why: String,
    /// How to fix it.
    pub fix: String,
    /// A minimal flagged example and its fixed form.
    #[serde(default)]
    pub example: String,
    #[serde(default)]
    pub fixed_example: String,
    /// Honest limits of the rule.
    #[serde(default)]
    pub known_problems: String,
    /// The production-hardening checklist item the rule enforces.
    #[serde(default)]
    pub checklist: String,
    #[serde(default)]
    pub cwe: Vec<String>,
    /// Other tools' ids for the same check (DL3002, B608, ...), accepted in suppressions.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

fn default_true() -> bool {
    true
}

impl RuleMeta {
    /// The family: the part of the id before the first `/`.
    pub fn family(&self) -> &str {
        self.id.split('/').next().unwrap_or(&self.id)
    }
}

/// The rule's documentation as `explain` prints it (plain text, Markdown headings).
pub fn explain_text(m: &RuleMeta) -> String {
    let mut out = format!("{}: {}\n\nseverity: {}", m.id, m.title, m.severity);
    if !m.enabled {
        out.push_str(" (off by default)");
    }
    if !m.aliases.is_empty() {
        out.push_str(&format!("\nalso known as: {}", m.aliases.join(", ")));
    }
    if !m.checklist.is_empty() {
        out.push_str(&format!("\nchecklist item: {}", m.checklist));
    }
    if !m.cwe.is_empty() {
        out.push_str(&format!("\nweakness: {}", m.cwe.join(", ")));
    }
    let mut section = |title: &str, body: &str, code: bool| {
        let body = body.trim();
        if body.is_empty() {
            return;
        }
        if code {
            out.push_str(&format!("\n\n## {title}\n\n```\n{body}\n```"));
        } else {
            out.push_str(&format!("\n\n## {title}\n\n{body}"));
        }
    };
    section("Why it matters", &m.why, false);
    section("How to fix it", &m.fix, false);
    section("Example", &m.example, true);
    section("Use instead", &m.fixed_example, true);
    section("Known problems", &m.known_problems, false);
    section("References", &m.references.join("\n"), false);
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetaFile {
    #[serde(default)]
    rule: Vec<RuleMeta>,
}

/// The structural rules' metadata files, embedded at build time.
const META_FILES: &[(&str, &str)] = &[
    (
        "rules/meta/docker.toml",
        include_str!("../../rules/meta/docker.toml"),
    ),
    (
        "rules/meta/compose.toml",
        include_str!("../../rules/meta/compose.toml"),
    ),
    (
        "rules/meta/k8s.toml",
        include_str!("../../rules/meta/k8s.toml"),
    ),
    (
        "rules/meta/code.toml",
        include_str!("../../rules/meta/code.toml"),
    ),
    (
        "rules/meta/env.toml",
        include_str!("../../rules/meta/env.toml"),
    ),
    (
        "rules/meta/config.toml",
        include_str!("../../rules/meta/config.toml"),
    ),
    (
        "rules/meta/meta.toml",
        include_str!("../../rules/meta/meta.toml"),
    ),
    (
        "rules/meta/nginx.toml",
        include_str!("../../rules/meta/nginx.toml"),
    ),
];

/// Parses the embedded metadata files; an error names the file.
pub(crate) fn load_structural() -> Result<Vec<RuleMeta>, String> {
    let mut all = Vec::new();
    for (name, text) in META_FILES {
        let file: MetaFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        all.extend(file.rule);
    }
    Ok(all)
}

static BUILTIN: LazyLock<BTreeMap<String, RuleMeta>> = LazyLock::new(|| {
    // The data is embedded and checked by `embedded_metadata_parses`; an error here
    // cannot come from user input.
    let mut metas = load_structural().unwrap_or_else(|e| {
        tracing::error!("built-in rule metadata is invalid: {e}");
        Vec::new()
    });
    metas.extend(super::secrets::meta());
    metas.into_iter().map(|m| (m.id.clone(), m)).collect()
});

/// Metadata of every built-in rule, by id.
pub fn builtin_meta() -> &'static BTreeMap<String, RuleMeta> {
    &BUILTIN
}

static CATALOG: OnceLock<BTreeMap<String, RuleMeta>> = OnceLock::new();

/// Adds the configuration's own rules (user and imported secret rules) to what
/// [`catalog`] returns, for the outputs that describe rules (`rules`, `explain`, SARIF).
/// Called once, after the configuration is loaded and before anything is reported; a
/// second call, or one after [`catalog`] was read, changes nothing and returns false.
pub fn install_custom(custom: Vec<RuleMeta>) -> bool {
    let mut all = builtin_meta().clone();
    all.extend(custom.into_iter().map(|m| (m.id.clone(), m)));
    CATALOG.set(all).is_ok()
}

/// Metadata of every rule this run knows: the built-in ones and, once
/// [`install_custom`] was called, the configuration's own.
pub fn catalog() -> &'static BTreeMap<String, RuleMeta> {
    CATALOG.get_or_init(|| builtin_meta().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_metadata_parses() {
        load_structural().expect("embedded rule metadata must parse");
    }

    #[test]
    fn every_checker_id_has_metadata_and_back() {
        let meta = builtin_meta();
        let mut from_checkers = std::collections::BTreeSet::new();
        for checker in super::super::builtin_checkers() {
            for id in checker.rule_ids() {
                assert!(meta.contains_key(&id), "rule `{id}` has no metadata");
                from_checkers.insert(id);
            }
        }
        // The engine itself reports unused suppressions; no checker does.
        from_checkers.insert(crate::suppress::UNUSED_IGNORE.to_string());
        for id in meta.keys() {
            assert!(
                from_checkers.contains(id),
                "metadata for `{id}` but no checker"
            );
        }
    }

    #[test]
    fn every_rule_is_documented() {
        for m in builtin_meta().values() {
            let id = &m.id;
            assert!(
                id.split('/').count() == 2
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-/".contains(c)),
                "`{id}` is not family/kebab-case"
            );
            assert!(
                !m.title.is_empty() && !m.title.ends_with('.'),
                "{id}: title"
            );
            assert!(m.why.len() > 20, "{id}: why is missing");
            assert!(m.fix.len() > 10, "{id}: fix is missing");
        }
    }
}
