//! `code/environment-logged`: the whole process environment written to a log or to the
//! console (`print(os.environ)`, `logger.info(dict(os.environ))`,
//! `console.log(process.env)`, `log.Println(os.Environ())`,
//! `System.out.println(System.getenv())`, `println!("{:?}", std::env::vars())`). The
//! environment holds the deployment's secrets: database passwords, API keys, signing keys.
//!
//! Parsed: a print or log call (the same recognition as `code/sensitive-data-logged`)
//! with the whole environment somewhere in its arguments, however wrapped
//! (`dict(..)`, `JSON.stringify(..)`, `{ ...process.env }`, an f-string). One variable of
//! it (`os.environ["HOME"]`, `os.environ.get("X")`, `process.env.PORT`,
//! `System.getenv("HOME")`) and the names alone (`os.environ.keys()`) are not reported.

use std::sync::LazyLock;

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Token};
use tree_sitter::Node;

use super::sensitive_data_logged::{LogLines, is_log_call};
use super::syntax::{self, Words, call_parts};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{named_children, text, walk};
use crate::parse::rust::{bytes, file};
use crate::rules::{Checker, Findings};

const ID: &str = "code/environment-logged";

pub struct EnvironmentLogged;

impl Checker for EnvironmentLogged {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string()]
    }

    fn applies_to(&self, kind: FileKind) -> bool {
        syntax::is_parsed_source(kind) || kind == FileKind::Rust
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        // Tests print their own environment to debug a failing run, not a deployment's.
        if syntax::is_test_source(doc.path) || !may_log_environment(doc.text) {
            return;
        }
        if doc.kind == FileKind::Rust {
            check_rust(doc, out);
            return;
        }
        let Some(tree) = syntax::tree(doc) else {
            return;
        };
        let mut calls = Vec::new();
        walk(tree.root_node(), |n| {
            if matches!(n.kind(), "call" | "call_expression" | "method_invocation") {
                calls.push(n);
            }
        });
        for call in calls {
            let Some((receiver, name, args)) = call_parts(doc, call) else {
                continue;
            };
            if !is_log_call(doc, receiver, name) {
                continue;
            }
            let Some(env) = find_whole_env(doc, args) else {
                continue;
            };
            let callee = match receiver {
                Some(r) => format!("{}.{name}", text(doc, r)),
                None => name.to_string(),
            };
            out.report(ID, env.byte_range(), message(text(doc, env), &callee));
        }
    }
}

/// The spellings of the whole environment, found in one pass. Not `environ` alone: it
/// starts "environment", in every other file.
static ENV_WORDS: LazyLock<Words> = LazyLock::new(|| {
    Words::new(&[
        "os.environ",
        "import environ",
        ", environ",
        "process.env",
        "Environ()",
        "getenv()",
        "env::vars",
    ])
});

/// The cheap test that decides whether the file is parsed at all: the whole environment
/// (not one variable of it: `os.environ.get(..)`, `process.env.PORT`) written where a log
/// or print call may be open, on its line or up to two lines above. Most files that read
/// the environment read one variable of it, or hand a copy to a subprocess.
fn may_log_environment(text: &str) -> bool {
    let Some(found) = ENV_WORDS.ranges(text) else {
        return true;
    };
    let mut whole = found
        .filter(|r| whole_environment_at(text, &text[r.clone()], r.end))
        .peekable();
    // `from os import environ`: the bare name is the environment from there on.
    let imported = text.contains("import environ") || text.contains(", environ");
    if whole.peek().is_none() && !imported {
        return false;
    }
    // Rust's log macros (`info!`, `dbg!`) are not among the log words; `env::vars` is
    // rare enough to parse wherever it is.
    if text.contains("env::vars") {
        return true;
    }
    let Some(mut logs) = LogLines::new(text) else {
        return true;
    };
    if whole.any(|r| logs.logged_near(r.start)) {
        return true;
    }
    if !imported {
        return false;
    }
    let Some(mut logs) = LogLines::new(text) else {
        return true;
    };
    text.match_indices("environ").any(|(at, word)| {
        let before = text[..at].chars().next_back();
        let bare = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
        bare && whole_environment_at(text, word, at + word.len()) && logs.logged_near(at)
    })
}

/// Whether the spelling `word`, ending at byte `end`, is the whole environment rather than
/// one variable of it, judged by what follows it, as `find_whole_env` judges the tree.
fn whole_environment_at(text: &str, word: &str, end: usize) -> bool {
    let after = text.get(end..).unwrap_or("");
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        // `os.environment`, `process.envs`: another name.
        return false;
    }
    let after = after.trim_start();
    match word {
        "os.environ" | "environ" => {
            if after.starts_with('[') {
                return false;
            }
            let Some(member) = after.strip_prefix('.') else {
                return true;
            };
            let member = member.trim_start();
            let name_len = member
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(member.len());
            !matches!(
                &member[..name_len],
                "get" | "pop" | "setdefault" | "keys" | "__getitem__"
            )
        }
        "process.env" => {
            !(after.starts_with('.') || after.starts_with('[') || after.starts_with("?."))
        }
        // The import spellings are not a use; the others are the whole environment.
        "import environ" | ", environ" => false,
        _ => true,
    }
}

fn message(env: &str, callee: &str) -> String {
    format!("`{callee}` writes the whole environment (`{env}`), secrets included, to the output")
}

/// The first node under `node` that is the whole environment, not one variable of it.
fn find_whole_env<'t>(doc: &Document, node: Node<'t>) -> Option<Node<'t>> {
    if is_env(doc, node) {
        return Some(node);
    }
    match node.kind() {
        // `os.environ["X"]`, `process.env["X"]`: one variable; the index may still hold
        // the whole environment, though nobody writes that.
        "subscript" | "subscript_expression" | "index_expression" => {
            let object = ["value", "object", "operand"]
                .iter()
                .find_map(|f| node.child_by_field_name(f));
            named_children(node)
                .into_iter()
                .filter(|c| Some(*c) != object || !is_env(doc, *c))
                .find_map(|c| find_whole_env(doc, c))
        }
        // `os.environ.get("X")`, `process.env.PORT`, `os.environ.keys()`.
        "attribute" | "member_expression" => {
            let object = node.child_by_field_name("object")?;
            if is_env(doc, object) {
                let member = ["attribute", "property"]
                    .iter()
                    .find_map(|f| node.child_by_field_name(f))
                    .map_or("", |m| text(doc, m));
                let one_variable = doc.kind != FileKind::Python
                    || matches!(
                        member,
                        "get" | "pop" | "setdefault" | "keys" | "__getitem__"
                    );
                return (!one_variable).then_some(object);
            }
            find_whole_env(doc, object)
        }
        _ => named_children(node)
            .into_iter()
            .find_map(|c| find_whole_env(doc, c)),
    }
}

/// `os.environ` (or `environ` imported from `os`), `process.env`, `os.Environ()`,
/// `System.getenv()` with no argument.
fn is_env(doc: &Document, node: Node) -> bool {
    match (doc.kind, node.kind()) {
        (FileKind::Python, "attribute") => text(doc, node) == "os.environ",
        (FileKind::Python, "identifier") => {
            text(doc, node) == "environ" && doc.text.contains("from os import")
        }
        (FileKind::JavaScript | FileKind::TypeScript, "member_expression") => {
            text(doc, node) == "process.env"
        }
        (FileKind::Go, "call_expression") => node
            .child_by_field_name("function")
            .is_some_and(|f| text(doc, f) == "os.Environ"),
        (FileKind::Java, "method_invocation") => {
            call_parts(doc, node).is_some_and(|(receiver, name, args)| {
                name == "getenv"
                    && receiver.is_some_and(|r| text(doc, r) == "System")
                    && named_children(args).is_empty()
            })
        }
        _ => false,
    }
}

/// Rust: `println!`/`eprintln!`/`dbg!`/`log`/`tracing` macros with `std::env::vars()` (or
/// `vars_os`) among their arguments.
fn check_rust(doc: &Document, out: &mut Findings) {
    let Some(file) = file(doc) else {
        return;
    };
    let mut macros = LogMacros { found: Vec::new() };
    macros.visit_file(file);
    for (name, env) in macros.found {
        let snippet = doc.text.get(env.clone()).unwrap_or("std::env::vars()");
        out.report(ID, env, message(snippet, &format!("{name}!")));
    }
}

/// The log and print macros whose arguments hold the whole environment, with its bytes.
struct LogMacros {
    found: Vec<(String, std::ops::Range<usize>)>,
}

impl<'ast> Visit<'ast> for LogMacros {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        const LOGGING: [&str; 11] = [
            "println", "print", "eprintln", "eprint", "dbg", "trace", "debug", "info", "warn",
            "error", "log",
        ];
        if LOGGING.contains(&name.as_str()) {
            match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
                Ok(args) => {
                    let mut env = EnvVars { found: None };
                    for arg in &args {
                        env.visit_expr(arg);
                    }
                    if let Some(range) = env.found {
                        self.found.push((name, range));
                    }
                }
                // `tracing` fields (`vars = ?expr`) are not expressions: look at the
                // tokens, and point at the macro.
                Err(_) => {
                    let tokens = mac.tokens.to_string();
                    if tokens.contains("env :: vars ()") || tokens.contains("env :: vars_os ()") {
                        self.found.push((name, bytes(mac.span())));
                    }
                }
            }
        }
        visit::visit_macro(self, mac);
    }
}

/// Finds a call of `env::vars()`/`env::vars_os()` (any path prefix).
struct EnvVars {
    found: Option<std::ops::Range<usize>>,
}

impl<'ast> Visit<'ast> for EnvVars {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if self.found.is_none()
            && call.args.is_empty()
            && let Expr::Path(p) = &*call.func
        {
            let segments: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if let [.., env, vars] = segments.as_slice()
                && env == "env"
                && (vars == "vars" || vars == "vars_os")
            {
                self.found = Some(bytes(call.span()));
            }
        }
        visit::visit_expr_call(self, call);
    }
}

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
        let src = "import os\nprint(os.environ)\nlogger.info(\"env %s\", dict(os.environ))\nprint(os.environ[\"HOME\"])\nlog.info(os.environ.get(\"X\"))\n# print(os.environ)\nlogger.info(\n    \"env: %s\",\n    os.environ.copy(),\n)\nprint(f\"{os.environ}\")\nprint(sorted(os.environ.keys()))\n";
        assert_eq!(lines("a.py", FileKind::Python, src), [2, 3, 9, 11]);
        let js = "console.log(process.env);\nconsole.log(process.env.PORT);\nconsole.log(JSON.stringify(process.env, null, 2));\nconsole.log(process.env[\"PORT\"]);\n";
        assert_eq!(lines("a.js", FileKind::JavaScript, js), [1, 3]);
    }

    #[test]
    fn java_and_rust() {
        let java = "class A { void f() {\n  System.out.println(System.getenv());\n  System.out.println(System.getenv(\"HOME\"));\n  log.info(\"env {}\", System.getenv());\n} }\n";
        assert_eq!(lines("A.java", FileKind::Java, java), [2, 4]);
        let rust = "fn main() {\n    println!(\"{:?}\", std::env::vars().collect::<Vec<_>>());\n    println!(\"{:?}\", std::env::var(\"HOME\"));\n    tracing::debug!(\"{:?}\", env::vars_os());\n}\n";
        assert_eq!(lines("main.rs", FileKind::Rust, rust), [2, 4]);
    }

    #[test]
    fn gate_passes_only_the_whole_environment_near_a_log_call() {
        for logged in [
            "print(os.environ)\n",
            "logger.info(\n    \"env: %s\",\n    os.environ.copy(),\n)\n",
            "from os import environ\nprint(dict(environ))\n",
            "from os import path, environ\nlogging.debug(environ)\n",
            "console.log({ ...process.env });\n",
            "log.Println(os.Environ())\n",
            "System.out.println(System.getenv());\n",
            "fn f() { dbg!(std::env::vars()); }\n",
        ] {
            assert!(may_log_environment(logged), "{logged}");
        }
        for clean in [
            "import os\nhome = os.environ[\"HOME\"]\nprint(home)\n",
            "print(os.environ.get(\"X\"))\nlogger.info(os.environ [\"Y\"])\n",
            "env = dict(os.environ)\nsubprocess.run(cmd, env=env)\n",
            "console.log(process.env.PORT, process.env[\"HOST\"], process.env?.X);\n",
            "const port = process.env;\n\n\n\nconsole.log(port.length);\n",
            "from os import environ\nprint(environ.get(\"HOME\"))\nprint(os.environment)\n",
            "x = os.environment\nprint(x)\n",
        ] {
            assert!(!may_log_environment(clean), "{clean}");
        }
    }
}
