import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import postgres from "postgres";
import { afterAll, describe, expect, test } from "vitest";
import { INIT, PULLED, RUNNING, SUCCESS } from "../../core-as/shared/constants.ts";
import {
  dropPostgresSchema, openPostgresStore, PostgresOpenError, PostgresStore, SchemaVersionError,
} from "../../adapters/node/postgres/index.ts";
import { openStore } from "../../adapters/node/open-store.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { FencedError, LeaseHeldError, type Fence, type NewTask } from "../../src/store/index.ts";
import { runStoreSuite } from "./conformance/index.ts";
import { ensurePostgres } from "../services.ts";

const pg = await ensurePostgres();
if ("skip" in pg) console.warn(`\n*** ${pg.skip} ***\n`);
const url = "url" in pg ? pg.url : "";
const run = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
/** Every schema this file makes; dropped at the end. */
const schemas: string[] = [];
function newSchema(label: string): string {
  const schema = `taskmill_test_${run}_${label}`;
  schemas.push(schema);
  return schema;
}

afterAll(async () => {
  if (url) for (const schema of schemas) await dropPostgresSchema(url, schema);
});

const OWNER_A = "master-a";
const OWNER_B = "master-b";
const W1 = "worker-1@10.0.0.1:7000#1";

function tasks(from: number, count: number, queued = false): NewTask[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: from + i, taskId: `t-${from + i}`, parentId: "t-root", name: "shard", body: { n: from + i }, queued,
  }));
}

async function newInstance(store: PostgresStore): Promise<Fence> {
  return store.createInstance(
    { instanceId: crypto.randomUUID(), processor: "p", settings: {}, params: null, serialNum: 0, createdAt: Date.now() }, OWNER_A);
}

/** Runs `fn` with stores opened on one schema, closing them after. */
async function withStores<T>(schema: string, n: number, fn: (...stores: PostgresStore[]) => Promise<T>): Promise<T> {
  const stores = await Promise.all(Array.from({ length: n }, () => openPostgresStore(url, { schema })));
  try {
    return await fn(...stores);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

describe.skipIf(!url)("PostgresStore conformance", () => {
  const schema = newSchema("suite");
  runStoreSuite({ test, newStore: () => openPostgresStore(url, { schema }), openTwin: () => openPostgresStore(url, { schema }) });
});

describe.skipIf(!url)("PostgresStore", () => {
  const schema = newSchema("pg");

  test("its kind is postgres and it lives in the schema it was given", async () => {
    await withStores(schema, 1, async (store) => {
      expect([store.kind, store.schema]).toEqual(["postgres", schema]);
    });
  });

  test("X3: two masters on one schema: once B acquires the instance, A's writes with the old fence are refused and change nothing", async () => {
    await withStores(schema, 2, async (a, b) => {
      const old = await newInstance(a);
      const id = old.instanceId;
      await a.insertTasks(old, tasks(0, 10));
      await a.updateStatuses(old, [0, 1].map((seq) => ({ seq, status: PULLED, attempt: 0, worker: W1 })));
      const fresh = await b.acquireInstance(id, OWNER_B);
      expect(fresh.token).toBe(old.token + 1);
      const before = await b.countByStatus(id);
      const refusals = [
        a.insertTasks(old, tasks(10, 5)),
        a.updateStatuses(old, [{ seq: 0, status: SUCCESS, attempt: 0, worker: W1, result: "stale" }]),
        a.recordDispatch(old, { workerId: "w", worker: W1, seqs: [2, 3], attempts: [0, 0] }),
        a.failUnfinished(old, "stale"),
        a.resetForResume(old, true, "stale"),
        a.claimInit(old, 100),
        a.updateInstance(old, { status: "FAILED", result: "stale" }),
        a.clearTasks(old),
      ];
      for (const r of await Promise.allSettled(refusals)) {
        expect(r.status).toBe("rejected");
        const e = (r as PromiseRejectedResult).reason;
        expect(e).toBeInstanceOf(FencedError);
        expect([e.instanceId, e.token, e.current]).toEqual([id, old.token, fresh.token]);
      }
      expect(await b.countByStatus(id)).toEqual(before);
      expect(await a.maxSeq(id)).toBe(9);
      expect((await a.getInstance(id))?.owner).toBe(OWNER_B);
      // B writes freely through its own pool, and A sees it.
      expect((await b.claimInit(fresh, 100)).map((t) => t.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
      await b.updateInstance(fresh, { status: "SUCCESS" });
      expect((await a.getInstance(id))?.status).toBe("SUCCESS");
    });
  });

  test("X3: a write racing an acquisition either lands before the new token is handed out or is refused, never after", async () => {
    await withStores(schema, 2, async (a, b) => {
      const old = await newInstance(a);
      const id = old.instanceId;
      await a.insertTasks(old, tasks(0, 200));
      // A keeps writing, one marker worker per write, while B takes over.
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) writes.push(a.updateStatuses(old, [{ seq: i, status: RUNNING, attempt: 0, worker: `w${i}#1` }]));
      const settled = Promise.allSettled(writes);
      await new Promise((r) => setTimeout(r, 5));
      await b.acquireInstance(id, OWNER_B);
      const atAcquire = await b.countByStatus(id);
      const outcomes = await settled;
      // Nothing A does after the acquisition shows up.
      expect(await b.countByStatus(id)).toEqual(atAcquire);
      const landed = outcomes.filter((o) => o.status === "fulfilled").length;
      const running = atAcquire.find((c) => c.status === RUNNING)?.count ?? 0;
      expect(running).toBe(landed);
      for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(FencedError);
    });
  });

  test("X3 leases: a renewal racing another master's takeover through another pool: exactly one of them wins, every time", async () => {
    await withStores(schema, 2, async (a, b) => {
      const T = 2_000_000_000_000;
      for (let round = 0; round < 20; round++) {
        const fence = await a.createInstance(
          { instanceId: crypto.randomUUID(), processor: "p", settings: {}, params: null, serialNum: 1, createdAt: T }, OWNER_A, { now: T, leaseMs: 1000 });
        const [renewed, taken] = await Promise.allSettled([
          a.renewLeases(OWNER_A, [fence], { now: T + 900, leaseMs: 1000 }),
          b.acquireInstance(fence.instanceId, OWNER_B, { now: T + 1000, leaseMs: 1000 }),
        ]);
        expect(renewed.status).toBe("fulfilled");
        const keptByA = (renewed as PromiseFulfilledResult<string[]>).value.length === 1;
        const rec = await a.getInstance(fence.instanceId);
        if (keptByA) {
          expect((taken as PromiseRejectedResult).reason).toBeInstanceOf(LeaseHeldError);
          expect([rec?.owner, rec?.fence, rec?.leaseUntil]).toEqual([OWNER_A, 1, T + 1900]);
        } else {
          expect((taken as PromiseFulfilledResult<Fence>).value.token).toBe(2);
          expect([rec?.owner, rec?.fence, rec?.leaseUntil]).toEqual([OWNER_B, 2, T + 2000]);
          await expect(a.insertTasks(fence, tasks(0, 1))).rejects.toBeInstanceOf(FencedError);
        }
      }
    });
  });

  test("X3 leases: two masters' pools racing to take one expired instance: one wins, the other gets LeaseHeldError naming the winner", async () => {
    await withStores(schema, 2, async (a, b) => {
      for (let round = 0; round < 20; round++) {
        const fence = await newInstance(a);
        const now = Date.now();
        const outcomes = await Promise.allSettled([
          a.acquireInstance(fence.instanceId, "master-c", { now, leaseMs: 5000 }),
          b.acquireInstance(fence.instanceId, OWNER_B, { now, leaseMs: 5000 }),
        ]);
        const won = outcomes.filter((o) => o.status === "fulfilled");
        expect(won.length).toBe(1);
        const lost = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(LeaseHeldError);
        expect((await a.getInstance(fence.instanceId))?.owner).toBe(lost.reason.owner);
      }
    });
  });

  test("concurrent claimInit from two masters' pools never returns one task twice, and together they return all", async () => {
    await withStores(schema, 2, async (a, b) => {
      const fence = await newInstance(a);
      await a.insertTasks(fence, tasks(0, 5000));
      const claimed: number[] = [];
      const drain = async (store: PostgresStore) => {
        for (;;) {
          const rows = await store.claimInit(fence, 97);
          if (rows.length === 0) return;
          for (let i = 1; i < rows.length; i++) expect(rows[i]!.seq).toBeGreaterThan(rows[i - 1]!.seq);
          claimed.push(...rows.map((r) => r.seq));
        }
      };
      await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
      expect(claimed.length).toBe(5000);
      expect(new Set(claimed).size).toBe(5000);
    });
  });

  test("concurrent insertTasks of overlapping batches through two pools store each task once; a task both send under other seqs counts for the one that stored it, under the same seq for both", async () => {
    await withStores(schema, 2, async (a, b) => {
      const fence = await newInstance(a);
      const id = fence.instanceId;
      for (let round = 0; round < 20; round++) {
        const from = round * 1500;
        // B sends the last 500 of A's task ids again: 250 under fresh seqs (a parent run again), 250 under A's seqs (a retry).
        const mine = tasks(from, 1000);
        const theirs = tasks(from + 500, 1000).map((t, i) => (i < 250 ? { ...t, seq: 1_000_000 + t.seq } : t));
        const [ma, mb] = await Promise.all([a.insertTasks(fence, mine), b.insertTasks(fence, theirs)]);
        const counted = new Map<string, number>();
        ma.forEach((bit, i) => counted.set(mine[i]!.taskId, bit));
        mb.forEach((bit, i) => counted.set(theirs[i]!.taskId, (counted.get(theirs[i]!.taskId) ?? 0) + bit));
        for (let n = from; n < from + 1500; n++) expect(counted.get(`t-${n}`), `t-${n}`).toBe(n >= from + 750 && n < from + 1000 ? 2 : 1);
        // Under fresh seqs, the mask that says 1 is the one whose seq is stored.
        for (let i = 0; i < 250; i += 25) {
          const stored = await a.getTask(id, theirs[i]!.taskId);
          expect(stored?.seq).toBe(mb[i] ? theirs[i]!.seq : mine[500 + i]!.seq);
        }
      }
      expect(await a.countByStatus(id)).toEqual([{ name: "shard", status: INIT, count: 30_000 }]);
    });
  });

  test("a batch whose first attempt committed but whose answer was lost comes back all ones when retried, through another pool", async () => {
    await withStores(schema, 2, async (a, b) => {
      const fence = await newInstance(a);
      const batch = tasks(0, 5000, true);
      expect((await a.insertTasks(fence, batch)).every((bit) => bit === 1)).toBe(true);
      expect((await b.insertTasks(fence, batch)).every((bit) => bit === 1)).toBe(true);
      expect((await b.insertTasks(fence, [...tasks(5000, 10, true), ...batch.slice(0, 10)])).every((bit) => bit === 1)).toBe(true);
      expect(await a.countByStatus(fence.instanceId)).toEqual([{ name: "shard", status: INIT, count: 5010 }]);
      expect(await a.claimInit(fence, 10)).toEqual([]); // queued as the first attempt stored them
    });
  });

  test("migrations are idempotent: stores opening one fresh schema at once all open, and each migration is applied once", async () => {
    const fresh = newSchema("migrate");
    await withStores(fresh, 6, async (...stores) => {
      const fence = await newInstance(stores[0]!);
      expect(await stores[5]!.getInstance(fence.instanceId)).not.toBeNull();
    });
    await withStores(fresh, 1, async () => undefined); // and once more, on a migrated schema
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql`select version, name from ${sql(fresh)}.schema_migrations order by version`;
      expect(rows.map((r) => [r.version, r.name])).toEqual([[1, "0001_schema"], [2, "0002_leases"], [3, "0003_failures"], [4, "0004_dispatches"]]);
    } finally {
      await sql.end();
    }
  });

  test("an up-to-date schema opens for a user without CREATE rights: opening only reads it", async () => {
    const schema = newSchema("plainuser");
    await withStores(schema, 1, async () => undefined);
    const role = `taskmill_test_user_${run}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin`create role ${admin(role)} login`;
      await admin`grant usage on schema ${admin(schema)} to ${admin(role)}`;
      await admin`grant select, insert, update, delete on all tables in schema ${admin(schema)} to ${admin(role)}`;
      await admin`grant usage on all sequences in schema ${admin(schema)} to ${admin(role)}`;
      const asUser = new URL(url);
      asUser.username = role;
      const store = await openPostgresStore(asUser.href, { schema });
      try {
        const fence = await newInstance(store);
        expect([...await store.insertTasks(fence, tasks(0, 3))]).toEqual([1, 1, 1]);
      } finally {
        await store.close();
      }
      // A schema it would have to create is refused with the server's reason.
      const error = await openPostgresStore(asUser.href, { schema: newSchema("nocreate") }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PostgresOpenError);
      expect((error as Error).message).toMatch(/permission denied .*\(Expected a user allowed to create the schema and its tables\)$/);
    } finally {
      await admin`drop owned by ${admin(role)}`.catch(() => undefined);
      await admin`drop role if exists ${admin(role)}`;
      await admin.end();
    }
  });

  test("a schema of version 2 (before the failure fields) is upgraded on open: old rows read with the new fields' defaults, and take the new writes", async () => {
    const old = newSchema("v2");
    const read = (path: string) => readFileSync(new URL(`../../adapters/node/postgres/${path}`, import.meta.url), "utf8");
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await sql.begin(async (tx) => {
        await tx.unsafe(`CREATE SCHEMA ${old}`);
        await tx.unsafe(`SET LOCAL search_path TO ${old}`);
        await tx.unsafe(read("sql/create-migrations-table.sql"));
        for (const [version, name] of [[1, "0001_schema"], [2, "0002_leases"]] as const) {
          await tx.unsafe(read(`migrations/${name}.sql`));
          await tx.unsafe("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [version, name]);
        }
        // Rows as version 2 wrote them.
        const [inst] = await tx.unsafe(`INSERT INTO instances (id, processor, settings, params, status, result, serial_num, owner, fence,
          created_at, finished_at, progress) VALUES ('old', 'p', '{"a":1}', 'null', 'FAILED', '"x"', 2, 'm', 3, 1600000000000,
          1600000001000, 'null') RETURNING ikey`);
        await tx.unsafe(`INSERT INTO tasks (ikey, seq, task_id, parent_id, name, body, status, attempt, worker, result, queued) VALUES
          ($1, 0, 't-0', 'r', 'shard', '0', 4, 0, 'w#1', '1', false),
          ($1, 1, 't-1', 'r', 'shard', '1', 5, 2, 'w#1', '"bad"', false),
          ($1, 2, 't-2', 'r', 'shard', '2', 1, 0, NULL, 'null', false)`, [inst!.ikey]);
      });
    } finally {
      await sql.end();
    }
    await withStores(old, 1, async (store) => {
      expect(await store.getInstance("old")).toEqual({
        instanceId: "old", processor: "p", settings: { a: 1 }, params: null, status: "FAILED", result: "x", serialNum: 2, owner: "m",
        fence: 3, leaseUntil: null, createdAt: 1_600_000_000_000, finishedAt: 1_600_000_001_000, progress: null,
        failedCount: 0, errors: [], startedAt: null, retainUntil: null,
      });
      const defaults = { failures: 0, notBefore: null, error: null, updatedAt: 1_600_000_000_000 };
      expect(await store.getTask("old", "t-1")).toEqual({
        seq: 1, taskId: "t-1", parentId: "r", name: "shard", body: 1, status: 5, attempt: 2, worker: "w#1", result: "bad", ...defaults,
      });
      expect(await store.listTasks("old", { limit: 10 })).toEqual(await Promise.all(["t-0", "t-1", "t-2"].map((t) => store.getTask("old", t))));
      const results = [];
      for await (const r of store.results("old")) results.push([r.attempt, r.error]);
      expect(results).toEqual([[0, null], [2, null], [0, null]]);
      const fence = { instanceId: "old", token: 3 };
      expect((await store.claimInit(fence, 10)).map((t) => [t.seq, t.updatedAt, t.failures])).toEqual([[2, 1_600_000_000_000, 0]]);
      expect(await store.retryFailed(fence)).toBe(1);
      await store.updateStatuses(fence, [{ seq: 1, status: 5, attempt: 3, worker: "w#1", failures: 1, error: { message: "again" }, at: 7 }]);
      expect(await store.getTask("old", "t-1")).toMatchObject({ attempt: 3, failures: 1, error: { message: "again" }, updatedAt: 7 });
      await store.updateInstance(fence, { failedCount: 1, retainUntil: 10 });
      expect(await store.sweepRetained(10)).toBe(1);
      expect(await store.maxSeq("old")).toBe(-1);
    });
  });

  test("a schema migrated by a newer taskmill is refused with SchemaVersionError naming both versions", async () => {
    const newer = newSchema("newer");
    await withStores(newer, 1, async () => undefined);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await sql`insert into ${sql(newer)}.schema_migrations (version, name) values (99, '0099_future')`;
    } finally {
      await sql.end();
    }
    const error = await openPostgresStore(url, { schema: newer }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect((error as Error).message).toMatch(/schema "taskmill_test_\w+_newer" is at version 99, newer than this taskmill knows \(4\)/);
  });

  test("200,000 tasks in batches of 5,000: stored, claimed, marked, finished and read back in order", async () => {
    await withStores(schema, 1, async (store) => {
      const fence = await newInstance(store);
      const N = 200_000;
      for (let from = 0; from < N; from += 5000) {
        const mask = await store.insertTasks(fence, tasks(from, 5000));
        expect(mask.every((b) => b === 1)).toBe(true);
      }
      expect(await store.maxSeq(fence.instanceId)).toBe(N - 1);
      let next = 0;
      for (;;) {
        const rows = await store.claimInit(fence, 5000);
        if (rows.length === 0) break;
        expect(rows[0]!.seq).toBe(next);
        next += rows.length;
        const seqs = rows.map((r) => r.seq);
        await store.recordDispatch(fence, { workerId: "w", worker: W1, seqs, attempts: seqs.map(() => 0) });
        await store.updateStatuses(fence, seqs.map((seq) => ({ seq, status: SUCCESS, attempt: 0, worker: W1, result: seq })));
      }
      expect(next).toBe(N);
      expect(await store.countByStatus(fence.instanceId)).toEqual([{ name: "shard", status: SUCCESS, count: N }]);
      let seen = 0;
      let misplaced = 0;
      for await (const row of store.results(fence.instanceId, 4999)) if (row.result !== seen++) misplaced++;
      expect([seen, misplaced]).toEqual([N, 0]);
    });
  });

  test("a seq reused for a new taskId is refused with ValidationError naming the task, and the batch stores nothing", async () => {
    await withStores(schema, 1, async (store) => {
      const fence = await newInstance(store);
      await store.insertTasks(fence, tasks(0, 3));
      const error = await store.insertTasks(fence, [...tasks(3, 2), { ...tasks(1, 1)[0]!, taskId: "other" }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe("tasks[2].seq");
      expect(await store.maxSeq(fence.instanceId)).toBe(2);
    });
  });
});

describe.skipIf(!url)("openPostgresStore bad input", () => {
  /** A port nobody listens on: bound, then released. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    return port;
  }

  test("an unreachable server: PostgresOpenError naming the URL with the password hidden, and what was expected", async () => {
    const port = await closedPort();
    const error = await openPostgresStore(`postgres://user:s3cret@127.0.0.1:${port}/test`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostgresOpenError);
    expect((error as Error).message).toBe(
      `postgres://user:***@127.0.0.1:${port}/test: connection refused (Expected a reachable PostgreSQL server)`);
    expect((error as Error).message).not.toContain("s3cret");
  });

  test("a URL that does not parse, or another scheme: PostgresOpenError saying what a URL looks like", async () => {
    const garbled = await openPostgresStore("postgres://user:s3cret@[::1/test").catch((e: unknown) => e);
    expect(garbled).toBeInstanceOf(PostgresOpenError);
    expect((garbled as Error).message).toBe(
      "postgres://user:***@[::1/test: not a URL (Expected a URL like postgres://user:password@host:5432/database)");
    const http = await openPostgresStore("http://u:pw@127.0.0.1:5432/test").catch((e: unknown) => e);
    expect((http as Error).message).toBe(
      'http://u:***@127.0.0.1:5432/test: unsupported scheme "http" (Expected a URL like postgres://user:password@host:5432/database)');
  });

  test("an unknown database or role: PostgresOpenError with the server's words", async () => {
    const base = new URL(url);
    const noDb = new URL(url);
    noDb.pathname = `/no_such_db_${run}`;
    const db = await openPostgresStore(noDb.href).catch((e: unknown) => e);
    expect(db).toBeInstanceOf(PostgresOpenError);
    expect((db as Error).message).toMatch(/does not exist \(Expected an existing database\)$/);
    base.username = `no_such_role_${run}`;
    base.password = "pw";
    const role = await openPostgresStore(base.href).catch((e: unknown) => e);
    expect(role).toBeInstanceOf(PostgresOpenError);
    expect((role as Error).message).toContain(`no_such_role_${run}:***@`);
    expect((role as Error).message).toMatch(/login refused: .*\(Expected a user and password the server accepts\)$/);
  });

  test("openStore takes postgres:// and postgresql:// URLs, ?schema=NAME picking the schema, and hides the password when it fails", async () => {
    const schema = newSchema("openstore");
    for (const scheme of ["postgres:", "postgresql:"]) {
      const u = new URL(url);
      u.protocol = scheme;
      u.searchParams.set("schema", schema);
      const store = await openStore(u.href);
      try {
        expect(store).toBeInstanceOf(PostgresStore);
        expect([store.kind, (store as PostgresStore).schema]).toEqual(["postgres", schema]);
      } finally {
        await store.close();
      }
    }
    const port = await closedPort();
    const error = await openStore(`postgresql://ops:hunter2@127.0.0.1:${port}/test`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostgresOpenError);
    expect((error as Error).message).toBe(
      `postgresql://ops:***@127.0.0.1:${port}/test: connection refused (Expected a reachable PostgreSQL server)`);
  });

  test("a schema name that is not a plain lowercase identifier, and pool options out of range, are refused with ValidationError", async () => {
    for (const schema of ["", "Upper", "with-dash", "a;drop", "x".repeat(64), "1abc"]) {
      await expect(openPostgresStore(url, { schema })).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(openPostgresStore(`${url}?schema=No-Good`)).rejects.toThrow('schema: Expected a lowercase SQL identifier');
    await expect(openPostgresStore(url, { max: 0 })).rejects.toThrow("max: Expected an integer >= 1, got 0");
    await expect(openPostgresStore(url, { connectTimeout: -1 })).rejects.toThrow("connectTimeout: Expected a number of seconds > 0, got -1");
  });
});
