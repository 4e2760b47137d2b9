/**
 * `startMaster(options)`: a master over HTTP in this Node process — what
 * `taskmill master` runs, its flags as camelCase options.
 */
import { hostname } from "node:os";
import { HttpTransport, hostMaster, exposure } from "../../src/http/index.ts";
import { RealClock, type LeaseOptions, type Master, type MasterEvent } from "../../src/index.ts";
import type { TaskStore } from "../../src/store/task-store.ts";
import type { ProcessorMap } from "../../src/processor/types.ts";
import { pickProcessors } from "../../src/processor/pick.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { resolveLeaseSettings } from "../../src/master/lease-settings.ts";
import { nodeHttpFetch } from "./http-fetch.ts";
import { nodeLoad } from "./load-probe.ts";
import { serveApp, freePort } from "./serve.ts";
import { loadProcessors } from "./load-processors.ts";
import { openStore } from "./open-store.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import { countRowWrites } from "../../src/store/row-write-counter.ts";
import { uiRoutes } from "./ui-routes.ts";
import { processMetrics } from "./process-metrics.ts";
import { boolOption, checkProcessors, expectHttpUrl, expectKnownKeys, intOption, stringOption, stringsOption } from "./option-checks.ts";

/** Options of `startMaster`: the flags of `taskmill master`, in camelCase. */
export interface StartMasterOptions {
  /** Port to listen on; 0 picks a free one. @default 7070 */
  port?: number;
  /** Address to listen on; without a token only a loopback one, unless `insecure` (H5). @default "127.0.0.1" */
  host?: string;
  /**
   * Where instances and tasks are kept: "sqlite:FILE", "postgres://user@host:port/db",
   * "memory", or a TaskStore you opened (it is closed with the master). @default "sqlite:taskmill.db"
   */
  store?: string | TaskStore;
  /** Bearer token every route requires. @default none (loopback only) */
  token?: string;
  /** Runs a SQLite store on a thread of its own (worth it with cores to spare). @default false */
  storeThread?: boolean;
  /**
   * The processors jobs may name (the master's own worker runs ROOT and reduce): a
   * module's path, or an object of processors by name (`import * as jobs from "./jobs.js"` works).
   * @default none: the master can run no job
   */
  processors?: string | Readonly<Record<string, unknown>>;
  /** Slots of the master's own worker. @default 64 */
  slots?: number;
  /** Largest request body, bytes; larger → 413. @default 16 MiB */
  maxBodyBytes?: number;
  /** Web origins besides the master's own whose pages may change state through the API (H2). @default none */
  allowOrigins?: readonly string[];
  /** Share the store with other masters: instances held through leases with this timing (`true`: the defaults). @default false */
  shared?: boolean | LeaseOptions;
  /** The URL workers and other masters reach this master at; also its owner id in the store. @default http://HOST:PORT */
  advertise?: string;
  /** Host names besides `host`, `advertise` and loopback that requests may carry (H4). @default none */
  allowHosts?: readonly string[];
  /** Listen on a non-loopback host without a token, with a warning (H5). @default false */
  insecure?: boolean;
  /** Instances running at once at most (H7). @default 1000 */
  maxRunningInstances?: number;
  /** Event streams open at once at most (H8). @default 1000 */
  maxEventStreams?: number;
  /** Connections open at once at most (H10). @default 10000 */
  maxConnections?: number;
  /** Receives what the master did that an operator may want to know, and its `master-ready` line. @default ignored */
  log?: (event: MasterEvent | Record<string, unknown>) => void;
  /** Receives notices: listening on loopback only (no token), exports that are not processors, `insecure`'s warning. @default console.warn */
  warn?: (message: string) => void;
  /**
   * Called once when the store's data is damaged (B35): the master has closed
   * itself. @default console.error of the error (the process goes on)
   */
  onFatal?: (error: Error) => void;
}

/** A running master: its URL, the `Master` itself and its store; `close()` stops it. */
export interface MasterHandle {
  /** The URL it is reached at (`advertise`, else http://HOST:PORT). */
  readonly url: string;
  /** The port it listens on (the one picked, with `port: 0`). */
  readonly port: number;
  readonly master: Master;
  readonly store: TaskStore;
  /** Stops it: ends its leases when shared, closes its server and its store. Safe to call twice. */
  close(): Promise<void>;
  /** `await using master = await startMaster(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

const KEYS = [
  "port", "host", "store", "token", "storeThread", "processors", "slots", "maxBodyBytes", "allowOrigins", "shared", "advertise",
  "allowHosts", "insecure", "maxRunningInstances", "maxEventStreams", "maxConnections", "log", "warn", "onFatal",
] as const;

/** The options, checked, with their defaults. */
function resolve(options: StartMasterOptions) {
  const typed: StartMasterOptions = options;
  expectKnownKeys(options, KEYS, "startMaster");
  const o = options as Record<string, unknown>;
  const store = o.store ?? "sqlite:taskmill.db";
  if (typeof store !== "string" && (typeof store !== "object" || store === null || typeof (store as TaskStore).close !== "function")) {
    throw new ValidationError("store", `"sqlite:FILE", "postgres://user@host:port/db", "memory" or a TaskStore`, store);
  }
  if (o.shared !== undefined && o.shared !== false) resolveLeaseSettings(o.shared as LeaseOptions | true);
  for (const f of ["log", "warn", "onFatal"] as const) if (o[f] !== undefined && typeof o[f] !== "function") throw new ValidationError(f, "a function", o[f]);
  return {
    port: intOption(o, "port", 7070, 0, 65535), host: stringOption(o, "host") ?? "127.0.0.1", store: store as string | TaskStore,
    token: stringOption(o, "token"), storeThread: boolOption(o, "storeThread"),
    processors: o.processors === undefined ? undefined : checkProcessors("processors", o.processors),
    slots: intOption(o, "slots", 64, 1), maxBodyBytes: intOption(o, "maxBodyBytes", 16 * 2 ** 20, 1024),
    allowOrigins: (stringsOption(o, "allowOrigins") ?? []).map((u, i) => expectHttpUrl(`allowOrigins[${i}]`, u)),
    shared: (o.shared ?? false) as boolean | LeaseOptions, advertise: o.advertise === undefined ? undefined : expectHttpUrl("advertise", o.advertise),
    allowHosts: stringsOption(o, "allowHosts") ?? [], insecure: boolOption(o, "insecure"),
    maxRunningInstances: intOption(o, "maxRunningInstances", 1000, 1), maxEventStreams: intOption(o, "maxEventStreams", 1000, 1),
    maxConnections: intOption(o, "maxConnections", 10_000, 1),
    log: typed.log ?? (() => undefined), warn: typed.warn ?? ((m: string) => console.warn(m)),
    onFatal: typed.onFatal ?? ((e: Error) => console.error(`taskmill master: ${e.message}`)),
  };
}

/**
 * Starts a master: checks the options, opens the store, serves the API, the
 * dashboard and the worker protocol, and resumes the store's running instances.
 * Resolves once it listens. Bad options throw a ValidationError naming the
 * option before anything opens.
 * @example
 * await using master = await startMaster({ port: 0, store: "sqlite:jobs.db", processors: "./jobs.js" });
 * console.log(master.url);
 */
export async function startMaster(options: StartMasterOptions = {}): Promise<MasterHandle> {
  const o = resolve(options);
  // H5: before anything opens: a master no one may reach unchecked does not start at all.
  const { notice } = exposure({ host: o.host, token: o.token, insecure: o.insecure, what: "master" });
  const processors: ProcessorMap = o.processors === undefined ? {}
    : typeof o.processors === "string" ? await loadProcessors(o.processors, o.warn) : pickProcessors(o.processors, "processors", o.warn);
  const store = typeof o.store === "string" ? await openStore(o.store, { sqliteThread: o.storeThread }) : o.store;
  try {
    // The rows the store writes, on /metrics beside the process metrics: what the throughput bench divides by N.
    const storeMetrics = new MetricsRegistry();
    const rowsWritten = storeMetrics.counter("taskmill_store_rows_written_total",
      "Rows the store wrote: task rows inserted and updated, instance and dispatch records (the end-of-instance clear not counted).");
    rowsWritten.inc([], 0);
    const counted = countRowWrites(store, (n) => rowsWritten.inc([], n));
    const nodeMetrics = processMetrics();
    const port = o.port || await freePort();
    // Other masters forward commands to this URL and workers report to it: it must reach this process.
    const url = o.advertise ?? `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}`;
    const transport = new HttpTransport(url, { token: o.token, maxBodyBytes: o.maxBodyBytes, fetch: nodeHttpFetch });
    // The pages first: they need no token (the dashboard asks for it); the API after them keeps its bearer check.
    let fatal: Error | null = null;
    const { master, own } = hostMaster({
      store: counted, transport, clock: new RealClock(), processors, loadProbe: nodeLoad, ownWorkerId: `master@${o.host}:${port}`,
      slots: o.slots, token: o.token, maxBodyBytes: o.maxBodyBytes, pages: await uiRoutes(), allowOrigins: o.allowOrigins,
      shared: o.shared, maxRunningInstances: o.maxRunningInstances, maxEventStreams: o.maxEventStreams, extraMetrics: async () => storeMetrics.text() + await nodeMetrics(), log: (e) => {
        o.log(e);
        // B35: the store's data is damaged; the master closed itself. Whoever started it is told, once.
        if (e.event === "store-integrity-error" && fatal === null) {
          fatal = new Error(e.error);
          o.onFatal(fatal);
        }
      },
    });
    // H4: the machine's own name is one it serves (workers often join by it); no web page can rebind it.
    const allowHosts = [hostname(), ...o.allowHosts];
    const server = await serveApp(transport.app, port, o.host, { advertise: o.advertise, allowHosts, maxConnections: o.maxConnections });
    if (notice) o.warn(notice);
    try {
      await master.start();
    } catch (e) {
      master.close();
      own.close();
      await server.close();
      throw e;
    }
    o.log({
      event: "master-ready", url: transport.baseUrl, store: store.kind, processors: Object.keys(processors), resumed: master.running(), shared: master.leaseSettings,
    });
    let closing: Promise<void> | null = null;
    const close = () => closing ??= (async () => {
      // Shared, the leases end with the process, so another master takes over at once.
      await master.shutdown();
      own.close();
      await server.close();
      await store.close();
    })();
    return { url: transport.baseUrl, port: server.port, master, store, close, [Symbol.asyncDispose]: close };
  } catch (e) {
    // Nothing opened here outlives a failed start: the store we opened is closed again.
    if (typeof o.store === "string") await store.close().catch(() => undefined);
    throw e;
  }
}
