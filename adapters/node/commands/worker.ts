import { hostname } from "node:os";
import { nodeHttpFetch } from "../http-fetch.ts";
import { HttpTransport, exposure } from "../../../src/http/index.ts";
import { Worker, RealClock } from "../../../src/index.ts";
import { nodeLoad } from "../load-probe.ts";
import { serveApp, freePort } from "../serve.ts";
import { loadProcessors } from "../load-processors.ts";
import { reachLogged } from "../../cli/reach-log.ts";

/** How long the worker waits before sending again after a failed request, ms (the Worker's default). */
const RETRY_MS = 500;

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
  /** Listen on a non-loopback host without a token, with a warning (H5). @default false */
  insecure?: boolean;
  /** Host names besides --host and loopback that masters' requests may carry (H4). @default none */
  allowHosts?: readonly string[];
}

/** Starts a worker: serves its endpoint over HTTP and joins every master given. Resolves with a stop function. */
export async function runWorker(o: WorkerCommandOptions): Promise<() => Promise<void>> {
  // H5: a worker's endpoint runs what a start batch names: no token, no network.
  const { notice } = exposure({ host: o.host, token: o.token, insecure: o.insecure ?? false, what: "worker" });
  const processors = await loadProcessors(o.processors);
  const port = o.port || await freePort();
  // L9: each failed attempt to reach a master is logged, with when the next one comes.
  const fetch = reachLogged(nodeHttpFetch, {
    masters: o.masters, retryMs: RETRY_MS, heartbeatMs: o.heartbeatMs ?? 1000, log: (e) => console.log(JSON.stringify(e)),
  });
  const transport = new HttpTransport(`http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}`, { token: o.token, fetch });
  const server = await serveApp(transport.app, port, o.host, { allowHosts: o.allowHosts });
  if (notice) console.error(notice);
  const workerId = o.id ?? `${hostname()}:${server.port}`;
  const worker = new Worker({
    workerId, address: server.url, transport, clock: new RealClock(), processors, slots: o.slots, loadProbe: nodeLoad, heartbeatMs: o.heartbeatMs ?? 1000, retryMs: RETRY_MS,
  });
  // Each join retries until its master answers (a master may start after its workers).
  await Promise.all(o.masters.map((m) => worker.join(m)));
  console.log(JSON.stringify({ event: "worker-ready", workerId, url: server.url, master: o.masters[0], masters: o.masters, processors: Object.keys(processors) }));
  return async () => {
    worker.close();
    await server.close();
  };
}
