/**
 * The simulation harness's pure parts, without a browser: its config checks
 * and the verdict that judges a finished run.
 */
import { describe, expect, test } from "vitest";
import { checkConfig, DEFAULT_CONFIG, jobSettings, taskCount } from "../../adapters/browser/ui/sim/config.ts";
import { expectedAnswer } from "../../adapters/browser/ui/sim/processor.ts";
import { verdict, type FinishedRun } from "../../adapters/browser/ui/sim/verdict.ts";
import { resolveSettings } from "../../src/master/settings.ts";

const params = { level1: 3, level2: 4 };
const done = (total: number, failed = 0) => ({ total, init: 0, pulled: 0, running: 0, success: total - failed, failed });
const worker = (success: number, failed = 0) => ({ total: success + failed, pulled: 0, running: 0, success, failed });

function goodRun(): FinishedRun {
  return {
    status: "SUCCESS",
    result: { sum: 66, count: 12 },
    names: { ROOT: done(1), SPLIT: done(3), LEAF: done(12), REDUCE: done(1) },
    workers: { "master#1": worker(2), "w1#2": worker(8), "w2#3": worker(7) },
  };
}

const failing = (run: FinishedRun) => verdict(run, params).checks.filter((c) => !c.ok).map((c) => c.name);

describe("simulation verdict", () => {
  test("V1: the known answer is 0 + 1 + … + (N − 1) over N = level1 × level2 LEAFs", () => {
    expect(expectedAnswer(params)).toEqual({ sum: 66, count: 12 });
    expect(expectedAnswer({ level1: 20, level2: 1000 })).toEqual({ sum: 199_990_000, count: 20_000 });
    expect(taskCount({ level1: 20, level2: 1000 })).toBe(20_022);
  });

  test("V2: a run with exact counters and the known answer passes every check", () => {
    const v = verdict(goodRun(), params);
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.ok).toBe(true);
  });

  test("V3: a LEAF left running, a missing LEAF, or a failed one is named", () => {
    const r = goodRun();
    r.names.LEAF = { ...done(12), running: 1, success: 11 };
    expect(failing(r)).toEqual(["LEAF: success + failed = total", "workers' successes add up to the names' successes"]);
    const missing = goodRun();
    missing.names.LEAF = done(11);
    expect(failing(missing)).toContain("LEAF: total = 12");
    const failed = goodRun();
    failed.status = "FAILED";
    failed.names.LEAF = done(12, 1);
    failed.result = "1 of 17 tasks failed";
    expect(failing(failed)).toEqual([
      "instance status is SUCCESS", "no task failed", "workers' successes add up to the names' successes", "reduce result is the known answer",
    ]);
  });

  test("V5: a run resumed by a new master skips the per-worker sum (its worker counters start at the resume), and says so", () => {
    const r = goodRun();
    r.workers = { "w1#1": worker(9) };
    expect(failing(r)).toEqual(["workers' successes add up to the names' successes"]);
    const v = verdict(r, params, true);
    expect(v.ok).toBe(true);
    expect(v.checks.find((c) => c.skipped)).toMatchObject({ ok: true, detail: expect.stringMatching(/^not checked: resumed .* \(9 vs 17\)$/) });
  });

  test("V4: a wrong reduce result fails the answer check only", () => {
    const r = goodRun();
    r.result = { sum: 65, count: 12 };
    expect(failing(r)).toEqual(["reduce result is the known answer"]);
  });
});

describe("simulation config", () => {
  test("C1: defaults fill what is missing; bad values are refused naming the field", () => {
    expect(checkConfig({})).toEqual(DEFAULT_CONFIG);
    expect(checkConfig({ dispatchSpeed: " 500/s " }).dispatchSpeed).toBe("500/s");
    expect(() => checkConfig({ workers: 0 })).toThrow("workers: Expected an integer from 1 to 32, got 0");
    expect(() => checkConfig({ level2: 1.5 })).toThrow(/^level2: Expected an integer/);
    expect(() => checkConfig({ dispatchMode: "both" as "push" })).toThrow('dispatchMode: Expected "push" or "pull"');
  });

  test("C2: the job settings of a config are valid settings of the master; an empty rate is unlimited", () => {
    const s = resolveSettings(jobSettings(checkConfig({ dispatchSpeed: "", failover: false, route: "worker-load", dispatchMode: "pull" })));
    expect(s).toMatchObject({ dispatchSpeed: null, failover: false, route: "worker-load", dispatchMode: "pull", consumerSize: 10 });
    expect(() => resolveSettings(jobSettings(checkConfig({ dispatchSpeed: "fast" })))).toThrow(/^dispatchSpeed: /);
  });
});
