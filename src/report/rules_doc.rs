//! The rule catalogue as data and as documentation: `smartedu-lint rules --format json`
//! and `--format markdown`, whose output is committed as `docs/rules.md` (a test fails when
//! the file is out of date). One heading per rule id, which is the anchor the SARIF
//! `helpUri` of each rule points at.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::rules::RuleMeta;

/// The command that regenerates `docs/rules.md`.
pub const REGENERATE: &str = "cargo run -- rules --format markdown > docs/rules.md";

#[derive(Serialize)]
struct Catalogue<'a> {
    version: u32,
    rules: Vec<&'a RuleMeta>,
}

/// Every rule's metadata as one JSON document.
pub fn json(metas: &BTreeMap<String, RuleMeta>) -> serde_json::Result<String> {
    let catalogue = Catalogue {
        version: 1,
        rules: metas.values().collect(),
    };
    serde_json::to_string_pretty(&catalogue)
}

/// The Markdown of `docs/rules.md`.
pub fn markdown(metas: &BTreeMap<String, RuleMeta>) -> String {
    let mut out = format!(
        "# Rules\n\n<!-- Generated from the rule metadata by `{REGENERATE}`. Do not edit. -->\n\n\
         {} rules. `smartedu-lint explain <id>` prints the same text; SARIF rule help links \
         here. Rules marked *off by default* run only when enabled in `.smartedu-lint.toml`.\n",
        metas.len()
    );
    let mut families: BTreeMap<&str, Vec<&RuleMeta>> = BTreeMap::new();
    for m in metas.values() {
        families.entry(m.family()).or_default().push(m);
    }

    out.push_str("\n| rule | severity | finds |\n| --- | --- | --- |\n");
    for m in metas.values() {
        let off = if m.enabled { "" } else { " (off by default)" };
        out.push_str(&format!(
            "| [`{}`](#{}) | {}{off} | {} |\n",
            m.id,
            anchor(&m.id),
            m.severity,
            m.title.replace('|', "\\|")
        ));
    }
    for (family, rules) in families {
        out.push_str(&format!("\n## Family `{family}`\n"));
        for m in rules {
            out.push_str(&rule_section(m));
        }
    }
    out
}

/// The anchor GitHub gives the heading `### docker/root-user`: lower case, punctuation
/// other than `-` and `_` dropped. Rule ids hold only `a-z`, `0-9`, `-` and `/`.
pub fn anchor(id: &str) -> String {
    id.replace('/', "")
}

fn rule_section(m: &RuleMeta) -> String {
    let mut out = format!("\n### {}\n\n{}\n\n", m.id, m.title);
    let mut facts = vec![format!("severity: **{}**", m.severity)];
    if !m.enabled {
        facts.push("**off by default**".to_string());
    }
    if !m.aliases.is_empty() {
        facts.push(format!("also known as: {}", m.aliases.join(", ")));
    }
    if !m.cwe.is_empty() {
        facts.push(format!("weakness: {}", m.cwe.join(", ")));
    }
    if !m.tags.is_empty() {
        facts.push(format!("tags: {}", m.tags.join(", ")));
    }
    out.push_str(&format!("{}\n", facts.join(" · ")));
    if !m.checklist.trim().is_empty() {
        out.push_str(&format!("\nChecklist item: {}\n", m.checklist.trim()));
    }
    out.push_str(&format!("\n**Why it matters.** {}\n", m.why.trim()));
    out.push_str(&format!("\n**How to fix it.** {}\n", m.fix.trim()));
    for (label, code) in [("Example", &m.example), ("Use instead", &m.fixed_example)] {
        if !code.trim().is_empty() {
            out.push_str(&format!("\n{label}:\n\n```\n{}\n```\n", code.trim()));
        }
    }
    if !m.known_problems.trim().is_empty() {
        out.push_str(&format!(
            "\n**Known problems.** {}\n",
            m.known_problems.trim()
        ));
    }
    if !m.references.is_empty() {
        out.push_str("\nReferences:\n\n");
        for r in &m.references {
            out.push_str(&format!("- {r}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::builtin_meta;

    #[test]
    fn every_rule_has_its_heading_and_table_row() {
        let md = markdown(builtin_meta());
        for id in builtin_meta().keys() {
            assert!(md.contains(&format!("\n### {id}\n")), "{id}");
            assert!(md.contains(&format!("[`{id}`](#{})", anchor(id))), "{id}");
        }
    }

    #[test]
    fn json_lists_every_rule_with_its_metadata() {
        let v: serde_json::Value = serde_json::from_str(&json(builtin_meta()).unwrap()).unwrap();
        let rules = v["rules"].as_array().unwrap();
        assert_eq!(rules.len(), builtin_meta().len());
        let root = rules
            .iter()
            .find(|r| r["id"] == "docker/root-user")
            .unwrap();
        assert_eq!(root["severity"], "high");
        assert!(root["why"].as_str().unwrap().len() > 20);
    }
}
