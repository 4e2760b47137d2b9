import { describe, test, expect } from "vitest";
import { MemoryStore } from "../../src/store/index.ts";
import { runStoreSuite } from "./conformance/index.ts";
import { INIT, SUCCESS } from "../../core-as/shared/constants.ts";
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
    const held = new Map<string, number[]>(); // worker → seqs it still holds
    for (;;) {
      const claimed = await store.claimInit(fence, 1000);
      if (claimed.length === 0) break;
      for (const t of claimed) if (t.seq !== next++) outOfOrder++;
      // Dispatch every claimed task to one of 7 workers (a record per batch, no row written); all but every tenth finish.
      const workerId = `w${(next / 1000) % 7}`, worker = `${workerId}#1`, seqs = claimed.map((t) => t.seq);
      await store.recordDispatch(fence, { workerId, worker, seqs, attempts: seqs.map(() => 0) });
      await store.updateStatuses(fence, seqs.filter((seq) => seq % 10 !== 0).map((seq) => ({ seq, status: SUCCESS, attempt: 0, worker })));
      held.set(worker, [...held.get(worker) ?? [], ...seqs.filter((seq) => seq % 10 === 0)]);
    }
    expect([next, outOfOrder]).toEqual([N, 0]);
    // One worker dies: the master fails its tasks over by seq, attempt 1; it holds them, so no claim returns them.
    const lost = held.get("w3#1")!;
    await store.updateStatuses(fence, lost.map((seq) => ({ seq, status: INIT, attempt: 1, worker: null })));
    expect(await store.claimInit(fence, N)).toEqual([]);
    // After a restart every unfinished task comes back from the claims, in seq order, at its stored attempt.
    await store.resetForResume(fence, true, "restart");
    const again = await store.claimInit(fence, N);
    expect(again.length).toBe(N / 10);
    expect(again.every((t, i) => t.attempt === (lost.includes(t.seq) ? 1 : 0) && t.seq % 10 === 0 && (i === 0 || t.seq > again[i - 1]!.seq))).toBe(true);
    expect(await store.countByStatus(fence.instanceId)).toEqual([
      { name: "shard", status: INIT, count: N / 10 },
      { name: "shard", status: SUCCESS, count: N - N / 10 },
    ]);
    let seen = 0;
    let misplaced = 0;
    for await (const row of store.results(fence.instanceId, 999)) if (row.taskId !== `t-${seen++}`) misplaced++;
    expect([seen, misplaced]).toEqual([N, 0]);
    await store.close();
  });
});
