import { Master, Worker, RealClock, InProcessNetwork } from "../../../src/index.ts";
import { MemoryStore } from "../../../src/store/memory-store.ts";
import { primes, countPrimesBySieve, type PrimesParams } from "../../../examples/primes.ts";
import { nodeLoad } from "../load-probe.ts";
import { ProgressBars } from "../progress-bars.ts";

/** Options of the demo. */
export interface DemoOptions {
  /** Count primes below n. @default 1_000_000 */
  n?: number;
  /** Numbers per CHUNK task. @default 10 */
  chunk?: number;
  /** Workers besides the master's own. @default 2 */
  workers?: number;
}

/**
 * Runs the demo job: a master, its own worker and two workers count the
 * primes below one million with a two-level MapReduce of 100,000 CHUNK
 * tasks, showing live progress, then check the answer against a sieve.
 * Returns the process exit code.
 */
export async function demo(o: DemoOptions = {}): Promise<number> {
  const params: PrimesParams = { n: o.n ?? 1_000_000, ranges: 100, chunk: o.chunk ?? 10 };
  const clock = new RealClock();
  const network = new InProcessNetwork(clock);
  const processors = { primes };
  const own = new Worker({ workerId: "master", address: "master/worker", transport: network, clock, processors, slots: 64 });
  const master = new Master({ store: new MemoryStore(), transport: network, clock, address: "master", ownWorker: own, loadProbe: nodeLoad });
  await master.start();
  const workers = Array.from({ length: o.workers ?? 2 }, (_, i) =>
    new Worker({ workerId: `worker-${i + 1}`, address: `worker-${i + 1}`, transport: network, clock, processors, slots: 64, loadProbe: nodeLoad }));
  for (const w of workers) await w.join("master");

  const tasks = Math.ceil(params.n / params.chunk);
  console.log(`taskmill demo: counting primes below ${params.n.toLocaleString("en")} in ${tasks.toLocaleString("en")} CHUNK tasks over 2 map levels, ${workers.length} workers + the master's own`);
  const t0 = performance.now();
  const id = await master.submit({ processor: "primes", params, settings: { pageSize: 500, consumerSize: 64, queueSize: 20_000, progressMs: 250 } });
  const bars = new ProgressBars();
  const stop = master.watch(id, (p) => bars.render(p));
  const v = await master.waitFor(id);
  stop();
  const seconds = (performance.now() - t0) / 1000;
  if (v.progress) bars.render({ instanceId: id, status: v.status, serialNum: v.serialNum, result: v.result, ...v.progress });
  const total = v.progress ? Object.values(v.progress.names).reduce((a, n) => a + n.total, 0) : 0;
  const expected = countPrimesBySieve(params.n);
  const got = (v.result as { primes?: number } | null)?.primes;
  console.log(`status: ${v.status}`);
  console.log(`result: ${JSON.stringify(v.result)}`);
  console.log(`check:  a sieve counts ${expected} primes below ${params.n} — ${got === expected ? "match" : "MISMATCH"}`);
  console.log(`speed:  ${total.toLocaleString("en")} tasks in ${seconds.toFixed(2)} s = ${Math.round(total / seconds).toLocaleString("en")} tasks/s`);
  master.close();
  own.close();
  for (const w of workers) w.close();
  return v.status === "SUCCESS" && got === expected ? 0 : 1;
}
