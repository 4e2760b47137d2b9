// Starts a gated job and reads back what the master sent for it: shared by the tests
// that drive one task at a time (status reports, completion, progress, liveness).
import type { Cluster } from "./harness.ts";
import { recordRequests } from "./recording.ts";
import { tasksOf } from "../../src/protocol/columns.ts";

/** Starts a gated job and returns its running CHILD task specs as sent to workers. */
export async function startGated(c: Cluster, n: number, settings: Record<string, unknown> = {}) {
  const rec = recordRequests(c.network, c.workers);
  const id = await c.master.submit({ processor: "job", params: { n }, settings: { execOnMaster: false, ...settings } });
  await c.clock.advance(1);
  const tasks = rec.ofType("start").flatMap((s) => tasksOf(s.msg.tasks).filter((t) => t.name === "CHILD").map((t) => ({ ...t, to: s.to })));
  return { id, rec, tasks };
}
