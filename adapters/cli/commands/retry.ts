import { follow } from "./watch.ts";
import type { MasterCalls } from "../master-calls.ts";
import type { Output } from "../output.ts";
import type { InstanceView } from "../../../src/master/master.ts";

/** Options of `taskmill retry`. */
export interface RetryOptions {
  calls: MasterCalls;
  instance: string;
  wait: boolean;
  reattachMs?: number;
  io: Output;
}

/**
 * Runs a FAILED instance again over its failed tasks (B26) on the master
 * asked; with `wait`, follows it as `submit --wait` does and returns 0 only
 * on SUCCESS. A refusal (409) prints the master's reason and returns 1; an
 * unknown id returns 4 (L3).
 */
export async function retry(o: RetryOptions): Promise<number> {
  const a = await o.calls.call<Partial<InstanceView>>((c) => c.api.instances[":id"].retry.$post({ param: { id: o.instance }, json: {} }));
  o.io.out(JSON.stringify({ event: "retried", instanceId: o.instance, serialNum: a.body.serialNum }));
  if (!o.wait) return 0;
  return follow({ calls: o.calls, id: o.instance, io: o.io, cmd: "retry", reattachMs: o.reattachMs, reached: true });
}
