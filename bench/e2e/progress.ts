// Counters read from the live instance view while it runs, timed on the
// bench's clock: a sample's moment is the midpoint of its GET request, so the
// request's own time splits evenly either side of it.
import { view, type View } from "./api.ts";

/** One reading of an instance's counters. */
export interface Sample {
  /** performance.now() at the midpoint of the request. */
  at: number;
  view: View;
}

/** Reads the instance now. */
export async function sample(url: string, id: string): Promise<Sample> {
  const t0 = performance.now();
  const v = await view(url, id);
  return { at: (t0 + performance.now()) / 2, view: v };
}

/** Tasks of `name` handed to workers so far: pulled + running + success + failed (total − init). */
export function dispatched(v: View, name: string): number {
  const c = v.progress?.names[name];
  return c ? c.pulled + c.running + c.success + c.failed : 0;
}

/** Tasks of `name` that succeeded so far. */
export function succeeded(v: View, name: string): number {
  return v.progress?.names[name]?.success ?? 0;
}

/** Pulled + running held by every incarnation of worker `workerId` (keys "ID#incarnation"). */
export function held(v: View, workerId: string): number {
  let n = 0;
  for (const [key, c] of Object.entries(v.progress?.workers ?? {})) if (key.startsWith(`${workerId}#`)) n += c.pulled + c.running;
  return n;
}

/** Samples every `everyMs` until `until(sample)` is true; throws after `timeoutMs` or when the instance ends first. */
export async function sampleUntil(url: string, id: string, until: (s: Sample) => boolean, what: string, everyMs: number, timeoutMs: number): Promise<Sample> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const s = await sample(url, id);
    if (until(s)) return s;
    if (s.view.status !== "RUNNING") throw new Error(`e2e: instance ${id} ended ${s.view.status} before ${what}: ${JSON.stringify(s.view.result)}`);
    if (performance.now() > end) throw new Error(`e2e: no ${what} within ${timeoutMs / 1000} s; last view: ${JSON.stringify(s.view.progress)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
