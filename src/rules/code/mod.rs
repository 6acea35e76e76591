//! The `code/` rules: problems found in application source by parsing it
//! (tree-sitter, through `crate::parse`).

mod debug_enabled;
mod environment_logged;
mod sql_string_building;

// Web hardening checklist: cookies, CORS, CSRF.
mod cookie_flags;
mod cors_wildcard;
mod csrf_disabled;
mod web_helpers;
// Hardening-checklist rules: JWT algorithm, token lifetime, secrets in logs.
mod jwt_algorithm;
mod long_lived_access_token;
mod sensitive_data_logged;
pub(crate) mod syntax;

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    vec![
        Box::new(debug_enabled::DebugEnabled),
        Box::new(environment_logged::EnvironmentLogged),
        Box::new(sql_string_building::SqlStringBuilding),
        // Web hardening checklist: cookies, CORS, CSRF.
        Box::new(cookie_flags::CookieFlags),
        Box::new(cors_wildcard::CorsWildcard),
        Box::new(csrf_disabled::CsrfDisabled),
        // JWT algorithm, token lifetime, secrets in logs.
        Box::new(jwt_algorithm::JwtAlgorithm),
        Box::new(long_lived_access_token::LongLivedAccessToken),
        Box::new(sensitive_data_logged::SensitiveDataLogged),
    ]
}
