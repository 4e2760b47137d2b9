// The SQLite store on its own thread (what the Node master opens) keeps the whole
// TaskStore contract: the conformance suite, plus what only a thread can get wrong —
// error classes rebuilt across the boundary, calls kept in order, open errors, close.
// Node runs threads from JavaScript only, so the thread is the built one (npm test builds first).
import { describe, test, expect } from "vitest";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FencedError, DuplicateInstanceError, LeaseHeldError, UnknownInstanceError, type TaskStore } from "../../src/store/index.ts";
import { runStoreSuite } from "./conformance/index.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { SqliteOpenError, ThreadedSqliteStore } from "../../adapters/node/sqlite/index.ts";
import { TaskWrites } from "../../src/master/instance/task-writes.ts";

const THREAD = fileURLToPath(new URL("../../dist/adapters/node/sqlite/store-thread.js", import.meta.url));
const built = existsSync(THREAD);
if (!built) console.warn(`SKIPPED: ${THREAD} is not built; run npm run build (npm test does)`);
const suite = built ? describe : describe.skip;

const dirs = new Map<TaskStore, string>();
async function open(): Promise<ThreadedSqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), "taskmill-sqlite-thread-"));
  const store = await ThreadedSqliteStore.open(join(dir, "store.db"), { threadEntry: THREAD });
  dirs.set(store, dir);
  return store;
}
async function cleanup(store: TaskStore): Promise<void> {
  await store.close();
  rmSync(dirs.get(store)!, { recursive: true, force: true });
  dirs.delete(store);
}

suite("ThreadedSqliteStore conformance", () => {
  runStoreSuite({
    test, newStore: open, cleanup,
    openTwin: (store) => ThreadedSqliteStore.open((store as ThreadedSqliteStore).file, { threadEntry: THREAD }),
  });
});

suite("ThreadedSqliteStore", () => {
  const spec = { instanceId: "i-1", processor: "p", settings: null, params: null, serialNum: 1, createdAt: 1 };

  test("store errors come back as their own classes with their fields (Fenced, LeaseHeld, Duplicate, Unknown, ValidationError)", async () => {
    const store = await open();
    try {
      const fence = await store.createInstance(spec, "a");
      await expect(store.createInstance(spec, "a")).rejects.toBeInstanceOf(DuplicateInstanceError);
      await store.acquireInstance("i-1", "b");
      const fenced = await store.updateStatuses(fence, [{ seq: 0, status: 2, attempt: 0, worker: "w" }]).catch((e: unknown) => e);
      expect(fenced).toBeInstanceOf(FencedError);
      expect(fenced).toMatchObject({ name: "FencedError", instanceId: "i-1", token: 1, current: 2 });
      const bad = await store.updateStatuses({ instanceId: "i-1", token: 2 }, [{ seq: 0, status: 9 as never, attempt: 0, worker: "w" }]).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ValidationError);
      const field = (bad as ValidationError).field;
      expect(field).toMatch(/status/);
      expect((bad as Error).message.startsWith(`${field}: Expected`)).toBe(true);
      await expect(store.acquireInstance("nope", "a")).rejects.toBeInstanceOf(UnknownInstanceError);
      await store.acquireInstance("i-1", "b", { now: 1_000, leaseMs: 5_000 });
      const held = await store.acquireInstance("i-1", "c", { now: 2_000, leaseMs: 5_000 }).catch((e: unknown) => e);
      expect(held).toBeInstanceOf(LeaseHeldError);
      expect(held).toMatchObject({ instanceId: "i-1", owner: "b", until: 6_000 });
    } finally {
      await cleanup(store);
    }
  });

  test("calls run in the order they are made, even when not awaited one by one", async () => {
    const store = await open();
    try {
      const fence = await store.createInstance(spec, "a");
      const inserts = Array.from({ length: 20 }, (_, k) => store.insertTasks(fence, Array.from({ length: 50 }, (_, i) => ({
        seq: k * 50 + i, taskId: `t-${k * 50 + i}`, parentId: null, name: "n", body: k, queued: false,
      }))));
      const max = store.maxSeq("i-1"); // posted after every insert: sees all of them
      await Promise.all(inserts);
      expect(await max).toBe(999);
    } finally {
      await cleanup(store);
    }
  });

  test("B33: the master's task writes go pipelined (writeAttempts), yet land in issue order and are durable when durable() resolves", async () => {
    const store = await open();
    try {
      expect(store.writeAttempts).toBe(3);
      const fence = await store.createInstance(spec, "a");
      const fatal: unknown[] = [];
      const writes = new TaskWrites(store, fence, (e) => fatal.push(e));
      const tasks = Array.from({ length: 300 }, (_, i) => ({ seq: i, taskId: `t-${i}`, parentId: null, name: "n", body: { i }, queued: true }));
      void writes.insert(tasks);
      // Reports of each task: RUNNING then SUCCESS, issued without waiting; the later one must win.
      for (let i = 0; i < 300; i += 10) {
        void writes.update(tasks.slice(i, i + 10).map((t) => ({ seq: t.seq, status: 3 as const, attempt: 0, worker: "w#1" })));
        void writes.update(tasks.slice(i, i + 10).map((t) => ({ seq: t.seq, status: 4 as const, attempt: 0, worker: "w#1", result: t.seq * 2 })));
      }
      expect(writes.pending).toBeGreaterThan(0);
      await writes.durable();
      expect(fatal).toEqual([]);
      expect(await store.countByStatus("i-1")).toEqual([{ name: "n", status: 4, count: 300 }]);
      const results = [];
      for await (const r of store.results("i-1", 64)) results.push(r.result);
      expect(results).toEqual(tasks.map((t) => t.seq * 2));
    } finally {
      await cleanup(store);
    }
  });

  test("X3: a pipelined write under a stale token fails for good at once: onFatal hears it, durable() rejects, nothing is written", async () => {
    const store = await open();
    try {
      const fence = await store.createInstance(spec, "a");
      await store.insertTasks(fence, [{ seq: 0, taskId: "t", parentId: null, name: "n", body: 1, queued: true }]);
      await store.acquireInstance("i-1", "b");
      const fatal: unknown[] = [];
      const writes = new TaskWrites(store, fence, (e) => fatal.push(e));
      void writes.update([{ seq: 0, status: 4, attempt: 0, worker: "w", result: 1 }]);
      await expect(writes.durable()).rejects.toBeInstanceOf(FencedError);
      expect(fatal).toHaveLength(1);
      expect(fatal[0]).toBeInstanceOf(FencedError);
      expect((await store.getTask("i-1", "t"))!.status).toBe(1);
    } finally {
      await cleanup(store);
    }
  });

  test("writeAttempts is checked at open: an integer from 1 to 100", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmill-sqlite-thread-"));
    try {
      const e = await ThreadedSqliteStore.open(join(dir, "x.db"), { threadEntry: THREAD, writeAttempts: 0 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message).toMatch(/^writeAttempts: Expected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a file that is not a taskmill store is refused at open with SqliteOpenError naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmill-sqlite-thread-"));
    try {
      const file = join(dir, "junk.db");
      writeFileSync(file, "this is not a database, just some text long enough to have a header".repeat(20));
      const e = await ThreadedSqliteStore.open(file, { threadEntry: THREAD }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SqliteOpenError);
      expect((e as SqliteOpenError).file).toBe(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("after close, a call is refused with an error saying the store thread is gone", async () => {
    const store = await open();
    const dir = dirs.get(store)!;
    await store.close();
    await expect(store.maxSeq("i-1")).rejects.toThrow(/store thread exited/);
    rmSync(dir, { recursive: true, force: true });
  });
});
