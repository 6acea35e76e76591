//! `.smartedu-lint.toml`: found from the scan root upward, or given with `--config`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::finding::Severity;
use crate::rules::RuleMeta;
use crate::rules::secrets::rule::{RawSecretRule, SecretRule};
use crate::rules::secrets::{custom, gitleaks};

pub const FILE_NAME: &str = ".smartedu-lint.toml";

/// Default cap on the size of a file to scan.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// The configuration as written in the file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Globs (gitignore syntax, relative to the scan root) of paths not to scan.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are skipped.
    pub max_file_size: Option<u64>,
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub docker: DockerConfig,
    #[serde(default)]
    pub secrets: SecretsConfig,
}

/// `[secrets]`: the user's own secret rules.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// `[[secrets.rules]]`, in the form of the built-in `rules/secrets/*.toml` rules.
    #[serde(default)]
    pub rules: Vec<RawSecretRule>,
    /// A gitleaks-format rules file to import, relative to this configuration's folder.
    pub gitleaks_config: Option<PathBuf>,
    /// The rules above and the imported ones, validated and compiled by [`Config::parse`].
    #[serde(skip)]
    pub compiled: Vec<SecretRule>,
}

/// `[docker]`: how Dockerfiles are built.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerConfig {
    /// The stage `docker build --target` builds: the image the rules judge, in the
    /// Dockerfiles that have a stage of that name (the others: their last stage).
    pub target: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Rule ids (or family prefixes such as `docker/`) not to run.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Off-by-default rule ids (or families) to run.
    #[serde(default)]
    pub enable: Vec<String>,
    /// Severity overrides by rule id.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Loads `path`, reporting the line and column of any error.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = read_config_file(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_column(text, s.start))
                .unwrap_or((1, 1));
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().replace('\n', " "),
            }
        })?;
        let mut config = config;
        config.validate(path)?;
        config.load_secret_rules(path)?;
        config.resolve_rule_names(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        // 0 would skip every file and report a clean scan of nothing.
        if self.max_file_size == Some(0) {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: "max_file_size = 0 would skip every file; give a size in bytes of at \
                          least 1 (default 5242880), or leave it out"
                    .into(),
            });
        }
        for glob in &self.exclude {
            globset::Glob::new(glob).map_err(|e| ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!("exclude: invalid glob `{glob}`: {e}"),
            })?;
        }
        Ok(())
    }

    /// Validates `[[secrets.rules]]` and imports `[secrets] gitleaks_config` into
    /// `secrets.compiled`. A bad user rule is an error; an imported rule that cannot be
    /// used is a warning (gitleaks' Go regexes are not all valid here).
    fn load_secret_rules(&mut self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let builtin = crate::rules::builtin_meta();
        let taken = builtin.keys().map(String::as_str).collect();
        let origin = path.display().to_string();
        let mut compiled = custom::load(&self.secrets.rules, &origin, &taken)
            .map_err(|e| invalid(format!("[[secrets.rules]] `{}`: {}", e.id, e.message)))?;
        if let Some(file) = &self.secrets.gitleaks_config {
            let folder = path.parent().unwrap_or(Path::new("."));
            let full = folder.join(file);
            // The configuration may come with the repository being scanned: what it names
            // must stay inside the configuration's folder.
            let inside = match (folder.canonicalize(), full.canonicalize()) {
                (Ok(folder), Ok(target)) => target.starts_with(folder),
                _ => true,
            };
            if !inside {
                return Err(invalid(format!(
                    "[secrets] gitleaks_config: {} is outside the configuration's folder",
                    full.display()
                )));
            }
            let text = read_config_file(&full).map_err(|e| {
                invalid(format!(
                    "[secrets] gitleaks_config: cannot read {}: {e}",
                    full.display()
                ))
            })?;
            let imported = gitleaks::import(&text, &full.display().to_string()).map_err(invalid)?;
            for warning in &imported.warnings {
                tracing::warn!("{warning}");
            }
            compiled.extend(imported.rules);
        }
        self.secrets.compiled = compiled;
        Ok(())
    }

    /// Metadata of every rule the configuration adds (user and imported secret rules).
    pub fn custom_meta(&self) -> Vec<RuleMeta> {
        self.secrets
            .compiled
            .iter()
            .map(crate::rules::secrets::rule_meta)
            .collect()
    }

    /// Metadata of the built-in rules and the configuration's own.
    pub fn all_meta(&self) -> BTreeMap<String, RuleMeta> {
        let mut all = crate::rules::builtin_meta().clone();
        all.extend(self.custom_meta().into_iter().map(|m| (m.id.clone(), m)));
        all
    }

    /// Checks every rule named in `[rules]` and writes it in canonical form: an id, or a
    /// family as `family/`. Aliases (`DL3002`) become their rule's id; `docker` and
    /// `docker/*` become `docker/`. An unknown name is an error with the nearest known id.
    fn resolve_rule_names(&mut self, path: &Path) -> Result<(), ConfigError> {
        let meta = self.all_meta();
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: format!("[rules] {key}: {message}"),
        };
        let resolve_all = |key: &str, names: &[String]| -> Result<Vec<String>, ConfigError> {
            let mut out = Vec::new();
            for name in names {
                out.extend(resolve_names(&meta, name).map_err(|m| invalid(key, m))?);
            }
            Ok(out)
        };
        self.rules.disable = resolve_all("disable", &self.rules.disable)?;
        self.rules.enable = resolve_all("enable", &self.rules.enable)?;
        let mut severity = BTreeMap::new();
        for (name, level) in std::mem::take(&mut self.rules.severity) {
            let id = resolve_name(&meta, &name).map_err(|m| invalid("severity", m))?;
            if id.ends_with('/') {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("[rules.severity]: `{name}` is a family; name one rule"),
                });
            }
            severity.insert(id, level);
        }
        self.rules.severity = severity;
        Ok(())
    }

    /// Finds `.smartedu-lint.toml` in `root` or the nearest folder above it.
    pub fn discover(root: &Path) -> Result<Option<PathBuf>, ConfigError> {
        let start = if root.is_file() {
            root.parent()
        } else {
            Some(root)
        };
        let Some(start) = start else {
            return Ok(None);
        };
        // A bare file name (`settings.py`, as pre-commit passes it) has the empty parent.
        let start = if start.as_os_str().is_empty() {
            Path::new(".")
        } else {
            start
        };
        let Ok(start) = start.canonicalize() else {
            return Ok(None);
        };
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return leads_outside(&candidate, dir).map(|()| Some(candidate));
            }
            // A repository's scan is configured by the repository, not by a folder
            // that happens to hold it.
            if dir.join(".git").exists() {
                return Ok(None);
            }
        }
        Ok(None)
    }
}

/// Refuses a configuration found in `dir` that is a symbolic link out of the repository
/// holding `dir` (or out of `dir`, outside a repository): the scanned tree's content must
/// not make the tool read a file outside it. `--config` names such a file on purpose.
fn leads_outside(candidate: &Path, dir: &Path) -> Result<(), ConfigError> {
    let is_link = std::fs::symlink_metadata(candidate).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let repo = dir.ancestors().find(|d| d.join(".git").exists());
    match candidate.canonicalize() {
        Ok(target) if target.starts_with(repo.unwrap_or(dir)) => Ok(()),
        _ => Err(ConfigError::Invalid {
            path: candidate.to_path_buf(),
            message: format!(
                "a symbolic link to a file outside {}, not read; name the file with \
                 --config to use it",
                if repo.is_some() {
                    "the repository"
                } else {
                    "its folder"
                }
            ),
        }),
    }
}

/// A rule name as written by a user, in canonical form: an id, or a family as `family/`.
/// Aliases (`DL3002`) become their rule's id; `docker` and `docker/*` become `docker/`.
/// An unknown name is an error naming the nearest known id.
pub fn resolve_name(meta: &BTreeMap<String, RuleMeta>, name: &str) -> Result<String, String> {
    match resolve_names(meta, name)?.as_slice() {
        [one] => Ok(one.clone()),
        several => Err(format!(
            "`{name}` is an alias of {} rules ({}); name one of them",
            several.len(),
            several.join(", ")
        )),
    }
}

/// Every rule or family `name` stands for: one, unless `name` is a peer's id that several
/// rules share (bandit's B608 is both `code/sql-string-building` and
/// `code/sql-string-passed-on`). `--only`, `--skip`, `disable`, `enable` and inline
/// markers all take an alias as every rule that carries it, so they agree.
pub fn resolve_names(meta: &BTreeMap<String, RuleMeta>, name: &str) -> Result<Vec<String>, String> {
    resolve_one(meta, name).map(|one| vec![one]).or_else(|err| {
        let ids: Vec<String> = meta
            .values()
            .filter(|m| m.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
            .map(|m| m.id.clone())
            .collect();
        if ids.is_empty() { Err(err) } else { Ok(ids) }
    })
}

/// An id or a family; aliases are left to `resolve_names`.
fn resolve_one(meta: &BTreeMap<String, RuleMeta>, name: &str) -> Result<String, String> {
    if meta.contains_key(name) {
        return Ok(name.to_string());
    }
    let family = name.trim_end_matches('*').trim_end_matches('/');
    if meta.values().any(|m| m.family() == family) {
        return Ok(format!("{family}/"));
    }
    // A deeper prefix such as `secrets/gitleaks/` (imported rules) works as a family.
    let prefix = format!("{family}/");
    if name.ends_with('/') && family.contains('/') && meta.keys().any(|id| id.starts_with(&prefix))
    {
        return Ok(prefix);
    }
    let what = if name.ends_with('/') {
        "rule family"
    } else {
        "rule"
    };
    Err(format!("unknown {what} `{name}`; {}", hint(meta, name)))
}

/// `did you mean `code/sql-string-building`?` for a near miss of an id or a family, else
/// where the names are listed.
pub fn hint(meta: &BTreeMap<String, RuleMeta>, name: &str) -> String {
    let near = suggestions(meta, name);
    match near.as_slice() {
        [] => "`smartedu-lint rules` lists them".to_string(),
        [one] => format!("did you mean `{one}`?"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|s| format!("`{s}`")).collect();
            format!("did you mean {} or `{last}`?", init.join(", "))
        }
    }
}

/// The ids and families nearest to `name` (ignoring case), when they are near enough to be
/// a typo: at most one edit in four characters, and three in all. A name without a family
/// is compared with the ids' part after it too (`root-user` names three rules).
fn suggestions(meta: &BTreeMap<String, RuleMeta>, name: &str) -> Vec<String> {
    let want = name.to_ascii_lowercase();
    let want_family = want.trim_end_matches('*').trim_end_matches('/');
    let mut scored: Vec<(usize, String)> = Vec::new();
    for id in meta.keys() {
        let mut d = edit_distance(id, &want);
        if let (false, Some((_, tail))) = (want.contains('/'), id.split_once('/')) {
            d = d.min(edit_distance(tail, &want));
        }
        scored.push((d, id.clone()));
    }
    let families: std::collections::BTreeSet<&str> = meta.values().map(|m| m.family()).collect();
    for family in families {
        scored.push((edit_distance(family, want_family), format!("{family}/")));
    }
    let limit = (want.chars().count() / 4).clamp(1, 3);
    let Some(best) = scored.iter().map(|(d, _)| *d).min().filter(|&d| d <= limit) else {
        return Vec::new();
    };
    let mut near: Vec<String> = scored
        .into_iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, s)| s)
        .collect();
    near.sort();
    near.dedup();
    near.truncate(4);
    near
}

/// Reads a configuration file: a regular file (not a FIFO or a device, which could block
/// or never end) of at most 4 MiB.
fn read_config_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    const LIMIT: u64 = 4 << 20;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > LIMIT {
        return Err(std::io::Error::other("larger than 4 MiB"));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(LIMIT)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_line_and_key() {
        let err = Config::parse(
            Path::new("c.toml"),
            "exclude = []\n[rules]\ndisabled = []\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("c.toml:3:1: "), "{err}");
        assert!(err.contains("disabled") && err.contains("disable"), "{err}");
    }

    #[test]
    fn rule_names_are_checked_and_normalized() {
        let err = Config::parse(
            Path::new("c.toml"),
            "[rules]\ndisable = [\"docker/root-usr\"]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown rule `docker/root-usr`"), "{err}");
        assert!(err.contains("did you mean `docker/root-user`"), "{err}");
        let c = Config::parse(
            Path::new("c.toml"),
            "[rules]\ndisable = [\"docker\", \"compose/*\", \"DL3002\"]\n",
        )
        .unwrap();
        assert_eq!(c.rules.disable, ["docker/", "compose/", "docker/root-user"]);
    }

    #[test]
    fn bad_severity_is_an_error() {
        let err = Config::parse(
            Path::new("c.toml"),
            "[rules.severity]\n\"docker/root-user\" = \"urgent\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("c.toml:2:"), "{err}");
    }

    #[test]
    fn docker_target_parses_and_unknown_docker_keys_fail() {
        let c = Config::parse(Path::new("c.toml"), "[docker]\ntarget = \"runtime\"\n").unwrap();
        assert_eq!(c.docker.target.as_deref(), Some("runtime"));
        let err = Config::parse(Path::new("c.toml"), "[docker]\nstage = \"runtime\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("c.toml:2:") && err.contains("target"),
            "{err}"
        );
    }

    const USER_RULE: &str = "[[secrets.rules]]\nid = \"secrets/acme-token\"\ntitle = \"ACME\"\n\
        severity = \"high\"\nregex = '\\b(acme_[a-z0-9]{24})\\b'\nkeywords = [\"acme_\"]\n";

    #[test]
    fn user_secret_rules_are_compiled_and_can_be_named_in_rules() {
        let text = format!("[rules]\ndisable = [\"secrets/acme-token\"]\n{USER_RULE}");
        let c = Config::parse(Path::new("c.toml"), &text).unwrap();
        assert_eq!(c.secrets.compiled.len(), 1);
        assert_eq!(c.rules.disable, ["secrets/acme-token"]);
        assert!(c.all_meta().contains_key("secrets/acme-token"));
    }

    #[test]
    fn a_bad_user_secret_rule_is_one_line_naming_it() {
        let text = USER_RULE.replace("{24})", "{24)");
        let err = Config::parse(Path::new("c.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("c.toml: [[secrets.rules]] `secrets/acme-token`: regex"),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
        let err = Config::parse(Path::new("c.toml"), "[secrets]\ngitleaks = \"g.toml\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("gitleaks_config"), "{err}");
    }

    #[test]
    fn full_config_parses() {
        let c = Config::parse(
            Path::new("c.toml"),
            "exclude = [\"fixtures/**\"]\nmax_file_size = 100\n[rules]\ndisable = [\"code/\"]\n\
             [rules.severity]\n\"docker/root-user\" = \"critical\"\n",
        )
        .unwrap();
        assert_eq!(c.max_file_size, Some(100));
        assert_eq!(c.rules.severity["docker/root-user"], Severity::Critical);
    }
}
