// What submit refuses (B19): an unknown or malformed processor and bad settings, each
// naming the field and what was expected; a refused submit creates nothing.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares } from "./processors.ts";
import { ValidationError, UnknownProcessorError } from "../../src/index.ts";

describe("B19 processor check and bad input", () => {
  it("B19: an unknown processor, or one that is neither Map nor MapReduce, is refused at submit; nothing is created", async () => {
    const c = await new Cluster({ processors: { sumSquares } }).start();
    await expect(c.master.submit({ processor: "nope" })).rejects.toThrow(UnknownProcessorError);
    await expect(c.master.submit({ processor: "nope" })).rejects.toThrow("processor: Expected a loaded processor (sumSquares), got \"nope\"");
    expect(() => new Cluster({ processors: { bad: { reduce: () => ({ ok: true }) } as never } })).toThrow(/processors.bad: Expected an object with process/);
    expect(await c.master.list()).toEqual([]);
    c.close();
  });

  it("bad settings name the field and what was expected; nothing is created", async () => {
    const c = await new Cluster({ processors: { sumSquares } }).start();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ pageSize: 0 }, /^pageSize: Expected an integer from 1 to 100000, got 0$/],
      [{ queueSize: -5 }, /^queueSize: Expected an integer/],
      [{ consumerSize: 1.5 }, /^consumerSize: Expected an integer/],
      [{ dispatchers: 201 }, /^dispatchers: Expected an integer from 1 to 200, got 201$/],
      [{ dispatchSpeed: "fast" }, /^dispatchSpeed: Expected a positive rate like "200\/s"/],
      [{ dispatchMode: "shove" }, /^dispatchMode: Expected one of "push", "pull", got "shove"$/],
      [{ route: "random" }, /^route: Expected one of "round-robin", "worker-load"/],
      [{ failover: "yes" }, /^failover: Expected true or false, got "yes"$/],
      [{ every: "often" }, /^every: Expected a positive duration/],
      [{ pagesize: 10 }, /^pagesize: Expected a known setting/],
      [{ targetWorkers: [] }, /^targetWorkers: Expected a non-empty array of worker ids/],
    ];
    for (const [settings, msg] of cases) {
      const e = await c.master.submit({ processor: "sumSquares", settings: settings as never }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message).toMatch(msg);
    }
    expect(await c.master.list()).toEqual([]);
    c.close();
  });
});
