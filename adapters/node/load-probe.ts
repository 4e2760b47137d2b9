import os from "node:os";
import type { Load, LoadProbe } from "../../src/runtime/load-probe.ts";

/** How long a reading stays fresh: os.cpus() is too slow to call per report. */
const FRESH_MS = 500;
const cores = os.cpus().length || 1;
let last: Load = { cpuFree: null, memFree: null };
let lastAt = -Infinity;

/** Free CPU (1 − load average per core, clamped) and free memory of this machine, read at most every 500 ms. */
export const nodeLoad: LoadProbe = {
  sample(): Load {
    const now = performance.now();
    if (now - lastAt >= FRESH_MS) {
      lastAt = now;
      last = { cpuFree: Math.min(1, Math.max(0, 1 - os.loadavg()[0]! / cores)), memFree: os.freemem() / os.totalmem() };
    }
    return last;
  },
};
