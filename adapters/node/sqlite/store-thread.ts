/**
 * The thread side of ThreadedSqliteStore: opens a SqliteStore in a worker
 * thread and runs the calls posted to it, one at a time in arrival order, so
 * SQLite's work overlaps the master's HTTP and encoding on another core.
 */
import { parentPort, workerData } from "node:worker_threads";
import { SqliteStore } from "./sqlite-store.ts";
import { toWire } from "./wire-errors.ts";
import type { ResultRow } from "../../../src/store/task-store.ts";
import type { StoreCall, StoreReply } from "./threaded-store.ts";

const port = parentPort!;
let store: SqliteStore;
try {
  const data = workerData as { file: string; busyTimeoutMs?: number };
  store = new SqliteStore(data.file, { busyTimeoutMs: data.busyTimeoutMs });
  port.postMessage({ id: 0, ok: true, value: store.file } satisfies StoreReply);
} catch (e) {
  port.postMessage({ id: 0, ok: false, error: toWire(e) } satisfies StoreReply);
  process.exit(0);
}

/** Open `results` iterations, by cursor id. */
const cursors = new Map<number, AsyncIterator<ResultRow>>();

async function run(call: StoreCall): Promise<unknown> {
  switch (call.method) {
    case "resultsOpen": {
      const [cursor, instanceId, pageSize] = call.args as [number, string, number | undefined];
      cursors.set(cursor, store.results(instanceId, pageSize)[Symbol.asyncIterator]());
      return null;
    }
    case "resultsNext": {
      // One page per message: the rows the store read with one query, at most `max`.
      const [cursor, max] = call.args as [number, number];
      const it = cursors.get(cursor);
      if (!it) return { rows: [], done: true };
      const rows: ResultRow[] = [];
      while (rows.length < max) {
        const r = await it.next();
        if (r.done) { cursors.delete(cursor); return { rows, done: true }; }
        rows.push(r.value);
      }
      return { rows, done: false };
    }
    case "resultsClose": {
      const [cursor] = call.args as [number];
      const it = cursors.get(cursor);
      cursors.delete(cursor);
      await it?.return?.();
      return null;
    }
    default: {
      const fn = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[call.method];
      if (typeof fn !== "function") throw new Error(`store thread: no method ${call.method}`);
      return fn.apply(store, call.args);
    }
  }
}

let chain: Promise<void> = Promise.resolve();
port.on("message", (call: StoreCall) => {
  chain = chain.then(async () => {
    let reply: StoreReply;
    try {
      const value = await run(call);
      reply = { id: call.id, ok: true, value };
    } catch (e) {
      reply = { id: call.id, ok: false, error: toWire(e) };
    }
    if (call.method === "close") {
      port.postMessage(reply);
      port.close();
      return;
    }
    // insertTasks answers a byte per task: hand its buffer over instead of copying it.
    const v = reply.ok ? reply.value : undefined;
    const whole = v instanceof Uint8Array && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
    port.postMessage(reply, whole ? [v.buffer as ArrayBuffer] : []);
  });
});
