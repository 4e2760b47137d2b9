/** SqliteStore's clearTasks: deletes the instance's tasks and dispatch records; the record and its final counters stay. */
import type { Fence } from "../../../src/store/task-store.ts";
import type { SqliteDb } from "./sqlite-db.ts";

/** clearTasks. */
export function clearTasks(db: SqliteDb, fence: Fence): void {
  db.write(() => {
    const keys = db.own(fence);
    db.stmt("clear-tasks").run(keys.low, keys.high);
    db.stmt("clear-dispatches").run(keys.num);
    db.stmt("set-claim-from").run(0, keys.num);
  });
}
