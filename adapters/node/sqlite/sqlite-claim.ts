/**
 * SqliteStore's claimInit: walks the task key from the instance's
 * claim_from rather than keep an index of claimable tasks, so writes pay for
 * no index but the task-id one. It writes no task row: moving claim_from
 * past the tasks it read is the claim (every unqueued INIT task below
 * claim_from is held by the owner), and the select and the new claim_from
 * are one IMMEDIATE transaction. Whatever moves claim_from back marks the
 * tasks claimed in between queued first (`SqliteDb.lowerClaimFrom`), so no
 * task is handed out twice. The failure columns are read only for the
 * claimed tasks that have any (claim-init.sql).
 */
import { INIT } from "../../../core-as/shared/constants.ts";
import { expectInt } from "../../../src/errors/validate.ts";
import type { Fence, TaskRow } from "../../../src/store/task-store.ts";
import { fromJson } from "./json-column.ts";
import { ceilPow2, IN_LIST, type SqliteDb } from "./sqlite-db.ts";
import { taskError } from "./sqlite-rows.ts";
import { MAX_SEQ, type TaskKeys } from "./task-key.ts";

/** A claimed task as claim-init.sql reads it in raw mode; the last column: it has failure columns to read. */
export type ClaimColumns = [number, string, string | null, string, string | null, number, string | null, string | null, number, number];

/** The failure columns of one task, as claim-init-failures.sql reads them in raw mode. */
export type FailureColumns = [number, number, number | null, string | null, string | null];

/** What a claim read: the claimed rows, and the failure columns of those that have any (null: none has). */
export interface ClaimedColumns {
  rows: ClaimColumns[];
  failures: Map<number, FailureColumns> | null;
}

/** claimInit. */
export function claimInit(db: SqliteDb, fence: Fence, limit: number): TaskRow[] {
  const { rows, failures } = claimColumns(db, fence, limit);
  const out: TaskRow[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [seq, taskId, parentId, name, body, attempt, worker, result, updatedAt] = rows[i]!;
    const f = failures?.get(seq);
    out[i] = {
      seq, taskId, parentId, name, body: fromJson(body), status: INIT, attempt, worker, result: fromJson(result),
      failures: f?.[1] ?? 0, notBefore: f?.[2] ?? null, error: f === undefined ? null : taskError(f[3], f[4]), updatedAt,
    };
  }
  return out;
}

/** claimInit's write, its rows left as columns (JSON as text): the store thread sends them on as they are. */
export function claimColumns(db: SqliteDb, fence: Fence, limit: number): ClaimedColumns {
  expectInt("limit", limit, 0);
  return db.write(() => {
    const keys = db.own(fence);
    if (limit === 0) return { rows: [] as ClaimColumns[], failures: null };
    const from = db.stmt("get-claim-from").pluck().get(keys.num) as number;
    if (from > MAX_SEQ) return { rows: [], failures: null };
    const found = db.stmt("claim-init").raw().all(keys.num, keys.id(from), keys.high, limit) as ClaimColumns[];
    // Every claimable task from `from` up to the last one read is in `found`: claim_from moves past them (past
    // every seq when the claim took all there were), and they are claimed without a write of their own.
    const next = found.length === limit ? found[found.length - 1]![0] + 1 : MAX_SEQ + 1;
    db.stmt("set-claim-from").run(next, keys.num);
    return { rows: found, failures: failureColumns(db, keys, found) };
  });
}

/** The failure columns of the claimed tasks that have any, by seq; null when none has (the usual claim). */
function failureColumns(db: SqliteDb, keys: TaskKeys, found: readonly ClaimColumns[]): Map<number, FailureColumns> | null {
  let seqs: number[] | null = null;
  for (const row of found) if (row[9]) (seqs ??= []).push(row[0]);
  if (seqs === null) return null;
  const out = new Map<number, FailureColumns>();
  for (let i = 0; i < seqs.length;) {
    const size = ceilPow2(Math.min(IN_LIST, seqs.length - i));
    const args = db.argsOf(`claim-failures/${size}`, size);
    let filled = 0;
    while (filled < size && i < seqs.length) args[filled++] = keys.id(seqs[i++]!);
    for (let k = filled; k < size; k++) args[k] = args[filled - 1];
    for (const row of db.stmt("claim-init-failures", size).raw().all(args) as FailureColumns[]) out.set(row[0], row);
  }
  return out;
}
