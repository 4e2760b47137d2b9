/**
 * What the operations console computes without a browser: each worker's bar
 * as its share of the tasks done, task counts that name what they count, and
 * an ended instance's charts from its stored tasks or its final counts.
 */
import { describe, expect, test } from "vitest";
import { workersToRows } from "../../adapters/browser/ui/components/rows.ts";
import { fromCounts, fromTasks } from "../../adapters/browser/ui/dashboard/chart-data.ts";
import { taskCounts } from "../../adapters/browser/ui/dashboard/format-result.ts";

const worker = (success: number, failed: number, held: number) => ({ total: success + failed + held, pulled: held, running: 0, success, failed });

describe("console data", () => {
  test("D10: a worker's bar is its share of the tasks done, not done over what it was handed: two workers that each finished 49 of the 50 they hold of 200 show 50 % each, their held counts beside", () => {
    const rows = workersToRows({ "w2#1": worker(49, 0, 51), "w1#1": worker(48, 1, 51) });
    expect(rows.map((r) => [r.label, r.text])).toEqual([
      ["w1#1", "49 done (50 % of done) · 51 held"],
      ["w2#1", "49 done (50 % of done) · 51 held"],
    ]);
    // The bars' widths are over every task done, so together they fill the bar once.
    for (const r of rows) expect(r.of).toBe(98);
    expect(rows.reduce((s, r) => s + r.success + r.failed, 0)).toBe(rows[0]!.of);
  });

  test("D6: task counts name what they count: every task ended, and the sub-tasks (all but ROOT and REDUCE) a failed count is out of", () => {
    const n = (total: number, success: number, failed: number) => ({ total, init: 0, pulled: 0, running: total - success - failed, success, failed });
    const c = taskCounts({ names: { ROOT: n(1, 1, 0), T: n(211, 210, 1), REDUCE: n(1, 1, 0) }, workers: {} });
    expect(c).toEqual({ total: 213, ended: 213, success: 212, failed: 1, subTasks: 211 });
    expect(taskCounts(null)).toEqual({ total: 0, ended: 0, success: 0, failed: 0, subTasks: 0 });
  });

  test("D7: an ended instance's charts from its tasks' end times: rates per point add up to the tasks, % done per name climbs to 100; from final counts alone, the average rate and the final % done", () => {
    const start = 1_000_000;
    // 40 T tasks ending over 4 s (10 a second, the last 4 failed), ROOT at once.
    const tasks = [{ name: "ROOT", status: "SUCCESS" as const, updatedAt: start + 10 }];
    for (let i = 0; i < 40; i++) tasks.push({ name: "T", status: (i >= 36 ? "FAILED" : "SUCCESS") as "SUCCESS", updatedAt: start + 100 * i + 50 });
    const { throughput, percent } = fromTasks({ createdAt: start, finishedAt: start + 4000 }, tasks);
    const width = (throughput.t[1]! - throughput.t[0]!);
    const sum = (k: string) => throughput.lines[k]!.reduce<number>((s, x) => s + (x ?? 0), 0) * width;
    expect(Math.round(sum("succeeded/s"))).toBe(37);
    expect(Math.round(sum("failed/s"))).toBe(4);
    const t = percent.lines.T!;
    for (let i = 1; i < t.length; i++) expect(t[i] ?? 0).toBeGreaterThanOrEqual(t[i - 1] ?? 0);
    expect(t[t.length - 1]).toBe(100);
    expect(percent.lines.ROOT![0]).toBe(100);

    const counts = fromCounts({ createdAt: start, finishedAt: start + 4000, progress: { names: { T: { total: 40, init: 0, pulled: 0, running: 0, success: 36, failed: 4 } }, workers: {} } });
    expect(counts.throughput).toEqual({ t: [0, 4], lines: { "succeeded/s": [9, 9], "failed/s": [1, 1] } });
    expect(counts.percent).toEqual({ t: [4], lines: { T: [100] } });
  });
});
