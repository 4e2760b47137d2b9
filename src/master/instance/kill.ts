import { FAILED, INIT, NAME_FIELDS, N_INIT } from "../../../core-as/shared/constants.ts";
import type { Transport } from "../../protocol/transport.ts";
import type { Cycle } from "./cycle.ts";
import { failTasks } from "./fail-tasks.ts";
import type { InstanceStore } from "./host.ts";

/** What killing needs besides the cycle. */
export interface KillEnv {
  readonly instanceId: string;
  readonly store: Pick<InstanceStore, "getTask">;
  readonly transport: Transport;
  readonly requestTimeoutMs: number;
  /** The master's address and credential, named in every kill (H16). */
  readonly address: string;
  readonly credential: string;
}

/**
 * B17: fails every live task of the cycle in memory — in the table, and the
 * counters' INIT tasks still in the store — and tells every worker to abort
 * what it runs of the instance. The caller writes the store's side.
 */
export function failEverything(cycle: Cycle, env: KillEnv, reason: string): void {
  const c = cycle.core;
  const live = c.table.scan(-1);
  c.table.fail(live, live.length);
  for (const h of live) cycle.slots.release(h);
  for (let i = 0; i < cycle.names.list.length; i++) {
    const init = c.counters.nameView[i * NAME_FIELDS + N_INIT]!;
    if (init > 0) c.counters.move(i, INIT, FAILED, init);
  }
  for (const w of cycle.workers.all()) {
    if (w.incarnation < 0) continue; // a placeholder of a worker expected back (B28): nobody to tell
    env.transport.request(w.address, { type: "killInstance", master: env.address, credential: env.credential, instanceId: env.instanceId, reason }, { timeoutMs: env.requestTimeoutMs })
      .catch(() => undefined);
  }
}

/**
 * B17: kills one task: one not dispatched yet fails at once (in memory, or
 * its INIT row in the store); one on a worker is aborted there, and its
 * worker reports it FAILED. Returns false when there is no such unfinished task.
 */
export async function killTask(cycle: Cycle, env: KillEnv, taskId: string, reason: string): Promise<boolean> {
  const t = cycle.core.table;
  for (const h of t.scan(-1)) {
    if (cycle.slots.taskIdOf(h) !== taskId) continue;
    // INIT, or held for a worker not back yet since a restart (B28): nobody runs it, it fails at once.
    if (t.status(h) === INIT || cycle.workers.at(t.workerOf(h)).incarnation < 0) {
      failTasks(cycle, Uint32Array.of(h), `killed: ${reason}`);
    } else {
      const w = cycle.workers.at(t.workerOf(h));
      await env.transport.request(w.address, { type: "killTask", master: env.address, credential: env.credential, instanceId: env.instanceId, taskId, reason }, { timeoutMs: env.requestTimeoutMs })
        .catch(() => undefined);
    }
    return true;
  }
  // Not in memory: an INIT row still waiting in the store.
  const row = await env.store.getTask(env.instanceId, taskId);
  if (!row || row.status !== INIT) return false;
  await cycle.writes.updateNow([{ seq: row.seq, status: FAILED, attempt: row.attempt, worker: null, result: `killed: ${reason}` }]);
  cycle.core.counters.move(cycle.names.indexOf(row.name), INIT, FAILED, 1);
  return true;
}
