import { masterClient } from "../client.ts";
import { failureLines } from "../failure-lines.ts";
import { follow } from "./follow.ts";
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
  return follow({ master: o.master, id, token: o.token });
}

/**
 * Prints one instance (its view as JSON: failedCount and errors included),
 * or the newest instances, one line each, with the failures of those whose
 * tasks failed for good indented below.
 */
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
    for (const line of failureLines(i)) console.log(`  ${line}`);
  }
  return r.status === 200 ? 0 : 1;
}
