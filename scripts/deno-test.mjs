// Runs the Deno test suites offline (TOOLCHAIN.md): a throwaway DENO_DIR,
// --cached-only, never jsr:. zod is mapped to its TypeScript sources in
// node_modules (test/deno/deno.json), which import each other with .js
// specifiers: --sloppy-imports lets Deno resolve those to the .ts files.
// First it type-checks the Deno adapter with its own config
// (adapters/deno/deno.json: packages from node_modules, real hono types).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const denoDir = mkdtempSync(join(tmpdir(), "taskmill-deno-"));
const env = { ...process.env, DENO_DIR: denoDir };
const check = ["deno", "check", "--config", "adapters/deno/deno.json", "adapters/deno/"];
const test = [
  "deno", "test", "--config", "test/deno/deno.json", "--cached-only",
  "--allow-read=.", "--allow-net=127.0.0.1", "--unstable-kv", "--sloppy-imports", ...process.argv.slice(2), "test/deno/",
];
let r = spawnSync("npx", check, { stdio: "inherit", env });
if (r.status === 0) r = spawnSync("npx", test, { stdio: "inherit", env });
rmSync(denoDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
