// Bundles the browser UI with rolldown into dist/ui/ (or --out DIR): the
// simulation harness page (sim.js), its Web Worker (sim-web-worker.js), the page
// and its styles; the master's dashboard in dist/ui/dashboard/ (dashboard.js,
// its page and styles). Each entry is one self-contained ES module.
import { build } from "rolldown";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outAt = process.argv.indexOf("--out");
const out = outAt > 0 ? resolve(process.argv[outAt + 1]) : join(root, "dist/ui");
const ui = join(root, "adapters/browser/ui");

const ENTRIES = {
  "sim.js": join(ui, "sim/main.ts"),
  "sim-web-worker.js": join(ui, "sim/sim-web-worker.ts"),
  "dashboard/dashboard.js": join(ui, "dashboard/main.ts"),
};
const COPIES = {
  "index.html": join(ui, "sim/index.html"),
  "sim.css": join(ui, "sim/sim.css"),
  "components.css": join(ui, "components/components.css"),
  "uplot.css": join(root, "node_modules/uplot/dist/uPlot.min.css"),
  "dashboard/index.html": join(ui, "dashboard/index.html"),
  "dashboard/dashboard.css": join(ui, "dashboard/dashboard.css"),
  "dashboard/components.css": join(ui, "components/components.css"),
  "dashboard/uplot.css": join(root, "node_modules/uplot/dist/uPlot.min.css"),
};

const t0 = performance.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "dashboard"), { recursive: true });
const problems = [];
await Promise.all(Object.entries(ENTRIES).map(([file, input]) => build({
  input,
  platform: "browser",
  logLevel: "warn",
  // An import rolldown cannot resolve would be left external and fail in the browser: refuse it here.
  onLog: (level, log) => { problems.push(`${file}: ${log.code ?? level}: ${log.message}`); },
  output: { file: join(out, file), format: "esm", minify: true, sourcemap: true },
})));
if (problems.length > 0) {
  console.error(`bundle-ui: ${problems.join("\n")}`);
  process.exit(1);
}
for (const [file, from] of Object.entries(COPIES)) copyFileSync(from, join(out, file));
console.log(`bundle-ui: ${Object.keys(ENTRIES).join(", ")} and ${Object.keys(COPIES).length} files in ${out} (${Math.round(performance.now() - t0)} ms)`);
