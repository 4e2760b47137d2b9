import type { InstanceView } from "../master/master-types.ts";
import type { InstanceProgress } from "../master/instance/index.ts";
import { ClientError, unreachableError } from "./client-error.ts";
import { serverEvents } from "./sse.ts";

/** How `followInstance` reaches the master: open the event stream, read the view. */
export interface FollowSource {
  /** The master's base URL, for messages. */
  readonly base: string;
  /** Opens the instance's event stream (rejects with a ClientError on an error status or no master). */
  events(id: string, signal?: AbortSignal): Promise<Response>;
  /** The instance's view now. */
  get(id: string, signal?: AbortSignal): Promise<InstanceView>;
}

/** One progress view: the instance's status and its counters per task name and per worker. */
export type ProgressView = InstanceProgress;

/** The progress of a view the stream or GET sent (the first and final events are whole instance views). */
export function progressOf(p: InstanceProgress | InstanceView): ProgressView {
  if ("names" in p && p.names) return p;
  const v = p as InstanceView;
  return { instanceId: v.instanceId, status: v.status, serialNum: v.serialNum, result: v.result, names: v.progress?.names ?? {}, workers: v.progress?.workers ?? {} };
}

/** Waits `ms`, or rejects at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return; }
    const t = setTimeout(() => { signal?.removeEventListener("abort", stop); resolve(); }, ms);
    const stop = () => { clearTimeout(t); reject(signal!.reason); };
    signal?.addEventListener("abort", stop, { once: true });
  });
}

/**
 * Yields an instance's progress until it ends, and returns its final view.
 * A stream can end early — the master restarted, or its owner died and another
 * master took the instance over (X3) — or the master can be out of reach for a
 * while: then the view is read again and, while it is RUNNING, the stream
 * re-opened, with a backoff from 250 ms to 5 s, for up to `reconnectForMs` of
 * failures in a row. Any other error (404, 401, a malformed event…) ends it.
 */
export async function* followInstance(src: FollowSource, id: string, o: { reconnectForMs: number; signal?: AbortSignal }): AsyncGenerator<ProgressView, InstanceView> {
  let failingSince: number | null = null;
  let delay = 250;
  for (;;) {
    try {
      let final: InstanceView | null = null;
      const res = await src.events(id, o.signal);
      failingSince = null;
      delay = 250;
      for await (const e of serverEvents(res)) {
        const data = JSON.parse(e.data) as InstanceProgress | InstanceView;
        if (e.event === "done") { final = data as InstanceView; break; }
        if (e.event !== "progress") continue;
        yield progressOf(data);
        // An ended instance's stream is its view, once, and no `done`: that view is the final one.
        if (data.status !== "RUNNING" && "failedCount" in data) final = data;
      }
      if (final && final.status !== "RUNNING") return final;
      // The stream ended without its end: what the instance is now decides.
      const v = await src.get(id, o.signal);
      if (v.status !== "RUNNING") { yield progressOf(v); return v; }
    } catch (e) {
      if (o.signal?.aborted) throw e;
      // A connection cut mid-stream rejects the read with a TypeError: worth another try, as an unreachable master is.
      const transient = e instanceof ClientError ? e.transient : e instanceof TypeError;
      if (!transient) throw e;
      const now = Date.now();
      failingSince ??= now;
      // Given up: a cut stream is told as an unreachable master is, naming it.
      if (now - failingSince >= o.reconnectForMs) throw e instanceof ClientError ? e : unreachableError(src.base, `${src.base}/api/instances/${encodeURIComponent(id)}/events`, e);
      await pause(delay, o.signal);
      delay = Math.min(delay * 2, 5000);
      continue;
    }
    await pause(delay, o.signal);
  }
}
