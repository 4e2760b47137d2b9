// The row-write counter behind taskmill_store_rows_written_total and the e2e
// bench's "row writes per task": every insert, update, instance and dispatch
// record counts once per row; reads and the end-of-instance clear do not; a
// refused write counts nothing. Run on the real MemoryStore.
import { describe, expect, test } from "vitest";
import { FencedError } from "../../src/store/errors.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { countRowWrites } from "../../src/store/row-write-counter.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../adapters/node/sqlite/index.ts";

const tasks = (from: number, n: number, queued: boolean) =>
  Array.from({ length: n }, (_, i) => ({ seq: from + i, taskId: `t${from + i}`, parentId: null, name: "T", body: from + i, queued }));

describe("countRowWrites", () => {
  test("counts task rows inserted and updated, instance and dispatch records; not reads, not the clear; the store's own kind stays", async () => {
    let rows = 0, calls = 0;
    const store = countRowWrites(new MemoryStore(), (n) => { rows += n; calls++; });
    expect(store.kind).toBe("memory");
    const fence = await store.createInstance({ instanceId: "i1", processor: "p", settings: {}, params: null, serialNum: 0, createdAt: 0 }, "m");
    expect(rows).toBe(1);
    await store.insertTasks(fence, tasks(0, 5, true));
    await store.insertTasks(fence, tasks(5, 3, false));
    expect(rows).toBe(9);
    expect(calls).toBe(3); // one add per call, not per row
    expect((await store.claimInit(fence, 10)).length).toBe(3);
    expect(rows).toBe(12);
    await store.recordDispatch(fence, { workerId: "w", worker: "w#1", seqs: [0, 1], attempts: [1, 1] });
    await store.updateStatuses(fence, [0, 1, 2].map((seq) => ({ seq, status: 3 as const, attempt: 1, worker: "w#1", result: 1 })));
    await store.updateInstance(fence, { status: "SUCCESS", finishedAt: 1 });
    expect(rows).toBe(12 + 1 + 3 + 1);
    await store.countByStatus("i1");
    await store.listTasks("i1", { limit: 10 });
    for await (const r of store.results("i1")) expect(r.name).toBe("T");
    await store.clearTasks(fence);
    expect(rows).toBe(17);
  });

  test("B10: SQLite's claims write no task row, so they count none; the memory store's claims count a row each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmill-rows-"));
    try {
      for (const [inner, perClaim] of [[new SqliteStore(join(dir, "s.db")), 0], [new MemoryStore(), 1]] as const) {
        let rows = 0;
        const store = countRowWrites(inner, (n) => { rows += n; });
        const fence = await store.createInstance({ instanceId: "i1", processor: "p", settings: {}, params: null, serialNum: 0, createdAt: 0 }, "m");
        await store.insertTasks(fence, tasks(0, 5, false));
        expect(rows).toBe(6);
        expect((await store.claimInit(fence, 10)).length).toBe(5);
        expect(rows, store.kind).toBe(6 + 5 * perClaim);
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a refused write counts nothing and still fails as the store's own error", async () => {
    let rows = 0;
    const inner = new MemoryStore();
    const store = countRowWrites(inner, (n) => { rows += n; });
    const old = await store.createInstance({ instanceId: "i2", processor: "p", settings: {}, params: null, serialNum: 0, createdAt: 0 }, "m1");
    await store.acquireInstance("i2", "m2");
    expect(rows).toBe(2);
    await expect(store.insertTasks(old, tasks(0, 4, true))).rejects.toBeInstanceOf(FencedError);
    expect(rows).toBe(2);
    expect(() => countRowWrites(inner, null as never)).toThrow("onRows: Expected a function, got object");
  });
});
