/**
 * IndexedDB request plumbing for IdbStore: key ranges over array-key
 * prefixes, and reads awaited inside one transaction (a request's promise
 * settles in its success event, so the transaction is still active when the
 * awaiting code issues the next request).
 */
import { promisifyRequest } from "idb-keyval";

/** Awaits a request. */
export const req = promisifyRequest;

/** Every key that starts with `prefix` (array keys compare element by element; arrays sort after all else). */
export function prefixRange(prefix: IDBValidKey[]): IDBKeyRange {
  return IDBKeyRange.bound(prefix, [...prefix, []], false, true);
}

/** Keys `[...prefix, n]` with `from <= n`, n a number. */
export function numbersFrom(prefix: IDBValidKey[], from: number): IDBKeyRange {
  return IDBKeyRange.bound([...prefix, from], [...prefix, Infinity]);
}

/** The last element of an array key. */
export function lastPart<T extends IDBValidKey>(key: IDBValidKey): T {
  const parts = key as IDBValidKey[];
  return parts[parts.length - 1] as T;
}

/** Up to `count` entries of `range` as [key, value], highest key first. */
export function descending<T>(os: IDBObjectStore, range: IDBKeyRange, count: number): Promise<[IDBValidKey, T][]> {
  return new Promise((resolve, reject) => {
    const out: [IDBValidKey, T][] = [];
    if (count <= 0) return resolve(out);
    const r = os.openCursor(range, "prev");
    r.onsuccess = () => {
      const c = r.result;
      if (c === null) return resolve(out);
      out.push([c.key, c.value as T]);
      if (out.length >= count) return resolve(out);
      c.continue();
    };
    r.onerror = () => reject(r.error);
  });
}
