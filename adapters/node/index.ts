/** taskmill on Node: serving Hono apps, the load probe, processor modules, and the CLI's commands. */
export { nodeLoad } from "./load-probe.ts";
export { openStore } from "./open-store.ts";
export { serveApp, freePort, type Served } from "./serve.ts";
export { loadProcessors } from "./load-processors.ts";
export { masterClient } from "./client.ts";
export { runMaster, type MasterCommandOptions, type RunningMaster } from "./commands/master.ts";
export { runWorker, type WorkerCommandOptions } from "./commands/worker.ts";
export { demo, type DemoOptions } from "./commands/demo.ts";
export { nodeHttpFetch } from "./http-fetch.ts";
