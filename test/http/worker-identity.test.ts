// H13-H17 over HTTP: a real master and real workers on their own ports; the forger is this
// test, speaking the worker protocol with fetch and knowing all the API shows (worker ids,
// incarnations, task ids) and, where it says so, what it sniffed off the wire.
import { describe, it, expect, afterEach } from "vitest";
import { startHttpCluster } from "./cluster.ts";
import { Gate, gated } from "../master/processors.ts";
import { reportColumns, taskColumns, tasksOf } from "../../src/protocol/columns.ts";
import type { TaskColumns } from "../../src/protocol/messages.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanups.splice(0).reverse()) await f(); });

const LOAD = { freeSlots: 1, cpuFree: null, memFree: null };
const FORGED = "00000000000000000000000000000000";

/** Every request and reply body the cluster's transports sent over the network: what a sniffer on the wire sees. */
function sniffer() {
  const wire: Array<{ url: string; sent: string; got: string }> = [];
  const f: typeof fetch = async (input, init) => {
    // Recorded as it leaves: a worker may act on a request before its reply is back.
    const x = { url: input instanceof Request ? input.url : String(input), sent: typeof init?.body === "string" ? init.body : "", got: "" };
    wire.push(x);
    const res = await fetch(input, init);
    x.got = await res.clone().text();
    return res;
  };
  return {
    wire,
    fetch: f,
    /** The register replies the workers got. */
    registrations: () => wire.filter((x) => x.url.endsWith("/workers/register") && x.got !== "").map((x) => JSON.parse(x.got) as { incarnation: number; secret: string; credential: string }),
  };
}

/** A cluster of a gated job's processor and `workers` workers, stopped after the test. */
async function cluster(workers: number, fetch?: typeof globalThis.fetch) {
  const gate = new Gate();
  const c = await startHttpCluster({ workers, processors: { job: gated(gate) }, fetch });
  cleanups.push(async () => { gate.open(); await c.stop(); });
  const post = async (path: string, body: unknown) => {
    const res = await globalThis.fetch(path.startsWith("http") ? path : `${c.base}${path}`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };
  return { ...c, gate, post };
}

/** Polls until `cond` holds (the cluster runs on the real clock); fails naming `what` after 20 s. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Submits a job of `n` gated CHILD tasks on the workers (not the master's own) and waits until all run. */
async function running(c: Awaited<ReturnType<typeof cluster>>, n: number) {
  // Every task row kept past the end, so a test can read the results that count.
  const id = await c.master.submit({ processor: "job", params: { n }, settings: { execOnMaster: false, retainTasks: "all" } });
  // Running on the worker and reported RUNNING: from then on nothing moves until the gate opens.
  await until(() => c.gate.waiting.filter((t) => t !== "r").length === n && c.master.progress(id)?.names.CHILD?.running === n, `${n} CHILD tasks running`);
  const page = (await c.master.tasks(id, { name: "CHILD" }))!;
  return { id, tasks: page.tasks };
}

/** The task's row as the store has it (status, attempt, worker, result). */
async function rowOf(c: Awaited<ReturnType<typeof cluster>>, id: string, taskId: string) {
  const r = (await c.store.getTask(id, taskId))!;
  return { status: r.status, attempt: r.attempt, worker: r.worker, result: r.result };
}

/** The handle a start batch gave `taskId` (sniffed: the API does not show handles). */
function handleOf(wire: ReadonlyArray<{ url: string; sent: string }>, taskId: string): number {
  for (const x of wire) {
    if (!x.url.endsWith("/tasks/start")) continue;
    const t = tasksOf((JSON.parse(x.sent) as { tasks: TaskColumns }).tasks).find((y) => y.taskId === taskId);
    if (t) return t.handle;
  }
  throw new Error(`no start batch carried ${taskId}`);
}

describe("H13-H17 worker identity over HTTP", () => {
  it("H13: registration gives each incarnation its own 128-bit secret and the master's credential; neither shows in /health, /metrics, /openapi.json, the API's instance and task views or the store", async () => {
    const s = sniffer();
    const c = await cluster(2, s.fetch);
    const { id } = await running(c, 4);
    const regs = s.registrations();
    expect(regs).toHaveLength(2);
    for (const r of regs) expect(r.secret).toMatch(/^[0-9a-f]{32}$/);
    expect(regs[0]!.secret).not.toBe(regs[1]!.secret);
    expect(regs[0]!.credential).toMatch(/^[0-9a-f]{32}$/);
    expect(regs[1]!.credential).toBe(regs[0]!.credential);
    const keys = [...regs.map((r) => r.secret), regs[0]!.credential];
    const shown: string[] = [];
    for (const path of ["/health", "/metrics", "/openapi.json", "/api/instances", `/api/instances/${id}`, `/api/instances/${id}/tasks`]) {
      const res = await fetch(`${c.base}${path}`);
      expect(res.status, path).toBe(200);
      shown.push(await res.text());
    }
    shown.push(JSON.stringify(await c.store.getInstance(id)), JSON.stringify(c.master.progress(id)));
    for (const t of (await c.master.tasks(id))!.tasks) shown.push(JSON.stringify(await c.store.getTask(id, t.taskId)));
    for (const text of shown) for (const k of keys) expect(text).not.toContain(k);
    // Tasks name their worker as workerId#incarnation, the key the API shows.
    const workers = new Set((await c.master.tasks(id, { name: "CHILD" }))!.tasks.map((t) => t.worker));
    for (const w of workers) expect(w).toMatch(/^w[12]#\d+$/);
  });

  it("H14: a report naming a real incarnation (as the API shows it) with a wrong or no secret is refused like an unknown one and changes nothing", async () => {
    const s = sniffer();
    const c = await cluster(1, s.fetch);
    const { id, tasks } = await running(c, 2);
    const t = tasks[0]!;
    const [workerId, inc] = t.worker!.split("#") as [string, string];
    const before = { row: await rowOf(c, id, t.taskId), progress: c.master.progress(id)!.names };
    const report = (worker: Record<string, unknown>) => ({
      type: "report", worker, load: LOAD,
      reports: reportColumns([{ instanceId: id, serialNum: 1, handle: handleOf(s.wire, t.taskId), taskId: t.taskId, attempt: t.attempt, status: "SUCCESS", result: "forged" }]),
    });
    const wrong = await c.post("/workers/report", report({ workerId, incarnation: Number(inc), secret: FORGED }));
    expect(wrong.status).toBe(409);
    expect(wrong.body).toMatchObject({ ok: false, code: "unregistered", field: "worker" });
    const none = await c.post("/workers/report", report({ workerId, incarnation: Number(inc) }));
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ field: "worker.secret" });
    // Heartbeats, pulls and maps in its name are refused alike.
    const ref = { workerId, incarnation: Number(inc), secret: FORGED };
    expect((await c.post("/workers/heartbeat", { type: "heartbeat", worker: ref, load: LOAD, instances: [] })).status).toBe(409);
    expect((await c.post("/workers/pull", { type: "pull", worker: ref, instanceId: id, serialNum: 1, max: 5 })).status).toBe(409);
    expect((await c.post("/workers/map", {
      type: "map", worker: ref, instanceId: id, serialNum: 1, parentTaskId: t.taskId, parentHandle: handleOf(s.wire, t.taskId),
      parentAttempt: t.attempt, mapCall: 0, taskName: "EVIL", bodies: [1], key: "forged",
    })).status).toBe(409);
    expect(await rowOf(c, id, t.taskId)).toEqual(before.row);
    expect(c.master.progress(id)!.names).toEqual(before.progress);
    // The real worker still reports for itself: its result is the one kept.
    c.gate.open();
    expect((await c.master.waitFor(id)).status).toBe("SUCCESS");
    expect((await rowOf(c, id, t.taskId)).result).toBe(t.taskId);
  });

  it("H15: a registered worker with its own valid secret gets no report applied for a task given to another worker, cannot map under it, and pulls none of it", async () => {
    const s = sniffer();
    const c = await cluster(1, s.fetch);
    const { id, tasks } = await running(c, 2);
    const t = tasks[0]!;
    const reg = await c.post("/workers/register", { type: "register", workerId: "intruder", address: "http://127.0.0.1:1/intruder", slots: 4, load: LOAD });
    expect(reg.status).toBe(200);
    const me = { workerId: "intruder", incarnation: reg.body.incarnation as number, secret: reg.body.secret as string };
    const handle = handleOf(s.wire, t.taskId);
    const before = { row: await rowOf(c, id, t.taskId), progress: c.master.progress(id)!.names };
    for (const status of ["SUCCESS", "FAILED", "RUNNING"] as const) {
      const r = await c.post("/workers/report", {
        type: "report", worker: me, load: LOAD,
        reports: reportColumns([{ instanceId: id, serialNum: 1, handle, taskId: t.taskId, attempt: t.attempt, status, result: "forged" }]),
      });
      expect(r).toEqual({ status: 200, body: { ok: true, applied: 0, refused: 1 } });
    }
    const map = await c.post("/workers/map", {
      type: "map", worker: me, instanceId: id, serialNum: 1, parentTaskId: t.taskId, parentHandle: handle,
      parentAttempt: t.attempt, mapCall: 0, taskName: "EVIL", bodies: [1, 2, 3], key: "intruder",
    });
    expect(map.status).toBe(422);
    expect(map.body).toMatchObject({ ok: false, code: "rejected", field: "parentTaskId" });
    const pull = await c.post("/workers/pull", { type: "pull", worker: me, instanceId: id, serialNum: 1, max: 5 });
    if (pull.status === 200) expect((pull.body.tasks as TaskColumns).handles).toEqual([]);
    else expect(pull.body).toMatchObject({ ok: false });
    expect(await rowOf(c, id, t.taskId)).toEqual(before.row);
    expect(c.master.progress(id)!.names).toEqual(before.progress);
    expect(c.master.progress(id)!.names.EVIL).toBeUndefined();
    c.gate.open();
    const v = await c.master.waitFor(id);
    expect(v.status).toBe("SUCCESS");
    expect((await rowOf(c, id, t.taskId)).result).toBe(t.taskId);
  });

  it("H16: a start batch, pull notice or kill without its master's credential gets 403 forbidden from the worker — the master's own worker too — and runs or kills nothing", async () => {
    const s = sniffer();
    const c = await cluster(1, s.fetch);
    const { id, tasks } = await running(c, 2);
    const w1 = c.workers[0]!;
    const addressee = { workerId: w1.workerId, incarnation: Number(tasks[0]!.worker!.split("#")[1]) };
    const instance = { instanceId: "evil", serialNum: 1, processor: "job", params: { n: 0 }, consumerSize: 1 };
    const evilTasks = taskColumns([{ handle: 1, taskId: "evil-task", name: "CHILD", body: 0, attempt: 0 }]);
    const from = { master: c.base, credential: FORGED };
    const own = `${c.base}/worker`;
    for (const [to, worker] of [[w1.address, addressee], [own, { workerId: "own", incarnation: 1 }]] as const) {
      const start = await c.post(`${to}/tasks/start`, { type: "start", ...from, instance, worker, tasks: evilTasks });
      expect(start.status, to).toBe(403);
      expect(start.body).toMatchObject({ ok: false, code: "forbidden", field: "credential" });
      expect((await c.post(`${to}/tasks/pull-notice`, { type: "notifyPull", ...from, instance, worker, pageSize: 5 })).status).toBe(403);
    }
    const killInstance = await c.post(`${w1.address}/instances/kill`, { type: "killInstance", ...from, instanceId: id, reason: "forged" });
    expect(killInstance.status).toBe(403);
    const killTask = await c.post(`${w1.address}/tasks/kill`, { type: "killTask", ...from, instanceId: id, taskId: tasks[0]!.taskId, reason: "forged" });
    expect(killTask.status).toBe(403);
    expect((await c.post(`${w1.address}/instances/destroy`, { type: "destroyPool", ...from, instanceId: id })).status).toBe(403);
    // The real credential named under another address is not this worker's master's either.
    const credential = s.registrations()[0]!.credential;
    expect((await c.post(`${w1.address}/instances/kill`, { type: "killInstance", master: "http://127.0.0.1:1", credential, instanceId: id, reason: "forged" })).status).toBe(403);
    // Nothing ran, nothing was killed: both tasks still run, and the worker still holds the instance.
    expect(c.gate.started.some((ctx) => ctx.taskId === "evil-task")).toBe(false);
    expect(c.gate.waiting).toEqual(expect.arrayContaining(tasks.map((t) => t.taskId)));
    expect(w1.instances).toEqual([id]);
    // The same kill with the master's credential is obeyed: the credential is what was refused.
    const real = await c.post(`${w1.address}/tasks/kill`, { type: "killTask", master: c.base, credential, instanceId: id, taskId: tasks[0]!.taskId, reason: "by the master" });
    expect(real.status).toBe(200);
    await until(async () => (await c.master.tasks(id, { status: "FAILED" }))!.tasks.length === 1, "the killed task reported");
    const failed = (await c.master.tasks(id, { status: "FAILED" }))!.tasks[0]!;
    expect(failed).toMatchObject({ taskId: tasks[0]!.taskId, error: { message: "killed: by the master" } });
  });

  it("H17: registering under the master's own worker id from outside gets 403 naming workerId, key guess or not; the own worker keeps ROOT", async () => {
    const c = await cluster(1);
    const before = c.master.workerCount();
    for (const extra of [{}, { ownKey: FORGED }]) {
      const r = await c.post("/workers/register", { type: "register", workerId: "own", address: "http://127.0.0.1:1/evil", slots: 4, load: LOAD, ...extra });
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ ok: false, code: "forbidden", field: "workerId" });
      expect(r.body).not.toHaveProperty("secret");
    }
    expect(c.master.workerCount()).toBe(before);
    // ROOT still goes to the real own worker, in this process: a job runs to the end.
    c.gate.open();
    const id = await c.master.submit({ processor: "job", params: { n: 3 }, settings: { execOnMaster: false } });
    const v = await c.master.waitFor(id);
    expect(v.status).toBe("SUCCESS");
    expect(Object.keys(v.progress!.workers).some((k) => k.startsWith("own#"))).toBe(true);
  });
});
