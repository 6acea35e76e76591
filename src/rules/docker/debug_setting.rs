//! Which environment settings switch debug mode on: shared by the `debug-enabled` rules
//! of Dockerfiles, compose files and Kubernetes manifests.

/// True when `name=value` turns on a framework's debug mode: `DEBUG`, `DJANGO_DEBUG`,
/// `FLASK_DEBUG`, `APP_DEBUG` set to a truthy value, or `NODE_ENV` / `FLASK_ENV` set to
/// `development`.
pub fn is_debug_setting(name: &str, value: &str) -> bool {
    let name = name.trim().to_ascii_uppercase();
    let value = value.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    match name.as_str() {
        "DEBUG" | "DJANGO_DEBUG" | "FLASK_DEBUG" | "APP_DEBUG" => {
            matches!(value.as_str(), "true" | "1" | "yes" | "on")
        }
        "NODE_ENV" | "FLASK_ENV" => value == "development",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_settings() {
        assert!(is_debug_setting("DEBUG", "True"));
        assert!(is_debug_setting("flask_debug", "1"));
        assert!(is_debug_setting("NODE_ENV", "development"));
        assert!(!is_debug_setting("DEBUG", "0"));
        assert!(!is_debug_setting("DJANGO_DEBUG", "False"));
        assert!(!is_debug_setting("NODE_ENV", "production"));
        assert!(!is_debug_setting("LOG_LEVEL", "debug"));
    }
}
