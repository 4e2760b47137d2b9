/**
 * GET /api/instances/:id/events: an instance's progress as Server-Sent
 * Events (`progress` while it runs, then `done`), bounded (H8, H9). Each
 * open stream holds a socket, a progress listener and a completion waiter,
 * so the streams are capped, each keeps its connection visibly alive with a
 * comment line (proxies and load balancers cut connections idle for 30-60 s,
 * and an instance may report nothing for longer), and a client that leaves
 * takes its listener and waiter with it.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { Master } from "../master/master.ts";
import { RealClock, type Clock } from "../runtime/clock.ts";
import { expectInt } from "../errors/validate.ts";
import { fail, zodHook } from "./errors.ts";
import { eventsRoute } from "./api-routes.ts";
import { forward, ownerUrl } from "./forward.ts";

/** Options of the event streams. */
export interface EventStreamOptions {
  /** Streams open at once at most; one more gets 429 with Retry-After. @default 1000 */
  maxEventStreams?: number;
  /** A `: keepalive` comment line is sent after this long without an event, ms. @default 15000 */
  keepAliveMs?: number;
  /** Times the keepalives. @default the real clock */
  clock?: Clock;
}

/** What a stream waits for next: a progress event, the keepalive, or its end. */
type Next = { kind: "progress"; data: string } | { kind: "keepalive" };

/** How long a client refused for the stream cap is told to wait, seconds. */
const RETRY_AFTER_S = 5;

/** The event-stream route of the user API, for `master`; `relay` forwards to another master's owner (X3). */
export function eventRoutes(master: Master, relay: { timeoutMs: number; fetch?: typeof fetch }, o: EventStreamOptions = {}) {
  const max = expectInt("maxEventStreams", o.maxEventStreams ?? 1000, 1);
  const keepAliveMs = expectInt("keepAliveMs", o.keepAliveMs ?? 15_000, 1, 2 ** 31 - 1);
  const clock = o.clock ?? new RealClock();
  /** Streams this master serves now (those it forwards are counted by their owner). */
  let open = 0;

  /** Sends progress until the instance ends or the client leaves; the caller cleans up. */
  async function follow(stream: SSEStreamingApi, id: string, left: AbortSignal): Promise<void> {
    const queue: Next[] = [];
    let wake: (() => void) | null = null;
    const push = (n: Next) => { queue.push(n); wake?.(); };
    const stop = master.watch(id, (p) => push({ kind: "progress", data: JSON.stringify(p) }));
    let timer = clock.setTimeout(function beat() { push({ kind: "keepalive" }); timer = clock.setTimeout(beat, keepAliveMs); }, keepAliveMs);
    let final: string | null = null;
    // Rejected when the client leaves (the waiter is then gone): nothing more to send.
    void master.waitFor(id, { signal: left }).then((v) => { final = JSON.stringify(v); wake?.(); }, () => undefined);
    left.addEventListener("abort", () => wake?.(), { once: true });
    try {
      while (!left.aborted) {
        while (queue.length > 0 && !left.aborted) {
          const n = queue.shift()!;
          if (n.kind === "keepalive") await stream.write(": keepalive\n\n");
          else await stream.writeSSE({ event: "progress", data: n.data });
        }
        if (final !== null || left.aborted) break;
        await new Promise<void>((r) => { wake = r; });
        wake = null;
      }
      if (final !== null && !left.aborted) {
        await stream.writeSSE({ event: "progress", data: final });
        await stream.writeSSE({ event: "done", data: final });
      }
    } finally {
      stop();
      clock.clearTimeout(timer);
    }
  }

  return new OpenAPIHono({ defaultHook: zodHook }).openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const owner = await ownerUrl(master, id, c);
    if (owner) {
      const r = await forward(c, master, owner, relay).catch(() => null);
      // The owner's stream of this same route (X3).
      if (r?.status === 200) return r as never;
    }
    const first = await master.get(id);
    if (!first) return fail(c, 404, `unknown instance: ${id}`, "id");
    if (open >= max) {
      c.header("Retry-After", String(RETRY_AFTER_S));
      return fail(c, 429, `events: Expected fewer than ${max} open event streams on this master (its cap, maxEventStreams), got ${open}; watch again later`, "events");
    }
    open++;
    const leave = new AbortController();
    // An event stream, which the route documents as text/event-stream.
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => leave.abort(new Error("the client left")));
      try {
        await stream.writeSSE({ event: "progress", data: JSON.stringify(first) });
        if (first.status === "RUNNING") await follow(stream, id, leave.signal);
      } finally {
        open--;
        // Ended on our side (done, or the instance ended): the waiter, if any, goes too.
        leave.abort(new Error("the stream ended"));
      }
    });
  });
}
