/**
 * SqliteStore's status writes (updateStatuses), set-based: one `UPDATE … WHERE id IN (…)` per group of like updates,
 * CASE updates where each row gets its own result. The failure fields
 * (failures, notBefore, error) go one row at a time, after the group writes:
 * only the reports of failed runs carry them, and the rest pay nothing.
 */
import { INIT } from "../../../core-as/shared/constants.ts";
import { checkUpdate, checkUpdateFailure, type UpdateFailure } from "../../../src/store/input.ts";
import type { Fence, StatusUpdate } from "../../../src/store/task-store.ts";
import { sqlJson } from "./json-column.ts";
import { ceilPow2, IN_LIST, type SqliteDb } from "./sqlite-db.ts";
import { MAX_SEQ, type TaskKeys } from "./task-key.ts";

/** Rows per CASE update: its WHEN arms are matched one by one, so past ~100 a longer list costs more. */
const CASE_ROWS = 64;

/** updateStatuses. */
export function updateStatuses(db: SqliteDb, fence: Fence, updates: readonly StatusUpdate[]): void {
  const n = updates.length;
  const results: (string | null | undefined)[] = new Array(n);
  let failures: (UpdateFailure | undefined)[] | null = null;
  for (let i = 0; i < n; i++) {
    const u = updates[i]!;
    const result = checkUpdate(i, u);
    results[i] = result === undefined ? undefined : sqlJson(result);
    const failure = checkUpdateFailure(i, u);
    if (failure !== undefined) (failures ??= new Array(n))[i] = failure;
  }
  updateChecked(db, fence, updates, results, failures);
}

/** The fields of a status update the group writes read; result and failure fields go beside them. */
export type UpdateFields = Pick<StatusUpdate, "seq" | "status" | "attempt" | "worker" | "at">;

/**
 * updateStatuses of updates checked already (checkUpdate, checkUpdateFailure),
 * each result as its column value (undefined: none given) and the failure
 * fields by index (null: none has any): the store thread's entry, whose
 * caller checked and encoded them on its own thread.
 */
export function updateChecked(
  db: SqliteDb, fence: Fence, updates: readonly UpdateFields[], results: (string | null | undefined)[],
  failures: (UpdateFailure | undefined)[] | null,
): void {
  if (updates.length === 0) return void db.write(() => db.own(fence));
  const { list, res, fails } = coalesce(updates, results, failures);
  let inits: number[] | null = null;
  for (const u of list) if (u.status === INIT && u.seq <= MAX_SEQ) (inits ??= []).push(u.seq);
  db.write(() => {
    const keys = db.own(fence);
    if (inits !== null) backToInit(db, keys, inits);
    for (const group of groups(list, res)) {
      const u = list[group[0]!]!;
      if (res[group[0]!] === undefined) updateGroup(db, keys, u, group, list);
      else updateGroupWithResults(db, keys, u, group, list, res);
    }
    if (fails !== null) for (let k = 0; k < list.length; k++) if (fails[k] !== undefined) updateFailure(db, keys, list[k]!.seq, fails[k]!);
  });
}

/**
 * Before tasks are written INIT: keeps the claim cursor's word (B10). Below
 * claim_from, an INIT task that is not queued is one a claim handed out (a
 * claim marks no row): written INIT again — a failover, a retry — it stays
 * with its owner, so it gets the queued mark now, its row being written
 * anyway. A task below claim_from that is neither INIT nor queued becomes
 * claimable: claim_from moves back to the lowest such (the tasks claimed
 * in between marked first). Tasks at or above claim_from need nothing.
 */
function backToInit(db: SqliteDb, keys: TaskKeys, seqs: readonly number[]): void {
  const from = db.stmt("get-claim-from").pluck().get(keys.num) as number;
  const below = seqs.filter((seq) => seq < from);
  if (below.length === 0) return;
  let lowest = Infinity;
  for (let i = 0; i < below.length;) {
    const size = ceilPow2(Math.min(IN_LIST, below.length - i));
    const args = db.argsOf(`lowest-released/${size}`, size);
    let filled = 0;
    while (filled < size && i < below.length) args[filled++] = keys.id(below[i++]!);
    for (let k = filled; k < size; k++) args[k] = args[filled - 1];
    const seq = db.stmt("lowest-released", size).pluck().get(args) as number | null;
    if (seq !== null && seq < lowest) lowest = seq;
  }
  db.inLists("hold-claimed-rows", [], keys, below.length, (i) => below[i]!);
  if (lowest !== Infinity) db.lowerClaimFrom(keys, lowest);
}

/** One group of like updates without results: IN lists. */
function updateGroup(db: SqliteDb, keys: TaskKeys, u: UpdateFields, group: readonly number[], list: readonly UpdateFields[]): void {
  db.inLists("update-statuses", [u.status, u.attempt, u.worker, u.at ?? null], keys, group.length, (i) => list[group[i]!]!.seq);
}

/** The failure fields one update gave, on its row (a seq past MAX_SEQ is never stored). */
function updateFailure(db: SqliteDb, keys: TaskKeys, seq: number, f: UpdateFailure): void {
  if (seq > MAX_SEQ) return;
  const setError = f.error === undefined ? 0 : 1;
  db.stmt("update-statuses-failure").run(
    f.failures === undefined ? 0 : 1, f.failures ?? null,
    f.notBefore === undefined ? 0 : 1, f.notBefore ?? null,
    setError, f.error?.message ?? null,
    setError, f.error?.stack ?? null,
    keys.id(seq));
}

/** One group of like updates, each with its result: CASE updates of CASE_ROWS rows, padded like IN lists. */
function updateGroupWithResults(
  db: SqliteDb, keys: TaskKeys, u: UpdateFields, group: readonly number[], list: readonly UpdateFields[],
  res: readonly (string | null | undefined)[],
): void {
  const count = group.length;
  let i = 0;
  while (i < count) {
    const size = ceilPow2(Math.min(CASE_ROWS, count - i));
    const h = 4; // status, attempt, worker, updated_at
    const args = db.argsOf(`case/${size}`, h + 3 * size);
    args[0] = u.status;
    args[1] = u.attempt;
    args[2] = u.worker;
    args[3] = u.at ?? null;
    let filled = 0;
    while (filled < size && i < count) {
      const k = group[i++]!;
      const seq = list[k]!.seq;
      if (seq > MAX_SEQ) continue;
      const id = keys.id(seq);
      args[h + 2 * filled] = id;
      args[h + 1 + 2 * filled] = res[k];
      args[h + 2 * size + filled] = id;
      filled++;
    }
    if (filled === 0) continue;
    for (let k = filled; k < size; k++) {
      args[h + 2 * k] = args[h - 2 + 2 * filled];
      args[h + 1 + 2 * k] = args[h - 1 + 2 * filled];
      args[h + 2 * size + k] = args[h - 1 + 2 * size + filled];
    }
    db.stmt("update-statuses-with-results", size).run(args);
  }
}

/**
 * One update per seq, as applying them in order would leave it: the last
 * update's status, attempt and worker, and of each optional field (result,
 * at, failures, notBefore, error) the last one given. Batches in strictly
 * ascending seq order (no repeats possible) pass through.
 */
function coalesce(
  updates: readonly UpdateFields[], results: (string | null | undefined)[], failures: (UpdateFailure | undefined)[] | null,
): { list: readonly UpdateFields[]; res: (string | null | undefined)[]; fails: (UpdateFailure | undefined)[] | null } {
  let ascending = true;
  for (let i = 1; i < updates.length; i++) {
    if (updates[i]!.seq <= updates[i - 1]!.seq) {
      ascending = false;
      break;
    }
  }
  if (ascending) return { list: updates, res: results, fails: failures };
  const at = new Map<number, number>();
  const list: UpdateFields[] = [];
  const res: (string | null | undefined)[] = [];
  const fails: (UpdateFailure | undefined)[] | null = failures === null ? null : [];
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i]!;
    const k = at.get(u.seq);
    if (k === undefined) {
      at.set(u.seq, list.length);
      list.push(u);
      res.push(results[i]);
      fails?.push(failures![i]);
    } else {
      const had = list[k]!;
      list[k] = u.at === undefined && had.at !== undefined ? { ...u, at: had.at } : u;
      if (results[i] !== undefined) res[k] = results[i];
      // Failure objects hold only the fields given: a later one replaces just those.
      if (fails !== null && failures![i] !== undefined) fails[k] = { ...fails[k], ...failures![i] };
    }
  }
  return { list, res, fails };
}

/** Indexes of `list` grouped by (status, attempt, worker, at, has a result); one group when all alike (the usual batch). */
function groups(list: readonly UpdateFields[], res: readonly (string | null | undefined)[]): number[][] {
  const first = list[0]!;
  const withResult = res[0] !== undefined;
  let alike = true;
  for (let i = 1; i < list.length; i++) {
    const u = list[i]!;
    if (u.status !== first.status || u.attempt !== first.attempt || u.worker !== first.worker || u.at !== first.at
      || (res[i] !== undefined) !== withResult) {
      alike = false;
      break;
    }
  }
  if (alike) return [Array.from({ length: list.length }, (_, i) => i)];
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < list.length; i++) {
    const u = list[i]!;
    const key = `${u.status}|${u.attempt}|${u.at ?? ""}|${res[i] === undefined ? 0 : 1}|${u.worker === null ? "" : "w" + u.worker}`;
    const group = byKey.get(key);
    if (group) group.push(i);
    else byKey.set(key, [i]);
  }
  return [...byKey.values()];
}
