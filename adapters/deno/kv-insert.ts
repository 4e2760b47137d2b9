/**
 * DenoKvStore's insertTasks. A batch bigger than one atomic commits in
 * several, in order, each fenced; one that failed after a prefix landed can
 * be retried with the same batch: the prefix is found under its seqs and
 * counted (insertTasks' 1s).
 */
import { INIT } from "../../core-as/shared/constants.ts";
import { checkedTask, type CheckedTask, firstOfEachTaskId, seqTaken } from "../../src/store/input.ts";
import { newRow } from "../../src/store/kv-rows.ts";
import type { Fence, NewTask } from "../../src/store/task-store.ts";
import { commitUnits, GET_MANY, type Unit } from "./kv-atomic.ts";
import { countSum, readRows } from "./kv-row-writes.ts";
import { checkId, inWaves, type KvContext, refresh, session } from "./kv-session.ts";
import { spill } from "./kv-values.ts";

/** insertTasks. */
export async function insertTasks(cx: KvContext, fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
  const s = await session(cx, fence);
  const stored = new Uint8Array(tasks.length);
  const checked: CheckedTask[] = new Array(tasks.length);
  for (let i = 0; i < tasks.length; i++) {
    const t = checked[i] = checkedTask(i, tasks[i]!);
    checkId(`tasks[${i}].taskId`, t.taskId);
    checkId(`tasks[${i}].name`, t.name);
    if (t.parentId !== null) checkId(`tasks[${i}].parentId`, t.parentId);
  }
  // The first task of each taskId in the batch; a repeat stays 0.
  let todo = firstOfEachTaskId(checked) ?? checked.map((_, i) => i);
  const k = cx.k;
  while (todo.length > 0) {
    const ts = s.own.value.ts;
    // Tasks whose taskId is stored are left as they are; under their own seq
    // (an earlier attempt of this batch, or a part of it committed before a conflict) they count.
    const known = new Set<string>();
    const reads: (() => Promise<void>)[] = [];
    for (let i = 0; i < todo.length; i += GET_MANY) {
      const part = todo.slice(i, i + GET_MANY);
      reads.push(async () => {
        const got = await cx.kv.getMany<number[]>(part.map((j) => k.tid(ts, checked[j]!.taskId)));
        for (let j = 0; j < part.length; j++) {
          const seq = got[j]!.value;
          if (seq === null) continue;
          const t = checked[part[j]!]!;
          known.add(t.taskId);
          if (seq === t.seq) stored[part[j]!] = 1;
        }
      });
    }
    await inWaves(reads);
    const fresh = todo.filter((i) => !known.has(checked[i]!.taskId));
    // A seq is unique per instance: one reused for a new taskId is the caller's error.
    const seqs = new Set<number>();
    for (const i of fresh) {
      const seq = checked[i]!.seq;
      if (seqs.has(seq)) throw seqTaken(i, seq);
      seqs.add(seq);
    }
    const taken = await readRows(cx, ts, [...seqs]);
    for (const i of fresh) {
      if (taken.has(checked[i]!.seq)) throw seqTaken(i, checked[i]!.seq);
    }
    const units = fresh.map((i): Unit => {
      const t = checked[i]!;
      const body = spill(k.rowPart(ts, t.seq, "b"), t.body);
      const muts: Deno.KvMutation[] = [
        { type: "set", key: k.row(ts, t.seq), value: newRow(t, body.val) },
        { type: "set", key: k.tid(ts, t.taskId), value: t.seq },
      ];
      if (!t.queued) muts.push({ type: "set", key: k.unq(ts, t.seq), value: 1 });
      return { muts, sums: [countSum(k, ts, t.name, INIT, 1)], pre: body.sets };
    });
    const done = await commitUnits(cx.kv, s.own, units);
    for (let j = 0; j < done; j++) stored[fresh[j]!] = 1;
    if (done === units.length) break;
    await refresh(cx, s);
    todo = fresh.slice(done);
  }
  return stored;
}
