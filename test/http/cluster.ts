// A master and its workers over real HTTP in this test process, each on its
// own port: the fixture of the HTTP transport tests.
import { HttpTransport, masterApi, type MasterApiOptions } from "../../src/http/index.ts";
import { Master, Worker, RealClock, MemoryStore } from "../../src/index.ts";
import type { ProcessorMap } from "../../src/processor/types.ts";
import { serveApp, freePort, type Served, type ServeOptions } from "../../adapters/node/serve.ts";
import { sumSquares } from "../master/processors.ts";

/** How to start one. */
export interface HttpClusterOptions {
  /** Worker endpoints besides the master's own worker. */
  workers: number;
  /** Origins besides the master's own the API takes state changes from. @default none */
  allowOrigins?: readonly string[];
  /** Bearer token on every side. @default none */
  token?: string;
  /** The fetch every transport sends with. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** What the master and workers run. @default { sumSquares } */
  processors?: ProcessorMap;
  /** How often the master sweeps tasks kept past their retainFor, ms. @default the master's */
  sweepMs?: number;
  /** The master's cap on running instances (H7). @default the master's */
  maxRunningInstances?: number;
  /** More options of the user API (event streams, H8). @default none */
  api?: Omit<MasterApiOptions, "token" | "allowOrigins">;
  /** How the master's server treats connections (H10). @default serveApp's */
  serve?: ServeOptions;
}

/** Starts a master (memory store, processor `sumSquares` unless told) and `workers` workers; `stop()` ends them all. */
export async function startHttpCluster(o: HttpClusterOptions) {
  const { token, fetch } = o;
  const clock = new RealClock();
  const processors = o.processors ?? { sumSquares };
  const store = new MemoryStore();
  const mport = await freePort();
  const base = `http://127.0.0.1:${mport}`;
  const mt = new HttpTransport(base, { token, timeoutMs: 5000, fetch });
  const own = new Worker({ workerId: "own", address: `${base}/worker`, transport: mt, clock, processors });
  const master = new Master({ store, transport: mt, clock, address: base, ownWorker: own, requestTimeoutMs: 5000, sweepMs: o.sweepMs, maxRunningInstances: o.maxRunningInstances });
  mt.app.route("/", masterApi(master, { ...o.api, token, allowOrigins: o.allowOrigins }));
  const served: Served[] = [await serveApp(mt.app, mport, "127.0.0.1", o.serve)];
  await master.start();
  const workers: Worker[] = [];
  for (let i = 0; i < o.workers; i++) {
    const port = await freePort();
    const wt = new HttpTransport(`http://127.0.0.1:${port}`, { token, timeoutMs: 5000, fetch });
    const w = new Worker({ workerId: `w${i + 1}`, address: wt.baseUrl, transport: wt, clock, processors, heartbeatMs: 200 });
    served.push(await serveApp(wt.app, port));
    await w.join(base);
    workers.push(w);
  }
  const stop = async () => {
    master.close(); own.close();
    for (const w of workers) w.close();
    for (const s of served) await s.close();
  };
  return { base, master, store, transport: mt, workers, token, stop };
}
