/**
 * SqliteStore's sweepRetained: in one IMMEDIATE transaction, the due
 * instances (not RUNNING, retain_until set and <= now) lose their tasks and
 * their retain_until. Two stores on one file sweep in turn: the second finds
 * nothing left to sweep.
 */
import type { SqliteDb } from "./sqlite-db.ts";
import { TaskKeys } from "./task-key.ts";

/** sweepRetained, checked already. */
export function sweepRetained(db: SqliteDb, now: number, limit: number): number {
  return db.write(() => {
    const nums = db.stmt("sweep-retained-due").pluck().all(now, limit) as number[];
    for (const num of nums) {
      const keys = new TaskKeys(num);
      db.stmt("clear-tasks").run(keys.low, keys.high);
      db.stmt("sweep-retained-release").run(num);
    }
    return nums.length;
  });
}
