//! The images a Dockerfile pulls: each `FROM` (and `COPY --from=<image>`) with its
//! variables expanded, shared by the image rules.

use std::collections::HashMap;
use std::ops::Range;

use crate::parse::dockerfile::{Dockerfile, Stage, UNKNOWN, assignments, expand};

/// An image reference and where it is written.
pub struct ImageRef<'a> {
    /// As written.
    pub written: &'a str,
    /// With `ARG` defaults expanded; [`UNKNOWN`] where a value is only known at build time.
    pub resolved: String,
    /// The instruction's bytes.
    pub range: Range<usize>,
}

impl ImageRef<'_> {
    /// The image as written, and what it resolves to when that differs.
    pub fn shown(&self) -> String {
        if self.written == self.resolved {
            format!("`{}`", self.written)
        } else {
            format!(
                "`{}` (`{}`)",
                self.written,
                self.resolved.replace(UNKNOWN, "…")
            )
        }
    }
}

/// Every image pulled by `FROM` or `COPY --from=`, earlier stage names left out.
///
/// Variables are expanded with the global `ARG`s (those before the first `FROM`); a
/// name only declared by an `ARG` inside an earlier stage uses that default too, as the
/// author evidently meant it, although Docker would expand it to nothing.
pub fn pulled_images(dockerfile: &Dockerfile) -> Vec<ImageRef<'_>> {
    let mut vars: HashMap<String, Option<String>> = dockerfile.global_args();
    let mut stage_names: Vec<String> = Vec::new();
    let mut images = Vec::new();

    for stage in dockerfile.stages() {
        let resolved = expand(stage.image, &vars, UNKNOWN);
        if !stage_names.contains(&resolved.to_ascii_lowercase()) {
            images.push(ImageRef {
                written: stage.image,
                resolved,
                range: stage.from.range.clone(),
            });
        }
        stage_names.extend(stage.name.clone());

        for inst in stage.body {
            match inst.keyword.as_str() {
                "ARG" => {
                    for (name, value) in assignments(inst) {
                        if let Some(v) = value {
                            let v = expand(&v, &vars, UNKNOWN);
                            vars.entry(name).or_insert(Some(v));
                        }
                    }
                }
                "COPY" => {
                    let (flags, _) = inst.split_flags();
                    let Some(from) = flags.iter().find_map(|f| f.strip_prefix("--from=")) else {
                        continue;
                    };
                    let resolved = expand(from, &vars, UNKNOWN);
                    let lower = resolved.to_ascii_lowercase();
                    // `--from=0` names a stage by index, `--from=build` by name.
                    let is_stage =
                        stage_names.contains(&lower) || lower.bytes().all(|b| b.is_ascii_digit());
                    if !is_stage {
                        images.push(ImageRef {
                            written: from,
                            resolved,
                            range: inst.range.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    images
}

/// The stage that is built: the one named `target` (`[docker] target`, as
/// `docker build --target` would) when the Dockerfile has it, else the last one.
pub fn built_stage(stages: &[Stage], target: Option<&str>) -> Option<usize> {
    target
        .and_then(|t| stages.iter().position(|s| s.name.as_deref() == Some(t)))
        .or_else(|| stages.len().checked_sub(1))
}

/// The stages that make up the built image: the built stage (see [`built_stage`]) and the
/// earlier stages it is built `FROM`, root ancestor first.
pub fn built_chain(stages: &[Stage], target: Option<&str>) -> Vec<usize> {
    let Some(built) = built_stage(stages, target) else {
        return Vec::new();
    };
    let mut chain = vec![built];
    // Stage names only refer to earlier stages, so the chain ends; the cap is for safety.
    while let Some(parent) = chain.last().and_then(|&i| parent_stage(stages, i)) {
        if chain.len() > stages.len() {
            break;
        }
        chain.push(parent);
    }
    chain.reverse();
    chain
}

/// The earlier stage that stage `index` is built `FROM`, if any.
fn parent_stage(stages: &[Stage], index: usize) -> Option<usize> {
    let image = stages.get(index)?.image.to_ascii_lowercase();
    stages
        .get(..index)?
        .iter()
        .rposition(|s| s.name.as_deref() == Some(image.as_str()))
}
