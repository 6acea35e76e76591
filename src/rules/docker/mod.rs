//! The `docker/` rules.

mod add_remote_url;
mod curl_pipe_shell;
mod debug_enabled;
pub mod debug_setting;
mod from;
pub mod image;
mod missing_healthcheck;
mod root_user;
mod unpinned_image;
mod unpinned_image_digest;
mod unverifiable_image;

use super::{Checker, Settings};

/// Every checker of the family.
pub fn checkers(settings: &Settings) -> Vec<Box<dyn Checker>> {
    let target = settings.docker_target.clone();
    vec![
        Box::new(add_remote_url::AddRemoteUrl),
        Box::new(curl_pipe_shell::CurlPipeShell),
        Box::new(debug_enabled::DebugEnabled {
            target: target.clone(),
        }),
        Box::new(missing_healthcheck::MissingHealthcheck {
            target: target.clone(),
        }),
        Box::new(root_user::RootUser { target }),
        Box::new(unpinned_image::UnpinnedImage),
        Box::new(unpinned_image_digest::UnpinnedImageDigest),
        Box::new(unverifiable_image::UnverifiableImage),
    ]
}
