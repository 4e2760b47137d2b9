/**
 * The TaskStore conformance suite: every backend runs it and passes it.
 * It depends on no test runner — only `node:assert/strict` and Web-standard
 * globals — so the same suite runs under vitest, under `deno test` and in a
 * browser page (whose bundle maps `node:assert/strict` to
 * test/browser/pages/assert-shim.ts). Each test makes fresh instance ids, so
 * a shared database may hold other data, and closes its store. It lives in
 * test/, not src/, so the package ships none of it.
 */
import type { TaskStore } from "../../../src/store/task-store.ts";
import { registerBatchTests } from "./batches.ts";
import { registerClaimTests } from "./claims.ts";
import { registerDispatchTests } from "./dispatches.ts";
import { registerFencingTests } from "./fencing.ts";
import type { StoreTest } from "./fixtures.ts";
import { registerInsertTests } from "./inserts.ts";
import { registerInstanceFieldTests } from "./instance-fields.ts";
import { registerInstanceTests } from "./instances.ts";
import { registerLeaseTests } from "./leases.ts";
import { registerReadTests } from "./reads.ts";
import { registerRetentionTests } from "./retention.ts";
import { registerRetryTests } from "./retries.ts";
import { registerStatusWriteTests } from "./status-writes.ts";
import { registerTaskPageTests } from "./task-pages.ts";
import { registerValueTests } from "./values.ts";
import { registerWorkerResetTests } from "./worker-resets.ts";

/** What `runStoreSuite` needs from its host. */
export interface StoreSuiteOptions {
  /** Registers one test (vitest's `test`, a wrapper over `Deno.test`, ...). */
  test: (name: string, fn: () => Promise<void>) => void;
  /** A ready store; each test makes its own and closes it. */
  newStore: () => Promise<TaskStore>;
  /** Runs after each test, before its store is closed. */
  cleanup?: (store: TaskStore) => Promise<void>;
  /**
   * Opens a second store on the database `store` uses (a second master or
   * tab); tests of stores racing on one database use it. Without it they
   * race calls on the one store.
   */
  openTwin?: (store: TaskStore) => Promise<TaskStore>;
}

/** Registers the TaskStore conformance tests with `opts.test`. */
export function runStoreSuite(opts: StoreSuiteOptions): void {
  const test: StoreTest = (name, fn) => {
    opts.test(name, async () => {
      const store = await opts.newStore();
      const twins: TaskStore[] = [];
      const openTwin = opts.openTwin;
      const twin = openTwin === undefined ? null : async () => {
        const t = await openTwin(store);
        twins.push(t);
        return t;
      };
      try {
        await fn(store, { twin });
      } finally {
        try {
          for (const t of twins) await t.close();
        } finally {
          try {
            if (opts.cleanup) await opts.cleanup(store);
          } finally {
            await store.close();
          }
        }
      }
    });
  };
  registerLeaseTests(test);
  registerInstanceTests(test);
  registerInsertTests(test);
  registerStatusWriteTests(test);
  registerWorkerResetTests(test);
  registerClaimTests(test);
  registerReadTests(test);
  registerBatchTests(test);
  registerValueTests(test);
  registerFencingTests(test);
  registerRetryTests(test);
  registerDispatchTests(test);
  registerTaskPageTests(test);
  registerRetentionTests(test);
  registerInstanceFieldTests(test);
}
