//! Judging image references (`FROM`, compose and Kubernetes `image:`) and user names:
//! shared by the `docker/` and `compose/` rules.

use crate::parse::dockerfile::UNKNOWN;

/// How an image reference is pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    /// An explicit tag other than `latest`, or a digest.
    Pinned,
    /// No tag: the registry serves `latest`.
    Untagged,
    /// The `latest` tag.
    Latest,
    /// The tag depends on a value only known at build or deploy time.
    Unresolved,
    /// Not an image pull: `scratch`, or nothing at all.
    NotAnImage,
}

/// Judges `image` after variable expansion; [`UNKNOWN`] marks values only known later.
pub fn pin_of(image: &str) -> Pin {
    let image = image.trim();
    if image.is_empty() || image.eq_ignore_ascii_case("scratch") {
        return Pin::NotAnImage;
    }
    // A digest pins whatever the tag says (`name:latest@sha256:..` included).
    if image.contains('@') {
        return Pin::Pinned;
    }
    // A registry port (`host:5000/name`) is not a tag: only the last path part counts.
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) if tag.contains(UNKNOWN) => Pin::Unresolved,
        Some((_, "latest")) => Pin::Latest,
        Some((_, "")) => Pin::Untagged,
        Some(_) => Pin::Pinned,
        None if last.contains(UNKNOWN) => Pin::Unresolved,
        None => Pin::Untagged,
    }
}

/// True when a `USER` / `user:` value names root: `root`, uid `0`, with any group.
/// Values still holding [`UNKNOWN`] are not judged root.
pub fn is_root_user(user: &str) -> bool {
    let user = user.split_whitespace().next().unwrap_or("");
    let name = user.split(':').next().unwrap_or("");
    if name.contains(UNKNOWN) {
        return false;
    }
    name == "root" || (!name.is_empty() && name.bytes().all(|b| b == b'0'))
}

/// Compose-style interpolation: `${VAR:-default}` and `${VAR-default}` give the default,
/// other variables (`$VAR`, `${VAR}`, `${VAR:?err}`) are only known at deploy time and
/// become [`UNKNOWN`]; `$$` is a literal `$`.
pub fn interpolate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(close) = body.find('}') else {
                out.push_str(&rest[at..]);
                return out;
            };
            // The operator follows the name directly: `${NAME:-word}`; the `:?` and `+`
            // forms depend on the deploy-time value.
            let inner = &body[..close];
            let name_len = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let op = &inner[name_len..];
            match op.strip_prefix(":-").or_else(|| op.strip_prefix('-')) {
                Some(word) => out.push_str(word),
                None => out.push_str(UNKNOWN),
            }
            rest = &body[close + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
            } else {
                out.push_str(UNKNOWN);
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        assert_eq!(pin_of("python:3.12-slim"), Pin::Pinned);
        assert_eq!(pin_of("python"), Pin::Untagged);
        assert_eq!(pin_of("python:latest"), Pin::Latest);
        assert_eq!(pin_of("registry:5000/team/app"), Pin::Untagged);
        assert_eq!(pin_of("registry:5000/team/app:1.2"), Pin::Pinned);
        assert_eq!(pin_of("app:latest@sha256:abcd"), Pin::Pinned);
        assert_eq!(pin_of("scratch"), Pin::NotAnImage);
        assert_eq!(pin_of("\u{0}/ubuntu"), Pin::Untagged);
        assert_eq!(pin_of("ubuntu:\u{0}"), Pin::Unresolved);
        assert_eq!(pin_of("\u{0}"), Pin::Unresolved);
    }

    #[test]
    fn root_users() {
        for root in ["root", "0", "0:0", "root:app", "00", "0 ignored"] {
            assert!(is_root_user(root), "{root}");
        }
        for user in ["rootless", "10001", "app:0", "", "\u{0}", "1000:root"] {
            assert!(!is_root_user(user), "{user}");
        }
    }

    #[test]
    fn compose_interpolation() {
        assert_eq!(interpolate("pg:${TAG:-16}"), "pg:16");
        assert_eq!(interpolate("pg:${TAG-16}"), "pg:16");
        assert_eq!(interpolate("pg:${TAG}"), "pg:\u{0}");
        assert_eq!(interpolate("$REG/app"), "\u{0}/app");
        assert_eq!(interpolate("a$$b"), "a$b");
        assert_eq!(interpolate("pg:${TAG:?tag-required}"), "pg:\u{0}");
        assert_eq!(interpolate("pg:${TAG:-16-alpine}"), "pg:16-alpine");
    }
}
