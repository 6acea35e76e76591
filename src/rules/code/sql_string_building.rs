//! `code/sql-string-building`: Python SQL text built from non-literal values (f-string,
//! `%`, `.format()`, `+`/`+=`, `"".join`) that reaches a query sink.
//!
//! ## How it decides
//! Each sink call's query argument is evaluated abstractly: what text it has (literal
//! pieces kept, unknown values as `_`), whether every piece is a literal or otherwise
//! safe (a number, `len(..)`, a list of `"%s"` placeholders, an UPPER_CASE constant),
//! and where non-literal data first entered text that reads as SQL (the build site).
//! Local variables are followed through their assignments in the same function, in
//! source order (`q = "SELECT .."; q += f" AND x = {x}"`); module-level constants too.
//! A nested function reads the variables of the functions around it, unless it binds
//! the name itself.
//!
//! The finding is at the build site and names the sink. When the string is built on
//! another line than the call, the call gets its own finding pointing back to the
//! build, so both places show up in review.
//!
//! ## What leaves without a sink: `code/sql-string-passed-on`
//! SQL built from data that no sink in the file runs, but that leaves the place it is
//! built (returned or yielded, passed to a call that is not a sink nor logging/output,
//! stored in an attribute, a module-level or `global` variable), is reported once per
//! build site under its own id, at medium severity, and only when the text reads as SQL
//! beyond doubt: with no query call to confirm it, "Create index %s on %s" is a sentence.
//!
//! ## Known problems
//! Values are not followed across functions or modules: a query argument that is a
//! parameter is not followed to its callers. Which
//! branch of an `if` assigned a variable is not tracked: any SQL-shaped assignment built
//! from data counts.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use tree_sitter::Node;

use super::syntax::Words;
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{self, Piece, call_arguments, callee_name, text, unparen};
use crate::rules::{Checker, Findings};

mod clike;
mod rust;

const ID: &str = "code/sql-string-building";
const ID_PASSED_ON: &str = "code/sql-string-passed-on";

pub struct SqlStringBuilding;

impl Checker for SqlStringBuilding {
    fn rule_ids(&self) -> Vec<String> {
        vec![ID.to_string(), ID_PASSED_ON.to_string()]
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
        // Test code builds its fixtures' SQL from its own constants and never serves a
        // request; it was over half the files this rule parsed in a real tree.
        if super::syntax::is_test_source(doc.path) {
            return;
        }
        match doc.kind {
            FileKind::Python => check_python(doc, out),
            FileKind::Rust => rust::check(doc, out),
            _ => clike::check(doc, out),
        }
    }
}

fn check_python(doc: &Document, out: &mut Findings) {
    if !might_build_sql(doc.text) {
        return;
    }
    let Some(tree) = python::tree(doc) else {
        return;
    };
    let root = tree.root_node();
    // One pass over the tree collects everything the analysis needs.
    let (mut calls, mut functions, mut assignments) = (Vec::new(), Vec::new(), Vec::new());
    let (mut returns, mut numeric, mut loops) = (Vec::new(), Vec::new(), Vec::new());
    let (mut globals, mut adds, mut parameters) = (Vec::new(), Vec::new(), Vec::new());
    python::walk(root, |n| match n.kind() {
        "call" => calls.push(n),
        "function_definition" => {
            functions.push((n.byte_range(), n.id()));
            if let Some(list) = n.child_by_field_name("parameters") {
                parameters.extend(python::named_children(list).into_iter().filter_map(|p| {
                    match p.kind() {
                        "identifier" => Some(p),
                        "default_parameter" | "typed_default_parameter" => {
                            p.child_by_field_name("name")
                        }
                        // `x: int`, `*args`, `**kw`: the name is the first child.
                        _ => p.named_child(0).filter(|c| c.kind() == "identifier"),
                    }
                }));
            }
        }
        "assignment" | "augmented_assignment" => assignments.push(n),
        "expression_statement" => {
            if let Some(added) = python_added_to(doc, n) {
                adds.push(added);
            }
        }
        // A generator's `yield` and a lambda's body leave as a `return` does.
        "return_statement" | "yield" => returns.push(n),
        "lambda" => {
            if let Some(body) = n.child_by_field_name("body") {
                returns.push(body);
            }
        }
        "global_statement" | "nonlocal_statement" => globals.push(n),
        "typed_parameter" | "typed_default_parameter" => {
            if let Some(name) = python_numeric_parameter(doc, n) {
                numeric.push(name);
            }
        }
        // The loop variable is bound for the body, after the collection is evaluated.
        "for_statement" => {
            if let Some(right) = n.child_by_field_name("right") {
                loops.push((n, right.end_byte()));
            }
        }
        // A comprehension's `for` comes after the body that uses its variable.
        "list_comprehension"
        | "set_comprehension"
        | "dictionary_comprehension"
        | "generator_expression" => {
            for clause in python::named_children(n) {
                if clause.kind() == "for_in_clause" {
                    loops.push((clause, n.start_byte()));
                }
            }
        }
        _ => {}
    });
    let scopes = Scopes {
        functions,
        module: root.id(),
    };
    let mutated = python_mutated_names(doc, &scopes, &calls, &assignments);
    let mut analyzer = Analyzer::new(doc, root, scopes, &assignments);
    analyzer.bind_adds(&adds);
    analyzer.bind_loops(&loops, &mutated);
    analyzer.numeric = numeric
        .into_iter()
        .map(|n| (analyzer.scopes.of(n.start_byte()), text(doc, n).to_string()))
        .collect();
    analyzer.parameters = parameters
        .into_iter()
        .map(|n| (analyzer.scopes.of(n.start_byte()), text(doc, n).to_string()))
        .collect();
    let mut reported_sites = HashSet::new();
    for &call in &calls {
        check_sink(&analyzer, call, &mut reported_sites, out);
    }
    // What no sink in this file runs, but leaves where a sink elsewhere may.
    let mut passed_on = PassedOn::new(&mut reported_sites, out);
    for call in calls {
        let Some(name) = callee_name(doc, call) else {
            continue;
        };
        if sink_kind(doc, call, name).is_some() || consumes_text(name) || python_builds_text(name) {
            continue;
        }
        let (positional, keywords) = call_arguments(doc, call);
        for arg in positional
            .into_iter()
            .chain(keywords.into_iter().map(|(_, v)| v))
        {
            let value = analyzer.value(arg, arg.start_byte(), 0);
            passed_on.report(&value, &format!("is passed to `{name}`"));
        }
    }
    for r in returns {
        let (exprs, leaves) = match r.kind() {
            "return_statement" => (python::named_children(r), "is returned"),
            "yield" => (python::named_children(r), "is yielded"),
            // A lambda's body.
            _ => (vec![r], "is returned"),
        };
        for expr in exprs {
            let items = match unparen(expr).kind() {
                // `return sql, params`
                "expression_list" | "tuple" => python::named_children(unparen(expr)),
                _ => vec![expr],
            };
            for item in items {
                let value = analyzer.value(item, item.start_byte(), 0);
                passed_on.report(&value, leaves);
            }
        }
    }
    // `global q` / `nonlocal q` in a function: assigning `q` there sets the module's or
    // the enclosing function's variable.
    let mut outer_names: HashMap<ScopeKey, &str> = HashMap::new();
    for g in globals {
        let scope = analyzer.scopes.of(g.start_byte());
        let how = if g.kind() == "global_statement" {
            "global"
        } else {
            "nonlocal"
        };
        for name in python::named_children(g) {
            outer_names.insert((scope, text(doc, name).to_string()), how);
        }
    }
    for a in assignments {
        let (Some(left), Some(right)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
        ) else {
            continue;
        };
        // A module or class variable can be imported; an attribute or item outlives the
        // function. A local is judged where it is used (the sinks and calls above).
        let target = text(doc, left);
        let scope = analyzer.scopes.of(a.start_byte());
        let leaves = match left.kind() {
            "identifier" if scope == root.id() => {
                format!("is assigned to module-level `{target}`")
            }
            "identifier" => match outer_names.get(&(scope, target.to_string())) {
                Some(how) => format!("is assigned to {how} `{target}`"),
                None => continue,
            },
            "attribute" | "subscript" => format!("is stored in `{target}`"),
            _ => continue,
        };
        let value = analyzer.value(right, right.start_byte(), 0);
        passed_on.report(&value, &leaves);
    }
    analyzer.gave_up.warn(doc);
}

/// Methods that change a collection in place: a loop over a list of literals that one of
/// them also fills (`tables.append(name)`) may walk data.
/// TODO: a list handed to a function that fills it (`add_user_tables(tables, request)`)
/// is still taken for its literals.
const MUTATORS: [&str; 18] = [
    "append",
    "extend",
    "insert",
    "add",
    "addAll",
    "update",
    "setdefault",
    "push",
    "unshift",
    "splice",
    "set",
    "put",
    "putAll",
    "offer",
    "addFirst",
    "addLast",
    "push_back",
    "push_front",
];

/// Whether the collection named `name`, as seen from `scope`, is changed in place
/// somewhere (`mutated` holds (scope, name) of each `name.append(..)`, `name[k] = ..`):
/// in that scope, or anywhere when the name is not assigned in that scope (a module-level
/// list filled by another function).
fn filled_in_place(
    mutated: &HashSet<ScopeKey>,
    assigns: &HashMap<ScopeKey, Vec<Assign>>,
    scope: usize,
    name: &str,
) -> bool {
    let key = (scope, name.to_string());
    mutated.contains(&key)
        || (!assigns.contains_key(&key) && mutated.iter().any(|(_, m)| m == name))
}

/// (scope, name) of each collection changed in place: `name.append(..)`, `name[k] = ..`.
fn python_mutated_names(
    doc: &Document,
    scopes: &Scopes,
    calls: &[Node],
    assignments: &[Node],
) -> HashSet<ScopeKey> {
    let mut names = HashSet::new();
    for call in calls {
        let Some(function) = call.child_by_field_name("function") else {
            continue;
        };
        if let (Some(object), Some(method)) = (
            function.child_by_field_name("object"),
            function.child_by_field_name("attribute"),
        ) && object.kind() == "identifier"
            && MUTATORS.contains(&text(doc, method))
        {
            names.insert((
                scopes.of(object.start_byte()),
                text(doc, object).to_string(),
            ));
        }
    }
    for a in assignments {
        if let Some(left) = a.child_by_field_name("left")
            && left.kind() == "subscript"
            && let Some(object) = left.child_by_field_name("value")
            && object.kind() == "identifier"
        {
            names.insert((
                scopes.of(object.start_byte()),
                text(doc, object).to_string(),
            ));
        }
    }
    names
}

/// Methods that add items to a collection (`marks.append(x)`): as a statement, they set
/// what the collection holds from then on.
const ADDERS: [&str; 15] = [
    "append",
    "extend",
    "insert",
    "add",
    "addAll",
    "update",
    "appendleft",
    "extendleft",
    "push",
    "unshift",
    "put",
    "putAll",
    "set",
    "push_back",
    "push_front",
];

/// `marks.append(x)` as a statement: the collection's name and the call.
fn python_added_to<'t>(doc: &Document, statement: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let call = statement.named_child(0).filter(|c| c.kind() == "call")?;
    let function = call.child_by_field_name("function")?;
    let object = function
        .child_by_field_name("object")
        .filter(|o| o.kind() == "identifier")?;
    let method = function.child_by_field_name("attribute")?;
    ADDERS
        .contains(&text(doc, method))
        .then_some((object, call))
}

/// The names a `for` target binds: `t`, `i, t`, `(a, (b, c))`, `[a, b]`; attributes and
/// items are not names.
fn python_target_names<'t>(target: Node<'t>, out: &mut Vec<Node<'t>>) {
    match target.kind() {
        "identifier" => out.push(target),
        "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" => {
            for child in python::named_children(target) {
                python_target_names(child, out);
            }
        }
        "parenthesized_expression" => {
            if let Some(inner) = target.named_child(0) {
                python_target_names(inner, out);
            }
        }
        _ => {}
    }
}

/// The name of a parameter annotated as a number or a boolean (`n: int`, `n: int = 10`,
/// `ratio: Optional[float] = None`): its value renders as digits or `True`/`False`, which
/// cannot change a query. Python does not enforce it, but type checkers hold callers to
/// it, as the other languages' compilers do for `int n`.
fn python_numeric_parameter<'t>(doc: &Document, param: Node<'t>) -> Option<Node<'t>> {
    let name = match param.kind() {
        "typed_default_parameter" => param.child_by_field_name("name")?,
        // `n: int` has no field for its name; `*args: int` is a splat, not a name.
        _ => param.named_child(0)?,
    };
    if name.kind() != "identifier" {
        return None;
    }
    let annotation = text(doc, param.child_by_field_name("type")?);
    is_numeric_annotation(annotation).then_some(name)
}

/// `int`, `float`, `bool`, `Decimal`, also quoted, `Optional[..]` of one, or a union of
/// them with `None`.
fn is_numeric_annotation(annotation: &str) -> bool {
    let mut ty = annotation.trim().trim_matches(['"', '\'']).trim();
    for wrapper in ["Optional[", "typing.Optional["] {
        if let Some(inner) = ty.strip_prefix(wrapper).and_then(|t| t.strip_suffix(']')) {
            ty = inner;
        }
    }
    let mut parts = ty.split('|').map(str::trim).filter(|t| *t != "None");
    let mut any = false;
    let all = parts.all(|t| {
        any = true;
        matches!(
            t,
            "int" | "float" | "bool" | "complex" | "Decimal" | "decimal.Decimal"
        )
    });
    any && all
}

/// Calls that [`Analyzer::call`] follows: SQL going into them is still being built (or
/// reduced to a number), not passed on.
fn python_builds_text(name: &str) -> bool {
    matches!(
        name,
        "format"
            | "replace"
            | "join"
            | "str"
            | "strip"
            | "lstrip"
            | "rstrip"
            | "lower"
            | "upper"
            | "int"
            | "float"
            | "len"
            | "bool"
            | "abs"
            | "round"
            | "count"
    )
}

/// Calls that take text to show or record it, never to run it: output, logging,
/// exceptions, translation.
fn consumes_text(name: &str) -> bool {
    matches!(
        name,
        "print"
            | "pprint"
            | "echo"
            | "secho"
            | "write"
            | "writelines"
            | "debug"
            | "info"
            | "warning"
            | "warn"
            | "error"
            | "exception"
            | "critical"
            | "fatal"
            | "log"
            | "trace"
            | "_"
            | "gettext"
            | "ngettext"
            | "gettext_lazy"
            | "Print"
            | "Printf"
            | "Println"
            | "Fprintf"
            | "Fprintln"
            | "Errorf"
            | "Fatalf"
            | "Panicf"
            | "println"
            | "printf"
            | "t"
            | "alert"
            | "confirm"
            | "panic"
            | "Err"
    ) || name.ends_with("Error")
        || name.ends_with("Exception")
        || name.ends_with("Warning")
}

/// Reports SQL built from data that no sink in the file runs but that leaves the place
/// where it was built: returned, handed to another function, stored. Each build site
/// once, and never one a sink already reported.
struct PassedOn<'r, 'o> {
    reported_sites: &'r mut HashSet<usize>,
    out: &'o mut Findings,
}

impl<'r, 'o> PassedOn<'r, 'o> {
    fn new(reported_sites: &'r mut HashSet<usize>, out: &'o mut Findings) -> Self {
        PassedOn {
            reported_sites,
            out,
        }
    }

    /// `value` leaves as `leaves` says ("is returned"); reported when it holds SQL built
    /// from data.
    fn report(&mut self, value: &Value, leaves: &str) {
        // Without a query call to confirm it, text that might be prose or a command
        // line ("Create index %s on %s", "EXEC %s") is not taken for SQL.
        let Some(site) = value.built.as_ref().filter(|s| s.certain) else {
            return;
        };
        // The SQL-looking start may go on as a sentence: "drop table " + name + " now?".
        if reads_as_sentence(&value.shape) {
            return;
        }
        if !self.reported_sites.insert(site.range.start) {
            return;
        }
        self.out.report(
            ID_PASSED_ON,
            site.range.clone(),
            format!(
                "SQL built with {} {leaves}; no query call in view binds its values: use placeholders and pass the values as parameters",
                site.how
            ),
        );
    }
}

/// The cheap test that decides whether a Python file is parsed: a quote followed by a
/// SQL verb and the name of a sink, or such a literal with data going into it.
fn might_build_sql(text: &str) -> bool {
    // Sinks that take fragments ("id = %s") need no verb in the file.
    const FRAGMENT_SINKS: [&str; 4] = [".extra(", "RawSQL", "exec_driver_sql", "executescript"];
    // The literal first: most files have none, and one pass finds out.
    let mut literals = sql_literals(text).peekable();
    if literals.peek().is_some() {
        if calls_python_sink(text) {
            return true;
        }
        if literals.any(|(quote, start)| built_where_written(text, quote, start)) {
            return true;
        }
    }
    static FRAGMENT_FINDER: LazyLock<Option<AhoCorasick>> =
        LazyLock::new(|| AhoCorasick::new(FRAGMENT_SINKS).ok());
    FRAGMENT_FINDER
        .as_ref()
        .is_none_or(|finder| finder.is_match(text))
}

/// True when `text` calls one of the names `sink_kind` takes for a Python query sink:
/// the name whole (not `execute_remove`, `context`, `draw`) and then `(`. Docstrings that
/// start "Update the ... set" or "Select ... from" are common in large Python files, and
/// a name merely containing "text" or "fetch" is in most of them.
fn calls_python_sink(text: &str) -> bool {
    // Longer names first: of two found at one place, the first listed is taken.
    static SINK_NAMES: LazyLock<Words> = LazyLock::new(|| {
        Words::new(&[
            "executemany",
            "executescript",
            "execute",
            "exec_driver_sql",
            "fetchrow",
            "fetchval",
            "fetch",
            "read_sql_query",
            "read_sql",
            "RawSQL",
            "text",
            "raw",
        ])
    });
    let Some(found) = SINK_NAMES.ranges(text) else {
        return true;
    };
    let bytes = text.as_bytes();
    let identifier = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut found = found;
    found.any(|r| {
        let whole_start = r.start == 0 || !identifier(bytes[r.start - 1]);
        let after = &bytes[r.end..];
        let called = after
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t'))
            .is_some_and(|b| *b == b'(');
        whole_start && called
    })
}

/// True when some quote (`"`, `'` or a backtick) is followed by text that reads as SQL.
fn has_sql_literal(text: &str) -> bool {
    sql_literals(text).next().is_some()
}

/// True when some literal that reads as SQL shows signs of data going into it where it
/// is written: an f-string or template with holes, `%`, `+`, `.format(`, `Sprintf(` next
/// to it. (SQL grown later by `+=` on another line is only looked for near a sink.)
fn has_built_sql_literal(text: &str) -> bool {
    sql_literals(text).any(|(quote, start)| built_where_written(text, quote, start))
}

/// The SQL-looking literals of `text`: the byte offset of each opening quote, and the
/// quote.
fn sql_literals(text: &str) -> impl Iterator<Item = (u8, usize)> + '_ {
    const VERBS: [&[u8]; 12] = [
        b"select",
        b"insert",
        b"update",
        b"delete",
        b"merge",
        b"replace",
        b"with",
        b"create",
        b"alter",
        b"drop",
        b"truncate",
        b"exec",
    ];
    let bytes = text.as_bytes();
    // Every quote, then a look at the word after it: this runs on every source file,
    // and a quote is far rarer than the English words the verbs also are.
    memchr::memchr3_iter(b'"', b'\'', b'`', bytes).filter_map(move |quote_at| {
        let quote = bytes[quote_at];
        let after = &bytes[quote_at + 1..];
        let word_start = after
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(after.len());
        let word = &after[word_start..];
        let word_len = word
            .iter()
            .position(|b| !b.is_ascii_alphabetic())
            .unwrap_or(word.len());
        // A whole word: not followed by a digit, `_` or a non-ASCII letter.
        if word
            .get(word_len)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'_' || !b.is_ascii())
            || !VERBS
                .iter()
                .any(|v| v.eq_ignore_ascii_case(&word[..word_len]))
        {
            return None;
        }
        // A quote, a verb, and SQL after it up to the closing quote: "with open(..)"
        // in a docstring or "Create a .." in a message does not make the file worth
        // parsing.
        let rest = text.get(quote_at + 1..).unwrap_or("");
        let mut end = rest
            .bytes()
            .position(|b| b == quote)
            .unwrap_or(rest.len())
            .min(400);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let literal = rest.get(..end).unwrap_or("");
        (looks_sql(literal) && (!is_bare_select(literal) || from_follows(rest, end)))
            .then_some((quote, quote_at))
    })
}

/// Whether the literal whose opening `quote` is at byte `start` is built with data right
/// where it is written.
fn built_where_written(text: &str, quote: u8, start: usize) -> bool {
    const BUILDERS_BEFORE: [&str; 7] = [
        "Sprintf(", "format(", "format!(", "append(", "Format(", "concat(", "+",
    ];
    const BUILDERS_AFTER: [&str; 6] =
        ["%", "+", ".format(", ".replace(", ".formatted(", ".concat("];
    let bytes = text.as_bytes();
    // A triple quote opens with three; the verb follows the last.
    let opening = bytes[..start.min(bytes.len())]
        .iter()
        .rev()
        .take_while(|&&b| b == quote)
        .count();
    let before = text.get(..start - opening.min(start)).unwrap_or("");
    let prefix: String = before
        .chars()
        .rev()
        .take_while(char::is_ascii_alphabetic)
        .take(3)
        .collect();
    let f_string = !prefix.is_empty()
        && prefix.contains(['f', 'F'])
        && prefix.chars().all(|c| "rRfFbB".contains(c));
    if BUILDERS_BEFORE
        .iter()
        .any(|b| before.trim_end().ends_with(b))
    {
        return true;
    }
    // The literal up to its closing quote (three for a triple-quoted one).
    let body_start = start + 1;
    let closing = if opening >= 2 {
        let q = [quote; 3];
        text.get(body_start..)
            .and_then(|rest| rest.as_bytes().windows(3).position(|w| w == q))
    } else {
        text.get(body_start..)
            .and_then(|rest| rest.bytes().position(|b| b == quote))
    };
    // Past a long literal, or unclosed: parse rather than guess.
    let Some(len) = closing.filter(|&len| len <= 16 * 1024) else {
        return true;
    };
    let body = text.get(body_start..body_start + len).unwrap_or("");
    if body.contains("${") || (f_string && body.contains('{')) {
        return true;
    }
    let after = text
        .get(body_start + len..)
        .unwrap_or("")
        .trim_start_matches(char::from(quote))
        .trim_start();
    BUILDERS_AFTER.iter().any(|b| after.starts_with(b))
}

/// A literal that is `SELECT` followed by words only (no `FROM`, digit, `*`, `%s`, `{}`,
/// call or list): a query only when a later piece brings the `FROM`. Alone, it is far more
/// often the name of an HTML element or a key (`"select"`), and parsing every such file
/// was most of the code rules' cost.
fn is_bare_select(literal: &str) -> bool {
    let lower = literal.trim_start().to_ascii_lowercase();
    lower.strip_prefix("select").is_some_and(|rest| {
        rest.chars()
            .all(|c| c.is_ascii_alphabetic() || c == '_' || c.is_whitespace())
            && !rest.split_whitespace().any(|w| w == "from")
    })
}

/// True when the word `from`, not a method (`Array.from`), comes soon after the literal
/// that ends at `end` of `rest`: the next piece of a concatenated query.
fn from_follows(rest: &str, end: usize) -> bool {
    const WINDOW: usize = 300;
    let bytes = rest.as_bytes();
    let stop = (end + WINDOW).min(bytes.len());
    let window = &bytes[end.min(stop)..stop];
    window.windows(5).enumerate().any(|(i, w)| {
        let word_start = i == 0
            || !(matches!(window[i - 1], b'.' | b'_') || window[i - 1].is_ascii_alphanumeric());
        if !(word_start && w[..4].eq_ignore_ascii_case(b"from") && w[4].is_ascii_whitespace()) {
            return false;
        }
        // "subtracts from an existing selection" is prose, "FROM users" is not.
        let after = String::from_utf8_lossy(&window[i + 4..]);
        let next = after
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        !next.is_empty() && !PROSE.contains(&next.as_str())
    })
}

/// How a sink takes its query.
#[derive(Clone, Copy, PartialEq)]
enum SinkKind {
    /// The first argument must read as SQL to count.
    Query,
    /// Whatever is passed is SQL, whole or a fragment (`RawSQL`, `extra(where=..)`).
    Fragment,
}

/// Folds a left-nested `+` chain whose top is `top` as the list it is, in any grammar:
/// `plus` says whether a left operand is another `+` of the chain (and gives the node to
/// go on from), `value` evaluates an operand. Each `+` is its own construction, so the
/// innermost one that reads as SQL stays the build site.
fn fold_plus_chain<'t>(
    top: Node<'t>,
    plus: impl Fn(Node<'t>) -> Option<Node<'t>>,
    value: impl Fn(Node<'t>) -> Value,
) -> Value {
    let mut chain = vec![top];
    let mut first = top;
    while let Some(left) = first.child_by_field_name("left").and_then(&plus) {
        chain.push(left);
        first = left;
    }
    let Some(left) = first.child_by_field_name("left") else {
        return Value::unknown();
    };
    let mut folded = value(left);
    for node in chain.into_iter().rev() {
        let Some(right) = node.child_by_field_name("right") else {
            return Value::unknown();
        };
        let r = value(right);
        let shape = Shape::join(&folded.shape, &r.shape);
        folded = Value::constructed(node, "concatenation", shape, &[folded, r]);
    }
    folded
}

fn sink_kind(doc: &Document, call: Node, name: &str) -> Option<SinkKind> {
    let is_method = call
        .child_by_field_name("function")
        .is_some_and(|f| f.kind() == "attribute");
    match name {
        "execute" | "executemany" | "raw" | "fetch" | "fetchrow" | "fetchval" | "read_sql"
        | "read_sql_query"
            if is_method =>
        {
            Some(SinkKind::Query)
        }
        "executescript" | "exec_driver_sql" | "extra" if is_method => Some(SinkKind::Fragment),
        "RawSQL" => Some(SinkKind::Fragment),
        // SQLAlchemy's `text()` also wraps fragments (`.where(text(..))`), but the name is
        // common: take fragments only in a file that uses SQLAlchemy.
        "text" if doc.text.contains("sqlalchemy") => Some(SinkKind::Fragment),
        "text" => Some(SinkKind::Query),
        _ => None,
    }
}

fn check_sink(
    analyzer: &Analyzer,
    call: Node,
    reported_sites: &mut HashSet<usize>,
    out: &mut Findings,
) {
    let doc = analyzer.doc;
    let Some(name) = callee_name(doc, call) else {
        return;
    };
    let Some(kind) = sink_kind(doc, call, name) else {
        return;
    };
    let (positional, keywords) = call_arguments(doc, call);
    let mut queries = Vec::new();
    if name == "extra" {
        // `.extra(where=[..], select={..}, tables=[..], order_by=[..])`
        for (k, v) in &keywords {
            if matches!(*k, "where" | "select" | "tables" | "order_by") {
                queries.extend(collection_items(*v));
            }
        }
    } else if let Some(first) = positional.first() {
        queries.push(*first);
    } else if let Some((_, v)) = keywords
        .iter()
        .find(|(k, _)| matches!(*k, "sql" | "query" | "operation" | "statement"))
    {
        queries.push(*v);
    }

    for query in queries {
        let value = analyzer.value(query, query.start_byte(), 0);
        let site = match kind {
            SinkKind::Query if looks_sql(&value.shape) || value.built.is_some() => value.built,
            SinkKind::Query => None,
            SinkKind::Fragment => value.built.or(value.dynamic),
        };
        if let Some(site) = site {
            report(doc, call.byte_range(), name, &site, reported_sites, out);
        }
    }
}

/// The elements of a list, tuple or set literal, the values of a dict literal.
fn collection_items(node: Node) -> Vec<Node> {
    let node = unparen(node);
    match node.kind() {
        "list" | "tuple" | "set" => python::named_children(node),
        "dictionary" => python::named_children(node)
            .into_iter()
            .filter_map(|pair| pair.child_by_field_name("value"))
            .collect(),
        _ => vec![node],
    }
}

fn report(
    doc: &Document,
    call: Range<usize>,
    sink: &str,
    site: &Site,
    reported_sites: &mut HashSet<usize>,
    out: &mut Findings,
) {
    let site_line = doc.line_of(site.range.start);
    let call_line = doc.line_of(call.start);
    let inside_call = site.range.start >= call.start && site.range.end <= call.end;
    if reported_sites.insert(site.range.start) {
        let message = if inside_call || site_line == call_line {
            format!(
                "SQL built with {} is passed to `{sink}`: bind values as query parameters",
                site.how
            )
        } else {
            format!(
                "SQL built with {} reaches `{sink}` on line {call_line}: bind values as query parameters",
                site.how
            )
        };
        // The whole call belongs to the fault: a marker on its closing `)` line counts.
        out.report_related(ID, site.range.clone(), vec![call.clone()], message);
    }
    if !inside_call && site_line != call_line {
        // One fault reported at two places: a marker where the SQL is built (where
        // bandit reports B608) covers the call too.
        out.report_related(
            ID,
            call,
            vec![site.range.clone()],
            format!(
                "`{sink}` runs SQL built with {} on line {site_line}",
                site.how
            ),
        );
    }
}

/// Where non-literal data entered the text, and how.
#[derive(Debug, Clone)]
struct Site {
    range: Range<usize>,
    how: &'static str,
    /// The text built here reads as SQL beyond doubt ([`looks_sql_beyond_doubt`]).
    certain: bool,
}

/// The text a value is known to have, at most [`MAX_SHAPE`] bytes, shared: every step of
/// `q += x` keeps its own value, and a copy each would cost memory in proportion to the
/// number of steps times the length of the text.
#[derive(Debug, Clone, PartialEq)]
struct Shape(Rc<str>);

impl Shape {
    /// `pieces` one after the other, copied only up to the cap: once the first piece
    /// fills it, that same text is shared rather than copied again.
    fn concat<'s>(pieces: impl IntoIterator<Item = &'s str>) -> Shape {
        let mut out = String::new();
        for piece in pieces {
            if out.len() >= MAX_SHAPE {
                break;
            }
            out.push_str(capped_str(piece));
        }
        Shape::from(out)
    }

    /// [`Shape::concat`] of two values' shapes; `first` itself when it is full already.
    fn join(first: &Shape, second: &Shape) -> Shape {
        Shape::of([first, second])
    }

    /// The shapes of `parts` one after the other; the first one itself when it is full
    /// already (`q = f"{q} AND a = {x}"` repeated shares one text).
    fn of<'s>(parts: impl IntoIterator<Item = &'s Shape>) -> Shape {
        let mut parts = parts.into_iter().peekable();
        if let Some(first) = parts.peek()
            && first.0.len() >= MAX_SHAPE
        {
            return (*first).clone();
        }
        Shape::concat(parts.map(Shape::as_str))
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Shape {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Shape {
    fn from(text: String) -> Shape {
        Shape(capped(text).into())
    }
}

impl From<&str> for Shape {
    fn from(text: &str) -> Shape {
        Shape(capped_str(text).into())
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an expression is known to hold.
#[derive(Debug, Clone)]
struct Value {
    /// The text with literal pieces as written and every unknown piece as `_`.
    shape: Shape,
    /// Made only of literals and values that cannot carry text from outside.
    safe: bool,
    /// The innermost construction whose result read as SQL and held non-literal data.
    built: Option<Site>,
    /// The first construction that mixed non-literal data into text, SQL-shaped or not.
    dynamic: Option<Site>,
}

impl Value {
    fn unknown() -> Value {
        Value {
            shape: "_".into(),
            safe: false,
            built: None,
            dynamic: None,
        }
    }

    /// A list, tuple, dict or the like of `parts`: safe when every part is, and holding
    /// whatever SQL they hold.
    fn collection(parts: &[Value]) -> Value {
        Value {
            shape: "_".into(),
            safe: parts.iter().all(|p| p.safe),
            built: parts.iter().find_map(|p| p.built.clone()),
            dynamic: parts.iter().find_map(|p| p.dynamic.clone()),
        }
    }

    /// One element of the collection this value is: as safe as the whole, with no text
    /// of its own to read as SQL.
    fn element(self) -> Value {
        Value {
            shape: "_".into(),
            ..self
        }
    }

    fn safe(shape: impl Into<Shape>) -> Value {
        Value {
            shape: shape.into(),
            safe: true,
            built: None,
            dynamic: None,
        }
    }

    /// The value of a construction (`how` at `node`) from its `parts`, joined into
    /// `shape`.
    fn constructed(
        node: Node,
        how: &'static str,
        shape: impl Into<Shape>,
        parts: &[Value],
    ) -> Value {
        Value::constructed_at(node.byte_range(), how, shape, parts)
    }

    /// [`Value::constructed`] for a construction spanning the bytes `range`.
    fn constructed_at(
        range: Range<usize>,
        how: &'static str,
        shape: impl Into<Shape>,
        parts: &[Value],
    ) -> Value {
        let shape = shape.into();
        let safe = parts.iter().all(|p| p.safe);
        let site = Site {
            range,
            how,
            certain: false,
        };
        let built = parts.iter().find_map(|p| p.built.clone()).or_else(|| {
            (!safe && looks_sql(&shape)).then(|| Site {
                certain: looks_sql_beyond_doubt(&shape),
                ..site.clone()
            })
        });
        let dynamic = parts
            .iter()
            .find_map(|p| p.dynamic.clone())
            .or_else(|| (!safe).then_some(site));
        Value {
            shape,
            safe,
            built,
            dynamic,
        }
    }
}

/// Nesting bound for expressions; beyond it a value is unknown, and the file gets a
/// warning ([`GaveUp`]). Chains of `+` and `.append(..)` are walked as lists and do not
/// count against it; nested calls, parentheses and names defined from names do.
const MAX_DEPTH: usize = 100;

/// Where the evaluation first hit [`MAX_DEPTH`]: SQL built beyond it is not seen, which
/// must not go unsaid.
#[derive(Default)]
struct GaveUp(std::cell::Cell<Option<usize>>);

impl GaveUp {
    fn note(&self, at: usize) {
        if self.0.get().is_none() {
            self.0.set(Some(at));
        }
    }

    /// One warning for the file, at the first place given up on.
    fn warn(&self, doc: &Document) {
        if let Some(at) = self.0.get() {
            doc.warn(
                doc.line_of(at),
                format!(
                    "{ID}: an expression nests deeper than {MAX_DEPTH} levels; SQL built in it is not checked"
                ),
            );
        }
    }
}

/// An assignment to a plain name.
struct Assign<'t> {
    end: usize,
    node: Node<'t>,
    right: Node<'t>,
    /// The operator of an augmented assignment (`+=`), `None` for `=`; in C-like languages
    /// also `None` for a statement `sb.append(x);`, whose call evaluates to the builder's
    /// new value. A loop variable has one of the `LOOP_*` markers.
    op: Option<&'t str>,
}

/// [`Assign::op`] of a loop variable: one element of the collection on the right.
const LOOP_ELEMENT: &str = "for-in";
/// [`Assign::op`] of a loop's counter (`enumerate`'s first name, an array callback's
/// index): a number.
const LOOP_INDEX: &str = "for-index";
/// [`Assign::op`] of a loop over a collection filled in place: unknown.
const LOOP_UNKNOWN: &str = "for-unknown";

type ScopeKey = (usize, String);

/// The value of `key` after its assignments `0..=index` in `assigns`, computed once per
/// prefix and kept in `states`; `eval` evaluates an assignment's right side. Shared by the
/// Python analyzer and the C-like one (`clike`).
fn fold_state<'t>(
    assigns: &HashMap<ScopeKey, Vec<Assign<'t>>>,
    states: &RefCell<HashMap<ScopeKey, Vec<Value>>>,
    key: &ScopeKey,
    index: usize,
    eval: &dyn Fn(Node<'t>) -> Value,
) -> Value {
    let Some(list) = assigns.get(key) else {
        return Value::unknown();
    };
    loop {
        let done = states.borrow().get(key).map_or(0, Vec::len);
        if done > index {
            return states
                .borrow()
                .get(key)
                .and_then(|s| s.get(index).cloned())
                .unwrap_or_else(Value::unknown);
        }
        let Some(assign) = list.get(done) else {
            return Value::unknown();
        };
        let previous = match done {
            0 => None,
            n => states.borrow().get(key).and_then(|s| s.get(n - 1).cloned()),
        };
        let rhs = eval(assign.right);
        let next = match (assign.op, previous) {
            (None, previous) => keep_built(rhs, previous),
            (Some("+="), Some(prev)) => {
                let shape = Shape::join(&prev.shape, &rhs.shape);
                Value::constructed(assign.node, "concatenation", shape, &[prev, rhs])
            }
            (Some("+="), None) => rhs,
            (Some(LOOP_ELEMENT), previous) => keep_built(rhs.element(), previous),
            (Some(LOOP_INDEX), previous) => keep_built(Value::safe("_"), previous),
            (Some(_), previous) => keep_built(Value::unknown(), previous),
        };
        let mut states = states.borrow_mut();
        let entry = states.entry(key.clone()).or_default();
        // A recursive evaluation may have filled this slot already.
        if entry.len() == done {
            entry.push(next);
        }
    }
}

/// Evaluates expressions of one file, remembering variables' values.
struct Analyzer<'d, 'a, 't> {
    doc: &'d Document<'a>,
    root: Node<'t>,
    /// Assignments to each name, per scope (function or module), in source order.
    assigns: HashMap<ScopeKey, Vec<Assign<'t>>>,
    scopes: Scopes,
    /// The value of a name after its first k assignments, k = index + 1.
    states: RefCell<HashMap<ScopeKey, Vec<Value>>>,
    /// Parameters annotated with a number or boolean type: they cannot carry SQL.
    numeric: HashSet<ScopeKey>,
    /// Every function's parameters: a nested function's parameter hides the variable of
    /// the same name around it.
    parameters: HashSet<ScopeKey>,
    gave_up: GaveUp,
}

impl<'d, 'a, 't> Analyzer<'d, 'a, 't> {
    fn new(doc: &'d Document<'a>, root: Node<'t>, scopes: Scopes, nodes: &[Node<'t>]) -> Self
    where
        'a: 't,
    {
        let mut assigns: HashMap<ScopeKey, Vec<Assign<'t>>> = HashMap::new();
        for &n in nodes {
            let op = match n.kind() {
                "assignment" => None,
                "augmented_assignment" => n.child_by_field_name("operator").map(|o| o.kind()),
                _ => continue,
            };
            let (Some(left), Some(right)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                continue;
            };
            if left.kind() != "identifier" {
                continue;
            }
            let key = (scopes.of(n.start_byte()), text(doc, left).to_string());
            assigns.entry(key).or_default().push(Assign {
                end: n.end_byte(),
                node: n,
                right,
                op,
            });
        }
        Analyzer {
            doc,
            root,
            assigns,
            scopes,
            states: RefCell::new(HashMap::new()),
            numeric: HashSet::new(),
            parameters: HashSet::new(),
            gave_up: GaveUp::default(),
        }
    }

    /// Records `marks.append(x)` statements as assignments of `marks`: the list so far
    /// with the new items ([`Analyzer::call`]).
    fn bind_adds(&mut self, adds: &[(Node<'t>, Node<'t>)]) {
        for &(name, call) in adds {
            let key = (
                self.scopes.of(call.start_byte()),
                text(self.doc, name).to_string(),
            );
            self.assigns.entry(key).or_default().push(Assign {
                end: call.end_byte(),
                node: call,
                right: call,
                op: None,
            });
        }
        for list in self.assigns.values_mut() {
            list.sort_by_key(|a| a.end);
        }
    }

    /// Binds each loop's variables (`for t in ("a", "b")`, comprehensions too) to an
    /// element of the collection walked, visible from byte `from` on. `enumerate`'s first
    /// name is a count; a collection some call fills in place (`mutated`) is unknown.
    fn bind_loops(&mut self, loops: &[(Node<'t>, usize)], mutated: &HashSet<ScopeKey>) {
        let mut bindings = Vec::new();
        for &(node, from) in loops {
            let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) else {
                continue;
            };
            let mut names = Vec::new();
            python_target_names(left, &mut names);
            let collection = unparen(right);
            let filled = collection.kind() == "identifier"
                && filled_in_place(
                    mutated,
                    &self.assigns,
                    self.scopes.of(collection.start_byte()),
                    text(self.doc, collection),
                );
            let counted = collection.kind() == "call"
                && callee_name(self.doc, collection) == Some("enumerate")
                && names.len() > 1;
            for (i, name) in names.into_iter().enumerate() {
                let op = match (filled, counted && i == 0) {
                    (true, _) => LOOP_UNKNOWN,
                    (false, true) => LOOP_INDEX,
                    (false, false) => LOOP_ELEMENT,
                };
                let key = (
                    self.scopes.of(node.start_byte()),
                    text(self.doc, name).to_string(),
                );
                bindings.push((
                    key,
                    Assign {
                        end: from,
                        node,
                        right,
                        op: Some(op),
                    },
                ));
            }
        }
        for (key, assign) in bindings {
            self.assigns.entry(key).or_default().push(assign);
        }
        // Loops came after the assignments: keep each name's bindings in source order.
        for list in self.assigns.values_mut() {
            list.sort_by_key(|a| a.end);
        }
    }

    /// The value of `node`, with names resolved as they stand at byte `at`.
    fn value(&self, node: Node<'t>, at: usize, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            self.gave_up.note(node.start_byte());
            return Value::unknown();
        }
        let node = unparen(node);
        let d = depth + 1;
        match node.kind() {
            "string" => self.string(node, d),
            "concatenated_string" => {
                let parts: Vec<_> = python::named_children(node)
                    .into_iter()
                    .map(|p| self.value(p, p.start_byte(), d))
                    .collect();
                let shape = Shape::of(parts.iter().map(|p| &p.shape));
                Value::constructed(node, "an f-string", shape, &parts)
            }
            "integer" | "float" | "true" | "false" | "none" => Value::safe(text(self.doc, node)),
            "binary_operator" => self.binary(node, d),
            "call" => self.call(node, d),
            "identifier" => self.name(node, at, d),
            "attribute" => {
                // `cls.TABLE`, `Model._meta.db_table`: constants and model metadata.
                let attr = node
                    .child_by_field_name("attribute")
                    .map_or("", |a| text(self.doc, a));
                if is_constant_name(attr) || attr == "db_table" {
                    Value::safe("_")
                } else {
                    Value::unknown()
                }
            }
            "conditional_expression" => {
                let parts: Vec<_> = python::named_children(node)
                    .into_iter()
                    .map(|p| self.value(p, p.start_byte(), d))
                    .collect();
                // `a if cond else b`: the condition does not end up in the text.
                let (Some(a), Some(b)) = (parts.first(), parts.get(2)) else {
                    return Value::unknown();
                };
                Value {
                    shape: a.shape.clone(),
                    safe: a.safe && b.safe,
                    built: a.built.clone().or_else(|| b.built.clone()),
                    dynamic: a.dynamic.clone().or_else(|| b.dynamic.clone()),
                }
            }
            "list" | "tuple" | "set" => {
                let parts: Vec<_> = python::named_children(node)
                    .into_iter()
                    .map(|p| self.value(p, p.start_byte(), d))
                    .collect();
                Value::collection(&parts)
            }
            // Keys and values alike: a loop over a dict walks its keys.
            "dictionary" => {
                let mut parts = Vec::new();
                for item in python::named_children(node) {
                    let pieces = match item.kind() {
                        "pair" => vec![
                            item.child_by_field_name("key"),
                            item.child_by_field_name("value"),
                        ],
                        "dictionary_splat" => vec![item.named_child(0)],
                        _ => continue,
                    };
                    for piece in pieces.into_iter().flatten() {
                        parts.push(self.value(piece, piece.start_byte(), d));
                    }
                }
                Value::collection(&parts)
            }
            "list_comprehension" | "generator_expression" | "set_comprehension" => node
                .child_by_field_name("body")
                .map_or_else(Value::unknown, |b| {
                    let v = self.value(b, b.start_byte(), d);
                    Value {
                        shape: "_".into(),
                        ..v
                    }
                }),
            _ => Value::unknown(),
        }
    }

    fn string(&self, node: Node<'t>, d: usize) -> Value {
        let pieces = python::string_pieces(self.doc, node);
        if pieces.iter().all(|(p, _)| *p == Piece::Text) {
            return Value::safe(pieces.iter().map(|(_, t)| *t).collect::<String>());
        }
        let parts: Vec<Value> = pieces
            .iter()
            .map(|(piece, t)| match piece {
                Piece::Text => Value::safe(*t),
                Piece::Hole(expr) => self.value(*expr, expr.start_byte(), d),
            })
            .collect();
        let shape = Shape::of(parts.iter().map(|p| &p.shape));
        Value::constructed(node, "an f-string", shape, &parts)
    }

    fn binary(&self, node: Node<'t>, d: usize) -> Value {
        let (Some(left), Some(right), Some(op)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
            node.child_by_field_name("operator"),
        ) else {
            return Value::unknown();
        };
        if op.kind() == "+" {
            return self.concatenation(node, d);
        }
        let l = self.value(left, left.start_byte(), d);
        let r = self.value(right, right.start_byte(), d);
        match op.kind() {
            "%" => {
                let items = if unparen(right).kind() == "tuple" {
                    python::named_children(unparen(right))
                        .into_iter()
                        .map(|i| self.value(i, i.start_byte(), d))
                        .collect()
                } else {
                    vec![r]
                };
                let shape = l.shape.clone();
                let mut parts = vec![l];
                parts.extend(items);
                Value::constructed(node, "`%` formatting", shape, &parts)
            }
            // `["%s"] * len(ids)`, `"?" * n`: repeating safe text stays safe whatever
            // the count.
            "*" if (l.safe && !is_number(left)) || (r.safe && !is_number(right)) => {
                Value::safe("_")
            }
            _ => Value {
                shape: "_".into(),
                safe: l.safe && r.safe,
                built: l.built.or(r.built),
                dynamic: l.dynamic.or(r.dynamic),
            },
        }
    }

    /// `a + b + c + ..`: tree-sitter nests it to the left, one level per `+`. Walked as
    /// the list it is, so that a 60-column `INSERT` built with `+` is not cut off by the
    /// depth bound; each `+` is still its own construction (the innermost that reads as
    /// SQL is the build site, as before).
    fn concatenation(&self, node: Node<'t>, d: usize) -> Value {
        let plus = |n: Node<'t>| {
            let n = unparen(n);
            (n.kind() == "binary_operator"
                && n.child_by_field_name("operator")
                    .is_some_and(|o| o.kind() == "+"))
            .then_some(n)
        };
        fold_plus_chain(node, plus, |n| self.value(n, n.start_byte(), d))
    }

    fn call(&self, node: Node<'t>, d: usize) -> Value {
        let doc = self.doc;
        let Some(function) = node.child_by_field_name("function") else {
            return Value::unknown();
        };
        let name = callee_name(doc, node).unwrap_or("");
        let object = function.child_by_field_name("object");
        let (positional, keywords) = call_arguments(doc, node);
        let arg_values = || -> Vec<Value> {
            positional
                .iter()
                .copied()
                .chain(keywords.iter().map(|(_, v)| *v))
                .map(|a| self.value(a, a.start_byte(), d))
                .collect()
        };
        match (name, object) {
            ("format", Some(object)) => {
                let template = self.value(object, object.start_byte(), d);
                let shape = template.shape.clone();
                let mut parts = vec![template];
                parts.extend(arg_values());
                Value::constructed(node, "`.format()`", shape, &parts)
            }
            // `"... WHERE id = '[ID]'".replace("[ID]", value)`: a home-made template.
            ("replace", Some(object)) => {
                let template = self.value(object, object.start_byte(), d);
                let shape = template.shape.clone();
                let mut parts = vec![template];
                parts.extend(arg_values());
                Value::constructed(node, "`.replace()`", shape, &parts)
            }
            ("join", Some(object)) => {
                let separator = self.value(object, object.start_byte(), d);
                let Some(items) = positional.first() else {
                    return Value::unknown();
                };
                let items = unparen(*items);
                let mut parts: Vec<Value> = match items.kind() {
                    "list" | "tuple" | "set" => python::named_children(items)
                        .into_iter()
                        .map(|i| self.value(i, i.start_byte(), d))
                        .collect(),
                    _ => vec![self.value(items, items.start_byte(), d)],
                };
                let shape = if matches!(items.kind(), "list" | "tuple") {
                    let pieces: Vec<&str> = parts.iter().map(|p| p.shape.as_str()).collect();
                    pieces.join(separator.shape.as_str())
                } else {
                    "_".into()
                };
                parts.push(separator);
                Value::constructed(node, "`join`", shape, &parts)
            }
            // Text methods keep what their receiver holds.
            ("strip" | "lstrip" | "rstrip" | "lower" | "upper", Some(object)) => {
                self.value(object, object.start_byte(), d)
            }
            ("str", None) => positional
                .first()
                .map_or_else(Value::unknown, |a| self.value(*a, a.start_byte(), d)),
            // What a loop walks: the elements of the collections given.
            (
                "enumerate" | "sorted" | "reversed" | "list" | "tuple" | "set" | "frozenset"
                | "zip" | "iter",
                None,
            ) => {
                let parts: Vec<Value> = positional
                    .iter()
                    .map(|a| self.value(*a, a.start_byte(), d))
                    .collect();
                Value::collection(&parts)
            }
            ("items" | "keys" | "values" | "copy", Some(object)) => {
                self.value(object, object.start_byte(), d).element()
            }
            // `marks.append(x)`, recorded as an assignment of `marks` by `bind_adds`: the
            // items so far and the new ones.
            (name, Some(object)) if ADDERS.contains(&name) && object.kind() == "identifier" => {
                let mut parts = vec![self.value(object, node.start_byte(), d)];
                parts.extend(arg_values());
                Value::collection(&parts)
            }
            // Numbers cannot carry SQL; quoting and psycopg's composition escape it.
            ("int" | "float" | "len" | "bool" | "abs" | "round" | "count" | "range", _)
            | (
                "SQL" | "Identifier" | "Literal" | "Placeholder" | "quote_name" | "quote_ident"
                | "escape_string" | "literal",
                _,
            ) => Value::safe("_"),
            // `quote_name_unless_alias(..)`, and Django's customary `qn = quote_name`.
            (name, _) if name.starts_with("quote") || name == "qn" => Value::safe("_"),
            _ => Value::unknown(),
        }
    }

    /// A name as it stands at byte `at`: its assignments in the enclosing function
    /// before `at`, else its module-level assignments, else unknown (a parameter, a
    /// loop variable, an import) except UPPER_CASE constants, taken as safe.
    fn name(&self, node: Node<'t>, at: usize, d: usize) -> Value {
        let name = text(self.doc, node);
        let scope = self.scopes.of(node.start_byte());
        let local = (scope, name.to_string());
        if let Some(list) = self.assigns.get(&local) {
            // Each list is sorted by `end` (`Analyzer::new`, `bind_*`): a search, not a scan, so
            // that a function of n reassignments costs n lookups of log n.
            let count = list.partition_point(|a| a.end <= at);
            if count > 0 {
                return self.state(&local, count - 1, d);
            }
        }
        if self.numeric.contains(&local) {
            return Value::safe("_");
        }
        // A nested function (a callback, a closure) reads the variables of the functions
        // it is written in, unless it binds the name itself (assigns it anywhere in its
        // body, or takes it as a parameter).
        if !self.assigns.contains_key(&local) && !self.parameters.contains(&local) {
            for outer in self.scopes.enclosing(node.start_byte()).skip(1) {
                let key = (outer, name.to_string());
                if let Some(list) = self.assigns.get(&key)
                    && !list.is_empty()
                {
                    // As it stands where the closure is written; a closure written
                    // before the assignment still runs after it.
                    let count = list.partition_point(|a| a.end <= at).max(1);
                    return self.state(&key, count - 1, d);
                }
                if self.numeric.contains(&key) {
                    return Value::safe("_");
                }
                if self.parameters.contains(&key) {
                    return Value::unknown();
                }
            }
        }
        let module = (self.root.id(), name.to_string());
        if scope != self.root.id()
            && let Some(list) = self.assigns.get(&module)
            && !list.is_empty()
        {
            return self.state(&module, list.len() - 1, d);
        }
        if is_constant_name(name) {
            Value::safe("_")
        } else {
            Value::unknown()
        }
    }

    /// The value of `key` after its assignments `0..=index`, computed once per prefix.
    fn state(&self, key: &ScopeKey, index: usize, d: usize) -> Value {
        fold_state(&self.assigns, &self.states, key, index, &|right| {
            self.value(right, right.start_byte(), d)
        })
    }
}

/// A plain reassignment replaces the value, but SQL built from data in an earlier
/// assignment (another branch of an `if`, most often) is still remembered.
fn keep_built(mut value: Value, previous: Option<Value>) -> Value {
    if value.built.is_none()
        && let Some(prev) = previous
        && let Some(site) = prev.built
    {
        value.safe = false;
        value.built = Some(site);
        if looks_sql(&prev.shape) && !looks_sql(&value.shape) {
            value.shape = prev.shape;
        }
    }
    value
}

/// Where each function's local variables live. (Not `Node::parent`: tree-sitter finds a
/// parent by descending from the root, which made large files quadratic.)
struct Scopes {
    /// Byte range and node id of every function, in source order.
    functions: Vec<(Range<usize>, usize)>,
    module: usize,
}

impl Scopes {
    /// The ids of every function around byte `at`, innermost first.
    fn enclosing(&self, at: usize) -> impl Iterator<Item = usize> + '_ {
        let started = self.functions.partition_point(|(r, _)| r.start <= at);
        self.functions[..started]
            .iter()
            .rev()
            .filter(move |(r, _)| at < r.end)
            .map(|(_, id)| *id)
    }

    /// The id of the innermost function around byte `at`, or of the module.
    fn of(&self, at: usize) -> usize {
        let started = self.functions.partition_point(|(r, _)| r.start <= at);
        self.functions[..started]
            .iter()
            .rev()
            .find(|(r, _)| at < r.end)
            .map_or(self.module, |(_, id)| *id)
    }
}

fn is_number(node: Node) -> bool {
    matches!(unparen(node).kind(), "integer" | "float")
}

/// Shapes are cut to this many bytes: enough to read the SQL, and a long chain of `+=`
/// cannot grow memory without bound.
const MAX_SHAPE: usize = 4096;

/// `text` cut to [`MAX_SHAPE`] bytes, on a character boundary.
fn capped_str(text: &str) -> &str {
    if text.len() <= MAX_SHAPE {
        return text;
    }
    let mut cut = MAX_SHAPE;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

fn capped(mut shape: String) -> String {
    if shape.len() > MAX_SHAPE {
        let mut cut = MAX_SHAPE;
        while !shape.is_char_boundary(cut) {
            cut -= 1;
        }
        shape.truncate(cut);
    }
    shape
}

/// `TABLE`, `BASE_QUERY`: named like a constant.
fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Words that follow "select"/"drop"/... in English prose, never in SQL.
const PROSE: [&str; 28] = [
    "a", "an", "the", "your", "my", "our", "their", "this", "that", "these", "those", "one",
    "which", "what", "how", "to", "from", "and", "or", "please", "if", "it", "them", "here",
    "there", "below", "above", "by",
];

/// [`looks_sql`], and more: a verb written in one case (`SELECT`, `select`, never the
/// sentence's `Select`), with the clause that completes it (`SELECT .. FROM`, a named
/// object after `CREATE`), and not `EXEC`/`TRUNCATE`/`REPLACE`, which also start command
/// lines and prose. Enough to call text SQL with no query call in sight.
fn looks_sql_beyond_doubt(shape: &str) -> bool {
    if !looks_sql(shape) {
        return false;
    }
    let trimmed = shape.trim_start();
    let verb: &str = trimmed
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    let one_case = verb.chars().all(|c| c.is_ascii_uppercase())
        || verb.chars().all(|c| c.is_ascii_lowercase());
    let lower = trimmed.to_ascii_lowercase();
    let mut words = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .skip(1);
    // The word after the clause keyword: "INSERT INTO orders", not "insert _ into the cart".
    let after = |keyword: &str| {
        let rest: Vec<&str> = lower
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        rest.iter()
            .position(|w| *w == keyword)
            .and_then(|i| rest.get(i + 1).copied())
            .is_some_and(|w| {
                !matches!(
                    w,
                    "the"
                        | "your"
                        | "my"
                        | "our"
                        | "their"
                        | "his"
                        | "her"
                        | "this"
                        | "that"
                        | "these"
                        | "those"
                        | "to"
                        | "it"
                        | "them"
                        | "here"
                        | "there"
                        | "s"
                )
            })
    };
    let complete = match verb.to_ascii_lowercase().as_str() {
        "select" => words.any(|w| w == "from"),
        "insert" | "merge" => after("into"),
        "update" => after("set") && lower.contains('='),
        "delete" => after("from"),
        "create" | "alter" | "drop" => words.next().is_some_and(|w| w != "_"),
        "exec" | "execute" | "truncate" | "replace" => false,
        _ => true,
    };
    one_case && complete && !reads_as_sentence(trimmed)
}

/// A question, an exclamation, a possessive or a closing full stop: prose, not SQL.
fn reads_as_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['?', '!', '.'])
        || ["? ", "! ", "'s ", "\u{2026}"]
            .iter()
            .any(|mark| text.contains(mark))
}

/// True when `shape` reads as SQL: after whitespace, a SQL verb and the words that verb
/// needs ("INSERT .. INTO", "UPDATE .. SET", "DELETE .. FROM", "SELECT .. FROM" or a
/// column list), not prose such as "Select an option".
fn looks_sql(shape: &str) -> bool {
    let lower = shape.trim_start().to_ascii_lowercase();
    let verb_len = lower
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(lower.len());
    let (verb, rest) = lower.split_at(verb_len);
    if !(rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == '(')) {
        return false;
    }
    let words: Vec<&str> = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    // The token right after the verb, punctuation included: `*` in "SELECT * FROM".
    // "SELECT a FROM t" and "SELECT a, b" name a column `a`; "Select a file" is prose.
    let mut tokens = rest.split_whitespace();
    let (first, second) = (tokens.next(), tokens.next());
    let next_is_prose = first.is_some_and(|w| PROSE.contains(&w)) && second != Some("from");
    match verb {
        "select" => {
            !next_is_prose && (has("from") || rest.contains(['*', '(', ',']) || words.len() <= 2)
        }
        "insert" | "merge" | "replace" => has("into"),
        "update" => has("set"),
        "delete" => has("from"),
        // A CTE: `WITH name AS (`; Python's `with open(p) as f:` has no `(` after `as`.
        "with" => rest.match_indices("as").any(|(i, _)| {
            let before = rest[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_whitespace);
            before && rest[i + 2..].trim_start().starts_with('(')
        }),
        "create" | "alter" | "drop" => words.first().is_some_and(|w| {
            [
                "table",
                "index",
                "view",
                "database",
                "schema",
                "sequence",
                "trigger",
                "function",
                "procedure",
                "unique",
                "or",
                "temp",
                "temporary",
                "user",
                "role",
                "materialized",
                "extension",
                "type",
                "column",
                "constraint",
                "_",
            ]
            .contains(w)
        }),
        "truncate" | "exec" | "execute" => !next_is_prose && !words.is_empty() && words.len() <= 4,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &str) -> Vec<usize> {
        let doc = Document::new("db.py", FileKind::Python, src);
        let mut out = Findings::default();
        SqlStringBuilding.check(&doc, &mut out);
        let mut lines: Vec<_> = out.raw.iter().map(|f| doc.line_of(f.bytes.start)).collect();
        lines.sort();
        lines
    }

    #[test]
    fn a_bare_select_literal_needs_a_from_after_it_to_be_worth_parsing() {
        // An HTML element name, and prose that says "from".
        assert!(!has_sql_literal(r#"if (name === "select") { return 1; }"#));
        assert!(!has_sql_literal(
            "\"select\" adds to or subtracts from an existing selection"
        ));
        // The pieces of a concatenated query, and SELECT with no FROM that is still SQL.
        assert!(has_sql_literal(r#"q = "SELECT " + cols + " FROM users""#));
        assert!(has_sql_literal(r#"cursor.execute("SELECT %s" % func)"#));
        assert!(has_sql_literal(r#"cursor.execute("SELECT 1" + suffix)"#));
        assert_eq!(
            lines("cursor.execute(\"SELECT \" + col + \" FROM t\")\n"),
            [1]
        );
    }

    #[test]
    fn sql_shape_rejects_prose() {
        for sql in [
            "SELECT id FROM t",
            "select * from _",
            "SELECT _",
            "SELECT a FROM t",
            "SELECT a, b FROM t",
            "  INSERT INTO t(a) VALUES(_)",
            "UPDATE t SET a = _",
            "DELETE FROM t WHERE id = _",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "DROP TABLE _",
            "EXEC sp_who _",
        ] {
            assert!(looks_sql(sql), "{sql}");
        }
        for prose in [
            "Select an option",
            "Select a file",
            "select from the list on /topics",
            "Update your password and try again",
            "Delete this item?",
            "with pleasure",
            "Drop it",
            "selected from the catalogue",
            "SELECTED",
        ] {
            assert!(!looks_sql(prose), "{prose}");
        }
    }

    #[test]
    fn prefilter_needs_sql_text_and_a_sink() {
        assert!(might_build_sql(
            r#"cur.execute("SELECT id FROM t WHERE a = '%s'" % a)"#
        ));
        assert!(might_build_sql(
            "q = f'''\n  UPDATE t\n  SET a = {a}'''\ncur.execute(q)"
        ));
        assert!(!might_build_sql(r#"cur.execute(job)  # "Create a job""#));
        assert!(!might_build_sql(
            "\"\"\"\n    with open(p) as f:\"\"\"\nax.text(1, 2, 's')"
        ));
        assert!(!might_build_sql(r#"q = "SELECT id FROM t""#));
        // Names that contain a sink's name are not the sink.
        for not_called in [
            "def f(self):\n    \"\"\"Update the figure, then set its layout.\"\"\"\n    self.execute_remove(x)\n",
            "\"\"\"Select traces from a subplot.\"\"\"\nax.set_text(1)\nprefetch(x)\nself.draw(r)\n",
            "\"\"\"Select traces from a subplot.\"\"\"\nself.execute = run\n",
        ] {
            assert!(!might_build_sql(not_called), "{not_called}");
        }
        for called in [
            "q = 'SELECT * FROM t WHERE a = ' + a\ncur.execute (q)\n",
            "q = 'SELECT * FROM t'\nrows = await conn.fetchrow(q)\n",
            "q = 'SELECT * FROM t'\nengine.execute(text(q))\n",
            "q = 'SELECT * FROM t'\nUser.objects.raw(q)\n",
            "q = 'SELECT * FROM t'\ndf = pd.read_sql_query(q, conn)\n",
        ] {
            assert!(might_build_sql(called), "{called}");
        }
    }

    #[test]
    fn follows_augmented_assignment_to_the_sink() {
        let src = "def f(cur, name):\n    q = \"SELECT * FROM t WHERE 1=1\"\n    q += f\" AND name = '{name}'\"\n    cur.execute(q)\n";
        assert_eq!(lines(src), [3, 4]);
    }

    #[test]
    fn placeholder_lists_and_constants_are_safe() {
        let src = "BASE = \"SELECT a FROM t\"\n\
                   def f(cur, ids):\n    marks = \", \".join([\"%s\"] * len(ids))\n    cur.execute(f\"{BASE} WHERE id IN ({marks})\", ids)\n    cur.execute(BASE + \" ORDER BY a\")\n    cur.execute(\"SELECT a FROM t WHERE id = %s\" % 5)\n";
        assert!(lines(src).is_empty());
    }

    #[test]
    fn variable_not_reaching_a_sink_is_not_reported() {
        let src = "def f(cur, x):\n    q = f\"SELECT * FROM t WHERE a = {x}\"\n    log.info(q)\n    cur.execute(\"SELECT 1\")\n";
        assert!(lines(src).is_empty());
    }

    #[test]
    fn a_branch_that_builds_sql_is_remembered() {
        let src = "def f(cur, x):\n    if x:\n        q = f\"SELECT * FROM t WHERE a = {x}\"\n    else:\n        q = \"SELECT * FROM t\"\n    cur.execute(q)\n";
        assert_eq!(lines(src), [3, 6]);
    }

    #[test]
    fn deep_reassignment_chains_stay_linear() {
        let mut src = String::from("def f(cur, x):\n    q = \"SELECT a FROM t WHERE 1=1\"\n");
        for _ in 0..3000 {
            src.push_str("    q = q + \" AND b = 1\"\n");
        }
        src.push_str("    q = q + x\n    cur.execute(q)\n");
        assert_eq!(lines(&src), [3003, 3004]);
    }

    /// `head`, `step` n times, `tail`: the lines of the first step and of the last
    /// line, where a generated chain's build and sink are.
    fn chain(head: &str, step: &str, tail: &str, n: usize) -> (String, [usize; 2]) {
        let mut src = String::from(head);
        for _ in 0..n {
            src.push_str(step);
        }
        src.push_str(tail);
        let first = head.lines().count() + 1;
        (src, [first, first + n])
    }

    #[test]
    fn every_kind_of_reassignment_is_followed_through_a_long_chain() {
        // 10 000 statements: a quadratic lookup or a 4 KiB copy per step made these take
        // seconds and hundreds of MB in a release build; here only the result is checked.
        const N: usize = 10_000;
        let head = "def f(cur, x):\n    q = \"SELECT a FROM t WHERE 1=1\"\n";
        for step in [
            "    q = q + x\n",
            "    q += x\n",
            "    q = f\"{q} AND a = {x}\"\n",
            "    q = q.format(x)\n",
            "    q = q % (x,)\n",
            "    q = q.strip() + \" AND a = \" + x\n",
        ] {
            let (src, want) = chain(head, step, "    cur.execute(q)\n", N);
            assert_eq!(lines(&src), want, "{step}");
        }
    }

    #[test]
    fn a_nested_function_reads_the_variables_around_it_unless_it_binds_them() {
        let src = "def purge(cur, ids, name):\n    sql = \"DELETE FROM users WHERE name = '%s'\" % name\n    def run(_):\n        cur.execute(sql)\n    list(map(run, ids))\n\
                   def own(cur, name):\n    sql = \"DELETE FROM users WHERE name = '%s'\" % name\n    def run(_):\n        cur.execute(sql)\n        sql = 1\n    def param(sql):\n        cur.execute(sql)\n    return len(sql)\n";
        assert_eq!(lines(src), [2, 4]);
    }

    #[test]
    fn a_concatenation_of_any_length_is_one_list() {
        // 5 000 parts: far past the depth bound, which a `+` no longer counts against.
        let mut src = String::from("def f(cur, c):\n    cur.execute(\"INSERT INTO t VALUES ('\"\n");
        for _ in 0..5_000 {
            src.push_str("        + c + \"', '\"\n");
        }
        src.push_str("        + \"')\")\n");
        let doc = Document::new("db.py", FileKind::Python, &src);
        let mut out = Findings::default();
        SqlStringBuilding.check(&doc, &mut out);
        let found: Vec<_> = out.raw.iter().map(|f| doc.line_of(f.bytes.start)).collect();
        assert_eq!(found, [2]);
        assert!(doc.take_warnings().is_empty());
    }

    #[test]
    fn giving_up_on_a_deep_expression_is_warned_once() {
        // 120 nested calls: real nesting, still bounded, but not silently.
        let deep = format!("{}x{}", "str(".repeat(120), ")".repeat(120));
        let src = format!(
            "def f(cur, x):\n    cur.execute(\"SELECT a FROM t WHERE b = \" + {deep})\n    cur.execute(\"DELETE FROM t WHERE b = \" + {deep})\n"
        );
        let doc = Document::new("db.py", FileKind::Python, &src);
        let mut out = Findings::default();
        SqlStringBuilding.check(&doc, &mut out);
        let warnings = doc.take_warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("db.py:2: "), "{warnings:?}");
    }

    #[test]
    fn shapes_are_capped_and_shared() {
        let full = Shape::from("x".repeat(MAX_SHAPE + 10));
        assert_eq!(full.len(), MAX_SHAPE);
        let grown = Shape::join(&full, &Shape::from(" AND a = _"));
        // The same text, not a copy of it.
        assert!(Rc::ptr_eq(&full.0, &grown.0));
        let short = Shape::join(&Shape::from("SELECT "), &Shape::from("_"));
        assert_eq!(short.as_str(), "SELECT _");
        // Cut on a character boundary.
        let wide = Shape::concat(["é".repeat(MAX_SHAPE).as_str()]);
        assert!(wide.len() <= MAX_SHAPE && wide.chars().all(|c| c == 'é'));
    }

    #[test]
    fn the_prefilter_without_a_sink_name_wants_data_going_into_sql() {
        for built in [
            "q = \"SELECT * FROM t WHERE id = '%s'\" % x",
            "q = f'SELECT * FROM t WHERE id = {x}'",
            "q = rf\"\"\"\n  DELETE FROM t WHERE id = {x}\"\"\"",
            "q = \"\"\"UPDATE t\nSET a = 1\nWHERE id = '{}'\"\"\".format(x)",
            "q = \"SELECT * FROM t WHERE id = \" + x",
            "q := fmt.Sprintf(\"SELECT * FROM t WHERE id = '%s'\", id)",
            "const q = `SELECT * FROM t WHERE id = ${id}`;",
            "let q = format!(\"SELECT * FROM t WHERE id = {}\", id);",
        ] {
            assert!(has_built_sql_literal(built), "{built}");
        }
        for constant in [
            "q = \"SELECT * FROM t WHERE id = %s\"",
            "q = f'SELECT * FROM t'",
            "const q = `SELECT * FROM t`;",
            "q = \"\"\"SELECT *\nFROM t\"\"\"\nprint(q % 3)",
        ] {
            assert!(!has_built_sql_literal(constant), "{constant}");
        }
        // No sink name in the file, and yet parsed: the SQL leaves the function.
        assert!(might_build_sql(
            "def f(x):\n    return f'SELECT * FROM t WHERE id = {x}'\n"
        ));
        assert!(!might_build_sql("def f():\n    return 'SELECT * FROM t'\n"));
    }

    #[test]
    fn sql_beyond_doubt_needs_one_case_and_a_complete_clause() {
        for sql in [
            "SELECT id FROM t WHERE a = _",
            "select * from _",
            "INSERT INTO t VALUES (_)",
            "update t set a = _",
            "DELETE FROM t WHERE id = _",
            "CREATE INDEX _ ON t (a)",
            "WITH x AS (SELECT 1) SELECT * FROM _",
        ] {
            assert!(looks_sql_beyond_doubt(sql), "{sql}");
        }
        for doubtful in [
            "Create index _ on _ on model _",
            "Alter _ table comment",
            "EXEC _",
            "select( _, _, _ )",
            "SELECT _, _",
            "DROP _",
            "Select * From _",
            "insert _ into the cart",
            "update _ set to default?",
            "drop table _ now? This cannot be undone.",
            "delete from _'s account",
            "SELECT _ FROM the list above.",
        ] {
            assert!(!looks_sql_beyond_doubt(doubtful), "{doubtful}");
        }
    }

    fn passed_on(src: &str) -> Vec<(usize, String)> {
        let doc = Document::new("repo.py", FileKind::Python, src);
        let mut out = Findings::default();
        SqlStringBuilding.check(&doc, &mut out);
        let mut found: Vec<_> = out
            .raw
            .iter()
            .filter(|f| f.rule_id == ID_PASSED_ON)
            .map(|f| (doc.line_of(f.bytes.start), f.message.clone()))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn sql_built_from_data_that_leaves_the_function_is_passed_on() {
        let src = "Q = \"SELECT * FROM t WHERE r = '%s'\" % region\n\
                   def one(x):\n    return f\"SELECT * FROM t WHERE id = {x}\"\n\
                   def two(x):\n    q = \"DELETE FROM t WHERE id = \" + x\n    helper(q)\n\
                   def three(self, x):\n    self.q = \"UPDATE t SET a = '{}'\".format(x)\n";
        let found = passed_on(src);
        let lines: Vec<usize> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 3, 5, 8]);
        assert!(
            found[0].1.contains("assigned to module-level `Q`"),
            "{found:?}"
        );
        assert!(found[1].1.contains("`%` formatting") || found[1].1.contains("f-string"));
        assert!(found[1].1.contains("is returned"), "{found:?}");
        assert!(found[2].1.contains("is passed to `helper`"), "{found:?}");
        assert!(found[3].1.contains("is stored in `self.q`"), "{found:?}");
    }

    #[test]
    fn sql_only_logged_kept_local_or_reaching_a_sink_is_not_passed_on() {
        let src = "def logged(x):\n    q = f\"SELECT * FROM t WHERE id = {x}\"\n    log.info(q)\n    print(q)\n    raise ValueError(q)\n\
                   def local(x):\n    q = f\"SELECT * FROM t WHERE id = {x}\"\n    return len(q)\n\
                   def sink(cur, x):\n    q = f\"SELECT * FROM t WHERE id = {x}\"\n    cur.execute(q)\n    return q\n\
                   def quoted(conn, t):\n    return \"DELETE FROM %s\" % conn.ops.quote_name(t)\n\
                   def prose(name):\n    return \"Create index %s on model %s\" % (name, name)\n";
        assert!(passed_on(src).is_empty(), "{:?}", passed_on(src));
        // The sink's own finding is still there.
        assert_eq!(lines(src), [10, 11]);
    }

    #[test]
    fn parameters_annotated_as_numbers_are_safe() {
        for numeric in [
            "int",
            "float",
            "bool",
            "\"int\"",
            "Optional[int]",
            "int | None",
            "None | float",
            "decimal.Decimal",
        ] {
            assert!(is_numeric_annotation(numeric), "{numeric}");
        }
        for text in [
            "str",
            "Optional[str]",
            "int | str",
            "None",
            "list[int]",
            "Any",
        ] {
            assert!(!is_numeric_annotation(text), "{text}");
        }
        let src = "def f(cur, n: int, m: int = 3, s: str = 'a', *args: int):\n    cur.execute(f\"SELECT a FROM t LIMIT {n} OFFSET {m}\")\n    cur.execute(f\"SELECT a FROM t WHERE s = '{s}'\")\n    cur.execute(f\"SELECT a FROM t LIMIT {args}\")\n";
        assert_eq!(lines(src), [3, 4]);
    }

    #[test]
    fn a_loop_over_literals_binds_a_literal_unless_the_list_is_filled() {
        let src = "TABLES = [\"a\", \"b\"]\n\
                   def fill(x):\n    TABLES.append(x)\n\
                   def f(cur):\n    for t in TABLES:\n        cur.execute(f\"DELETE FROM {t}\")\n\
                   def g(cur, x):\n    ts = (\"a\", \"b\")\n    for t in ts:\n        cur.execute(f\"DELETE FROM {t}\")\n    for t in x:\n        cur.execute(f\"DELETE FROM {t}\")\n";
        // `TABLES` is filled by another function; `t` is rebound by the second loop of `g`.
        assert_eq!(lines(src), [6, 12]);
    }

    #[test]
    fn django_extra_and_rawsql_take_fragments() {
        let src = "def f(qs, x):\n    qs.extra(where=[f\"id = {x}\"])\n    RawSQL(\"price > %s\" % x, ())\n    qs.extra(where=[\"id = %s\"], params=[x])\n";
        assert_eq!(lines(src), [2, 3]);
    }
}
