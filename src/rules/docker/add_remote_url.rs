//! `docker/add-remote-url`: `ADD` fetches a file from an http(s) URL.
//!
//! ## What it does
//! Flags `ADD` instructions with an `http://` or `https://` source, in the shell and the
//! JSON form. `ADD --checksum=sha256:..` verifies what it downloads and is not flagged;
//! git sources and local files are not remote downloads of this kind.
//!
//! ## Why is this bad?
//! The download is not verified: whatever the server (or anyone on the path, for http)
//! returns that day goes into the image, and the build is not reproducible.

use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "docker/add-remote-url";

pub struct AddRemoteUrl;

impl Checker for AddRemoteUrl {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Dockerfile
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for inst in doc.dockerfile().instructions.iter() {
            if inst.keyword != "ADD" {
                continue;
            }
            let (flags, rest) = inst.split_flags();
            if flags.iter().any(|f| f.starts_with("--checksum=")) {
                continue;
            }
            let Some(url) = sources(rest).into_iter().find(|s| is_remote(s)) else {
                continue;
            };
            out.report(
                ID,
                inst.range.clone(),
                format!("ADD downloads `{url}` without verifying it"),
            );
        }
    }
}

/// The sources of an `ADD` (every argument but the last, the destination), in the shell
/// form (`ADD a b /dst/`) or the JSON form (`ADD ["a", "/dst/"]`).
fn sources(args: &str) -> Vec<String> {
    let args = args.trim();
    let words: Vec<String> = match args.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
        Some(list) => list
            .split(',')
            .map(|w| w.trim().trim_matches('"').to_string())
            .collect(),
        None => args.split_whitespace().map(str::to_string).collect(),
    };
    let keep = words.len().saturating_sub(1);
    words.into_iter().take(keep).collect()
}

fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    let remote = lower.starts_with("http://") || lower.starts_with("https://");
    // A git repository over https (`ADD https://github.com/o/r.git#v1 /src`) is cloned at
    // a ref, not downloaded as an unverified file.
    let git = lower
        .split(['#', '?'])
        .next()
        .unwrap_or("")
        .ends_with(".git");
    remote && !git
}
