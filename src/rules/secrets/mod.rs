//! The `secrets/` rules: hardcoded credentials.

use super::{Checker, RuleMeta};

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    Vec::new()
}

/// Metadata of every secret rule.
pub fn meta() -> Vec<RuleMeta> {
    Vec::new()
}
