//! The `compose/` rules.

mod debug_enabled;
mod docker_socket_mount;
mod exposed_database_port;
pub(crate) mod extends;
mod host_network;
mod missing_cpu_limit;
mod missing_resource_limits;
mod privileged;
mod root_user;
mod services;
mod unpinned_image;
mod writable_root_fs;

use super::Checker;

/// Every checker of the family.
pub fn checkers() -> Vec<Box<dyn Checker>> {
    vec![
        Box::new(debug_enabled::DebugEnabled),
        Box::new(docker_socket_mount::DockerSocketMount),
        Box::new(exposed_database_port::ExposedDatabasePort),
        Box::new(host_network::HostNetwork),
        Box::new(missing_cpu_limit::MissingCpuLimit),
        Box::new(missing_resource_limits::MissingResourceLimits),
        Box::new(privileged::Privileged),
        Box::new(root_user::RootUser),
        Box::new(unpinned_image::UnpinnedImage),
        Box::new(writable_root_fs::WritableRootFs),
    ]
}
