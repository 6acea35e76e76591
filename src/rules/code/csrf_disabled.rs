//! `code/csrf-disabled`: cross-site request forgery protection switched off.
//!
//! ## What it finds
//! - Python: Django `@csrf_exempt` on a view (also `csrf_exempt(view)` in a URL
//!   configuration and `method_decorator(csrf_exempt, ..)`), Flask-WTF `@csrf.exempt`,
//!   `WTF_CSRF_ENABLED = False` / `CSRF_ENABLED = False`, a Django `MIDDLEWARE` list
//!   (of literal strings, with Django's own middleware in it) that lacks
//!   `django.middleware.csrf.CsrfViewMiddleware`, and `MIDDLEWARE.remove(..)` of it.
//! - JavaScript/TypeScript: `csrf: false` or `csrf: { enabled: false }` in an object
//!   (sails, lusca, AdonisJS-style configuration).
//! - Java: Spring Security `.csrf().disable()`, `.csrf(c -> c.disable())`,
//!   `.csrf(AbstractHttpConfigurer::disable)`.
//!
//! Test code is not production: test paths (`web_helpers::is_test_path`) and config
//! classes named for tests or development (`TestingConfig`, `SecurityTestConfig`) are
//! skipped. Express without `csurf` cannot be seen in one file and is not reported.

use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Node;

use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{self, call_arguments, callee_name, named_children, text, walk};
use crate::rules::{Checker, Findings};

use super::syntax::{self, Words};

/// The words one of which the text must hold before the gate's pattern is tried.
static CSRF_GATE: LazyLock<Words> = LazyLock::new(|| Words::new(&["srf", "SRF", "MIDDLEWARE"]));
use super::web_helpers::{
    gate, in_test_class, is_test_path, python_setting, report_in_scope, string_value,
};

const ID: &str = "code/csrf-disabled";
const CSRF_MIDDLEWARE: &str = "django.middleware.csrf.CsrfViewMiddleware";

pub struct CsrfDisabled;

impl Checker for CsrfDisabled {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        matches!(
            kind,
            FileKind::Python | FileKind::JavaScript | FileKind::TypeScript | FileKind::Java
        )
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        if is_test_path(doc.path) || !gate(&CSRF_GATE, &CSRF_WORDS, doc.text) {
            return;
        }
        let Some(tree) = syntax::tree(doc) else {
            return;
        };
        let mut hits = Vec::new();
        walk(tree.root_node(), |node| {
            let found = match doc.kind {
                FileKind::Python => python_node(doc, node),
                FileKind::Java => spring_disable(doc, node),
                _ => js_config(doc, node),
            };
            hits.extend(found);
        });
        for (range, message) in hits {
            report_in_scope(doc, out, ID, range, message, "");
        }
    }
}

/// The cheap test that decides whether the file is parsed: `csrf` in any case
/// (`csrf_exempt`, `WTF_CSRF_ENABLED`, `.csrf()`), or a Django `MIDDLEWARE` setting.
static CSRF_WORDS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i:csrf)|MIDDLEWARE(?:_CLASSES)?\s*=").ok());

type Hit = Option<(std::ops::Range<usize>, String)>;

fn python_node(doc: &Document, node: Node) -> Hit {
    match node.kind() {
        // `@csrf_exempt`, `csrf_exempt(view)`, `method_decorator(csrf_exempt, ..)`.
        "identifier" if text(doc, node) == "csrf_exempt" => {
            // `csrf_exempt = False`, `view.csrf_exempt = False`: the flag, set off.
            let target = match node.parent() {
                Some(p) if p.kind() == "attribute" => p,
                _ => node,
            };
            if let Some(assignment) = target.parent().filter(|a| a.kind() == "assignment")
                && assignment.child_by_field_name("left") == Some(target)
                && assignment
                    .child_by_field_name("right")
                    .is_none_or(|v| python::unparen(v).kind() != "true")
            {
                return None;
            }
            let mut at = node.parent();
            while let Some(n) = at {
                match n.kind() {
                    "import_from_statement" | "import_statement" | "function_definition" => {
                        return None;
                    }
                    "decorated_definition" | "module" => break,
                    _ => at = n.parent(),
                }
            }
            Some((
                node.byte_range(),
                "`csrf_exempt` turns CSRF protection off for this view".to_string(),
            ))
        }
        // Flask-WTF `@csrf.exempt`.
        "decorator" => {
            let inner = node.named_child(0)?;
            (inner.kind() == "attribute"
                && inner
                    .child_by_field_name("attribute")
                    .is_some_and(|a| text(doc, a) == "exempt")
                && inner
                    .child_by_field_name("object")
                    .is_some_and(|o| text(doc, o).to_ascii_lowercase().ends_with("csrf")))
            .then(|| {
                (
                    node.byte_range(),
                    format!(
                        "`{}` turns CSRF protection off for this view",
                        text(doc, node)
                    ),
                )
            })
        }
        "assignment" => python_setting_hit(doc, node),
        // `MIDDLEWARE.remove("django.middleware.csrf.CsrfViewMiddleware")`.
        "call" if callee_name(doc, node) == Some("remove") => {
            let (positional, _) = call_arguments(doc, node);
            let removed = positional.first().and_then(|a| string_value(doc, *a))?;
            (removed == CSRF_MIDDLEWARE).then(|| {
                (
                    node.byte_range(),
                    "removing `CsrfViewMiddleware` turns CSRF protection off".to_string(),
                )
            })
        }
        _ => None,
    }
}

/// `WTF_CSRF_ENABLED = False`, and a `MIDDLEWARE = [..]` without the CSRF middleware.
fn python_setting_hit(doc: &Document, node: Node) -> Hit {
    let (setting, value) = python_setting(doc, node)?;
    match setting.as_str() {
        "WTF_CSRF_ENABLED" | "CSRF_ENABLED" => {
            (python::unparen(value).kind() == "false").then(|| {
                (
                    node.byte_range(),
                    format!("`{setting} = False` turns Flask-WTF's CSRF protection off"),
                )
            })
        }
        "MIDDLEWARE" | "MIDDLEWARE_CLASSES" => {
            let value = python::unparen(value);
            if !matches!(value.kind(), "list" | "tuple") {
                // `BASE + [..]`, a comprehension: the list is not all here.
                return None;
            }
            let entries: Option<Vec<String>> = named_children(value)
                .into_iter()
                .filter(|n| n.kind() != "comment")
                .map(|n| string_value(doc, n))
                .collect();
            let entries = entries?;
            let django = entries.iter().any(|e| e.starts_with("django."));
            (django && !entries.iter().any(|e| e == CSRF_MIDDLEWARE)).then(|| {
                (
                    node.byte_range(),
                    format!(
                        "`{setting}` lacks `CsrfViewMiddleware`: no view is protected against CSRF"
                    ),
                )
            })
        }
        _ => None,
    }
}

/// `csrf: false`, `csrf: { enabled: false }`.
fn js_config(doc: &Document, node: Node) -> Hit {
    if node.kind() != "pair" {
        return None;
    }
    let key = node.child_by_field_name("key")?;
    let key = string_value(doc, key).unwrap_or_else(|| text(doc, key).to_string());
    if key != "csrf" {
        return None;
    }
    let value = node.child_by_field_name("value")?;
    let off = match value.kind() {
        "false" => true,
        "object" => named_children(value).into_iter().any(|p| {
            p.kind() == "pair"
                && p.child_by_field_name("key")
                    .is_some_and(|k| text(doc, k) == "enabled")
                && p.child_by_field_name("value")
                    .is_some_and(|v| v.kind() == "false")
        }),
        _ => false,
    };
    off.then(|| {
        (
            node.byte_range(),
            "`csrf: false` turns CSRF protection off".to_string(),
        )
    })
}

/// Spring Security `.csrf().disable()`, `.csrf(c -> c.disable())`,
/// `.csrf(AbstractHttpConfigurer::disable)`.
fn spring_disable(doc: &Document, node: Node) -> Hit {
    if node.kind() != "method_invocation" {
        return None;
    }
    let name = node.child_by_field_name("name")?;
    let disabled = match text(doc, name) {
        "disable" => node
            .child_by_field_name("object")
            .filter(|o| o.kind() == "method_invocation")
            .and_then(|o| o.child_by_field_name("name"))
            .is_some_and(|n| text(doc, n) == "csrf"),
        "csrf" => {
            let arg = node
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0));
            arg.is_some_and(|a| match a.kind() {
                "method_reference" => text(doc, a).ends_with("::disable"),
                "lambda_expression" => {
                    let mut found = false;
                    walk(a, |n| {
                        found |= n.kind() == "method_invocation"
                            && n.child_by_field_name("name")
                                .is_some_and(|m| text(doc, m) == "disable");
                    });
                    found
                }
                _ => false,
            })
        }
        _ => false,
    };
    if !disabled || in_test_class(doc, node) {
        return None;
    }
    // From the method name on: a builder chain starts lines earlier.
    Some((
        name.start_byte()..node.end_byte(),
        "Spring Security's CSRF protection is disabled".to_string(),
    ))
}
