// Runs the Deno test suites offline (TOOLCHAIN.md): a throwaway DENO_DIR,
// --cached-only, never jsr:. zod is mapped to its TypeScript sources in
// node_modules (test/deno/deno.json), which import each other with .js
// specifiers: --sloppy-imports lets Deno resolve those to the .ts files.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const denoDir = mkdtempSync(join(tmpdir(), "taskmill-deno-"));
const args = [
  "deno", "test", "--config", "test/deno/deno.json", "--cached-only",
  "--allow-read=.", "--allow-net=127.0.0.1", "--unstable-kv", "--sloppy-imports", ...process.argv.slice(2), "test/deno/",
];
const r = spawnSync("npx", args, { stdio: "inherit", env: { ...process.env, DENO_DIR: denoDir } });
rmSync(denoDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
