/**
 * How DenoKvStore reads and rewrites task rows: the writes that move one row
 * with its claimable entry, counters and spilled result
 * (one Unit, so they land in one atomic), and the loops that apply a change
 * to given rows or to every row, redoing their rest after a conflict.
 */
import {
  countId, decodeTask, entryMoves, needsCreatedAt, stateOf, type StoredInstance, type StoredRow, withState,
} from "../../src/store/kv-rows.ts";
import type { RowChange } from "../../src/store/row-rules.ts";
import type { TaskRow } from "../../src/store/task-store.ts";
import { commitUnits, GET_MANY, type Sum, type Unit } from "./kv-atomic.ts";
import type { DenoKvKeys } from "./kv-keys.ts";
import { inWaves, type KvContext, refresh, type Session, STEP } from "./kv-session.ts";
import { drop, load, spill, type Val } from "./kv-values.ts";

/** ["t", ts, seq]: one task; body and result inline or spilled. */
export type Row = StoredRow<Val>;

/** ["inst", id]: the record without owner and fence; JSON fields inline or spilled. */
export type InstValue = StoredInstance<Val>;

/** A row's next state, or null for no change. */
export type Change = RowChange | null;

/** A change of the counter of (name, status) in task space `ts`. */
export function countSum(k: DenoKvKeys, ts: number, name: string, status: number, delta: number): Sum {
  return { id: countId(name, status), key: k.cnt(ts, name, status), delta };
}

/** The writes that move row `seq` from `old` to state `next`, its entries and counters with it. */
export function rowUnit(k: DenoKvKeys, ts: number, seq: number, old: Row, next: RowChange): Unit {
  let row = withState(old, next);
  let pre: Deno.KvMutation[] = [];
  let post: Deno.KvMutation[] = [];
  if (next.result !== undefined) {
    const base = k.rowPart(ts, seq, "r");
    const r = spill(base, next.result);
    row = { ...row, r: r.val };
    pre = r.sets;
    post = drop(base, old.r);
  }
  const muts: Deno.KvMutation[] = [{ type: "set", key: k.row(ts, seq), value: row }];
  const m = entryMoves(stateOf(old), next);
  if (m.claimable !== null) {
    muts.push(m.claimable ? { type: "set", key: k.unq(ts, seq), value: 1 } : { type: "delete", key: k.unq(ts, seq) });
  }
  const sums = m.recount ? [countSum(k, ts, old.n, old.s, -1), countSum(k, ts, old.n, next.status, 1)] : [];
  return { muts, sums, pre, post };
}

/** Applies `change` to the rows at `seqs` (unknown seqs are skipped); returns how many changed. */
export async function rewrite(cx: KvContext, s: Session, seqs: readonly number[], change: (row: Row, seq: number) => Change): Promise<number> {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  let changed = 0;
  for (let i = 0; i < sorted.length; i += STEP) {
    let todo = sorted.slice(i, i + STEP);
    while (todo.length > 0) {
      const ts = s.own.value.ts;
      const rows = await readRows(cx, ts, todo);
      const units: Unit[] = [];
      const at: number[] = [];
      for (const seq of todo) {
        const row = rows.get(seq);
        const c = row === undefined ? null : change(row, seq);
        if (c === null) continue;
        units.push(rowUnit(cx.k, ts, seq, row!, c));
        at.push(seq);
      }
      const done = await commitUnits(cx.kv, s.own, units);
      changed += done;
      if (done === units.length) break;
      await refresh(cx, s);
      todo = at.slice(done);
    }
  }
  return changed;
}

/** Applies `change` to every row, page by page; returns how many changed. */
export async function scan(cx: KvContext, s: Session, change: (row: Row) => Change): Promise<number> {
  const k = cx.k;
  let changed = 0;
  let from = 0;
  for (;;) {
    const ts = s.own.value.ts;
    const units: Unit[] = [];
    const at: number[] = [];
    let read = 0;
    let last = -1;
    for await (const e of cx.kv.list<Row>({ prefix: k.rows(ts), start: k.row(ts, from) }, { limit: STEP })) {
      read++;
      last = e.key[e.key.length - 1] as number;
      const c = change(e.value);
      if (c === null) continue;
      units.push(rowUnit(k, ts, last, e.value, c));
      at.push(last);
    }
    const done = await commitUnits(cx.kv, s.own, units);
    changed += done;
    if (done < units.length) {
      await refresh(cx, s);
      from = s.own.value.ts === ts ? at[done]! : 0;
      continue;
    }
    if (read < STEP) return changed;
    from = last + 1;
  }
}

/** Rows at `seqs`: runs of near seqs in one range read each, the rest by getMany. */
export async function readRows(cx: KvContext, ts: number, seqs: readonly number[]): Promise<Map<number, Row>> {
  const out = new Map<number, Row>();
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const reads: (() => Promise<void>)[] = [];
  const singles: number[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! - sorted[j]! <= 4) j++;
    if (j - i >= 3) {
      const start = cx.k.row(ts, sorted[i]!);
      const end = cx.k.row(ts, sorted[j]! + 1);
      reads.push(async () => {
        for await (const e of cx.kv.list<Row>({ start, end }, { batchSize: 1000 })) out.set(e.key[e.key.length - 1] as number, e.value);
      });
    } else {
      for (let m = i; m <= j; m++) singles.push(sorted[m]!);
    }
    i = j + 1;
  }
  for (let i = 0; i < singles.length; i += GET_MANY) {
    const part = singles.slice(i, i + GET_MANY);
    reads.push(async () => {
      const got = await cx.kv.getMany<Row[]>(part.map((seq) => cx.k.row(ts, seq)));
      for (let m = 0; m < part.length; m++) if (got[m]!.value !== null) out.set(part[m]!, got[m]!.value!);
    });
  }
  await inWaves(reads);
  return out;
}

/**
 * The task as DenoKvStore hands it out, its spilled body and result read
 * back; `createdAt` (the instance's) stands in for a missing updatedAt.
 */
export async function taskRow(cx: KvContext, ts: number, seq: number, row: Row, createdAt: number): Promise<TaskRow> {
  const [body, result] = await Promise.all([
    load(cx.kv, cx.k.rowPart(ts, seq, "b"), row.b),
    load(cx.kv, cx.k.rowPart(ts, seq, "r"), row.r),
  ]);
  return decodeTask(seq, row, body, result, createdAt);
}

/**
 * The tasks as DenoKvStore hands them out; the instance's createdAt is read
 * only when a row was written before updatedAt was kept.
 */
export async function taskRows(cx: KvContext, instanceId: string, ts: number, rows: readonly (readonly [number, Row])[]): Promise<TaskRow[]> {
  const createdAt = needsCreatedAt(rows.map(([, row]) => row))
    ? (await cx.kv.get<InstValue>(cx.k.inst(instanceId))).value?.createdAt ?? 0
    : 0;
  return Promise.all(rows.map(([seq, row]) => taskRow(cx, ts, seq, row, createdAt)));
}
