import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Master, Worker, RealClock, InProcessNetwork, MemoryStore } from "../../../src/index.ts";
import type { InstanceView } from "../../../src/master/master.ts";
import type { InstanceProgress } from "../../../src/master/index.ts";
import { primes, type PrimesParams } from "../../../examples/primes.ts";
import { countPrimesBySieve } from "../../../examples/sieve.ts";
import { nodeLoad } from "../load-probe.ts";
import { ProgressBars } from "../../cli/progress-bars.ts";
import { masterClient, readEvents } from "../client.ts";
import { startChild, stopChildren, PRIMES_MODULE, type Child } from "./demo-cluster.ts";

/** Options of the demo. */
export interface DemoOptions {
  /** Count primes below n. @default 1_000_000 */
  n?: number;
  /** Numbers per CHUNK task. @default 10 */
  chunk?: number;
  /** Worker processes. @default 2 */
  workers?: number;
  /** Store of the master. @default a temporary SQLite file */
  store?: string | undefined;
  /** Run everything in this process. @default false */
  inProcess?: boolean;
}

const SETTINGS = { pageSize: 500, consumerSize: 64, queueSize: 20_000, progressMs: 250, execOnMaster: false };

/**
 * Runs the demo job: counts the primes below one million with a two-level
 * MapReduce of 100,000 CHUNK tasks, shows live progress, checks the answer
 * against a sieve and prints tasks/s. By default a master process on the
 * embedded SQLite store and two worker processes talk HTTP; every process is
 * stopped at the end. Returns the exit code.
 */
export async function demo(o: DemoOptions = {}): Promise<number> {
  const params: PrimesParams = { n: o.n ?? 1_000_000, ranges: 100, chunk: o.chunk ?? 10 };
  const workers = o.workers ?? 2;
  const tasks = Math.ceil(params.n / params.chunk);
  console.log(`taskmill demo: counting primes below ${params.n.toLocaleString("en")} in ${tasks.toLocaleString("en")} CHUNK tasks over 2 map levels, on ${o.inProcess ? "one process" : `a master process and ${workers} worker processes (HTTP, SQLite)`}`);
  const t0 = performance.now();
  const v = o.inProcess ? await inProcess(params, workers) : await processes(params, workers, o.store);
  const seconds = (performance.now() - t0) / 1000;
  const total = v.progress ? Object.values(v.progress.names).reduce((a, n) => a + n.total, 0) : 0;
  const expected = countPrimesBySieve(params.n);
  const got = (v.result as { primes?: number } | null)?.primes;
  console.log(`status: ${v.status}`);
  console.log(`result: ${JSON.stringify(v.result)}`);
  console.log(`check:  a sieve counts ${expected} primes below ${params.n} — ${got === expected ? "match" : "MISMATCH"}`);
  console.log(`speed:  ${total.toLocaleString("en")} tasks in ${seconds.toFixed(2)} s = ${Math.round(total / seconds).toLocaleString("en")} tasks/s (start-up included)`);
  return v.status === "SUCCESS" && got === expected ? 0 : 1;
}

async function processes(params: PrimesParams, n: number, store: string | undefined): Promise<InstanceView> {
  const dir = mkdtempSync(join(tmpdir(), "taskmill-demo-"));
  const children: Child[] = [];
  const stop = () => { void stopChildren(children); };
  process.once("SIGINT", stop);
  try {
    const master = startChild(["master", "--port", "0", "--store", store ?? `sqlite:${join(dir, "taskmill.db")}`, "--processors", PRIMES_MODULE], "master-ready");
    children.push(master);
    const url = (await master.ready).url as string;
    for (let i = 0; i < n; i++) children.push(startChild(["worker", "--master", url, "--processors", PRIMES_MODULE, "--slots", "64", "--id", `worker-${i + 1}`], "worker-ready"));
    await Promise.all(children.map((c) => c.ready));
    const client = masterClient(url);
    const res = await client.api.instances.$post({ json: { processor: "primes", params, settings: SETTINGS } });
    const body = await res.json() as { instanceId?: string; error?: string };
    if (!body.instanceId) throw new Error(`submit failed: ${res.status} ${body.error}`);
    const bars = new ProgressBars(process.stdout);
    let done: InstanceView | undefined;
    await readEvents(await fetch(`${url}/api/instances/${body.instanceId}/events`), (event, data) => {
      const p = JSON.parse(data) as InstanceProgress & InstanceView;
      if (event === "done") done = p;
      const names = p.names ?? p.progress?.names;
      if (names) bars.render({ names });
    });
    if (!done) throw new Error("the progress stream ended before the instance did");
    return done;
  } finally {
    process.off("SIGINT", stop);
    await stopChildren(children);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function inProcess(params: PrimesParams, n: number): Promise<InstanceView> {
  const clock = new RealClock();
  const network = new InProcessNetwork(clock);
  const processors = { primes };
  const own = new Worker({ workerId: "master", address: "master/worker", transport: network, clock, processors, slots: 64 });
  const master = new Master({ store: new MemoryStore(), transport: network, clock, address: "master", ownWorker: own, loadProbe: nodeLoad });
  await master.start();
  const workers = Array.from({ length: n }, (_, i) =>
    new Worker({ workerId: `worker-${i + 1}`, address: `worker-${i + 1}`, transport: network, clock, processors, slots: 64, loadProbe: nodeLoad }));
  for (const w of workers) await w.join("master");
  const id = await master.submit({ processor: "primes", params, settings: SETTINGS });
  const bars = new ProgressBars(process.stdout);
  const stop = master.watch(id, (p) => bars.render(p));
  const v = await master.waitFor(id);
  stop();
  if (v.progress) bars.render(v.progress);
  master.close();
  own.close();
  for (const w of workers) w.close();
  return v;
}
