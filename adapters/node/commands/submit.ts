import { masterClient, readEvents } from "../client.ts";
import { ProgressBars } from "../progress-bars.ts";
import type { InstanceProgress } from "../../../src/master/index.ts";
import type { InstanceView } from "../../../src/master/master.ts";

/** Options of `taskmill submit`. */
export interface SubmitOptions {
  master: string;
  processor: string;
  settings?: Record<string, unknown>;
  params?: unknown;
  wait: boolean;
  token?: string;
}

/** Submits an instance; with `wait`, shows live progress and returns 0 only on SUCCESS. */
export async function submit(o: SubmitOptions): Promise<number> {
  const client = masterClient(o.master, o.token);
  const res = await client.api.instances.$post({ json: { processor: o.processor, settings: o.settings, params: o.params as never } });
  const body = await res.json() as { instanceId?: string; error?: string };
  if (res.status !== 201 || !body.instanceId) {
    console.error(`taskmill submit: ${res.status}: ${body.error ?? JSON.stringify(body)}`);
    return 1;
  }
  const id = body.instanceId;
  console.log(JSON.stringify({ event: "submitted", instanceId: id }));
  if (!o.wait) return 0;
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
  return v.status === "SUCCESS" ? 0 : 1;
}

/** Prints one instance, or the newest instances. */
export async function status(o: { master: string; id?: string; token?: string }): Promise<number> {
  const client = masterClient(o.master, o.token);
  if (o.id) {
    const r = await client.api.instances[":id"].$get({ param: { id: o.id } });
    const body = await r.json() as { error?: string };
    if (r.status !== 200) {
      console.error(`taskmill status: ${r.status}: ${body.error ?? JSON.stringify(body)}`);
      return 1;
    }
    console.log(JSON.stringify(body, null, 2));
    return 0;
  }
  const r = await client.api.instances.$get({ query: {} });
  const body = await r.json() as { instances?: InstanceView[]; error?: string };
  if (r.status !== 200) {
    console.error(`taskmill status: ${r.status}: ${body.error ?? JSON.stringify(body)}`);
    return 1;
  }
  for (const i of body.instances ?? []) {
    console.log(`${i.instanceId}  ${i.status.padEnd(7)}  ${i.processor}  serial ${i.serialNum}  ${JSON.stringify(i.result)?.slice(0, 60) ?? ""}`);
  }
  return r.status === 200 ? 0 : 1;
}
