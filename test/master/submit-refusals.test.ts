// What submit refuses (B19): an unknown or malformed processor and bad settings, each
// naming the field and what was expected; a refused submit creates nothing.
import { describe, it, expect } from "vitest";
import { resolveSettings } from "../../src/master/settings.ts";
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
      // B21-B25: the failure settings, and durations bounded by what a timer can wait.
      [{ taskMaxAttempts: 0 }, /^taskMaxAttempts: Expected an integer from 1 to 1000, got 0$/],
      [{ taskRetryDelay: "soon" }, /^taskRetryDelay: Expected a positive duration in ms or like "250ms", "30s", "5m", "1h", "7d", at most 24d, got "soon"$/],
      [{ taskRetryBackoff: "linear" }, /^taskRetryBackoff: Expected one of "fixed", "exponential", got "linear"$/],
      [{ taskRetryDelayMax: "25d" }, /^taskRetryDelayMax: Expected .* at most 24d, got "25d"$/],
      [{ taskTimeout: 0 }, /^taskTimeout: Expected a positive duration/],
      [{ timeout: "30 days" }, /^timeout: Expected a positive duration/],
      [{ maxFailedTasks: "101%" }, /^maxFailedTasks: Expected a number of tasks, or a percentage like "1%", got "101%"$/],
      [{ maxFailedTasks: -1 }, /^maxFailedTasks: Expected an integer/],
      [{ failFast: 1 }, /^failFast: Expected true or false, got 1$/],
      [{ retainTasks: "some" }, /^retainTasks: Expected one of "failed", "all", "none", got "some"$/],
      [{ retainFor: "0s" }, /^retainFor: Expected a positive duration/],
      [{ every: "720h" }, /^every: Expected .* from 10ms to 24d, got "720h"$/],
      [{ every: 5 }, /^every: Expected .* from 10ms to 24d, got 5$/],
      [{ workerWaitMs: 3e9 }, /^workerWaitMs: Expected an integer from 0 to 2147483647, got 3000000000$/],
      // Names of Object.prototype are no settings.
      [{ constructor: 1 }, /^constructor: Expected a known setting/],
      [JSON.parse('{"__proto__": {"pageSize": 0}}') as Record<string, unknown>, /^__proto__: Expected a known setting/],
      [{ toString: "x" }, /^toString: Expected a known setting/],
    ];
    for (const [settings, msg] of cases) {
      const e = await c.master.submit({ processor: "sumSquares", settings: settings as never }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message).toMatch(msg);
    }
    expect(await c.master.list()).toEqual([]);
    c.close();
  });

  it("B21-B25: durations take days; the failure settings resolve to their defaults, and to what is given", () => {
    const d = resolveSettings({});
    expect([d.taskMaxAttempts, d.taskRetryDelay, d.taskRetryBackoff, d.taskRetryDelayMax, d.taskTimeout, d.timeout, d.maxFailedTasks, d.failFast, d.retainTasks, d.retainFor])
      .toEqual([1, 1000, "exponential", 300_000, null, null, 0, false, "failed", 7 * 86_400_000]);
    const s = resolveSettings({ every: "2d", taskTimeout: "90s", timeout: "1.5h", maxFailedTasks: " 2.5 % ", retainFor: "30d" });
    expect([s.every, s.taskTimeout, s.timeout, s.maxFailedTasks, s.retainFor]).toEqual([2 * 86_400_000, 90_000, 5_400_000, "2.5%", 30 * 86_400_000]);
    // Resolved settings are stored with the instance and resolved again on resume: they resolve to themselves.
    expect(resolveSettings(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });
});
