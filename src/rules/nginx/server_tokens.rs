//! `nginx/server-tokens`: nginx announces its version in the `Server` header and on its
//! error pages.
//!
//! ## What it does
//! Flags `server_tokens on;` and `server_tokens build;` anywhere, and an `http` block that
//! never sets `server_tokens` (nginx's default is `on`) unless every server in it turns it
//! off.
//!
//! ## Known problems
//! An `http` block that includes other files (anything but `mime.types`) may set it in
//! one of them, so it is not reported as missing; a file of `server` blocks alone (a
//! `conf.d` snippet) cannot tell what its `http` block sets, so only an explicit `on`
//! counts there.

use super::servers::{http_servers, includes_other_files};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::nginx::{Directive, walk};
use crate::rules::{Checker, Findings};

const ID: &str = "nginx/server-tokens";

pub struct ServerTokens;

impl Checker for ServerTokens {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Nginx
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let conf = doc.nginx();
        walk(&conf.directives, &mut |d| {
            if d.name != "server_tokens" {
                return;
            }
            let value = d.first_arg().unwrap_or_default();
            if value == "on" || value == "build" {
                out.report(
                    ID,
                    d.range.clone(),
                    format!("`server_tokens {value}` shows the nginx version to every client"),
                );
            }
        });
        for http in conf.directives.iter().filter(|d| d.name == "http") {
            if leaves_default_on(http, conf) {
                out.report(
                    ID,
                    http.range.clone(),
                    "`http` block without `server_tokens off`: nginx shows its version by default",
                );
            }
        }
    }
}

/// True when nothing in or under `http` sets `server_tokens`, as far as this file shows.
fn leaves_default_on(http: &Directive, conf: &crate::parse::nginx::NginxConf) -> bool {
    let sets = |list: &[Directive]| list.iter().any(|d| d.name == "server_tokens");
    if sets(http.children()) || includes_other_files(http.children()) {
        return false;
    }
    let servers: Vec<_> = http_servers(conf)
        .into_iter()
        .filter(|s| s.http.is_some_and(|h| std::ptr::eq(h, http)))
        .collect();
    !servers.is_empty() && !servers.iter().all(|s| sets(s.block.children()))
}
