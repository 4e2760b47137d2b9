import { NAME_FIELDS, WORKER_FIELDS } from "../../core-as/shared/constants.ts";
import type { Core } from "../../src/core/index.ts";

/**
 * Returns a description of every broken counter invariant, or [] when
 * per name total = init + pulled + running + success + failed, per worker
 * total = pulled + running + success + failed, and no counter is negative.
 */
export function counterViolations(core: Core): string[] {
  const out: string[] = [];
  const n = core.counters.nameView;
  for (let b = 0; b < n.length; b += NAME_FIELDS) {
    const [total, init, pulled, running, success, failed] = n.subarray(b, b + NAME_FIELDS);
    if (total !== init! + pulled! + running! + success! + failed!) out.push(`name ${b / NAME_FIELDS}: ${n.subarray(b, b + NAME_FIELDS).join(",")}`);
    if (n.subarray(b, b + NAME_FIELDS).some((x) => x < 0)) out.push(`name ${b / NAME_FIELDS} negative`);
  }
  const w = core.counters.workerView;
  for (let b = 0; b < w.length; b += WORKER_FIELDS) {
    const [total, pulled, running, success, failed] = w.subarray(b, b + WORKER_FIELDS);
    if (total !== pulled! + running! + success! + failed!) out.push(`worker ${b / WORKER_FIELDS}: ${w.subarray(b, b + WORKER_FIELDS).join(",")}`);
    if (w.subarray(b, b + WORKER_FIELDS).some((x) => x < 0)) out.push(`worker ${b / WORKER_FIELDS} negative`);
  }
  return out;
}
