//! `code/environment-logged`: the whole process environment written to a log or to the
//! console (`print(os.environ)`, `logger.info(dict(os.environ))`,
//! `console.log(process.env)`, `log.Println(os.Environ())`). The environment holds the
//! deployment's secrets: database passwords, API keys, signing keys.
//!
//! A line search for a logging or printing call together with the whole environment:
//! one variable (`os.environ["HOME"]`, `process.env.PORT`) is not reported.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::treesitter;
use crate::rules::{Checker, Findings};

use super::syntax::Words;

const ID: &str = "code/environment-logged";

pub struct EnvironmentLogged;

impl Checker for EnvironmentLogged {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        matches!(
            kind,
            FileKind::Python
                | FileKind::JavaScript
                | FileKind::TypeScript
                | FileKind::Go
                | FileKind::Java
                | FileKind::Rust
        )
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        static ENV_WORDS: LazyLock<Words> = LazyLock::new(|| {
            Words::new(&[
                "os.environ",
                "process.env",
                "os.Environ",
                "getenv()",
                "env::vars",
            ])
        });
        // Minified bundles mention `process.env` next to any call on their one line.
        if !ENV_WORDS.in_text(doc.text) || treesitter::is_generated(doc) {
            return;
        }
        let (Some(sink), Some(whole)) = (LOG_CALL.as_ref(), WHOLE_ENV.as_ref()) else {
            return;
        };
        for line in 1..=doc.line_count() {
            let text = doc.line_text(line);
            let trimmed = text.trim_start();
            if trimmed.starts_with(['#', '/']) {
                continue;
            }
            let Some(call) = sink.find(text) else {
                continue;
            };
            // The environment must be an argument: after the call's opening.
            if let Some(env) = whole.find_at(text, call.end()) {
                out.report(
                    ID,
                    doc.line_range(line),
                    format!(
                        "`{}` writes the whole environment, secrets included, to the output",
                        env.as_str().trim_end_matches([')', ',', '}', ' '])
                    ),
                );
            }
        }
    }
}

/// A print or log call: `print(`, `console.log(`, `logger.info(`, `log.Println(`,
/// `fmt.Printf(`, `System.out.println(`, `println!(`, `pprint(`.
static LOG_CALL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:p?print|console\.\w+|(?:log|logger|logging|LOG|LOGGER|_log|_logger|self\.log(?:ger)?)\.\w+|fmt\.(?:F|S)?[Pp]rint\w*|System\.(?:out|err)\.print\w*|(?:e?print|e?println|dbg|info|debug|warn|error|trace)!)\s*\(",
    )
    .ok()
});

/// The whole environment, not one variable of it.
static WHOLE_ENV: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"os\.environ(?:\s*[),}]|\.items\(\)|\.copy\(\))|process\.env\s*[),}]|os\.Environ\(\)|System\.getenv\(\)\s*[),]|env::vars\(\)",
    )
    .ok()
});

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(path: &str, kind: FileKind, src: &str) -> Vec<usize> {
        let doc = Document::new(path, kind, src);
        let mut out = Findings::default();
        EnvironmentLogged.check(&doc, &mut out);
        out.raw.iter().map(|f| doc.line_of(f.bytes.start)).collect()
    }

    #[test]
    fn whole_environment_not_one_variable() {
        let src = "print(os.environ)\nlogger.info(\"env %s\", dict(os.environ))\nprint(os.environ[\"HOME\"])\nlog.info(os.environ.get(\"X\"))\n# print(os.environ)\n";
        assert_eq!(lines("a.py", FileKind::Python, src), [1, 2]);
        let js = "console.log(process.env);\nconsole.log(process.env.PORT);\n";
        assert_eq!(lines("a.js", FileKind::JavaScript, js), [1]);
    }
}
