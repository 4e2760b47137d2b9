// The Deno CLI (adapters/deno/cli.ts) as a test process: offline, from the sources.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnProc, type Proc } from "../processes.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
/**
 * The deno binary `npx deno` runs, spawned directly: through npx a kill would
 * reach npm's process and leave deno running.
 */
export const DENO = join(root, "node_modules/.bin/deno");
/** The interop processors: Deno loads the source, Node the build. */
export const INTEROP_TS = join(root, "test/fixtures/interop-processors.ts");
export const INTEROP_JS = join(root, "dist/test/fixtures/interop-processors.js");

/** A throwaway DENO_DIR, so nothing cached elsewhere is used or left behind. */
export function denoDir(): string {
  return mkdtempSync(join(tmpdir(), "taskmill-deno-"));
}

/**
 * Starts `deno run … adapters/deno/cli.ts <args>` offline: packages come from
 * node_modules (adapters/deno/deno.json), --cached-only forbids any download.
 * `rw` is a directory it may also write (a Deno KV file); `allowEnv` the
 * environment variables it may read.
 */
export function denoTaskmill(args: string[], o: { denoDir: string; rw?: string; env?: NodeJS.ProcessEnv; allowEnv?: string[] }): Proc {
  const read = o.rw ? `${root},${o.rw}` : root;
  const flags = [
    "run", "--config", join(root, "adapters/deno/deno.json"), "--cached-only",
    "--allow-net=127.0.0.1", `--allow-read=${read}`, "--allow-sys=loadavg,systemMemoryInfo,hostname",
    ...(o.rw ? [`--allow-write=${o.rw}`] : []),
    ...(o.allowEnv ? [`--allow-env=${o.allowEnv.join(",")}`] : []),
  ];
  return spawnProc(DENO, [...flags, join(root, "adapters/deno/cli.ts"), ...args], { ...o.env, DENO_DIR: o.denoDir });
}
