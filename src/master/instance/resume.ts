import { FAILED, INIT, SUCCESS } from "../../../core-as/shared/constants.ts";
import type { StatusCount } from "../../store/task-store.ts";
import type { Cycle } from "./cycle.ts";

/**
 * X1, X3: rebuilds a resumed cycle's counters from the store's counts per
 * task name and status, taken after the resume reset: every row is then
 * INIT, SUCCESS or FAILED. An INIT row is either waiting in the store
 * (claimed back page by page) or kept for a worker expected back, as its
 * dispatch record says (B28): counted INIT here, it moves to PULLED when
 * the adoption assigns it in the core's table.
 */
export function restoreCounters(cycle: Cycle, counts: readonly StatusCount[]): void {
  const totals = new Map<number, number>();
  for (const c of counts) {
    const idx = cycle.names.indexOf(c.name);
    if (idx < 0) throw new Error(`too many task names (limit ${cycle.names.list.length}) in the stored instance`);
    totals.set(idx, (totals.get(idx) ?? 0) + c.count);
  }
  cycle.core.counters.add(Int32Array.from(totals.keys()), Int32Array.from(totals.values()));
  for (const c of counts) {
    if (c.status === SUCCESS || c.status === FAILED) cycle.core.counters.move(cycle.names.indexOf(c.name), INIT, c.status, c.count);
    else if (c.status !== INIT) throw new Error(`task in status ${c.status} after resume reset`);
  }
}
