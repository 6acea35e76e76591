//! Values that look like credentials but are not: vendor documentation keys, placeholders,
//! references to the environment or a template, hashes, identifiers and paths. Shared by
//! the provider rules (the documentation and placeholder checks) and the generic
//! assignment rule (all of them).

/// Access keys the providers print in their own documentation; never real.
const DOCUMENTED_KEYS: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE",
];

/// Words that mark a value as a stand-in for the real thing. Each is long enough, or
/// holds a character random tokens never do, that finding it anywhere in a value is
/// enough: `examplePassword1`, `<token>`, `your_api_key`. The shorter words are in
/// [`SHORT_PLACEHOLDER_WORDS`].
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "redacted",
    "your_",
    "your-",
    "yourpassword",
    "yourtoken",
    "yoursecret",
    "yourkey",
    "insert",
    "replace",
    "sample",
    "****",
    "....",
    "<",
    "notreal",
    "not-a-real",
    "not_a_real",
    "secretvalue",
    "secret_value",
    "my_secret",
    "mysecret",
    "mypassword",
    "my-secret",
];

/// Placeholder words short enough to occur by chance in a random token (`fake` is in one
/// GitHub token of 10,000, as `…iTfAkeJx…`): they count only as a word of the value
/// (`fake-token`, `FAKE_KEY`, `fakeToken`, `todo1`, [`value_words`]), or anywhere in a
/// value written in one case of letters alone (`myfaketoken`), which a random token of
/// any length is not.
const SHORT_PLACEHOLDER_WORDS: &[&str] = &["fake", "dummy", "todo", "fixme", "xxxx"];

/// True when `value` reads as a stand-in: a placeholder word in it (see
/// [`PLACEHOLDER_WORDS`] and [`SHORT_PLACEHOLDER_WORDS`]) or mostly filler
/// (`ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`, `sk_live_51Hxxxxxxxx`, `xxxx-xxxx`).
fn has_placeholder_word(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    if is_filler(value) {
        return true;
    }
    let one_case_letters = !value.bytes().any(|b| b.is_ascii_digit())
        && (!value.bytes().any(|b| b.is_ascii_uppercase())
            || !value.bytes().any(|b| b.is_ascii_lowercase()));
    if one_case_letters && SHORT_PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    value_words(value)
        .iter()
        .any(|w| SHORT_PLACEHOLDER_WORDS.contains(&w.as_str()))
}

/// Filler standing for the value: a part between separators made of `x` alone (`xxxx`,
/// `XXXX-XXXX`), or a run of six `x` or more (`AKIAXXXXXXXXXXXXXXXX`). Random base62
/// holds `xxXx` now and then, six in a row about once in 10^9 places.
fn is_filler(value: &str) -> bool {
    let is_x = |c: char| c == 'x' || c == 'X';
    let part = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|p| p.len() >= 4 && p.chars().all(is_x));
    let mut run = 0;
    let mut longest = 0;
    for c in value.chars() {
        run = if is_x(c) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    part || longest >= 6
}

/// The words of a value, lowercase, as a person writes them: split at every character
/// that is not a letter or digit, between letters and digits, and where the case turns
/// (`fakeToken`, `FAKEToken` and `fake_token1` give `fake`, `token`, ...).
fn value_words(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p))
            && !cur.is_empty()
        {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = (prev.is_ascii_lowercase() && c.is_ascii_uppercase())
                || (prev.is_ascii_digit() != c.is_ascii_digit())
                || (prev.is_ascii_uppercase() && c.is_ascii_uppercase() && next_lower);
            if boundary {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whole values that are not secrets.
const PLACEHOLDER_VALUES: &[&str] = &[
    "",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "undefined",
    "test",
    "testing",
    "password",
    "passwd",
    "secret",
    "token",
    "string",
    "str",
    "pass",
    "empty",
    "required",
    "optional",
    "hidden",
    "masked",
    "default",
    "unset",
    "n/a",
    "na",
    "tbd",
    "abc",
    "abc123",
    "123",
    "1234",
    "12345",
    "123456",
    "foo",
    "bar",
    "foobar",
    "baz",
    "value",
    "key",
    "apikey",
    "api_key",
    "your_api_key",
    "secret_key",
    // Booleans, modes and type names: `password_lock: yes`, `update_password: always`,
    // `pass_through: bool`.
    "yes",
    "no",
    "on",
    "off",
    "always",
    "never",
    "on_create",
    "auto",
    "enabled",
    "disabled",
    "bool",
    "boolean",
    "int",
    "integer",
    "float",
    "number",
    "object",
    "any",
];

/// True for the vendor documentation keys and for values that are plainly placeholders.
/// Used by every rule.
pub fn is_documented_or_placeholder(secret: &[u8]) -> bool {
    let text = String::from_utf8_lossy(secret);
    if DOCUMENTED_KEYS.iter().any(|k| text.contains(k)) {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    if PLACEHOLDER_VALUES.contains(&lower.as_str()) {
        return true;
    }
    if has_placeholder_word(&text) {
        return true;
    }
    // Stand-in words joined: `foo:bar@baz`'s password `bar@baz`, `test-secret`.
    let words = value_words(&text);
    if words.len() >= 2
        && words.iter().all(|w| {
            w.bytes().all(|b| b.is_ascii_alphabetic()) && PLACEHOLDER_VALUES.contains(&w.as_str())
        })
    {
        return true;
    }
    // One character repeated (`aaaaaaaa`, `00000000`) or a run like `abcdefgh`, `12345678`.
    let bytes = lower.as_bytes();
    let repeated = bytes.windows(2).all(|w| w[0] == w[1]);
    let sequence = bytes.len() > 3 && bytes.windows(2).all(|w| w[1] == w[0].wrapping_add(1));
    repeated || sequence || is_reference(&text)
}

/// True for a value that stands in for one still to be filled in: vendor documentation
/// keys, placeholder words (`changeme`, `<your-token>`, `your_api_key`, `xxxx`), words that
/// say there is no value (`none`, `null`, `unset`) and references (`${DB_PASSWORD}`).
/// Narrower than [`is_documented_or_placeholder`]: booleans, numbers and short or common
/// words (`true`, `3000`, `abc`, `password`) are not secrets, but they are values.
pub fn is_stand_in(value: &str) -> bool {
    const ABSENT: &[&str] = &[
        "none",
        "null",
        "nil",
        "undefined",
        "unset",
        "empty",
        "n/a",
        "na",
        "tbd",
        "-",
    ];
    let text = value.trim();
    let lower = text.to_ascii_lowercase();
    DOCUMENTED_KEYS.iter().any(|k| text.contains(k))
        || has_placeholder_word(text)
        || ABSENT.contains(&lower.as_str())
        || is_reference(text)
}

/// True when the value points somewhere else instead of holding the secret: a shell or
/// compose variable, a template expression, an environment lookup.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    const STARTS: &[&str] = &[
        "$", "\\$", "%(", "{{", "{%", "<%", "#{", "@{", "%{", "{$", "%env(",
    ];
    const CONTAINS: &[&str] = &[
        "${",
        "{{",
        "os.environ",
        "os.getenv",
        "getenv(",
        "process.env",
        "env(",
        "env[",
        "environ[",
        "environ.get",
        "import.meta.env",
        "secrets.",
        "vault:",
        "settings.",
        "config.get",
        "config[",
        "valuefrom",
        "secretkeyref",
    ];
    let lower = v.to_ascii_lowercase();
    STARTS.iter().any(|s| v.starts_with(s))
        || CONTAINS.iter().any(|s| lower.contains(s))
        || (v.starts_with('%') && v.ends_with('%') && v.len() > 2)
        || is_at_variable(v)
}

/// A template variable filled in by a test harness or autoconf: `@PASSWORD`,
/// `@VMWARE_PASSWORD`, `@DB_PASS@`.
fn is_at_variable(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('@') else {
        return false;
    };
    let rest = rest.strip_suffix('@').unwrap_or(rest);
    rest.len() >= 3
        && rest.bytes().any(|b| b.is_ascii_uppercase())
        && rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// True for values with a shape that identifies rather than authenticates: UUIDs, git
/// object ids, integrity hashes, numbers, file paths, URLs without credentials, prose.
pub fn is_non_secret_shape(value: &str) -> bool {
    let v = value.trim();
    is_uuid(v)
        || is_sops_encrypted(v)
        || is_dotenvx_encrypted(v)
        || is_hex_digest(v)
        || v.starts_with("sha1-")
        || v.starts_with("sha256-")
        || v.starts_with("sha512-")
        || v.starts_with("sha256:")
        || v.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        || is_path(v)
        || is_password_hash(v)
        || v.starts_with("arn:")
        || v.to_ascii_lowercase().ends_with("/aws4_request")
        || v.to_ascii_lowercase().ends_with("%2faws4_request")
        || (v.len() > 2
            && (v.starts_with("0x") || v.starts_with("0X"))
            && v.get(2..)
                .is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit())))
        || (v.contains("://") && !v.contains('@'))
        || v.contains(char::is_whitespace)
        // `"API_KEY=\nDB_HOST=db"` in a code string: the escape is a line break, so the
        // name's value is empty and what follows is the next line's.
        || ["\\n", "\\r", "\\t"].iter().any(|e| v.starts_with(e))
}

/// A value encrypted in place by SOPS (`ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]`):
/// ciphertext, whose key is not in the repository.
fn is_sops_encrypted(v: &str) -> bool {
    v.starts_with("ENC[") && v.ends_with(']') && v.contains("data:")
}

/// A value encrypted by dotenvx (`encrypted:BD9p…`, ECIES to the file's
/// `DOTENV_PUBLIC_KEY`): ciphertext, meant to be committed; the private key that opens it
/// (`DOTENV_PRIVATE_KEY*`, kept in `.env.keys`) is the secret.
pub fn is_dotenvx_encrypted(v: &str) -> bool {
    v.strip_prefix("encrypted:").is_some_and(|data| {
        data.len() >= 16
            && data
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
    })
}

/// A stored password hash (Django `pbkdf2_sha256$…`, crypt `$2b$…`, `$6$…`, argon2): the
/// result of hashing, which is what should be stored, not the password.
fn is_password_hash(v: &str) -> bool {
    const DJANGO: &[&str] = &[
        "pbkdf2_sha256$",
        "pbkdf2_sha1$",
        "argon2$",
        "bcrypt$",
        "bcrypt_sha256$",
        "scrypt$",
        "md5$",
        "sha1$",
        "crypt$",
        "unsalted_md5$",
        "unsalted_sha1$",
    ];
    const CRYPT: &[&str] = &[
        "$1$", "$2a$", "$2b$", "$2y$", "$5$", "$6$", "$y$", "$argon2i", "$argon2d", "$scrypt$",
    ];
    DJANGO.iter().any(|p| v.starts_with(p)) || CRYPT.iter().any(|p| v.starts_with(p))
}

pub fn is_uuid(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Git object ids (40 or 64 hex) and md5/sha digests used as checksums.
pub fn is_hex_digest(v: &str) -> bool {
    matches!(v.len(), 40 | 64 | 128) && v.chars().all(|c| c.is_ascii_hexdigit())
}

fn is_path(v: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".pem",
        ".key",
        ".crt",
        ".cer",
        ".json",
        ".txt",
        ".yaml",
        ".yml",
        ".p12",
        ".pfx",
        ".jks",
        ".keystore",
        ".der",
        ".pub",
        ".env",
        ".conf",
        ".ini",
        ".toml",
    ];
    let lower = v.to_ascii_lowercase();
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || v.starts_with("file:")
        || (v.len() > 2 && v.as_bytes().get(1) == Some(&b':') && v.contains('\\'))
        || EXTENSIONS.iter().any(|e| lower.ends_with(e))
        || is_relative_file_path(v)
}

/// `man3/EVP_PKEY_print_private.pod`, `custom_admin/password_change_form.html`: a relative
/// path whose last part has a short extension. Keys in base64 have `/` but no `.`.
fn is_relative_file_path(v: &str) -> bool {
    let Some((dir, file)) = v.rsplit_once('/') else {
        return false;
    };
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    !dir.is_empty()
        && !stem.is_empty()
        && (1..=5).contains(&ext.len())
        && ext.bytes().all(|b| b.is_ascii_alphanumeric())
        && ext.bytes().any(|b| b.is_ascii_alphabetic())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_documentation_keys_are_placeholders() {
        assert!(is_documented_or_placeholder(b"AKIAIOSFODNN7EXAMPLE"));
        assert!(is_documented_or_placeholder(
            b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        ));
    }

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "changeme",
            "<password>",
            "your-api-key",
            "xxxxxxxx",
            "********",
            "REDACTED",
        ] {
            assert!(is_documented_or_placeholder(p.as_bytes()), "{p}");
        }
        assert!(!is_documented_or_placeholder(b"Tr0ub4dor&3"));
        for p in ["bar@baz", "test-secret", "foo_bar"] {
            assert!(is_documented_or_placeholder(p.as_bytes()), "{p}");
        }
        // Numbers are not stand-in words: `password123` is a (weak) password.
        assert!(!is_documented_or_placeholder(b"password123"));
    }

    #[test]
    fn a_placeholder_word_counts_as_a_word_not_as_letters_in_a_token() {
        for p in [
            "fake-token-for-tests",
            "FAKE_TOKEN",
            "fakeToken",
            "myfaketoken",
            "todo1",
            "xxxx-xxxx",
            "sk_live_51Habcxxxxxxxxxxxxxxxx",
            "your-api-key-here",
            "<token>",
        ] {
            assert!(is_documented_or_placeholder(p.as_bytes()), "{p}");
        }
        for t in [
            "ghp_lpaiy2MQoMnL8x6uPbITfAkeJxSmoPtZ04y6",
            "ghp_q5NaTXdLXREflMxxXxj0aiNxcW8UbzcbpRRD",
        ] {
            assert!(!is_documented_or_placeholder(t.as_bytes()), "{t}");
        }
        assert_eq!(value_words("FAKEToken_v2"), ["fake", "token", "v", "2"]);
    }

    #[test]
    fn references_are_recognised() {
        for r in [
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "%(db_password)s",
            "{{ .Values.db.password }}",
        ] {
            assert!(is_reference(r), "{r}");
        }
        assert!(!is_reference("hunter2"));
    }

    #[test]
    fn identifiers_and_paths_are_not_secrets() {
        assert!(is_non_secret_shape("123e4567-e89b-12d3-a456-426614174000"));
        assert!(is_non_secret_shape(
            "da5b2274c0e1f7a0b6e2ffb36d3c5d1e2c0e2b4a"
        ));
        assert!(is_non_secret_shape("/run/secrets/db_password"));
        assert!(is_non_secret_shape("Enter your password"));
        assert!(!is_non_secret_shape("s3cr3t-Pa55"));
        assert!(is_non_secret_shape("man3/EVP_PKEY_print_private.pod"));
        assert!(is_non_secret_shape(
            "ENC[AES256_GCM,data:q9Xk2Lw==,iv:3fKq8w0pZ1A=,tag:Zm9v8Lq2==,type:str]"
        ));
        assert!(!is_non_secret_shape("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz9"));
    }

    #[test]
    fn dotenvx_ciphertext_is_not_a_secret_but_its_prefix_alone_is_no_excuse() {
        assert!(is_non_secret_shape(
            "encrypted:BDb7t87X7fVc3Y8Hq3QqL6cLYwMx1W6Ra0wVFwSTzQd5hQ7p3c+/AAuV="
        ));
        assert!(!is_dotenvx_encrypted("encrypted:"));
        assert!(!is_dotenvx_encrypted("encrypted:hunter2"));
        assert!(!is_dotenvx_encrypted(
            "encrypted:not really ciphertext at all"
        ));
        assert!(!is_dotenvx_encrypted(
            "BDb7t87X7fVc3Y8Hq3QqL6cLYwMx1W6Ra0wVFwSTzQd5"
        ));
    }

    #[test]
    fn hashes_numbers_and_arns_are_not_secrets() {
        for v in [
            "pbkdf2_sha256$600000$c2FsdA$aGFzaA=",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "0x00000020",
            "arn:aws:iam::123456789012:role/app",
            "AKIDEXAMPLE%2F20240101%2Feu-west-1%2Fs3%2Faws4_request",
            // An escaped line break right after `NAME=` in a code string.
            "\\nDB_PASSWORD=Kestrel-9-moss\\n",
        ] {
            assert!(is_non_secret_shape(v), "{v}");
        }
        assert!(!is_non_secret_shape("Kestrel-9-moss\\nmore"));
    }

    #[test]
    fn harness_variables_and_booleans_are_placeholders() {
        assert!(is_reference("@VMWARE_PASSWORD"));
        assert!(is_reference("@DB_PASS@"));
        assert!(!is_reference("@bC9x!z"));
        for v in ["yes", "always", "bool"] {
            assert!(is_documented_or_placeholder(v.as_bytes()), "{v}");
        }
    }
}
