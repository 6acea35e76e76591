//! `code/sql-string-building` for JavaScript, TypeScript (TSX too), Go and Java: the same
//! abstract evaluation as the Python rule (text shape, safe or not, where data entered
//! SQL text), over the tree-sitter grammars of those languages.
//!
//! Constructions followed: `+` and `+=`, JS/TS template literals, `.concat`, `join`
//! (`arr.join`, Go `strings.Join`, Java `String.join`), Go `fmt.Sprintf` and `append`,
//! Java `String.format`, `.formatted` and `StringBuilder.append` (as an expression and
//! as a statement on a local builder), Go `strings.Builder`/`bytes.Buffer` writes
//! (`WriteString`, `fmt.Fprintf(&b, ..)`), collections filled by `push`/`add`. Loop
//! variables and iteration callbacks' parameters hold an item of what they walk.
//! Tagged templates (`sql\`..\``, Prisma `$queryRaw\`..\``) parameterize their holes, so
//! they are never a construction.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{
    ADDERS, Assign, GaveUp, LOOP_ELEMENT, LOOP_INDEX, LOOP_UNKNOWN, MAX_DEPTH, MUTATORS, PassedOn,
    ScopeKey, Scopes, Shape, Value, consumes_text, filled_in_place, fold_plus_chain, fold_state,
    has_built_sql_literal, has_sql_literal, is_constant_name, looks_sql, report,
};
use crate::document::Document;
use crate::kind::FileKind;
use crate::parse::python::{named_children, text, walk};
use crate::parse::treesitter;
use crate::rules::Findings;

/// Sink names, any language, as the prefilter looks for them.
const SINK_WORDS: [&str; 16] = [
    "query", "Query", "exec", "Exec", "raw", "Raw", "prepare", "Prepare", "update", ".all(",
    ".get(", ".run(", ".each(", ".Select(", ".Get(", "addBatch",
];

pub(super) fn check(doc: &Document, out: &mut Findings) {
    // The literal first: most files have none, and one pass finds out.
    let worth_parsing = (has_sql_literal(doc.text)
        && (SINK_WORDS.iter().any(|w| doc.text.contains(w)) || has_built_sql_literal(doc.text)))
        || (doc.kind == FileKind::Java && has_hql_literal(doc.text));
    if !worth_parsing || treesitter::is_generated(doc) {
        return;
    }
    let Some(tree) = treesitter::tree(doc) else {
        return;
    };
    let root = tree.root_node();
    let (mut calls, mut functions, mut assignments) = (Vec::new(), Vec::new(), Vec::new());
    let (mut numeric, mut leaving, mut loops) = (Vec::new(), Vec::new(), Vec::new());
    let mut declared = Vec::new();
    walk(root, |n| {
        declared_names(n, &mut declared);
        match n.kind() {
            // JS/TS `for (const t of ..)`, Java `for (String t : ..)`, Go `for _, t := range ..`.
            "for_in_statement" | "enhanced_for_statement" | "range_clause" => loops.push(n),
            "call_expression" | "method_invocation" => calls.push(n),
            // Returned, yielded, or handed to a constructor (`new Query(sql)`).
            "return_statement"
            | "yield_expression"
            | "object_creation_expression"
            | "new_expression" => leaving.push(n),
            // An expression body is returned.
            "arrow_function" | "lambda_expression" => {
                leaving.push(n);
                functions.push((n.byte_range(), n.id()));
                // `ids.forEach(id => marks.push(id))`: the body writes like a statement.
                if let Some(body) = n
                    .child_by_field_name("body")
                    .filter(|b| matches!(b.kind(), "call_expression" | "method_invocation"))
                {
                    assignments.push(body);
                }
            }
            "function_declaration"
            | "function_expression"
            | "function"
            | "method_definition"
            | "generator_function_declaration"
            | "generator_function"
            | "method_declaration"
            | "func_literal"
            | "constructor_declaration" => functions.push((n.byte_range(), n.id())),
            "formal_parameter"
            | "parameter_declaration"
            | "required_parameter"
            | "optional_parameter" => {
                if let Some(names) = numeric_parameter(doc, n) {
                    numeric.extend(names);
                }
            }
            "variable_declarator"
            | "assignment_expression"
            | "augmented_assignment_expression"
            | "short_var_declaration"
            | "assignment_statement"
            | "var_spec"
            | "const_spec"
            | "expression_statement" => assignments.push(n),
            _ => {}
        }
    });
    let scopes = Scopes {
        functions,
        module: root.id(),
    };
    let mut analyzer = Analyzer::new(doc, root, scopes, &assignments);
    analyzer.numeric = numeric
        .into_iter()
        .map(|n| (analyzer.scopes.of(n.start_byte()), text(doc, n).to_string()))
        .collect();
    for name in declared {
        let scope = analyzer.scopes.of(name.start_byte());
        let name_text = text(doc, name).to_string();
        if scope == root.id() {
            analyzer.top_declared.insert(name_text);
        } else {
            analyzer.local_declared.insert((scope, name_text));
        }
    }
    analyzer.rekey_outer_writes();
    let mutated = mutated_names(doc, &analyzer.scopes, &calls, &assignments);
    analyzer.bind_loops(&loops, &calls, &mutated);
    let mut reported_sites = HashSet::new();
    for &call in &calls {
        check_sink(&analyzer, call, &mut reported_sites, out);
    }
    passed_on(
        &analyzer,
        &calls,
        &leaving,
        &assignments,
        &mut reported_sites,
        out,
    );
    analyzer.gave_up.warn(doc);
}

/// Reports SQL built from data that no sink in the file runs but that leaves where it is
/// built: passed to a call that is not a sink, returned, stored in a field or a
/// module-level (Java: class-level) variable.
fn passed_on(
    analyzer: &Analyzer,
    calls: &[Node],
    leaving: &[Node],
    assignments: &[Node],
    reported_sites: &mut HashSet<usize>,
    out: &mut Findings,
) {
    let doc = analyzer.doc;
    let mut passed_on = PassedOn::new(reported_sites, out);
    for &call in calls {
        let Some(parts) = call_parts(doc, call) else {
            continue;
        };
        let is_sink = parts.object.is_some() && sink(doc.kind, parts.name).is_some();
        // Go `errors.New(..)`: an error message.
        let error = parts.name == "New" && parts.object.is_some_and(|o| text(doc, o) == "errors");
        if is_sink
            || error
            || consumes_text(parts.name)
            || builds_text(parts.name)
            || measures_text(parts.name)
        {
            continue;
        }
        for arg in parts.args {
            let value = analyzer.value(arg, arg.start_byte(), 0);
            passed_on.report(&value, &format!("is passed to `{}`", parts.name));
        }
    }
    for &node in leaving {
        // `return a, b` (Go), an arrow function's or lambda's expression body, `yield x`,
        // the arguments of `new Query(sql, ..)`.
        let (values, leaves) = match node.kind() {
            "arrow_function" | "lambda_expression" => (
                node.child_by_field_name("body")
                    .filter(|b| !matches!(b.kind(), "statement_block" | "block"))
                    .into_iter()
                    .collect(),
                "is returned".to_string(),
            ),
            "yield_expression" => (named_children(node), "is yielded".to_string()),
            "object_creation_expression" | "new_expression" => {
                let Some(class) = node
                    .child_by_field_name("type")
                    .or_else(|| node.child_by_field_name("constructor"))
                    .map(|t| text(doc, t))
                else {
                    continue;
                };
                // Builders and strings are still building the text; errors show it.
                if matches!(class, "StringBuilder" | "StringBuffer" | "String")
                    || consumes_text(class)
                {
                    continue;
                }
                let args = node
                    .child_by_field_name("arguments")
                    .map(named_children)
                    .unwrap_or_default();
                (args, format!("is passed to `new {class}`"))
            }
            _ => (
                named_children(node)
                    .into_iter()
                    .flat_map(|e| match e.kind() {
                        "expression_list" => named_children(e),
                        _ => vec![e],
                    })
                    .collect::<Vec<_>>(),
                "is returned".to_string(),
            ),
        };
        for v in values {
            let value = analyzer.value(v, v.end_byte(), 0);
            passed_on.report(&value, &leaves);
        }
    }
    for &n in assignments {
        for (target, right, _) in bindings(doc, n) {
            let name = text(doc, target);
            let leaves = match target.kind() {
                "identifier" | "field_identifier"
                    if analyzer.scopes.of(n.start_byte()) == analyzer.root.id() =>
                {
                    format!("is assigned to module-level `{name}`")
                }
                // Inside a function, a name declared at the top: a module variable, or a
                // Java field assigned without `this.`.
                "identifier" if analyzer.is_outer_variable(name, n.start_byte()) => {
                    if doc.kind == FileKind::Java {
                        format!("is assigned to field `{name}`")
                    } else {
                        format!("is assigned to module-level `{name}`")
                    }
                }
                "member_expression"
                | "field_access"
                | "selector_expression"
                | "subscript_expression"
                | "index_expression"
                | "array_access" => {
                    format!("is stored in `{name}`")
                }
                _ => continue,
            };
            let value = analyzer.value(right, right.end_byte(), 0);
            passed_on.report(&value, &leaves);
        }
    }
}

/// Calls that reduce text to a number or a boolean (Go `len(q)`,
/// `strings.Contains(q, "WHERE")`): the text does not go on.
fn measures_text(name: &str) -> bool {
    matches!(
        name,
        "len"
            | "cap"
            | "Contains"
            | "ContainsAny"
            | "HasPrefix"
            | "HasSuffix"
            | "Index"
            | "LastIndex"
            | "Count"
            | "EqualFold"
            | "Compare"
    )
}

/// Calls whose result is built from their arguments, followed by [`Analyzer::call`]:
/// SQL going into them is still being built, not passed on.
fn builds_text(name: &str) -> bool {
    matches!(
        name,
        "Sprintf"
            | "Sprint"
            | "Sprintln"
            | "format"
            | "formatted"
            | "concat"
            | "append"
            | "join"
            | "Join"
            | "toString"
            | "trim"
            | "toLowerCase"
            | "toUpperCase"
            | "strip"
            | "intern"
            | "String"
            | "TrimSpace"
            | "ToLower"
            | "ToUpper"
            | "TrimSuffix"
            | "TrimPrefix"
            | "TrimRight"
            | "TrimLeft"
            | "Trim"
            | "nCopies"
            | "joining"
            | "collect"
            | "WriteString"
            | "WriteByte"
            | "WriteRune"
            | "Write"
            | "Fprintf"
            | "Fprint"
            | "Fprintln"
            | "map"
            | "repeat"
            | "Repeat"
            | "fill"
            | "valueOf"
            | "replace"
            | "replaceAll"
    )
}

/// How a sink takes its query.
#[derive(Clone, Copy, PartialEq)]
enum SinkKind {
    /// The argument must read as SQL to count.
    Query,
    /// Whatever is passed is SQL, whole or a fragment (knex `whereRaw`).
    Fragment,
    /// JPA/Hibernate HQL or JPQL: SQL, or a query that opens with its `FROM` clause
    /// (`from Order where id = ..`), which only such a sink takes.
    Hql,
}

/// The sink a call is, and which argument holds the query.
fn sink(kind: FileKind, name: &str) -> Option<(SinkKind, usize)> {
    match kind {
        FileKind::JavaScript | FileKind::TypeScript => match name {
            // pg, mysql2, sqlite3, better-sqlite3, sequelize, TypeORM, knex, Prisma.
            "query" | "execute" | "raw" | "exec" | "prepare" | "run" | "all" | "get" | "each"
            | "$queryRawUnsafe" | "$executeRawUnsafe" => Some((SinkKind::Query, 0)),
            "whereRaw" | "orWhereRaw" | "andWhereRaw" | "havingRaw" | "orHavingRaw"
            | "orderByRaw" | "groupByRaw" | "joinRaw" | "selectRaw" | "fromRaw" => {
                Some((SinkKind::Fragment, 0))
            }
            _ => None,
        },
        FileKind::Go => match name {
            // database/sql, sqlx, gorm, pgx.
            "Query" | "QueryRow" | "Exec" | "Prepare" | "Raw" | "MustExec" | "Queryx"
            | "QueryRowx" => Some((SinkKind::Query, 0)),
            "QueryContext" | "QueryRowContext" | "ExecContext" | "PrepareContext"
            | "MustExecContext" | "QueryxContext" | "QueryRowxContext" | "Select" | "Get" => {
                Some((SinkKind::Query, 1))
            }
            "SelectContext" | "GetContext" => Some((SinkKind::Query, 2)),
            _ => None,
        },
        FileKind::Java => match name {
            // JDBC, JPA/Hibernate, Spring JdbcTemplate.
            "executeQuery" | "executeUpdate" | "execute" | "executeLargeUpdate" | "addBatch"
            | "prepareStatement" | "prepareCall" | "createNativeQuery" | "createSQLQuery"
            | "query" | "queryForList" | "queryForObject" | "queryForMap" | "queryForRowSet"
            | "queryForStream" | "queryForLong" | "queryForInt" | "update" | "batchUpdate" => {
                Some((SinkKind::Query, 0))
            }
            "createQuery" | "createSelectionQuery" | "createMutationQuery" => {
                Some((SinkKind::Hql, 0))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The parts of a call: the name called, the receiver (`pool` in `pool.query(..)`) and
/// the argument nodes. `None` for a tagged template, which is not a call of text.
struct Call<'a, 't> {
    name: &'a str,
    object: Option<Node<'t>>,
    args: Vec<Node<'t>>,
}

fn call_parts<'a, 't>(doc: &Document<'a>, call: Node<'t>) -> Option<Call<'a, 't>> {
    let (name, object) = if call.kind() == "method_invocation" {
        (
            text(doc, call.child_by_field_name("name")?),
            call.child_by_field_name("object"),
        )
    } else {
        let function = call.child_by_field_name("function")?;
        match function.kind() {
            "identifier" => (text(doc, function), None),
            "member_expression" => (
                text(doc, function.child_by_field_name("property")?),
                function.child_by_field_name("object"),
            ),
            "selector_expression" => (
                text(doc, function.child_by_field_name("field")?),
                function.child_by_field_name("operand"),
            ),
            _ => return None,
        }
    };
    let arguments = call.child_by_field_name("arguments")?;
    if arguments.kind() == "template_string" {
        return None;
    }
    let args = named_children(arguments)
        .into_iter()
        .filter(|a| a.kind() != "comment")
        .collect();
    Some(Call { name, object, args })
}

fn check_sink(
    analyzer: &Analyzer,
    call: Node,
    reported_sites: &mut HashSet<usize>,
    out: &mut Findings,
) {
    let doc = analyzer.doc;
    let Some(parts) = call_parts(doc, call) else {
        return;
    };
    // A sink is a method (`db.query`), never a bare function of that name.
    if parts.object.is_none() {
        return;
    }
    let Some((kind, index)) = sink(doc.kind, parts.name) else {
        return;
    };
    let Some(query) = parts.args.get(index) else {
        return;
    };
    let value = analyzer.value(*query, query.start_byte(), 0);
    let site = match kind {
        SinkKind::Query | SinkKind::Hql if looks_sql(&value.shape) || value.built.is_some() => {
            value.built
        }
        SinkKind::Hql if looks_hql(&value.shape) => value.dynamic,
        SinkKind::Query | SinkKind::Hql => None,
        SinkKind::Fragment => value.built.or(value.dynamic),
    };
    if let Some(site) = site {
        report(
            doc,
            call.byte_range(),
            parts.name,
            &site,
            reported_sites,
            out,
        );
    }
}

/// HQL/JPQL that opens with its `FROM` clause: `from` and an entity name (or an unknown
/// piece), not "from the list".
fn looks_hql(shape: &str) -> bool {
    let lower = shape.trim_start().to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("from") else {
        return false;
    };
    if !rest.starts_with(char::is_whitespace) {
        return false;
    }
    let entity = rest.split_whitespace().next().unwrap_or("");
    entity.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && !super::PROSE.contains(&entity)
}

/// A Java literal that opens with `from` and a name, in a file that calls a JPA/Hibernate
/// query factory: HQL, which the SQL-verb gate does not see.
fn has_hql_literal(text: &str) -> bool {
    const FACTORIES: [&str; 3] = ["createQuery", "createSelectionQuery", "createMutationQuery"];
    if !FACTORIES.iter().any(|f| text.contains(f)) {
        return false;
    }
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'"', bytes).any(|quote| {
        let after = text.get(quote + 1..).unwrap_or("");
        let literal = after.split('"').next().unwrap_or("");
        looks_hql(literal)
    })
}

/// Evaluates expressions of one file, remembering variables' values.
struct Analyzer<'d, 'a, 't> {
    doc: &'d Document<'a>,
    root: Node<'t>,
    assigns: HashMap<ScopeKey, Vec<Assign<'t>>>,
    scopes: Scopes,
    states: RefCell<HashMap<ScopeKey, Vec<Value>>>,
    /// Parameters declared with a number or boolean type: they cannot carry SQL.
    numeric: HashSet<ScopeKey>,
    /// Names declared at the top: module variables, Java fields.
    top_declared: HashSet<String>,
    /// Names declared in a function: locals, parameters, loop and catch variables.
    local_declared: HashSet<ScopeKey>,
    gave_up: GaveUp,
}

/// The (name, value, operator) pairs an assignment-like node binds.
fn bindings<'a, 't>(doc: &Document<'a>, n: Node<'t>) -> Vec<(Node<'t>, Node<'t>, Option<&'a str>)> {
    let operator = || {
        n.child_by_field_name("operator")
            .map(|o| text(doc, o))
            .filter(|o| *o != "=" && *o != ":=")
    };
    match n.kind() {
        "variable_declarator" => match (
            n.child_by_field_name("name"),
            n.child_by_field_name("value"),
        ) {
            (Some(name), Some(value)) => vec![(name, value, None)],
            _ => Vec::new(),
        },
        "assignment_expression" | "augmented_assignment_expression" => match (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) {
            (Some(left), Some(right)) => vec![(left, right, operator())],
            _ => Vec::new(),
        },
        // Go: `a, b := x, y` pairs names and values by position.
        "short_var_declaration" | "assignment_statement" => {
            let (Some(left), Some(right)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                return Vec::new();
            };
            let (names, values) = (named_children(left), named_children(right));
            if names.len() != values.len() {
                return Vec::new();
            }
            let op = operator();
            names
                .into_iter()
                .zip(values)
                .map(|(a, b)| (a, b, op))
                .collect()
        }
        "var_spec" | "const_spec" => {
            let mut cursor = n.walk();
            let names: Vec<_> = n.children_by_field_name("name", &mut cursor).collect();
            let values = n
                .child_by_field_name("value")
                .map(named_children)
                .unwrap_or_default();
            // Go `var b strings.Builder`: an empty builder, its type standing for its value.
            if values.is_empty()
                && let Some(ty) = n
                    .child_by_field_name("type")
                    .filter(|t| is_text_builder(doc, *t))
            {
                return names.into_iter().map(|a| (a, ty, None)).collect();
            }
            if names.len() != values.len() {
                return Vec::new();
            }
            names
                .into_iter()
                .zip(values)
                .map(|(a, b)| (a, b, None))
                .collect()
        }
        // Java: `sb.append(x).append(y);` on a local builder updates `sb`.
        "expression_statement" => match n.named_child(0) {
            Some(call) => write_bindings(doc, call),
            None => Vec::new(),
        },
        // The expression body of `ids.forEach(id => marks.push(id))`, a statement too.
        "call_expression" | "method_invocation" => write_bindings(doc, n),
        _ => Vec::new(),
    }
}

/// What a call made as a statement writes to: Java `sb.append(x).append(y)` on a
/// local builder, JS/TS `marks.push(x)`, Java `marks.add(x)`, Go `b.WriteString(x)`.
fn write_bindings<'a, 't>(
    doc: &Document<'a>,
    call: Node<'t>,
) -> Vec<(Node<'t>, Node<'t>, Option<&'a str>)> {
    // Go: `b.WriteString(x)`, `fmt.Fprintf(&b, ..)` update the builder `b`.
    if doc.kind == FileKind::Go {
        return go_builder_write(doc, call)
            .map(|b| vec![(b, call, None)])
            .unwrap_or_default();
    }
    // The collection or builder now holds `x` too.
    if let Some(parts) = call_parts(doc, call)
        && let Some(object) = parts.object
        && object.kind() == "identifier"
        && ADDERS.contains(&parts.name)
    {
        return vec![(object, call, None)];
    }
    if call.kind() != "method_invocation"
        || call.child_by_field_name("name").map(|m| text(doc, m)) != Some("append")
    {
        return Vec::new();
    }
    let mut object = call;
    while object.kind() == "method_invocation" {
        let Some(inner) = object.child_by_field_name("object") else {
            return Vec::new();
        };
        object = inner;
    }
    vec![(object, call, None)]
}

/// Go's text builders: `strings.Builder`, `bytes.Buffer` (also behind `*`).
fn is_text_builder(doc: &Document, ty: Node) -> bool {
    matches!(
        text(doc, ty).trim_start_matches('*'),
        "strings.Builder" | "bytes.Buffer"
    )
}

/// The builder a Go statement writes to: `b` in `b.WriteString(x)`, `b.WriteByte(c)`,
/// `fmt.Fprintf(&b, ..)`, `fmt.Fprint(b, ..)`.
fn go_builder_write<'t>(doc: &Document, call: Node<'t>) -> Option<Node<'t>> {
    let parts = call_parts(doc, call)?;
    let builder = match parts.name {
        "WriteString" | "WriteByte" | "WriteRune" | "Write" => parts.object?,
        "Fprintf" | "Fprint" | "Fprintln" => {
            let first = *parts.args.first()?;
            match first.kind() {
                "unary_expression" => first.child_by_field_name("operand")?,
                _ => first,
            }
        }
        _ => return None,
    };
    (builder.kind() == "identifier").then_some(builder)
}

impl<'d, 'a, 't> Analyzer<'d, 'a, 't> {
    fn new(doc: &'d Document<'a>, root: Node<'t>, scopes: Scopes, nodes: &[Node<'t>]) -> Self
    where
        'a: 't,
    {
        let mut assigns: HashMap<ScopeKey, Vec<Assign<'t>>> = HashMap::new();
        for &n in nodes {
            for (name, right, op) in bindings(doc, n) {
                if name.kind() != "identifier" {
                    continue;
                }
                let key = (scopes.of(n.start_byte()), text(doc, name).to_string());
                assigns.entry(key).or_default().push(Assign {
                    end: n.end_byte(),
                    node: n,
                    right,
                    op,
                });
            }
        }
        // `expression_statement`s come in tree order with the declarations; keep each
        // name's assignments in source order.
        for list in assigns.values_mut() {
            list.sort_by_key(|a| a.end);
        }
        Analyzer {
            doc,
            root,
            assigns,
            scopes,
            states: RefCell::new(HashMap::new()),
            numeric: HashSet::new(),
            top_declared: HashSet::new(),
            local_declared: HashSet::new(),
            gave_up: GaveUp::default(),
        }
    }

    /// Moves the writes a function makes to a variable of a function around it (a
    /// callback's `marks.push(x)`, `q += ..`) to that variable's own list, where the code
    /// after the callback reads it. Declarations stay where they are.
    fn rekey_outer_writes(&mut self) {
        let root = self.root.id();
        let mut moved = Vec::new();
        for ((scope, name), list) in &mut self.assigns {
            if *scope == root || self.local_declared.contains(&(*scope, name.clone())) {
                continue;
            }
            let Some(first) = list.first() else {
                continue;
            };
            let owner = self
                .scopes
                .enclosing(first.node.start_byte())
                .filter(|f| f != scope)
                .find(|f| self.local_declared.contains(&(*f, name.clone())))
                .or_else(|| self.top_declared.contains(name).then_some(root));
            let Some(owner) = owner else {
                continue;
            };
            let (writes, stay): (Vec<_>, Vec<_>) =
                std::mem::take(list).into_iter().partition(|a| {
                    matches!(
                        a.node.kind(),
                        "assignment_expression"
                            | "augmented_assignment_expression"
                            | "assignment_statement"
                            | "expression_statement"
                            | "call_expression"
                            | "method_invocation"
                    )
                });
            *list = stay;
            moved.extend(writes.into_iter().map(|a| ((owner, name.clone()), a)));
        }
        for (key, assign) in moved {
            self.assigns.entry(key).or_default().push(assign);
        }
        for list in self.assigns.values_mut() {
            list.sort_by_key(|a| a.end);
        }
    }

    /// Whether `name`, assigned at byte `at` inside a function, is a module variable or a
    /// field (declared at the top, and not in any function around `at`).
    fn is_outer_variable(&self, name: &str, at: usize) -> bool {
        self.top_declared.contains(name)
            && !self
                .scopes
                .enclosing(at)
                .any(|f| self.local_declared.contains(&(f, name.to_string())))
    }

    /// Binds loop variables and the parameters of iteration callbacks
    /// (`["a", "b"].forEach(t => ..)`, `ids.map((_, i) => ..)`, Java
    /// `List.of(..).forEach(t -> ..)`) to an element of the collection walked; an array
    /// callback's second parameter to its index. A collection some call fills in place
    /// (`mutated`) is unknown.
    fn bind_loops(&mut self, loops: &[Node<'t>], calls: &[Node<'t>], mutated: &HashSet<ScopeKey>) {
        let doc = self.doc;
        let mut bindings: Vec<(Node<'t>, Node<'t>, usize, &'static str)> = Vec::new();
        let (assigns, scopes) = (&self.assigns, &self.scopes);
        let op_for = |collection: Node<'t>| {
            let filled = collection.kind() == "identifier"
                && filled_in_place(
                    mutated,
                    assigns,
                    scopes.of(collection.start_byte()),
                    text(doc, collection),
                );
            if filled { LOOP_UNKNOWN } else { LOOP_ELEMENT }
        };
        for &node in loops {
            let (target, collection) = match node.kind() {
                "enhanced_for_statement" => (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ),
                _ => (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ),
            };
            let (Some(target), Some(collection)) = (target, collection) else {
                continue;
            };
            let mut names = Vec::new();
            pattern_names(target, &mut names);
            let op = op_for(collection);
            for name in names {
                bindings.push((name, collection, collection.end_byte(), op));
            }
        }
        for &call in calls {
            let Some(parts) = call_parts(doc, call) else {
                continue;
            };
            let Some(object) = parts.object else {
                continue;
            };
            // `Array.from(items, (x, i) => ..)` walks its first argument.
            let array_from = parts.name == "from" && text(doc, object) == "Array";
            let (collection, callback) = match (array_from, parts.args.as_slice()) {
                (true, [items, callback, ..]) => (*items, *callback),
                (false, [callback, ..]) => (object, *callback),
                _ => continue,
            };
            // Arrays' own callbacks get (element, index). `forEach` also runs on a Map,
            // whose second argument is a key: there only a name that says index
            // (`i`, `idx`, `index`) is taken for one.
            let indexed = match parts.name {
                "map" | "flatMap" | "filter" | "some" | "every" | "find" | "findIndex"
                | "findLast" | "findLastIndex" => Some(true),
                "from" => Some(array_from),
                "forEach" => None,
                "forEachOrdered" | "mapToObj" | "anyMatch" | "allMatch" | "noneMatch" => {
                    Some(false)
                }
                _ => continue,
            };
            let op = op_for(collection);
            for (i, name) in callback_parameters(callback).into_iter().enumerate() {
                let Some(name) = name else {
                    continue;
                };
                let index = indexed.unwrap_or_else(|| {
                    matches!(text(doc, name), "i" | "j" | "idx" | "index" | "ix" | "pos")
                });
                let op = if i == 1 && index && doc.kind != FileKind::Java {
                    LOOP_INDEX
                } else {
                    op
                };
                bindings.push((name, collection, callback.start_byte(), op));
            }
        }
        for (name, collection, from, op) in bindings {
            let key = (
                self.scopes.of(name.start_byte()),
                text(doc, name).to_string(),
            );
            self.assigns.entry(key).or_default().push(Assign {
                end: from,
                node: name,
                right: collection,
                op: Some(op),
            });
        }
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
        let d = depth + 1;
        match node.kind() {
            // Wrappers that do not change the text.
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => match node.named_child(0) {
                Some(inner) => self.value(inner, at, d),
                None => Value::unknown(),
            },
            // `<T>x`: the expression comes after the type.
            "type_assertion" => match last_named_child(node) {
                Some(inner) => self.value(inner, at, d),
                None => Value::unknown(),
            },
            "cast_expression" => match node.child_by_field_name("value") {
                Some(inner) => self.value(inner, at, d),
                None => Value::unknown(),
            },
            "string"
            | "string_literal"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "character_literal"
            | "rune_literal" => Value::safe(unquote(text(self.doc, node))),
            "template_string" => self.template(node, d),
            "number"
            | "int_literal"
            | "float_literal"
            | "imaginary_literal"
            | "decimal_integer_literal"
            | "hex_integer_literal"
            | "octal_integer_literal"
            | "binary_integer_literal"
            | "decimal_floating_point_literal"
            | "hex_floating_point_literal"
            | "true"
            | "false"
            | "null"
            | "null_literal"
            | "undefined"
            | "nil"
            | "iota" => Value::safe(text(self.doc, node)),
            "binary_expression" => self.binary(node, d),
            "ternary_expression" => {
                let branch = |field| {
                    node.child_by_field_name(field)
                        .map_or_else(Value::unknown, |b| self.value(b, at, d))
                };
                let (a, b) = (branch("consequence"), branch("alternative"));
                Value {
                    shape: a.shape.clone(),
                    safe: a.safe && b.safe,
                    built: a.built.clone().or_else(|| b.built.clone()),
                    dynamic: a.dynamic.clone().or_else(|| b.dynamic.clone()),
                }
            }
            "identifier" => self.name(node, at, d),
            // `this.TABLE`, `Config.TABLE`, `cfg.Table`: constants by name.
            "member_expression" | "selector_expression" | "field_access" => {
                let field = ["property", "field"]
                    .iter()
                    .find_map(|f| node.child_by_field_name(f))
                    .map_or("", |f| text(self.doc, f));
                // `ids.length` is a number.
                if is_constant_name(field) || matches!(field, "length" | "size") {
                    Value::safe("_")
                } else {
                    Value::unknown()
                }
            }
            "call_expression" | "method_invocation" => self.call(node, at, d),
            // `new ArrayList<>()`, `new ArrayList<>(List.of(..))`, JS `new Set(items)`: a
            // collection of what it is given (a capacity is a number).
            "object_creation_expression" | "new_expression"
                if node
                    .child_by_field_name("type")
                    .or_else(|| node.child_by_field_name("constructor"))
                    .is_some_and(|t| {
                        let class = text(self.doc, t);
                        let class = class.split('<').next().unwrap_or(class);
                        matches!(
                            class,
                            "ArrayList"
                                | "LinkedList"
                                | "HashSet"
                                | "LinkedHashSet"
                                | "TreeSet"
                                | "ArrayDeque"
                                | "HashMap"
                                | "LinkedHashMap"
                                | "TreeMap"
                                | "Array"
                                | "Set"
                                | "Map"
                        )
                    }) =>
            {
                let args = node
                    .child_by_field_name("arguments")
                    .map(named_children)
                    .unwrap_or_default();
                Value::collection(&values_at(self, &args, at, d))
            }
            "object_creation_expression" => {
                // `new StringBuilder("SELECT ..")`: the builder holds its argument.
                let builder = node
                    .child_by_field_name("type")
                    .is_some_and(|t| matches!(text(self.doc, t), "StringBuilder" | "StringBuffer"));
                if !builder {
                    return Value::unknown();
                }
                match node
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                {
                    Some(first) if !is_numeric(first) => self.value(first, at, d),
                    _ => Value::safe(""),
                }
            }
            // Go `var b strings.Builder` binds the type: an empty builder.
            "qualified_type" | "pointer_type" if is_text_builder(self.doc, node) => Value::safe(""),
            // Go `&b` is `b`; `-n`, `!ok`, JS `typeof x` make numbers, booleans, type names.
            "unary_expression" => {
                let operator = node
                    .child_by_field_name("operator")
                    .map(|o| text(self.doc, o));
                let operand = node
                    .child_by_field_name("operand")
                    .or_else(|| node.child_by_field_name("argument"));
                match (operator, operand) {
                    (Some("&"), Some(operand)) => self.value(operand, at, d),
                    (Some("*" | "<-"), _) => Value::unknown(),
                    _ => Value::safe("_"),
                }
            }
            "composite_literal"
                if node
                    .child_by_field_name("type")
                    .is_some_and(|t| is_text_builder(self.doc, t)) =>
            {
                Value::safe("")
            }
            // Java `new String[]{"a", "b"}`.
            "array_creation_expression" => match node.child_by_field_name("value") {
                Some(items) => self.value(items, at, d),
                None => Value::unknown(),
            },
            // JS `{ a: x, b }`: its values and computed keys (a loop walks keys or values).
            "object" => {
                let mut parts = Vec::new();
                for item in named_children(node) {
                    match item.kind() {
                        "pair" => {
                            let key = item
                                .child_by_field_name("key")
                                .filter(|k| k.kind() == "computed_property_name")
                                .and_then(|k| k.named_child(0));
                            for piece in [key, item.child_by_field_name("value")]
                                .into_iter()
                                .flatten()
                            {
                                parts.push(self.value(piece, at, d));
                            }
                        }
                        "shorthand_property_identifier" => parts.push(self.name(item, at, d)),
                        "spread_element" => match item.named_child(0) {
                            Some(inner) => parts.push(self.value(inner, at, d)),
                            None => parts.push(Value::unknown()),
                        },
                        // Methods and getters are code, not text.
                        _ => {}
                    }
                }
                Value::collection(&parts)
            }
            "array" | "array_initializer" | "literal_value" | "composite_literal" => {
                let mut parts = Vec::new();
                walk_items(node, &mut |item| parts.push(self.value(item, at, d)));
                Value::collection(&parts)
            }
            _ => Value::unknown(),
        }
    }

    fn template(&self, node: Node<'t>, d: usize) -> Value {
        let mut parts = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "string_fragment" | "escape_sequence" => {
                    parts.push(Value::safe(text(self.doc, child)))
                }
                "template_substitution" => parts.push(match last_named_child(child) {
                    Some(expr) => self.value(expr, expr.start_byte(), d),
                    None => Value::unknown(),
                }),
                _ => {}
            }
        }
        let shape = Shape::of(parts.iter().map(|p| &p.shape));
        if parts.iter().all(|p| p.safe) {
            return Value::safe(shape);
        }
        Value::constructed(node, "a template literal", shape, &parts)
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
        // Arithmetic and comparisons make numbers and booleans, not text.
        Value {
            shape: "_".into(),
            safe: true,
            built: l.built.or(r.built),
            dynamic: None,
        }
    }

    /// `a + b + c + ..`, nested to the left one level per `+`, walked as a list: any
    /// number of parts, each `+` its own construction as before.
    fn concatenation(&self, node: Node<'t>, d: usize) -> Value {
        let plus = |n: Node<'t>| {
            (n.kind() == "binary_expression"
                && n.child_by_field_name("operator")
                    .is_some_and(|o| o.kind() == "+"))
            .then_some(n)
        };
        fold_plus_chain(node, plus, |n| self.value(n, n.start_byte(), d))
    }

    /// `sb.append(a).append(b)..`, `s.concat(a).concat(b)..`: one level per call, walked
    /// as a list like [`Analyzer::concatenation`].
    fn append_chain(&self, node: Node<'t>, at: usize, d: usize) -> Value {
        let mut chain = Vec::new();
        let mut base = node;
        while matches!(base.kind(), "call_expression" | "method_invocation")
            && let Some(call) = call_parts(self.doc, base)
            && matches!(call.name, "concat" | "append")
            && let Some(object) = call.object
        {
            chain.push((base, call.name, call.args));
            base = object;
        }
        let mut value = self.value(base, at, d);
        for (link, name, args) in chain.into_iter().rev() {
            let mut parts = vec![value];
            parts.extend(args.iter().map(|a| self.value(*a, at, d)));
            // `sb.append(3)`: a number.
            if name == "append" && args.len() == 1 && is_numeric(args[0]) {
                parts.truncate(1);
            }
            let shape = Shape::of(parts.iter().map(|p| &p.shape));
            value = Value::constructed(link, "concatenation", shape, &parts);
        }
        value
    }

    fn call(&self, node: Node<'t>, at: usize, d: usize) -> Value {
        let Some(call) = call_parts(self.doc, node) else {
            // A tagged template binds its holes as parameters.
            return Value::unknown();
        };
        let object = call.object;
        let receiver = || object.map_or_else(Value::unknown, |o| self.value(o, at, d));
        let values = |nodes: &[Node<'t>]| -> Vec<Value> {
            nodes.iter().map(|a| self.value(*a, at, d)).collect()
        };
        let receiver_name = object.map_or("", |o| text(self.doc, o));
        match call.name {
            // Go `fmt.Sprintf(format, args..)`, Java `String.format(format, args..)`.
            "Sprintf" | "format" if object.is_some() && receiver_name != "this" => {
                let Some((format, args)) = call.args.split_first() else {
                    return Value::unknown();
                };
                // Java `String.format(Locale.ROOT, format, ..)`.
                let (format, args) = if format.kind() != "string_literal"
                    && text(self.doc, *format).contains("Locale")
                {
                    match args.split_first() {
                        Some((f, rest)) => (f, rest),
                        None => return Value::unknown(),
                    }
                } else {
                    (format, args)
                };
                self.formatted(node, *format, args, at, d)
            }
            // Java `"..".formatted(args..)`.
            "formatted" => match object {
                Some(template) => self.formatted(node, template, &call.args, at, d),
                None => Value::unknown(),
            },
            // Go builders: `b.WriteString(x)` is the builder's text with `x` after it.
            "WriteString" | "WriteByte" | "WriteRune" | "Write" if object.is_some() => {
                let mut parts = vec![receiver()];
                parts.extend(values(&call.args));
                let shape = Shape::of(parts.iter().map(|p| &p.shape));
                Value::constructed(node, "concatenation", shape, &parts)
            }
            // Go `fmt.Fprintf(&b, format, args..)` appends to the builder `b`.
            "Fprintf" | "Fprint" | "Fprintln" if self.doc.kind == FileKind::Go => {
                let Some((builder, rest)) = call.args.split_first() else {
                    return Value::unknown();
                };
                let before = self.value(*builder, at, d);
                let written = match (call.name, rest.split_first()) {
                    ("Fprintf", Some((format, args))) => self.formatted(node, *format, args, at, d),
                    _ => Value::constructed(node, "formatting", "_", &values(rest)),
                };
                let shape = Shape::join(&before.shape, &written.shape);
                Value::constructed(node, "formatting", shape, &[before, written])
            }
            // Go `new(strings.Builder)`.
            "new" if object.is_none() => match call.args.first() {
                Some(ty) => self.value(*ty, at, d),
                None => Value::unknown(),
            },
            "concat" | "append" if object.is_some() => self.append_chain(node, at, d),
            // `marks.push(x)`, `list.add(x)`, `map.put(k, v)`: the items so far and the
            // new ones (as a statement, an assignment of `marks`; see `bindings`).
            name if ADDERS.contains(&name) && object.is_some_and(|o| o.kind() == "identifier") => {
                let mut parts = vec![receiver()];
                parts.extend(values(&call.args));
                Value::collection(&parts)
            }
            // `ids.map(() => "?")`, Java `ids.stream().map(i -> "?")`, `Array.from(ids, ..)`:
            // a list of what the callback returns.
            "map" | "flatMap" | "mapToObj" => match call.args.first() {
                Some(f) => self.returned(*f, d),
                None => Value::unknown(),
            },
            "from" if receiver_name == "Array" => match call.args.as_slice() {
                [_, f, ..] => self.returned(*f, d),
                [items] => self.value(*items, at, d).element(),
                [] => Value::unknown(),
            },
            // Collections of their arguments: `List.of("a", "b")`, `Arrays.asList(..)`.
            "of" | "asList" | "singletonList" | "singleton" | "copyOf"
                if matches!(
                    receiver_name,
                    "List"
                        | "Set"
                        | "Map"
                        | "Stream"
                        | "Arrays"
                        | "Collections"
                        | "ImmutableList"
                        | "ImmutableSet"
                        | "ImmutableMap"
                        | "EnumSet"
                ) =>
            {
                Value::collection(&values(&call.args))
            }
            // `Collections.nCopies(n, "?")`: the one item, n times.
            "nCopies" => match call.args.get(1) {
                Some(item) => self.value(*item, at, d).element(),
                None => Value::unknown(),
            },
            // `Object.keys(o)`, `Object.values(o)`, `Object.entries(o)`.
            "keys" | "values" | "entries" if receiver_name == "Object" => match call.args.first() {
                Some(o) => self.value(*o, at, d).element(),
                None => Value::unknown(),
            },
            // `Collectors.joining(", ")`, `Collectors.toList()`: no text but the separator.
            _ if receiver_name == "Collectors" => Value::collection(&values(&call.args)),
            // The same elements, another view or order: streams, iterators, copies.
            "stream" | "parallelStream" | "boxed" | "sorted" | "distinct" | "toList"
            | "iterator" | "entrySet" | "keySet" | "values" | "keys" | "entries" | "slice"
            | "reverse" | "sort" | "filter" | "toArray" | "limit" | "skip"
                if object.is_some() =>
            {
                receiver()
            }
            // Java `stream.collect(Collectors.joining(", "))`: the items and the separator.
            "collect" if object.is_some() => {
                let mut parts = vec![receiver()];
                parts.extend(values(&call.args));
                Value::constructed(node, "`join`", "_", &parts)
            }

            // `IntStream.range(0, n)`: numbers.
            "range" | "rangeClosed" => Value::safe("_"),
            // Go `append(slice, items..)`: the slice now holds every item.
            "append" => {
                let parts = values(&call.args);
                Value::constructed(node, "`append`", "_", &parts)
            }
            "join" | "Join" => {
                // `arr.join(sep)`, Go `strings.Join(items, sep)`, Java `String.join(sep, items..)`.
                let parts = match (self.doc.kind, object) {
                    (FileKind::JavaScript | FileKind::TypeScript, Some(_)) => {
                        let mut p = vec![receiver()];
                        p.extend(values(&call.args));
                        p
                    }
                    _ => values(&call.args),
                };
                Value::constructed(node, "`join`", "_", &parts)
            }
            // Java `Integer.toString(n)`, `String.valueOf(n)` below: the text of a number.
            "toString"
                if matches!(
                    receiver_name,
                    "Integer" | "Long" | "Short" | "Double" | "Float"
                ) =>
            {
                Value::safe("_")
            }
            // JS `String(x)`, Go `fmt.Sprint(x)`: the text of the arguments. (Go's
            // `b.String()` is the builder's text, below.)
            "Sprint" | "Sprintln" => {
                Value::constructed(node, "formatting", "_", &values(&call.args))
            }
            "String" if object.is_none() => {
                Value::constructed(node, "formatting", "_", &values(&call.args))
            }
            "toString" | "trim" | "toLowerCase" | "toUpperCase" | "strip" | "intern" | "String" => {
                receiver()
            }
            // Go `strings.TrimSuffix(marks, ",")`: the text, less some of it.
            "TrimSpace" | "ToLower" | "ToUpper" | "TrimSuffix" | "TrimPrefix" | "TrimRight"
            | "TrimLeft" | "Trim" => call
                .args
                .first()
                .map_or_else(Value::unknown, |a| self.value(*a, at, d)),
            // Numbers cannot carry SQL; escaping functions quote what they return.
            "Itoa" | "FormatInt" | "FormatFloat" | "parseInt" | "parseFloat" | "Number" | "len"
            | "length" | "size" | "count" | "make" | "escape" | "escapeId" | "escapeLiteral"
            | "escapeIdentifier" | "QuoteIdentifier" | "QuoteLiteral" | "quoteIdentifier" => {
                Value::safe("_")
            }
            // `"?, ".repeat(n)`, Go `strings.Repeat("?,", n)`, `Array(n).fill("?")`,
            // `String.valueOf(x)`: safe when the text repeated or converted is.
            "repeat" | "Repeat" | "fill" | "valueOf" => {
                let text_arg = call.args.first().filter(|a| !is_numeric(**a));
                let text_safe = text_arg.is_some_and(|a| self.value(*a, at, d).safe);
                let receiver_safe = call.name == "repeat" && object.is_some() && receiver().safe;
                if text_safe || receiver_safe {
                    Value::safe("_")
                } else {
                    Value::unknown()
                }
            }
            _ => Value::unknown(),
        }
    }

    /// What a function literal returns, as one collection value: its expression body, or
    /// the values of the `return`s in its block (not those of functions nested in it).
    /// Unknown for anything but a function literal.
    fn returned(&self, function: Node<'t>, d: usize) -> Value {
        if !matches!(
            function.kind(),
            "arrow_function" | "function_expression" | "function" | "lambda_expression"
        ) {
            return Value::unknown();
        }
        let Some(body) = function.child_by_field_name("body") else {
            return Value::unknown();
        };
        if !matches!(body.kind(), "statement_block" | "block") {
            return self.value(body, body.start_byte(), d).element();
        }
        let mut parts = Vec::new();
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            for child in named_children(n) {
                match child.kind() {
                    "return_statement" => match child.named_child(0) {
                        Some(v) => parts.push(self.value(v, v.end_byte(), d)),
                        None => parts.push(Value::unknown()),
                    },
                    "arrow_function"
                    | "function_expression"
                    | "function"
                    | "lambda_expression"
                    | "function_declaration"
                    | "class_declaration"
                    | "class_body" => {}
                    _ => stack.push(child),
                }
            }
        }
        if parts.is_empty() {
            return Value::unknown();
        }
        Value::collection(&parts)
    }

    /// `Sprintf`/`String.format`/`.formatted`: the template with its arguments. An
    /// argument that fills a numeric verb (`%d`, `%f`, `%x`, ..) is safe whatever it is.
    fn formatted(
        &self,
        node: Node<'t>,
        template: Node<'t>,
        args: &[Node<'t>],
        at: usize,
        d: usize,
    ) -> Value {
        let template = self.value(template, at, d);
        let verbs = format_verbs(&template.shape);
        let shape = template.shape.clone();
        let mut parts = vec![template];
        for (i, arg) in args.iter().enumerate() {
            let numeric = verbs.len() == args.len()
                && verbs.get(i).is_some_and(|v| {
                    matches!(v, 'd' | 'f' | 'x' | 'X' | 'o' | 'b' | 'e' | 'g' | 't')
                });
            if !numeric {
                parts.push(self.value(*arg, at, d));
            }
        }
        Value::constructed(node, "formatting", shape, &parts)
    }

    /// A name as it stands at byte `at`: its assignments in the enclosing function
    /// before `at`, else its top-level assignments (module, class fields), else unknown
    /// except UPPER_CASE constants.
    fn name(&self, node: Node<'t>, at: usize, d: usize) -> Value {
        let name = text(self.doc, node);
        let scope = self.scopes.of(node.start_byte());
        // The innermost function first, then the ones around it (a callback reads the
        // locals of the function it is written in), until one declares the name.
        for function in self.scopes.enclosing(node.start_byte()) {
            let local = (function, name.to_string());
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
            if self.local_declared.contains(&local) {
                break;
            }
        }
        let top = (self.root.id(), name.to_string());
        if scope != self.root.id()
            && let Some(list) = self.assigns.get(&top)
            && !list.is_empty()
        {
            return self.state(&top, list.len() - 1, d);
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

/// Collects the names `node` declares: variables, parameters, loop and catch variables.
fn declared_names<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    match node.kind() {
        "variable_declarator" => {
            if let Some(name) = node.child_by_field_name("name") {
                pattern_names(name, out);
            }
        }
        "formal_parameter" | "catch_formal_parameter" | "resource" | "enhanced_for_statement" => {
            if let Some(name) = node.child_by_field_name("name") {
                out.push(name);
            }
        }
        "required_parameter" | "optional_parameter" => {
            if let Some(pattern) = node.child_by_field_name("pattern") {
                pattern_names(pattern, out);
            }
        }
        // JavaScript's parameters are patterns themselves; TypeScript's and Java's are
        // the nodes above.
        "formal_parameters" => {
            for param in named_children(node) {
                pattern_names(param, out);
            }
        }
        // `x => ..`, Java `x -> ..`: one bare parameter.
        "arrow_function" | "lambda_expression" => {
            let single = node
                .child_by_field_name("parameter")
                .or_else(|| node.child_by_field_name("parameters"))
                .filter(|p| p.kind() == "identifier");
            out.extend(single);
        }
        "catch_clause" => {
            if let Some(param) = node.child_by_field_name("parameter") {
                pattern_names(param, out);
            }
        }
        "for_in_statement" | "short_var_declaration" | "range_clause" => {
            if let Some(left) = node.child_by_field_name("left") {
                pattern_names(left, out);
            }
        }
        "parameter_declaration" | "variadic_parameter_declaration" | "var_spec" | "const_spec" => {
            let mut cursor = node.walk();
            out.extend(node.children_by_field_name("name", &mut cursor));
        }
        "inferred_parameters" => out.extend(named_children(node)),
        _ => {}
    }
}

/// (scope, name) of each collection changed in place: `tables.push(x)`, `tables[0] = x`.
fn mutated_names(
    doc: &Document,
    scopes: &Scopes,
    calls: &[Node],
    assignments: &[Node],
) -> HashSet<ScopeKey> {
    let mut names = HashSet::new();
    for &call in calls {
        let Some(parts) = call_parts(doc, call) else {
            continue;
        };
        let target = match parts.object {
            // `Object.assign(cols, x)`, `Collections.addAll(tables, x)` fill their first
            // argument; Go `copy(dst, src)` too.
            Some(o)
                if matches!(
                    (text(doc, o), parts.name),
                    ("Object", "assign") | ("Collections", "addAll")
                ) =>
            {
                parts.args.first().copied()
            }
            Some(o) if MUTATORS.contains(&parts.name) => Some(o),
            None if parts.name == "copy" => parts.args.first().copied(),
            _ => None,
        };
        if let Some(target) = target.filter(|t| t.kind() == "identifier") {
            names.insert((
                scopes.of(target.start_byte()),
                text(doc, target).to_string(),
            ));
        }
    }
    for &n in assignments {
        for (target, _, _) in bindings(doc, n) {
            let object = match target.kind() {
                "subscript_expression" | "array_access" => target
                    .child_by_field_name("object")
                    .or_else(|| target.child_by_field_name("array")),
                "index_expression" => target.child_by_field_name("operand"),
                _ => None,
            };
            if let Some(object) = object.filter(|o| o.kind() == "identifier") {
                names.insert((
                    scopes.of(object.start_byte()),
                    text(doc, object).to_string(),
                ));
            }
        }
    }
    names
}

/// The names a loop target or parameter binds: `t`, Go `i, t`, `[k, v]`, `{ id, name }`.
fn pattern_names<'t>(target: Node<'t>, out: &mut Vec<Node<'t>>) {
    match target.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => out.push(target),
        "expression_list" | "array_pattern" | "object_pattern" | "rest_pattern" => {
            for child in named_children(target) {
                pattern_names(child, out);
            }
        }
        "pair_pattern" => {
            if let Some(value) = target.child_by_field_name("value") {
                pattern_names(value, out);
            }
        }
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(left) = target.child_by_field_name("left") {
                pattern_names(left, out);
            }
        }
        _ => {}
    }
}

/// The parameters of a function literal, by position: `x => ..`, `(x, i) => ..`,
/// `function (x) {..}`, Java `x -> ..`, `(a, b) -> ..`. `None` where a position holds a
/// pattern or is not a function literal's.
fn callback_parameters(function: Node) -> Vec<Option<Node>> {
    if !matches!(
        function.kind(),
        "arrow_function" | "function_expression" | "function" | "lambda_expression"
    ) {
        return Vec::new();
    }
    if let Some(single) = function.child_by_field_name("parameter") {
        return vec![Some(single)];
    }
    let Some(params) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    if params.kind() == "identifier" {
        return vec![Some(params)];
    }
    named_children(params)
        .into_iter()
        .filter(|p| p.kind() != "comment")
        .map(|p| {
            let name = match p.kind() {
                "identifier" => Some(p),
                "required_parameter" | "optional_parameter" => p.child_by_field_name("pattern"),
                "formal_parameter" => p.child_by_field_name("name"),
                "assignment_pattern" => p.child_by_field_name("left"),
                _ => None,
            };
            name.filter(|n| n.kind() == "identifier")
        })
        .collect()
}

/// The names a parameter declares when its type is a number or a boolean: Java
/// `int n`, Go `a, b int64`, TypeScript `n: number`.
fn numeric_parameter<'t>(doc: &Document, param: Node<'t>) -> Option<Vec<Node<'t>>> {
    let ty = param.child_by_field_name("type")?;
    let ty = text(doc, ty).trim_start_matches(':').trim();
    // TypeScript `n: number | null`, `n: number | undefined`.
    let mut types = ty
        .split('|')
        .map(str::trim)
        .filter(|t| !matches!(*t, "null" | "undefined"));
    let mut any = false;
    let numeric = types.all(|t| {
        any = true;
        is_numeric_type(t)
    });
    if !(any && numeric) {
        return None;
    }
    let mut cursor = param.walk();
    let names: Vec<_> = param
        .children_by_field_name("name", &mut cursor)
        .chain(param.child_by_field_name("pattern"))
        .filter(|n| n.kind() == "identifier")
        .collect();
    Some(names)
}

/// Number and boolean types of Java, Go and TypeScript: their values print as digits,
/// `true`/`false`.
fn is_numeric_type(ty: &str) -> bool {
    matches!(
        ty,
        "int"
            | "long"
            | "short"
            | "byte"
            | "double"
            | "float"
            | "boolean"
            | "Integer"
            | "Long"
            | "Double"
            | "Boolean"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "float32"
            | "float64"
            | "bool"
            | "number"
            | "bigint"
            | "Short"
            | "Byte"
            | "Float"
            | "BigInteger"
            | "BigDecimal"
            | "uintptr"
            | "complex64"
            | "complex128"
    )
}

/// The values of `nodes`, names resolved as they stand at byte `at`.
fn values_at<'t>(
    analyzer: &Analyzer<'_, '_, 't>,
    nodes: &[Node<'t>],
    at: usize,
    d: usize,
) -> Vec<Value> {
    nodes
        .iter()
        .filter(|n| n.kind() != "comment")
        .map(|n| analyzer.value(*n, at, d))
        .collect()
}

/// The last named child: the expression inside `await x`, `x as T`, `${x}`, `(x)`.
fn last_named_child(node: Node) -> Option<Node> {
    node.named_child(u32::try_from(node.named_child_count().checked_sub(1)?).ok()?)
}

/// The elements of an array or composite literal (Go keyed elements give their values).
fn walk_items<'t>(node: Node<'t>, visit: &mut impl FnMut(Node<'t>)) {
    for item in named_children(node) {
        match item.kind() {
            "literal_value" | "literal_element" | "keyed_element" => walk_items(item, visit),
            "comment" | "type_identifier" | "slice_type" | "array_type" | "map_type" => {}
            _ => visit(item),
        }
    }
}

fn is_numeric(node: Node) -> bool {
    node.kind().contains("integer")
        || node.kind().contains("floating")
        || matches!(node.kind(), "number" | "int_literal" | "float_literal")
}

/// The text of a literal between its quotes (`"`, `'`, a backtick, Java's `"""`).
fn unquote(literal: &str) -> &str {
    literal
        .strip_prefix("\"\"\"")
        .and_then(|s| s.strip_suffix("\"\"\""))
        .unwrap_or_else(|| literal.trim_matches(['"', '\'', '`']))
}

/// The conversion letters of a printf-style format, in order (`%%` is not one).
fn format_verbs(format: &str) -> Vec<char> {
    let mut verbs = Vec::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        // Flags, width, precision and Go's `[n]` come before the letter.
        for v in chars.by_ref() {
            if v.is_ascii_alphabetic() || v == '%' {
                if v != '%' {
                    verbs.push(v);
                }
                break;
            }
        }
    }
    verbs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(path: &str, kind: FileKind, src: &str) -> Vec<usize> {
        let doc = Document::new(path, kind, src);
        let mut out = Findings::default();
        check(&doc, &mut out);
        let mut lines: Vec<_> = out.raw.iter().map(|f| doc.line_of(f.bytes.start)).collect();
        lines.sort();
        lines
    }

    #[test]
    fn every_kind_of_reassignment_is_followed_through_a_long_chain() {
        // 10 000 statements: each once cost a scan of all the others and a 4 KiB copy.
        const N: usize = 10_000;
        let cases: [(&str, FileKind, &str, &str, &str); 8] = [
            (
                "a.js",
                FileKind::JavaScript,
                "function f(db, x) {\n  let q = \"SELECT a FROM t WHERE 1=1\";\n",
                "  q = q + x;\n",
                "  db.query(q);\n}\n",
            ),
            (
                "a.js",
                FileKind::JavaScript,
                "function f(db, x) {\n  let q = \"SELECT a FROM t WHERE 1=1\";\n",
                "  q += x;\n",
                "  db.query(q);\n}\n",
            ),
            (
                "a.ts",
                FileKind::TypeScript,
                "function f(db: Db, x: string) {\n  let q = \"SELECT a FROM t WHERE 1=1\";\n",
                "  q = `${q} AND a = ${x}`;\n",
                "  db.query(q);\n}\n",
            ),
            (
                "a.go",
                FileKind::Go,
                "package m\n\nfunc f(db *sql.DB, x string) {\n\tq := \"SELECT a FROM t WHERE 1=1\"\n",
                "\tq = q + x\n",
                "\tdb.Query(q)\n}\n",
            ),
            (
                "a.go",
                FileKind::Go,
                "package m\n\nfunc f(db *sql.DB, x string) {\n\tq := \"SELECT a FROM t WHERE 1=1\"\n",
                "\tq = fmt.Sprintf(q+\" AND a = %s\", x)\n",
                "\tdb.Query(q)\n}\n",
            ),
            (
                "a.go",
                FileKind::Go,
                "package m\n\nfunc f(db *sql.DB, x string) {\n\tvar b strings.Builder\n\tb.WriteString(\"SELECT a FROM t WHERE 1=1\")\n",
                "\tb.WriteString(x)\n",
                "\tdb.Query(b.String())\n}\n",
            ),
            (
                "A.java",
                FileKind::Java,
                "class A {\n  void f(Statement st, String x) {\n    String q = \"SELECT a FROM t WHERE 1=1\";\n",
                "    q += x;\n",
                "    st.executeQuery(q);\n  }\n}\n",
            ),
            (
                "A.java",
                FileKind::Java,
                "class A {\n  void f(Statement st, String x) {\n    StringBuilder sb = new StringBuilder(\"SELECT a FROM t WHERE 1=1\");\n",
                "    sb.append(x);\n",
                "    st.executeQuery(sb.toString());\n  }\n}\n",
            ),
        ];
        for (path, kind, head, step, tail) in cases {
            let mut src = String::from(head);
            for _ in 0..N {
                src.push_str(step);
            }
            src.push_str(tail);
            let first = head.lines().count() + 1;
            assert_eq!(
                lines(path, kind, &src),
                [first, first + N],
                "{path}: {step}"
            );
        }
    }

    #[test]
    fn format_verbs_skip_percent_and_flags() {
        assert_eq!(
            format_verbs("a %s b %5.2f %% %[1]d %-3v"),
            ['s', 'f', 'd', 'v']
        );
    }

    #[test]
    fn js_template_and_concatenation_reach_query() {
        let src = "async function f(pool, a) {\n  await pool.query(`SELECT * FROM t WHERE a = '${a}'`);\n  const q = 'SELECT * FROM t WHERE a = ' + a;\n  return pool.query(q);\n}\n";
        assert_eq!(lines("a.js", FileKind::JavaScript, src), [2, 3, 4]);
    }

    #[test]
    fn js_tagged_templates_and_placeholders_are_safe() {
        let src = "async function f(prisma, pool, a) {\n  await prisma.$queryRaw`SELECT * FROM t WHERE a = ${a}`;\n  await pool.query(sql`SELECT * FROM t WHERE a = ${a}`);\n  await pool.query('SELECT * FROM t WHERE a = $1', [a]);\n}\n";
        assert!(lines("a.ts", FileKind::TypeScript, src).is_empty());
    }

    #[test]
    fn go_sprintf_with_numbers_only_is_safe() {
        let src = "package a\nfunc f(db *sql.DB, ids []int, name string) {\n\tparts := make([]string, 0)\n\tfor i := range ids {\n\t\tparts = append(parts, fmt.Sprintf(\"$%d\", i+1))\n\t}\n\tdb.Exec(\"DELETE FROM t WHERE id IN (\" + strings.Join(parts, \",\") + \")\")\n\tq := fmt.Sprintf(\"SELECT * FROM t WHERE name = '%s' LIMIT %d\", name, 5)\n\tdb.QueryContext(ctx, q)\n}\n";
        assert_eq!(lines("a.go", FileKind::Go, src), [8, 9]);
    }

    #[test]
    fn hql_opens_with_from_and_an_entity() {
        for hql in [
            "from Order where id = _",
            "  FROM User u",
            "from _ where a = 1",
        ] {
            assert!(looks_hql(hql), "{hql}");
        }
        for not in [
            "from the list",
            "fromage",
            "from",
            "SELECT a FROM t",
            "from 3 rows",
        ] {
            assert!(!looks_hql(not), "{not}");
        }
        assert!(has_hql_literal(
            "q = session.createQuery(\"from Order where id = \" + id);"
        ));
        // Without a query factory in the file, or without a `from` literal, no parse.
        assert!(!has_hql_literal("log(\"from Order where id = \" + id);"));
        assert!(!has_hql_literal(
            "em.createQuery(q); log(\"from the cache\");"
        ));
    }

    #[test]
    fn java_string_builder_statements_are_followed() {
        let src = "class A {\n  void f(Statement st, String n) {\n    StringBuilder sb = new StringBuilder(\"SELECT * FROM t\");\n    sb.append(\" WHERE n = '\").append(n).append(\"'\");\n    st.executeQuery(sb.toString());\n  }\n}\n";
        assert_eq!(lines("A.java", FileKind::Java, src), [4, 5]);
    }
}
