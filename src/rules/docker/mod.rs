//! The `docker/` rules.

mod debug_enabled;
pub mod debug_setting;
mod from;
pub mod image;
mod root_user;
mod unpinned_image;
mod unverifiable_image;

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    vec![
        Box::new(debug_enabled::DebugEnabled),
        Box::new(root_user::RootUser),
        Box::new(unpinned_image::UnpinnedImage),
        Box::new(unverifiable_image::UnverifiableImage),
    ]
}
