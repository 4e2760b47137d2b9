/**
 * DenoKvStore's claimInit: lists the lowest claimable entries and claims
 * their rows in fenced atomics that bump the fence entry, so a concurrent
 * task write of the instance makes one of the two re-read: two claims never
 * return the same task.
 */
import { expectInt } from "../../src/errors/validate.ts";
import { stateOf } from "../../src/store/kv-rows.ts";
import { claimed, isClaimable } from "../../src/store/row-rules.ts";
import type { Fence, TaskRow } from "../../src/store/task-store.ts";
import { commitUnits, type Unit } from "./kv-atomic.ts";
import { readRows, type Row, rowUnit, taskRows } from "./kv-row-writes.ts";
import { type KvContext, refresh, session, STEP } from "./kv-session.ts";

/** claimInit. */
export async function claimInit(cx: KvContext, fence: Fence, limit: number): Promise<TaskRow[]> {
  const s = await session(cx, fence);
  expectInt("limit", limit, 0);
  const k = cx.k;
  const claimedRows: [number, Row][] = [];
  while (claimedRows.length < limit) {
    const ts = s.own.value.ts;
    const want = Math.min(limit - claimedRows.length, STEP);
    const seqs: number[] = [];
    for await (const e of cx.kv.list({ prefix: k.unqs(ts) }, { limit: want })) seqs.push(e.key[e.key.length - 1] as number);
    if (seqs.length === 0) break;
    const rows = await readRows(cx, ts, seqs);
    const units: Unit[] = [];
    const picked: (Row | null)[] = []; // the row each unit claims, null for a dropped index entry
    for (const seq of seqs) {
      const row = rows.get(seq);
      const state = row === undefined ? null : stateOf(row);
      if (state === null || !isClaimable(state)) {
        // Read after a concurrent write (then the commit's check fails), or a stray entry: drop it.
        units.push({ muts: [{ type: "delete", key: k.unq(ts, seq) }] });
        picked.push(null);
      } else {
        units.push(rowUnit(k, ts, seq, row!, claimed(state)));
        picked.push(row!);
      }
    }
    const done = await commitUnits(cx.kv, s.own, units);
    for (let j = 0; j < done; j++) if (picked[j] !== null) claimedRows.push([seqs[j]!, picked[j]!]);
    if (done < units.length) await refresh(cx, s);
    else if (seqs.length < want) break;
  }
  claimedRows.sort((a, b) => a[0] - b[0]);
  return taskRows(cx, fence.instanceId, s.own.value.ts, claimedRows);
}
