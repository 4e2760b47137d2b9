import { HttpTransport, hostMaster, exposure } from "../../../src/http/index.ts";
import { RealClock, type Master } from "../../../src/index.ts";
import type { TaskStore } from "../../../src/store/task-store.ts";
import type { ProcessorMap } from "../../../src/processor/types.ts";
import { denoLoad } from "../load-probe.ts";
import { serveApp, lateApp } from "../serve.ts";
import { loadProcessors } from "../load-processors.ts";
import { openStore } from "../open-store.ts";

/** Options of the Deno `master` command. */
export interface MasterCommandOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  host: string;
  /** "memory" or "kv:PATH". */
  store: string;
  token?: string;
  /** Path of the processor module (the master's own worker runs ROOT and reduce). */
  processors?: string;
  /** Slots of the master's own worker. @default 64 */
  slots?: number;
  /** Largest request body, bytes; larger → 413. @default 16 MiB */
  maxBodyBytes?: number;
  /** Web origins besides the master's own whose pages may change state through the API (H2). @default none */
  allowOrigins?: readonly string[];
  /** Host names besides --host and loopback that requests may carry (H4). @default none */
  allowHosts?: readonly string[];
  /** Listen on a non-loopback host without a token, with a warning (H5). @default false */
  insecure?: boolean;
  /** Instances running at once at most (H7). @default 1000 */
  maxRunningInstances?: number;
  /** Event streams open at once at most (H8). @default 1000 */
  maxEventStreams?: number;
}

/** A running master. */
export interface RunningMaster {
  url: string;
  master: Master;
  store: TaskStore;
  stop(): Promise<void>;
}

/** Starts a master on Deno: opens the store, serves the API and the worker protocol, resumes running instances. */
export async function runMaster(o: MasterCommandOptions): Promise<RunningMaster> {
  // H5: before anything opens: a master no one may reach unchecked does not start at all.
  const { notice } = exposure({ host: o.host, token: o.token, insecure: o.insecure ?? false, what: "master" });
  const processors: ProcessorMap = o.processors ? await loadProcessors(o.processors) : {};
  const store = await openStore(o.store);
  const late = lateApp();
  const server = await serveApp(late, o.port, o.host, undefined, { allowHosts: o.allowHosts });
  if (notice) console.error(notice);
  const transport = new HttpTransport(server.url, { token: o.token, maxBodyBytes: o.maxBodyBytes });
  const { master, own } = hostMaster({
    store, transport, clock: new RealClock(), processors, loadProbe: denoLoad, ownWorkerId: `master@${o.host}:${server.port}`,
    slots: o.slots, token: o.token, maxBodyBytes: o.maxBodyBytes, allowOrigins: o.allowOrigins,
    maxRunningInstances: o.maxRunningInstances, maxEventStreams: o.maxEventStreams,
  });
  late.app = transport.app;
  try {
    await master.start();
  } catch (e) {
    own.close();
    await server.close();
    await store.close();
    throw e;
  }
  console.log(JSON.stringify({ event: "master-ready", url: server.url, store: store.kind, processors: Object.keys(processors), resumed: master.running() }));
  return {
    url: server.url, master, store,
    stop: async () => {
      master.close();
      own.close();
      await server.close();
      await store.close();
    },
  };
}
