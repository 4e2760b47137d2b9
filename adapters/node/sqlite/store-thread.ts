/**
 * The thread side of ThreadedSqliteStore: opens a SqliteStore in a worker
 * thread and runs the calls posted to it, one at a time in arrival order, so
 * SQLite's work overlaps the master's HTTP and encoding on another core.
 *
 * The caller does not wait for a write before it sends the next (the write
 * chain pipelines them), so two things the chain did between writes happen
 * here: a write of the chain is tried up to `writeAttempts` times before the
 * next call runs (B11; a FencedError is final at once), and status updates
 * that queued up together for one instance go in one transaction (the group
 * commit of B33), each caller answered with that write's outcome.
 */
import { parentPort, workerData } from "node:worker_threads";
import { FencedError } from "../../../src/store/errors.ts";
import type { Fence } from "../../../src/store/task-store.ts";
import type { PackedDispatch } from "../../../src/store/dispatch-records.ts";
import { SqliteStore } from "./sqlite-store.ts";
import type { ResultColumns } from "./sqlite-reads.ts";
import { claimText, resultsText, unpackTasks, unpackUpdates, updateCount, type PackedRows, type PackedUpdates } from "./thread-wire.ts";
import { toWire } from "./wire-errors.ts";
import type { StoreCall, StoreCalls, StoreReplies, StoreReply } from "./threaded-store.ts";

const port = parentPort!;
const data = workerData as { file: string; busyTimeoutMs?: number; writeAttempts: number };
let store: SqliteStore;
try {
  store = new SqliteStore(data.file, { busyTimeoutMs: data.busyTimeoutMs });
  port.postMessage([{ id: 0, ok: true, value: store.file }] satisfies StoreReplies);
} catch (e) {
  port.postMessage([{ id: 0, ok: false, error: toWire(e) }] satisfies StoreReplies);
  process.exit(0);
}

/** The writes the master's write chain makes: tried up to writeAttempts times, as the chain would. */
const CHAIN_WRITES = new Set([
  "insertPacked", "updatePacked", "recordPacked", "replaceDispatches", "failUnfinished",
  "resetForResume", "claimText",
]);

/** Most status updates one merged write carries, as a group of the master's (B33): a longer write delays the calls behind it. */
const MAX_MERGED = 5000;

/** Open `results` iterations, by cursor id: each next() reads one page. */
const cursors = new Map<number, Iterator<ResultColumns[]>>();

/** Runs one call (or, for updatePacked, the batches of several) on the store. */
async function run(method: string, args: unknown[], merged: readonly PackedUpdates[]): Promise<unknown> {
  switch (method) {
    case "insertPacked": {
      const { tasks, bodies } = unpackTasks(args[1] as PackedRows);
      return store.insertChecked(args[0] as Fence, tasks, bodies);
    }
    case "updatePacked": {
      const u = unpackUpdates(merged);
      return store.updateChecked(args[0] as Fence, u.updates, u.results, u.failures);
    }
    case "claimText":
      return claimText(store.claimColumns(args[0] as Fence, args[1] as number));
    case "recordPacked":
      return store.recordPacked(args[0] as Fence, args[1] as PackedDispatch);
    case "resultsOpen": {
      const [cursor, instanceId, pageSize] = args as [number, string, number];
      cursors.set(cursor, store.resultColumnPages(instanceId, pageSize));
      return null;
    }
    case "resultsNext": {
      // One page per message, as one JSON text.
      const [cursor] = args as [number];
      const r = cursors.get(cursor)?.next();
      if (r === undefined || r.done) {
        cursors.delete(cursor);
        return { text: "[]", done: true };
      }
      return { text: resultsText(r.value), done: false };
    }
    case "resultsClose": {
      const [cursor] = args as [number];
      cursors.get(cursor)?.return?.();
      cursors.delete(cursor);
      return null;
    }
    default: {
      const fn = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
      if (typeof fn !== "function") throw new Error(`store thread: no method ${method}`);
      return fn.apply(store, args);
    }
  }
}

/** Runs a call, retrying a chain write (never past a FencedError). */
async function attempt(call: StoreCall, merged: readonly PackedUpdates[]): Promise<StoreReply> {
  const tries = CHAIN_WRITES.has(call.method) ? data.writeAttempts : 1;
  let error: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return { id: call.id, ok: true, value: await run(call.method, call.args, merged) };
    } catch (e) {
      error = e;
      if (e instanceof FencedError) break;
    }
  }
  return { id: call.id, ok: false, error: toWire(error) };
}

/** Same instance, same token. */
function sameFence(a: unknown, b: unknown): boolean {
  const x = a as Fence;
  const y = b as Fence;
  return x.instanceId === y.instanceId && x.token === y.token;
}

/** Calls received and not yet run, in arrival order. */
const queue: StoreCall[] = [];
let draining = false;

/**
 * Runs the queued calls in order; status updates next to each other for one
 * fence go as one write. Each answer goes back as soon as its call is done,
 * so a claim or an insert the master waits for does not wait for the calls
 * queued behind it.
 */
async function drain(): Promise<void> {
  let i = 0;
  while (i < queue.length) {
    const call = queue[i]!;
    let merged: PackedUpdates[] = [];
    let end = i + 1;
    if (call.method === "updatePacked") {
      merged = [call.args[1] as PackedUpdates];
      let rows = updateCount(merged[0]!);
      while (end < queue.length && queue[end]!.method === "updatePacked" && sameFence(queue[end]!.args[0], call.args[0])) {
        const next = queue[end]!.args[1] as PackedUpdates;
        if (rows + updateCount(next) > MAX_MERGED) break;
        rows += updateCount(next);
        merged.push(next);
        end++;
      }
    }
    const reply = await attempt(call, merged);
    const replies: StoreReplies = [];
    for (let k = i; k < end; k++) replies.push({ ...reply, id: queue[k]!.id });
    // insertTasks' mask (a byte per task) is handed over, not copied.
    const v = reply.ok ? reply.value : undefined;
    post(replies, v instanceof Uint8Array && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? [v.buffer as ArrayBuffer] : []);
    i = end;
    if (call.method === "close") {
      port.close();
      return;
    }
  }
  queue.length = 0;
  draining = false;
}

/** Posts answers; one whose value cannot be cloned (DataCloneError) becomes that error, the others still go. */
function post(replies: StoreReplies, transfer: ArrayBuffer[]): void {
  try {
    port.postMessage(replies, transfer);
  } catch {
    for (const r of replies) {
      try {
        port.postMessage([r]);
      } catch (e) {
        port.postMessage([{ id: r.id, ok: false, error: toWire(e) }] satisfies StoreReplies);
      }
    }
  }
}

// Calls are run on the next turn, so those that arrived together (all those posted
// while SQLite was busy with the last ones) are seen together and like updates merged.
port.on("message", (calls: StoreCalls) => {
  for (const c of calls) queue.push(c);
  if (!draining) {
    draining = true;
    setImmediate(() => void drain());
  }
});
