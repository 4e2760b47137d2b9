// The TaskStore conformance suite under Deno against Deno KV: a fresh in-memory database per store.
import { runStoreSuite } from "../../src/store/conformance.ts";
import { DenoKvStore } from "../../adapters/deno/kv-store.ts";
import type { TaskStore } from "../../src/store/task-store.ts";

const kvs = new WeakMap<TaskStore, Deno.Kv>();

runStoreSuite({
  test: (name, fn) => Deno.test(`deno kv store: ${name}`, fn),
  newStore: async () => {
    const kv = await Deno.openKv(":memory:");
    const store = new DenoKvStore(kv);
    kvs.set(store, kv);
    return store;
  },
  cleanup: async (store) => kvs.get(store)?.close(),
});
