import type { Load, LoadProbe } from "../../src/runtime/load-probe.ts";

/** How long a reading stays fresh. */
const FRESH_MS = 500;
const cores = navigator.hardwareConcurrency || 1;
let last: Load = { cpuFree: null, memFree: null };
let lastAt = -Infinity;

/** Runs `read` when `kind` is granted (never prompting), clamped to 0..1; else unknown (null). */
function tryRead(kind: "loadavg" | "systemMemoryInfo", read: () => number): number | null {
  try {
    if (Deno.permissions.querySync({ name: "sys", kind }).state !== "granted") return null;
    const v = read();
    return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : null;
  } catch {
    return null;
  }
}

/**
 * Free CPU (1 − load average per core) and free memory of this machine, read at
 * most every 500 ms through Deno.loadavg and Deno.systemMemoryInfo; either is
 * unknown without `--allow-sys=loadavg,systemMemoryInfo`, and CPU on Windows
 * (where Deno.loadavg is always zeros).
 */
export const denoLoad: LoadProbe = {
  sample(): Load {
    const now = performance.now();
    if (now - lastAt >= FRESH_MS) {
      lastAt = now;
      last = {
        cpuFree: Deno.build.os === "windows" ? null : tryRead("loadavg", () => 1 - Deno.loadavg()[0]! / cores),
        memFree: tryRead("systemMemoryInfo", () => { const m = Deno.systemMemoryInfo(); return m.available / m.total; }),
      };
    }
    return last;
  },
};
