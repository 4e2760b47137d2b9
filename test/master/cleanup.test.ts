// Cleanup (B18): a finished instance's worker pools are destroyed and its tasks cleared;
// its record and final counters stay.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares } from "./processors.ts";
import { recordRequests } from "./recording.ts";

describe("B18 cleanup", () => {
  it("B18: when done, worker pools are destroyed and the tasks cleared; the record and final counters stay", async () => {
    const c = await new Cluster({ processors: { sumSquares }, workers: 2 }).start();
    const rec = recordRequests(c.network, c.workers);
    const v = await c.run("sumSquares", { n: 20, ranges: 2 });
    const destroyed = new Set(rec.ofType("destroyPool").map((d) => d.to));
    expect(destroyed).toEqual(new Set(["master/worker", ...c.workers.map((w) => w.address)]));
    for (const w of c.workers) expect(w.instances).toEqual([]);
    expect(await c.store.getTask(v.instanceId, "r")).toBeNull();
    const r = await c.store.getInstance(v.instanceId);
    expect(r!.status).toBe("SUCCESS");
    expect(r!.progress!.names.NUM!.success).toBe(20);
    c.close();
  });
});
