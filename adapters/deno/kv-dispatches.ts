/**
 * DenoKvStore's dispatch records (B27): ["d", ts, n] → a packed record and
 * ["d", ts, 0] → the last n handed out, in the instance's task space, so
 * clearTasks drops them with its tasks. A batch is one atomic that checks the
 * fence entry (without bumping it: records never conflict with task writes)
 * and the id counter. Deno KV caps a value at 64 KiB, so a large batch is
 * stored as several records of at most CHUNK tasks — still one atomic.
 */
import { type PackedDispatch, unpackDispatch } from "../../src/store/dispatch-records.ts";
import type { Fence, StoredDispatch } from "../../src/store/task-store.ts";
import { writeAll } from "./kv-atomic.ts";
import { type KvContext, refresh, session, tsOf } from "./kv-session.ts";

/** Tasks per stored value: ~15 characters each, counted at two bytes, under Deno KV's 64 KiB. */
const CHUNK = 1500;
/** Values per atomic: well under its 800 KB budget. */
const PER_ATOMIC = 20;

/** A packed record cut into values that fit. */
function chunks(p: PackedDispatch): PackedDispatch[] {
  const [seqs, attempts] = JSON.parse(p.tasks) as [number[], number[]];
  if (seqs.length <= CHUNK) return [p];
  const out: PackedDispatch[] = [];
  for (let i = 0; i < seqs.length; i += CHUNK) {
    out.push({ workerId: p.workerId, worker: p.worker, tasks: JSON.stringify([seqs.slice(i, i + CHUNK), attempts.slice(i, i + CHUNK)]) });
  }
  return out;
}

/** Stores packed records under fresh ids in the instance's current task space. */
async function add(cx: KvContext, fence: Fence, packed: readonly PackedDispatch[]): Promise<void> {
  const { kv, k } = cx;
  const values = packed.flatMap(chunks);
  const s = await session(cx, fence, false);
  for (let from = 0; from < values.length;) {
    const part = values.slice(from, from + PER_ATOMIC);
    const ts = s.own.value.ts;
    const last = await kv.get<number>(k.disp(ts, 0));
    let n = last.value ?? 0;
    const a = kv.atomic().check({ key: s.own.key, versionstamp: s.own.versionstamp }, last);
    for (const p of part) a.set(k.disp(ts, ++n), p);
    a.set(k.disp(ts, 0), n);
    if ((await a.commit()).ok) { from += part.length; continue; }
    await refresh(cx, s, false);
  }
}

/** recordDispatch, packed already. */
export function recordDispatch(cx: KvContext, fence: Fence, p: PackedDispatch): Promise<void> {
  return add(cx, fence, [p]);
}

/** replaceDispatches, packed already: the old records deleted (fenced), then these stored. */
export async function replaceDispatches(cx: KvContext, fence: Fence, packed: readonly PackedDispatch[]): Promise<void> {
  const { kv, k } = cx;
  for (;;) {
    const s = await session(cx, fence, false);
    const ts = s.own.value.ts;
    const dels: Deno.KvMutation[] = [];
    for await (const e of kv.list({ prefix: k.disps(ts), start: k.disp(ts, 1) })) dels.push({ type: "delete", key: e.key });
    if (await writeAll(kv, s.own, dels)) break;
  }
  await add(cx, fence, packed);
}

/** listDispatches, checked already. */
export async function listDispatches(cx: KvContext, instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]> {
  const ts = await tsOf(cx, instanceId);
  if (ts === null) return [];
  const out: StoredDispatch[] = [];
  const it = cx.kv.list<PackedDispatch>({ prefix: cx.k.disps(ts), start: cx.k.disp(ts, Math.max(afterId, 0) + 1) }, { limit });
  for await (const e of it) out.push(unpackDispatch(e.key[e.key.length - 1] as number, e.value));
  return out;
}
