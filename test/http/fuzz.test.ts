// Random bodies to every route of a master and a worker: never a 5xx, never a
// crash, and the master still serves and runs a job afterwards.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { HttpTransport, masterApi, MESSAGE_ROUTES } from "../../src/http/index.ts";
import { Master, Worker, ManualClock, MemoryStore, defineMap } from "../../src/index.ts";

/** Fuzzed params must not make the processor itself do unbounded work: this one ignores them. */
const noop = defineMap({ process: () => ({ ok: true }) });
import { sumSquares, sumOfSquares } from "../master/processors.ts";

const BASE = "http://127.0.0.1:7999";

function setup() {
  const clock = new ManualClock(0);
  const t = new HttpTransport(BASE);
  const own = new Worker({ workerId: "own", address: `${BASE}/worker`, transport: t, clock, processors: { sumSquares, noop } });
  const master = new Master({ store: new MemoryStore(), transport: t, clock, address: BASE, ownWorker: own });
  t.app.route("/", masterApi(master));
  return { clock, t, master, own };
}

/** Who the fuzzer speaks as: a worker registered through the API (its secret, H13) and the master's credential (H16). */
interface Ident {
  worker: { workerId: string; incarnation: number; secret: string };
  credential: string;
}

/**
 * Registers the fuzzer's own worker (again: fuzzed registrations may have replaced it), so the
 * mutated messages reach past the identity checks into the handlers.
 */
async function registerIdent(t: HttpTransport): Promise<Ident> {
  const load = { freeSlots: 1, cpuFree: 0.5, memFree: 0.5 };
  const res = await t.app.request(`${BASE}/workers/register`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "register", workerId: "fz-ident", address: "http://127.0.0.1:1/fz-ident", slots: 2, load }),
  });
  const r = await res.json() as { incarnation: number; secret: string; credential: string };
  return { worker: { workerId: "fz-ident", incarnation: r.incarnation, secret: r.secret }, credential: r.credential };
}

/** A valid message of each type, to mutate. */
function validMessages(instanceId: string, ident: Ident): Record<string, unknown> {
  const { worker, credential } = ident;
  const addressee = { workerId: "own", incarnation: 1 };
  const load = { freeSlots: 1, cpuFree: 0.5, memFree: 0.5 };
  const instance = { instanceId, serialNum: 1, processor: "sumSquares", params: null, consumerSize: 2 };
  return {
    register: { type: "register", workerId: "fz", address: "http://127.0.0.1:1/fz", slots: 2, load },
    heartbeat: { type: "heartbeat", worker, load, instances: [instanceId] },
    report: { type: "report", worker, load, reports: [{ instanceId, serialNum: 1, handle: 0, taskId: "r", attempt: 0, status: "SUCCESS", result: 1 }] },
    map: { type: "map", worker, instanceId, serialNum: 1, parentTaskId: "r", parentHandle: 0, parentAttempt: 0, mapCall: 0, taskName: "X", bodies: [1, 2], key: "k" },
    pull: { type: "pull", worker, instanceId, serialNum: 1, max: 3 },
    start: { type: "start", master: BASE, credential, instance, worker: addressee, tasks: [{ handle: 5, taskId: "z", name: "NUM", body: 3, attempt: 0 }] },
    notifyPull: { type: "notifyPull", master: BASE, credential, instance, worker: addressee, pageSize: 2 },
    killTask: { type: "killTask", master: BASE, credential, instanceId, taskId: "z", reason: "fuzz" },
    killInstance: { type: "killInstance", master: BASE, credential, instanceId: "other", reason: "fuzz" },
    destroyPool: { type: "destroyPool", master: BASE, credential, instanceId: "other" },
  };
}

/** Replaces one random path of a JSON value with another random value. */
const mutate = (v: unknown) => fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([seed, replacement]) => {
  const copy = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  const paths: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (o: unknown) => {
    if (o && typeof o === "object") for (const k of Object.keys(o)) { paths.push([o as Record<string, unknown>, k]); walk((o as Record<string, unknown>)[k]); }
  };
  walk(copy);
  if (paths.length === 0) return replacement;
  const [obj, key] = paths[seed % paths.length]!;
  (obj as Record<string, unknown>)[key as string] = replacement;
  return copy;
});

describe("fuzz", () => {
  it("≥ 1,000 random bodies to every route: no 5xx, no crash, the master still serves", { timeout: 120_000 }, async () => {
    const { clock, t, master, own } = setup();
    await master.start();
    const instanceId = await master.submit({ processor: "sumSquares", params: { n: 10, ranges: 2 }, settings: { dispatchSpeed: "1/h" } });
    // Each route's valid message is made when its turn comes, with an identity registered just then.
    const routes: Array<[string, () => Promise<unknown>]> = [
      ...Object.entries(MESSAGE_ROUTES).map(([type, path]) => [
        (["start", "notifyPull", "killTask", "killInstance", "destroyPool"].includes(type) ? "/worker" : "") + path,
        async () => validMessages(instanceId, await registerIdent(t))[type],
      ] as [string, () => Promise<unknown>]),
      ["/api/instances", async () => ({ processor: "noop", params: { n: 3, ranges: 1 } })],
      [`/api/instances/${instanceId}/kill`, async () => ({ reason: "x" })],
      [`/api/instances/${instanceId}/tasks/r/kill`, async () => ({})],
      [`/api/instances/${instanceId}/retry`, async () => ({})],
    ];
    let requests = 0;
    const statuses = new Map<number, number>();
    for (const [path, make] of routes) {
      const base = await make();
      await fc.assert(fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: mutate(base).map((v) => JSON.stringify(v)) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
          { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
        ),
        async (body) => {
          const res = await t.app.request(BASE.replace(/\/$/, "") + path, { method: "POST", headers: { "content-type": "application/json" }, body });
          requests++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${path} ${body.slice(0, 200)}`).toBeLessThan(500);
          const text = await res.text();
          // A fuzzed submit that was valid starts a real instance: end it, so a thousand do not pile up.
          if (res.status === 201) await master.kill((JSON.parse(text) as { instanceId: string }).instanceId, "fuzz");
        },
      ), { numRuns: 1000 });
    }
    expect(requests).toBeGreaterThanOrEqual(1000 * routes.length);
    // Still serving, and still able to run a job to the right answer.
    expect((await t.app.request(`${BASE}/health`)).status).toBe(200);
    const id = await master.submit({ processor: "sumSquares", params: { n: 100, ranges: 2 } });
    let done: Awaited<ReturnType<Master["waitFor"]>> | undefined;
    void master.waitFor(id).then((v) => { done = v; });
    await clock.until(() => done !== undefined);
    expect(done!.result).toEqual({ sum: sumOfSquares(100), count: 100 });
    master.close();
    own.close();
  });

  it("≥ 1,000 random queries to the tasks route: a page, or 400 naming the field; never a 5xx", { timeout: 60_000 }, async () => {
    const { t, master, own } = setup();
    await master.start();
    const instanceId = await master.submit({ processor: "sumSquares", params: { n: 10, ranges: 2 }, settings: { dispatchSpeed: "1/h" } });
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("FAILED", "SUCCESS", "1", "1000", "1001", "0", "-1", "s0", "s-1", "s99999999999999999", "ROOT", ""), fc.integer().map(String));
    const query = fc.dictionary(fc.constantFrom("status", "name", "limit", "cursor", "other"), value, { maxKeys: 5 });
    let pages = 0;
    await fc.assert(fc.asyncProperty(query, async (q) => {
      const res = await t.app.request(`${BASE}/api/instances/${instanceId}/tasks?${new URLSearchParams(q)}`);
      const body = await res.json() as { tasks?: unknown[]; field?: string };
      expect([200, 400], JSON.stringify(q)).toContain(res.status);
      if (res.status === 200) { pages++; expect(Array.isArray(body.tasks)).toBe(true); } else expect(["status", "name", "limit", "cursor"]).toContain(body.field);
    }), { numRuns: 1000 });
    expect(pages).toBeGreaterThan(0);
    master.close();
    own.close();
  });
});
