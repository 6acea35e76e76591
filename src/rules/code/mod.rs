//! The `code/` rules: problems found in application source by parsing it
//! (tree-sitter, through `crate::parse`).

mod debug_enabled;

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    vec![Box::new(debug_enabled::DebugEnabled)]
}
