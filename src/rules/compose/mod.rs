//! The `compose/` rules.

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    Vec::new()
}
