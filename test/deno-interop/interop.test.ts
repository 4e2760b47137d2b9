// Deno ⇄ Node: a master on one runtime and a worker on the other run a two-level
// MapReduce over HTTP to the right result, the worker on the other runtime
// doing every sub-task (execOnMaster: false), its ctx.map calls crossing over.
import { describe, it, expect, beforeAll, afterAll, afterEach } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { taskmill, killAll, poll, requireBuild } from "../processes.ts";
import { denoTaskmill, denoDir, INTEROP_TS, INTEROP_JS } from "./deno-cli.ts";

const N = 3000, CHUNK = 100;
/** Σ i² for i < N. */
const SUM = ((N - 1) * N * (2 * N - 1)) / 6;
const dirs: string[] = [];
let cache: string;

beforeAll(() => {
  requireBuild();
  cache = denoDir();
  dirs.push(cache);
});
afterEach(async () => { await killAll(); });
afterAll(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

interface View {
  status: string;
  result: unknown;
  progress: { names: Record<string, { success: number }>; workers: Record<string, { success: number }> } | null;
}

/** Submits sumSquares to `url` and waits for its end; returns the instance. */
async function runJob(url: string, headers: Record<string, string> = {}): Promise<View> {
  const res = await fetch(`${url}/api/instances`, {
    method: "POST", headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ processor: "sumSquares", params: { n: N, chunk: CHUNK }, settings: { execOnMaster: false, pageSize: 50 } }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const { instanceId } = await res.json() as { instanceId: string };
  return poll(async () => {
    const v = await (await fetch(`${url}/api/instances/${instanceId}`, { headers })).json() as View;
    return v.status === "RUNNING" ? undefined : v;
  }, 20_000);
}

/** Tasks the worker `id` finished, from the instance's per-worker progress. */
function doneBy(v: View, id: string): number {
  return Object.entries(v.progress?.workers ?? {}).filter(([k]) => k === id || k.startsWith(`${id}#`)).reduce((a, [, p]) => a + p.success, 0);
}

describe("Deno ⇄ Node interop", () => {
  it("a master on Deno (Deno KV store) with a worker on Node runs a MapReduce job to the right result; SIGTERM stops the master", { timeout: 30_000 }, async () => {
    const t0 = Date.now();
    const dir = mkdtempSync(join(tmpdir(), "taskmill-interop-"));
    dirs.push(dir);
    const master = denoTaskmill(["master", "--port", "0", "--store", `kv:${join(dir, "m.kv")}`, "--processors", INTEROP_TS], { denoDir: cache, rw: dir });
    const ready = await master.waitFor("master-ready", 15_000);
    expect(ready).toMatchObject({ store: "deno-kv", processors: ["sumSquares"] });
    const tReady = Date.now() - t0;
    const url = ready.url as string;
    const worker = taskmill(["worker", "--master", url, "--processors", INTEROP_JS, "--id", "node-worker", "--heartbeat-ms", "200"]);
    await worker.waitFor("worker-ready");
    const v = await runJob(url);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: SUM, count: N });
    expect(doneBy(v, "node-worker")).toBe(N / CHUNK + N);
    master.child.kill("SIGTERM");
    expect(await master.exited).toBe(0);
    console.log(`deno master ready in ${tReady} ms; job done ${Date.now() - t0} ms after start`);
  });

  it("a master on Node with a worker on Deno runs a MapReduce job to the right result, with a bearer token both ways; SIGTERM stops the worker", { timeout: 30_000 }, async () => {
    const t0 = Date.now();
    const master = taskmill(["master", "--port", "0", "--store", "memory", "--processors", INTEROP_JS, "--token", "s3cret"]);
    const url = (await master.waitFor("master-ready")).url as string;
    const worker = denoTaskmill(["worker", "--master", url, "--processors", INTEROP_TS, "--id", "deno-worker", "--heartbeat-ms", "200", "--token", "s3cret"], { denoDir: cache });
    await worker.waitFor("worker-ready", 15_000);
    const tReady = Date.now() - t0;
    expect((await fetch(`${url}/api/instances`)).status).toBe(401);
    const v = await runJob(url, { authorization: "Bearer s3cret" });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: SUM, count: N });
    expect(doneBy(v, "deno-worker")).toBe(N / CHUNK + N);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    console.log(`deno worker ready in ${tReady} ms; job done ${Date.now() - t0} ms after start`);
  });
});
