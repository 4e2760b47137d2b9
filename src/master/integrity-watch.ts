/**
 * Watches every call a master makes to its store for an integrity error
 * (B35): a damaged SQLite page or PostgreSQL data corruption is not one bad
 * request but every later one, so the master hears of the first and stops
 * rather than answer errors forever. Everything else passes through unchanged.
 */
import { isIntegrityFailure, StoreIntegrityError } from "../store/integrity-error.ts";
import type { TaskStore } from "../store/task-store.ts";

/** What to name a store in messages: its file when it has one, else its kind. */
function storeLabel(store: TaskStore): string {
  const file = (store as { file?: unknown }).file;
  return typeof file === "string" && file !== "" ? file : store.kind;
}

/** Wraps `store`; `onIntegrity` hears of every integrity failure of any call (reads, writes, result pages). */
export function watchIntegrity(store: TaskStore, onIntegrity: (e: StoreIntegrityError) => void): TaskStore {
  const check = (e: unknown): void => {
    if (isIntegrityFailure(e)) onIntegrity(new StoreIntegrityError(storeLabel(store), e));
  };
  const iterable = <T>(source: AsyncIterable<T>): AsyncIterable<T> => ({
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      return {
        next: () => it.next().catch((e: unknown) => { check(e); throw e; }),
        return: (v?: unknown) => it.return ? it.return(v as never) : Promise.resolve({ done: true as const, value: undefined as never }),
      };
    },
  });
  return new Proxy(store, {
    get(target, prop) {
      // The store's own `this` (its #private fields), not the proxy.
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        let r: unknown;
        try {
          r = (v as (...a: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          check(e);
          throw e;
        }
        if (r instanceof Promise) return r.catch((e: unknown) => { check(e); throw e; });
        if (r !== null && typeof r === "object" && Symbol.asyncIterator in r) return iterable(r as AsyncIterable<unknown>);
        return r;
      };
    },
  });
}
