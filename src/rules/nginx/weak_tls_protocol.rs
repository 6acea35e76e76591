//! `nginx/weak-tls-protocol`: `ssl_protocols` enables SSLv2, SSLv3, TLSv1 or TLSv1.1, or
//! `proxy_ssl_protocols`, `grpc_ssl_protocols` or `uwsgi_ssl_protocols` allow them
//! towards an upstream.
//!
//! ## What it does
//! Flags the directive, naming the broken versions it lists; for the upstream directives
//! the message says the connection to the upstream is the weak one (an attacker between
//! nginx and the backend can downgrade it). A file without
//! `ssl_protocols` is not flagged: nginx 1.23.4 and later default to TLSv1.2 and TLSv1.3.

use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::nginx::walk;
use crate::rules::{Checker, Findings};

const ID: &str = "nginx/weak-tls-protocol";

/// Versions with known attacks (POODLE, BEAST) and deprecated by RFC 8996.
const WEAK: [&str; 4] = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"];

pub struct WeakTlsProtocol;

impl Checker for WeakTlsProtocol {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Nginx
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        walk(&doc.nginx().directives, &mut |d| {
            if !matches!(
                d.name.as_str(),
                "ssl_protocols"
                    | "proxy_ssl_protocols"
                    | "grpc_ssl_protocols"
                    | "uwsgi_ssl_protocols"
            ) {
                return;
            }
            // nginx compares the names without regard to case.
            let weak: Vec<&str> = WEAK
                .iter()
                .copied()
                .filter(|w| d.args.iter().any(|a| a.eq_ignore_ascii_case(w)))
                .collect();
            if weak.is_empty() {
                return;
            }
            let message = if d.name == "ssl_protocols" {
                format!(
                    "`ssl_protocols` enables {}: use TLSv1.2 and TLSv1.3 only",
                    weak.join(", ")
                )
            } else {
                format!(
                    "`{}` lets nginx connect to the upstream with {}: use TLSv1.2 and \
                     TLSv1.3 only",
                    d.name,
                    weak.join(", ")
                )
            };
            out.report(ID, d.range.clone(), message);
        });
    }
}
