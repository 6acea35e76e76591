//! `nginx/weak-tls-protocol`: `ssl_protocols` (or `proxy_ssl_protocols`, towards an
//! upstream) enables SSLv2, SSLv3, TLSv1 or TLSv1.1.
//!
//! ## What it does
//! Flags the directive, naming the broken versions it lists. A file without
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
                "ssl_protocols" | "proxy_ssl_protocols" | "grpc_ssl_protocols"
            ) {
                return;
            }
            // nginx compares the names without regard to case.
            let weak: Vec<&str> = WEAK
                .iter()
                .copied()
                .filter(|w| d.args.iter().any(|a| a.eq_ignore_ascii_case(w)))
                .collect();
            if !weak.is_empty() {
                out.report(
                    ID,
                    d.range.clone(),
                    format!(
                        "`{}` enables {}: use TLSv1.2 and TLSv1.3 only",
                        d.name,
                        weak.join(", ")
                    ),
                );
            }
        });
    }
}
