/**
 * taskmill on Deno: the sources run as they are (`deno run adapters/deno/index.ts`
 * resolves the same modules). Deno-specific capabilities (Deno.serve, Deno KV,
 * the load probe) are added here, one small file each; `cli.ts` is the command.
 */
export * from "../../src/index.ts";
export { DenoKvStore, type DenoKvStoreOptions } from "./kv-store.ts";
export { serveApp, lateApp, type FetchApp, type Served } from "./serve.ts";
export { denoLoad } from "./load-probe.ts";
export { loadProcessors } from "./load-processors.ts";
export { openStore } from "./open-store.ts";
export { runMaster, type MasterCommandOptions, type RunningMaster } from "./commands/master.ts";
export { runWorker, type WorkerCommandOptions } from "./commands/worker.ts";
