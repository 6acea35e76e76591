//! The `docker/` rules.

mod debug_enabled;
pub mod debug_setting;
mod from;
pub mod image;
mod root_user;
mod unpinned_image;
mod unverifiable_image;

use super::{Checker, Settings};

/// Every checker of the family.
pub fn checkers(settings: &Settings) -> Vec<Box<dyn Checker>> {
    let target = settings.docker_target.clone();
    vec![
        Box::new(debug_enabled::DebugEnabled {
            target: target.clone(),
        }),
        Box::new(root_user::RootUser { target }),
        Box::new(unpinned_image::UnpinnedImage),
        Box::new(unverifiable_image::UnverifiableImage),
    ]
}
