import { masterClient } from "../client.ts";
import { follow } from "./follow.ts";
import type { InstanceView } from "../../../src/master/master.ts";

/** Options of `taskmill retry`. */
export interface RetryOptions {
  master: string;
  instance: string;
  wait: boolean;
  token?: string;
}

/**
 * Runs a FAILED instance again over its failed tasks (B26) on the master
 * asked; with `wait`, follows it as `submit --wait` does and returns 0 only
 * on SUCCESS. A refusal (409) prints the master's reason and returns 1.
 */
export async function retry(o: RetryOptions): Promise<number> {
  const client = masterClient(o.master, o.token);
  const r = await client.api.instances[":id"].retry.$post({ param: { id: o.instance }, json: {} });
  const body = await r.json() as Partial<InstanceView> & { error?: string };
  if (r.status !== 200) {
    console.error(`taskmill retry: ${r.status}: ${body.error ?? JSON.stringify(body)}`);
    return 1;
  }
  console.log(JSON.stringify({ event: "retried", instanceId: o.instance, serialNum: body.serialNum }));
  if (!o.wait) return 0;
  return follow({ master: o.master, id: o.instance, token: o.token });
}
