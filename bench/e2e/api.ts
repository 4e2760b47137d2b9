// The master's user API as the e2e bench uses it: plain fetch over HTTP, as
// any client would (POST /api/instances, GET /api/instances/:id, the SSE
// stream /api/instances/:id/events, POST /api/instances/:id/kill).
import { readEvents } from "../../adapters/node/client.ts";
import type { WorkerCounts, NameCounts } from "../../src/core/types.ts";
import type { JsonValue } from "../../src/protocol/messages.ts";

/** GET /api/instances/:id, as far as the bench reads it. */
export interface View {
  instanceId: string;
  status: "RUNNING" | "SUCCESS" | "FAILED";
  result: JsonValue;
  createdAt: number;
  finishedAt: number | null;
  progress: { names: Record<string, NameCounts>; workers: Record<string, WorkerCounts> } | null;
}

/** Submits an instance; throws with the master's answer unless it is created. */
export async function submit(url: string, processor: string, params: JsonValue, settings: Record<string, JsonValue>): Promise<string> {
  const res = await fetch(`${url}/api/instances`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ processor, params, settings }),
  });
  const body = await res.json() as { instanceId?: string; error?: string };
  if (res.status !== 201 || !body.instanceId) throw new Error(`e2e: submit ${processor} refused: ${res.status} ${JSON.stringify(body)}`);
  return body.instanceId;
}

/** The instance now (live counters while it runs). */
export async function view(url: string, id: string): Promise<View> {
  const res = await fetch(`${url}/api/instances/${id}`);
  if (res.status !== 200) throw new Error(`e2e: GET instance ${id}: ${res.status} ${await res.text()}`);
  return await res.json() as View;
}

/** Kills a running instance. */
export async function kill(url: string, id: string, reason: string): Promise<void> {
  const res = await fetch(`${url}/api/instances/${id}/kill`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reason }),
  });
  if (res.status !== 200) throw new Error(`e2e: kill ${id}: ${res.status} ${await res.text()}`);
}

/**
 * Follows the instance's event stream until its `done` event and returns the
 * final view with the moment (performance.now()) the bench received it.
 * Throws when the stream ends without one or `timeoutMs` passes.
 */
export async function waitDone(url: string, id: string, timeoutMs: number): Promise<{ view: View; receivedAt: number }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let done: { view: View; receivedAt: number } | undefined;
  try {
    const res = await fetch(`${url}/api/instances/${id}/events`, { signal: abort.signal });
    if (res.status !== 200) throw new Error(`e2e: events of ${id}: ${res.status} ${await res.text()}`);
    await readEvents(res, (event, data) => {
      const v = JSON.parse(data) as View;
      // The first event of a stream opened after the end is already final.
      if (event === "done" || (done === undefined && v.status !== "RUNNING" && v.finishedAt !== undefined)) done = { view: v, receivedAt: performance.now() };
    });
  } catch (e) {
    if (abort.signal.aborted) {
      const last = await view(url, id).catch(() => null);
      throw new Error(`e2e: instance ${id} not done within ${timeoutMs / 1000} s; last view: ${JSON.stringify(last)}`);
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
  if (!done) throw new Error(`e2e: the event stream of ${id} ended before the instance did`);
  return done;
}
