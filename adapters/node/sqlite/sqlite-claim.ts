/**
 * SqliteStore's claimInit: walks the task key from the instance's
 * claim_from rather than keep an index of claimable tasks, so writes pay for
 * no index but the task-id one; the select, the mark and the new claim_from
 * are one IMMEDIATE transaction.
 */
import { expectInt } from "../../../src/errors/validate.ts";
import type { Fence, TaskRow } from "../../../src/store/task-store.ts";
import type { SqliteDb } from "./sqlite-db.ts";
import { type RawTaskColumns, rawTaskRow } from "./sqlite-rows.ts";
import { MAX_SEQ } from "./task-key.ts";

/** claimInit. */
export function claimInit(db: SqliteDb, fence: Fence, limit: number): TaskRow[] {
  expectInt("limit", limit, 0);
  const rows = db.write(() => {
    const keys = db.own(fence);
    if (limit === 0) return [];
    const from = db.stmt("get-claim-from").pluck().get(keys.num) as number;
    if (from > MAX_SEQ) return [];
    const found = db.stmt("claim-init").raw().all(keys.num, keys.id(from), keys.high, limit) as RawTaskColumns[];
    // Every claimable task from `from` up to the last one read is in `found`: mark that range.
    if (found.length > 0) db.stmt("claim-init-mark").run(keys.id(from), keys.id(found[found.length - 1]![0]));
    const next = found.length === limit ? found[found.length - 1]![0] + 1 : MAX_SEQ + 1;
    db.stmt("set-claim-from").run(next, keys.num);
    return found;
  });
  const out: TaskRow[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rawTaskRow(rows[i]!);
  return out;
}
