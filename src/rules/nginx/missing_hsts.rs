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
//! A header whose `max-age` is under one year (31536000 s, the hstspreload.org minimum;
//! Mozilla's guidelines use two years) is reported at its line with its own message:
//! `max-age=0` tells browsers to forget HSTS, and a short one lapses between visits. A
//! header set through a variable (`$hsts`) is taken as it comes.
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
use crate::parse::nginx::{Directive, walk};
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
        // What an `http` block sends, worked out once per block: its servers number in
        // the thousands in generated files, and each would read the whole block again.
        let mut http_headers: Option<(&Directive, Headers)> = None;
        for server in http_servers(doc.nginx()) {
            if !listens(server.block).iter().any(|l| l.tls) {
                continue;
            }
            // A file of server blocks alone is taken to be included by an `http` block
            // that adds no HSTS header: the usual layout (see Known problems).
            let inherited = match (server.http, http_headers) {
                (None, _) => Headers::None,
                (Some(http), Some((seen, headers))) if std::ptr::eq(http, seen) => headers,
                (Some(http), _) => {
                    let headers = headers_at(http.children(), Headers::None);
                    http_headers = Some((http, headers));
                    headers
                }
            };
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
        walk(&doc.nginx().directives, &mut |d| {
            if let Some(age) = short_max_age(d) {
                let message = if age == 0 {
                    "`Strict-Transport-Security` with `max-age=0` turns HSTS off: browsers \
                     forget the host and may be sent to plain HTTP; use `max-age=63072000`"
                        .to_string()
                } else {
                    format!(
                        "`Strict-Transport-Security` with `max-age={age}` (under one year) \
                         lapses between visits; use at least `max-age=31536000`"
                    )
                };
                out.report(ID, d.range.clone(), message);
            }
        });
    }
}

/// One year, in seconds: the shortest `max-age` hstspreload.org accepts.
const MIN_MAX_AGE: u64 = 31_536_000;

/// The `max-age` of an HSTS header set by `d` when it is under [`MIN_MAX_AGE`]; `None`
/// for other directives, long enough values and values nginx fills in (`$hsts`).
fn short_max_age(d: &Directive) -> Option<u64> {
    let value = match d.name.as_str() {
        "add_header" if is_hsts_name(d.args.first()) => d.args.get(1)?.as_str(),
        "more_set_headers" => d.args.iter().find_map(|a| {
            let (name, value) = a.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("Strict-Transport-Security")
                .then_some(value)
        })?,
        _ => return None,
    };
    // `max-age=31536000; includeSubDomains`; the value may be quoted (RFC 6797).
    let age = value.split(';').find_map(|part| {
        let (key, age) = part.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| age.trim().trim_matches('"').parse::<u64>().ok())?
    })?;
    (age < MIN_MAX_AGE).then_some(age)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each server used to read its whole `http` block again: quadratic, about half a
    /// minute for 20,000 servers in a debug build. Linear, 40,000 take a second or two;
    /// the bound leaves room for a loaded machine.
    #[test]
    fn many_servers_in_one_http_block_are_checked_in_linear_time() {
        let mut text = String::from("http {\n");
        for i in 0..40_000 {
            text.push_str(&format!(
                "server {{ listen 443 ssl; server_name s{i}; \
                 add_header Strict-Transport-Security \"max-age=63072000\"; }}\n"
            ));
        }
        text.push_str("}\n");
        let doc = Document::new("big.nginx", FileKind::Nginx, &text);
        let started = std::time::Instant::now();
        let mut out = Findings::default();
        MissingHsts.check(&doc, &mut out);
        assert!(out.raw.is_empty());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
