/**
 * The key layout of DenoKvStore, every key under one prefix (`["taskmill"]`
 * unless told), so a database can hold other data.
 *
 * Per instance `id`:
 *   ["fence", id]                     → { owner, token, ts }: ownership, and the
 *                                       task space `ts` the instance's tasks live in
 *   ["inst", id]                      → the rest of the record
 *   ["lease", id]                     → { owner, token, until }: the lease of the
 *                                       acquisition with that token (until null: none);
 *                                       rewritten at every acquisition, apart from
 *                                       ["fence", id] so renewals never meet task writes
 *   ["ib", id, field, gen, i]         → parts of a record field too big for one value
 *   ["created", createdAt, order]     → id   (listInstances, newest first by reverse listing)
 *   ["status", status, createdAt, order] → id (listInstances by status)
 * Per task space `ts` (a number from ["meta"]; clearTasks moves an instance to a new one):
 *   ["t", ts, seq]                    → the task row
 *   ["i", ts, taskId]                 → seq   (idempotent insert, getTask)
 *   ["u", ts, seq]                    → 1     (INIT and not queued: claimInit lists the lowest)
 *   ["w", ts, worker, seq]            → 1     (PULLED/RUNNING at worker: resetWorkerTasks)
 *   ["c", ts, name, status]           → KvU64 (countByStatus)
 *   ["b", ts, seq, field, gen, i]     → parts of a body or result too big for one value
 * Global:
 *   ["meta"]                          → last order / task space number handed out
 *   ["gc", ts]                        → id    (a task space clearTasks left, deleted after)
 */
export class KvKeys {
  constructor(readonly prefix: readonly Deno.KvKeyPart[]) {}

  meta(): Deno.KvKey {
    return [...this.prefix, "meta"];
  }

  fence(id: string): Deno.KvKey {
    return [...this.prefix, "fence", id];
  }

  inst(id: string): Deno.KvKey {
    return [...this.prefix, "inst", id];
  }

  lease(id: string): Deno.KvKey {
    return [...this.prefix, "lease", id];
  }

  /** Base of the parts of a record field. */
  instPart(id: string, field: string): Deno.KvKey {
    return [...this.prefix, "ib", id, field];
  }

  created(createdAt: number, order: number): Deno.KvKey {
    return [...this.prefix, "created", createdAt, order];
  }

  allCreated(): Deno.KvKey {
    return [...this.prefix, "created"];
  }

  status(status: string, createdAt: number, order: number): Deno.KvKey {
    return [...this.prefix, "status", status, createdAt, order];
  }

  allStatus(status: string): Deno.KvKey {
    return [...this.prefix, "status", status];
  }

  gc(ts: number): Deno.KvKey {
    return [...this.prefix, "gc", ts];
  }

  allGc(): Deno.KvKey {
    return [...this.prefix, "gc"];
  }

  row(ts: number, seq: number): Deno.KvKey {
    return [...this.prefix, "t", ts, seq];
  }

  rows(ts: number): Deno.KvKey {
    return [...this.prefix, "t", ts];
  }

  tid(ts: number, taskId: string): Deno.KvKey {
    return [...this.prefix, "i", ts, taskId];
  }

  unq(ts: number, seq: number): Deno.KvKey {
    return [...this.prefix, "u", ts, seq];
  }

  unqs(ts: number): Deno.KvKey {
    return [...this.prefix, "u", ts];
  }

  wk(ts: number, worker: string, seq: number): Deno.KvKey {
    return [...this.prefix, "w", ts, worker, seq];
  }

  wks(ts: number, worker: string): Deno.KvKey {
    return [...this.prefix, "w", ts, worker];
  }

  cnt(ts: number, name: string, status: number): Deno.KvKey {
    return [...this.prefix, "c", ts, name, status];
  }

  cnts(ts: number): Deno.KvKey {
    return [...this.prefix, "c", ts];
  }

  /** Base of the parts of a row's body ("b") or result ("r"). */
  rowPart(ts: number, seq: number, field: "b" | "r"): Deno.KvKey {
    return [...this.prefix, "b", ts, seq, field];
  }

  /** Every prefix of a task space. */
  space(ts: number): Deno.KvKey[] {
    return ["t", "i", "u", "w", "c", "b"].map((kind) => [...this.prefix, kind, ts]);
  }
}
