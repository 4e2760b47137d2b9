// Dispatch speed (B8): dispatchSpeed caps the tasks sent per unit of clock time.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares } from "./processors.ts";

describe("B8 dispatch speed", () => {
  it("B8: dispatchSpeed limits tasks sent per unit of time", async () => {
    const c = await new Cluster({ processors: { sumSquares }, workers: 2 }).start();
    const start = c.clock.now();
    const v = await c.run("sumSquares", { n: 100, ranges: 1 }, { dispatchSpeed: "20/s" });
    expect(v.status).toBe("SUCCESS");
    // 101 sub-tasks at 20/s with a 2-task starting burst: about 5 s of clock time.
    const elapsed = c.clock.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(4900);
    expect(elapsed).toBeLessThan(6500);
    c.close();
  });
});
