//! `code/cors-wildcard`: CORS opened to every origin in code or framework settings.
//!
//! ## What it finds
//! - Python: django-cors-headers `CORS_ALLOW_ALL_ORIGINS = True` /
//!   `CORS_ORIGIN_ALLOW_ALL = True`, `CORS_ORIGINS = "*"`; Starlette/FastAPI
//!   `CORSMiddleware` with `allow_origins=["*"]` (through `add_middleware` or
//!   `Middleware(..)`); Flask-CORS `CORS(app)` and `@cross_origin()` without origins
//!   (its default is every origin) or with `origins="*"`.
//! - JavaScript/TypeScript: `cors()` without options, or options with `origin: "*"`, no
//!   `origin` at all, or `origin: true` (reflect any origin) with `credentials: true`;
//!   NestJS `app.enableCors()` the same way.
//! - Go: `AllowAllOrigins: true`, `AllowOrigins`/`AllowedOrigins: []string{"*"}`
//!   (gin-contrib/cors, rs/cors), `cors.Default()`, `cors.AllowAll()`, gorilla
//!   `handlers.AllowedOrigins([]string{"*"})`.
//! - Java: Spring `@CrossOrigin` without origins or with `"*"`, `allowedOrigins("*")`,
//!   `allowedOriginPatterns("*")`, `addAllowedOrigin("*")`, `setAllowedOrigins(List.of("*"))`.
//! - Any language: an `Access-Control-Allow-Origin: *` header set in code
//!   (`headers["Access-Control-Allow-Origin"] = "*"`, `setHeader(.., "*")`, a dict or
//!   object literal).
//!
//! The message says when credentials are allowed too: then any site a user visits can
//! make authenticated requests and read the answers. Test code is skipped
//! (`web_helpers::is_test_path`), and so are Java classes named for tests.

use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Node;

use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{self, call_arguments, callee_name, named_children, text, walk};
use crate::rules::{Checker, Findings};

use super::syntax::{self, Words};

/// The words one of which the text must hold before the gate's pattern is tried.
static CORS_GATE: LazyLock<Words> = LazyLock::new(|| Words::new(&["ors", "ORS", "rigin"]));
use super::web_helpers::{
    gate, has_wildcard, in_test_class, is_test_path, python_setting, report_in_scope, string_value,
};

const ID: &str = "code/cors-wildcard";
const HEADER: &str = "access-control-allow-origin";

pub struct CorsWildcard;

impl Checker for CorsWildcard {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        syntax::is_parsed_source(kind)
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        if is_test_path(doc.path) || !gate(&CORS_GATE, &CORS_WORDS, doc.text) {
            return;
        }
        let Some(tree) = syntax::tree(doc) else {
            return;
        };
        let root = tree.root_node();
        let credentials = allows_credentials(doc, root);
        let mut found: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        walk(root, |node| {
            let hit = match doc.kind {
                FileKind::Python => python_node(doc, node),
                FileKind::Go => go_node(doc, node),
                FileKind::Java => java_node(doc, node),
                _ => js_node(doc, node),
            };
            found.extend(hit.or_else(|| header_node(doc, node)));
        });
        for (range, what) in found {
            let credentials = local_credentials(doc, root, &range).unwrap_or(credentials);
            let message = if credentials {
                format!(
                    "{what} allows every origin, with credentials: any site can make authenticated requests and read the responses"
                )
            } else {
                format!("{what} allows every origin to read responses")
            };
            report_in_scope(doc, out, ID, range, message, "");
        }
    }
}

/// The cheap test that decides whether the file is parsed: every case names CORS
/// (`CORS_ALLOW_ALL_ORIGINS`, `CORSMiddleware`, `cors()`, the Go packages, Spring's
/// `CorsRegistry`), Spring's `@CrossOrigin`, or the header itself.
static CORS_WORDS: LazyLock<Option<Regex>> =
    // The forms the rule reads, not the bare word: "cors" alone is in every HTTP client
    // (`mode: "cors"`), and parsing those files was a fifth of the code rules' time.
    LazyLock::new(|| {
        Regex::new(
            r"CORS_|CORSMiddleware|\b(?:CORS|cors|cross_origin|enableCors)\s*\(|Allow(?:All|ed)?Origins|allowedOrigin|cors\.(?:Default|AllowAll|New)|@CrossOrigin|(?i:access-control-allow-origin)",
        )
        .ok()
    });

/// A hit: where to report and what to name in the message.
type Hit = Option<(std::ops::Range<usize>, String)>;

fn hit(node: Node, what: impl Into<String>) -> Hit {
    Some((node.byte_range(), what.into()))
}

/// Credentials allowed anywhere in the file: `allow_credentials=True`,
/// `supports_credentials=True`, `CORS_ALLOW_CREDENTIALS = True`, `credentials: true`,
/// `AllowCredentials: true`, `allowCredentials(true)`, `allowCredentials = "true"`.
fn allows_credentials(doc: &Document, root: Node) -> bool {
    let mut found = false;
    walk(root, |node| {
        found = found || credentials_setting(doc, node) == Some(true);
    });
    found
}

/// What the options a finding sits in say about credentials: the keyword arguments of
/// `CORSMiddleware(..)`, the object given to `cors({..})`, a Go `cors.Config{..}`, a Java
/// annotation's arguments. Where the options leave credentials out, the library default,
/// off, holds whatever the rest of the file does. `None` outside such options (a header
/// set by hand, a Django setting): then the file decides.
fn local_credentials(doc: &Document, root: Node, at: &std::ops::Range<usize>) -> Option<bool> {
    let mut node = root.descendant_for_byte_range(at.start, at.end);
    while let Some(n) = node {
        // The finding is a whole call (`CORS(app)`, `cors()`): its arguments, even none.
        if matches!(n.kind(), "call" | "call_expression") && n.byte_range() == *at {
            let arguments = n.child_by_field_name("arguments").map(named_children);
            return Some(
                arguments
                    .unwrap_or_default()
                    .iter()
                    .find_map(|o| credentials_setting(doc, *o))
                    .unwrap_or(false),
            );
        }
        if matches!(
            n.kind(),
            "argument_list" | "arguments" | "object" | "literal_value" | "annotation_argument_list"
        ) {
            let options = named_children(n);
            let keyed = options.iter().any(|o| {
                matches!(
                    o.kind(),
                    "keyword_argument" | "pair" | "keyed_element" | "element_value_pair"
                )
            });
            if keyed {
                return Some(
                    options
                        .iter()
                        .find_map(|o| credentials_setting(doc, *o))
                        .unwrap_or(false),
                );
            }
        }
        node = n.parent();
    }
    None
}

/// `Some(true)` for a key/value pair or call that turns credentials on
/// (`allow_credentials=True`, `credentials: true`, `.allowCredentials(true)`),
/// `Some(false)` for one that turns them off, `None` for anything else.
fn credentials_setting(doc: &Document, node: Node) -> Option<bool> {
    let (key, value) = match node.kind() {
        // Python `k=v`, JavaScript `k: v`, Java annotation `k = v`.
        "keyword_argument" | "pair" | "element_value_pair" | "assignment" | "keyed_element" => {
            let key = node
                .child_by_field_name("name")
                .or_else(|| node.child_by_field_name("key"))
                .or_else(|| node.child_by_field_name("left"));
            let value = node
                .child_by_field_name("value")
                .or_else(|| node.child_by_field_name("right"));
            (key, value)
        }
        "method_invocation" | "call_expression" | "call" => (
            node.child_by_field_name("name")
                .or_else(|| node.child_by_field_name("function")),
            node.child_by_field_name("arguments")
                .and_then(|a| a.named_child(0)),
        ),
        _ => return None,
    };
    let (key, value) = (key?, value?);
    let key = text(doc, key).to_ascii_lowercase();
    let value = text(doc, value)
        .trim_matches(['"', '{', '}', ' '])
        .to_ascii_lowercase();
    let is_credentials = key
        .trim_matches(['"', '\''])
        .rsplit(['.', ' '])
        .next()
        .is_some_and(|k| {
            matches!(
                k,
                "allow_credentials"
                    | "supports_credentials"
                    | "cors_allow_credentials"
                    | "credentials"
                    | "allowcredentials"
                    | "setallowcredentials"
            )
        });
    match value.as_str() {
        "true" if is_credentials => Some(true),
        "false" if is_credentials => Some(false),
        _ => None,
    }
}

fn python_node(doc: &Document, node: Node) -> Hit {
    match node.kind() {
        "assignment" => {
            let (setting, value) = python_setting(doc, node)?;
            match setting.as_str() {
                "CORS_ALLOW_ALL_ORIGINS" | "CORS_ORIGIN_ALLOW_ALL" => {
                    (python::unparen(value).kind() == "true")
                        .then(|| (node.byte_range(), format!("`{setting} = True`")))
                }
                "CORS_ORIGINS" | "CORS_ALLOWED_ORIGINS" if has_wildcard(doc, value) => {
                    hit(node, format!("`{setting}` with \"*\""))
                }
                _ => None,
            }
        }
        "call" => python_cors_call(doc, node),
        // `@cross_origin` without a call: every origin.
        "decorator" => {
            let inner = node.named_child(0)?;
            (inner.kind() == "identifier" && text(doc, inner) == "cross_origin")
                .then(|| (node.byte_range(), "`@cross_origin`".to_string()))
        }
        _ => None,
    }
}

fn python_cors_call(doc: &Document, call: Node) -> Hit {
    let name = callee_name(doc, call)?;
    let (positional, keywords) = call_arguments(doc, call);
    let keyword = |k: &str| keywords.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let middleware = name == "CORSMiddleware"
        || positional
            .first()
            .is_some_and(|p| text(doc, *p).ends_with("CORSMiddleware"));
    if middleware {
        let origins = keyword("allow_origins")?;
        return has_wildcard(doc, origins).then(|| {
            (
                origins.parent().unwrap_or(origins).byte_range(),
                "`CORSMiddleware(allow_origins=[\"*\"])`".to_string(),
            )
        });
    }
    // Flask-CORS: `CORS(app, ..)` (not the app-less factory form) and `cross_origin(..)`.
    let flask = (name == "CORS" && !positional.is_empty()) || name == "cross_origin";
    if !flask {
        return None;
    }
    if let Some(origins) = keyword("origins") {
        return has_wildcard(doc, origins).then(|| {
            (
                origins.parent().unwrap_or(origins).byte_range(),
                format!("`{name}(origins=\"*\")`"),
            )
        });
    }
    if let Some(resources) = keyword("resources") {
        // Each resource may name its origins; one without them gets the default, "*".
        let mut named = false;
        let mut wildcard = false;
        walk(resources, |n| {
            if n.kind() == "pair"
                && n.child_by_field_name("key")
                    .and_then(|k| string_value(doc, k))
                    .is_some_and(|k| k == "origins")
            {
                named = true;
                wildcard |= n
                    .child_by_field_name("value")
                    .is_some_and(|v| has_wildcard(doc, v));
            }
        });
        return (wildcard || !named)
            .then(|| (call.byte_range(), format!("`{name}(resources=..)`")));
    }
    // Without arguments Flask-CORS reads `CORS_ORIGINS` from the app config.
    if doc.text.contains("CORS_ORIGINS") {
        return None;
    }
    hit(call, format!("`{name}(..)` without `origins`"))
}

fn js_node(doc: &Document, node: Node) -> Hit {
    if node.kind() != "call_expression" {
        return None;
    }
    let function = node.child_by_field_name("function")?;
    let name = match function.kind() {
        "identifier" => text(doc, function),
        "member_expression" => text(doc, function.child_by_field_name("property")?),
        _ => return None,
    };
    if !matches!(name, "cors" | "enableCors") {
        return None;
    }
    let args: Vec<Node> = node
        .child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default();
    let Some(options) = args.first() else {
        return hit(node, format!("`{name}()` without options"));
    };
    if options.kind() != "object" {
        // Options in a variable (or a function deciding per request): cannot tell.
        return None;
    }
    let members = named_children(*options);
    let mut origin = None;
    let mut credentials = false;
    for pair in members.iter().filter(|m| m.kind() == "pair") {
        let key = pair
            .child_by_field_name("key")
            .map(|k| text(doc, k).trim_matches(['"', '\'']));
        let value = pair.child_by_field_name("value");
        match (key, value) {
            (Some("origin"), Some(v)) => origin = Some((*pair, v)),
            (Some("credentials"), Some(v)) => credentials = v.kind() == "true",
            _ => {}
        }
    }
    match origin {
        Some((pair, v)) if has_wildcard(doc, v) => {
            hit(pair, format!("`{name}({{ origin: \"*\" }})`"))
        }
        Some((pair, v)) if v.kind() == "true" && credentials => hit(
            pair,
            format!("`{name}({{ origin: true }})` reflects any origin and"),
        ),
        Some(_) => None,
        None if members.iter().any(|m| m.kind() == "spread_element") => None,
        None => hit(node, format!("`{name}(..)` without `origin`")),
    }
}

fn go_node(doc: &Document, node: Node) -> Hit {
    match node.kind() {
        "keyed_element" => {
            let key = text(doc, node.child_by_field_name("key")?);
            let value = node.child_by_field_name("value")?;
            let value = value.named_child(0).unwrap_or(value);
            match key {
                "AllowAllOrigins" if value.kind() == "true" => hit(node, "`AllowAllOrigins: true`"),
                "AllowOrigins" | "AllowedOrigins" if has_wildcard(doc, value) => {
                    hit(node, format!("`{key}: []string{{\"*\"}}`"))
                }
                _ => None,
            }
        }
        "call_expression" => {
            let function = node.child_by_field_name("function")?;
            let called = text(doc, function);
            match called {
                "cors.Default" | "cors.AllowAll" => hit(node, format!("`{called}()`")),
                "handlers.AllowedOrigins"
                    if has_wildcard(doc, node.child_by_field_name("arguments")?) =>
                {
                    hit(node, "`handlers.AllowedOrigins([]string{\"*\"})`")
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn java_node(doc: &Document, node: Node) -> Hit {
    match node.kind() {
        "marker_annotation" | "annotation" => {
            let name = text(doc, node.child_by_field_name("name")?);
            if !(name == "CrossOrigin" || name.ends_with(".CrossOrigin"))
                || in_test_class(doc, node)
            {
                return None;
            }
            let Some(args) = node.child_by_field_name("arguments") else {
                return hit(node, "`@CrossOrigin` without origins");
            };
            let mut origins = Vec::new();
            for arg in named_children(args) {
                if arg.kind() == "element_value_pair" {
                    let key = arg.child_by_field_name("key").map(|k| text(doc, k));
                    if matches!(key, Some("origins" | "value" | "originPatterns")) {
                        origins.extend(arg.child_by_field_name("value"));
                    }
                } else {
                    origins.push(arg);
                }
            }
            if origins.is_empty() {
                hit(node, "`@CrossOrigin` without origins")
            } else if origins.iter().any(|o| has_wildcard(doc, *o)) {
                hit(node, "`@CrossOrigin(\"*\")`")
            } else {
                None
            }
        }
        "method_invocation" => {
            let name = node.child_by_field_name("name")?;
            let method = text(doc, name);
            let origins_setter = matches!(
                method,
                "allowedOrigins"
                    | "allowedOriginPatterns"
                    | "setAllowedOrigins"
                    | "setAllowedOriginPatterns"
                    | "addAllowedOrigin"
                    | "addAllowedOriginPattern"
            );
            (origins_setter
                && !in_test_class(doc, node)
                && has_wildcard(doc, node.child_by_field_name("arguments")?))
            .then(|| {
                (
                    name.start_byte()..node.end_byte(),
                    format!("`{method}(\"*\")`"),
                )
            })
        }
        _ => None,
    }
}

/// `Access-Control-Allow-Origin: *` set in code: `headers["…"] = "*"`, a call
/// `set(…, "*")`/`setHeader`/`Header().Set`, or a `{"…": "*"}` literal.
fn header_node(doc: &Document, node: Node) -> Hit {
    let is_header = |n: Option<Node>| {
        n.and_then(|n| string_value(doc, n))
            .is_some_and(|s| s.eq_ignore_ascii_case(HEADER))
    };
    let is_star = |n: Option<Node>| {
        n.and_then(|n| string_value(doc, n))
            .is_some_and(|s| s.trim() == "*")
    };
    let found = match node.kind() {
        // Python `headers["…"] = "*"`, JavaScript `headers["…"] = "*"`.
        "assignment" | "assignment_expression" => {
            let left = node.child_by_field_name("left");
            let key = left.and_then(|l| {
                l.child_by_field_name("subscript")
                    .or_else(|| l.child_by_field_name("index"))
            });
            is_header(key) && is_star(node.child_by_field_name("right"))
        }
        "pair" => {
            is_header(node.child_by_field_name("key")) && is_star(node.child_by_field_name("value"))
        }
        "call" | "call_expression" | "method_invocation" => {
            let args: Vec<Node> = node
                .child_by_field_name("arguments")
                .map(named_children)
                .unwrap_or_default();
            is_header(args.first().copied()) && is_star(args.get(1).copied())
        }
        _ => false,
    };
    found.then(|| {
        (
            node.byte_range(),
            "`Access-Control-Allow-Origin: *`".to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(path: &str, kind: FileKind, src: &str) -> Vec<(usize, bool)> {
        let doc = Document::new(path, kind, src);
        let mut out = Findings::default();
        CorsWildcard.check(&doc, &mut out);
        out.raw
            .iter()
            .map(|f| {
                (
                    doc.line_of(f.bytes.start),
                    f.message.contains("with credentials"),
                )
            })
            .collect()
    }

    #[test]
    fn credentials_are_read_from_the_options_of_each_finding() {
        let src = "from fastapi.middleware.cors import CORSMiddleware\n\
                   app.add_middleware(CORSMiddleware, allow_origins=[\"https://a.example\"], allow_credentials=True)\n\
                   app.add_middleware(CORSMiddleware, allow_origins=[\"*\"])\n\
                   app.add_middleware(CORSMiddleware, allow_origins=[\"*\"], allow_credentials=False)\n\
                   app.add_middleware(CORSMiddleware, allow_origins=[\"*\"], allow_credentials=True)\n";
        assert_eq!(
            messages("main.py", FileKind::Python, src),
            [(3, false), (4, false), (5, true)]
        );
        let js = "app.use(cors({ origin: \"*\" }));\napp.use(cors({ origin: \"*\", credentials: true }));\n";
        assert_eq!(
            messages("server.js", FileKind::JavaScript, js),
            [(1, false), (2, true)]
        );
    }

    #[test]
    fn django_settings_take_credentials_from_the_file() {
        let src = "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\n";
        assert_eq!(
            messages("settings/production.py", FileKind::Python, src),
            [(1, true)]
        );
    }
}
