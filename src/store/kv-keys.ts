/**
 * The key scheme the key-value stores share (Deno KV, IndexedDB): array keys,
 * which both order element by element, so a key prefix is a range. Every key
 * starts with the store's prefix (IndexedDB: none). A task space is where one
 * instance's tasks live: a number for Deno KV (clearTasks moves an instance
 * to a fresh one), the instance id for IndexedDB.
 *
 * Per instance `id`:
 *   ["fence", id]                        → who owns it (each backend adds its fields)
 *   ["inst", id]                         → the rest of the record (kv-rows.ts)
 *   ["created", createdAt, order]        → id   (listInstances, newest first by reverse listing)
 *   ["status", status, createdAt, order] → id   (listInstances by status; RUNNING: expiredInstances)
 *   ["retain", retainUntil, order]       → id   (sweepRetained: while retainUntil is set)
 * Per task space `space`:
 *   ["t", space, seq]                    → the task row (kv-rows.ts)
 *   ["i", space, taskId]                 → seq   (idempotent insert, getTask)
 *   ["u", space, seq]                    → 1     (claimable: claimInit takes the lowest)
 *   ["w", space, worker, seq]            → 1     (written by versions before B27's records: cleared only)
 *   ["c", space, name, status]           → count (countByStatus)
 *   ["d", space, 0]                      → last dispatch record id handed out (B27)
 *   ["d", space, id]                     → a dispatch record, packed (dispatch-records.ts)
 * Global:
 *   ["meta"]                             → last creation order handed out
 */

/** A key part the scheme writes. */
export type KeyPart = string | number;

/** The first part of each kind of key in a task space. */
// "w": in-flight entries that versions before B27's records wrote; still cleared with the space.
const SPACE_KINDS = ["t", "i", "u", "w", "c", "d"] as const;

/** Keys of the shared scheme under `prefix`; `S` is what names a task space. */
export class KvKeyScheme<P, S extends KeyPart> {
  /** @param prefix the first parts of every key (none: the keys as listed above). */
  constructor(readonly prefix: readonly P[]) {}

  /** Last creation order handed out. */
  meta(): (P | KeyPart)[] {
    return [...this.prefix, "meta"];
  }

  /** Who owns the instance. */
  fence(id: string): (P | KeyPart)[] {
    return [...this.prefix, "fence", id];
  }

  /** The instance record. */
  inst(id: string): (P | KeyPart)[] {
    return [...this.prefix, "inst", id];
  }

  /** Index entry by creation. */
  created(createdAt: number, order: number): (P | KeyPart)[] {
    return [...this.prefix, "created", createdAt, order];
  }

  /** Prefix of every index entry by creation. */
  allCreated(): (P | KeyPart)[] {
    return [...this.prefix, "created"];
  }

  /** Index entry by status. */
  status(status: string, createdAt: number, order: number): (P | KeyPart)[] {
    return [...this.prefix, "status", status, createdAt, order];
  }

  /** Prefix of the index entries of one status. */
  allStatus(status: string): (P | KeyPart)[] {
    return [...this.prefix, "status", status];
  }

  /** Index entry by retainUntil. */
  retain(until: number, order: number): (P | KeyPart)[] {
    return [...this.prefix, "retain", until, order];
  }

  /** Prefix of every index entry by retainUntil. */
  allRetain(): (P | KeyPart)[] {
    return [...this.prefix, "retain"];
  }

  /** One task row. */
  row(space: S, seq: number): (P | KeyPart)[] {
    return [...this.prefix, "t", space, seq];
  }

  /** Prefix of every task row of a space. */
  rows(space: S): (P | KeyPart)[] {
    return [...this.prefix, "t", space];
  }

  /** The seq of a taskId. */
  tid(space: S, taskId: string): (P | KeyPart)[] {
    return [...this.prefix, "i", space, taskId];
  }

  /** The claimable entry of a row. */
  unq(space: S, seq: number): (P | KeyPart)[] {
    return [...this.prefix, "u", space, seq];
  }

  /** Prefix of every claimable entry of a space. */
  unqs(space: S): (P | KeyPart)[] {
    return [...this.prefix, "u", space];
  }

  /** The counter of one name and status. */
  cnt(space: S, name: string, status: number): (P | KeyPart)[] {
    return [...this.prefix, "c", space, name, status];
  }

  /** Prefix of every counter of a space. */
  cnts(space: S): (P | KeyPart)[] {
    return [...this.prefix, "c", space];
  }

  /** A dispatch record (id >= 1), or the last id handed out (id 0). */
  disp(space: S, id: number): (P | KeyPart)[] {
    return [...this.prefix, "d", space, id];
  }

  /** Prefix of the dispatch records of a space (and its id counter). */
  disps(space: S): (P | KeyPart)[] {
    return [...this.prefix, "d", space];
  }

  /** Every prefix of a task space: deleting them clears it. */
  space(space: S): (P | KeyPart)[][] {
    return SPACE_KINDS.map((kind) => [...this.prefix, kind, space]);
  }
}
