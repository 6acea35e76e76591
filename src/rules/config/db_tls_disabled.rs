//! `config/db-tls-disabled`: a PostgreSQL connection that does not insist on TLS:
//! `sslmode=disable`, `allow` or `prefer` in a DSN, a JDBC URL, settings or environment
//! files (`prefer` and `allow` fall back to plain text without a word).
//!
//! A text search, not a parse: the setting looks the same in every language and format
//! it appears in (`?sslmode=disable`, `sslmode: disable`, `"sslmode": "prefer"`).

use std::sync::LazyLock;

use regex::Regex;

use crate::document::Document;
use crate::kind::FileKind;
use crate::rules::{Checker, Findings};

const ID: &str = "config/db-tls-disabled";

pub struct DbTlsDisabled;

impl Checker for DbTlsDisabled {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, _kind: FileKind) -> bool {
        true
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        static SSLMODE: LazyLock<Option<Regex>> = LazyLock::new(|| {
            Regex::new(r#"(?i)\bsslmode["']?\s*[=:]\s*["']?(disable|allow|prefer)\b"#).ok()
        });
        // Documentation names the setting to explain it; it configures no connection.
        if (!doc.text.contains("sslmode") && !doc.text.contains("SSLMODE"))
            || crate::suppress::is_documentation(doc.path)
        {
            return;
        }
        let Some(re) = SSLMODE.as_ref() else {
            return;
        };
        for caps in re.captures_iter(doc.text) {
            let (Some(all), Some(mode)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            out.report(
                ID,
                all.range(),
                format!(
                    "`sslmode={}` lets the database connection run without TLS: use `require` or `verify-full`",
                    mode.as_str()
                ),
            );
        }
    }
}
