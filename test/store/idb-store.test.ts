import "fake-indexeddb/auto";
import { describe, expect, test } from "vitest";
import { IdbStore } from "../../adapters/browser/idb-store.ts";
import { runStoreSuite } from "../../src/store/index.ts";
import type { TaskStore } from "../../src/store/index.ts";

const names = new WeakMap<TaskStore, string>();

/** Deletes a database; the store's connection is closed first, or the deletion would wait for it. */
function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
  });
}

describe("IdbStore conformance", () => {
  runStoreSuite({
    test,
    newStore: async () => {
      const dbName = `taskmill-test-${crypto.randomUUID()}`;
      const store = new IdbStore({ dbName });
      names.set(store, dbName);
      return store;
    },
    cleanup: async (store) => {
      await store.close();
      await deleteDatabase(names.get(store)!);
    },
  });
});

describe("IdbStore", () => {
  test("its kind is indexeddb", () => {
    expect(new IdbStore({ dbName: "unused" }).kind).toBe("indexeddb");
  });
});
