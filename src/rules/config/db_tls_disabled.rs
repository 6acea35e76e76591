//! `config/db-tls-disabled`: a database connection that does not insist on TLS:
//! - PostgreSQL `sslmode=disable`, `allow` or `prefer` in a DSN, a JDBC URL, settings or
//!   environment files (`prefer` and `allow` fall back to plain text without a word);
//! - MySQL `ssl-mode`/`sslMode`/`ssl_mode` `DISABLED` or `PREFERRED`, JDBC `useSSL=false`,
//!   mysql-connector's `ssl_disabled=True`;
//! - a driver option `ssl: false` / `"ssl": false` / `ssl=False` where the text around it
//!   configures a database connection (node-postgres, mysql2, knex, Sequelize, TypeORM,
//!   asyncpg, SQLAlchemy `connect_args`, YAML or JSON settings under a database key).
//!
//! A text search, not a parse: the setting looks the same in every language and format
//! it appears in (`?sslmode=disable`, `sslmode: disable`, `"sslmode": "prefer"`,
//! `{ ssl: false }`). `ssl: false` alone says nothing about what is connected to (a mail
//! server, a cache, a dev server), so it counts only near the words of a database
//! connection.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::Document;
use crate::kind::{ConfigFormat, FileKind};
use crate::rules::code::syntax::Words;
use crate::rules::{Checker, Findings};

const ID: &str = "config/db-tls-disabled";

/// Words of a database connection's configuration (lower case).
const DATABASE_WORDS: [&str; 17] = [
    "database",
    "connectionstring",
    "dialect",
    "dbname",
    "db_name",
    "postgres",
    "mysql",
    "mariadb",
    "datasource",
    "asyncpg",
    "connect_args",
    "psycopg",
    "pg.pool",
    "new pool(",
    "createpool(",
    "sequelize",
    "typeorm",
];

/// Words of other TLS clients, whose `ssl: false` is not this rule's (lower case).
const OTHER_SERVICES: [&str; 6] = ["smtp", "mail", "imap", "ldap", "redis", "amqp"];

pub struct DbTlsDisabled;

impl Checker for DbTlsDisabled {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, _kind: FileKind) -> bool {
        true
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        // Documentation names the settings to explain them; it configures no connection.
        if crate::suppress::is_documentation(doc.path) {
            return;
        }
        static SSL: LazyLock<Words> = LazyLock::new(|| Words::new(&["ssl", "SSL", "Ssl"]));
        if !SSL.in_text(doc.text) {
            return;
        }
        let lower = doc.text.to_ascii_lowercase();
        let yaml = doc.kind == FileKind::Config(ConfigFormat::Yaml);
        for (range, message) in tls_off_settings(doc.text, &lower, yaml) {
            out.report(ID, range, message);
        }
    }
}

/// Every setting of `text` that lets a database connection run without TLS, with its
/// message. `lower` is `text` in ASCII lower case (same byte offsets).
fn tls_off_settings(
    text: &str,
    lower: &str,
    indented: bool,
) -> Vec<(std::ops::Range<usize>, String)> {
    static MODE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"(?i)(?:\b|_|\bpg)ssl[-_]?mode["']?\s*[=:]\s*["']?(disabled?|allow|prefer(?:red)?)\b"#)
            .ok()
    });
    static FLAG: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"\b(useSSL|ssl_disabled)["']?\s*[=:]\s*["']?(false|true|False|True)\b"#).ok()
    });
    static SSL_OFF: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"(?:^|[^\w.-])["']?ssl["']?\s*[:=]\s*(?:false|False|FALSE)\b"#).ok()
    });
    let mut found = Vec::new();
    if let Some(re) = MODE.as_ref() {
        for caps in re.captures_iter(text) {
            let Some(all) = caps.get(0) else {
                continue;
            };
            let setting: String = all
                .as_str()
                .chars()
                .filter(|c| !matches!(c, '"' | '\'' | ' ' | '\t'))
                .collect();
            found.push((
                all.range(),
                format!(
                    "`{}` lets the database connection run without TLS: require it (`sslmode=require` or `verify-full`; MySQL `ssl-mode=VERIFY_IDENTITY`)",
                    setting
                ),
            ));
        }
    }
    if let Some(re) = FLAG.as_ref() {
        for caps in re.captures_iter(text) {
            let (Some(all), Some(name), Some(value)) = (caps.get(0), caps.get(1), caps.get(2))
            else {
                continue;
            };
            let off = if name.as_str().eq_ignore_ascii_case("ssl_disabled") {
                value.as_str().eq_ignore_ascii_case("true")
            } else {
                value.as_str().eq_ignore_ascii_case("false")
            };
            if off {
                found.push((
                    all.range(),
                    format!(
                        "`{}` turns TLS off for the database connection: require it (`sslMode=VERIFY_IDENTITY`)",
                        all.as_str()
                    ),
                ));
            }
        }
    }
    if let Some(re) = SSL_OFF.as_ref() {
        for m in re.find_iter(text) {
            let start = m.start() + m.as_str().find(['s', '"', '\'']).unwrap_or(0);
            if configures_database(lower, start, indented) {
                found.push((
                    start..m.end(),
                    format!(
                        "`{}` turns TLS off for this database connection: enable it and verify the server's certificate",
                        &text[start..m.end()]
                    ),
                ));
            }
        }
    }
    found.sort_by_key(|(range, _)| range.start);
    found
}

/// Whether what encloses byte `at` of `lower` configures a database connection: a
/// database word in it, and no word of another TLS client. What encloses it is, in YAML,
/// the keys above it and its sibling keys; elsewhere the object or call it is written in
/// (from the line that opens it to its end).
fn configures_database(lower: &str, at: usize, indented: bool) -> bool {
    let window = if indented {
        yaml_block(lower, at)
    } else {
        bracket_block(lower, at)
    };
    DATABASE_WORDS.iter().any(|w| window.contains(w))
        && !OTHER_SERVICES.iter().any(|w| window.contains(w))
}

/// How far the enclosing object is looked for: a connection's options are short.
const MAX_BLOCK: usize = 4096;

/// The innermost `{..}`, `(..)` or `[..]` around `at`, from the start of the line that
/// opens it (which names the call: `new Pool({`, `asyncpg.connect(`) to its end. Brackets
/// in strings are counted too: a rough cut is enough to name what is configured.
fn bracket_block(lower: &str, at: usize) -> String {
    let bytes = lower.as_bytes();
    let floor = at.saturating_sub(MAX_BLOCK);
    let mut depth = 0usize;
    let mut open = None;
    for i in (floor..at).rev() {
        match bytes[i] {
            b'}' | b')' | b']' => depth += 1,
            b'{' | b'(' | b'[' if depth == 0 => {
                open = Some(i);
                break;
            }
            b'{' | b'(' | b'[' => depth -= 1,
            _ => {}
        }
    }
    let line_start = |i: usize| lower[..i].rfind('\n').map_or(0, |n| n + 1);
    let Some(open) = open else {
        let end = lower[at..].find('\n').map_or(lower.len(), |n| at + n);
        return lower[line_start(at)..end].to_string();
    };
    let ceiling = (at + MAX_BLOCK).min(bytes.len());
    let mut depth = 0usize;
    let mut close = ceiling;
    for (i, b) in bytes.iter().enumerate().take(ceiling).skip(at) {
        match b {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' if depth == 0 => {
                close = i;
                break;
            }
            b'}' | b')' | b']' => depth -= 1,
            _ => {}
        }
    }
    lower
        .get(line_start(open)..close)
        .unwrap_or_default()
        .to_string()
}

/// The YAML keys above the line of `at` (each less indented than the last) and the lines
/// of its own block (as indented as it, up to a less indented line).
fn yaml_block(lower: &str, at: usize) -> String {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let lines: Vec<&str> = lower.lines().collect();
    let line_no = lower[..at].matches('\n').count();
    let Some(own) = lines.get(line_no) else {
        return String::new();
    };
    let own_indent = indent(own);
    let mut out = String::new();
    let mut limit = own_indent;
    for line in lines[..line_no].iter().rev() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let i = indent(line);
        if i < limit {
            out.push_str(line);
            out.push('\n');
            limit = i;
        } else if i == own_indent && limit == own_indent {
            out.push_str(line);
            out.push('\n');
        }
        if limit == 0 {
            break;
        }
    }
    for line in &lines[line_no..] {
        if !line.trim().is_empty() && indent(line) < own_indent {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        tls_off_settings(text, &text.to_ascii_lowercase(), false)
            .into_iter()
            .map(|(r, _)| text[r].to_string())
            .collect()
    }

    #[test]
    fn modes_and_flags_that_allow_plain_text() {
        assert_eq!(
            found("postgres://db/app?sslmode=disable&x=1\nSSLMODE: \"prefer\"\n"),
            ["sslmode=disable", "SSLMODE: \"prefer"]
        );
        assert_eq!(
            found("jdbc:mysql://db/app?useSSL=false&sslMode=DISABLED\nssl-mode=PREFERRED\n"),
            ["useSSL=false", "sslMode=DISABLED", "ssl-mode=PREFERRED"]
        );
        assert_eq!(
            found("mysql.connector.connect(ssl_disabled=True)\n"),
            ["ssl_disabled=True"]
        );
        // libpq's environment variable, and a prefixed setting name.
        assert_eq!(
            found("PGSSLMODE=disable\nDB_SSLMODE=prefer\n"),
            ["PGSSLMODE=disable", "_SSLMODE=prefer"]
        );
        for safe in [
            "sslmode=require\nsslmode=verify-full\n",
            "sslMode=VERIFY_IDENTITY\nuseSSL=true\nssl_disabled=False\n",
            "sslmode=disabler\n",
        ] {
            assert!(found(safe).is_empty(), "{safe}");
        }
    }

    #[test]
    fn ssl_false_only_where_a_database_is_configured() {
        let pool =
            "const pool = new Pool({\n  host: 'db',\n  database: 'app',\n  ssl: false,\n});\n";
        assert_eq!(found(pool), ["ssl: false"]);
        let json = "{\"database\": {\"host\": \"db\", \"ssl\": false}}\n";
        assert_eq!(found(json), ["\"ssl\": false"]);
        let py = "conn = await asyncpg.connect(dsn, ssl=False)\n";
        assert_eq!(found(py), ["ssl=False"]);
        for other in [
            "const transport = nodemailer.createTransport({\n  host: 'smtp.example.com',\n  ssl: false,\n});\n",
            "devServer: { port: 3000, ssl: false }\nconst database = open();\n",
            "database: app\nssl: true\n",
            "cache = redis.Redis(host='cache', ssl=False)  # database 0\n",
            "options.ssl = false // database\n",
            "use_ssl: false\n",
        ] {
            assert!(found(other).is_empty(), "{other}: {:?}", found(other));
        }
    }

    #[test]
    fn yaml_ssl_false_judged_by_its_keys() {
        let yaml = |text: &str| -> Vec<String> {
            tls_off_settings(text, &text.to_ascii_lowercase(), true)
                .into_iter()
                .map(|(r, _)| text[r].to_string())
                .collect()
        };
        let db = "production:\n  database:\n    host: db\n    ssl: false\n  dev_server:\n    ssl: false\n";
        assert_eq!(yaml(db), ["ssl: false"]);
        let sibling = "postgres:\n  host: db\n  # plain text inside the VPC\n  ssl: false\n";
        assert_eq!(yaml(sibling), ["ssl: false"]);
        let unrelated = "web:\n  ssl: false\ndatabase:\n  ssl: true\n";
        assert!(yaml(unrelated).is_empty());
    }
}
