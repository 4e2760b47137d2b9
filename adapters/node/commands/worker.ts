import { hostname } from "node:os";
import { nodeHttpFetch } from "../http-fetch.ts";
import { HttpTransport } from "../../../src/http/index.ts";
import { Worker, RealClock } from "../../../src/index.ts";
import { nodeLoad } from "../load-probe.ts";
import { serveApp, freePort } from "../serve.ts";
import { loadProcessors } from "../load-processors.ts";

/** Options of `taskmill worker`. */
export interface WorkerCommandOptions {
  /** The masters to join (one, or several sharing a store); the worker serves them all. */
  masters: string[];
  /** Path of the processor module. */
  processors: string;
  /** Tasks run at once (a hint for masters). */
  slots: number;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  host: string;
  /** Worker id. @default host:port */
  id?: string;
  token?: string;
  heartbeatMs?: number;
}

/** Starts a worker: serves its endpoint over HTTP and joins every master given. Resolves with a stop function. */
export async function runWorker(o: WorkerCommandOptions): Promise<() => Promise<void>> {
  const processors = await loadProcessors(o.processors);
  const port = o.port || await freePort();
  const transport = new HttpTransport(`http://${o.host}:${port}`, { token: o.token, fetch: nodeHttpFetch });
  const server = await serveApp(transport.app, port, o.host);
  const workerId = o.id ?? `${hostname()}:${server.port}`;
  const worker = new Worker({
    workerId, address: server.url, transport, clock: new RealClock(), processors, slots: o.slots, loadProbe: nodeLoad, heartbeatMs: o.heartbeatMs ?? 1000,
  });
  // Each join retries until its master answers (a master may start after its workers).
  await Promise.all(o.masters.map((m) => worker.join(m)));
  console.log(JSON.stringify({ event: "worker-ready", workerId, url: server.url, master: o.masters[0], masters: o.masters, processors: Object.keys(processors) }));
  return async () => {
    worker.close();
    await server.close();
  };
}
