import type { Core } from "../../core/index.ts";
import type { JsonValue } from "../../protocol/messages.ts";
import type { InstanceRecord, Progress } from "../../store/task-store.ts";
import type { TaskNames } from "./task-names.ts";
import type { WorkerTable } from "./worker-table.ts";

/** Progress of a running or finished instance (B13). */
export interface InstanceProgress extends Progress {
  instanceId: string;
  status: InstanceRecord["status"];
  serialNum: number;
  result: JsonValue;
}

/** A progress listener. */
export type ProgressListener = (p: InstanceProgress) => void;

/** B13: one cycle's counters per task name and per worker incarnation, now; names and workers with no task left out. */
export function cycleProgress(core: Core, names: TaskNames, workers: WorkerTable): Progress {
  const c = core.counters;
  const byName: Progress["names"] = {};
  for (let i = 0; i < names.list.length; i++) {
    const n = c.name(i);
    if (n.total > 0) byName[names.nameOf(i)] = n;
  }
  const byWorker: Progress["workers"] = {};
  for (let i = 0; i < workers.size; i++) {
    const w = c.worker(i);
    if (w.total === 0) continue;
    const trace = workers.traceOf(i);
    byWorker[workers.at(i).key] = trace === undefined ? w : { ...w, traceId: trace };
  }
  return { names: byName, workers: byWorker };
}
