//! `code/cookie-without-httponly` and `code/cookie-without-secure`: a credential
//! cookie (session, refresh, token, auth, jwt, sid) set without `HttpOnly` or without
//! `Secure`, or with either turned off.
//!
//! Two rules, one checker: each cookie is read once and each missing flag is its own
//! finding, so a user can keep one rule and suppress the other (HttpOnly matters more:
//! without it any injected script reads the session; without Secure the cookie also
//! travels over plain HTTP).
//!
//! ## What it finds
//! Python: `response.set_cookie(..)`/`set_signed_cookie(..)` (Django, Flask/Werkzeug,
//! Starlette/FastAPI), and the settings `SESSION_COOKIE_HTTPONLY = False`,
//! `*_COOKIE_SECURE = False` (session, CSRF, remember-me, JWT cookies) at module level,
//! in a config class or in `app.config[..]`. `CSRF_COOKIE_HTTPONLY = False` is Django's
//! default and harmless (the page's script must read that token): not reported.
//! JavaScript/TypeScript, Go and Java in `cookie_flags/clike.rs`.
//!
//! A cookie whose name is not a credential (`theme`, `lang`) is never reported, and test
//! code is skipped (`web_helpers::is_test_path`).

use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Node;

use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{self, call_arguments, callee_name, named_children, text};
use crate::rules::{Checker, Findings};

use super::syntax::{self, Words};

/// The words one of which the text must hold before the gate's pattern is tried.
static COOKIE_GATE: LazyLock<Words> = LazyLock::new(|| Words::new(&["ookie", "COOKIE"]));
use super::web_helpers::{
    Flag, flag_of, gate, is_test_path, python_setting, report_in_scope, string_value,
};

mod clike;

const HTTPONLY: &str = "code/cookie-without-httponly";
const SECURE: &str = "code/cookie-without-secure";

pub struct CookieFlags;

impl Checker for CookieFlags {
    fn rule_ids(&self) -> Vec<String> {
        vec![HTTPONLY.to_string(), SECURE.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        syntax::is_parsed_source(kind)
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        if is_test_path(doc.path) || !gate(&COOKIE_GATE, &COOKIE_WORDS, doc.text) {
            return;
        }
        let sites = if doc.kind == FileKind::Python {
            python_sites(doc)
        } else {
            clike::sites(doc)
        };
        for site in sites {
            site.report(doc, out);
        }
    }
}

/// The cheap test that decides whether the file is parsed: one of the calls or settings
/// the rule reads (`set_cookie`, `SESSION_COOKIE_HTTPONLY`, `res.cookie(`,
/// `cookies.set(`, `cookie: {`, `http.Cookie{`, `SetCookie(`, `new Cookie(`,
/// `ResponseCookie`).
static COOKIE_WORDS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"set_(?:signed_)?cookie|_COOKIE_(?:HTTPONLY|SECURE)|\.cookie\(|cookies\.set\(|cookie\s*:|Cookie\s*\{|SetCookie\(|new\s+(?:[\w.]+\.)?Cookie\s*\(|ResponseCookie",
    )
    .ok()
});

/// True when the call that sets the cookie deletes it (logout): an empty value, an age of
/// zero or less, or an expiry at the epoch. Nothing is left for a script to read.
fn clears_cookie(call: &str) -> bool {
    static CLEARS: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(concat!(
            r#"(?i)max_?age["']?\s*[:=]\s*(?:0|-\s*\d+)\b"#,
            r#"|expires["']?\s*[:=]\s*(?:0\b|new\s+Date\(\s*0\s*\)|time\.Unix\(\s*0)"#,
            r#"|^[\w.$]+\s*\(\s*(?:"[^"]*"|'[^']*'|[\w.]+)\s*,\s*(?:""|''|``)\s*[,)]"#,
            r#"|\bValue\s*:\s*"""#,
        ))
        .ok()
    });
    CLEARS.as_ref().is_some_and(|re| re.is_match(call))
}

/// One cookie being set, with what the code says about its two flags.
struct Site {
    /// The cookie's name, or the expression that gives it.
    name: String,
    /// Where the cookie is set: reported when a flag is missing.
    at: std::ops::Range<usize>,
    httponly: Flag,
    secure: Flag,
    /// A framework setting (`SESSION_COOKIE_HTTPONLY`) rather than one cookie.
    setting: bool,
}

impl Site {
    fn report(self, doc: &Document, out: &mut Findings) {
        let name = self.name;
        // Settings were judged by their own name already (`CSRF_COOKIE_SECURE` counts).
        if !(self.setting || is_credential_name(&name)) {
            return;
        }
        if !self.setting && clears_cookie(doc.text.get(self.at.clone()).unwrap_or("")) {
            return;
        }
        // The whole call tells two `httpOnly: false` in one file apart.
        let key = format!("{name}|{}", doc.text.get(self.at.clone()).unwrap_or(""));
        for (id, flag, what, risk) in [
            (
                HTTPONLY,
                self.httponly,
                "HttpOnly",
                "any script running on the page can read it",
            ),
            (
                SECURE,
                self.secure,
                "Secure",
                "it is also sent over plain HTTP",
            ),
        ] {
            match flag {
                Flag::Missing => report_in_scope(
                    doc,
                    out,
                    id,
                    self.at.clone(),
                    format!("credential cookie `{name}` is set without {what}: {risk}"),
                    &key,
                ),
                Flag::Off(range) => report_in_scope(
                    doc,
                    out,
                    id,
                    range,
                    format!("credential cookie `{name}` has {what} turned off: {risk}"),
                    &key,
                ),
                Flag::On | Flag::Unknown => {}
            }
        }
    }
}

/// True when a cookie name says it carries a credential: session, refresh, token, auth,
/// jwt, remember-me, login, or a session id (`sid`, `connect.sid`, `PHPSESSID`). The
/// CSRF token cookie is not one (the page's script must read it).
pub fn is_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.contains("csrf") || lower.contains("xsrf") {
        return false;
    }
    const WORDS: [&str; 7] = [
        "sess", "refresh", "token", "auth", "jwt", "remember", "login",
    ];
    WORDS.iter().any(|w| lower.contains(w))
        || lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w.ends_with("sid"))
}

fn python_sites(doc: &Document) -> Vec<Site> {
    let mut sites = Vec::new();
    let Some(tree) = python::tree(doc) else {
        return sites;
    };
    python::walk(tree.root_node(), |node| match node.kind() {
        "call" => sites.extend(python_set_cookie(doc, node)),
        "assignment" => sites.extend(python_cookie_setting(doc, node)),
        _ => {}
    });
    sites
}

/// `response.set_cookie(key, value, max_age, expires, path, domain, secure, httponly)`:
/// The name a cookie is set under: a string literal's value, or a constant or variable
/// that says it holds a cookie's name (`REFRESH_COOKIE`, `sessionCookieName`). Any other
/// expression (`token`, `name`) tells nothing: empty.
fn cookie_name(doc: &Document, node: Node) -> String {
    if let Some(value) = string_value(doc, node) {
        return value;
    }
    let written = text(doc, node);
    let holds_a_name = super::syntax::words(written)
        .iter()
        .any(|w| matches!(w.as_str(), "cookie" | "name" | "key"));
    if holds_a_name {
        written.to_string()
    } else {
        String::new()
    }
}

/// the same order in Django, Werkzeug and Starlette, all defaulting both flags to off.
fn python_set_cookie(doc: &Document, call: Node) -> Option<Site> {
    let method = callee_name(doc, call)?;
    if !matches!(method, "set_cookie" | "set_signed_cookie") {
        return None;
    }
    let (positional, keywords) = call_arguments(doc, call);
    let key = keywords
        .iter()
        .find(|(k, _)| *k == "key")
        .map(|(_, v)| *v)
        .or_else(|| positional.first().copied())?;
    let name = cookie_name(doc, key);
    // `**options` may carry the flags.
    let splat = call.child_by_field_name("arguments").is_some_and(|a| {
        named_children(a)
            .iter()
            .any(|c| c.kind() == "dictionary_splat")
    });
    let flag = |keyword: &str, index: usize| {
        if let Some((_, value)) = keywords.iter().find(|(k, _)| *k == keyword) {
            let pair = value.parent().unwrap_or(*value);
            return flag_of(*value, pair.byte_range());
        }
        // `set_signed_cookie(key, value, salt, ..)` takes the rest by keyword only.
        match positional.get(index) {
            Some(value) if method == "set_cookie" => flag_of(*value, value.byte_range()),
            _ if splat => Flag::Unknown,
            _ => Flag::Missing,
        }
    };
    Some(Site {
        name,
        at: call.byte_range(),
        httponly: flag("httponly", 7),
        secure: flag("secure", 6),
        setting: false,
    })
}

/// `SESSION_COOKIE_HTTPONLY = False`, `CSRF_COOKIE_SECURE = False`,
/// `app.config["SESSION_COOKIE_SECURE"] = False`: only an explicit `False` is reported
/// (a missing setting has the framework's default).
fn python_cookie_setting(doc: &Document, assignment: Node) -> Option<Site> {
    let (setting, value) = python_setting(doc, assignment)?;
    let upper = setting.to_ascii_uppercase();
    let off = matches!(flag_of(value, 0..0), Flag::Off(_)).then(|| assignment.byte_range())?;
    let site = |httponly, secure| Site {
        name: setting.clone(),
        at: assignment.byte_range(),
        httponly,
        secure,
        setting: true,
    };
    if let Some(prefix) = upper.strip_suffix("_COOKIE_HTTPONLY") {
        return is_credential_name(prefix).then(|| site(Flag::Off(off), Flag::Unknown));
    }
    if let Some(prefix) = upper.strip_suffix("_COOKIE_SECURE") {
        return (prefix == "CSRF" || is_credential_name(prefix))
            .then(|| site(Flag::Unknown, Flag::Off(off)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_a_cookie_is_not_setting_one() {
        assert!(clears_cookie(
            r#"resp.set_cookie("sessionid", "", expires=0)"#
        ));
        assert!(clears_cookie(r#"res.cookie('token', '', { maxAge: 0 })"#));
        assert!(clears_cookie(
            r#"http.Cookie{Name: "session_id", Value: "", MaxAge: -1}"#
        ));
        assert!(!clears_cookie(
            r#"resp.set_cookie("sessionid", sid, max_age=3600)"#
        ));
        assert!(!clears_cookie(
            r#"res.cookie('token', jwt, { maxAge: 900000 })"#
        ));
    }

    #[test]
    fn credential_names() {
        for name in [
            "sessionid",
            "refresh_token",
            "connect.sid",
            "JSESSIONID",
            "auth",
            "jwt",
            "SESSION",
        ] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in [
            "theme",
            "lang",
            "csrftoken",
            "XSRF-TOKEN",
            "ui_theme",
            "consider",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
    }
}
