//! The `nginx/` rules: hardening of nginx configuration files (HTTPS, HSTS, TLS versions,
//! version leaks), on the parse of `crate::parse::nginx`.

mod http_without_redirect;
mod missing_hsts;
mod server_tokens;
mod servers;
mod weak_tls_protocol;

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    vec![
        Box::new(server_tokens::ServerTokens),
        Box::new(weak_tls_protocol::WeakTlsProtocol),
        Box::new(missing_hsts::MissingHsts),
        Box::new(http_without_redirect::HttpWithoutRedirect),
    ]
}
