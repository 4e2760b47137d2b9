/**
 * SqliteStore's failover writes: resetWorkerTasks (a dead worker's tasks),
 * failUnfinished (kill), resetForResume (a restarted or new owner) and
 * retryFailed (a finished instance run again). The rules are SQL here
 * (reset-worker-tasks-to-init.sql, …); a write that makes tasks claimable
 * lowers where claimInit starts looking.
 */
import { INIT } from "../../../core-as/shared/constants.ts";
import type { JsonValue } from "../../../src/protocol/messages.ts";
import { checkReset, expectBoolean, expectString } from "../../../src/store/input.ts";
import type { Fence } from "../../../src/store/task-store.ts";
import { sqlJson, toJson } from "./json-column.ts";
import type { SqliteDb } from "./sqlite-db.ts";

/** resetWorkerTasks. */
export function resetWorkerTasks(
  db: SqliteDb, fence: Fence, worker: string, to: { status: 1; queued: boolean } | { status: 5; result: JsonValue },
): number {
  expectString("worker", worker, false);
  const target = checkReset(to);
  if (target.status === INIT) {
    const queued = target.queued ? 1 : 0;
    return db.write(() => {
      const keys = db.own(fence);
      const seqs = db.stmt("reset-worker-tasks-to-init").pluck().all(queued, keys.low, keys.high, worker) as number[];
      if (queued === 0 && seqs.length > 0) {
        let lowest = seqs[0]!;
        for (const seq of seqs) if (seq < lowest) lowest = seq;
        db.lowerClaimFrom(keys, lowest);
      }
      return seqs.length;
    });
  }
  const result = sqlJson(target.result);
  return db.write(() => {
    const keys = db.own(fence);
    return db.stmt("reset-worker-tasks-to-failed").run(result, keys.low, keys.high, worker).changes;
  });
}

/** failUnfinished. */
export function failUnfinished(db: SqliteDb, fence: Fence, result: JsonValue): number {
  const text = toJson("result", result);
  return db.write(() => {
    const keys = db.own(fence);
    return db.stmt("fail-unfinished").run(text, keys.low, keys.high).changes;
  });
}

/** resetForResume. */
export function resetForResume(db: SqliteDb, fence: Fence, failover: boolean, result: JsonValue): void {
  expectBoolean("failover", failover);
  const text = toJson("result", result);
  db.write(() => {
    const keys = db.own(fence);
    db.stmt("reset-for-resume-unqueue").run(keys.low, keys.high);
    db.lowerClaimFrom(keys, 0);
    if (failover) db.stmt("reset-for-resume-failover").run(keys.low, keys.high);
    else db.stmt("reset-for-resume-fail").run(text, keys.low, keys.high);
  });
}

/** retryFailed: from the lowest FAILED seq on, claimInit looks again. */
export function retryFailed(db: SqliteDb, fence: Fence): number {
  return db.write(() => {
    const keys = db.own(fence);
    const lowest = db.stmt("retry-failed-lowest").pluck().get(keys.low, keys.high) as number | null;
    if (lowest === null) return 0;
    db.lowerClaimFrom(keys, lowest);
    return db.stmt("retry-failed").run(keys.low, keys.high).changes;
  });
}
