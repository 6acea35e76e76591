//! The `k8s/` rules: Kubernetes workload manifests.

mod debug_enabled;
mod missing_resource_limits;
mod privileged;
mod root_user;
mod unpinned_image;
mod workloads;
mod writable_root_fs;

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    vec![
        Box::new(debug_enabled::DebugEnabled),
        Box::new(missing_resource_limits::MissingResourceLimits),
        Box::new(privileged::Privileged),
        Box::new(root_user::RootUser),
        Box::new(unpinned_image::UnpinnedImage),
        Box::new(writable_root_fs::WritableRootFs),
    ]
}
