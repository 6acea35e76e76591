//! The `config/` rules: hardening settings found in configuration and connection strings,
//! whatever file holds them.

mod db_tls_disabled;

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    vec![Box::new(db_tls_disabled::DbTlsDisabled)]
}
