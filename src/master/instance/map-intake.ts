import { PULLED, RUNNING } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import type { JsonValue, MapBatch } from "../../protocol/messages.ts";
import { refuse, type MapReply, type Refusal } from "../../protocol/replies.ts";
import type { LoadProbe } from "../../runtime/load-probe.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { NewTask, TaskRow } from "../../store/task-store.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import { MAX_NAMES, ROOT, type TaskNames } from "./task-names.ts";
import type { TaskSlots } from "./task-slots.ts";
import type { TaskWrites } from "./task-writes.ts";
import type { WorkerTable } from "./worker-table.ts";
import { errorMessage } from "../../errors/error-message.ts";

/** Queue fill ratio at which map tells processors to slow down (B2). */
const SLOW_DOWN_FILL = 0.8;
/** Free CPU or memory below which map tells processors to slow down (B2). */
const SLOW_DOWN_LOAD = 0.1;
/** Store writes in flight past which map batches are refused as busy. */
const MAX_PENDING_WRITES = 256;
/** Rows claimed back from the store per call (B10). */
const CLAIM_PAGE = 1000;
/** Rows stored per write of a map batch; the master answers other requests between two (B32). */
const INSERT_PAGE = 5000;

/** What map intake reads of the job's settings. */
export interface IntakeSettings {
  readonly maxBodyBytes: number;
  readonly pageSize: number;
}

/** What map intake needs of its cycle. */
export interface MapIntakeHost {
  readonly core: Core;
  readonly slots: TaskSlots;
  readonly names: TaskNames;
  readonly workers: WorkerTable;
  readonly writes: TaskWrites;
  readonly loadProbe: LoadProbe;
  readonly clock: Clock;
  readonly settings: IntakeSettings;
  /** Whether this cycle is current and takes work. */
  active(): boolean;
  /** Whether this master lost the instance (closed or deposed) or the cycle ended. */
  gone(): boolean;
  /** Dispatches what waits. */
  pump(): void;
  /** Hands ROOT to the master's own worker. */
  dispatchRoot(handle: number): void;
  /** Holds a task claimed back from the store until its not-before time (a retry waiting, B21). */
  waitUntil(handle: number, at: number): void;
  /** Whether row `seq` is in memory already though its stored row is claimable: a task kept on resume (B28). */
  adopted(seq: number): boolean;
  /**
   * A claim of the backlog (B10) came back and gave its promised room back. Room held for a claim keeps the
   * instance from completing (B12), so the cycle checks again now rather than at its next periodic check
   * (statusCheckMs, 3 s: the simulation harness sat idle that long with every LEAF done).
   */
  claimed(): void;
}

const utf8 = new TextEncoder();

/**
 * The UTF-8 size of `v` as JSON when it is over `limit` bytes, else 0. Cheap for what is
 * surely under: numbers, booleans and null at once, and text of at most limit/3 UTF-16
 * units without encoding it (a unit takes at most 3 bytes).
 */
function bytesOver(v: JsonValue, limit: number): number {
  if (v === null || typeof v === "number" || typeof v === "boolean") return 0;
  const text = typeof v === "string" && v.length * 3 + 2 <= limit ? null : JSON.stringify(v);
  if (text === null || text.length * 3 <= limit) return 0;
  const bytes = utf8.encode(text).length;
  return bytes > limit ? bytes : 0;
}

/**
 * Map intake (B2, B10, B32): a running task's children are stored a page at
 * a time (workers send a large call in pages; a large batch is still written
 * in pages of INSERT_PAGE rows, with a turn of the event loop between two)
 * and admitted to memory as far as the queue has room; the rest wait in the
 * store as INIT rows, claimed back page by page as room frees. A full queue
 * makes map wait (its batch already durable) and a filling one asks
 * processors to slow down.
 */
export class MapIntake {
  readonly #h: MapIntakeHost;
  /** The next task's row number in the store. */
  nextSeq = 0;
  /** Table and queue room promised to map batches whose insert is in flight. */
  #reserved = 0;
  /** INIT rows in the store that are not in memory (claimInit hands them out). */
  #backlog = false;
  #feeding = false;
  /** Maps waiting for queue room, each with the room it waits for. */
  #waiters: Array<{ want: number; wake: () => void }> = [];
  /** Parent handle → its map calls waiting for queue room. */
  readonly #mapping = new Map<number, number>();

  constructor(host: MapIntakeHost) {
    this.#h = host;
  }

  /** Room promised to inserts still in flight: the cycle cannot end while some is. */
  get reserved(): number { return this.#reserved; }

  /** Stores a batch of children of a running task; resolves once they are durable. */
  async map(w: WorkerInfo, m: MapBatch): Promise<MapReply | Refusal> {
    const h = this.#h, t = h.core.table, limit = h.settings.maxBodyBytes;
    const idx = h.workers.indexOf(w.key);
    const st = t.status(m.parentHandle);
    if ((st !== PULLED && st !== RUNNING) || t.attemptOf(m.parentHandle) !== m.parentAttempt || t.workerOf(m.parentHandle) !== idx
      || h.slots.taskIdOf(m.parentHandle) !== m.parentTaskId) {
      return refuse("rejected", `task ${m.parentTaskId} (attempt ${m.parentAttempt}) is not running on ${w.workerId}`, "parentTaskId");
    }
    const first = m.first ?? 0;
    for (let i = 0; i < m.bodies.length; i++) {
      const bytes = bytesOver(m.bodies[i]!, limit);
      if (bytes > 0) return refuse("too_large", `bodies.${first + i}: ${bytes} bytes, limit ${limit}`, `bodies.${first + i}`);
    }
    // A master whose store cannot keep up asks the worker to come back later (429 + Retry-After).
    if (h.writes.pending > MAX_PENDING_WRITES) return { ...refuse("busy", `store writes are behind (${h.writes.pending} pending)`), retryAfterMs: 200 };
    const nameIdx = h.names.indexOf(m.taskName);
    if (nameIdx < 0) return refuse("bad_request", `taskName: Expected at most ${MAX_NAMES - 2} task names, got one more: ${JSON.stringify(m.taskName)}`, "taskName");
    const n = m.bodies.length;
    if (n === 0) return { ok: true, stored: 0, slowDown: this.#slowDown() };

    let stored = 0;
    for (let from = 0; from < n; from += INSERT_PAGE) {
      // Between two pages, a turn of the event loop: /health and other requests answer (B32).
      if (from > 0) await new Promise<void>((r) => h.clock.setTimeout(r, 0));
      const page = await this.#storePage(m, nameIdx, from, Math.min(n, from + INSERT_PAGE));
      if (typeof page !== "number") return page;
      stored += page;
    }
    h.pump();
    if (this.#backlog) void this.#feed();
    await this.#waitForRoom(m.parentHandle, n);
    return { ok: true, stored, slowDown: this.#slowDown() };
  }

  /** Stores bodies `from..to` of a batch in one write and admits what memory has room for; returns how many were new. */
  async #storePage(m: MapBatch, nameIdx: number, from: number, to: number): Promise<number | Refusal> {
    const h = this.#h, n = to - from;
    // Promise room synchronously so concurrent batches cannot overbook it.
    const inMemory = Math.min(n, this.#room());
    this.#reserved += inMemory;
    const base = this.nextSeq;
    this.nextSeq += n;
    const tasks: NewTask[] = new Array(n);
    // Children's ids count across the pages of their map call: a resent page is stored once (B2).
    const prefix = `${m.parentTaskId}.${m.mapCall}.`, first = (m.first ?? 0) + from;
    for (let i = 0; i < n; i++) {
      tasks[i] = { seq: base + i, taskId: prefix + (first + i), parentId: m.parentTaskId, name: m.taskName, body: m.bodies[from + i]!, queued: i < inMemory };
    }
    let mask: Uint8Array;
    try {
      mask = await h.writes.insert(tasks);
    } catch (e) {
      return refuse("busy", `could not store the batch: ${errorMessage(e)}`);
    } finally {
      this.#reserved -= inMemory;
    }
    if (h.gone()) return refuse("rejected", "instance is no longer owned by this master");
    return this.#admitMapped(tasks, mask, nameIdx, inMemory);
  }

  /** Counts the rows the insert stored and admits those promised memory; returns how many were stored. */
  #admitMapped(tasks: NewTask[], mask: Uint8Array, nameIdx: number, inMemory: number): number {
    const h = this.#h, t = h.core.table, n = tasks.length;
    let stored = 0, admitted = 0;
    for (let i = 0; i < n; i++) if (mask[i]) stored++;
    h.core.counters.add(Int32Array.of(nameIdx), Int32Array.of(stored));
    const fresh: number[] = [];
    for (let i = 0; i < inMemory; i++) if (mask[i]) fresh.push(i);
    if (fresh.length > 0) {
      const handles = new Uint32Array(fresh.length);
      admitted = t.admit(new Int32Array(fresh.length).fill(nameIdx), new Int32Array(fresh.length), fresh.length, handles);
      const now = h.clock.now();
      for (let k = 0; k < admitted; k++) {
        const task = tasks[fresh[k]!]!;
        h.slots.set(handles[k]!, task.seq, task.taskId, task.body, 0, now);
      }
      h.core.queue.pushBatch(handles, admitted);
    }
    if (stored - admitted > 0 && inMemory < n) this.#backlog = true;
    return stored;
  }

  /**
   * B2: map waits (its batch durable already) until the queue and the task
   * table have room for a batch as large as this one — at most half the
   * queue — while room can
   * come. Waiting for a single free slot instead would let the parent's next
   * page find almost no room: nearly all of it would go to the store's
   * backlog, to be claimed back (read again, B10) row by row.
   */
  async #waitForRoom(parent: number, size: number): Promise<void> {
    const q = this.#h.core.queue;
    const want = Math.max(1, Math.min(size, Math.ceil(q.capacity / 2)));
    this.#mapping.set(parent, (this.#mapping.get(parent) ?? 0) + 1);
    try {
      while (this.#room() < want && !this.#onlyMappersHold() && this.#h.active()) {
        await new Promise<void>((r) => this.#waiters.push({ want, wake: r }));
      }
    } finally {
      const left = this.#mapping.get(parent)! - 1;
      if (left === 0) this.#mapping.delete(parent);
      else this.#mapping.set(parent, left);
    }
  }

  /**
   * True when no task out on a worker can end: on every worker holding
   * tasks, either all it holds are parents waiting in map for queue room, or
   * such parents fill every slot it runs this instance's tasks in
   * (min(consumerSize, its slots), M5) — so what it holds besides them (ROOT
   * handed to the master's own worker, say) waits behind them. Then no slot
   * can free (pull mode pulls only into free slots, up to globalConsumerSize),
   * the queue never drains, and waiting would never end. Letting the parents
   * go on is safe: their batches are stored already (B10 claims them later).
   */
  #onlyMappersHold(): boolean {
    const h = this.#h, t = h.core.table, w = h.workers;
    const mappers = new Map<number, number>();
    for (const p of this.#mapping.keys()) {
      const st = t.status(p);
      if (st === PULLED || st === RUNNING) mappers.set(t.workerOf(p), (mappers.get(t.workerOf(p)) ?? 0) + 1);
    }
    for (let i = 0; i < w.size; i++) {
      const held = w.held(i);
      if (held === 0) continue;
      const m = mappers.get(i) ?? 0;
      if (m < held && m < w.capacityOf(i)) return false;
    }
    return true;
  }

  /** Room in memory for mapped rows now: queue and task table, less what inserts in flight were promised. */
  #room(): number {
    const h = this.#h;
    return Math.max(0, Math.min(h.core.table.free, h.core.queue.free) - this.#reserved);
  }

  #slowDown(): boolean {
    const q = this.#h.core.queue;
    if (q.size >= q.capacity * SLOW_DOWN_FILL) return true;
    const l = this.#h.loadProbe.sample();
    return (l.cpuFree !== null && l.cpuFree < SLOW_DOWN_LOAD) || (l.memFree !== null && l.memFree < SLOW_DOWN_LOAD);
  }

  /** After a dispatch round: maps waiting for room go on once there is some, and the backlog is claimed. */
  afterRound(): void {
    if (this.#waiters.length > 0 && (this.#waiters.some((w) => this.#room() >= w.want) || this.#onlyMappersHold())) this.releaseWaiters();
    if (this.#backlog) void this.#feed();
  }

  /** Wakes every map waiting for room (they check again, or end with the cycle). */
  releaseWaiters(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const r of w) r.wake();
  }

  /** After a restart: every INIT row is in the store, none in memory (X3). */
  resumeBacklog(): void {
    this.#backlog = true;
    void this.#feed();
  }

  /** B10: claims INIT rows back from the store, page by page, while memory has room. */
  async #feed(): Promise<void> {
    if (this.#feeding) return;
    this.#feeding = true;
    const h = this.#h;
    try {
      while (this.#backlog && h.active()) {
        const room = Math.min(h.core.table.free, h.core.queue.free) - this.#reserved;
        if (room < Math.min(h.settings.pageSize, h.core.queue.capacity)) break;
        const want = Math.min(room, CLAIM_PAGE);
        this.#reserved += want;
        let rows: TaskRow[];
        try {
          rows = await h.writes.claimInit(want);
        } finally {
          this.#reserved -= want;
        }
        if (rows.length < want) this.#backlog = false;
        this.#admitRows(rows);
      }
    } catch {
      // The write chain already failed the instance (or it was deposed).
    } finally {
      this.#feeding = false;
    }
    h.claimed();
  }

  #admitRows(claimed: readonly TaskRow[]): void {
    const h = this.#h;
    // B28: a kept task back in INIT is claimable in the store but in memory already: admitted again, it would run twice.
    const rows = claimed.filter((r) => !h.adopted(r.seq));
    if (rows.length === 0) return;
    const names = new Int32Array(rows.length), attempts = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      names[i] = h.names.indexOf(rows[i]!.name);
      attempts[i] = rows[i]!.attempt;
    }
    const handles = new Uint32Array(rows.length);
    const k = h.core.table.admit(names, attempts, rows.length, handles);
    const now = h.clock.now();
    for (let i = 0; i < k; i++) {
      const row = rows[i]!;
      h.slots.set(handles[i]!, row.seq, row.taskId, row.body, row.failures ?? 0, now);
      if (row.notBefore != null) h.waitUntil(handles[i]!, row.notBefore);
      else if (names[i] === ROOT) h.dispatchRoot(handles[i]!);
      else h.core.queue.pushBatch(handles.subarray(i, i + 1));
    }
    h.pump();
  }
}
