//! `docker/unpinned-image`: a `FROM` image with no tag or with `latest`.
//!
//! ## What it does
//! Expands `ARG` defaults (global `ARG`s before the first `FROM`, `${X:-default}`) in each
//! `FROM`, then flags images without a tag or tagged `latest`. Stage names, `scratch` and
//! digests are fine; an image whose tag is only known at build time is not judged.
//!
//! ## Known problems
//! An `ARG` declared after the first `FROM` is not in scope for a later `FROM` in Docker;
//! its default is still used here, as the author evidently meant it.
//! TODO: `COPY --from=<image>`, and a low "unverifiable" note for unresolved images.

use super::image::{Pin, pin_of};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::dockerfile::{UNKNOWN, assignments, expand};
use crate::rules::{Checker, Findings};

const ID: &str = "docker/unpinned-image";

pub struct UnpinnedImage;

impl Checker for UnpinnedImage {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Dockerfile
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        let dockerfile = doc.dockerfile();
        let globals = dockerfile.global_args();
        let mut fallback = globals.clone();
        let mut earlier_stages: Vec<String> = Vec::new();

        for stage in dockerfile.stages() {
            let image = expand(stage.image, &fallback, UNKNOWN);
            let is_stage = earlier_stages.contains(&image.to_ascii_lowercase());
            if !is_stage {
                let shown = shown(stage.image, &image);
                let message = match pin_of(&image) {
                    Pin::Untagged => {
                        Some(format!("image {shown} has no tag, so it pulls `latest`"))
                    }
                    Pin::Latest => Some(format!("image {shown} uses the moving `latest` tag")),
                    Pin::Pinned | Pin::Unresolved | Pin::NotAnImage => None,
                };
                if let Some(message) = message {
                    out.report(ID, stage.from.range.clone(), message);
                }
            }
            earlier_stages.extend(stage.name.clone());
            // Stage-level ARG defaults, used only where no global ARG has the name.
            for inst in stage.body.iter().filter(|i| i.keyword == "ARG") {
                for (name, value) in assignments(inst) {
                    if let Some(v) = value {
                        let v = expand(&v, &fallback, UNKNOWN);
                        fallback.entry(name).or_insert(Some(v));
                    }
                }
            }
        }
    }
}

/// The image as written, and what it resolves to when that differs.
fn shown(written: &str, resolved: &str) -> String {
    if written == resolved {
        format!("`{written}`")
    } else {
        format!("`{written}` (`{}`)", resolved.replace(UNKNOWN, "…"))
    }
}
