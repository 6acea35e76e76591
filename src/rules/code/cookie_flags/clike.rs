//! Cookie flags in JavaScript/TypeScript, Go and Java.
//!
//! - Express `res.cookie(name, value, { httpOnly, secure })`: both default to off.
//!   `cookies.set(..)` (Koa, `cookies`) and express-session's `session({ cookie: {..} })`
//!   default HttpOnly to on, so only a flag written as `false` is reported there.
//! - Go `http.Cookie{Name: .., HttpOnly: .., Secure: ..}` (any `*.Cookie` literal, so
//!   fiber's `HTTPOnly` too) and gin's `c.SetCookie(name, value, maxAge, path, domain,
//!   secure, httpOnly)`.
//! - Java servlet `new Cookie(name, value)` with the `setHttpOnly`/`setSecure` calls on
//!   the same variable in the same method, and Spring's `ResponseCookie.from(name, ..)`
//!   builder chain.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{named_children, text, walk};
use crate::parse::treesitter;

use super::super::web_helpers::{Flag, flag_of, string_value};
use super::Site;

pub(super) fn sites(doc: &Document) -> Vec<Site> {
    let mut sites = Vec::new();
    if treesitter::is_generated(doc) {
        return sites;
    }
    let Some(tree) = treesitter::tree(doc) else {
        return sites;
    };
    let root = tree.root_node();
    match doc.kind {
        FileKind::JavaScript | FileKind::TypeScript => walk(root, |node| {
            if node.kind() == "call_expression" {
                sites.extend(express_cookie(doc, node));
            }
        }),
        FileKind::Go => {
            let assigned = go_assigned_fields(doc, root);
            walk(root, |node| match node.kind() {
                "composite_literal" => sites.extend(go_cookie_literal(doc, node, &assigned)),
                "call_expression" => sites.extend(gin_set_cookie(doc, node)),
                _ => {}
            });
        }
        FileKind::Java => walk(root, |node| match node.kind() {
            "object_creation_expression" => sites.extend(servlet_cookie(doc, node)),
            "method_invocation" => sites.extend(response_cookie(doc, node)),
            _ => {}
        }),
        _ => {}
    }
    sites
}

fn arguments<'t>(call: Node<'t>) -> Vec<Node<'t>> {
    call.child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.kind() != "comment")
        .collect()
}

fn name_of(doc: &Document, node: Node) -> String {
    super::cookie_name(doc, node)
}

/// The key of a JavaScript object `pair` (`httpOnly`, `"httpOnly"`).
fn pair_key(doc: &Document, pair: Node) -> Option<String> {
    let key = pair.child_by_field_name("key")?;
    string_value(doc, key).or_else(|| Some(text(doc, key).to_string()))
}

/// The flags an options object sets. `default` is what a flag not written there means:
/// `Missing` where the library defaults it to off, `Unknown` where to on.
fn js_flags(doc: &Document, options: Option<Node>, default: Flag) -> (Flag, Flag) {
    let Some(options) = options else {
        return (default.clone(), default);
    };
    if options.kind() != "object" {
        // A variable holding the options: cannot tell.
        return (Flag::Unknown, Flag::Unknown);
    }
    let members = named_children(options);
    // `{ ...defaults }` may carry the flags.
    let rest = if members.iter().any(|m| m.kind() == "spread_element") {
        Flag::Unknown
    } else {
        default
    };
    let (mut httponly, mut secure) = (rest.clone(), rest);
    for pair in members.into_iter().filter(|m| m.kind() == "pair") {
        let Some(value) = pair.child_by_field_name("value") else {
            continue;
        };
        match pair_key(doc, pair).as_deref() {
            Some("httpOnly") => httponly = flag_of(value, pair.byte_range()),
            Some("secure") => secure = flag_of(value, pair.byte_range()),
            _ => {}
        }
    }
    (httponly, secure)
}

/// `res.cookie(name, value, options)`, `ctx.cookies.set(name, value, options)`,
/// `session({ name, cookie: { .. } })`.
fn express_cookie(doc: &Document, call: Node) -> Option<Site> {
    let function = call.child_by_field_name("function")?;
    let args = arguments(call);
    let (name, options, default) = match function.kind() {
        "member_expression" => {
            let property = text(doc, function.child_by_field_name("property")?);
            let object = text(doc, function.child_by_field_name("object")?);
            match property {
                "cookie" if args.len() >= 2 => {
                    (name_of(doc, args[0]), args.get(2).copied(), Flag::Missing)
                }
                "set" if object.ends_with("cookies") && args.len() >= 2 => {
                    (name_of(doc, args[0]), args.get(2).copied(), Flag::Unknown)
                }
                _ => return None,
            }
        }
        "identifier" if matches!(text(doc, function), "session" | "expressSession") => {
            let options = args.first().filter(|a| a.kind() == "object")?;
            let cookie = named_children(*options)
                .into_iter()
                .find(|p| p.kind() == "pair" && pair_key(doc, *p).as_deref() == Some("cookie"))?;
            let value = cookie.child_by_field_name("value");
            ("session".to_string(), value, Flag::Unknown)
        }
        _ => return None,
    };
    let (httponly, secure) = js_flags(doc, options, default);
    Some(Site {
        name,
        at: call.byte_range(),
        httponly,
        secure,
        setting: false,
    })
}

/// Fields assigned after construction anywhere in the file (`c.HttpOnly = true`): a
/// literal without them is then not judged for that flag.
fn go_assigned_fields(doc: &Document, root: Node) -> HashSet<String> {
    let mut fields = HashSet::new();
    walk(root, |node| {
        if node.kind() == "assignment_statement"
            && let Some(left) = node.child_by_field_name("left")
        {
            walk(left, |n| {
                if n.kind() == "selector_expression"
                    && let Some(field) = n.child_by_field_name("field")
                {
                    fields.insert(text(doc, field).to_string());
                }
            });
        }
    });
    fields
}

/// `http.Cookie{Name: "session", Value: v, HttpOnly: true, Secure: true}`.
fn go_cookie_literal(doc: &Document, literal: Node, assigned: &HashSet<String>) -> Option<Site> {
    let ty = text(doc, literal.child_by_field_name("type")?);
    if !(ty == "Cookie" || ty.ends_with(".Cookie")) {
        return None;
    }
    let body = literal.child_by_field_name("body")?;
    let missing = |field: &str| {
        if assigned.contains(field) {
            Flag::Unknown
        } else {
            Flag::Missing
        }
    };
    let mut name = None;
    let (mut httponly, mut secure) = (missing("HttpOnly"), missing("Secure"));
    if assigned.contains("HTTPOnly") {
        httponly = Flag::Unknown;
    }
    for element in named_children(body) {
        if element.kind() != "keyed_element" {
            // Positional fields: cannot tell which is which without the struct.
            return None;
        }
        let (Some(key), Some(value)) = (
            element.child_by_field_name("key"),
            element.child_by_field_name("value"),
        ) else {
            continue;
        };
        let value = value.named_child(0).unwrap_or(value);
        match text(doc, key) {
            "Name" => name = Some(name_of(doc, value)),
            "HttpOnly" | "HTTPOnly" => httponly = flag_of(value, element.byte_range()),
            "Secure" => secure = flag_of(value, element.byte_range()),
            _ => {}
        }
    }
    Some(Site {
        name: name?,
        at: literal.byte_range(),
        httponly,
        secure,
        setting: false,
    })
}

/// gin `c.SetCookie(name, value, maxAge, path, domain, secure, httpOnly)`.
fn gin_set_cookie(doc: &Document, call: Node) -> Option<Site> {
    let function = call.child_by_field_name("function")?;
    if function.kind() != "selector_expression"
        || text(doc, function.child_by_field_name("field")?) != "SetCookie"
    {
        return None;
    }
    let args = arguments(call);
    let [name, _, _, _, _, secure, httponly] = args.as_slice() else {
        return None;
    };
    Some(Site {
        name: name_of(doc, *name),
        at: call.byte_range(),
        httponly: flag_of(*httponly, httponly.byte_range()),
        secure: flag_of(*secure, secure.byte_range()),
        setting: false,
    })
}

/// `Cookie c = new Cookie("session", id); c.setHttpOnly(true); c.setSecure(true);`: the
/// setter calls on the same variable in the enclosing method count; a cookie created
/// and passed on directly has neither.
fn servlet_cookie(doc: &Document, creation: Node) -> Option<Site> {
    let ty = text(doc, creation.child_by_field_name("type")?);
    if !(ty == "Cookie" || ty.ends_with(".Cookie")) {
        return None;
    }
    let name = name_of(doc, *arguments(creation).first()?);
    let parent = creation.parent()?;
    let variable = match parent.kind() {
        "variable_declarator" => parent.child_by_field_name("name"),
        "assignment_expression" => parent.child_by_field_name("left"),
        _ => None,
    }
    .map(|v| text(doc, v));
    let (mut httponly, mut secure) = (Flag::Missing, Flag::Missing);
    if let Some(variable) = variable {
        let mut scope = parent;
        while let Some(up) = scope.parent() {
            scope = up;
            if matches!(
                scope.kind(),
                "method_declaration" | "constructor_declaration" | "lambda_expression"
            ) {
                break;
            }
        }
        walk(scope, |node| {
            if node.kind() != "method_invocation" {
                return;
            }
            let on_variable = node
                .child_by_field_name("object")
                .is_some_and(|o| text(doc, o) == variable);
            let method = node.child_by_field_name("name").map(|n| text(doc, n));
            let Some(value) = arguments(node).first().copied().filter(|_| on_variable) else {
                return;
            };
            match method {
                Some("setHttpOnly") => httponly = flag_of(value, node.byte_range()),
                Some("setSecure") => secure = flag_of(value, node.byte_range()),
                _ => {}
            }
        });
    }
    Some(Site {
        name,
        at: creation.byte_range(),
        httponly,
        secure,
        setting: false,
    })
}

/// Spring `ResponseCookie.from("refresh", token).httpOnly(true).secure(true).build()`:
/// the calls chained on the builder.
fn response_cookie(doc: &Document, call: Node) -> Option<Site> {
    let object = call.child_by_field_name("object")?;
    let method = text(doc, call.child_by_field_name("name")?);
    if method != "from" || !text(doc, object).ends_with("ResponseCookie") {
        return None;
    }
    let name = name_of(doc, *arguments(call).first()?);
    let (mut httponly, mut secure) = (Flag::Missing, Flag::Missing);
    let mut link = call;
    while let Some(outer) = link.parent() {
        if outer.kind() != "method_invocation" || outer.child_by_field_name("object") != Some(link)
        {
            break;
        }
        let value = arguments(outer).first().copied();
        let called = outer.child_by_field_name("name");
        // From the method name on: the chain starts lines earlier.
        let at = called.map_or(outer.start_byte(), |n| n.start_byte())..outer.end_byte();
        match (called.map(|n| text(doc, n)), value) {
            (Some("httpOnly"), Some(v)) => httponly = flag_of(v, at),
            (Some("secure"), Some(v)) => secure = flag_of(v, at),
            _ => {}
        }
        link = outer;
    }
    Some(Site {
        name,
        at: call.byte_range(),
        httponly,
        secure,
        setting: false,
    })
}
