/** IdbStore's claimInit: the lowest claimable entries, claimed in the same transaction. */
import { expectInt } from "../../src/errors/validate.ts";
import { stateOf } from "../../src/store/kv-rows.ts";
import { claimed, isClaimable } from "../../src/store/row-rules.ts";
import type { Fence, TaskRow } from "../../src/store/task-store.ts";
import { lastPart, prefixRange, req } from "./idb-requests.ts";
import { Counts, K, MAX_COUNT, own, type Row, taskRows, writeRow } from "./idb-rows.ts";

/** claimInit. */
export async function claimInit(os: IDBObjectStore, fence: Fence, limit: number): Promise<TaskRow[]> {
  await own(os, fence);
  expectInt("limit", limit, 0);
  const id = fence.instanceId;
  const out: [number, Row][] = [];
  const counts = new Counts(id);
  while (out.length < limit) {
    // A count of 0 means "all" to IndexedDB: `want` is at least 1 here.
    const want = Math.min(limit - out.length, MAX_COUNT);
    const keys = await req(os.getAllKeys(prefixRange(K.unqs(id)), want));
    if (keys.length === 0) break;
    const seqs = keys.map((k) => lastPart<number>(k));
    const rows = await Promise.all(seqs.map((seq) => req(os.get(K.row(id, seq))) as Promise<Row | undefined>));
    for (let i = 0; i < seqs.length; i++) {
      const row = rows[i];
      const state = row === undefined ? null : stateOf(row);
      if (state === null || !isClaimable(state)) {
        os.delete(K.unq(id, seqs[i]!)); // a stray entry: never left behind by these writes
        continue;
      }
      writeRow(os, id, seqs[i]!, row!, claimed(state), counts);
      out.push([seqs[i]!, row!]);
    }
    if (keys.length < want) break;
  }
  await counts.write(os);
  return taskRows(os, id, out);
}
