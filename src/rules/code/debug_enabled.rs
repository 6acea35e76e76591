//! `code/debug-enabled`: a web application switched into debug mode in code or in its
//! framework configuration.
//!
//! ## What it finds
//! Django `DEBUG = True` (module or config-class level), also when it is the default of
//! an environment read (`os.environ.get("DEBUG", "True")`, `env.bool("DEBUG",
//! default=True)`, `... == "True"` against that default); Flask `app.debug = True`,
//! `app.config["DEBUG"] = True`, `app.config.update(DEBUG=True)`, `app.run(debug=True)`;
//! FastAPI and Starlette `debug=True`; Werkzeug `run_simple(use_debugger=True)`.
//!
//! Every value is judged as it would be with the environment variable unset: what a
//! production deployment gets when someone forgets to set it.
//!
//! Test and local-only modules are skipped (see [`is_non_production_path`]).
//!
//! Beyond Python (`web.rs`): Express `app.set("env", "development")`, gin
//! `gin.SetMode(gin.DebugMode)`, Spring Boot `debug=true` in `application*.properties`
//! and `.yml`.

use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Node;

use crate::document::Document;
use crate::kind::{ConfigFormat, FileKind};
use crate::parse::python::{self, call_arguments, callee_name, plain_string, text, unparen};
use crate::rules::{Checker, Findings};

mod web;

pub(crate) use web::is_non_production;

const ID: &str = "code/debug-enabled";

pub struct DebugEnabled;

impl Checker for DebugEnabled {
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
                | FileKind::Config(ConfigFormat::Properties | ConfigFormat::Yaml)
        )
    }

    fn check(&self, doc: &Document, out: &mut Findings) {
        if doc.kind != FileKind::Python {
            web::check(doc, out);
            return;
        }
        if is_non_production_path(doc.path) || !mentions_debug(doc.text) {
            return;
        }
        let Some(tree) = python::tree(doc) else {
            return;
        };
        python::walk(tree.root_node(), |node| {
            let found = match node.kind() {
                "assignment" => check_assignment(doc, node),
                "call" => check_call(doc, node),
                _ => None,
            };
            if let Some(message) = found {
                out.report(ID, node.byte_range(), message);
            }
        });
    }
}

/// The cheap test that decides whether the file is parsed at all: something is assigned
/// to or passed as `debug`/`DEBUG`, a `"DEBUG"` key, or Werkzeug's `use_debugger`, with a
/// value that may switch it on within that line or the next two (a call split over
/// lines): `True`, `1`, a quoted "true"/"yes"/"on"/"1", a `not` or a `!=`. The rule's
/// evaluation follows no variable, so a value it can report is written there;
/// `self.debug = debug` and `DEBUG = False` are in many large files that never turn debug on.
fn mentions_debug(text: &str) -> bool {
    static DEBUG: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"(?i:debug)\s*=(?:[^=]|$)|["']DEBUG["']|use_debugger"#).ok());
    static ON: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"\bTrue\b|\bnot\b|!=|\b1\b|["'](?i:true|yes|on|t|y|1)["']"#).ok()
    });
    // Without the regexes (cannot happen for fixed patterns) parse rather than miss.
    let (Some(debug), Some(on)) = (DEBUG.as_ref(), ON.as_ref()) else {
        return true;
    };
    debug.find_iter(text).any(|m| {
        let rest = &text[m.start()..];
        let window = rest
            .match_indices('\n')
            .nth(2)
            .map_or(rest, |(end, _)| &rest[..end]);
        on.is_match(window)
    })
}

/// True for files that only run in tests or on a developer's machine: anything under a
/// `tests`/`test` folder, `test_*.py`, `*_test.py`, `conftest.py`, and settings modules
/// named for tests or local development (`settings_test.py`, `test_settings.py`,
/// `settings/test.py`, `settings/local.py`, `local_settings.py`, `settings/dev.py`).
pub fn is_non_production_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or("");
    if parts
        .iter()
        .any(|p| matches!(*p, "tests" | "test" | "testing"))
    {
        return true;
    }
    let stem = name.strip_suffix(".py").unwrap_or(name);
    if stem == "conftest" || stem.starts_with("test_") || stem.ends_with("_test") {
        return true;
    }
    const NON_PROD: [&str; 7] = [
        "test",
        "tests",
        "testing",
        "local",
        "dev",
        "development",
        "ci",
    ];
    let in_settings_dir = parts.last().is_some_and(|d| d.contains("settings"));
    let settings_variant = stem
        .strip_prefix("settings_")
        .or_else(|| stem.strip_suffix("_settings"));
    (in_settings_dir && NON_PROD.contains(&stem))
        || settings_variant.is_some_and(|v| NON_PROD.contains(&v))
}

/// `DEBUG = <on>`, `app.debug = <on>`, `app.config["DEBUG"] = <on>`.
fn check_assignment(doc: &Document, node: Node) -> Option<String> {
    // `DEBUG = TEMPLATE_DEBUG = True`: the value is at the end of the chain.
    let mut targets = vec![node.child_by_field_name("left")?];
    let mut right = node.child_by_field_name("right")?;
    while right.kind() == "assignment" {
        targets.extend(right.child_by_field_name("left"));
        right = right.child_by_field_name("right")?;
    }
    let target = targets
        .into_iter()
        .find(|t| is_debug_target(doc, *t, node))?;
    if !eval(doc, right, 0).is_on() {
        return None;
    }
    Some(format!(
        "`{}` turns debug mode on in production code",
        text(doc, target)
    ))
}

fn is_debug_target(doc: &Document, target: Node, assignment: Node) -> bool {
    match target.kind() {
        // A Django setting: only at module level or in a config class that is not
        // for development or tests; a local variable named DEBUG configures nothing.
        "identifier" => text(doc, target) == "DEBUG" && is_setting_scope(doc, assignment),
        // `app.debug = True`, `settings.DEBUG = True`.
        "attribute" => target
            .child_by_field_name("attribute")
            .is_some_and(|a| matches!(text(doc, a), "debug" | "DEBUG")),
        // `app.config["DEBUG"] = True`.
        "subscript" => {
            let key = target
                .child_by_field_name("subscript")
                .and_then(|k| plain_string(doc, k));
            let holder = target
                .child_by_field_name("value")
                .map(|v| text(doc, v).to_ascii_lowercase())
                .unwrap_or_default();
            key.as_deref() == Some("DEBUG")
                && (holder.ends_with("config") || holder.ends_with("settings"))
        }
        _ => false,
    }
}

/// Module level, or the body of a class that is not a development or test config.
fn is_setting_scope(doc: &Document, node: Node) -> bool {
    let mut at = node.parent();
    while let Some(n) = at {
        match n.kind() {
            "function_definition" | "lambda" => return false,
            "class_definition" => {
                let name = n
                    .child_by_field_name("name")
                    .map(|c| text(doc, c).to_ascii_lowercase())
                    .unwrap_or_default();
                return !["dev", "test", "local"].iter().any(|w| name.contains(w));
            }
            _ => at = n.parent(),
        }
    }
    true
}

/// `app.run(debug=True)`, `FastAPI(debug=True)`, `app.config.update(DEBUG=True)`,
/// `run_simple(.., use_debugger=True)`.
fn check_call(doc: &Document, call: Node) -> Option<String> {
    let name = callee_name(doc, call)?;
    let keyword = match name {
        "run" | "run_server" | "FastAPI" | "Starlette" => "debug",
        "run_simple" => "use_debugger",
        "update" | "from_mapping" if config_receiver(doc, call) => "DEBUG",
        _ => return None,
    };
    let (positional, keywords) = call_arguments(doc, call);
    let on = keywords
        .iter()
        .any(|(k, v)| *k == keyword && eval(doc, *v, 0).is_on())
        || (keyword == "DEBUG"
            && positional
                .first()
                .is_some_and(|d| dict_sets_debug(doc, unparen(*d))));
    on.then(|| format!("`{name}(.., {keyword}=..)` turns debug mode on in production code"))
}

/// True when the call is a method of something named like a config (`app.config`).
fn config_receiver(doc: &Document, call: Node) -> bool {
    call.child_by_field_name("function")
        .and_then(|f| f.child_by_field_name("object"))
        .is_some_and(|o| text(doc, o).to_ascii_lowercase().ends_with("config"))
}

/// `{"DEBUG": True}`.
fn dict_sets_debug(doc: &Document, dict: Node) -> bool {
    dict.kind() == "dictionary"
        && python::named_children(dict).into_iter().any(|pair| {
            pair.kind() == "pair"
                && pair
                    .child_by_field_name("key")
                    .and_then(|k| plain_string(doc, k))
                    .is_some_and(|k| k == "DEBUG")
                && pair
                    .child_by_field_name("value")
                    .is_some_and(|v| eval(doc, v, 0).is_on())
        })
}

/// What an expression evaluates to when no environment variable is set, as far as this
/// rule can tell.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    None,
    Unknown,
}

impl Value {
    /// True when the value switches debug on. A string counts only when it says so
    /// ("True", "1", "yes", "on"): Python treats `"False"` as true too, but flagging
    /// that would report the author's intent wrongly. Of the integers only 1: a
    /// `DEBUG = 10` is a log or message level constant, not a switch.
    fn is_on(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Int(n) => *n == 1,
            Value::Str(s) => str_to_bool(s) == Some(true),
            Value::None | Value::Unknown => false,
        }
    }

    /// Python truthiness, when known.
    fn truthy(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Int(n) => Some(*n != 0),
            Value::Str(s) => Some(!s.is_empty()),
            Value::None => Some(false),
            Value::Unknown => None,
        }
    }
}

/// `distutils.util.strtobool`'s table.
fn str_to_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Some(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// Nesting bound: expressions deeper than this are not worth following.
const MAX_DEPTH: usize = 12;

fn eval(doc: &Document, node: Node, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Unknown;
    }
    let node = unparen(node);
    match node.kind() {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "none" => Value::None,
        "integer" => text(doc, node)
            .replace('_', "")
            .parse()
            .map_or(Value::Unknown, Value::Int),
        "string" | "concatenated_string" => {
            plain_string(doc, node).map_or(Value::Unknown, Value::Str)
        }
        "call" => eval_call(doc, node, depth),
        "comparison_operator" => eval_comparison(doc, node, depth),
        "not_operator" => node
            .child_by_field_name("argument")
            .and_then(|a| eval(doc, a, depth + 1).truthy())
            .map_or(Value::Unknown, |b| Value::Bool(!b)),
        "boolean_operator" => eval_boolean(doc, node, depth),
        "conditional_expression" => {
            // `a if cond else b`
            let parts = python::named_children(node);
            let (Some(a), Some(cond), Some(b)) = (parts.first(), parts.get(1), parts.get(2)) else {
                return Value::Unknown;
            };
            match eval(doc, *cond, depth + 1).truthy() {
                Some(true) => eval(doc, *a, depth + 1),
                Some(false) => eval(doc, *b, depth + 1),
                None => Value::Unknown,
            }
        }
        _ => Value::Unknown,
    }
}

fn eval_boolean(doc: &Document, node: Node, depth: usize) -> Value {
    let (Some(left), Some(right), Some(op)) = (
        node.child_by_field_name("left"),
        node.child_by_field_name("right"),
        node.child_by_field_name("operator"),
    ) else {
        return Value::Unknown;
    };
    let left = eval(doc, left, depth + 1);
    match (text(doc, op), left.truthy()) {
        ("or", Some(true)) | ("and", Some(false)) => left,
        ("or", Some(false)) | ("and", Some(true)) => eval(doc, right, depth + 1),
        _ => Value::Unknown,
    }
}

/// `a == b`, `a != b`, `a in (..)`, `a not in (..)`: two operands only.
fn eval_comparison(doc: &Document, node: Node, depth: usize) -> Value {
    let operands = python::named_children(node);
    let [left, right] = operands.as_slice() else {
        return Value::Unknown;
    };
    let op: String = {
        let mut cursor = node.walk();
        node.children(&mut cursor)
            .filter(|c| !c.is_named())
            .map(|c| text(doc, c))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let left = eval(doc, *left, depth + 1);
    if left == Value::Unknown {
        return Value::Unknown;
    }
    match op.as_str() {
        "==" | "!=" => {
            let right = eval(doc, *right, depth + 1);
            if right == Value::Unknown {
                return Value::Unknown;
            }
            Value::Bool((left == right) == (op == "=="))
        }
        "in" | "not in" => {
            let right = unparen(*right);
            if !matches!(right.kind(), "tuple" | "list" | "set") {
                return Value::Unknown;
            }
            let items: Vec<Value> = python::named_children(right)
                .into_iter()
                .map(|i| eval(doc, i, depth + 1))
                .collect();
            if items.contains(&Value::Unknown) {
                return Value::Unknown;
            }
            Value::Bool(items.contains(&left) == (op == "in"))
        }
        _ => Value::Unknown,
    }
}

fn eval_call(doc: &Document, call: Node, depth: usize) -> Value {
    let Some(function) = call.child_by_field_name("function") else {
        return Value::Unknown;
    };
    let (positional, keywords) = call_arguments(doc, call);
    let first = || {
        positional
            .first()
            .map_or(Value::Unknown, |a| eval(doc, *a, depth + 1))
    };
    let callee = text(doc, function);
    let name = callee_name(doc, call).unwrap_or("");

    if is_env_read(doc, function, callee) {
        // With the variable unset the read yields its default, or None without one.
        let default = keywords
            .iter()
            .find(|(k, _)| *k == "default")
            .map(|(_, v)| *v)
            .or_else(|| positional.get(1).copied());
        let value = default.map_or(Value::None, |d| eval(doc, d, depth + 1));
        let cast_bool = name == "bool"
            || keywords
                .iter()
                .any(|(k, v)| *k == "cast" && text(doc, *v) == "bool");
        return match (&value, cast_bool) {
            (Value::Str(s), true) => str_to_bool(s).map_or(Value::Unknown, Value::Bool),
            _ => value,
        };
    }
    match name {
        "bool" if function.kind() == "identifier" => {
            first().truthy().map_or(Value::Unknown, Value::Bool)
        }
        "int" if function.kind() == "identifier" => match first() {
            Value::Str(s) => s.trim().parse().map_or(Value::Unknown, Value::Int),
            Value::Bool(b) => Value::Int(i64::from(b)),
            v @ Value::Int(_) => v,
            _ => Value::Unknown,
        },
        "strtobool" => match first() {
            Value::Str(s) => str_to_bool(&s).map_or(Value::Unknown, |b| Value::Int(i64::from(b))),
            _ => Value::Unknown,
        },
        "loads" if callee.ends_with("json.loads") => match first() {
            Value::Str(s) => match s.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                n => n.parse().map_or(Value::Unknown, Value::Int),
            },
            _ => Value::Unknown,
        },
        "lower" | "upper" | "strip" | "casefold" | "title" | "capitalize" => {
            let Some(object) = function.child_by_field_name("object") else {
                return Value::Unknown;
            };
            match eval(doc, object, depth + 1) {
                Value::Str(s) => Value::Str(match name {
                    "lower" | "casefold" => s.to_lowercase(),
                    "upper" => s.to_uppercase(),
                    "strip" => s.trim().to_string(),
                    "title" | "capitalize" => capitalize(&s),
                    _ => s,
                }),
                _ => Value::Unknown,
            }
        }
        _ => Value::Unknown,
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c
            .to_uppercase()
            .chain(chars.flat_map(|c| c.to_lowercase()))
            .collect(),
        None => String::new(),
    }
}

/// `os.environ.get`, `os.getenv`, `os.environ.setdefault`, django-environ and environs
/// (`env(..)`, `env.bool(..)`, `env.str(..)`), python-decouple (`config(..)`).
fn is_env_read(doc: &Document, function: Node, callee: &str) -> bool {
    const READERS: [&str; 8] = [
        "os.environ.get",
        "environ.get",
        "os.getenv",
        "getenv",
        "os.environ.setdefault",
        "env",
        "config",
        "decouple.config",
    ];
    if READERS.contains(&callee) {
        return true;
    }
    // `env.bool("DEBUG", default=True)` and the like on an `env`/`environ` object.
    function.kind() == "attribute"
        && function
            .child_by_field_name("object")
            .is_some_and(|o| matches!(text(doc, o), "env" | "ENV" | "environ" | "self.env"))
        && function
            .child_by_field_name("attribute")
            .is_some_and(|a| matches!(text(doc, a), "bool" | "str" | "int" | "get"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(path: &str, src: &str) -> Vec<usize> {
        let doc = Document::new(path, FileKind::Python, src);
        let mut out = Findings::default();
        DebugEnabled.check(&doc, &mut out);
        out.raw.iter().map(|f| doc.line_of(f.bytes.start)).collect()
    }

    #[test]
    fn flags_truthy_env_defaults_and_not_falsy_ones() {
        let src = "import os\n\
                   DEBUG = os.environ.get('DEBUG', 'True') == 'True'\n\
                   DEBUG = os.environ.get('DEBUG', 'False') == 'True'\n\
                   DEBUG = os.environ.get('DEBUG') == '1'\n\
                   DEBUG = os.getenv('DEBUG', '1').lower() in ('1', 'true')\n\
                   DEBUG = env.bool('DEBUG', default=True)\n\
                   DEBUG = env.bool('DEBUG', default=False)\n\
                   DEBUG = config('DEBUG', default='yes', cast=bool)\n\
                   DEBUG = bool(int(os.getenv('DEBUG', '0')))\n\
                   DEBUG = os.environ.get('DEBUG', 'False') != 'False'\n";
        assert_eq!(lines("settings.py", src), [2, 5, 6, 8]);
    }

    #[test]
    fn local_variables_and_dev_config_classes_are_not_settings() {
        let src = "def f():\n    DEBUG = True\n\
                   class DevelopmentConfig:\n    DEBUG = True\n\
                   class ProductionConfig:\n    DEBUG = True\n";
        assert_eq!(lines("config.py", src), [6]);
    }

    #[test]
    fn skips_test_and_local_modules() {
        for path in [
            "proj/settings/test.py",
            "proj/settings_test.py",
            "proj/test_settings.py",
            "proj/local_settings.py",
            "tests/app.py",
            "conftest.py",
        ] {
            assert!(is_non_production_path(path), "{path}");
        }
        for path in [
            "proj/settings/production.py",
            "proj/settings.py",
            "latest/app.py",
        ] {
            assert!(!is_non_production_path(path), "{path}");
        }
    }

    #[test]
    fn flags_dict_update_only_on_config() {
        let src = "app.config.update({'DEBUG': True})\n\
                   cache.update({'DEBUG': True})\n\
                   app.config.from_mapping(DEBUG=1)\n";
        assert_eq!(lines("app.py", src), [1, 3]);
    }

    #[test]
    fn level_constants_are_not_switches() {
        assert_eq!(lines("constants.py", "DEBUG = 10\nDEBUG = 1\n"), [2]);
    }

    #[test]
    fn ignores_files_without_the_word() {
        assert!(lines("app.py", "x = 1\n").is_empty());
    }

    #[test]
    fn gate_needs_a_value_that_may_switch_debug_on() {
        for on in [
            "DEBUG = True\n",
            "app.config[\"DEBUG\"] = 1\n",
            "DEBUG = os.environ.get(\"DEBUG\", \"yes\")\n",
            "DEBUG = env.bool(\n    \"DJANGO_DEBUG\",\n    default=True,\n)\n",
            "app.run(\n    host=h,\n    debug=True)\n",
            "DEBUG = os.environ.get(\"DEBUG\", \"\") != \"false\"\n",
            "DEBUG = not PRODUCTION\n",
            "run_simple(h, p, app, use_debugger=True)\n",
        ] {
            assert!(mentions_debug(on), "{on}");
        }
        for off in [
            "DEBUG = False\n",
            "self._debug = debug\n",
            "if debug == other:\n    pass\n",
            "DEBUG = os.environ.get(\"DEBUG\", \"0\") == \"yes-please\"\n",
            "def f(debug=False):\n    pass\n\n\n\nx = True\n",
        ] {
            assert!(!mentions_debug(off), "{off}");
        }
    }
}
