// The TaskStore conformance suite, run under Deno against the in-memory store.
import { runStoreSuite } from "../store/conformance/index.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";

runStoreSuite({ test: (name, fn) => Deno.test(`memory store: ${name}`, fn), newStore: () => Promise.resolve(new MemoryStore()) });
