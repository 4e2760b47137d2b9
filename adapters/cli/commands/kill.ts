import type { MasterCalls } from "../master-calls.ts";
import type { Output } from "../output.ts";

/** Options of `taskmill kill`. */
export interface KillOptions {
  calls: MasterCalls;
  instance: string;
  /** Kill this one task instead of the whole instance. */
  task?: string;
  reason?: string;
  io: Output;
}

/**
 * Kills a running instance (B17), or one of its unfinished tasks (L4), and
 * prints `{"event":"killed",…}`. An unknown instance or task exits 4; an
 * instance that is not running exits 1 with the master's reason.
 */
export async function kill(o: KillOptions): Promise<number> {
  const json = o.reason === undefined ? {} : { reason: o.reason };
  const id = o.instance;
  const task = o.task;
  await (task === undefined
    ? o.calls.call((c) => c.api.instances[":id"].kill.$post({ param: { id }, json }))
    : o.calls.call((c) => c.api.instances[":id"].tasks[":taskId"].kill.$post({ param: { id, taskId: task }, json })));
  o.io.out(JSON.stringify(task === undefined ? { event: "killed", instanceId: id } : { event: "killed", instanceId: id, taskId: task }));
  return 0;
}
