//! `docker/curl-pipe-shell`: a `RUN` pipes a download straight into a shell.
//!
//! ## What it does
//! Flags `curl .. | sh`, `wget -O- .. | bash`, `curl .. | sudo -E bash -s --` and the like
//! in `RUN` commands, continuation lines joined, and in the bodies of `RUN <<EOF` heredocs
//! (reported on the heredoc line that has it). Downloading to a file, checking it and then
//! running it is not flagged, nor is a download piped into `tar`, `gpg` or `sha256sum`.
//!
//! ## Why is this bad?
//! The script runs as it arrives, unreviewed and unverified: a compromised or hijacked
//! server, or a truncated download, runs arbitrary code in the build as root.
//!
//! ## Known problems
//! `sh -c "$(curl ..)"` and `bash <(curl ..)` are not recognised.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "docker/curl-pipe-shell";

/// A `curl`/`wget` command (where a command starts), any further pipeline stages, then a
/// pipe into a shell
/// (optionally through `sudo` with its flags, optionally by path: `/bin/sh`).
static PIPE_TO_SHELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[;&|(`]|\b(?:then|do|else|sudo)\s)\s*(curl|wget)\s[^;&|\n]*(?:\|[^|;&\n]+)*?\|\s*(?:sudo(?:\s+-\S+)*\s+)?(?:\S*/)?(?:ba|z|da|k|a)?sh(?:\s|$|[;&|)"'`])"#,
    )
    .unwrap_or_else(|e| panic!("invalid built-in pattern: {e}"))
});

pub struct CurlPipeShell;

impl Checker for CurlPipeShell {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        kind == FileKind::Dockerfile
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        for inst in doc.dockerfile().instructions.iter() {
            if inst.keyword != "RUN" {
                continue;
            }
            if let Some(tool) = piped_tool(&inst.args) {
                out.report(ID, inst.range.clone(), message(tool));
            }
            for body in &inst.heredocs {
                let Some(text) = doc.text.get(body.clone()) else {
                    continue;
                };
                for (line, tool) in heredoc_hits(text) {
                    let range = doc.line_range(doc.line_of(body.start) + line);
                    out.report(ID, range, message(tool));
                }
            }
        }
    }
}

fn message(tool: &str) -> String {
    format!("`{tool}` output is piped straight into a shell")
}

/// The downloader (`curl` or `wget`) piped into a shell in `command`, if any.
fn piped_tool(command: &str) -> Option<&'static str> {
    let hit = PIPE_TO_SHELL.captures(command)?;
    match hit.get(1)?.as_str() {
        "curl" => Some("curl"),
        _ => Some("wget"),
    }
}

/// (0-based line within the body, downloader) of each shell line of a heredoc body that
/// pipes a download into a shell; `\` continuations are joined and reported on their
/// first line.
fn heredoc_hits(body: &str) -> Vec<(usize, &'static str)> {
    let mut hits = Vec::new();
    let mut joined = String::new();
    let mut first = 0;
    for (n, line) in body.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        if joined.is_empty() {
            first = n;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                joined.push_str(head);
                joined.push(' ');
            }
            None => {
                joined.push_str(line);
                if let Some(tool) = piped_tool(&joined) {
                    hits.push((first, tool));
                }
                joined.clear();
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_into_shells() {
        for cmd in [
            "curl -fsSL https://get.example.com | sh",
            "apt-get update && curl -sSL https://x.io/i.sh | bash -s -- --yes",
            "wget -O- https://x.io/i.sh | bash",
            "wget -qO - https://x.io/i.sh|sh",
            "curl https://x.io/i.sh | sudo -E bash",
            "curl https://x.io/i.sh | tee /tmp/log | /bin/sh",
            "set -e; curl -L https://x.io | zsh",
        ] {
            assert!(piped_tool(cmd).is_some(), "{cmd}");
        }
    }

    #[test]
    fn near_misses() {
        for cmd in [
            "curl -fsSLo /tmp/i.sh https://x.io/i.sh && sha256sum -c sums && sh /tmp/i.sh",
            "curl -fsSL https://x.io/a.tgz | tar xz",
            "curl -fsSL https://x.io/key | gpg --dearmor -o /k.gpg",
            "curl https://x.io/a | shasum -a 256",
            "echo curl | sh",
            "curl https://x.io/a || sh fallback.sh",
            "mycurl https://x | sh",
        ] {
            assert!(piped_tool(cmd).is_none(), "{cmd}");
        }
    }

    #[test]
    fn heredoc_lines() {
        let body = "set -eux\ncurl -fsSL \\\n  https://x.io/i.sh | sh\necho done";
        assert_eq!(heredoc_hits(body), [(1, "curl")]);
    }
}
