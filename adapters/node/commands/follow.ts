import { masterClient, readEvents } from "../client.ts";
import { ProgressBars } from "../progress-bars.ts";
import { failureLines } from "../failure-lines.ts";
import type { InstanceProgress } from "../../../src/master/index.ts";
import type { InstanceView } from "../../../src/master/master.ts";

/**
 * Follows an instance to its end over its event stream with live progress
 * bars, then prints its status, result, task count and — when tasks failed
 * for good — their count and first errors. Returns 0 only on SUCCESS.
 */
export async function follow(o: { master: string; id: string; token?: string }): Promise<number> {
  const { id } = o;
  const client = masterClient(o.master, o.token);
  const bars = new ProgressBars();
  let final: InstanceView | null = null;
  const headers: Record<string, string> = o.token ? { authorization: `Bearer ${o.token}` } : {};
  const t0 = performance.now();
  // A stream can end early when the instance changes masters (its owner died and another took it
  // over, X3): the view then still says RUNNING, and the stream is opened again, from wherever it runs now.
  for (;;) {
    try {
      const events = await fetch(`${o.master}/api/instances/${encodeURIComponent(id)}/events`, { headers });
      await readEvents(events, (event, data) => {
        const p = JSON.parse(data) as InstanceProgress & InstanceView;
        if (event === "done") final = p;
        const names = p.names ?? p.progress?.names;
        if (names) bars.render({ ...p, names, workers: p.workers ?? p.progress?.workers ?? {} });
      });
    } catch {
      // The stream was cut (the owner it was forwarded from died): the view below says what now.
    }
    if (final && (final as InstanceView).status !== "RUNNING") break;
    const r = await client.api.instances[":id"].$get({ param: { id } });
    final = await r.json() as unknown as InstanceView;
    if (r.status !== 200 || (final as InstanceView).status !== "RUNNING") break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const v = final as unknown as InstanceView;
  const seconds = (performance.now() - t0) / 1000;
  const tasks = v.progress ? Object.values(v.progress.names).reduce((a, n) => a + n.total, 0) : 0;
  console.log(`status: ${v.status}`);
  console.log(`result: ${JSON.stringify(v.result)}`);
  console.log(`tasks:  ${tasks} in ${seconds.toFixed(2)} s`);
  for (const line of failureLines(v)) console.log(line);
  return v.status === "SUCCESS" ? 0 : 1;
}
