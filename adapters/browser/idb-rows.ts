/**
 * How IdbStore reads and writes inside one transaction: its keys (the shared
 * scheme of src/store/kv-keys.ts, the instance id naming the task space), its
 * fence entry and the fencing check, and row writes that keep the claimable
 * entries and the counters in step.
 */
import { FencedError, UnknownInstanceError } from "../../src/store/errors.ts";
import { KvKeyScheme } from "../../src/store/kv-keys.ts";
import {
  countId, decodeInstance, decodeTask, entryMoves, needsCreatedAt, type StoredFence, type StoredInstance, type StoredRow, stateOf, withState,
} from "../../src/store/kv-rows.ts";
import type { RowChange } from "../../src/store/row-rules.ts";
import type { Fence, InstanceRecord, TaskRow } from "../../src/store/task-store.ts";
import { lastPart, numbersFrom, req } from "./idb-requests.ts";

/** Rows read at a time by a scan over an instance's tasks. */
const SCAN_PAGE = 1000;
/** Largest count getAll/getAllKeys take (an unsigned long). */
export const MAX_COUNT = 0xffff_ffff;

/** The keys, with no prefix: the object store holds nothing else. */
export const K = new KvKeyScheme<never, string>([]);

/** ["fence", id] */
export interface FenceValue extends StoredFence {
  /** When the owner's lease runs out; null or absent (written before leases): none. */
  readonly until?: number | null;
}

/** ["t", id, seq]: one task; body and result as JSON text. */
export type Row = StoredRow<string>;

/** ["inst", id]: the record without owner and fence; JSON fields as text. */
export type InstValue = StoredInstance<string>;

/** A row's next state, or null for no change. */
export type Change = RowChange | null;

/** The record as IdbStore hands it out. */
export function record(id: string, f: FenceValue, v: InstValue): InstanceRecord {
  return decodeInstance(id, f, f.until ?? null, v, v);
}

/** The task as IdbStore hands it out; `createdAt` (the instance's) stands in for a missing updatedAt. */
export function taskRow(seq: number, row: Row, createdAt: number): TaskRow {
  return decodeTask(seq, row, row.b, row.r, createdAt);
}

/** The tasks as IdbStore hands them out; the instance record is read only when a row was written before updatedAt was kept. */
export async function taskRows(os: IDBObjectStore, id: string, rows: readonly (readonly [number, Row])[]): Promise<TaskRow[]> {
  const createdAt = needsCreatedAt(rows.map(([, row]) => row))
    ? (await req(os.get(K.inst(id))) as InstValue | undefined)?.createdAt ?? 0
    : 0;
  return rows.map(([seq, row]) => taskRow(seq, row, createdAt));
}

/** The fence entry of `instanceId`, if any. */
export async function fenceOf(os: IDBObjectStore, instanceId: string): Promise<FenceValue | undefined> {
  if (typeof instanceId !== "string") return undefined;
  return await req(os.get(K.fence(instanceId))) as FenceValue | undefined;
}

/** Refuses the write unless `fence` is the instance's current token. */
export async function own(os: IDBObjectStore, fence: Fence): Promise<void> {
  const f = await fenceOf(os, fence.instanceId);
  if (f === undefined) throw new UnknownInstanceError(fence.instanceId);
  if (f.token !== fence.token) throw new FencedError(fence.instanceId, fence.token, f.token);
}

/** Counter changes of one transaction, written once at its end. */
export class Counts {
  readonly #deltas = new Map<string, { key: IDBValidKey; delta: number }>();

  /** @param id the instance whose counters change. */
  constructor(readonly id: string) {}

  /** Adds `delta` to the counter of (name, status). */
  add(name: string, status: number, delta: number): void {
    const k = countId(name, status);
    const had = this.#deltas.get(k);
    if (had) had.delta += delta;
    else this.#deltas.set(k, { key: K.cnt(this.id, name, status), delta });
  }

  /** Writes the changed counters; one that reaches 0 is deleted. */
  async write(os: IDBObjectStore): Promise<void> {
    const changes = [...this.#deltas.values()].filter((c) => c.delta !== 0);
    const now = await Promise.all(changes.map((c) => req(os.get(c.key)) as Promise<number | undefined>));
    for (let i = 0; i < changes.length; i++) {
      const n = (now[i] ?? 0) + changes[i]!.delta;
      if (n === 0) os.delete(changes[i]!.key);
      else os.put(n, changes[i]!.key);
    }
  }
}

/** Writes row `seq` moving from `old` to state `next`, its entries and counters with it. */
export function writeRow(os: IDBObjectStore, id: string, seq: number, old: Row, next: RowChange, counts: Counts): void {
  os.put(withState(old, next, next.result ?? old.r), K.row(id, seq));
  const m = entryMoves(stateOf(old), next);
  if (m.claimable === true) os.put(1, K.unq(id, seq));
  else if (m.claimable === false) os.delete(K.unq(id, seq));
  if (m.recount) {
    counts.add(old.n, old.s, -1);
    counts.add(old.n, next.status, 1);
  }
}

/** Applies `change` to the rows at `seqs` (unknown seqs are skipped); returns how many changed. */
export async function rewrite(
  os: IDBObjectStore, id: string, seqs: readonly number[], change: (row: Row, seq: number) => Change,
): Promise<number> {
  const unique = [...new Set(seqs)];
  const rows = await Promise.all(unique.map((seq) => req(os.get(K.row(id, seq))) as Promise<Row | undefined>));
  const counts = new Counts(id);
  let changed = 0;
  for (let i = 0; i < unique.length; i++) {
    const row = rows[i];
    const next = row === undefined ? null : change(row, unique[i]!);
    if (next === null) continue;
    writeRow(os, id, unique[i]!, row!, next, counts);
    changed++;
  }
  await counts.write(os);
  return changed;
}

/** Applies `change` to every row of the instance, page by page; returns how many changed. */
export async function scan(os: IDBObjectStore, id: string, change: (row: Row) => Change): Promise<number> {
  const counts = new Counts(id);
  let changed = 0;
  let from = -Infinity;
  for (;;) {
    const range = numbersFrom(K.rows(id), from);
    const [keys, rows] = await Promise.all([req(os.getAllKeys(range, SCAN_PAGE)), req(os.getAll(range, SCAN_PAGE)) as Promise<Row[]>]);
    for (let i = 0; i < keys.length; i++) {
      const next = change(rows[i]!);
      if (next === null) continue;
      writeRow(os, id, lastPart<number>(keys[i]!), rows[i]!, next, counts);
      changed++;
    }
    if (keys.length < SCAN_PAGE) break;
    from = lastPart<number>(keys[keys.length - 1]!) + 1;
  }
  await counts.write(os);
  return changed;
}
