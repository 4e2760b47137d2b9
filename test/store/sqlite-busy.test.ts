// B34: SQLite waits for a lock another connection holds (busy_timeout)
// instead of failing at once with "database is locked". The lock is real: a
// child process holds a write transaction open for ~1 s while the store writes.
import { describe, it, expect, afterEach } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { SqliteStore, ThreadedSqliteStore } from "../../adapters/node/sqlite/index.ts";
import type { TaskStore } from "../../src/store/task-store.ts";

/** The compiled thread entry (npm run build writes it). */
const THREAD = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "adapters", "node", "sqlite", "store-thread.js");
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A process that takes the write lock of `file`, says "locked", and commits after `holdMs`. */
function holdWriteLock(file: string, holdMs: number): Promise<ChildProcess> {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const code = `const D = require(${JSON.stringify(driver)}); const db = new D(${JSON.stringify(file)});
    db.exec("BEGIN IMMEDIATE"); db.exec("UPDATE instances SET serial_num = serial_num");
    console.log("locked"); setTimeout(() => { db.exec("COMMIT"); db.close(); console.log("released"); }, ${holdMs});`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("exit", (c) => reject(new Error(`the lock holder exited (${c}) before locking`)));
    createInterface({ input: child.stdout! }).once("line", (l) => (l === "locked" ? resolve(child) : reject(new Error(l))));
  });
}

/** One instance and one task write, then a write while another process holds the lock. */
async function writeUnderLock(store: TaskStore, file: string): Promise<void> {
  const fence = await store.createInstance({ instanceId: "i1", processor: "p", settings: {}, params: null, serialNum: 1, createdAt: 1 }, "m1");
  const holder = await holdWriteLock(file, 1000);
  const exited = new Promise((r) => holder.once("exit", r));
  const inserted = await store.insertTasks(fence, [{ seq: 1, taskId: "t1", name: "ROOT", parentId: null, body: 1, queued: true }]);
  expect(Array.from(inserted)).toEqual([1]);
  await store.updateInstance(fence, { status: "RUNNING" });
  await exited;
  expect((await store.getInstance("i1"))?.status).toBe("RUNNING");
}

describe("B34 SQLite waits for a lock", () => {
  it("B34: a write while another process holds the write lock for ~1 s waits and succeeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tm-busy-"));
    dirs.push(dir);
    const file = join(dir, "t.db");
    const store = new SqliteStore(file);
    try {
      await writeUnderLock(store, file);
    } finally {
      store.close();
    }
  });

  it("B34: the threaded store waits too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tm-busy-"));
    dirs.push(dir);
    const file = join(dir, "t.db");
    const store = await ThreadedSqliteStore.open(file, { threadEntry: THREAD });
    try {
      await writeUnderLock(store, file);
    } finally {
      await store.close();
    }
  });

  it("B34: with busyTimeoutMs 0 the same write fails at once: the lock is real", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tm-busy-"));
    dirs.push(dir);
    const file = join(dir, "t.db");
    const store = new SqliteStore(file, { busyTimeoutMs: 0 });
    try {
      await expect(writeUnderLock(store, file)).rejects.toThrow(/database is locked/);
    } finally {
      store.close();
    }
  });

  it("B34: a bad busyTimeoutMs is refused naming the field", () => {
    expect(() => new SqliteStore(":memory:", { busyTimeoutMs: -1 })).toThrow(/^busyTimeoutMs: Expected an integer/);
  });
});
