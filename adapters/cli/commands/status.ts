import { failureLines } from "../failure-lines.ts";
import type { MasterCalls } from "../master-calls.ts";
import type { Output } from "../output.ts";
import type { InstanceView } from "../../../src/master/master.ts";

/**
 * Prints one instance (its view as JSON: failedCount and errors included),
 * or the newest instances, one line each, with the failures of those whose
 * tasks failed for good indented below. An unknown id exits 4 (L3).
 */
export async function status(o: { calls: MasterCalls; id?: string; io: Output }): Promise<number> {
  if (o.id !== undefined) {
    const id = o.id;
    const a = await o.calls.call<InstanceView>((c) => c.api.instances[":id"].$get({ param: { id } }));
    o.io.out(JSON.stringify(a.body, null, 2));
    return 0;
  }
  const a = await o.calls.call<{ instances: InstanceView[] }>((c) => c.api.instances.$get({ query: {} }));
  for (const i of a.body.instances) {
    o.io.out(`${i.instanceId}  ${i.status.padEnd(7)}  ${i.processor}  serial ${i.serialNum}  ${JSON.stringify(i.result)?.slice(0, 60) ?? ""}`);
    for (const line of failureLines(i)) o.io.out(`  ${line}`);
  }
  return 0;
}
