/**
 * SqliteStore's writes over every row of an instance: failUnfinished
 * (kill), resetForResume (a restarted or new owner) and retryFailed (a
 * finished instance run again). The rules are SQL here
 * (reset-for-resume-failover.sql, …); a write that makes tasks claimable
 * lowers where claimInit starts looking.
 */
import type { JsonValue } from "../../../src/protocol/messages.ts";
import { expectBoolean } from "../../../src/store/input.ts";
import type { Fence } from "../../../src/store/task-store.ts";
import { toJson } from "./json-column.ts";
import type { SqliteDb } from "./sqlite-db.ts";

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
    // Every INIT task is claimable again (nothing is held any more): claims start over from the first.
    db.stmt("set-claim-from").run(0, keys.num);
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
