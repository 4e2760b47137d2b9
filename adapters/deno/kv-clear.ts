/**
 * DenoKvStore's clearTasks: one atomic moves the instance to an empty task
 * space; the old one is garbage from then on, deleted after (and any an
 * interrupted clear left before).
 */
import type { Fence } from "../../src/store/task-store.ts";
import { writeAll } from "./kv-atomic.ts";
import { type FenceValue, type KvContext, refresh, session } from "./kv-session.ts";

/** clearTasks. */
export async function clearTasks(cx: KvContext, fence: Fence): Promise<void> {
  const s = await session(cx, fence);
  const { kv, k } = cx;
  for (;;) {
    const meta = await kv.get<number>(k.meta());
    const ts = (meta.value ?? 0) + 1;
    const res = await kv.atomic()
      .check({ key: s.own.key, versionstamp: s.own.versionstamp }, meta)
      .set(k.meta(), ts)
      .set(s.own.key, { ...s.own.value, ts } satisfies FenceValue)
      .set(k.gc(s.own.value.ts), fence.instanceId)
      .commit();
    if (res.ok) break;
    await refresh(cx, s);
  }
  await deleteLeftSpaces(cx);
}

/** Deletes the task spaces clearTasks and sweepRetained left (their own, and any an interrupted one left before). */
export async function deleteLeftSpaces(cx: KvContext): Promise<void> {
  const { kv, k } = cx;
  for await (const g of kv.list({ prefix: k.allGc() })) {
    const ts = g.key[g.key.length - 1] as number;
    for (const prefix of k.space(ts)) {
      let batch: Deno.KvMutation[] = [];
      for await (const e of kv.list({ prefix }, { batchSize: 1000 })) {
        batch.push({ type: "delete", key: e.key });
        if (batch.length === 1000) {
          await writeAll(kv, null, batch);
          batch = [];
        }
      }
      await writeAll(kv, null, batch);
    }
    await kv.delete(g.key);
  }
}
