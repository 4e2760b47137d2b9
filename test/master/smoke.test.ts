import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares } from "./processors.ts";

describe("a MapReduce job end to end", () => {
  it("B16: two map levels reduce to the known answer", async () => {
    const c = await new Cluster({ processors: { sumSquares } }).start();
    const v = await c.run("sumSquares", { n: 1000, ranges: 10 });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(1000), count: 1000 });
    expect(v.progress?.names.NUM).toEqual({ total: 1000, init: 0, pulled: 0, running: 0, success: 1000, failed: 0 });
    c.close();
  });
});
