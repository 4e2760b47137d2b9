/**
 * taskmill on Deno: the sources run as they are (`deno run adapters/deno/index.ts`
 * resolves the same modules). Deno-specific capabilities (Deno.serve, Deno KV)
 * are added here, one small file each.
 */
export * from "../../src/index.ts";
export { DenoKvStore, type DenoKvStoreOptions } from "./kv-store.ts";
