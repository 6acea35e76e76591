//! Rule settings: the parts of the configuration that change what a checker looks at
//! (as opposed to whether it runs, which [`crate::engine::RuleSet`] decides). Built once
//! from the configuration and given to the checkers when they are made.

use crate::config::Config;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `[docker] target`, lower-cased (stage names are case-insensitive): the stage
    /// `docker build --target` builds, judged instead of the last one where it exists.
    pub docker_target: Option<String>,
    /// The configuration's own secret rules (`[[secrets.rules]]`, gitleaks import).
    pub custom_secret_rules: Vec<crate::rules::secrets::rule::SecretRule>,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            docker_target: config
                .docker
                .target
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_ascii_lowercase),
            custom_secret_rules: config.secrets.compiled.clone(),
        }
    }
}
