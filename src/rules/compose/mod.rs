//! The `compose/` rules.

mod missing_resource_limits;
mod root_user;
mod services;
mod unpinned_image;

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    vec![
        Box::new(missing_resource_limits::MissingResourceLimits),
        Box::new(root_user::RootUser),
        Box::new(unpinned_image::UnpinnedImage),
    ]
}
