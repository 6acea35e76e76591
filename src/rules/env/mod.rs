//! The `env/` rules: problems in `.env` style `KEY=value` files.

mod committed_dotenv;
mod debug_enabled;

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    vec![
        Box::new(debug_enabled::DebugEnabled),
        Box::new(committed_dotenv::CommittedDotenv),
    ]
}
