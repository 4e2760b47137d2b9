// B25: an instance's tasks over the user API, GET /api/instances/:id/tasks —
// page by page through the store, in task order, each task once, with the
// error of a failed one; a bad query is refused naming the field.
import { describe, it, expect, afterAll, beforeAll } from "vitest";
import { startHttpCluster } from "./cluster.ts";
import { defineMap } from "../../src/index.ts";
import { TaskPageSchema } from "../../src/http/view-schemas.ts";
import { heapAfterGc } from "../heap.ts";

/** Leaves: the root maps them in calls of 1000, so leaf k·1000 + i is task r.k.i. */
const N = 100_000;
/** The one leaf that fails. */
const FAILING = 41_234;

const leaves = defineMap<{ n: number }>({
  async process(ctx) {
    if (ctx.isRoot) {
      for (let from = 0; from < ctx.params.n; from += 1000) {
        await ctx.map(Array.from({ length: Math.min(1000, ctx.params.n - from) }, (_, i) => from + i), "LEAF");
      }
      return { ok: true };
    }
    if (ctx.body === FAILING) throw new Error(`leaf ${FAILING} fails`);
    return { ok: true, result: ctx.body };
  },
});

type Page = { tasks: Array<{ taskId: string; name: string; status: string; attempt: number; worker: string | null; failures: number; error?: { message: string }; result?: unknown }>; cursor: string | null };

/** The index of a task in map order: -1 for ROOT, k·1000 + i for leaf r.k.i. */
function indexOf(taskId: string): number {
  if (taskId === "r") return -1;
  const m = /^r\.(\d+)\.(\d+)$/.exec(taskId);
  if (!m) throw new Error(`unexpected task id ${taskId}`);
  return Number(m[1]) * 1000 + Number(m[2]);
}

let cluster: Awaited<ReturnType<typeof startHttpCluster>>;
let id = "";
beforeAll(async () => {
  cluster = await startHttpCluster({ workers: 0, processors: { leaves } });
  id = await cluster.master.submit({ processor: "leaves", params: { n: N }, settings: { pageSize: 1000, consumerSize: 200, queueSize: 20_000 } });
  const v = await cluster.master.waitFor(id);
  expect([v.status, v.failedCount]).toEqual(["FAILED", 1]);
  expect(v.retainUntil).not.toBeNull(); // retainTasks "failed" (the default) keeps every task of a FAILED instance
}, 180_000);
afterAll(async () => { await cluster?.stop(); });

const get = (query: string) => fetch(`${cluster.base}/api/instances/${encodeURIComponent(id)}/tasks${query}`);

describe("B25 the tasks route", () => {
  it(`B25: pages ${N.toLocaleString("en")} retained tasks of a FAILED instance, every task once and in order, limit and cursor honoured, without the heap growing with the tasks read`, { timeout: 180_000 }, async () => {
    // Reads every page, checking order as it goes; `keep` hoards what it read, as a control.
    const readAll = async (keep: unknown[] | null) => {
      const at: number[] = [];
      let cursor: string | null = null, seen = 0, last = -2, pages = 0;
      do {
        const res = await get(`?limit=1000${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
        expect(res.status).toBe(200);
        const page = await res.json() as Page;
        pages++;
        expect(page.tasks.length).toBe(page.cursor === null ? (N + 1) % 1000 : 1000);
        for (const t of page.tasks) {
          const i = indexOf(t.taskId);
          if (i !== last + 1) throw new Error(`task ${t.taskId} after index ${last}: not in order, or one is missing or repeated`);
          last = i;
          seen++;
          if (keep) keep.push(t);
        }
        cursor = page.cursor;
        if (pages === 10) at.push(heapAfterGc());
      } while (cursor !== null);
      at.push(heapAfterGc());
      expect([seen, last, pages]).toEqual([N + 1, N - 1, Math.ceil((N + 1) / 1000)]);
      return at[1]! - at[0]!;
    };
    await readAll(null); // once first, so what the first read compiles and caches is not counted as growth
    const streamed = await readAll(null);
    const kept: unknown[] = [];
    const hoarded = await readAll(kept);
    expect(kept).toHaveLength(N + 1);
    // Over the last 90 % of the pages the hoarding control holds 90,000 tasks more; the reader holds none of them.
    expect(hoarded).toBeGreaterThan(8 * 2 ** 20);
    expect(streamed).toBeLessThan(2 ** 20);
    expect(streamed).toBeLessThan(hoarded / 8);
  });

  it("B25: 100 tasks a page unless asked, at most 1,000; filters by status and name; a failed task carries its error; the answer has the documented shape", async () => {
    const first = TaskPageSchema.parse(await (await get("")).json());
    expect(first.tasks).toHaveLength(100);
    expect(first.tasks[0]).toMatchObject({ taskId: "r", name: "ROOT", status: "SUCCESS", attempt: 0, failures: 0 });
    expect(first.tasks.slice(1).map((t) => t.taskId)).toEqual(Array.from({ length: 99 }, (_, i) => `r.0.${i}`));
    expect(first.tasks[1]).toMatchObject({ name: "LEAF", status: "SUCCESS", result: 0 });
    expect(first.tasks[1]!.error).toBeUndefined();
    const second = TaskPageSchema.parse(await (await get(`?cursor=${encodeURIComponent(first.cursor!)}`)).json());
    expect(second.tasks.map((t) => t.taskId)).toEqual(Array.from({ length: 100 }, (_, i) => `r.0.${i + 99}`));
    expect((await (await get("?limit=1000")).json() as Page).tasks).toHaveLength(1000);

    const failed = TaskPageSchema.parse(await (await get("?status=FAILED")).json());
    expect(failed.cursor).toBeNull();
    expect(failed.tasks).toHaveLength(1);
    expect(failed.tasks[0]).toMatchObject({
      taskId: `r.${Math.floor(FAILING / 1000)}.${FAILING % 1000}`, name: "LEAF", status: "FAILED", attempt: 0, failures: 1,
      error: { message: `leaf ${FAILING} fails` },
    });
    expect(failed.tasks[0]!.worker).toMatch(/^own#\d+$/);
    const root = (await (await get("?name=ROOT")).json() as Page);
    expect([root.tasks.map((t) => t.taskId), root.cursor]).toEqual([["r"], null]);
    const none = (await (await get("?name=LEAF&status=INIT")).json() as Page);
    expect(none).toEqual({ tasks: [], cursor: null });
  });

  it("B25: a bad query is refused with 400 naming the field; an unknown instance is 404", async () => {
    const cases: Array<[string, string, string]> = [
      ["?status=DONE", "status", 'status: Expected one of INIT, PULLED, RUNNING, SUCCESS, FAILED, got "DONE"'],
      ["?status=failed", "status", 'status: Expected one of INIT, PULLED, RUNNING, SUCCESS, FAILED, got "failed"'],
      ["?limit=0", "limit", "limit: Expected an integer from 1 to 1000, got 0"],
      ["?limit=1001", "limit", "limit: Expected an integer from 1 to 1000, got 1001"],
      ["?limit=ten", "limit", 'limit: Expected an integer from 1 to 1000, got "ten"'],
      ["?limit=2.5", "limit", 'limit: Expected an integer from 1 to 1000, got "2.5"'],
      ["?cursor=page-2", "cursor", 'cursor: Expected the cursor of an earlier page, got "page-2"'],
      ["?name=", "name", 'name: Expected a task name of 1-256 characters, got ""'],
      [`?name=${"x".repeat(257)}`, "name", "name: Expected a task name of 1-256 characters, got"],
      ["?status=FAILED&status=SUCCESS", "status", "status:"],
    ];
    for (const [query, field, error] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      const body = await res.json() as { error: string; field: string };
      expect(body.field, query).toBe(field);
      expect(body.error.startsWith(error), `${query}: ${body.error}`).toBe(true);
    }
    const unknown = await fetch(`${cluster.base}/api/instances/no-such-instance/tasks`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "unknown instance: no-such-instance", field: "id" });
  });
});
