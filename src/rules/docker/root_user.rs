//! `docker/root-user`: the stage that is built (the last one) runs as root.
//!
//! ## What it does
//! Follows `USER` through the final stage, and through the earlier stages it is built
//! `FROM`, resolving `ARG` and `ENV` values, and flags a final image whose user is root.
//!
//! ## Why is this bad?
//! A compromise of the application, or a container escape, starts with uid 0.
//!
//! ## Known problems
//! The base image's own `USER` is not known: `FROM nginxinc/nginx-unprivileged` with no
//! `USER` is flagged although that image runs as a non-root user. A `FROM scratch` final
//! stage with no `USER` is flagged too: it runs as uid 0 (hadolint stays silent there).
//! TODO: honour `[docker] target = ".."` (the stage `docker build --target` builds).

use std::collections::HashMap;

use super::from::final_chain;
use super::image::is_root_user;
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::dockerfile::{Dockerfile, Stage, UNKNOWN, assignments, expand};
use crate::rules::{Checker, Findings};

const ID: &str = "docker/root-user";

pub struct RootUser;

impl Checker for RootUser {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Dockerfile
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let dockerfile = doc.dockerfile();
        let stages = dockerfile.stages();
        let Some(final_stage) = stages.last() else {
            return;
        };

        match user_of(dockerfile, &stages) {
            StageUser::NonRoot => {}
            StageUser::Root { line, user } => {
                let range = doc.line_range(line);
                out.report(
                    ID,
                    range,
                    format!("the final image runs as root: the last USER is {user}"),
                );
            }
            StageUser::Unset => {
                let what = if final_stage.image.eq_ignore_ascii_case("scratch") {
                    "the final stage (`FROM scratch`) sets no USER, so it runs as uid 0"
                } else {
                    "the final stage sets no USER, so the container runs as root"
                };
                out.report(ID, final_stage.from.range.clone(), what);
            }
        }
    }
}

/// Who a stage runs as.
enum StageUser {
    NonRoot,
    /// The `USER` line (1-based) that made it root, and its value as shown in messages.
    Root {
        line: usize,
        user: String,
    },
    /// No `USER` anywhere up the chain of stages: the runtime default, root.
    Unset,
}

/// The user of the final stage, following `FROM <earlier stage>` for stages with no
/// `USER`.
fn user_of(dockerfile: &Dockerfile, stages: &[Stage]) -> StageUser {
    let globals = dockerfile.global_args();
    let chain = final_chain(stages);

    // Walk from the root ancestor down, carrying ENV values and the last USER.
    let mut env: HashMap<String, Option<String>> = HashMap::new();
    let mut user = StageUser::Unset;
    for &i in &chain {
        let Some(stage) = stages.get(i) else {
            continue;
        };
        let mut vars = env.clone();
        for inst in stage.body {
            match inst.keyword.as_str() {
                "ARG" => {
                    for (name, value) in assignments(inst) {
                        let value = match value {
                            Some(v) => Some(expand(&v, &vars, UNKNOWN)),
                            // `ARG X` in a stage re-imports the global X.
                            None => globals.get(&name).cloned().flatten(),
                        };
                        vars.insert(name, value);
                    }
                }
                "ENV" => {
                    for (name, value) in assignments(inst) {
                        let value = value.map(|v| expand(&v, &vars, UNKNOWN));
                        vars.insert(name.clone(), value.clone());
                        env.insert(name, value);
                    }
                }
                "USER" => {
                    let resolved = expand(&inst.args, &vars, UNKNOWN);
                    user = if resolved.trim().is_empty() {
                        // `USER` with nothing after it sets no user.
                        StageUser::Unset
                    } else if is_root_user(&resolved) {
                        let user = if resolved == inst.args {
                            format!("`{resolved}`")
                        } else {
                            format!("`{}` (`{resolved}`)", inst.args)
                        };
                        StageUser::Root {
                            line: inst.line,
                            user,
                        }
                    } else {
                        StageUser::NonRoot
                    };
                }
                _ => {}
            }
        }
    }
    user
}
