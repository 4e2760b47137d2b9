// pg-boss 10 as a peer: fan-out / fan-in of n children, summed at the end, in
// one process (producer and workers; notifyWorker only reaches workers of the
// same process). pg-boss 10 has no flows and dropped onComplete, so fan-in is
// a completion counter in a table beside pg-boss's (schema `tag`):
// - fan-out: one transaction inserts the counter row (expected = n) and the n
//   children jobs (boss.insert, 5,000 per statement), then wakes the worker;
// - children: two workers, batchSize 5000 (PERF-NOTES' setting). Each child
//   returns 1; per batch, one transaction completes the batch's jobs
//   (boss.complete with the transaction as `db`) and adds their count and sum
//   to the counter, so a retried batch is never counted twice. The workers are
//   then woken (notifyWorker) instead of sleeping out their polling interval;
// - the batch that brings the count to n sends the parent job (its id fixed
//   up front); the parent worker reads the counter, checks the count and
//   returns the sum, which pg-boss stores as the parent's output.
// Timed: fan-out → the parent job is `completed` in the database.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import PgBoss from "pg-boss";
import { checkSum, cpuSecondsSince, rssSampler, type PeerInfo, type PeerMeasure } from "./peer.ts";

const CHILDREN_QUEUE = "children";
const PARENTS_QUEUE = "parents";
/** Jobs per fetch of the children's worker, and per insert statement (PERF-NOTES: batchSize 5000). */
export const PGBOSS_BATCH = 5000;
/**
 * Workers (work() calls) on the children's queue. One worker fetches, runs and
 * completes one batch at a time; a second one overlaps its fetch with the
 * other's completion (100k children: 3.0 s instead of 3.9 s; bench/RESULTS.md).
 */
export const PGBOSS_CHILD_WORKERS = 2;

export const pgbossPeer: PeerInfo = {
  name: "pg-boss",
  module: "pgboss",
  service: "postgres",
  workers: `in-process (notifyWorker): ${PGBOSS_CHILD_WORKERS} children workers × batchSize ${PGBOSS_BATCH}, parent batchSize 1; fan-in counter updated in the batch's completing transaction`,
};

/** The part of node-postgres used here: the driver pg-boss itself runs on. */
interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  release(): void;
}
interface PgPool {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
}
/** node-postgres, resolved from pg-boss's own dependencies (taskmill does not depend on it). */
const pg = createRequire(createRequire(import.meta.url).resolve("pg-boss"))("pg") as {
  Pool: new (o: { connectionString: string; max: number }) => PgPool;
};

/** pg-boss's `db` option: where a call runs its SQL. */
type Db = { executeSql(text: string, values: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }> };

/** Runs `fn` in one transaction on a client of `pool`, handing it as a pg-boss `db`. */
async function transaction<T>(pool: PgPool, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const result = await fn({ executeSql: (text, values) => client.query(text, values) });
    await client.query("commit");
    return result;
  } catch (e) {
    await client.query("rollback").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** boss.complete(name, ids, data, { db }) as it runs: types.d.ts types the ids form without `data` and as returning nothing. */
function completeIn(boss: PgBoss, db: Db, name: string, ids: string[]): Promise<{ affected: number }> {
  const complete = boss.complete.bind(boss) as unknown as (name: string, ids: string[], data: null, options: { db: Db }) => Promise<{ affected: number }>;
  return complete(name, ids, null, { db });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One measurement: n children under one parent, summed. */
export async function run(n: number, url: string, tag: string): Promise<PeerMeasure> {
  const schema = tag;
  const counter = `${schema}.peers_fanin`;
  const pool = new pg.Pool({ connectionString: url, max: PGBOSS_CHILD_WORKERS + 1 });
  const boss = new PgBoss({ connectionString: url, schema, supervise: false, schedule: false });
  let failure: Error | null = null;
  boss.on("error", (e) => { failure ??= e; });
  /** A handler's error fails its jobs (pg-boss retries them); the measurement stops at the first. */
  const recordFailure = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      failure ??= e instanceof Error ? e : new Error(String(e));
      throw e;
    }
  };
  try {
    const { rows: [v] } = await pool.query("select current_setting('server_version') as v");
    await boss.start();
    await boss.createQueue(CHILDREN_QUEUE);
    await boss.createQueue(PARENTS_QUEUE);
    await pool.query(`create table ${counter} (id uuid primary key, expected int not null, done int not null default 0, total bigint not null default 0)`);

    let parentWorker = "";
    let parentReturned: (() => void) | null = null;
    const childWorkers: string[] = [];
    const wakeChildWorkers = () => { for (const id of childWorkers) boss.notifyWorker(id); };
    const children = (jobs: PgBoss.Job<{ parent: string }>[]) => recordFailure(async () => {
      const byParent = new Map<string, { ids: string[]; sum: number }>();
      for (const job of jobs) {
        const result = 1; // the child's work
        let g = byParent.get(job.data.parent);
        if (!g) byParent.set(job.data.parent, g = { ids: [], sum: 0 });
        g.ids.push(job.id);
        g.sum += result;
      }
      const finished = await transaction(pool, async (db) => {
        const last: string[] = [];
        for (const [parent, g] of byParent) {
          const { affected } = await completeIn(boss, db, CHILDREN_QUEUE, g.ids);
          if (affected !== g.ids.length) throw new Error(`pg-boss: completed ${affected} of ${g.ids.length} children (some expired or were retried)`);
          const { rows: [row] } = await db.executeSql(
            `update ${counter} set done = done + $2, total = total + $3 where id = $1 returning done, expected`, [parent, affected, g.sum]);
          if (row!.done === row!.expected) last.push(parent);
        }
        return last;
      });
      for (const parent of finished) {
        await boss.send(PARENTS_QUEUE, { parent }, { id: parent });
        boss.notifyWorker(parentWorker);
      }
      wakeChildWorkers();
    });
    for (let w = 0; w < PGBOSS_CHILD_WORKERS; w++) childWorkers.push(await boss.work(CHILDREN_QUEUE, { batchSize: PGBOSS_BATCH }, children));
    parentWorker = await boss.work<{ parent: string }>(PARENTS_QUEUE, { batchSize: 1 }, ([job]) => recordFailure(async () => {
      const { rows: [row] } = await pool.query(`select done, expected, total from ${counter} where id = $1`, [job!.data.parent]);
      if (row!.done !== row!.expected) throw new Error(`pg-boss: the parent ran with ${String(row!.done)} of ${String(row!.expected)} children done`);
      parentReturned?.();
      return { sum: Number(row!.total) };
    }));

    const rss = rssSampler();
    const cpu = process.cpuUsage();
    const returned = new Promise<void>((r) => { parentReturned = r; });
    const t0 = performance.now();
    const parent = randomUUID();
    await transaction(pool, async (db) => {
      await db.executeSql(`insert into ${counter} (id, expected) values ($1, $2)`, [parent, n]);
      for (let from = 0; from < n; from += PGBOSS_BATCH) {
        const jobs = Array.from({ length: Math.min(PGBOSS_BATCH, n - from) }, (_, i) => ({ name: CHILDREN_QUEUE, data: { parent, i: from + i } }));
        await boss.insert(jobs, { db });
      }
    });
    wakeChildWorkers();
    const added = performance.now();
    // Wait in-process for the parent's handler, then for pg-boss to store its completion.
    for (;;) {
      await Promise.race([returned, sleep(100)]);
      if (failure) throw failure;
      const job = await boss.getJobById<{ parent: string }>(PARENTS_QUEUE, parent);
      if (job?.state === "completed") {
        const done = performance.now();
        const cpuSeconds = cpuSecondsSince(cpu);
        const peakRssMB = rss.stop();
        const sum = checkSum("pg-boss", (job.output as { sum?: unknown } | null)?.sum, n);
        return {
          n, seconds: (done - t0) / 1000, sum, peakRssMB, workerPeakRssMB: null, cpuSeconds, workerCpuSeconds: null,
          addSeconds: (added - t0) / 1000, server: `PostgreSQL ${String(v!.v).split(" ")[0]}`,
        };
      }
      if (job?.state === "failed") throw new Error(`pg-boss: the parent job failed: ${JSON.stringify(job.output)}`);
    }
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    await pool.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await pool.end();
  }
}

export async function cleanup(url: string, tag: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(`drop schema if exists ${tag} cascade`);
  } finally {
    await pool.end();
  }
}
