// The store backlog (B10): INIT tasks that did not fit in the master's queue wait in the
// store and are claimed back page by page, none twice.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares } from "./processors.ts";
import { instrumentStore } from "./recording.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";

describe("B10 re-dispatch", () => {
  it("B10: INIT tasks that did not fit in memory are claimed back page by page, none twice", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { sumSquares }, store: s.store }).start();
    // One map call of 3,000 bodies with a queue of 50: most rows wait in the store.
    const v = await c.run("sumSquares", { n: 3000, ranges: 1 }, { queueSize: 50, pageSize: 20 });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(3000), count: 3000 });
    expect(s.calls.get("claimInit")!).toBeGreaterThan(10);
    expect(v.progress!.names.NUM).toEqual({ total: 3000, init: 0, pulled: 0, running: 0, success: 3000, failed: 0 });
    c.close();
  });
});

describe("B10 completion after the backlog", () => {
  it("D3: an instance whose last tasks end while a claim of the backlog is in flight completes when that claim comes back empty, not at the next periodic status check", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { sumSquares }, store: s.store }).start();
    // The periodic check is an hour away: only the event-driven checks can end the instance.
    const v = await c.run("sumSquares", { n: 3000, ranges: 1 }, { queueSize: 50, pageSize: 20, statusCheckMs: 3_600_000 });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(3000), count: 3000 });
    expect(v.finishedAt! - v.createdAt).toBeLessThan(60_000);
    c.close();
  });
});
