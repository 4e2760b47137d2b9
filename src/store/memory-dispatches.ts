/**
 * One instance's dispatch records in memory (B27): packed as the durable
 * backends store them, so a caller never reaches stored arrays, in id order.
 */
import { type PackedDispatch, unpackDispatch } from "./dispatch-records.ts";
import type { StoredDispatch } from "./task-store.ts";

/** The dispatch records of one instance. */
export class MemoryDispatches {
  /** Records in id order (ids grow, so a page is a scan from the first id above). */
  #rows: Array<{ id: number; p: PackedDispatch }> = [];
  #nextId = 1;

  /** Stores one packed record. */
  add(p: PackedDispatch): void {
    this.#rows.push({ id: this.#nextId++, p });
  }

  /** Records with id above `afterId`, at most `limit`. */
  page(afterId: number, limit: number): StoredDispatch[] {
    const out: StoredDispatch[] = [];
    for (const r of this.#rows) {
      if (r.id <= afterId) continue;
      out.push(unpackDispatch(r.id, r.p));
      if (out.length === limit) break;
    }
    return out;
  }

  /** Deletes every record (ids keep growing). */
  clear(): void {
    this.#rows = [];
  }
}
