// Real processes: a master on SQLite and workers talking HTTP, with SIGKILL,
// SIGSTOP and pull-mode limits.
import { describe, it, expect, beforeAll, afterEach } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { taskmill, killAll, poll, requireBuild, submitJob, viewInstance, CHAOS_PROCESSORS, type Proc } from "../processes.ts";

interface View {
  status: string;
  result: unknown;
  progress: { names: Record<string, { total: number; init: number; pulled: number; running: number; success: number; failed: number }>; workers: Record<string, { total: number; pulled: number; running: number; success: number; failed: number }> } | null;
}

const dirs: string[] = [];
beforeAll(() => requireBuild());
afterEach(async () => {
  await killAll();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A master on a fresh SQLite file and `n` workers. */
async function cluster(n: number, dbFile?: string) {
  const dir = mkdtempSync(join(tmpdir(), "taskmill-chaos-"));
  dirs.push(dir);
  const db = dbFile ?? join(dir, "taskmill.db");
  const master = taskmill(["master", "--port", "0", "--store", `sqlite:${db}`, "--processors", CHAOS_PROCESSORS]);
  const url = (await master.waitFor("master-ready")).url as string;
  const workers: Proc[] = [];
  for (let i = 0; i < n; i++) workers.push(taskmill(["worker", "--master", url, "--processors", CHAOS_PROCESSORS, "--id", `w${i + 1}`, "--slots", "8", "--heartbeat-ms", "200"]));
  await Promise.all(workers.map((w) => w.waitFor("worker-ready")));
  return { url, master, workers, db };
}

const submit = (url: string, params: unknown, settings: unknown) => submitJob(url, "slowSum", params, settings);
const view = (url: string, id: string) => viewInstance<View>(url, id);

const final = (url: string, id: string, timeoutMs = 60_000) =>
  poll(async () => { const v = await view(url, id); return v && v.status !== "RUNNING" ? v : undefined; }, timeoutMs)
    .catch(async (e: Error) => { throw new Error(`${e.message}; last view: ${JSON.stringify(await view(url, id))}`); });

/** Waits until more than `min` T tasks succeeded; a timeout says how far the instance got. */
const progressed = (url: string, id: string, min: number) =>
  poll(async () => ((await view(url, id))?.progress?.names.T?.success ?? 0) > min ? true : undefined)
    .catch(async (e: Error) => { throw new Error(`${e.message}; last view: ${JSON.stringify(await view(url, id))}`); });

const sum = (n: number) => (n * (n - 1)) / 2;
const LIVENESS = { livenessTimeoutMs: 1500, heartbeatMs: 200, execOnMaster: false, consumerSize: 4, pageSize: 8 };

describe("chaos with real processes", () => {
  it("SIGKILL one of two workers mid-instance, failover on: SUCCESS with exact counters and the right result", { timeout: 90_000 }, async () => {
    const { url, workers } = await cluster(2);
    const id = await submit(url, { n: 300, ms: 20 }, LIVENESS);
    await progressed(url, id, 40);
    workers[0]!.child.kill("SIGKILL");
    const v = await final(url, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sum(300), count: 300 });
    expect(v.progress!.names.T).toEqual({ total: 300, init: 0, pulled: 0, running: 0, success: 300, failed: 0 });
  });

  it("SIGKILL one of two workers mid-instance, failover off: FAILED, and the failed count is the dead worker's unfinished tasks", { timeout: 90_000 }, async () => {
    const { url, workers } = await cluster(2);
    const id = await submit(url, { n: 300, ms: 20 }, { ...LIVENESS, failover: false });
    await progressed(url, id, 40);
    workers[0]!.child.kill("SIGKILL");
    const v = await final(url, id);
    expect(v.status).toBe("FAILED");
    const t = v.progress!.names.T!;
    expect(t.success + t.failed).toBe(300);
    expect(t.failed).toBeGreaterThan(0);
    const dead = Object.entries(v.progress!.workers).filter(([k]) => k.startsWith("w1#"));
    const deadFailed = dead.reduce((a, [, w]) => a + w.failed, 0);
    expect(deadFailed).toBe(t.failed);
    for (const [k, w] of Object.entries(v.progress!.workers)) if (!k.startsWith("w1#")) expect(w.failed).toBe(0);
  });

  it("SIGKILL the master mid-instance; restarted on the same SQLite file it resumes and finishes", { timeout: 120_000 }, async () => {
    const { url, master, db } = await cluster(2);
    const port = new URL(url).port;
    const id = await submit(url, { n: 400, ms: 10 }, LIVENESS);
    await progressed(url, id, 50);
    master.child.kill("SIGKILL");
    await master.exited;
    const again = taskmill(["master", "--port", port, "--store", `sqlite:${db}`, "--processors", CHAOS_PROCESSORS]);
    const ready = await again.waitFor("master-ready");
    expect(ready.resumed).toEqual([id]);
    const v = await final(url, id, 90_000);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sum(400), count: 400 });
    expect(v.progress!.names.T).toMatchObject({ total: 400, success: 400, failed: 0 });
  });

  it("a worker that stops answering (SIGSTOP) is declared dead within the liveness timeout and its tasks fail over", { timeout: 90_000 }, async () => {
    const { url, workers } = await cluster(2);
    const id = await submit(url, { n: 200, ms: 20 }, LIVENESS);
    await progressed(url, id, 20);
    const stopped = workers[0]!;
    stopped.child.kill("SIGSTOP");
    const at = Date.now();
    // Its tasks go elsewhere: its counters drop to nothing held.
    await poll(async () => {
      const v = await view(url, id);
      if (!v?.progress) return true;
      const w = Object.entries(v.progress.workers).find(([k]) => k.startsWith("w1#"))?.[1];
      return !w || w.pulled + w.running === 0 ? true : undefined;
    }, 20_000);
    expect(Date.now() - at).toBeLessThan(1500 + 2000);
    const v = await final(url, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sum(200), count: 200 });
    stopped.child.kill("SIGCONT");
  });

  it("pull mode over HTTP respects globalConsumerSize", { timeout: 90_000 }, async () => {
    const { url } = await cluster(2);
    const id = await submit(url, { n: 150, ms: 30 }, { dispatchMode: "pull", globalConsumerSize: 5, consumerSize: 8, pageSize: 4, execOnMaster: false, pullWaitMs: 200 });
    let peak = 0;
    const v = await poll(async () => {
      const x = await view(url, id);
      const t = x?.progress?.names.T;
      if (t) peak = Math.max(peak, t.pulled + t.running);
      return x && x.status !== "RUNNING" ? x : undefined;
    }, 60_000, 10);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sum(150), count: 150 });
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(5);
  });
});
