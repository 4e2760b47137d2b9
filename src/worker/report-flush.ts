/**
 * Sends a worker's status reports to one master in batches (B11): RUNNING
 * for the runs still going after a few microtask turns, final reports as
 * they come, a batch resent after a network failure, halved when the master
 * finds it too large, and put back for the next incarnation when the master
 * restarted (B28) — or dropped when it superseded us (B30).
 */
import type { LoadReport, NackCode, ReportBatch, RidingBatch, TaskReport, TaskSpec, WorkerRef } from "../protocol/messages.ts";
import type { Refusal } from "../protocol/replies.ts";
import { TransportError, type Transport } from "../protocol/transport.ts";
import type { Link } from "./master-link.ts";
import { reportColumns } from "../protocol/columns.ts";
import type { Pool } from "./pool.ts";

/** Microtask turns a flush waits before taking its batch: enough for an async `process` that returns at once. */
const SETTLE_TURNS = 8;

/** What flushing needs of its worker. */
export interface FlushHost {
  readonly transport: Transport;
  readonly maxReportBatch: number;
  readonly maxReportBytes: number;
  readonly requestTimeoutMs: number;
  readonly retryMs: number;
  /** Whether the worker stopped. */
  closed(): boolean;
  pools(): Iterable<Pool>;
  ref(link: Link): WorkerRef;
  load(): LoadReport;
  sleep(ms: number): Promise<void>;
  /** The master refused incarnation `sent` (B28, B30). */
  refusedAs(link: Link, sent: number, code: "unregistered" | "superseded"): Promise<void>;
  /** Queues one report of a pool's task. */
  report(p: Pool, t: TaskSpec, status: TaskReport["status"]): void;
  /** B36: moves the link's reports of pools another master took over to that master's link. */
  strays(link: Link): void;
  /** W4: takes a batch that rode on a report's reply, sent as incarnation `sent`; a refusal says why not. */
  accept(link: Link, sent: number, batch: RidingBatch): Refusal | null;
}

/** Sends what waits for `link` until nothing does (one flush at a time per link). */
export async function flushReports(h: FlushHost, link: Link): Promise<void> {
  if (link.flushing || h.closed()) return;
  link.flushing = true;
  try {
    let maxBytes = h.maxReportBytes;
    while ((link.reports.size > 0 || link.ackOwed || hasUnreported(h, link)) && !h.closed()) {
      // A few microtask turns first: a task that ends at once then sends only its final
      // report, and RUNNING goes out for the tasks still running after them (B11).
      for (let i = 0; i < SETTLE_TURNS; i++) await Promise.resolve();
      reportRunning(h, link);
      if (link.reports.size === 0 && !link.ackOwed) continue;
      const batch = link.reports.take(h.maxReportBatch, maxBytes);
      link.sending = batch;
      // W4: every report names the last riding batch received, and the refused ones until a reply says they arrived.
      const nacks = link.nacks;
      link.nacks = [];
      link.ackOwed = false;
      try {
        const sent = link.incarnation;
        const msg: ReportBatch = { type: "report", worker: h.ref(link), load: h.load(), reports: reportColumns(batch) };
        if (link.lastBatch > 0) msg.ack = link.lastBatch;
        if (nacks.length > 0) msg.nacks = nacks;
        const r = await h.transport.request(link.address, msg, { timeoutMs: h.requestTimeoutMs })
          .catch((e: unknown) => { unsent(link, nacks); throw e; })
          .finally(() => { link.sending = []; });
        // Reports the master will take when sent again carry the acknowledgements again; a protocol error's do not,
        // or the flush would send them for ever.
        if (!r.ok && (r.code === "busy" || r.code === "too_large")) unsent(link, nacks);
        if (r.ok) {
          maxBytes = h.maxReportBytes;
          if (r.batches !== undefined) received(h, link, sent, r.batches);
        } else if (r.code === "unregistered") {
          // B28: the reports go again once registered: the master adopts their tasks first.
          link.reports.restore(batch);
          await h.refusedAs(link, sent, r.code);
        } else if (r.code === "superseded") {
          // B30: the batch is dropped with the rest of the superseded incarnation's work.
          await h.refusedAs(link, sent, r.code);
        } else if (r.code === "busy") {
          // Not stored (B33): keep the reports and send them again; a resend after a
          // lost answer is refused as a duplicate by (taskId, attempt), without harm.
          link.reports.restore(batch);
          await h.sleep(r.retryAfterMs ?? h.retryMs);
        } else if (r.code === "too_large") {
          // Over the master's body limit: send smaller batches; a single report that is
          // still too large fails its own task, not the batch (docs/behaviour.md, B11).
          if (batch.length > 1) {
            link.reports.restore(batch);
            const bytes = batch.reduce((a, x) => a + link.reports.bytesOf(x), 0);
            maxBytes = Math.max(1024, Math.floor(bytes / 2));
          } else {
            const only = batch[0]!;
            link.reports.add({ ...only, status: "FAILED", result: `result too large for the master: ${r.error}` }, 100);
          }
        }
        // Any other refusal (bad request) is a protocol error: resending the same batch cannot help.
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        link.reports.restore(batch);
        // B36: a batch that went to a master gone since may name pools another master adopted.
        h.strays(link);
        await h.sleep(h.retryMs);
      }
    }
  } finally {
    link.flushing = false;
  }
}

/** W4: a report carrying acknowledgements got no answer: they go again with the next. */
function unsent(link: Link, nacks: Array<[number, NackCode, string]>): void {
  if (nacks.length > 0) link.nacks = [...nacks, ...link.nacks];
  if (link.lastBatch > 0) link.ackOwed = true;
}

/** W4: takes the batches that rode on a report's reply — each id once, however often it comes — and owes their acknowledgement. */
function received(h: FlushHost, link: Link, sent: number, batches: readonly RidingBatch[]): void {
  for (const b of batches) {
    if (b.id <= link.lastBatch) continue;
    link.lastBatch = b.id;
    link.ackOwed = true;
    const no = h.accept(link, sent, b);
    if (no !== null) link.nacks.push([b.id, no.code === "params_needed" || no.code === "rejected" ? no.code : "not_running", no.error.slice(0, 4096)]);
  }
}

/** Whether a pool of this master has runs whose RUNNING report is still to be made. */
function hasUnreported(h: FlushHost, link: Link): boolean {
  for (const p of h.pools()) if (p.master === link.address && p.unreported.length > 0) return true;
  return false;
}

/** Adds RUNNING reports for the runs started since the last flush that are still running. */
function reportRunning(h: FlushHost, link: Link): void {
  for (const p of h.pools()) {
    if (p.master !== link.address || p.unreported.length === 0) continue;
    const runs = p.unreported;
    p.unreported = [];
    if (p.closed.signal.aborted) continue;
    for (const run of runs) if (p.running.get(run.task.taskId) === run) h.report(p, run.task, "RUNNING");
  }
}
