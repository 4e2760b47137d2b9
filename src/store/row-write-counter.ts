/**
 * Counts the rows a store writes, for the throughput bench's "row writes per
 * task" (bench/e2e) and the master's `taskmill_store_rows_written_total`.
 * One wrapper serves every backend (memory, SQLite on or off its thread,
 * PostgreSQL, …) with one definition of a row write, and adds one integer
 * per store call — never a per-row step — so counting costs nothing the
 * bench can measure.
 *
 * What counts, once the call succeeded: every task row inserted (insertTasks)
 * or updated (updateStatuses, the resets that say how many rows
 * they changed, the rows claimInit claims — except in SQLite, whose claims
 * move a cursor and write no row: see `CURSOR_CLAIMS`), every instance record written
 * (createInstance, acquireInstance, updateInstance, one per fence renewed)
 * and every dispatch record (recordDispatch, replaceDispatches). Not counted:
 * the end-of-instance clear (clearTasks) and the retention sweep, which
 * delete rather than write, and resetForResume, which does not say how many
 * rows it changed (it runs once per resume, never on the hot path).
 */
import type { TaskStore } from "./task-store.ts";

/**
 * Backends whose claimInit writes no task row (B10): SQLite's claim moves the
 * instance's claim cursor (adapters/node/sqlite/sqlite-claim.ts). The claimed
 * rows it marks later, should the cursor move back over them, are not counted.
 */
const CURSOR_CLAIMS: ReadonlySet<string> = new Set(["sqlite"]);

/** Rows written by one successful call of `method` of a store of `kind`, from its arguments and its result. */
function rowsOf(kind: string, method: string, args: readonly unknown[], result: unknown): number {
  switch (method) {
    case "insertTasks": return (args[1] as readonly unknown[]).length;
    case "updateStatuses": return (args[1] as readonly unknown[]).length;
    case "claimInit": return CURSOR_CLAIMS.has(kind) ? 0 : (result as readonly unknown[]).length;
    case "failUnfinished": case "retryFailed": return result as number;
    case "createInstance": case "acquireInstance": case "updateInstance": case "recordDispatch": return 1;
    case "renewLeases": return (args[1] as readonly unknown[]).length;
    case "replaceDispatches": return (args[1] as readonly unknown[]).length;
    default: return 0;
  }
}

/** The store methods that write rows (see rowsOf); every other call passes straight through. */
const WRITES = new Set([
  "insertTasks", "updateStatuses", "claimInit", "failUnfinished", "retryFailed",
  "createInstance", "acquireInstance", "updateInstance", "recordDispatch", "renewLeases", "replaceDispatches",
]);

/**
 * Wraps `store` so that `onRows(n)` hears of the `n` rows each successful
 * write call wrote (see the file comment for what counts). Every other
 * property — `kind`, `file`, reads, `results`, `close` — is the store's own.
 * @example const counted = countRowWrites(store, (n) => rows.inc([], n));
 */
export function countRowWrites(store: TaskStore, onRows: (n: number) => void): TaskStore {
  if (typeof onRows !== "function") throw new TypeError(`onRows: Expected a function, got ${typeof onRows}`);
  const wrapped = new Map<string, (...args: unknown[]) => unknown>();
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof key !== "string" || typeof value !== "function") return value;
      let w = wrapped.get(key);
      if (!w) {
        // Bound to the store itself: its methods reach private fields, which a proxy as `this` does not have.
        const method = key, fn = value as (...a: unknown[]) => Promise<unknown>;
        w = !WRITES.has(method) ? fn.bind(target) : (...args: unknown[]) => fn.apply(target, args).then((result) => {
          const n = rowsOf(target.kind, method, args, result);
          if (n > 0) onRows(n);
          return result;
        });
        wrapped.set(key, w);
      }
      return w;
    },
  });
}
