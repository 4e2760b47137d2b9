import { hostname } from "node:os";
import { HttpTransport, hostMaster, exposure } from "../../../src/http/index.ts";
import { nodeHttpFetch } from "../http-fetch.ts";
import { RealClock, type LeaseOptions, type Master } from "../../../src/index.ts";
import type { TaskStore } from "../../../src/store/task-store.ts";
import type { ProcessorMap } from "../../../src/processor/types.ts";
import { nodeLoad } from "../load-probe.ts";
import { serveApp, freePort } from "../serve.ts";
import { loadProcessors } from "../load-processors.ts";
import { openStore } from "../open-store.ts";
import { uiRoutes } from "../ui-routes.ts";
import { processMetrics } from "../process-metrics.ts";

/** Options of `taskmill master`. */
export interface MasterCommandOptions {
  port: number;
  host: string;
  /** Store URL: "sqlite:FILE", "postgres://…" or "memory". @default "sqlite:taskmill.db" */
  store: string;
  token?: string;
  /**
   * Runs a SQLite store on a thread of its own, so the master's HTTP and dispatch go on while
   * it writes. It costs CPU (each call's data is copied between threads): worth it with cores
   * to spare, not when workers share the master's cores (bench/RESULTS.md, e2e). @default false
   */
  storeThread?: boolean;
  /** Path of the processor module (the master's own worker runs ROOT and reduce). */
  processors?: string;
  /** Slots of the master's own worker. @default 64 */
  slots?: number;
  /** Largest request body, bytes; larger → 413. @default 16 MiB */
  maxBodyBytes?: number;
  /** Web origins besides the master's own whose pages may change state through the API (H2). @default none */
  allowOrigins?: readonly string[];
  /**
   * Share the store with other masters: instances held through leases with
   * this timing (`true`: the defaults). @default false
   */
  shared?: boolean | LeaseOptions;
  /** The URL workers and other masters reach this master at; also its owner id in the store. @default http://HOST:PORT */
  advertise?: string;
  /** Host names besides --host, --advertise and loopback that requests may carry (H4). @default none */
  allowHosts?: readonly string[];
  /** Listen on a non-loopback host without a token, with a warning (H5). @default false */
  insecure?: boolean;
  /** Instances running at once at most (H7). @default 1000 */
  maxRunningInstances?: number;
  /** Event streams open at once at most (H8). @default 1000 */
  maxEventStreams?: number;
  /** Connections open at once at most (H10). @default 10000 */
  maxConnections?: number;
}

/** A running master process. */
export interface RunningMaster {
  url: string;
  master: Master;
  store: TaskStore;
  stop(): Promise<void>;
}

/** Starts a master: opens the store, serves the API and the worker protocol, resumes running instances. */
export async function runMaster(o: MasterCommandOptions): Promise<RunningMaster> {
  // H5: before anything opens: a master no one may reach unchecked does not start at all.
  const { notice } = exposure({ host: o.host, token: o.token, insecure: o.insecure ?? false, what: "master" });
  const processors: ProcessorMap = o.processors ? await loadProcessors(o.processors) : {};
  const store = await openStore(o.store, { sqliteThread: o.storeThread ?? false });
  const port = o.port || await freePort();
  // Other masters forward commands to this URL and workers report to it: it must reach this process.
  const url = o.advertise ?? `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}`;
  const transport = new HttpTransport(url, { token: o.token, maxBodyBytes: o.maxBodyBytes, fetch: nodeHttpFetch });
  // The pages first: they need no token (the dashboard asks for it); the API after them keeps its bearer check.
  const { master, own } = hostMaster({
    store, transport, clock: new RealClock(), processors, loadProbe: nodeLoad, ownWorkerId: `master@${o.host}:${port}`,
    slots: o.slots, token: o.token, maxBodyBytes: o.maxBodyBytes, pages: await uiRoutes(), allowOrigins: o.allowOrigins,
    shared: o.shared, maxRunningInstances: o.maxRunningInstances, maxEventStreams: o.maxEventStreams, extraMetrics: processMetrics(), log: (e) => {
      console.log(JSON.stringify(e));
      // B35: the store's data is damaged; the master closed itself. Say so, naming the file, and exit non-zero.
      if (e.event === "store-integrity-error") {
        console.error(`taskmill master: ${e.error}`);
        process.exit(1);
      }
    },
  });
  // H4: the machine's own name is one it serves (workers often join by it); no web page can rebind it.
  const allowHosts = [hostname(), ...(o.allowHosts ?? [])];
  const server = await serveApp(transport.app, port, o.host, { advertise: o.advertise, allowHosts, maxConnections: o.maxConnections });
  if (notice) console.error(notice);
  await master.start();
  const leases = master.leaseSettings;
  console.log(JSON.stringify({
    event: "master-ready", url: transport.baseUrl, store: store.kind, processors: Object.keys(processors), resumed: master.running(), shared: leases,
  }));
  return {
    url: transport.baseUrl, master, store,
    stop: async () => {
      // Shared, the leases end with the process, so another master takes over at once.
      await master.shutdown();
      own.close();
      await server.close();
      await store.close();
    },
  };
}
