// What the store says workers hold (B27): the rows are never marked when dispatched, so a task a worker
// holds is an INIT row that the latest dispatch record naming it names at the row's attempt.
import type { TaskStore } from "../../src/store/task-store.ts";
import { INIT } from "../../core-as/shared/constants.ts";

/** Per seq, the worker key and attempt of the latest dispatch record naming it. */
export async function recordedHolders(store: Pick<TaskStore, "listDispatches">, instanceId: string): Promise<Map<number, { worker: string; attempt: number }>> {
  const latest = new Map<number, { worker: string; attempt: number }>();
  for (let after = -1; ;) {
    const page = await store.listDispatches(instanceId, after, 1000);
    for (const r of page) r.seqs.forEach((seq, i) => latest.set(seq, { worker: r.worker, attempt: r.attempts[i]! }));
    if (page.length < 1000) break;
    after = page[page.length - 1]!.id;
  }
  return latest;
}

/** Per worker key, the unfinished rows its latest dispatch records hold at their stored attempt. */
export async function heldByRecords(store: Pick<TaskStore, "listDispatches" | "listTasks">, instanceId: string): Promise<Map<string, number>> {
  const latest = await recordedHolders(store, instanceId);
  const held = new Map<string, number>();
  for (let after = -1; ;) {
    const rows = await store.listTasks(instanceId, { status: INIT, limit: 1000, afterSeq: after });
    for (const row of rows) {
      const a = latest.get(row.seq);
      if (a && a.attempt === row.attempt) held.set(a.worker, (held.get(a.worker) ?? 0) + 1);
    }
    if (rows.length < 1000) break;
    after = rows[rows.length - 1]!.seq;
  }
  return held;
}
