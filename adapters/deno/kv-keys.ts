/**
 * The keys of DenoKvStore: the scheme the key-value stores share
 * (src/store/kv-keys.ts) under the store's prefix (`["taskmill"]` unless
 * told, so a database can hold other data), a task space being a number from
 * ["meta"] (clearTasks moves an instance to a fresh one), plus Deno KV's own:
 *
 *   ["fence", id]                     → { owner, token, ts }: ownership, and the
 *                                       task space `ts` the instance's tasks live in
 *   ["lease", id]                     → { owner, token, until }: the lease of the
 *                                       acquisition with that token (until null: none);
 *                                       rewritten at every acquisition, apart from
 *                                       ["fence", id] so renewals never meet task writes
 *   ["ib", id, field, gen, i]         → parts of a record field too big for one value
 *   ["b", ts, seq, field, gen, i]     → parts of a body or result too big for one value
 *   ["meta"]                          → last order / task space number handed out
 *   ["gc", ts]                        → id    (a task space clearTasks left, deleted after)
 */
import { KvKeyScheme } from "../../src/store/kv-keys.ts";

/** Keys of one DenoKvStore. */
export class DenoKvKeys extends KvKeyScheme<Deno.KvKeyPart, number> {
  /** The lease entry of an instance. */
  lease(id: string): Deno.KvKey {
    return [...this.prefix, "lease", id];
  }

  /** Base of the parts of a record field. */
  instPart(id: string, field: string): Deno.KvKey {
    return [...this.prefix, "ib", id, field];
  }

  /** A task space left to delete. */
  gc(ts: number): Deno.KvKey {
    return [...this.prefix, "gc", ts];
  }

  /** Prefix of every task space left to delete. */
  allGc(): Deno.KvKey {
    return [...this.prefix, "gc"];
  }

  /** Base of the parts of a row's body ("b") or result ("r"). */
  rowPart(ts: number, seq: number, field: "b" | "r"): Deno.KvKey {
    return [...this.prefix, "b", ts, seq, field];
  }

  /** Every prefix of a task space, its spilled parts included. */
  override space(ts: number): Deno.KvKeyPart[][] {
    return [...super.space(ts), [...this.prefix, "b", ts]];
  }
}
