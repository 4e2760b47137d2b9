/**
 * Wires a master process from runtime pieces: the master's own worker (it runs
 * ROOT and reduce) and the `Master`, both on one HttpTransport, with the user
 * API mounted on the transport's app. The Node and Deno adapters bring the
 * store, the load probe and the server; everything else is here, once.
 */
import type { Hono } from "hono";
import { Master } from "../master/master.ts";
import { Worker } from "../worker/worker.ts";
import type { Clock } from "../runtime/clock.ts";
import type { LoadProbe } from "../runtime/load-probe.ts";
import type { TaskStore } from "../store/task-store.ts";
import type { ProcessorMap } from "../processor/types.ts";
import type { MasterEvent } from "../master/master.ts";
import type { LeaseOptions } from "../master/lease-settings.ts";
import type { HttpTransport } from "./http-transport.ts";
import { masterApi } from "./master-api.ts";

/** What `hostMaster` needs. */
export interface HostMasterOptions {
  store: TaskStore;
  /** The process's transport: the master lives at its base URL, its own worker at `/worker`. */
  transport: HttpTransport;
  clock: Clock;
  processors: ProcessorMap;
  loadProbe: LoadProbe;
  /** Id of the master's own worker. */
  ownWorkerId: string;
  /** Slots of the master's own worker. @default 64 */
  slots?: number;
  token?: string;
  maxBodyBytes?: number;
  /** Routes mounted before the API (pages that need no token). */
  pages?: Hono;
  /** Share the store with other masters (leases, takeover); the master's id is then its URL, `transport.baseUrl`. @default false */
  shared?: boolean | LeaseOptions;
  /** Hears depositions and takeovers. @default ignored */
  log?: (e: MasterEvent) => void;
  /** Origins besides the master's own whose pages may use the API (H2). @default none */
  allowOrigins?: readonly string[];
  /** Instances running at once at most (H7); a submit past it gets 429. @default 1000 */
  maxRunningInstances?: number;
  /** Event streams open at once at most (H8); one more gets 429. @default 1000 */
  maxEventStreams?: number;
  /** More text for /metrics, e.g. the process's metrics (A5; the Node adapter's `processMetrics()`). @default none */
  extraMetrics?: () => string | Promise<string>;
}

/** The wired master and its own worker (call `master.start()` once the server listens). */
export function hostMaster(o: HostMasterOptions): { master: Master; own: Worker } {
  const base = o.transport.baseUrl;
  const own = new Worker({
    workerId: o.ownWorkerId, address: `${base}/worker`, transport: o.transport, clock: o.clock,
    processors: o.processors, slots: o.slots ?? 64, loadProbe: o.loadProbe,
  });
  const master = new Master({
    store: o.store, transport: o.transport, clock: o.clock, address: base, ownWorker: own, loadProbe: o.loadProbe,
    shared: o.shared, log: o.log, maxRunningInstances: o.maxRunningInstances,
  });
  if (o.pages) o.transport.app.route("/", o.pages);
  o.transport.app.route("/", masterApi(master, {
    token: o.token, maxBodyBytes: o.maxBodyBytes, allowOrigins: o.allowOrigins, maxEventStreams: o.maxEventStreams, clock: o.clock,
    extraMetrics: o.extraMetrics,
  }));
  return { master, own };
}
