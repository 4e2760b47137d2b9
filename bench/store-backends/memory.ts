import { MemoryStore } from "../../src/store/memory-store.ts";
import type { StoreBackend } from "./backend.ts";

/** The in-memory store: the ceiling the durable ones are measured against. */
export const memoryBackend: StoreBackend = {
  name: "memory",
  open: async () => new MemoryStore(),
  cleanup: async (store) => store.close(),
};
