// Run by production-tree.ts as `node check-requires.cjs <app> <service>...` with a bare
// environment (no NODE_PATH), from inside the production tree, so only what is installed there
// can satisfy a require. For each service it follows every require() of FediFlow's own compiled
// code from the entry points the image uses (the telemetry preload and dist/main.js), resolving
// each from the requiring file, then loads every third-party package reached, so their own
// requires must resolve too. main.js itself is never executed: it would start the service.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createRequire, builtinModules } = require("node:module");

const [app, ...services] = process.argv.slice(2);
const store = path.join(app, "node_modules", ".pnpm");
const builtins = new Set(builtinModules);
const requireCall = /\brequire\(\s*["']([^"']+)["']\s*\)/g;

const report = { services: {}, unresolved: [], failedToLoad: [] };
const loaded = new Set();

for (const service of services) {
  const serviceDir = path.join(app, "services", service);
  const fromService = createRequire(path.join(serviceDir, "package.json"));
  const entries = [fromService.resolve("@fediflow/telemetry/register"), path.join(serviceDir, "dist", "main.js")];
  const seen = new Set();
  const external = new Set();
  const queue = entries.map((file) => fs.realpathSync(file));
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith(".js")) continue;
    const source = fs.readFileSync(file, "utf8");
    const fromFile = createRequire(file);
    for (const [, specifier] of source.matchAll(requireCall)) {
      if (builtins.has(specifier) || specifier.startsWith("node:")) continue;
      let resolved;
      try {
        resolved = fs.realpathSync(fromFile.resolve(specifier));
      } catch {
        report.unresolved.push(`${path.relative(app, file)}: require("${specifier}")`);
        continue;
      }
      // Third-party code lives in pnpm's store; FediFlow's own packages are linked from the workspace.
      if (resolved.startsWith(store + path.sep)) external.add(resolved);
      else queue.push(resolved);
    }
  }
  for (const file of external) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    try {
      require(file);
    } catch (error) {
      report.failedToLoad.push(`${path.relative(app, file)}: ${error && error.message}`);
    }
  }
  report.services[service] = { ownFiles: [...seen].length, packages: external.size };
}
process.stdout.write(JSON.stringify(report));
