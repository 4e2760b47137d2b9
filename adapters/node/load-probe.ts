import os from "node:os";
import type { Load, LoadProbe } from "../../src/runtime/load-probe.ts";

/** Free CPU (1 − load average per core, clamped) and free memory of this machine. */
export const nodeLoad: LoadProbe = {
  sample(): Load {
    const cores = os.cpus().length || 1;
    const cpuFree = Math.min(1, Math.max(0, 1 - os.loadavg()[0]! / cores));
    return { cpuFree, memFree: os.freemem() / os.totalmem() };
  },
};
