//! `docker/root-user`: the stage that is built runs as root.
//!
//! ## What it does
//! Follows `USER` through the stage that is built (the last one, or the one `[docker]
//! target` names, as `docker build --target` would) and through the earlier stages it is
//! built `FROM`, resolving `ARG` and `ENV` values, and flags an image whose user is root.
//! "The last USER is root" is reported on that `USER` line; "no USER at all" on the built
//! stage's `FROM` line, with its own message.
//!
//! ## Why is this bad?
//! A compromise of the application, or a container escape, starts with uid 0.
//!
//! ## Known problems
//! The base image's own `USER` is not known: `FROM nginxinc/nginx-unprivileged` with no
//! `USER` is flagged although that image runs as a non-root user. Only a tag that says
//! `nonroot` (distroless `:nonroot`, `:debug-nonroot`) is taken as a non-root base. A `FROM scratch` final
//! stage with no `USER` is flagged too: it runs as uid 0 (hadolint stays silent there).
//! A `[docker] target` that names no stage of a Dockerfile leaves that file judged by its
//! last stage (the setting is repository-wide; `docker build` would refuse instead).

use std::collections::HashMap;

use super::from::built_chain;
use super::image::is_root_user;
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::dockerfile::{Dockerfile, Stage, UNKNOWN, assignments, expand};
use crate::rules::{Checker, Findings};

const ID: &str = "docker/root-user";

pub struct RootUser {
    /// `[docker] target`: the stage that is built.
    pub target: Option<String>,
}

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
        let chain = built_chain(&stages, self.target.as_deref());
        let Some(built) = chain.last().and_then(|&i| stages.get(i)) else {
            return;
        };
        let which = if chain.last().copied() == stages.len().checked_sub(1) {
            "final stage".to_string()
        } else {
            format!("target stage `{}`", built.name.as_deref().unwrap_or("?"))
        };

        match user_of(dockerfile, &stages, &chain) {
            StageUser::NonRoot => {}
            StageUser::Root { line, user } => {
                let range = doc.line_range(line);
                out.report(
                    ID,
                    range,
                    format!("the image runs as root: the last USER is {user}"),
                );
            }
            // Images published to run unprivileged say so in their tag (distroless and
            // others: `:nonroot`, `:debug-nonroot`, `-nonroot`); their USER is not root.
            StageUser::Unset
                if chain.first().and_then(|&i| stages.get(i)).is_some_and(|s| {
                    let image = s.image.split('@').next().unwrap_or("");
                    let tag = image.rsplit_once(':').map_or("", |(_, t)| t);
                    !tag.contains('/') && tag.contains("nonroot")
                }) => {}
            StageUser::Unset => {
                let what = if built.image.eq_ignore_ascii_case("scratch") {
                    format!("the {which} (`FROM scratch`) sets no USER, so it runs as uid 0")
                } else {
                    format!("the {which} sets no USER, so the container runs as root")
                };
                out.report(ID, built.from.range.clone(), what);
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

/// The user of the last stage of `chain` (root ancestor first), following `FROM <earlier
/// stage>` for stages with no `USER`.
fn user_of(dockerfile: &Dockerfile, stages: &[Stage], chain: &[usize]) -> StageUser {
    let globals = dockerfile.global_args();

    // Walk from the root ancestor down, carrying ENV values and the last USER.
    let mut env: HashMap<String, Option<String>> = HashMap::new();
    let mut user = StageUser::Unset;
    for &i in chain {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, message) of each finding.
    fn check(text: &str, target: Option<&str>) -> Vec<(usize, String)> {
        let doc = Document::new("Dockerfile", FileKind::Dockerfile, text);
        let mut out = Findings::default();
        let rule = RootUser {
            target: target.map(str::to_string),
        };
        rule.check(&doc, &mut out);
        out.raw
            .iter()
            .map(|f| (doc.line_of(f.bytes.start), f.message.clone()))
            .collect()
    }

    const BUILD: &str = "FROM golang:1.22 AS build\nRUN go build\n\
                         FROM debian:12-slim AS runtime\nUSER 10001\n\
                         FROM runtime AS debug\nUSER root\n";

    #[test]
    fn target_stage_is_the_one_judged() {
        let last = check(BUILD, None);
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].0, 6);
        assert!(last[0].1.contains("last USER is `root`"), "{}", last[0].1);
        assert!(check(BUILD, Some("runtime")).is_empty());
        let build = check(BUILD, Some("build"));
        assert_eq!(build.len(), 1);
        assert_eq!(build[0].0, 1);
        assert!(
            build[0].1.contains("target stage `build` sets no USER"),
            "{}",
            build[0].1
        );
    }

    #[test]
    fn unknown_target_falls_back_to_the_last_stage() {
        assert_eq!(check(BUILD, Some("nope")).len(), 1);
        assert!(check("FROM a:1\nUSER app\n", Some("runtime")).is_empty());
    }

    #[test]
    fn no_user_and_root_user_read_differently() {
        let unset = check("FROM a:1\nRUN x\n", None);
        let root = check("FROM a:1\nUSER 0:0\n", None);
        assert_eq!(unset[0].0, 1);
        assert_eq!(root[0].0, 2);
        assert!(unset[0].1.contains("sets no USER"), "{}", unset[0].1);
        assert!(root[0].1.contains("last USER is `0:0`"), "{}", root[0].1);
    }
}
