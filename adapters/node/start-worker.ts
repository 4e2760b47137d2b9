/**
 * `startWorker(options)`: a worker over HTTP in this Node process — what
 * `taskmill worker` runs, its flags as camelCase options.
 */
import { hostname } from "node:os";
import { HttpTransport, exposure } from "../../src/http/index.ts";
import { Worker, RealClock } from "../../src/index.ts";
import { pickProcessors } from "../../src/processor/pick.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { nodeHttpFetch } from "./http-fetch.ts";
import { reachLogged } from "../cli/reach-log.ts";

/** How long the worker waits before sending again after a failed request, ms (the Worker's default; the log of L9 says when). */
const RETRY_MS = 500;
import { nodeLoad } from "./load-probe.ts";
import { serveApp, freePort } from "./serve.ts";
import { loadProcessors } from "./load-processors.ts";
import { boolOption, checkProcessors, expectHttpUrl, expectKnownKeys, intOption, stringOption, stringsOption } from "./option-checks.ts";

/** Options of `startWorker`: the flags of `taskmill worker`, in camelCase. */
export interface StartWorkerOptions {
  /** The master to join, or several sharing one store: the worker serves them all. */
  master: string | readonly string[];
  /** Its processors: a module's path, or an object of processors by name (a module namespace works). */
  processors: string | Readonly<Record<string, unknown>>;
  /** Tasks run at once: caps any job's consumerSize (M5). @default 8 */
  slots?: number;
  /** Port of this worker's endpoint; 0 picks a free one. @default 0 */
  port?: number;
  /** Address to listen on (masters reach the worker there); without a token only a loopback one, unless `insecure`. @default "127.0.0.1" */
  host?: string;
  /** Worker id. @default HOSTNAME:PORT */
  id?: string;
  /** The masters' bearer token. @default none (loopback only) */
  token?: string;
  /** Heartbeat interval, ms; keep it below the jobs' livenessTimeoutMs. @default 1000 */
  heartbeatMs?: number;
  /** Listen on a non-loopback host without a token, with a warning (H5). @default false */
  insecure?: boolean;
  /** Host names besides `host` and loopback that masters' requests may carry (H4). @default none */
  allowHosts?: readonly string[];
  /** Receives the `worker-ready` line. @default ignored */
  log?: (event: Record<string, unknown>) => void;
  /** Receives notices: listening on loopback only (no token), exports that are not processors, `insecure`'s warning. @default console.warn */
  warn?: (message: string) => void;
}

/** A running worker: its endpoint's URL and id; `close()` stops it. */
export interface WorkerHandle {
  /** Where masters reach it. */
  readonly url: string;
  readonly id: string;
  readonly worker: Worker;
  /** Stops it: no more heartbeats or tasks (running ones are aborted), its endpoint closed. Safe to call twice. */
  close(): Promise<void>;
  /** `await using worker = await startWorker(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

const KEYS = ["master", "processors", "slots", "port", "host", "id", "token", "heartbeatMs", "insecure", "allowHosts", "log", "warn"] as const;

/** The options, checked, with their defaults. */
function resolve(options: StartWorkerOptions) {
  const typed: StartWorkerOptions = options;
  expectKnownKeys(options, KEYS, "startWorker");
  const o = options as unknown as Record<string, unknown>;
  const list = typeof o.master === "string" ? [o.master] : o.master;
  if (!Array.isArray(list) || list.length === 0) throw new ValidationError("master", "a master's URL or a non-empty array of them", o.master);
  const masters = [...new Set(list.map((u, i) => expectHttpUrl(typeof o.master === "string" ? "master" : `master[${i}]`, u)))];
  if (o.processors === undefined) throw new ValidationError("processors", "a processor module's path or an object of processors by name", undefined);
  for (const f of ["log", "warn"] as const) if (o[f] !== undefined && typeof o[f] !== "function") throw new ValidationError(f, "a function", o[f]);
  return {
    masters, processors: checkProcessors("processors", o.processors), slots: intOption(o, "slots", 8, 1),
    port: intOption(o, "port", 0, 0, 65535), host: stringOption(o, "host") ?? "127.0.0.1", id: stringOption(o, "id"),
    token: stringOption(o, "token"), heartbeatMs: intOption(o, "heartbeatMs", 1000, 1), insecure: boolOption(o, "insecure"),
    allowHosts: stringsOption(o, "allowHosts") ?? [],
    log: typed.log ?? (() => undefined), warn: typed.warn ?? ((m: string) => console.warn(m)),
  };
}

/**
 * Starts a worker: checks the options, serves its endpoint over HTTP and joins
 * every master given — each join retries until its master answers, so it may
 * start before them; resolves once every master has it. Bad options throw a
 * ValidationError naming the option before anything opens.
 * @example
 * await using worker = await startWorker({ master: "http://127.0.0.1:7070", processors: "./jobs.js", slots: 16 });
 */
export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const o = resolve(options);
  // H5: a worker's endpoint runs what a start batch names: no token, no network.
  const { notice } = exposure({ host: o.host, token: o.token, insecure: o.insecure, what: "worker" });
  const processors = typeof o.processors === "string" ? await loadProcessors(o.processors, o.warn) : pickProcessors(o.processors, "processors", o.warn);
  const port = o.port || await freePort();
  // L9: each failed attempt to reach a master is logged, with when the next one comes.
  const fetch = reachLogged(nodeHttpFetch, { masters: o.masters, retryMs: RETRY_MS, heartbeatMs: o.heartbeatMs, log: o.log });
  const transport = new HttpTransport(`http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}`, { token: o.token, fetch });
  const server = await serveApp(transport.app, port, o.host, { allowHosts: o.allowHosts });
  if (notice) o.warn(notice);
  const workerId = o.id ?? `${hostname()}:${server.port}`;
  const worker = new Worker({
    workerId, address: server.url, transport, clock: new RealClock(), processors, slots: o.slots, loadProbe: nodeLoad, heartbeatMs: o.heartbeatMs, retryMs: RETRY_MS,
  });
  let closing: Promise<void> | null = null;
  const close = () => closing ??= (async () => {
    worker.close();
    await server.close();
  })();
  try {
    await Promise.all(o.masters.map((m) => worker.join(m)));
  } catch (e) {
    await close();
    throw e;
  }
  o.log({ event: "worker-ready", workerId, url: server.url, master: o.masters[0], masters: o.masters, processors: Object.keys(processors) });
  return { url: server.url, id: workerId, worker, close, [Symbol.asyncDispose]: close };
}
