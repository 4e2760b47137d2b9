import { MemoryStore } from "../../src/store/memory-store.ts";
import type { TaskStore } from "../../src/store/task-store.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { DenoKvStore } from "./kv-store.ts";

/**
 * Opens the store a `--store` value names on Deno: "memory", or "kv:PATH" for
 * Deno KV in a file ("kv:" alone is Deno's default database, "kv::memory:" an
 * in-memory one); Deno KV needs --unstable-kv.
 * @example const store = await openStore("kv:./taskmill.kv");
 */
export async function openStore(url: string): Promise<TaskStore> {
  if (url === "memory") return new MemoryStore();
  if (typeof url === "string" && url.startsWith("kv:")) {
    if (typeof Deno.openKv !== "function") throw new Error(`--store ${url}: Deno KV needs the --unstable-kv flag`);
    const path = url.slice("kv:".length);
    return DenoKvStore.open(path === "" ? undefined : path);
  }
  throw new ValidationError("store", `"memory" or "kv:PATH"`, url);
}
