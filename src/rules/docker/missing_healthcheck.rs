//! `docker/missing-healthcheck` (low, off by default): the built image has no
//! `HEALTHCHECK`.
//!
//! ## What it does
//! Flags a Dockerfile whose built stage (the last one, or `[docker] target`) and the
//! stages it is built `FROM` have no `HEALTHCHECK`. `HEALTHCHECK NONE` is a deliberate
//! choice and is not flagged. Reported on the built stage's `FROM` line.
//!
//! ## Why is this bad?
//! Without a health check, Docker and Compose only know whether the process exists, not
//! whether it answers: a hung service keeps receiving traffic and is never restarted.
//!
//! ## Known problems
//! A `HEALTHCHECK` inherited from the base image is not known. Orchestrators with their
//! own probes (Kubernetes) ignore `HEALTHCHECK`; that is why the rule is off by default.

use super::from::built_chain;
use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "docker/missing-healthcheck";

pub struct MissingHealthcheck {
    /// `[docker] target`: the stage that is built.
    pub target: Option<String>,
}

impl Checker for MissingHealthcheck {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Dockerfile
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let stages = doc.dockerfile().stages();
        let chain = built_chain(&stages, self.target.as_deref());
        let Some(built) = chain.last().and_then(|&i| stages.get(i)) else {
            return;
        };
        let has_healthcheck = chain
            .iter()
            .filter_map(|&i| stages.get(i))
            .flat_map(|s| s.body.iter())
            .any(|inst| inst.keyword == "HEALTHCHECK");
        if has_healthcheck {
            return;
        }
        out.report(
            ID,
            built.from.range.clone(),
            "the built image has no HEALTHCHECK",
        );
    }
}
