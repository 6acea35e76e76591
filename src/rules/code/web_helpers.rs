//! Helpers shared by the web-hardening rules (`code/cookie-without-*`,
//! `code/cors-wildcard`, `code/csrf-disabled`): which files are test code, string and
//! boolean literals across the tree-sitter grammars, and the Python settings scope.

use std::ops::Range;

use tree_sitter::Node;

use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{plain_string, text, unparen};
use crate::rules::{Findings, RawFinding};

use super::syntax::Words;

/// Test code and local or development configuration, in any language: the path rules
/// of `code/debug-enabled` for Python (`tests/`, `test_*.py`, `conftest.py`,
/// `settings/local.py`, ...) and for JavaScript, Go and Java (`*.test.ts`, `*_test.go`,
/// `__tests__/`, `src/test/`, `application-dev.yml`).
pub fn is_test_path(path: &str) -> bool {
    super::debug_enabled::is_non_production_path(path)
        || super::debug_enabled::is_non_production(path)
}

/// True for a class whose name says it configures tests or development
/// (`TestingConfig`, `DevSettings`, `LocalConfig`, `SecurityTestConfig`).
pub fn is_test_class_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["test", "dev", "local"].iter().any(|w| lower.contains(w))
}

/// The value of a string literal with no interpolation, in any of the tree-sitter
/// grammars (Python, JavaScript/TypeScript, Go, Java). Escapes are kept as written.
pub fn string_value(doc: &Document, node: Node) -> Option<String> {
    let node = unparen(node);
    if doc.kind == FileKind::Python {
        return plain_string(doc, node);
    }
    match node.kind() {
        "string" | "interpreted_string_literal" | "raw_string_literal" | "string_literal" => {
            let raw = text(doc, node);
            Some(raw.trim_matches(['"', '\'', '`']).to_string())
        }
        "template_string" if node.named_child_count() == 0 || !has_substitution(node) => {
            Some(text(doc, node).trim_matches('`').to_string())
        }
        _ => None,
    }
}

fn has_substitution(node: Node) -> bool {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .any(|c| c.kind() == "template_substitution")
}

/// A boolean as written: literal `true`/`false` (`True`/`False` in Python).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    On,
    /// Explicitly off; the range is where it is switched off.
    Off(Range<usize>),
    /// Not given: the library's default applies.
    Missing,
    /// Some other expression: the rule cannot tell.
    Unknown,
}

/// The flag a value expression sets; `at` is the range reported when it is off (the
/// whole `key=value` pair, usually).
pub fn flag_of(value: Node, at: Range<usize>) -> Flag {
    match unparen(value).kind() {
        "true" => Flag::On,
        "false" => Flag::Off(at),
        _ => Flag::Unknown,
    }
}

/// True when a string literal (or list/array of them) contains the wildcard `"*"`.
pub fn has_wildcard(doc: &Document, node: Node) -> bool {
    let node = unparen(node);
    if let Some(value) = string_value(doc, node) {
        return value.trim() == "*";
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.named_children(&mut cursor).collect();
    match node.kind() {
        // Python `["*"]`, `("*",)`; JavaScript `["*"]`; Go `[]string{"*"}` (its
        // `literal_value` holds `literal_element`s); Java `{"*"}` and `List.of("*")`.
        "list"
        | "tuple"
        | "set"
        | "array"
        | "composite_literal"
        | "literal_value"
        | "literal_element"
        | "array_initializer"
        | "element_value_array_initializer"
        | "argument_list"
        | "arguments" => children.into_iter().any(|c| has_wildcard(doc, c)),
        "method_invocation" | "call_expression" => node
            .child_by_field_name("arguments")
            .is_some_and(|a| has_wildcard(doc, a)),
        _ => false,
    }
}

/// Module level, or the body of a class not named for tests or development: where a
/// Django or Flask setting is defined (a local variable of a function configures
/// nothing).
pub fn is_python_setting_scope(doc: &Document, node: Node) -> bool {
    let mut at = node.parent();
    while let Some(n) = at {
        match n.kind() {
            "function_definition" | "lambda" => return false,
            "class_definition" => {
                let name = n.child_by_field_name("name").map(|c| text(doc, c));
                return !name.is_some_and(is_test_class_name);
            }
            _ => at = n.parent(),
        }
    }
    true
}

/// True when `node` sits in a Java class named for tests (`SecurityTestConfig`).
pub fn in_test_class(doc: &Document, node: Node) -> bool {
    let mut at = node.parent();
    while let Some(n) = at {
        if matches!(n.kind(), "class_declaration" | "class_definition")
            && n.child_by_field_name("name")
                .is_some_and(|c| is_test_class_name(text(doc, c)))
        {
            return true;
        }
        at = n.parent();
    }
    false
}

/// A Python setting assigned a literal: `NAME = value` (in a settings scope),
/// `app.config["NAME"] = value`. Returns the setting's name and value node.
pub fn python_setting<'t, 'a>(
    doc: &Document<'a>,
    assignment: Node<'t>,
) -> Option<(String, Node<'t>)> {
    let left = assignment.child_by_field_name("left")?;
    let right = assignment.child_by_field_name("right")?;
    match left.kind() {
        "identifier" if is_python_setting_scope(doc, assignment) => {
            Some((text(doc, left).to_string(), right))
        }
        "subscript" => {
            let holder = left.child_by_field_name("value").map(|v| text(doc, v))?;
            let key = left
                .child_by_field_name("subscript")
                .and_then(|k| plain_string(doc, k))?;
            let holder = holder.to_ascii_lowercase();
            (holder.ends_with("config") || holder.ends_with("settings")).then_some((key, right))
        }
        _ => None,
    }
}

/// A condition true only outside production: `DEBUG`, `settings.DEBUG`, `app.debug`,
/// `NODE_ENV !== "production"`, `NODE_ENV === "development"`, `isDev`, `__DEV__`.
fn is_development_only(condition: &str) -> bool {
    let c: String = condition
        .chars()
        .filter(|ch| !ch.is_whitespace() && !matches!(ch, '(' | ')'))
        .collect::<String>()
        .replace('\'', "\"");
    let last = c.rsplit('.').next().unwrap_or(&c);
    matches!(
        last,
        "DEBUG" | "debug" | "isDev" | "isDevelopment" | "__DEV__"
    ) || ["!==\"production\"", "!=\"production\""]
        .iter()
        .any(|op| c.ends_with(op) && c.contains("ENV"))
        || ["===\"development\"", "==\"development\""]
            .iter()
            .any(|op| c.ends_with(op) && c.contains("ENV"))
}

/// Reports a finding whose fingerprint also names the enclosing function or class.
/// Not reported inside a branch that runs only in development (`if DEBUG:`).
/// The engine merges findings with one fingerprint, and the same `httpOnly: false` or
/// `@csrf_exempt` text written in two handlers of a file is two problems, not one.
pub fn report_in_scope(
    doc: &Document,
    out: &mut Findings,
    id: &str,
    at: Range<usize>,
    message: String,
    extra: &str,
) {
    let mut scope = Vec::new();
    let mut node = doc_node_at(doc, &at);
    while let Some(n) = node {
        // `if DEBUG:` / `if (process.env.NODE_ENV !== "production")`: development only.
        if n.kind() == "if_statement"
            && n.child_by_field_name("consequence")
                .is_some_and(|c| c.start_byte() <= at.start && at.end <= c.end_byte())
            && n.child_by_field_name("condition")
                .is_some_and(|c| is_development_only(text(doc, c)))
        {
            return;
        }
        if matches!(
            n.kind(),
            "function_definition"
                | "class_definition"
                | "function_declaration"
                | "method_definition"
                | "method_declaration"
                | "class_declaration"
                | "constructor_declaration"
        ) && let Some(name) = n.child_by_field_name("name")
        {
            scope.push(text(doc, name));
        }
        // A Python decorator sits beside the definition it decorates, not inside it.
        if n.kind() == "decorated_definition"
            && let Some(name) = n
                .child_by_field_name("definition")
                .and_then(|d| d.child_by_field_name("name"))
        {
            scope.push(text(doc, name));
        }
        node = n.parent();
    }
    scope.reverse();
    let matched = doc.text.get(at.clone()).unwrap_or("");
    let key = format!("{}|{extra}|{matched}", scope.join("."));
    out.raw.push(RawFinding {
        rule_id: id.to_string(),
        bytes: at,
        message,
        secret: None,
        fingerprint_text: Some(key),
        related: Vec::new(),
    });
}

/// The smallest node of the document's cached tree that covers `at`.
fn doc_node_at<'d>(doc: &'d Document, at: &Range<usize>) -> Option<Node<'d>> {
    let tree = if doc.kind == FileKind::Python {
        crate::parse::python::tree(doc)
    } else {
        crate::parse::treesitter::tree(doc)
    }?;
    tree.root_node().descendant_for_byte_range(at.start, at.end)
}

/// The cheap test before a parse: one of `words` is in the text (one multi-word scan)
/// and then `re` matches it. True also when the pattern failed to compile (it cannot for
/// the fixed patterns used), so a rule parses rather than misses.
pub fn gate(words: &Words, re: &std::sync::LazyLock<Option<regex::Regex>>, text: &str) -> bool {
    words.in_text(text) && re.as_ref().is_none_or(|re| re.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_only_conditions() {
        for c in [
            "DEBUG",
            "settings.DEBUG",
            "app.debug",
            "(process.env.NODE_ENV !== 'production')",
            "(process.env.NODE_ENV === \"development\")",
            "(isDev)",
        ] {
            assert!(is_development_only(c), "{c}");
        }
        for c in [
            "not DEBUG",
            "(process.env.NODE_ENV === 'production')",
            "(!isDev)",
            "DEBUG_TOOLBAR_ENABLED",
            "(mode !== 'production')",
        ] {
            assert!(!is_development_only(c), "{c}");
        }
    }
}
