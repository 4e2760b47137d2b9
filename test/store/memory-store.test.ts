import { describe, test, expect } from "vitest";
import { MemoryStore } from "../../src/store/index.ts";
import { runStoreSuite } from "./conformance/index.ts";
import { INIT, PULLED, SUCCESS } from "../../core-as/shared/constants.ts";
import type { NewTask } from "../../src/store/index.ts";

describe("MemoryStore conformance", () => {
  runStoreSuite({ test, newStore: async () => new MemoryStore() });
});

describe("MemoryStore", () => {
  const N = 200_000;
  const batch = (from: number, count: number): NewTask[] =>
    Array.from({ length: count }, (_, i) => ({
      seq: from + i, taskId: `t-${from + i}`, parentId: "t-root", name: "shard", body: { n: from + i }, queued: false,
    }));

  test("its kind is memory", () => {
    expect(new MemoryStore().kind).toBe("memory");
  });

  test("200,000 tasks: claims of 1,000 hand each task out once in seq order, results pages through them all", async () => {
    const store = new MemoryStore();
    const fence = await store.createInstance(
      { instanceId: crypto.randomUUID(), processor: "p", settings: {}, params: null, serialNum: 0, createdAt: 0 }, "m");
    // Stored in batches of 1,000, every other pair of batches swapped, as concurrent map calls land.
    for (let b = 0; b < N / 1000; b += 2) {
      await store.insertTasks(fence, batch((b + 1) * 1000, 1000));
      await store.insertTasks(fence, batch(b * 1000, 1000));
    }
    expect(await store.maxSeq(fence.instanceId)).toBe(N - 1);
    let next = 0;
    let outOfOrder = 0;
    const held = new Map<string, number>(); // worker → tasks it still holds
    for (;;) {
      const claimed = await store.claimInit(fence, 1000);
      if (claimed.length === 0) break;
      for (const t of claimed) if (t.seq !== next++) outOfOrder++;
      // Dispatch every claimed task to one of 7 workers; all but every tenth finish.
      const worker = `w${(next / 1000) % 7}#1`;
      await store.setStatus(fence, claimed.map((t) => t.seq), PULLED, worker);
      await store.setStatus(fence, claimed.filter((t) => t.seq % 10 !== 0).map((t) => t.seq), SUCCESS, worker);
      held.set(worker, (held.get(worker) ?? 0) + claimed.filter((t) => t.seq % 10 === 0).length);
    }
    expect([next, outOfOrder]).toEqual([N, 0]);
    // One worker dies: only its unfinished tasks come back, in seq order, as attempt 1.
    const lost = await store.resetWorkerTasks(fence, "w3#1", { status: INIT, queued: false });
    expect(lost).toBe(held.get("w3#1"));
    const again = await store.claimInit(fence, N);
    expect(again.length).toBe(lost);
    expect(again.every((t, i) => t.attempt === 1 && t.seq % 10 === 0 && (i === 0 || t.seq > again[i - 1]!.seq))).toBe(true);
    expect(await store.countByStatus(fence.instanceId)).toEqual([
      { name: "shard", status: INIT, count: lost },
      { name: "shard", status: PULLED, count: N / 10 - lost },
      { name: "shard", status: SUCCESS, count: N - N / 10 },
    ]);
    let seen = 0;
    let misplaced = 0;
    for await (const row of store.results(fence.instanceId, 999)) if (row.taskId !== `t-${seen++}`) misplaced++;
    expect([seen, misplaced]).toEqual([N, 0]);
    await store.close();
  });
});
