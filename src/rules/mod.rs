//! Rules: their metadata, the [`Checker`] trait that finds problems, and the registry of
//! every built-in checker.
//!
//! Metadata (title, why, fix, severity) lives in `rules/meta/*.toml` and, for secret
//! rules, in `rules/secrets/*.toml`; both are embedded in the binary. One source feeds
//! `smartedu-lint rules`, `explain` and the SARIF rule help.

pub mod code;
pub mod compose;
pub mod config;
pub mod docker;
pub mod env;
pub mod k8s;
mod meta;
pub mod nginx;
pub mod secrets;
mod settings;

use std::ops::Range;

pub use meta::{RuleMeta, builtin_meta, catalog, explain_text, install_custom};
pub use settings::Settings;

use crate::document::Document;
use crate::kind::FileKind;

/// Finds problems in documents. A checker may report under several rule ids (the secret
/// scanner reports one id per provider); it names them all in [`Checker::rule_ids`].
pub trait Checker: Send + Sync {
    /// Every rule id this checker can report.
    fn rule_ids(&self) -> Vec<String>;

    /// True when the checker has anything to say about files of this kind.
    fn applies_to(&self, kind: FileKind) -> bool;

    /// Checks one document, pushing what it finds into `out`.
    fn check(&self, doc: &Document, out: &mut Findings);
}

/// What a checker reports, before the engine applies severity, suppressions and
/// fingerprints.
#[derive(Debug, Clone)]
pub struct RawFinding {
    pub rule_id: String,
    pub bytes: Range<usize>,
    pub message: String,
    /// Byte ranges to mask wherever the source is shown.
    pub secret: Option<Range<usize>>,
    /// What the fingerprint hashes, when it differs from the text under `bytes`.
    pub fingerprint_text: Option<String>,
    /// Other places that make up the same fault (where SQL was built, the whole call it
    /// reaches): a suppression marker on any of their lines covers the finding too.
    pub related: Vec<Range<usize>>,
}

/// Collects a checker's findings for one document.
#[derive(Default)]
pub struct Findings {
    pub(crate) raw: Vec<RawFinding>,
    /// Values shaped like a secret that no finding reports (a provider token's match
    /// taken for a placeholder, or under its entropy floor): masked wherever the file's
    /// text is shown all the same, since the judgement may be wrong and the line may be
    /// shown for another finding.
    pub(crate) masked: Vec<Range<usize>>,
}

impl Findings {
    /// Masks `secret` in every output without reporting it.
    pub fn mask(&mut self, secret: Range<usize>) {
        self.masked.push(secret);
    }

    /// Reports `rule_id` over the byte range `bytes`.
    pub fn report(&mut self, rule_id: &str, bytes: Range<usize>, message: impl Into<String>) {
        self.raw.push(RawFinding {
            rule_id: rule_id.to_string(),
            bytes,
            message: message.into(),
            secret: None,
            fingerprint_text: None,
            related: Vec::new(),
        });
    }

    /// Reports `rule_id` over `bytes`, a fault that also spans `related` (see
    /// [`RawFinding::related`]).
    pub fn report_related(
        &mut self,
        rule_id: &str,
        bytes: Range<usize>,
        related: Vec<Range<usize>>,
        message: impl Into<String>,
    ) {
        self.raw.push(RawFinding {
            rule_id: rule_id.to_string(),
            bytes,
            message: message.into(),
            secret: None,
            fingerprint_text: None,
            related,
        });
    }

    /// Reports a secret: `bytes` is what to point at, `secret` the credential itself
    /// (masked in every output, and the only thing the fingerprint hashes).
    pub fn report_secret(
        &mut self,
        rule_id: &str,
        bytes: Range<usize>,
        secret: Range<usize>,
        message: impl Into<String>,
    ) {
        self.raw.push(RawFinding {
            rule_id: rule_id.to_string(),
            bytes,
            message: message.into(),
            secret: Some(secret),
            fingerprint_text: None,
            related: Vec::new(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

/// Every built-in checker, with the default settings.
pub fn builtin_checkers() -> Vec<Box<dyn Checker>> {
    builtin_checkers_with(&Settings::default())
}

/// Every built-in checker, made with `settings`.
pub fn builtin_checkers_with(settings: &Settings) -> Vec<Box<dyn Checker>> {
    let mut all: Vec<Box<dyn Checker>> = Vec::new();
    all.extend(secrets::checkers(settings));
    all.extend(docker::checkers(settings));
    all.extend(compose::checkers());
    all.extend(k8s::checkers());
    all.extend(code::checkers());
    all.extend(env::checkers());
    all.extend(config::checkers());
    all.extend(nginx::checkers());
    all
}
