/** SqliteStore's dispatch records (B27): one row per dispatched batch, read in id order. */
import { type PackedDispatch, unpackDispatch } from "../../../src/store/dispatch-records.ts";
import type { Fence, StoredDispatch } from "../../../src/store/task-store.ts";
import type { SqliteDb } from "./sqlite-db.ts";

/** recordDispatch, packed already: one INSERT in a fenced transaction. */
export function recordDispatch(db: SqliteDb, fence: Fence, p: PackedDispatch): void {
  db.write(() => {
    const keys = db.own(fence);
    db.stmt("record-dispatch").run(keys.num, p.workerId, p.worker, p.tasks);
  });
}

/** listDispatches, checked already. */
export function listDispatches(db: SqliteDb, instanceId: string, afterId: number, limit: number): StoredDispatch[] {
  const keys = db.keysOf(instanceId);
  if (!keys) return [];
  const rows = db.stmt("list-dispatches").all(keys.num, afterId, limit) as Array<PackedDispatch & { id: number }>;
  return rows.map((r) => unpackDispatch(r.id, r));
}

/** replaceDispatches, packed already: the instance's records deleted and these stored, in one transaction. */
export function replaceDispatches(db: SqliteDb, fence: Fence, packed: readonly PackedDispatch[]): void {
  db.write(() => {
    const keys = db.own(fence);
    db.stmt("clear-dispatches").run(keys.num);
    for (const p of packed) db.stmt("record-dispatch").run(keys.num, p.workerId, p.worker, p.tasks);
  });
}
