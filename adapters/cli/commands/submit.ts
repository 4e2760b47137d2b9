import { follow } from "./watch.ts";
import type { MasterCalls } from "../master-calls.ts";
import type { Output } from "../output.ts";

/** Options of `taskmill submit`. */
export interface SubmitOptions {
  calls: MasterCalls;
  processor: string;
  settings?: Record<string, unknown>;
  params?: unknown;
  /** `--id KEY`: the instance id, a create-once key (L8). */
  instanceId?: string;
  wait: boolean;
  /** How long `wait` keeps trying while no master answers, ms. */
  reattachMs?: number;
  io: Output;
}

/**
 * Submits an instance and prints `{"event":"submitted","instanceId":…}`;
 * with `wait`, follows it (re-attaching across a master restart, L6) and
 * returns 0 only on SUCCESS. With `instanceId` (L8), a master that already
 * has that instance with the same processor, params and settings answers
 * 200 instead of 201: both mean it is there.
 */
export async function submit(o: SubmitOptions): Promise<number> {
  const json: { processor: string; settings?: Record<string, unknown>; params?: never; instanceId?: string } = { processor: o.processor };
  if (o.settings !== undefined) json.settings = o.settings;
  if (o.params !== undefined) json.params = o.params as never;
  if (o.instanceId !== undefined) json.instanceId = o.instanceId;
  const a = await o.calls.call<{ instanceId: string }>((c) => c.api.instances.$post({ json }), [200, 201]);
  const id = a.body.instanceId;
  o.io.out(JSON.stringify({ event: "submitted", instanceId: id, created: a.status === 201 }));
  if (!o.wait) return 0;
  return follow({ calls: o.calls, id, io: o.io, cmd: "submit", reattachMs: o.reattachMs, reached: true });
}
