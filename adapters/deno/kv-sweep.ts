/**
 * DenoKvStore's sweepRetained: walks the ["retain"] index, oldest retainUntil
 * first, and sweeps each finished instance whose time has come in one atomic
 * that checked its fence, record and index entries: the instance moves to an
 * empty task space (as clearTasks does) and its retainUntil becomes null.
 * Two stores sweeping at once both walk the index; of the two atomics for one
 * instance one commits, the other re-reads, finds the entry gone, and moves on.
 */
import type { InstValue } from "./kv-row-writes.ts";
import { deleteLeftSpaces } from "./kv-clear.ts";
import type { FenceValue, KvContext } from "./kv-session.ts";

/** sweepRetained, checked already. */
export async function sweepRetained(cx: KvContext, now: number, limit: number): Promise<number> {
  let swept = 0;
  for await (const e of cx.kv.list<string>({ prefix: cx.k.allRetain() })) {
    if (swept === limit) break;
    if ((e.key[e.key.length - 2] as number) > now) break; // ascending: the rest are later still
    if (await sweepOne(cx, e.value, e.key, now)) swept++;
  }
  if (swept > 0) await deleteLeftSpaces(cx);
  return swept;
}

/** Sweeps instance `id` through its index entry `entry`; false when there is nothing (left) to sweep. */
async function sweepOne(cx: KvContext, id: string, entry: Deno.KvKey, now: number): Promise<boolean> {
  const { kv, k } = cx;
  for (;;) {
    const [f, i, r, meta] = await kv.getMany<[FenceValue, InstValue, string, number]>([k.fence(id), k.inst(id), entry, k.meta()]);
    if (f.value === null || i.value === null || r.value === null) return false; // swept meanwhile
    const v = i.value;
    // A RUNNING instance keeps its entry (it is never swept); one run again has its retainUntil cleared with its entry.
    if (v.status === "RUNNING" || v.retainUntil == null || v.retainUntil > now) return false;
    const ts = (meta.value ?? 0) + 1;
    const res = await kv.atomic()
      .check(f, i, r, meta)
      .set(k.meta(), ts)
      .set(f.key, { ...f.value, ts } satisfies FenceValue)
      .set(i.key, { ...v, retainUntil: null } satisfies InstValue)
      .delete(r.key)
      .set(k.gc(f.value.ts), id)
      .commit();
    if (res.ok) return true;
  }
}
