// X3 with real processes on a real PostgreSQL: two shared masters and two
// workers that serve both on one schema. The owner is SIGKILLed (takeover)
// or SIGSTOPped past its lease and woken up (fencing).
import { describe, it, expect, beforeAll, afterAll, afterEach } from "vitest";
import postgres from "postgres";
import { taskmill, killAll, poll, requireBuild, submitJob, viewInstance, CHAOS_PROCESSORS, type Proc } from "../processes.ts";
import { ensurePostgres } from "../services.ts";
import { dropPostgresSchema } from "../../adapters/node/postgres/index.ts";
import { readEvents } from "../../adapters/node/client.ts";

const pg = await ensurePostgres();
if ("skip" in pg) console.warn(`\n*** ${pg.skip} ***\n`);
const pgUrl = "url" in pg ? pg.url : "";

/** Short leases so a takeover takes ~2 s: the test stays quick. */
const LEASE_MS = 2000, RENEW_MS = 500, TAKEOVER_MS = 250;
/** Two map levels, T tasks slow enough that the instance outlives a takeover. */
const PARAMS = { n: 1200, ranges: 6, ms: 20 };
const SETTINGS = { livenessTimeoutMs: 1500, heartbeatMs: 200, execOnMaster: false, consumerSize: 4, pageSize: 8 };

interface Counts { total: number; init: number; pulled: number; running: number; success: number; failed: number }
interface View {
  status: string;
  result: unknown;
  owner?: string;
  progress: { names: Record<string, Counts>; workers: Record<string, Counts> } | null;
}

const schemas: string[] = [];
beforeAll(() => requireBuild());
afterEach(() => killAll());
afterAll(async () => {
  if (pgUrl) for (const s of schemas) await dropPostgresSchema(pgUrl, s);
});

/** Two shared masters and two workers serving both, on a fresh schema. */
async function cluster() {
  const schema = `taskmill_x3_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  schemas.push(schema);
  const store = `${pgUrl}?schema=${schema}`;
  const master = () => taskmill([
    "master", "--port", "0", "--store", store, "--processors", CHAOS_PROCESSORS,
    "--shared", "--lease-ms", String(LEASE_MS), "--renew-ms", String(RENEW_MS), "--takeover-ms", String(TAKEOVER_MS),
  ]);
  // One after the other: the first migrates the schema.
  const a = master();
  const urlA = (await a.waitFor("master-ready")).url as string;
  const b = master();
  const urlB = (await b.waitFor("master-ready")).url as string;
  const workers: Proc[] = [];
  for (let i = 1; i <= 2; i++) {
    workers.push(taskmill(["worker", "--master", urlA, "--master", urlB, "--processors", CHAOS_PROCESSORS, "--id", `w${i}`, "--slots", "8", "--heartbeat-ms", "200"]));
  }
  await Promise.all(workers.map((w) => w.waitFor("worker-ready")));
  return { a, b, urlA, urlB, schema };
}

const submit = (url: string) => submitJob(url, "rangedSum", PARAMS, SETTINGS);
const view = (url: string, id: string) => viewInstance<View>(url, id);

const successes = async (url: string, id: string) => (await view(url, id))?.progress?.names.T?.success ?? 0;

const final = (url: string, id: string) =>
  poll(async () => { const v = await view(url, id); return v && v.status !== "RUNNING" ? v : undefined; }, 60_000)
    .catch(async (e: Error) => { throw new Error(`${e.message}; last view: ${JSON.stringify(await view(url, id))}`); });

/** The instance's record as the store holds it. */
async function stored(schema: string, id: string) {
  const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select owner, fence::int as fence, status, lease_until from ${sql(schema)}.instances where id = ${id}`;
    return row as { owner: string; fence: number; status: string; lease_until: string | null };
  } finally {
    await sql.end();
  }
}

/** Exact: every T, RANGE and ROOT task counted once and succeeded; the reduce saw all n. */
function expectExact(v: View): void {
  expect(v.status).toBe("SUCCESS");
  const n = PARAMS.n;
  expect(v.result).toEqual({ sum: (n * (n - 1)) / 2, count: n });
  expect(v.progress!.names.T).toEqual({ total: n, init: 0, pulled: 0, running: 0, success: n, failed: 0 });
  expect(v.progress!.names.RANGE).toEqual({ total: PARAMS.ranges, init: 0, pulled: 0, running: 0, success: PARAMS.ranges, failed: 0 });
  expect(v.progress!.names.ROOT).toEqual({ total: 1, init: 0, pulled: 0, running: 0, success: 1, failed: 0 });
}

/**
 * Follows the instance's event stream on `url` to its "done" event, opening
 * it again when it ends early or is cut (as `submit --wait` does): the
 * master forwards it from the owner, and when the owner dies it serves it
 * from the store until the instance runs there. Resolves with the final
 * view and how many times the stream was opened.
 */
async function watch(url: string, id: string): Promise<{ view: View; opened: number }> {
  for (let opened = 1; opened <= 20; opened++) {
    let done: View | undefined;
    try {
      const res = await fetch(`${url}/api/instances/${id}/events`);
      await readEvents(res, (event, data) => { if (event === "done") done = JSON.parse(data) as View; });
    } catch { /* cut: open it again */ }
    if (done && done.status !== "RUNNING") return { view: done, opened };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the event stream of ${id} never reached its end`);
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split("\n").filter((l) => l.startsWith(name)).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

describe.skipIf(!pgUrl)("X3: several masters on one PostgreSQL store, real processes", () => {
  it("X3 takeover: SIGKILL the owning master mid-instance; the other takes the lease within the lease timeout and finishes with exact counters and the right reduce result", { timeout: 60_000 }, async () => {
    const { a, b, urlA, urlB, schema } = await cluster();
    const id = await submit(urlA);
    // Either master's API lists it, and B forwards the live view to its owner.
    expect((await view(urlB, id))?.owner).toBe(urlA);
    await poll(async () => (await successes(urlB, id)) > 100 ? true : undefined, 30_000);
    const watched = watch(urlB, id); // opened before the kill: forwarded from A at first
    a.child.kill("SIGKILL");
    const killedAt = Date.now();
    await a.exited;
    const taken = await b.waitFor("instance-taken-over", 15_000);
    const tookMs = Date.now() - killedAt;
    expect(taken).toMatchObject({ instanceId: id, from: urlA, token: 2 });
    // Generous slack on top of lease + scan interval: process scheduling, not the design.
    expect(tookMs).toBeLessThan(LEASE_MS + TAKEOVER_MS + 3000);
    const v = await final(urlB, id);
    expectExact(v);
    expect(v.owner).toBe(urlB);
    // A watcher on B saw it through to the end, across the owner's death.
    const seen = await watched;
    expect(seen.view.status).toBe("SUCCESS");
    expect(seen.view.result).toEqual(v.result);
    expect(await stored(schema, id)).toMatchObject({ owner: urlB, fence: 2, status: "SUCCESS" });
  });

  it("X3 fencing: SIGSTOP the owning master past its lease; B takes over; after SIGCONT the store refuses A's writes, A gives the instance up, and it finishes exactly under B", { timeout: 60_000 }, async () => {
    const { a, b, urlA, urlB, schema } = await cluster();
    const id = await submit(urlA);
    await poll(async () => (await successes(urlB, id)) > 100 ? true : undefined, 30_000);
    a.child.kill("SIGSTOP");
    await b.waitFor("instance-taken-over", 15_000);
    // B runs the instance for a while, A still asleep with its old token.
    const atTakeover = await successes(urlB, id);
    await poll(async () => (await successes(urlB, id)) > atTakeover + 100 ? true : undefined, 30_000);
    expect(await stored(schema, id)).toMatchObject({ owner: urlB, fence: 2, status: "RUNNING" });
    a.child.kill("SIGCONT");
    const deposed = await a.waitFor("instance-deposed", 15_000);
    expect(deposed.instanceId).toBe(id);
    // What A tried to write with token 1 was refused by the store itself.
    const fenced = await a.waitFor("write-fenced", 15_000);
    expect(fenced).toMatchObject({ instanceId: id, token: 1, current: 2 });
    expect(await metric(urlA, "taskmill_store_writes_fenced_total")).toBeGreaterThan(0);
    expect(await metric(urlA, "taskmill_instances_deposed_total")).toBe(1);
    expect(await metric(urlA, "taskmill_instances_running")).toBe(0);
    const v = await final(urlB, id);
    expectExact(v);
    expect(await stored(schema, id)).toMatchObject({ owner: urlB, fence: 2, status: "SUCCESS" });
    // A never took it back: B's view and A's (read from the store) agree.
    expect((await view(urlA, id))?.status).toBe("SUCCESS");
  });
});
