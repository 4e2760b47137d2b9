/**
 * A pool's pull loop in pull mode (B4): asks its master for at most the
 * pool's free slots, `pageSize` at most, whenever a slot is free; W5: each
 * pull carries the reports waiting for that master, so one exchange returns
 * results and takes work.
 */
import type { Pull, WorkerRef } from "../protocol/messages.ts";
import { TransportError, type Transport } from "../protocol/transport.ts";
import type { Clock } from "../runtime/clock.ts";
import { reportColumns, tasksOf } from "../protocol/columns.ts";
import type { Link } from "./master-link.ts";
import type { Pool } from "./pool.ts";

/** What a pull loop needs of its worker. */
export interface PullHost {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  readonly retryMs: number;
  readonly maxReportBatch: number;
  readonly maxReportBytes: number;
  /** Whether the worker stopped. */
  closed(): boolean;
  /** The link to master `address` (the worker joined it). */
  link(address: string): Link;
  ref(link: Link): WorkerRef;
  /** Starts waiting tasks of the pool while it has free slots. */
  drain(p: Pool): void;
  sleep(ms: number): Promise<void>;
  /** The master refused incarnation `sent` (B28, B30). */
  refusedAs(link: Link, sent: number, code: "unregistered" | "superseded"): Promise<void>;
  /** Sends what waits for `link` soon. */
  scheduleFlush(link: Link): void;
}

/** Pulls for pool `p` until it closes, the worker stops or the master says the pull is over. */
export async function pullLoop(h: PullHost, p: Pool, pageSize: number): Promise<void> {
  // W5: pulls carry the waiting reports — unless the master found a pull too large: then the report flush, which halves its batches, takes them.
  let carry = true;
  while (!p.closed.signal.aborted && !h.closed()) {
    // The pool's master, each time: another may have adopted the pool meanwhile (B36).
    const link = h.link(p.master);
    const free = p.free;
    if (free === 0) {
      await new Promise<void>((r) => { p.wake = r; });
      p.wake = null;
      continue;
    }
    // W5: the reports waiting for this master go with the pull — one exchange returns results and takes work.
    const carried = carry ? link.reports.take(h.maxReportBatch, h.maxReportBytes) : [];
    if (carried.length > 0) link.carried.add(carried);
    let answered = false;
    try {
      const sent = link.incarnation;
      const sentAt = h.clock.now();
      const msg: Pull = { type: "pull", worker: h.ref(link), instanceId: p.spec.instanceId, serialNum: p.spec.serialNum, max: Math.min(free, pageSize) };
      if (carried.length > 0) msg.reports = reportColumns(carried);
      const r = await h.transport.request(p.master, msg, { timeoutMs: h.requestTimeoutMs });
      // Answered: the reports were applied (or refused for good), except when the master asks for them again.
      answered = r.ok || (r.code !== "busy" && r.code !== "unregistered" && r.code !== "too_large");
      if (!r.ok && r.code === "too_large" && carried.length > 0) { carry = false; continue; }
      if (r.ok) {
        if (p.closed.signal.aborted) break;
        p.waiting.pushAll(tasksOf(r.tasks));
        h.drain(p);
        // A master holds an empty pull for pullWaitMs (B4); one answering empty at once is not asked again at once.
        if (r.tasks.handles.length === 0 && h.clock.now() - sentAt < h.retryMs) await h.sleep(h.retryMs);
      } else if (r.code === "unregistered" || r.code === "superseded") {
        await h.refusedAs(link, sent, r.code);
      } else if (r.code === "busy") {
        // Not stored (B33, W5) or not recorded yet (B36): ask again a little later.
        await h.sleep(r.retryAfterMs ?? h.retryMs);
      } else {
        // Not found, stale cycle, not pulling: this pool's pull is over.
        break;
      }
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      await h.sleep(h.retryMs);
    } finally {
      link.carried.delete(carried);
      // Not taken: they go again, with the next pull or report flush (B33, B28).
      if (!answered && carried.length > 0) { link.reports.restore(carried); h.scheduleFlush(link); }
    }
  }
  p.pulling = false;
}
