//! `docker/debug-enabled`: the built image sets a framework's debug mode in `ENV`.
//!
//! ## What it does
//! Flags `ENV DEBUG=true`, `ENV FLASK_DEBUG=1`, `ENV NODE_ENV=development` and the like in
//! the stage that is built (the last one, or `[docker] target`) and the stages it is built
//! `FROM` (a builder stage's `ENV` does not ship). Reported on the `ENV` line.
//!
//! ## Why is this bad?
//! Debug mode shows stack traces, settings and sometimes an interactive console to
//! whoever triggers an error, and the image carries it into every deployment.

use super::debug_setting::is_debug_setting;
use super::from::built_chain;
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::dockerfile::assignments;
use crate::rules::{Checker, Findings};

const ID: &str = "docker/debug-enabled";

pub struct DebugEnabled {
    /// `[docker] target`: the stage that is built.
    pub target: Option<String>,
}

impl Checker for DebugEnabled {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Dockerfile
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let stages = doc.dockerfile().stages();
        for index in built_chain(&stages, self.target.as_deref()) {
            let Some(stage) = stages.get(index) else {
                continue;
            };
            for inst in stage.body.iter().filter(|i| i.keyword == "ENV") {
                for (name, value) in assignments(inst) {
                    let Some(value) = value else {
                        continue;
                    };
                    if is_debug_setting(&name, &value) {
                        out.report(
                            ID,
                            inst.range.clone(),
                            format!("the image sets `{name}={value}`: debug mode ships"),
                        );
                    }
                }
            }
        }
    }
}
