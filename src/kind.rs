//! Classifies a file by name, extension and a peek at its content.

use serde::Serialize;

/// What a file is, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FileKind {
    Dockerfile,
    Compose,
    Kubernetes,
    Python,
    JavaScript,
    TypeScript,
    Go,
    Java,
    Rust,
    /// `.env` style `KEY=value` files.
    Env,
    Nginx,
    /// Structured configuration other than the kinds above: YAML, JSON, TOML, INI, properties.
    Config(ConfigFormat),
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ConfigFormat {
    Yaml,
    Json,
    Toml,
    Ini,
    Properties,
}

impl FileKind {
    /// Classifies `path` (relative, `/`-separated) whose content starts with `text`.
    pub fn classify(path: &str, text: &str) -> FileKind {
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");

        if is_dockerfile_name(&lower) {
            return FileKind::Dockerfile;
        }
        if lower == ".env" || lower.starts_with(".env.") || ext == "env" {
            return FileKind::Env;
        }
        match ext {
            "py" | "pyw" => return FileKind::Python,
            "js" | "mjs" | "cjs" | "jsx" => return FileKind::JavaScript,
            "ts" | "tsx" | "mts" | "cts" => return FileKind::TypeScript,
            "go" => return FileKind::Go,
            "java" => return FileKind::Java,
            "rs" => return FileKind::Rust,
            "yaml" | "yml" => return classify_yaml(&lower, text),
            "json" => return FileKind::Config(ConfigFormat::Json),
            "toml" => return FileKind::Config(ConfigFormat::Toml),
            "ini" | "cfg" => return FileKind::Config(ConfigFormat::Ini),
            "properties" => return FileKind::Config(ConfigFormat::Properties),
            _ => {}
        }
        if is_nginx(path, &lower, text) {
            return FileKind::Nginx;
        }
        FileKind::Text
    }

    /// True for the YAML-based kinds.
    pub fn is_yaml(self) -> bool {
        matches!(
            self,
            FileKind::Compose | FileKind::Kubernetes | FileKind::Config(ConfigFormat::Yaml)
        )
    }
}

/// nginx configuration: by name (`nginx.conf`, `*.nginx`, `*nginx*.conf`), by folder
/// (`nginx/`, `sites-available/`, `conf.d/`, the official image's `templates/`) when the
/// content has an nginx directive, or any `.conf` whose content is plainly nginx
/// (directives ended by `;` and `{ }` blocks). `*.conf.template` (the official image
/// renders `/etc/nginx/templates/*.conf.template` with `envsubst`) counts as `.conf`. A
/// file with INI `[section]` lines (supervisord, php-fpm pools, systemd units) never
/// does: nginx has no such syntax.
fn is_nginx(path: &str, lower_name: &str, text: &str) -> bool {
    let name = lower_name.strip_suffix(".template").unwrap_or(lower_name);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if looks_like_ini(text) {
        return false;
    }
    if name == "nginx.conf" || ext == "nginx" || (ext == "conf" && name.contains("nginx")) {
        return true;
    }
    let lower_path = path.to_ascii_lowercase();
    let hinted = (ext == "conf" && (lower_path.contains("nginx") || in_folder(path, "templates")))
        || in_nginx_folder(path, ext);
    if hinted {
        return looks_like_nginx(text);
    }
    ext == "conf" && looks_like_nginx(text) && has_blocks_and_statements(text)
}

fn in_folder(path: &str, folder: &str) -> bool {
    path.rsplit('/').nth(1) == Some(folder)
}

/// True when some early line, outside comments, is an INI section header: `[program:x]`,
/// `[www]`, `[Unit]`.
fn looks_like_ini(text: &str) -> bool {
    text.lines().take(500).any(|line| {
        let line = line.trim();
        line.len() > 2
            && line.starts_with('[')
            && line.ends_with(']')
            && !line.contains([';', '{', '}', ' '])
    })
}

/// True when the text has both a line ending a directive (`;`) and one opening a block
/// (`{`): nginx's two shapes, which a stray `listen 80;` in a key-value file lacks.
fn has_blocks_and_statements(text: &str) -> bool {
    let lines = || text.lines().take(2000).map(str::trim);
    lines().any(|l| l.ends_with(';')) && lines().any(|l| l.ends_with('{'))
}

/// Where Debian-style and official-image nginx installs keep server files:
/// `sites-available/*`, `sites-enabled/*` (often without an extension) and `conf.d/*.conf`.
/// Other programs use these folder names too, hence the look at the content.
fn in_nginx_folder(path: &str, ext: &str) -> bool {
    let mut parts = path.rsplit('/');
    let _name = parts.next();
    match parts.next() {
        Some("sites-available" | "sites-enabled") => true,
        Some("conf.d") => ext == "conf",
        _ => false,
    }
}

/// True when some early line is an nginx directive that only nginx spells this way:
/// `server {`, `location / {`, `listen 80;`, ... ending in `{` or `;` (Apache's
/// `Listen 80` has neither).
fn looks_like_nginx(text: &str) -> bool {
    const WORDS: [&str; 8] = [
        "server",
        "http",
        "upstream",
        "location",
        "listen",
        "server_name",
        "proxy_pass",
        "ssl_protocols",
    ];
    text.lines().take(500).any(|line| {
        let line = line.trim();
        let first = line.split([' ', '\t', '{']).next().unwrap_or("");
        WORDS.contains(&first) && (line.ends_with('{') || line.ends_with(';'))
    })
}

fn is_dockerfile_name(lower: &str) -> bool {
    // Templates (`Dockerfile.j2`) are not Dockerfiles until rendered.
    let template = [".j2", ".jinja", ".tmpl", ".tpl", ".template", ".erb"]
        .iter()
        .any(|t| lower.ends_with(t));
    if template {
        return false;
    }
    // `Dockerfile.prod` is a Dockerfile; `dockerfile.py` or `Dockerfile.md` is the kind its
    // extension says.
    let other_kind = [
        ".py",
        ".pyi",
        ".rs",
        ".go",
        ".java",
        ".js",
        ".mjs",
        ".cjs",
        ".jsx",
        ".ts",
        ".tsx",
        ".md",
        ".rst",
        ".txt",
        ".html",
        ".json",
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".sh",
        ".bash",
        ".ps1",
        ".dockerignore",
        ".lock",
        ".cfg",
        ".properties",
        ".xml",
    ]
    .iter()
    .any(|e| lower.ends_with(e));
    // `Dockerfile.prod`, `Dockerfile-dev`, `Dockerfile_alpine`: the base name, a separator
    // and a variant, as projects name one Dockerfile per target.
    let variant = ["dockerfile", "containerfile"].iter().any(|base| {
        lower
            .strip_prefix(base)
            .is_some_and(|rest| rest.len() > 1 && rest.starts_with(['.', '-', '_']))
    });
    if other_kind && variant {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || variant
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

fn classify_yaml(lower_name: &str, text: &str) -> FileKind {
    if lower_name.starts_with("docker-compose") || lower_name.starts_with("compose") {
        return FileKind::Compose;
    }
    let mut services = false;
    let mut workflow = false;
    let mut api_version = false;
    let mut kind = false;
    for line in text.lines().take(2000) {
        // Only top-level keys: no indentation.
        let key = match line.split_once(':') {
            Some((k, _)) if !k.starts_with([' ', '\t', '#', '-']) => k.trim_matches(['"', '\'']),
            _ => continue,
        };
        match key {
            "services" => services = true,
            "jobs" | "on" | "stages" | "steps" | "pipeline" | "workflows" => workflow = true,
            "apiVersion" => api_version = true,
            "kind" => kind = true,
            _ => {}
        }
    }
    if api_version && kind {
        FileKind::Kubernetes
    } else if services && !workflow {
        FileKind::Compose
    } else {
        FileKind::Config(ConfigFormat::Yaml)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfiles_by_name() {
        assert_eq!(FileKind::classify("a/Dockerfile", ""), FileKind::Dockerfile);
        assert_eq!(
            FileKind::classify("Dockerfile.prod", ""),
            FileKind::Dockerfile
        );
        assert_eq!(
            FileKind::classify("api.dockerfile", ""),
            FileKind::Dockerfile
        );
        for name in [
            "Dockerfile-dev",
            "docker/Dockerfile-alpine",
            "Dockerfile_prod",
            "prod.Dockerfile",
            "Containerfile-ubi",
        ] {
            assert_eq!(FileKind::classify(name, ""), FileKind::Dockerfile, "{name}");
        }
        assert_eq!(FileKind::classify("Dockerfile-dev.md", ""), FileKind::Text);
        assert_eq!(
            FileKind::classify("dockerfile_utils.py", ""),
            FileKind::Python
        );
        assert_eq!(FileKind::classify("Dockerfile-", ""), FileKind::Text);
        assert_eq!(FileKind::classify("Dockerfile.j2", ""), FileKind::Text);
        assert_eq!(FileKind::classify("src/dockerfile.rs", ""), FileKind::Rust);
        assert_eq!(FileKind::classify("dockerfile.py", ""), FileKind::Python);
        assert_eq!(FileKind::classify("Dockerfile.md", ""), FileKind::Text);
        assert_eq!(
            FileKind::classify("Dockerfile.dockerignore", ""),
            FileKind::Text
        );
    }

    #[test]
    fn compose_by_name_and_by_content() {
        assert_eq!(
            FileKind::classify("docker-compose.prod.yml", ""),
            FileKind::Compose
        );
        assert_eq!(FileKind::classify("compose.yaml", ""), FileKind::Compose);
        let stack = "services:\n  web:\n    image: nginx\n";
        assert_eq!(
            FileKind::classify("deploy/stack.yml", stack),
            FileKind::Compose
        );
    }

    #[test]
    fn ci_workflow_with_services_is_not_compose() {
        let wf = "on: push\njobs:\n  t:\n    services:\n      db:\n        image: postgres\n";
        assert_eq!(
            FileKind::classify(".github/workflows/ci.yml", wf),
            FileKind::Config(ConfigFormat::Yaml)
        );
        let gitlab = "stages: [test]\nservices:\n  - postgres\n";
        assert_eq!(
            FileKind::classify(".gitlab-ci.yml", gitlab),
            FileKind::Config(ConfigFormat::Yaml)
        );
    }

    #[test]
    fn kubernetes_by_content() {
        let m = "apiVersion: apps/v1\nkind: Deployment\n";
        assert_eq!(FileKind::classify("k8s/app.yaml", m), FileKind::Kubernetes);
    }

    #[test]
    fn nginx_by_name_and_folder() {
        let server = "server {\n    listen 80;\n}\n";
        assert_eq!(FileKind::classify("nginx.conf", ""), FileKind::Nginx);
        assert_eq!(
            FileKind::classify("deploy/nginx/app.conf", server),
            FileKind::Nginx
        );
        assert_eq!(FileKind::classify("site.nginx", ""), FileKind::Nginx);
        assert_eq!(
            FileKind::classify("etc/sites-available/default", server),
            FileKind::Nginx
        );
        assert_eq!(
            FileKind::classify("etc/conf.d/app.conf", server),
            FileKind::Nginx
        );
        let apache = "<VirtualHost *:80>\nListen 80\n</VirtualHost>\n";
        assert_eq!(
            FileKind::classify("etc/sites-available/default", apache),
            FileKind::Text
        );
        assert_eq!(
            FileKind::classify("etc/conf.d/app.ini.conf", "a=1\n"),
            FileKind::Text
        );
    }

    #[test]
    fn nginx_templates_and_plain_conf_files_by_content() {
        let server = "server {\n    listen 80;\n    server_name ${HOST};\n}\n";
        for path in [
            "docker/templates/default.conf.template",
            "deploy/nginx/app.conf.template",
            "etc/site.conf",
        ] {
            assert_eq!(FileKind::classify(path, server), FileKind::Nginx, "{path}");
        }
        // One `listen ...;` line without any block is not enough outside nginx's folders.
        assert_eq!(
            FileKind::classify("etc/app.conf", "listen 8080;\n"),
            FileKind::Text
        );
        assert_eq!(
            FileKind::classify("docker/templates/app.conf.template", "a=1\n"),
            FileKind::Text
        );
    }

    #[test]
    fn ini_files_are_never_nginx() {
        let supervisord =
            "[supervisord]\nnodaemon=true\n\n[program:nginx]\ncommand=nginx -g 'daemon off;'\n";
        for path in [
            "nginx/supervisord.conf",
            "docker/nginx/supervisord.conf",
            "etc/conf.d/supervisord.conf",
            "nginx.conf",
        ] {
            assert_eq!(
                FileKind::classify(path, supervisord),
                FileKind::Text,
                "{path}"
            );
        }
        let pool = "[www]\nlisten = 9000;\nserver {\n";
        assert_eq!(
            FileKind::classify("nginx/php-fpm.conf", pool),
            FileKind::Text
        );
    }

    #[test]
    fn env_files() {
        assert_eq!(FileKind::classify(".env", ""), FileKind::Env);
        assert_eq!(
            FileKind::classify("config/.env.production", ""),
            FileKind::Env
        );
        assert_eq!(FileKind::classify("prod.env", ""), FileKind::Env);
    }
}
