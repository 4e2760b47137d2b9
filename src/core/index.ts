/**
 * taskmill's hot path: a dispatch queue of task handles, the per-task state
 * table, progress counters, worker routing and the dispatch-rate limiter —
 * in WebAssembly (the default) or in its pure-TypeScript twin.
 */
import type { Core, CoreEngine, CoreOptions } from "./types.ts";
import { createWasmCore } from "./wasm/index.ts";
import { createTwinCore } from "./twin/index.ts";

export type * from "./types.ts";
export { createWasmCore } from "./wasm/index.ts";
export { createTwinCore } from "./twin/index.ts";
export { parseRate } from "./rate.ts";
export { resolveCoreOptions } from "./options.ts";

/** Creates a core on the given engine. @default engine "wasm" */
export function createCore(options?: CoreOptions, engine: CoreEngine = "wasm"): Core {
  return engine === "wasm" ? createWasmCore(options) : createTwinCore(options);
}
