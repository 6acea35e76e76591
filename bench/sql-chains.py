#!/usr/bin/env python3
"""bench/sql-chains.py [SMARTEDU_LINT] [N]

What `code/sql-string-building` costs on SQL grown by N statements (`q = q + x`,
`q += x`, f-strings, `.format`, `%`, `.append`/`push`/`WriteString`/`StringBuilder`
chains, JS template re-assignment) and on one expression of N concatenated parts, in
Python, JavaScript, Go, Java and Rust. Each input is written to a temporary folder and
scanned alone; the table gives wall time and peak RSS (GNU time) and the lines reported,
which must be the build line and the sink line of the generated input ("want").

  SMARTEDU_LINT  the binary (default: target/release/smartedu-lint of this checkout;
                 time a release build)
  N              statements or parts per input (default 40000)

Nothing here is a test: timings depend on the machine and on what else runs on it. The
findings are also checked by the unit tests, on smaller inputs.
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def inputs(n):
    """(name, file name, text, lines wanted) of each generated input."""

    def lines(head, step, tail, foot=""):
        body = "".join(step(i) for i in range(n))
        text = head + body + tail + foot
        first = head.count("\n") + 1
        last = first + n - 1
        return text, first, last

    out = []

    def add(name, file, head, step, tail, foot="", want=None):
        text, first, last = lines(head, step, tail, foot)
        sink = last + 1
        out.append((name, file, text, want(first, last, sink) if want else [first, sink]))

    py_head = 'def f(cur, x):\n    q = "SELECT a FROM t WHERE 1=1"\n'
    py_tail = "    cur.execute(q)\n"
    # The first statement that mixes `x` into the SQL is the build site.
    add("py q = q + x", "a.py", py_head, lambda i: "    q = q + x\n", py_tail)
    add("py q += x", "a.py", py_head, lambda i: "    q += x\n", py_tail)
    add("py f-string", "a.py", py_head, lambda i: '    q = f"{q} AND a = {x}"\n', py_tail)
    add("py q.format", "a.py", py_head, lambda i: "    q = q.format(x)\n", py_tail)
    add("py q % x", "a.py", py_head, lambda i: '    q = q % (x,)\n', py_tail)
    js_head = 'function f(db, x) {\n  let q = "SELECT a FROM t WHERE 1=1";\n'
    js_tail = "  db.query(q);\n"
    add("js q = q + x", "a.js", js_head, lambda i: "  q = q + x;\n", js_tail, "}\n")
    add("js q += x", "a.js", js_head, lambda i: "  q += x;\n", js_tail, "}\n")
    add("js template", "a.js", js_head, lambda i: "  q = `${q} AND a = ${x}`;\n", js_tail, "}\n")
    go_head = 'package m\n\nfunc f(db *sql.DB, x string) {\n\tq := "SELECT a FROM t WHERE 1=1"\n'
    go_tail = "\tdb.Query(q)\n"
    add("go q = q + x", "a.go", go_head, lambda i: "\tq = q + x\n", go_tail, "}\n")
    add("go q += x", "a.go", go_head, lambda i: "\tq += x\n", go_tail, "}\n")
    add(
        "go Sprintf",
        "a.go",
        go_head,
        lambda i: '\tq = fmt.Sprintf(q+" AND a = %s", x)\n',
        go_tail,
        "}\n",
    )
    add(
        "go WriteString",
        "a.go",
        'package m\n\nfunc f(db *sql.DB, x string) {\n\tvar b strings.Builder\n\tb.WriteString("SELECT a FROM t WHERE 1=1")\n',
        lambda i: "\tb.WriteString(x)\n",
        "\tdb.Query(b.String())\n",
        "}\n",
    )
    java_head = 'class A {\n  void f(Statement st, String x) {\n    String q = "SELECT a FROM t WHERE 1=1";\n'
    java_tail = "    st.executeQuery(q);\n"
    add("java q = q + x", "A.java", java_head, lambda i: "    q = q + x;\n", java_tail, "  }\n}\n")
    add("java q += x", "A.java", java_head, lambda i: "    q += x;\n", java_tail, "  }\n}\n")
    add(
        "java sb.append",
        "A.java",
        'class A {\n  void f(Statement st, String x) {\n    StringBuilder sb = new StringBuilder("SELECT a FROM t WHERE 1=1");\n',
        lambda i: "    sb.append(x);\n",
        "    st.executeQuery(sb.toString());\n",
        "  }\n}\n",
    )
    rs_head = 'fn f(conn: &Connection, x: &str) {\n    let mut q = String::from("SELECT a FROM t WHERE 1=1");\n'
    rs_tail = "    conn.execute(&q, []);\n"
    add("rs push_str", "a.rs", rs_head, lambda i: "    q.push_str(x);\n", rs_tail, "}\n")
    add("rs q = q + x", "a.rs", rs_head, lambda i: "    q = q + x;\n", rs_tail, "}\n")

    # One expression of n parts: a left-leaning chain, one part a line.
    def chain(name, file, head, part, tail, foot=""):
        parts = "".join(part(i) for i in range(n))
        text = head + parts + tail + foot
        # The call opens on the head's last line, and the build site is there too.
        out.append((name, file, text, [head.count("\n")]))

    chain(
        "py one + chain",
        "a.py",
        "def f(cur, c):\n    cur.execute(\"INSERT INTO t VALUES ('\"\n",
        lambda i: "        + c + \"', '\"\n",
        "        + \"')\")\n",
    )
    chain(
        "js one + chain",
        "a.js",
        "function f(db, c) {\n  db.query(\"INSERT INTO t VALUES ('\"\n",
        lambda i: "    + c + \"', '\"\n",
        "    + \"')\");\n",
        "}\n",
    )
    chain(
        "go one + chain",
        "a.go",
        "package m\n\nfunc f(db *sql.DB, c string) {\n\tdb.Exec(\"INSERT INTO t VALUES ('\" +\n",
        lambda i: "\t\tc + \"', '\" +\n",
        "\t\t\"')\")\n",
        "}\n",
    )
    chain(
        "java one + chain",
        "A.java",
        "class A {\n  void f(Statement st, String c) {\n    st.execute(\"INSERT INTO t VALUES ('\"\n",
        lambda i: "      + c + \"', '\"\n",
        "      + \"')\");\n",
        "  }\n}\n",
    )
    chain(
        "java .append chain",
        "A.java",
        "class A {\n  void f(Statement st, String c) {\n    st.execute(new StringBuilder(\"INSERT INTO t VALUES ('\")\n",
        lambda i: "      .append(c).append(\"', '\")\n",
        "      .append(\"')\").toString());\n",
        "  }\n}\n",
    )
    chain(
        "rs one + chain",
        "a.rs",
        "fn f(conn: &Connection, c: &str) {\n    conn.execute(&(String::from(\"INSERT INTO t VALUES ('\")\n",
        lambda i: "        + c + \"', '\"\n",
        "        + \"')\"), []);\n",
        "}\n",
    )
    return out


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "target", "release", "smartedu-lint")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40000
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'input':20} {'bytes':>9} {'time':>8} {'max RSS':>10}  lines reported (want)")
        for name, file, text, want in inputs(n):
            if only and only not in name:
                continue
            folder = os.path.join(tmp, name.replace(" ", "_").replace("/", "_"))
            os.makedirs(folder)
            path = os.path.join(folder, file)
            with open(path, "w") as f:
                f.write(text)
            report = os.path.join(folder, "out.json")
            timing = os.path.join(folder, "time")
            cmd = ["/usr/bin/time", "-f", "%e s %M KB", "-o", timing, binary, path, "-q",
                   "--only", "code/sql-string-building", "-f", "json", "-o", report]
            subprocess.run(cmd, check=False)
            with open(timing) as f:
                took = f.read().strip().splitlines()[-1]
            try:
                with open(report) as f:
                    found = sorted(x["line"] for x in json.load(f)["findings"])
            except (OSError, ValueError, KeyError):
                found = None
            ok = found == want
            failed += not ok
            seconds, _, kb, _ = took.split()
            print(f"{name:20} {len(text):9} {seconds + ' s':>8} {kb + ' KB':>10}  {found} ({want}){'' if ok else '  <-- differs'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
