//! Parsers: each turns a document's text into a structure with positions, once, on the
//! first request of a rule (the result is cached in the document's `ParseCache`).

pub mod dockerfile;
pub mod nginx;
pub mod python;
pub mod rust;
pub mod treesitter;
pub mod yaml;

use crate::document::Document;

/// The deepest bracket nesting (`(`, `[`, `{`) the code parsers are given. Real code stays
/// far below it; past it, a recursive parser or the rules walking its tree could run out
/// of stack, so such a file is skipped by the code rules with a warning.
pub const MAX_NESTING: usize = 256;

/// The line where bracket nesting first goes deeper than `limit`, if it does. Brackets in
/// strings and comments count too: a rough, cheap measure, taken only before a parse.
pub fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut line = 1;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(line);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => line += 1,
            _ => {}
        }
    }
    None
}

/// Warns and returns true when `doc` nests too deep to be parsed safely.
pub(crate) fn refuse_deep_nesting(doc: &Document, language: &str) -> bool {
    match too_deep(doc.text, MAX_NESTING) {
        Some(line) => {
            doc.warn(
                line,
                format!(
                    "{language}: brackets nested deeper than {MAX_NESTING} levels; code rules skipped"
                ),
            );
            true
        }
        None => false,
    }
}

impl Document<'_> {
    /// The Dockerfile parse of this document, computed on first use. Parse errors are
    /// logged as warnings with their line; the instructions that parsed are kept.
    pub fn dockerfile(&self) -> &dockerfile::Dockerfile {
        self.cache.dockerfile.get_or_init(|| {
            let parsed = dockerfile::parse(self.text);
            for (line, message) in &parsed.errors {
                self.warn(*line, format!("Dockerfile: {message}"));
            }
            parsed
        })
    }

    /// The nginx configuration parse of this document, computed on first use. Syntax
    /// errors are logged as warnings with their line; what parsed is kept.
    pub fn nginx(&self) -> &nginx::NginxConf {
        self.cache.nginx.get_or_init(|| {
            let parsed = nginx::parse(self.text);
            for (line, message) in &parsed.errors {
                self.warn(*line, format!("nginx: {message}"));
            }
            parsed
        })
    }

    /// The YAML parse of this document, computed on first use. A syntax error is logged
    /// as a warning with its line; the documents before it are kept.
    pub fn yaml(&self) -> &yaml::YamlFile {
        self.cache.yaml.get_or_init(|| {
            let parsed = yaml::parse(self.text);
            if let Some((line, message)) = &parsed.error {
                self.warn(*line, format!("YAML: {message}"));
            }
            parsed
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FileKind;

    #[test]
    fn deep_nesting_is_found_with_its_line() {
        assert_eq!(too_deep("a(b[c{d}])\n", 3), None);
        assert_eq!(too_deep("x\n((((\n))))\n", 3), Some(2));
        // Closing more than opened does not wrap around.
        assert_eq!(too_deep("))))((", 3), None);
    }

    #[test]
    fn a_file_nested_past_the_limit_is_not_parsed_and_says_so() {
        let deep = format!(
            "fn q() {{ let y = {}1{}; }}\n",
            "(".repeat(5000),
            ")".repeat(5000)
        );
        let doc = Document::new("d.rs", FileKind::Rust, &deep);
        assert!(rust::file(&doc).is_none());
        let warnings = doc.take_warnings();
        assert!(
            warnings.iter().any(|w| w.contains("nested deeper than")),
            "{warnings:?}"
        );
        let py = format!("y = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
        let doc = Document::new("d.py", FileKind::Python, &py);
        assert!(python::tree(&doc).is_none());
    }
}
