// Runs the Deno test suites offline (TOOLCHAIN.md): a throwaway DENO_DIR,
// --cached-only, bare imports resolved from node_modules, never jsr:.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const denoDir = mkdtempSync(join(tmpdir(), "taskmill-deno-"));
const args = [
  "deno", "test", "--config", "test/deno/deno.json", "--cached-only",
  "--allow-read=.", "--allow-net=127.0.0.1", "--unstable-kv", ...process.argv.slice(2), "test/deno/",
];
const r = spawnSync("npx", args, { stdio: "inherit", env: { ...process.env, DENO_DIR: denoDir } });
rmSync(denoDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
