import "fake-indexeddb/auto";
import { createStore, get, set } from "idb-keyval";
import { describe, expect, test } from "vitest";
import { IdbStore } from "../../adapters/browser/idb-store.ts";
import { FencedError } from "../../src/store/index.ts";
import { runStoreSuite } from "./conformance/index.ts";
import type { TaskStore } from "../../src/store/index.ts";

const names = new WeakMap<TaskStore, string>();

/** Deletes a database; the store's connection is closed first, or the deletion would wait for it. */
function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
  });
}

describe("IdbStore conformance", () => {
  runStoreSuite({
    test,
    newStore: async () => {
      const dbName = `taskmill-test-${crypto.randomUUID()}`;
      const store = new IdbStore({ dbName });
      names.set(store, dbName);
      return store;
    },
    cleanup: async (store) => {
      await store.close();
      await deleteDatabase(names.get(store)!);
    },
    openTwin: async (store) => new IdbStore({ dbName: names.get(store)! }),
  });
});

describe("IdbStore", () => {
  const spec = () => ({ instanceId: crypto.randomUUID(), processor: "p", settings: { s: 1 }, params: null, serialNum: 0, createdAt: 1 });
  const tasks = (n: number) => Array.from({ length: n }, (_, seq) => ({
    seq, taskId: `t-${seq}`, parentId: null, name: "shard", body: { seq }, queued: false,
  }));

  test("its kind is indexeddb", () => {
    expect(new IdbStore({ dbName: "unused" }).kind).toBe("indexeddb");
  });

  test("two stores on one database (two tabs) race claims without handing a task out twice; the deposed one is fenced", async () => {
    const dbName = `taskmill-test-${crypto.randomUUID()}`;
    const a = new IdbStore({ dbName });
    const b = new IdbStore({ dbName });
    try {
      const fence = await a.createInstance(spec(), "tab-a");
      await a.insertTasks(fence, tasks(600));
      const claims = await Promise.all([a.claimInit(fence, 150), b.claimInit(fence, 150), a.claimInit(fence, 150), b.claimInit(fence, 200)]);
      const seqs = claims.flatMap((c) => c.map((t) => t.seq));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs.length).toBe(600);
      const taken = await b.acquireInstance(fence.instanceId, "tab-b");
      await expect(a.updateStatuses(fence, [{ seq: 0, status: 4, attempt: 0, worker: "w#1" }])).rejects.toBeInstanceOf(FencedError);
      await b.updateStatuses(taken, [{ seq: 0, status: 4, attempt: 0, worker: "w#1" }]);
      expect((await a.getTask(fence.instanceId, "t-0"))?.status).toBe(4);
    } finally {
      await a.close();
      await b.close();
      await deleteDatabase(dbName);
    }
  });

  test("what one store wrote is there for the next store that opens the database", async () => {
    const dbName = `taskmill-test-${crypto.randomUUID()}`;
    const first = new IdbStore({ dbName });
    const s = spec();
    const fence = await first.createInstance(s, "tab");
    await first.insertTasks(fence, tasks(5));
    await first.close();
    await expect(first.maxSeq(s.instanceId)).rejects.toThrow(/closed/);
    const again = new IdbStore({ dbName });
    try {
      expect((await again.getInstance(s.instanceId))?.settings).toEqual({ s: 1 });
      expect(await again.maxSeq(s.instanceId)).toBe(4);
      expect(await again.countByStatus(s.instanceId)).toEqual([{ name: "shard", status: 1, count: 5 }]);
    } finally {
      await again.close();
      await deleteDatabase(dbName);
    }
  });

  test("rows and records written before the failure fields read with their defaults, and take the new writes", async () => {
    const dbName = `taskmill-test-${crypto.randomUUID()}`;
    const store = new IdbStore({ dbName });
    const use = createStore(dbName, "tasks");
    try {
      const s = { ...spec(), createdAt: 1_600_000_000_000 };
      const fence = await store.createInstance(s, "tab");
      await store.insertTasks(fence, tasks(3));
      await store.updateStatuses(fence, [{ seq: 1, status: 5, attempt: 2, worker: "w#1", result: "bad" }]);
      // Rewritten in the shapes stored before: no failure fields, no updatedAt, no record fields.
      const { failedCount: _c, errors: _e, startedAt: _s, retainUntil: _r, ...oldRecord } = await get(["inst", s.instanceId], use);
      await set(["inst", s.instanceId], oldRecord, use);
      for (let seq = 0; seq < 3; seq++) {
        const { f: _f, nb: _nb, e: _err, u: _u, ...oldRow } = await get(["t", s.instanceId, seq], use);
        await set(["t", s.instanceId, seq], oldRow, use);
      }
      const rec = await store.getInstance(s.instanceId);
      expect([rec?.failedCount, rec?.errors, rec?.startedAt, rec?.retainUntil]).toEqual([0, [], null, null]);
      expect(await store.getTask(s.instanceId, "t-1")).toEqual({
        seq: 1, taskId: "t-1", parentId: null, name: "shard", body: { seq: 1 }, status: 5, attempt: 2, worker: "w#1", result: "bad",
        failures: 0, notBefore: null, error: null, updatedAt: s.createdAt,
      });
      expect((await store.listTasks(s.instanceId, { limit: 5 })).map((t) => t.updatedAt)).toEqual([s.createdAt, s.createdAt, s.createdAt]);
      expect((await store.claimInit(fence, 1)).map((t) => [t.seq, t.updatedAt, t.failures])).toEqual([[0, s.createdAt, 0]]);
      expect(await store.retryFailed(fence)).toBe(1);
      await store.updateStatuses(fence, [{ seq: 1, status: 5, attempt: 3, worker: "w#1", failures: 1, error: { message: "again" }, at: 7 }]);
      expect(await store.getTask(s.instanceId, "t-1")).toMatchObject({ attempt: 3, failures: 1, error: { message: "again" }, updatedAt: 7 });
      await store.updateInstance(fence, { status: "FAILED", retainUntil: 10 });
      expect(await store.sweepRetained(10)).toBe(1);
      expect(await store.maxSeq(s.instanceId)).toBe(-1);
    } finally {
      await store.close();
      // idb-keyval's own connection, or the deletion would wait for it.
      (await use("readonly", (os) => os.transaction.db)).close();
      await deleteDatabase(dbName);
    }
  });

  test("options are checked", () => {
    expect(() => new IdbStore({ dbName: "" })).toThrow(/dbName: Expected a non-empty string/);
    expect(() => new IdbStore({ storeName: 5 as unknown as string })).toThrow(/storeName/);
  });
});
