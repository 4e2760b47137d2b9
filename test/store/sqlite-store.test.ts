import { describe, test, expect, afterEach } from "vitest";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { FAILED, INIT, PULLED, SUCCESS } from "../../core-as/shared/constants.ts";
import { FencedError, type NewTask, type TaskStore } from "../../src/store/index.ts";
import { runStoreSuite } from "./conformance/index.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import {
  DEFAULT_SQLITE_FILE, SCHEMA_VERSION, SqliteOpenError, SqliteStore, openSqliteStore, sqliteFilePath,
} from "../../adapters/node/sqlite/index.ts";

/** Temp folders made by a test, removed after it. */
const made: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "taskmill-sqlite-"));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const dirs = new Map<TaskStore, string>();

describe("SqliteStore conformance", () => {
  runStoreSuite({
    test,
    newStore: async () => {
      const dir = mkdtempSync(join(tmpdir(), "taskmill-sqlite-"));
      const store = new SqliteStore(join(dir, "store.db"));
      dirs.set(store, dir);
      return store;
    },
    cleanup: async (store) => {
      await store.close();
      rmSync(dirs.get(store)!, { recursive: true, force: true });
      dirs.delete(store);
    },
    openTwin: async (store) => new SqliteStore((store as SqliteStore).file),
  });
});

const spec = (over: Partial<{ instanceId: string; createdAt: number }> = {}) => ({
  instanceId: crypto.randomUUID(), processor: "p", settings: { pageSize: 10 }, params: { n: 1 }, serialNum: 1, createdAt: 1_700_000_000_000, ...over,
});
const tasks = (from: number, count: number, queued = false): NewTask[] =>
  Array.from({ length: count }, (_, i) => ({ seq: from + i, taskId: `t-${from + i}`, parentId: "r", name: "shard", body: { n: from + i }, queued }));
const W = "worker-1@host:1#1";

/** Expects `fn` to throw a SqliteOpenError whose message names `file` and matches `reason`. */
function expectOpenError(fn: () => unknown, file: string, reason: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SqliteOpenError);
  const e = error as SqliteOpenError;
  expect(e.name).toBe("SqliteOpenError");
  expect(e.file).toBe(file);
  expect(e.message).toContain(file);
  expect(e.message).toMatch(reason);
}

describe("SqliteStore", () => {
  test("its kind is sqlite and it opens the absolute path of the file it is given", async () => {
    const dir = tempDir();
    const store = await openSqliteStore(join(dir, "a.db"));
    expect(store.kind).toBe("sqlite");
    expect(store.file).toBe(join(dir, "a.db"));
    await store.close();
    await store.close(); // twice is fine
  });

  test("reopening the same file keeps instances, tasks, statuses, results, queued marks and fencing tokens", async () => {
    const file = join(tempDir(), "keep.db");
    const a = new SqliteStore(file);
    const s = spec();
    const fence = await a.createInstance(s, "m1");
    await a.insertTasks(fence, [...tasks(0, 10), ...tasks(10, 5, true)]);
    await a.updateStatuses(fence, [0, 1, 2].map((seq) => ({ seq, status: PULLED, attempt: 0, worker: W })));
    await a.updateStatuses(fence, [{ seq: 0, status: SUCCESS, attempt: 1, worker: W, result: { v: "ü" } }, { seq: 1, status: FAILED, attempt: 0, worker: W, result: "bad" }]);
    expect((await a.claimInit(fence, 2)).map((t) => t.seq)).toEqual([3, 4]);
    await a.updateInstance(fence, { result: { partial: true } });
    const before = {
      record: await a.getInstance(s.instanceId),
      counts: await a.countByStatus(s.instanceId),
      results: await collect(a.results(s.instanceId, 4)),
      t0: await a.getTask(s.instanceId, "t-0"),
    };
    await a.close();

    const b = new SqliteStore(file);
    expect({
      record: await b.getInstance(s.instanceId),
      counts: await b.countByStatus(s.instanceId),
      results: await collect(b.results(s.instanceId, 4)),
      t0: await b.getTask(s.instanceId, "t-0"),
    }).toEqual(before);
    expect(await b.maxSeq(s.instanceId)).toBe(14);
    // Claimed and queued-at-insert tasks stay queued: the next claim goes on from seq 5.
    expect((await b.claimInit(fence, 100)).map((t) => t.seq)).toEqual([5, 6, 7, 8, 9]);
    // The fencing token survived: the next acquisition is token 2, and deposes the old fence.
    expect((await b.acquireInstance(s.instanceId, "m2")).token).toBe(2);
    await expect(b.insertTasks(fence, tasks(20, 1))).rejects.toBeInstanceOf(FencedError);
    await b.close();
  });

  test("a fresh file is migrated to the current schema version, recorded in taskmill_schema, in WAL mode", async () => {
    const file = join(tempDir(), "fresh.db");
    await (await openSqliteStore(file)).close();
    const db = new Database(file, { readonly: true });
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    expect(db.prepare("SELECT version FROM taskmill_schema").pluck().all()).toEqual([SCHEMA_VERSION]);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  test("a file of schema version 2 (before the failure fields) is upgraded on open: old rows read with the new fields' defaults, and take the new writes", async () => {
    const file = join(tempDir(), "v2.db");
    const old = new Database(file);
    for (const m of ["0001_schema.sql", "0002_leases.sql"]) {
      old.exec(readFileSync(new URL(`../../adapters/node/sqlite/migrations/${m}`, import.meta.url), "utf8"));
    }
    old.prepare("UPDATE taskmill_schema SET version = 2").run();
    // Rows as version 2 wrote them.
    old.prepare(`INSERT INTO instances (num, instance_id, processor, settings, params, status, result, serial_num, owner, fence, created_at,
      finished_at, progress, claim_from, lease_until) VALUES (1, 'old', 'p', '{"a":1}', NULL, 'FAILED', '"x"', 2, 'm', 3, 1600000000000,
      1600000001000, NULL, 0, NULL)`).run();
    const row = old.prepare(`INSERT INTO tasks (id, inst, task_id, parent_id, name, body, status, attempt, worker, result, queued)
      VALUES (?, 1, ?, 'r', 'shard', ?, ?, ?, ?, ?, ?)`);
    row.run(2 ** 32 + 0, "t-0", "0", SUCCESS, 0, W, "1", 0);
    row.run(2 ** 32 + 1, "t-1", "1", FAILED, 2, W, '"bad"', 0);
    row.run(2 ** 32 + 2, "t-2", "2", INIT, 0, null, null, 0);
    old.close();

    const store = new SqliteStore(file);
    try {
      const db = new Database(file, { readonly: true });
      expect(db.prepare("SELECT version FROM taskmill_schema").pluck().get()).toBe(SCHEMA_VERSION);
      db.close();
      expect(await store.getInstance("old")).toEqual({
        instanceId: "old", processor: "p", settings: { a: 1 }, params: null, status: "FAILED", result: "x", serialNum: 2, owner: "m",
        fence: 3, leaseUntil: null, createdAt: 1_600_000_000_000, finishedAt: 1_600_000_001_000, progress: null,
        failedCount: 0, errors: [], startedAt: null, retainUntil: null,
      });
      const defaults = { failures: 0, notBefore: null, error: null, updatedAt: 1_600_000_000_000 };
      expect(await store.getTask("old", "t-1")).toEqual({
        seq: 1, taskId: "t-1", parentId: "r", name: "shard", body: 1, status: FAILED, attempt: 2, worker: W, result: "bad", ...defaults,
      });
      expect(await store.listTasks("old", { limit: 10 })).toEqual(await Promise.all(["t-0", "t-1", "t-2"].map((t) => store.getTask("old", t))));
      expect((await collect(store.results("old"))).map((r) => [r.attempt, r.error])).toEqual([[0, null], [2, null], [0, null]]);
      const fence = { instanceId: "old", token: 3 };
      expect((await store.claimInit(fence, 10)).map((t) => [t.seq, t.updatedAt, t.failures])).toEqual([[2, 1_600_000_000_000, 0]]);
      // The new writes land on the old rows.
      expect(await store.retryFailed(fence)).toBe(1);
      await store.updateStatuses(fence, [{ seq: 1, status: FAILED, attempt: 3, worker: W, failures: 1, error: { message: "again" }, at: 7 }]);
      expect(await store.getTask("old", "t-1")).toMatchObject({ attempt: 3, failures: 1, error: { message: "again" }, updatedAt: 7 });
      await store.updateInstance(fence, { failedCount: 1, retainUntil: 10 });
      expect(await store.sweepRetained(10)).toBe(1);
      expect(await store.maxSeq("old")).toBe(-1);
    } finally {
      await store.close();
    }
  });

  test("schema version check: a file from a newer taskmill is refused with an error naming the file and both versions", () => {
    const file = join(tempDir(), "newer.db");
    new SqliteStore(file).close();
    const db = new Database(file);
    db.prepare("UPDATE taskmill_schema SET version = ?").run(SCHEMA_VERSION + 1);
    db.close();
    expectOpenError(() => new SqliteStore(file), file, new RegExp(`schema version ${SCHEMA_VERSION + 1} was written by a newer taskmill.*up to ${SCHEMA_VERSION}`));
    // Refused again on every attempt, and the file is left as it was.
    expectOpenError(() => new SqliteStore(file), file, /newer taskmill/);
    const after = new Database(file, { readonly: true });
    expect(after.prepare("SELECT version FROM taskmill_schema").pluck().get()).toBe(SCHEMA_VERSION + 1);
    after.close();
  });

  test("a corrupt file (random bytes) is refused with an error naming the file, and left untouched", () => {
    const file = join(tempDir(), "corrupt.db");
    const bytes = randomBytes(16_384);
    writeFileSync(file, bytes);
    expectOpenError(() => new SqliteStore(file), file, /not a SQLite database/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  test("a foreign SQLite database is refused with an error naming the file and its tables, and left untouched", async () => {
    const file = join(tempDir(), "foreign.db");
    const db = new Database(file);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');");
    db.close();
    const bytes = readFileSync(file);
    expectOpenError(() => new SqliteStore(file), file, /SQLite database of something else \(tables: users; no taskmill_schema table\)/);
    await expect(openSqliteStore(file)).rejects.toBeInstanceOf(SqliteOpenError);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  test("a path in a missing folder is refused with an error naming the file", () => {
    const file = join(tempDir(), "no", "such", "dir", "x.db");
    expectOpenError(() => new SqliteStore(file), file, /./);
  });

  test("openSqliteStore() with no path opens ./taskmill.db in the working directory", async () => {
    expect(DEFAULT_SQLITE_FILE).toBe("taskmill.db");
    expect(sqliteFilePath()).toBe(join(process.cwd(), "taskmill.db"));
    expect(sqliteFilePath("x/y.db")).toBe(join(process.cwd(), "x", "y.db"));
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = await openSqliteStore();
      expect(store.file).toBe(join(process.cwd(), "taskmill.db"));
      await store.createInstance(spec(), "m");
      await store.close();
      expect(existsSync(join(dir, "taskmill.db"))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  test("two stores on one file (two connections, as two processes): fencing and claims hold across them", async () => {
    const file = join(tempDir(), "shared.db");
    const a = new SqliteStore(file);
    const b = new SqliteStore(file);
    const s = spec();
    const fenceA = await a.createInstance(s, "m1");
    await a.insertTasks(fenceA, tasks(0, 10));
    const fenceB = await b.acquireInstance(s.instanceId, "m2");
    await expect(a.updateStatuses(fenceA, [{ seq: 0, status: PULLED, attempt: 0, worker: W }])).rejects.toBeInstanceOf(FencedError);
    await expect(a.claimInit(fenceA, 5)).rejects.toBeInstanceOf(FencedError);
    expect((await b.claimInit(fenceB, 4)).map((t) => t.seq)).toEqual([0, 1, 2, 3]);
    const fenceA2 = await a.acquireInstance(s.instanceId, "m1");
    expect((await a.claimInit(fenceA2, 100)).map((t) => t.seq)).toEqual([4, 5, 6, 7, 8, 9]);
    expect((await b.getInstance(s.instanceId))?.owner).toBe("m1");
    await a.close();
    await b.close();
  });

  test("a seq past 2^32 - 1 is refused at insert (the row id holds 32 bits of seq)", async () => {
    const store = new SqliteStore(join(tempDir(), "seq.db"));
    const fence = await store.createInstance(spec(), "m");
    await expect(store.insertTasks(fence, [{ ...tasks(0, 1)[0]!, seq: 2 ** 32 }])).rejects.toBeInstanceOf(ValidationError);
    expect([...await store.insertTasks(fence, [{ ...tasks(0, 1)[0]!, seq: 2 ** 32 - 1 }])]).toEqual([1]);
    expect(await store.maxSeq(fence.instanceId)).toBe(2 ** 32 - 1);
    await store.close();
  });

  test("B10: a claim writes no task row; a write that makes tasks claimable below the claims marks the claimed ones first, so none is handed out twice", async () => {
    const file = join(tempDir(), "claims.db");
    const store = new SqliteStore(file);
    const peek = new Database(file, { readonly: true });
    const queued = () => (peek.prepare("SELECT count(*) FROM tasks WHERE queued = 1").pluck().get() as number);
    const fence = await store.createInstance(spec(), "m");
    await store.insertTasks(fence, tasks(100, 300));
    const claimed: number[] = [];
    for (let page; (page = await store.claimInit(fence, 128)).length > 0;) claimed.push(...page.map((t) => t.seq));
    expect(claimed).toEqual(Array.from({ length: 300 }, (_, i) => 100 + i));
    expect(queued()).toBe(0); // no row written by the claims
    // Mapped later with lower seqs (not queued): only they are claimable; the 300 claimed get their mark now.
    await store.insertTasks(fence, tasks(10, 5));
    expect(queued()).toBe(300);
    expect((await store.claimInit(fence, 1000)).map((t) => t.seq)).toEqual([10, 11, 12, 13, 14]);
    // The owner fails one over (INIT again, held in its memory) and a failed one is retried: only the retried one comes back.
    await store.updateStatuses(fence, [{ seq: 11, status: INIT, attempt: 1, worker: null }, { seq: 150, status: FAILED, attempt: 0, worker: W, result: "x" }]);
    expect(await store.claimInit(fence, 1000)).toEqual([]);
    await store.retryFailed(fence);
    expect((await store.claimInit(fence, 1000)).map((t) => [t.seq, t.attempt])).toEqual([[150, 1]]);
    // A resume makes every INIT task claimable again, each once.
    await store.resetForResume(fence, true, "restart");
    expect((await store.claimInit(fence, 1000)).length).toBe(305);
    expect(await store.claimInit(fence, 1000)).toEqual([]);
    peek.close();
    await store.close();
  });

  test("instances numbered past 2^21 (row ids past 2^53) keep every task exact", async () => {
    const file = join(tempDir(), "big.db");
    new SqliteStore(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO instances (num, instance_id, processor, status, serial_num, owner, fence, created_at) VALUES (?, 'filler', 'p', 'FAILED', 0, 'm', 1, 0)").run(2 ** 30);
    db.close();
    const store = new SqliteStore(file);
    const fence = await store.createInstance(spec(), "m");
    const id = fence.instanceId;
    const last = 2 ** 32 - 1;
    await store.insertTasks(fence, [...tasks(0, 300), { ...tasks(0, 1)[0]!, seq: last, taskId: "t-last" }]);
    expect(await store.maxSeq(id)).toBe(last);
    await store.updateStatuses(fence, [0, 1, last].map((seq) => ({ seq, status: PULLED, attempt: 0, worker: W })));
    await store.updateStatuses(fence, [{ seq: 1, status: SUCCESS, attempt: 0, worker: W, result: 1 }, { seq: last, status: SUCCESS, attempt: 0, worker: W, result: "last" }]);
    expect((await store.claimInit(fence, 2)).map((t) => t.seq)).toEqual([2, 3]);
    expect((await store.getTask(id, "t-last"))?.seq).toBe(last);
    const rows = await collect(store.results(id, 7));
    expect(rows.map((r) => r.taskId)).toEqual([...tasks(0, 300).map((t) => t.taskId), "t-last"]);
    expect(rows.at(-1)?.result).toBe("last");
    expect(await store.countByStatus(id)).toEqual([
      { name: "shard", status: INIT, count: 298 }, { name: "shard", status: PULLED, count: 1 }, { name: "shard", status: SUCCESS, count: 2 },
    ]);
    expect(await store.failUnfinished(fence, "killed")).toBe(299);
    await store.clearTasks(fence);
    expect(await store.maxSeq(id)).toBe(-1);
    await store.close();
  });
});

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
