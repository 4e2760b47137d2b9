import { HttpTransport, exposure } from "../../../src/http/index.ts";
import { Worker, RealClock } from "../../../src/index.ts";
import { denoLoad } from "../load-probe.ts";
import { serveApp, lateApp } from "../serve.ts";
import { loadProcessors } from "../load-processors.ts";
import { reachLogged } from "../../cli/reach-log.ts";

/** How long the worker waits before sending again after a failed request, ms (the Worker's default). */
const RETRY_MS = 500;

/** Options of the Deno `worker` command. */
export interface WorkerCommandOptions {
  /** The master's URL. */
  master: string;
  /** Path of the processor module. */
  processors: string;
  /** Tasks run at once (a hint for masters). @default 8 */
  slots?: number;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  host: string;
  /** Worker id. @default hostname:port (host:port without --allow-sys=hostname) */
  id?: string;
  token?: string;
  heartbeatMs?: number;
  /** Listen on a non-loopback host without a token, with a warning (H5). @default false */
  insecure?: boolean;
  /** Host names besides --host and loopback that masters' requests may carry (H4). @default none */
  allowHosts?: readonly string[];
}

/** This machine's name when allowed (never prompting), else `fallback`. */
function machineName(fallback: string): string {
  try {
    return Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted" ? Deno.hostname() : fallback;
  } catch {
    return fallback;
  }
}

/** Starts a worker on Deno: serves its endpoint over HTTP and joins the master. Resolves with a stop function. */
export async function runWorker(o: WorkerCommandOptions): Promise<() => Promise<void>> {
  // H5: a worker's endpoint runs what a start batch names: no token, no network.
  const { notice } = exposure({ host: o.host, token: o.token, insecure: o.insecure ?? false, what: "worker" });
  const processors = await loadProcessors(o.processors);
  const late = lateApp();
  const server = await serveApp(late, o.port, o.host, undefined, { allowHosts: o.allowHosts });
  if (notice) console.error(notice);
  // L9: each failed attempt to reach the master is logged, with when the next one comes.
  const fetch = reachLogged(globalThis.fetch, {
    masters: [o.master], retryMs: RETRY_MS, heartbeatMs: o.heartbeatMs ?? 1000, log: (e) => console.log(JSON.stringify(e)),
  });
  const transport = new HttpTransport(server.url, { token: o.token, fetch });
  late.app = transport.app;
  const workerId = o.id ?? `${machineName(o.host)}:${server.port}`;
  const worker = new Worker({
    workerId, address: server.url, transport, clock: new RealClock(), processors, slots: o.slots ?? 8, loadProbe: denoLoad, heartbeatMs: o.heartbeatMs ?? 1000, retryMs: RETRY_MS,
  });
  try {
    await worker.join(o.master);
  } catch (e) {
    await server.close();
    throw e;
  }
  console.log(JSON.stringify({ event: "worker-ready", workerId, url: server.url, master: o.master, processors: Object.keys(processors) }));
  return async () => {
    worker.close();
    await server.close();
  };
}

