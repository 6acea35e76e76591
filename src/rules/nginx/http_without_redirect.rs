//! `nginx/http-without-redirect`: a server listening on plain HTTP port 80 that serves
//! content instead of redirecting to HTTPS.
//!
//! ## What it does
//! For each `server` with a `listen` on port 80 without TLS, looks for a redirect to an
//! `https://` URL: `return 301|302|303|307|308 https://...` (or `return https://...`) or
//! `rewrite ... https://... permanent|redirect`, at the server level, inside
//! `if ($scheme ...)`, or in every `location`. Locations for ACME HTTP-01 challenges
//! (`/.well-known/acme-challenge/`) must stay on HTTP and are left out; a server that
//! answers only with an error (`return 404`, `return 444`) serves nothing and passes.
//!
//! ## Known problems
//! A server or location that includes other files (anything but `mime.types`) may
//! redirect in one of them: it is not reported. A server with no `listen` at all also
//! listens on port 80 but is not checked.

use super::servers::{http_servers, includes_other_files, listens, redirects_to_https, refuses};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::nginx::Directive;
use crate::rules::{Checker, Findings};

const ID: &str = "nginx/http-without-redirect";

pub struct HttpWithoutRedirect;

impl Checker for HttpWithoutRedirect {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Nginx
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for server in http_servers(doc.nginx()) {
            let all = listens(server.block);
            let Some(plain) = all.iter().find(|l| l.port == Some(80) && !l.tls) else {
                continue;
            };
            if sends_away(server.block.children()) {
                continue;
            }
            out.report(
                ID,
                plain.directive.range.clone(),
                "server on plain HTTP port 80 serves content: redirect to HTTPS with \
                 `return 301 https://$host$request_uri;`",
            );
        }
    }
}

/// True when the level with directives `list` redirects to HTTPS or refuses every request
/// that is not an ACME challenge, or may do so in an included file.
fn sends_away(list: &[Directive]) -> bool {
    if list.iter().any(|d| redirects_to_https(d) || refuses(d)) {
        return true;
    }
    if includes_other_files(list) {
        return true;
    }
    // `if ($scheme = http) { return 301 https://...; }`
    let scheme_redirect = list.iter().any(|d| {
        d.name == "if"
            && d.args.iter().any(|a| a.contains("$scheme"))
            && d.children().iter().any(redirects_to_https)
    });
    if scheme_redirect {
        return true;
    }
    let locations: Vec<&Directive> = list
        .iter()
        .filter(|d| d.name == "location" && !is_acme(d))
        .collect();
    !locations.is_empty() && locations.iter().all(|l| sends_away(l.children()))
}

/// `location /.well-known/acme-challenge/ { ... }` and its `^~`/regex spellings.
fn is_acme(location: &Directive) -> bool {
    location
        .args
        .iter()
        .any(|a| a.contains(".well-known/acme-challenge"))
}
