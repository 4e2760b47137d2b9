/**
 * A3: the processor and `before` filters of `listInstances` over instances
 * already listed newest first — the way of the stores whose keys order
 * instances by status only (memory, IndexedDB, Deno KV): they list the
 * instances of the status (every instance, when `before` is given: the
 * instance it names may have changed status since its page was read), then
 * this picks the page. SQLite and PostgreSQL page in their queries.
 */
import type { InstanceRecord, InstanceStatus } from "./task-store.ts";

/** The filter pickPage applies. */
export interface PageFilter {
  status?: InstanceStatus | undefined;
  processor?: string | undefined;
  before?: string | undefined;
  limit?: number | undefined;
}

/**
 * The records after the one named `before` (none when it is not among
 * them), of `status` and `processor`, at most `limit`.
 */
export function pickPage(newestFirst: readonly InstanceRecord[], f: PageFilter): InstanceRecord[] {
  let from = 0;
  if (f.before !== undefined) {
    const at = newestFirst.findIndex((r) => r.instanceId === f.before);
    if (at < 0) return [];
    from = at + 1;
  }
  const out: InstanceRecord[] = [];
  const limit = f.limit ?? Infinity;
  for (let i = from; i < newestFirst.length && out.length < limit; i++) {
    const r = newestFirst[i]!;
    if ((f.processor === undefined || r.processor === f.processor) && (f.status === undefined || r.status === f.status)) out.push(r);
  }
  return out;
}
