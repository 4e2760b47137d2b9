import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../adapters/node/sqlite/index.ts";
import type { TaskStore } from "../../src/store/task-store.ts";
import type { StoreBackend } from "./backend.ts";

/** Temp folder of each open store. */
const folders = new Map<TaskStore, string>();

/** The embedded SQLite store on a fresh file in the OS temp folder. */
export const sqliteBackend: StoreBackend = {
  name: "sqlite",
  open: async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmill-bench-sqlite-"));
    const store = new SqliteStore(join(dir, "bench.db"));
    folders.set(store, dir);
    return store;
  },
  cleanup: async (store) => {
    await store.close();
    const dir = folders.get(store);
    folders.delete(store);
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
};
