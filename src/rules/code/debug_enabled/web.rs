//! `code/debug-enabled` outside Python: Express forced into development mode, gin in
//! debug mode, Spring Boot's `debug=true`.

use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Node;

use crate::document::Document;
use crate::kind::{ConfigFormat, FileKind};
use crate::parse::python::{named_children, text, walk};
use crate::parse::treesitter;
use crate::rules::Findings;

use super::ID;

pub(super) fn check(doc: &Document, out: &mut Findings) {
    if is_non_production(doc.path) {
        return;
    }
    match doc.kind {
        FileKind::JavaScript | FileKind::TypeScript if sets_development_env(doc.text) => {
            check_tree(doc, out, express_development)
        }
        FileKind::Go if doc.text.contains("SetMode(") => check_tree(doc, out, gin_debug_mode),
        FileKind::Config(ConfigFormat::Properties | ConfigFormat::Yaml)
            if is_spring_config(doc.path) =>
        {
            spring_debug(doc, out)
        }
        _ => {}
    }
}

/// The cheap test that decides whether a JavaScript file is parsed: `.set("env",`
/// followed by `"development"`.
fn sets_development_env(text: &str) -> bool {
    static SET_ENV: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"\.set\(\s*["'`]env["'`]\s*,\s*["'`]development["'`]"#).ok());
    SET_ENV.as_ref().is_none_or(|re| re.is_match(text))
}

/// Test files and development-only configuration: `*.test.ts`, `*.spec.js`,
/// `*_test.go`, anything under `test`/`tests`/`__tests__`, Spring profiles named for
/// development or tests (`application-dev.yml`, `application-local.properties`).
pub(crate) fn is_non_production(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let (dirs, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    if dirs
        .split('/')
        .any(|d| matches!(d, "test" | "tests" | "__tests__" | "testdata" | "e2e"))
    {
        return true;
    }
    let stem = name.split('.').next().unwrap_or(name);
    let profile = stem.strip_prefix("application-").unwrap_or("");
    name.contains(".test.")
        || name.contains(".spec.")
        || stem.ends_with("_test")
        || matches!(
            profile,
            "dev" | "development" | "local" | "test" | "testing" | "ci"
        )
}

fn is_spring_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with("application") || name.starts_with("bootstrap")
}

fn check_tree(doc: &Document, out: &mut Findings, rule: fn(&Document, Node) -> Option<String>) {
    let Some(tree) = treesitter::tree(doc) else {
        return;
    };
    walk(tree.root_node(), |node| {
        if node.kind() == "call_expression"
            && let Some(message) = rule(doc, node)
        {
            out.report(ID, node.byte_range(), message);
        }
    });
}

/// The plain string value of a string literal node (no interpolation).
fn literal(doc: &Document, node: Node) -> Option<String> {
    match node.kind() {
        "string" | "interpreted_string_literal" | "raw_string_literal" => {
            Some(text(doc, node).trim_matches(['"', '\'', '`']).to_string())
        }
        "template_string" if node.named_child_count() <= 1 => {
            Some(text(doc, node).trim_matches('`').to_string())
        }
        _ => None,
    }
}

fn arguments<'t>(call: Node<'t>) -> Vec<Node<'t>> {
    call.child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default()
}

/// `app.set("env", "development")`: Express then sends stack traces in error responses.
fn express_development(doc: &Document, call: Node) -> Option<String> {
    let function = call.child_by_field_name("function")?;
    let property = function.child_by_field_name("property")?;
    if function.kind() != "member_expression" || text(doc, property) != "set" {
        return None;
    }
    let args = arguments(call);
    let (key, value) = (args.first()?, args.get(1)?);
    (literal(doc, *key)? == "env" && literal(doc, *value)? == "development").then(|| {
        "`app.set(\"env\", \"development\")` puts Express in development mode: stack traces reach clients"
            .to_string()
    })
}

/// `gin.SetMode(gin.DebugMode)` or `gin.SetMode("debug")`.
fn gin_debug_mode(doc: &Document, call: Node) -> Option<String> {
    let function = call.child_by_field_name("function")?;
    let field = function.child_by_field_name("field")?;
    if function.kind() != "selector_expression" || text(doc, field) != "SetMode" {
        return None;
    }
    let mode = *arguments(call).first()?;
    let debug = text(doc, mode).ends_with(".DebugMode") || literal(doc, mode)? == "debug";
    debug.then(|| "`gin.SetMode(gin.DebugMode)` runs gin in debug mode in production code".into())
}

/// Spring Boot `debug=true` (or `trace=true`) in `application*.properties`, or a
/// top-level `debug: true` in `application*.yml`.
fn spring_debug(doc: &Document, out: &mut Findings) {
    let yaml = doc.kind.is_yaml();
    for line in 1..=doc.line_count() {
        let raw = doc.line_text(line);
        // YAML: top level only (`logging:\n  debug: true` is something else).
        if yaml && raw.starts_with([' ', '\t']) {
            continue;
        }
        let trimmed = raw.trim();
        let Some(split) = trimmed.find(['=', ':', ' ']) else {
            continue;
        };
        let (key, value) = trimmed.split_at(split);
        let value = value[1..].trim().trim_matches(['"', '\'']);
        let key = key.trim();
        if matches!(key, "debug" | "trace") && value.eq_ignore_ascii_case("true") {
            out.report(
                ID,
                doc.line_range(line),
                format!("`{key}=true` turns Spring Boot's {key} mode on for this profile"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_and_dev_profiles_are_not_production() {
        assert!(is_non_production("src/app.test.ts"));
        assert!(is_non_production("server/__tests__/app.js"));
        assert!(is_non_production("cmd/main_test.go"));
        assert!(is_non_production("src/main/resources/application-dev.yml"));
        assert!(!is_non_production(
            "src/main/resources/application-prod.yml"
        ));
        assert!(!is_non_production("src/app.ts"));
    }
}
