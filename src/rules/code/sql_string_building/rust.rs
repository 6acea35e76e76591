//! `code/sql-string-building` for Rust, over `syn`'s syntax tree: `format!` (and `+`,
//! `push_str`, `+=`) building SQL that reaches `sqlx::query*`, `diesel::sql_query`,
//! rusqlite `execute`/`query_row`/`prepare` or postgres `query`/`execute`.
//!
//! Each function body is evaluated on its own: its `let` bindings and assignments to
//! plain names, `push`es into collections, loop variables and iterator closures'
//! parameters (an item of what they walk), in source order, then its sink calls.
//! Top-level `const`/`static` strings are known everywhere.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{BinOp, Expr, Lit, Pat, Token};

use super::{
    ADDERS, GaveUp, MAX_DEPTH, MUTATORS, PassedOn, Shape, Value, consumes_text,
    has_built_sql_literal, has_sql_literal, is_constant_name, keep_built, report,
};
use crate::document::Document;
use crate::parse::rust::{bytes, file};
use crate::rules::Findings;

pub(super) fn check(doc: &Document, out: &mut Findings) {
    const SINK_WORDS: [&str; 4] = ["query", "execute", "prepare", "sql_query"];
    // The literal first: most files have none, and one pass finds out.
    let worth_parsing = has_sql_literal(doc.text)
        && (SINK_WORDS.iter().any(|w| doc.text.contains(w)) || has_built_sql_literal(doc.text));
    if !worth_parsing {
        return;
    }
    let Some(file) = file(doc) else {
        return;
    };
    let mut constants = HashMap::new();
    let mut statics = HashSet::new();
    for item in &file.items {
        match item {
            syn::Item::Const(c) => {
                constants.insert(c.ident.to_string(), &*c.expr);
            }
            syn::Item::Static(s) => {
                constants.insert(s.ident.to_string(), &*s.expr);
                if matches!(s.mutability, syn::StaticMutability::Mut(_)) {
                    statics.insert(s.ident.to_string());
                }
            }
            _ => {}
        }
    }
    let mut functions = Functions { bodies: Vec::new() };
    functions.visit_file(file);
    let mut reported_sites = HashSet::new();
    let mut passed_on = Vec::new();
    let gave_up = GaveUp::default();
    for (body, numeric) in functions.bodies {
        let mut collect = Collect {
            statics: statics.clone(),
            ..Collect::default()
        };
        collect.visit_block(body);
        collect.finish();
        let analyzer = Analyzer {
            assigns: collect.assigns,
            constants: &constants,
            numeric,
            states: RefCell::new(HashMap::new()),
            gave_up: &gave_up,
        };
        for (call, name, query) in collect.sinks {
            let value = analyzer.value(query, bytes(query.span()).start, 0);
            // Only a value whose SQL text took in data: a query that is a parameter
            // is not followed to its callers.
            if let Some(site) = value.built {
                report(doc, call, name, &site, &mut reported_sites, out);
            }
        }
        // The body's tail expression is returned too.
        if let Some(syn::Stmt::Expr(tail, None)) = body.stmts.last() {
            collect.leaving.push((tail, "is returned".to_string()));
        }
        passed_on.push((analyzer, collect.leaving));
    }
    // After every function's sinks: SQL built in one function may reach a sink in
    // another of the same file only through what it passes on, reported here.
    let mut reporter = PassedOn::new(&mut reported_sites, out);
    for (analyzer, leaving) in passed_on {
        for (expr, leaves) in leaving {
            let value = analyzer.value(expr, bytes(expr.span()).end, 0);
            reporter.report(&value, &leaves);
        }
    }
    gave_up.warn(doc);
}

/// Finds every function body (free functions, methods, trait defaults).
/// Each with the names of its parameters typed as numbers or booleans.
struct Functions<'ast> {
    bodies: Vec<(&'ast syn::Block, HashSet<String>)>,
}

impl<'ast> Visit<'ast> for Functions<'ast> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.bodies.push((&f.block, numeric_parameters(&f.sig)));
        visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.bodies.push((&f.block, numeric_parameters(&f.sig)));
        visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.bodies.push((block, numeric_parameters(&f.sig)));
        }
        visit::visit_trait_item_fn(self, f);
    }
}

/// Parameters such as `n: usize` or `id: &i64`: numbers cannot carry SQL.
fn numeric_parameters(sig: &syn::Signature) -> HashSet<String> {
    const NUMERIC: [&str; 15] = [
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
        "f32", "f64", "bool",
    ];
    let mut out = HashSet::new();
    for input in &sig.inputs {
        let syn::FnArg::Typed(arg) = input else {
            continue;
        };
        let mut ty = &*arg.ty;
        if let syn::Type::Reference(r) = ty {
            ty = &r.elem;
        }
        let numeric = matches!(ty, syn::Type::Path(p)
            if p.path.get_ident().is_some_and(|i| NUMERIC.iter().any(|n| i == n)));
        if let (true, Pat::Ident(name)) = (numeric, &*arg.pat) {
            out.insert(name.ident.to_string());
        }
    }
    out
}

/// An assignment to a plain name inside one function.
struct Assign<'ast> {
    /// Where the statement ends: later uses see it.
    end: usize,
    range: Range<usize>,
    right: &'ast Expr,
    how: Binding,
}

/// How an [`Assign`] sets its name from its right side.
#[derive(Clone, Copy, PartialEq)]
enum Binding {
    /// `=` and `let`.
    Replace,
    /// `+=` and `push_str`.
    Append,
    /// `v.push(x)`, `v.extend(xs)`, `v.insert(i, x)`: the collection so far and the new
    /// items.
    Add,
    /// A loop variable or an iterator closure's parameter: one element of the
    /// collection on the right.
    Element,
    /// `enumerate`'s counter: a number.
    Index,
    /// A loop over a collection that is changed in place (`v.push(x)`): unknown.
    Unknown,
}

/// Collects one function body's assignments and sink calls.
#[derive(Default)]
struct Collect<'ast> {
    assigns: HashMap<String, Vec<Assign<'ast>>>,
    /// (call range, sink name, query argument).
    sinks: Vec<(Range<usize>, &'static str, &'ast Expr)>,
    /// Values that leave the function, and how ("is returned").
    leaving: Vec<(&'ast Expr, String)>,
    /// Loop variables and iterator closures' parameters, joined to `assigns` by
    /// [`Collect::finish`].
    loops: Vec<(String, Assign<'ast>)>,
    /// Plain names of collections changed in place (`v.push(x)`, `v[0] = x`).
    mutated: HashSet<String>,
    /// The file's `static mut` names, and the names this body binds with `let`.
    statics: HashSet<String>,
    lets: HashSet<String>,
}

impl<'ast> Collect<'ast> {
    fn assign(&mut self, name: String, node: Span, right: &'ast Expr, append: bool) {
        let range = bytes(node);
        let how = if append {
            Binding::Append
        } else {
            Binding::Replace
        };
        self.assigns.entry(name).or_default().push(Assign {
            end: range.end,
            range,
            right,
            how,
        });
    }

    /// Binds the names of `pat` to elements of `collection`, visible from byte `from`
    /// (the loop body, the closure body). `(i, t)` over `.enumerate()` makes `i` a count.
    fn bind_elements(
        &mut self,
        pat: &Pat,
        collection: &'ast Expr,
        range: Range<usize>,
        from: usize,
    ) {
        let counted = matches!(collection, Expr::MethodCall(m) if m.method == "enumerate")
            && matches!(pat, Pat::Tuple(_));
        let mut names = Vec::new();
        pattern_names(pat, &mut names);
        for (i, name) in names.into_iter().enumerate() {
            let how = if counted && i == 0 {
                Binding::Index
            } else {
                Binding::Element
            };
            self.loops.push((
                name,
                Assign {
                    end: from,
                    range: range.clone(),
                    right: collection,
                    how,
                },
            ));
        }
    }

    /// After the body is visited: loop bindings join the assignments, in source order; a
    /// loop over a collection the body changes in place walks unknown items.
    fn finish(&mut self) {
        for (name, mut assign) in std::mem::take(&mut self.loops) {
            let filled = plain_name(strip_reference(assign.right))
                .is_some_and(|collection| self.mutated.contains(&collection));
            if filled {
                assign.how = Binding::Unknown;
            }
            self.assigns.entry(name).or_default().push(assign);
        }
        for list in self.assigns.values_mut() {
            list.sort_by_key(|a| a.end);
        }
    }
}

/// `&v`, `&mut v`: the collection itself.
fn strip_reference(expr: &Expr) -> &Expr {
    match expr {
        Expr::Reference(r) => strip_reference(&r.expr),
        Expr::Paren(p) => strip_reference(&p.expr),
        e => e,
    }
}

/// The names a pattern binds: `t`, `(i, t)`, `&t`, `[a, b]`, `Some(t)`.
fn pattern_names(pat: &Pat, out: &mut Vec<String>) {
    match pat {
        Pat::Ident(p) => out.push(p.ident.to_string()),
        Pat::Tuple(t) => t.elems.iter().for_each(|p| pattern_names(p, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| pattern_names(p, out)),
        Pat::Slice(s) => s.elems.iter().for_each(|p| pattern_names(p, out)),
        Pat::Reference(r) => pattern_names(&r.pat, out),
        Pat::Type(t) => pattern_names(&t.pat, out),
        Pat::Paren(p) => pattern_names(&p.pat, out),
        _ => {}
    }
}

/// The name of a plain variable expression (`q`, not `self.q`).
fn plain_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Collect<'ast> {
    // Nested functions are bodies of their own.
    fn visit_item_fn(&mut self, _: &'ast syn::ItemFn) {}

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let mut pat = &local.pat;
        if let Pat::Type(t) = pat {
            pat = &t.pat;
        }
        let mut names = Vec::new();
        pattern_names(pat, &mut names);
        self.lets.extend(names);
        if let (Pat::Ident(ident), Some(init)) = (pat, &local.init) {
            self.assign(ident.ident.to_string(), local.span(), &init.expr, false);
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        let range = bytes(e.span());
        let from = bytes(e.expr.span()).end;
        self.bind_elements(&e.pat, &e.expr, range, from);
        visit::visit_expr_for_loop(self, e);
    }

    fn visit_expr_assign(&mut self, e: &'ast syn::ExprAssign) {
        if let Expr::Index(index) = &*e.left
            && let Some(name) = plain_name(&index.expr)
        {
            self.mutated.insert(name);
        }
        if let Some(name) = plain_name(&e.left) {
            // `LAST = ..` on a `static mut` outlives the function.
            if self.statics.contains(&name) && !self.lets.contains(&name) {
                self.leaving
                    .push((&e.right, format!("is assigned to static `{name}`")));
            }
            self.assign(name, e.span(), &e.right, false);
        } else if let Expr::Field(field) = &*e.left {
            let target = quote_target(field);
            self.leaving
                .push((&e.right, format!("is stored in `{target}`")));
        }
        visit::visit_expr_assign(self, e);
    }

    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        if let (BinOp::AddAssign(_), Some(name)) = (&e.op, plain_name(&e.left)) {
            self.assign(name, e.span(), &e.right, true);
        }
        visit::visit_expr_binary(self, e);
    }

    fn visit_expr_method_call(&mut self, e: &'ast syn::ExprMethodCall) {
        let method = e.method.to_string();
        if MUTATORS.contains(&method.as_str())
            && let Some(name) = plain_name(strip_reference(&e.receiver))
        {
            // `marks.push(x)`: `marks` holds `x` too from here on.
            if ADDERS.contains(&method.as_str())
                && let Some(item) = e.args.last()
            {
                let range = bytes(e.span());
                self.assigns.entry(name.clone()).or_default().push(Assign {
                    end: range.end,
                    range,
                    right: item,
                    how: Binding::Add,
                });
            }
            self.mutated.insert(name);
        }
        // `ids.iter().map(|_| "?")`, `["a", "b"].iter().for_each(|t| ..)`: the closure's
        // parameter is an element of the receiver.
        if matches!(
            method.as_str(),
            "map"
                | "for_each"
                | "filter_map"
                | "flat_map"
                | "filter"
                | "any"
                | "all"
                | "find"
                | "inspect"
                | "try_for_each"
        ) && let Some(Expr::Closure(closure)) = e.args.first()
            && let Some(param) = closure.inputs.first()
        {
            // Visible in the closure; the receiver is evaluated before it, where the
            // binding is not yet visible (`x.iter().map(|x| ..)` is not circular).
            let from = bytes(closure.span()).start;
            let range = bytes(e.receiver.span()).start..bytes(closure.span()).end;
            self.bind_elements(param, &e.receiver, range, from);
        }
        if method == "push_str"
            && let (Some(name), Some(arg)) = (plain_name(&e.receiver), e.args.first())
        {
            self.assign(name, e.span(), arg, true);
        }
        // rusqlite `conn.execute(sql, params)`, `query_row`, `prepare`; postgres
        // `client.query(sql, &[..])`, `batch_execute`, `simple_query`.
        let sink = match method.as_str() {
            "execute" => Some("execute"),
            "query" => Some("query"),
            "query_row" => Some("query_row"),
            "query_one" => Some("query_one"),
            "query_opt" => Some("query_opt"),
            "prepare" => Some("prepare"),
            "prepare_cached" => Some("prepare_cached"),
            "batch_execute" => Some("batch_execute"),
            "simple_query" => Some("simple_query"),
            "execute_batch" => Some("execute_batch"),
            _ => None,
        };
        if let (Some(sink), Some(arg)) = (sink, e.args.first()) {
            self.sinks.push((bytes(e.span()), sink, arg));
        } else if !matches!(method.as_str(), "push_str" | "replace" | "join" | "concat") {
            for arg in &e.args {
                self.leaving.push((arg, format!("is passed to `{method}`")));
            }
        }
        visit::visit_expr_method_call(self, e);
    }

    fn visit_expr_call(&mut self, e: &'ast syn::ExprCall) {
        // `sqlx::query(..)`, `sqlx::query_as::<_, T>(..)`, `diesel::sql_query(..)`.
        if let Expr::Path(p) = &*e.func
            && let Some(last) = p.path.segments.last()
        {
            let sink = match last.ident.to_string().as_str() {
                "query" => Some("sqlx::query"),
                "query_as" => Some("sqlx::query_as"),
                "query_scalar" => Some("sqlx::query_scalar"),
                "sql_query" => Some("sql_query"),
                _ => None,
            };
            let name = last.ident.to_string();
            // `String::from(q)` still holds the text; `Query::new(q)` hands it on.
            let owner = p
                .path
                .segments
                .iter()
                .rev()
                .nth(1)
                .map(|s| s.ident.to_string());
            let converts = matches!(name.as_str(), "from" | "from_str" | "new")
                && owner
                    .as_deref()
                    .is_none_or(|o| matches!(o, "String" | "str" | "Cow" | "Box" | "Rc" | "Arc"));
            let shown = match &owner {
                Some(owner) if matches!(name.as_str(), "new" | "from") => {
                    format!("{owner}::{name}")
                }
                _ => name.clone(),
            };
            if let (Some(sink), Some(arg)) = (sink, e.args.first()) {
                self.sinks.push((bytes(e.span()), sink, arg));
            } else if !converts && !consumes_text(&name) {
                for arg in &e.args {
                    self.leaving.push((arg, format!("is passed to `{shown}`")));
                }
            }
        }
        visit::visit_expr_call(self, e);
    }

    fn visit_expr_closure(&mut self, e: &'ast syn::ExprClosure) {
        // The closure's value: its expression body, or its block's tail.
        let body = match &*e.body {
            Expr::Block(b) => match b.block.stmts.last() {
                Some(syn::Stmt::Expr(tail, None)) => Some(tail),
                _ => None,
            },
            body => Some(body),
        };
        if let Some(body) = body {
            self.leaving.push((body, "is returned".to_string()));
        }
        visit::visit_expr_closure(self, e);
    }

    fn visit_expr_return(&mut self, e: &'ast syn::ExprReturn) {
        if let Some(expr) = &e.expr {
            self.leaving.push((expr, "is returned".to_string()));
        }
        visit::visit_expr_return(self, e);
    }
}

/// `self.sql` as written, for the message.
fn quote_target(field: &syn::ExprField) -> String {
    let base = match &*field.base {
        Expr::Path(p) => p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::"),
        _ => "..".to_string(),
    };
    match &field.member {
        syn::Member::Named(name) => format!("{base}.{name}"),
        syn::Member::Unnamed(index) => format!("{base}.{}", index.index),
    }
}

struct Analyzer<'ast, 'g> {
    gave_up: &'g GaveUp,
    /// Each name's assignments, in source order (by where they end).
    assigns: HashMap<String, Vec<Assign<'ast>>>,
    constants: &'ast HashMap<String, &'ast Expr>,
    numeric: HashSet<String>,
    /// The value of a name after its first k assignments, k = index + 1: a function
    /// that walks many loops over one name (`for t in [..]`, each with a sink) would
    /// otherwise fold every earlier one again at each use.
    states: RefCell<HashMap<String, Vec<Value>>>,
}

impl Analyzer<'_, '_> {
    /// The value of `expr`, with names resolved as they stand at byte `at`.
    fn value(&self, expr: &Expr, at: usize, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            self.gave_up.note(bytes(expr.span()).start);
            return Value::unknown();
        }
        let d = depth + 1;
        match expr {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Str(s) => Value::safe(s.value()),
                Lit::Int(_) | Lit::Float(_) | Lit::Bool(_) | Lit::Char(_) => Value::safe("_"),
                _ => Value::unknown(),
            },
            Expr::Paren(e) => self.value(&e.expr, at, d),
            Expr::Group(e) => self.value(&e.expr, at, d),
            Expr::Reference(e) => self.value(&e.expr, at, d),
            Expr::Try(e) => self.value(&e.expr, at, d),
            Expr::Macro(m) if m.mac.path.is_ident("vec") => self.vec_macro(&m.mac, at, d),
            Expr::Macro(m) => self.format_macro(&m.mac, at, d),
            // `a + b + c + ..` nests to the left, one level per `+`: walked as a list,
            // each `+` its own construction.
            Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => {
                let mut chain = vec![b];
                while let Expr::Binary(left) = &*chain[chain.len() - 1].left
                    && matches!(left.op, BinOp::Add(_))
                {
                    chain.push(left);
                }
                let first = &chain[chain.len() - 1].left;
                let start = bytes(first.span()).start;
                let mut value = self.value(first, at, d);
                for plus in chain.into_iter().rev() {
                    let r = self.value(&plus.right, at, d);
                    let shape = Shape::join(&value.shape, &r.shape);
                    // The span of `a + .. + x` is that of its tokens: asking syn for it
                    // prints them all, quadratic over the chain; its ends are known.
                    let end = bytes(plus.right.span()).end;
                    value = Value::constructed_at(start..end, "concatenation", shape, &[value, r]);
                }
                value
            }
            // Arithmetic and comparisons make numbers and booleans, not text.
            Expr::Binary(b) if !matches!(b.op, BinOp::AddAssign(_)) => Value::safe("_"),
            // `["a", "b"]`, `("a", 1)`, `["?"; n]`: collections of their items.
            Expr::Array(a) => Value::collection(
                &a.elems
                    .iter()
                    .map(|e| self.value(e, at, d))
                    .collect::<Vec<_>>(),
            ),
            Expr::Tuple(t) => Value::collection(
                &t.elems
                    .iter()
                    .map(|e| self.value(e, at, d))
                    .collect::<Vec<_>>(),
            ),
            Expr::Repeat(r) => self.value(&r.expr, at, d).element(),
            // `Query { sql: .., ..base }`: a record of its fields.
            Expr::Struct(st) => {
                let mut parts: Vec<Value> = st
                    .fields
                    .iter()
                    .map(|f| self.value(&f.expr, at, d))
                    .collect();
                if let Some(rest) = &st.rest {
                    parts.push(self.value(rest, at, d));
                }
                Value::collection(&parts)
            }
            // `0..n`, `1..=ids.len()`: numbers.
            Expr::Range(_) => Value::safe("_"),
            Expr::Block(b) => match b.block.stmts.last() {
                Some(syn::Stmt::Expr(tail, None)) => self.value(tail, at, d),
                _ => Value::unknown(),
            },
            Expr::MethodCall(m) => self.method_call(m, at, d),
            Expr::Call(c) => match (&*c.func, c.args.first()) {
                // `String::from(..)`, `String::from_str(..)`.
                (Expr::Path(p), Some(arg))
                    if p.path.segments.last().is_some_and(|s| s.ident == "from") =>
                {
                    self.value(arg, at, d)
                }
                // `Vec::new()`, `Vec::with_capacity(n)`, `HashSet::default()`: empty.
                (Expr::Path(p), _)
                    if p.path.segments.len() >= 2
                        && p.path.segments.last().is_some_and(|s| {
                            matches!(
                                s.ident.to_string().as_str(),
                                "new" | "with_capacity" | "default"
                            )
                        })
                        && p.path.segments.iter().rev().nth(1).is_some_and(|s| {
                            matches!(
                                s.ident.to_string().as_str(),
                                "Vec"
                                    | "VecDeque"
                                    | "HashSet"
                                    | "BTreeSet"
                                    | "HashMap"
                                    | "BTreeMap"
                            )
                        }) =>
                {
                    Value::collection(&[])
                }
                // `std::iter::repeat("?")`, `repeat_n("?", n)`: that item, again and again.
                (Expr::Path(p), Some(arg))
                    if p.path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "repeat" || s.ident == "repeat_n") =>
                {
                    self.value(arg, at, d).element()
                }
                _ => Value::unknown(),
            },
            Expr::Path(_) => match plain_name(expr) {
                Some(name) => self.name(&name, at, d),
                None => Value::unknown(),
            },
            _ => Value::unknown(),
        }
    }

    fn method_call(&self, m: &syn::ExprMethodCall, at: usize, d: usize) -> Value {
        let receiver = || self.value(&m.receiver, at, d);
        match m.method.to_string().as_str() {
            "to_string" | "to_owned" | "as_str" | "clone" | "into" | "trim" | "as_ref" => {
                receiver()
            }
            "len" | "count" => Value::safe("_"),
            // Iterators and copies of a collection walk its items; `take(n)` and the
            // like only count them.
            "iter" | "into_iter" | "iter_mut" | "copied" | "cloned" | "rev" | "enumerate"
            | "take" | "skip" | "step_by" | "collect" | "to_vec" | "keys" | "values"
            | "into_keys" | "into_values" | "filter" | "peekable" | "fuse" | "cycle" => receiver(),
            "chain" | "zip" => {
                let mut parts = vec![receiver()];
                parts.extend(m.args.iter().map(|a| self.value(a, at, d)));
                Value::collection(&parts)
            }
            // `ids.iter().map(|_| "?")`: what the closure returns, its parameter bound to
            // the receiver's items by `Collect`.
            "map" | "flat_map" | "filter_map" => match m.args.first() {
                Some(Expr::Closure(c)) => {
                    let from = bytes(c.body.span()).start;
                    self.value(&c.body, from, d).element()
                }
                _ => Value::unknown(),
            },
            // `parts.join(", ")`, `parts.concat()`: the items and the separator.
            "join" | "concat" => {
                let mut parts = vec![receiver()];
                parts.extend(m.args.iter().map(|a| self.value(a, at, d)));
                Value::constructed_at(bytes(m.span()), "`join`", "_", &parts)
            }
            _ => Value::unknown(),
        }
    }

    /// `vec![a, b]` and `vec![x; n]`: a collection of the items.
    fn vec_macro(&self, mac: &syn::Macro, at: usize, d: usize) -> Value {
        let items = mac.parse_body_with(|input: syn::parse::ParseStream| {
            let mut items = Vec::new();
            if input.is_empty() {
                return Ok(items);
            }
            items.push(input.parse::<Expr>()?);
            if input.peek(Token![;]) {
                // `vec![x; n]`: the count is a number.
                input.parse::<Token![;]>()?;
                input.parse::<Expr>()?;
                return Ok(items);
            }
            while input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
                if input.is_empty() {
                    break;
                }
                items.push(input.parse::<Expr>()?);
            }
            Ok(items)
        });
        match items {
            Ok(items) => Value::collection(
                &items
                    .iter()
                    .map(|e| self.value(e, at, d))
                    .collect::<Vec<_>>(),
            ),
            Err(_) => Value::unknown(),
        }
    }

    /// `format!("..", args..)`: the template with every argument and inline capture
    /// (`{name}`) as an unknown piece. Other macros are unknown.
    fn format_macro(&self, mac: &syn::Macro, at: usize, d: usize) -> Value {
        if !mac.path.is_ident("format") {
            return Value::unknown();
        }
        let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) else {
            return Value::unknown();
        };
        let mut args = args.iter();
        let Some(Expr::Lit(syn::ExprLit {
            lit: Lit::Str(template),
            ..
        })) = args.next()
        else {
            return Value::unknown();
        };
        let template = template.value();
        let (shape, captures) = format_shape(&template);
        let mut parts = vec![Value::safe(shape.clone())];
        parts.extend(args.map(|a| match a {
            // `name = value` arguments.
            Expr::Assign(a) => self.value(&a.right, at, d),
            a => self.value(a, at, d),
        }));
        parts.extend(captures.into_iter().map(|c| self.name(&c, at, d)));
        Value::constructed_at(bytes(mac.span()), "`format!`", shape, &parts)
    }

    fn name(&self, name: &str, at: usize, d: usize) -> Value {
        if let Some(list) = self.assigns.get(name) {
            let visible = list.partition_point(|a| a.end <= at);
            if visible > 0 {
                return self.fold(name, list, visible - 1, d);
            }
        }
        if self.numeric.contains(name) {
            return Value::safe("_");
        }
        if let Some(expr) = self.constants.get(name) {
            return self.value(expr, usize::MAX, d);
        }
        if is_constant_name(name) {
            Value::safe("_")
        } else {
            Value::unknown()
        }
    }

    /// The value of `name` after its assignments `list[..=index]`, computed once per
    /// prefix.
    fn fold(&self, name: &str, list: &[Assign], index: usize, d: usize) -> Value {
        loop {
            let done = self.states.borrow().get(name).map_or(0, Vec::len);
            if done > index {
                return self
                    .states
                    .borrow()
                    .get(name)
                    .and_then(|s| s.get(index).cloned())
                    .unwrap_or_else(Value::unknown);
            }
            let Some(assign) = list.get(done) else {
                return Value::unknown();
            };
            let previous = match done {
                0 => None,
                n => self
                    .states
                    .borrow()
                    .get(name)
                    .and_then(|s| s.get(n - 1).cloned()),
            };
            let next = self.step(assign, previous, d);
            let mut states = self.states.borrow_mut();
            let entry = states.entry(name.to_string()).or_default();
            // A recursive evaluation may have filled this slot already.
            if entry.len() == done {
                entry.push(next);
            }
        }
    }

    /// The value after `assign`, given the value before it.
    fn step(&self, assign: &Assign, value: Option<Value>, d: usize) -> Value {
        let rhs = self.value(assign.right, assign.range.start, d);
        match (assign.how, value) {
            (Binding::Replace, previous) => keep_built(rhs, previous),
            (Binding::Element, previous) => keep_built(rhs.element(), previous),
            (Binding::Index, previous) => keep_built(Value::safe("_"), previous),
            (Binding::Unknown, previous) => keep_built(Value::unknown(), previous),
            (Binding::Append, Some(prev)) => {
                let shape = Shape::join(&prev.shape, &rhs.shape);
                Value::constructed_at(assign.range.clone(), "concatenation", shape, &[prev, rhs])
            }
            (Binding::Append, None) => rhs,
            (Binding::Add, previous) => {
                let mut parts = vec![rhs];
                parts.extend(previous);
                Value::collection(&parts)
            }
        }
    }
}

/// The text of a format string with each `{..}` placeholder as `_` and `{{`/`}}`
/// unescaped, and the names captured inline (`{name}`, `{name:?}`).
fn format_shape(template: &str) -> (String, Vec<String>) {
    let mut shape = String::new();
    let mut captures = Vec::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                shape.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                shape.push('}');
            }
            '{' => {
                let mut inner = String::new();
                for i in chars.by_ref() {
                    if i == '}' {
                        break;
                    }
                    inner.push(i);
                }
                let name = inner.split(':').next().unwrap_or("").trim();
                if name.starts_with(|c: char| c.is_alphabetic() || c == '_') {
                    captures.push(name.to_string());
                }
                shape.push('_');
            }
            c => shape.push(c),
        }
    }
    (shape, captures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FileKind;

    fn lines(src: &str) -> Vec<usize> {
        let doc = Document::new("repo.rs", FileKind::Rust, src);
        let mut out = Findings::default();
        check(&doc, &mut out);
        let mut lines: Vec<_> = out.raw.iter().map(|f| doc.line_of(f.bytes.start)).collect();
        lines.sort();
        lines
    }

    #[test]
    fn format_shape_marks_holes_and_captures() {
        let (shape, captures) = format_shape("SELECT {} FROM {table:?} WHERE {{x}} = {0}");
        assert_eq!(shape, "SELECT _ FROM _ WHERE {x} = _");
        assert_eq!(captures, ["table"]);
    }

    #[test]
    fn format_reaching_sqlx_and_rusqlite() {
        let src = "async fn f(pool: &PgPool, conn: &Connection, a: &str) {\n    let q = format!(\"SELECT * FROM t WHERE a = '{}'\", a);\n    sqlx::query(&q).fetch_all(pool).await;\n    conn.execute(&format!(\"DELETE FROM t WHERE a = '{a}'\"), []);\n}\n";
        assert_eq!(lines(src), [2, 3, 4]);
    }

    #[test]
    fn binds_and_constants_are_safe() {
        let src = "const TABLE: &str = \"t\";\nfn f(conn: &Connection, a: &str) {\n    conn.execute(\"DELETE FROM t WHERE a = ?1\", [a]);\n    let q = format!(\"SELECT * FROM {}\", TABLE);\n    conn.prepare(&q);\n    let msg = format!(\"selected {} rows from the ledger\", a);\n    log(&msg);\n}\n";
        assert!(lines(src).is_empty());
    }

    #[test]
    fn push_str_appends() {
        let src = "fn f(c: &mut Client, a: &str) {\n    let mut q = String::from(\"SELECT * FROM t WHERE 1=1\");\n    q.push_str(&format!(\" AND a = '{}'\", a));\n    c.query(&q, &[]);\n}\n";
        assert_eq!(lines(src), [3, 4]);
    }
}
