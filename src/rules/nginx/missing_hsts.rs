//! `nginx/missing-hsts`: an HTTPS server that does not send `Strict-Transport-Security`.
//!
//! ## What it does
//! For each `server` with a TLS `listen` (`ssl`, `quic`, or the old `ssl on;`), works out
//! the `add_header` directives in force as nginx does: a level with any `add_header` of its
//! own drops every header of the level above, else it inherits them (`http` → `server` →
//! `location` → nested `location`). Flags the server when the headers in force there lack
//! `Strict-Transport-Security`, and, when the server has it, each `location` whose own
//! `add_header` lines drop it. `more_set_headers` (headers-more) counts too.
//!
//! ## Known problems
//! A file of `server` blocks alone (a `conf.d` snippet) is taken to be included by an
//! `http` block that adds no HSTS header; when that block does add it, and the server adds
//! no header of its own, the finding is wrong. A level that includes other files (anything but `mime.types`) may add the header in
//! one of them: such a server or location is not reported. `add_header` inside `if` is
//! not looked at.

use super::servers::{http_servers, includes_other_files, listens};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::nginx::Directive;
use crate::rules::{Checker, Findings};

const ID: &str = "nginx/missing-hsts";

pub struct MissingHsts;

impl Checker for MissingHsts {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Nginx
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for server in http_servers(doc.nginx()) {
            if !listens(server.block).iter().any(|l| l.tls) {
                continue;
            }
            // A file of server blocks alone is taken to be included by an `http` block
            // that adds no HSTS header: the usual layout (see Known problems).
            let inherited = server.http.map_or(Headers::None, |http| {
                headers_at(http.children(), Headers::None)
            });
            match headers_at(server.block.children(), inherited) {
                Headers::Hsts => check_locations(server.block.children(), Headers::Hsts, out),
                Headers::None => out.report(
                    ID,
                    server.block.range.clone(),
                    "HTTPS server without `add_header Strict-Transport-Security`: browsers may \
                     still be sent to plain HTTP",
                ),
                Headers::Unknown => {}
            }
        }
    }
}

/// What a level sends, as far as this file shows.
#[derive(Clone, Copy, PartialEq)]
enum Headers {
    /// `add_header` directives in force, `Strict-Transport-Security` among them.
    Hsts,
    /// No HSTS header in force.
    None,
    /// Set in a file this one includes, or in an `http` block elsewhere (a snippet).
    Unknown,
}

/// The headers in force at a level with directives `list` whose parent has `parent`.
fn headers_at(list: &[Directive], parent: Headers) -> Headers {
    if list.iter().any(is_more_set_hsts) {
        return Headers::Hsts;
    }
    let own: Vec<&Directive> = list.iter().filter(|d| d.name == "add_header").collect();
    if own.iter().any(|d| is_hsts_name(d.args.first())) {
        return Headers::Hsts;
    }
    if includes_other_files(list) {
        return Headers::Unknown;
    }
    if own.is_empty() {
        parent
    } else {
        Headers::None
    }
}

/// Reports each `location` (nested ones too) under a level where HSTS is in force whose
/// own `add_header` lines drop it.
fn check_locations(list: &[Directive], parent: Headers, out: &mut Findings) {
    for loc in list.iter().filter(|d| d.name == "location") {
        let here = headers_at(loc.children(), parent);
        if here == Headers::None && parent == Headers::Hsts {
            out.report(
                ID,
                loc.range.clone(),
                "this location's own `add_header` lines drop the server's \
                 `Strict-Transport-Security`: nginx does not merge them; repeat it here",
            );
            continue;
        }
        check_locations(loc.children(), here, out);
    }
}

fn is_hsts_name(name: Option<&String>) -> bool {
    name.is_some_and(|n| n.eq_ignore_ascii_case("Strict-Transport-Security"))
}

/// `more_set_headers "Strict-Transport-Security: max-age=..."` (headers-more module).
fn is_more_set_hsts(d: &Directive) -> bool {
    d.name == "more_set_headers"
        && d.args.iter().any(|a| {
            a.split(':')
                .next()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case("Strict-Transport-Security"))
        })
}
