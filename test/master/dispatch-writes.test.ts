// B3, B27: dispatch writes no task row — a task costs its insert and its final status, plus its share of one
// dispatch record per batch — and B25: the tasks API shows a dispatched task as its owner holds it.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated, sumSquares } from "./processors.ts";
import { recordRequests } from "./recording.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { countRowWrites } from "../../src/store/row-write-counter.ts";
import { INIT, PULLED, RUNNING } from "../../core-as/shared/constants.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../adapters/node/sqlite/index.ts";
import type { TaskStore } from "../../src/store/task-store.ts";

/** A store whose row writes are counted, split into dispatch records, instance records and task rows. */
function countedStore(inner: TaskStore = new MemoryStore()) {
  const n = { rows: 0, records: 0, recordedTasks: 0, instanceWrites: 0, claimed: 0 };
  const claim = inner.claimInit.bind(inner);
  inner.claimInit = async (fence, limit) => {
    const rows = await claim(fence, limit);
    n.claimed += rows.length;
    return rows;
  };
  const record = inner.recordDispatch.bind(inner);
  inner.recordDispatch = async (fence, r) => {
    await record(fence, r);
    n.records++;
    n.recordedTasks += r.seqs.length;
  };
  for (const name of ["createInstance", "updateInstance", "acquireInstance"] as const) {
    const original = (inner[name] as (...a: unknown[]) => Promise<unknown>).bind(inner);
    (inner as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const r = await original(...args);
      n.instanceWrites++;
      return r;
    };
  }
  return { store: countRowWrites(inner, (rows) => { n.rows += rows; }), n };
}

describe("B3/B27 row writes per task", () => {
  for (const dispatchMode of ["push", "pull"] as const) {
    it(`B3/B27: a 1,000-task job (${dispatchMode}) writes at most two rows per task plus one dispatch record per batch`, async () => {
      const { store, n } = countedStore();
      const c = await new Cluster({ processors: { sumSquares }, workers: 2, store }).start();
      const net = recordRequests(c.network);
      // ROOT + 10 RANGE + 989 NUM = 1,000 tasks; all sub-tasks on the two workers, ROOT on the master's own (a record each).
      const v = await c.run("sumSquares", { n: 989, ranges: 10 }, { dispatchMode, execOnMaster: false, pageSize: 50 });
      expect(v.status).toBe("SUCCESS");
      const tasks = 1000;
      expect(v.progress!.names.NUM!.success + v.progress!.names.RANGE!.success + 1).toBe(tasks);
      // Every task is in exactly one record; a record is one batch (ROOT's: a start to the master's own worker).
      expect(n.recordedTasks).toBe(tasks);
      if (dispatchMode === "push") {
        expect(n.records).toBe(net.ofType("start").length);
      } else {
        expect(n.records).toBeLessThanOrEqual(net.ofType("pull").length + 1);
      }
      expect(n.records).toBeGreaterThanOrEqual(Math.ceil((tasks - 1) / 50));
      const taskRows = n.rows - n.records - n.instanceWrites;
      expect(taskRows).toBeLessThanOrEqual(2 * tasks);
      // Inserts and final statuses alone: no dispatch mark, no claim mark (the queue held every task).
      expect(n.claimed).toBe(0);
      expect(taskRows).toBe(2 * tasks);
      c.close();
    });
  }
});

describe("B10 row writes of the stored backlog in SQLite", () => {
  it("B10/B3: with SQLite, a 1,000-task job whose map runs ahead of dispatch (claimed back from the store) still writes two rows per task plus one record per batch", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmill-writes-"));
    const { store, n } = countedStore(new SqliteStore(join(dir, "t.db")));
    try {
      const c = await new Cluster({ processors: { sumSquares }, workers: 2, store }).start();
      // A queue of 20: most of each map's 100 NUM tasks are stored unqueued and claimed back page by page.
      const v = await c.run("sumSquares", { n: 989, ranges: 10 }, { execOnMaster: false, pageSize: 10, queueSize: 20 });
      expect(v.status).toBe("SUCCESS");
      expect(n.claimed).toBeGreaterThan(500);
      expect(n.recordedTasks).toBe(1000);
      expect(n.rows - n.records - n.instanceWrites).toBe(2 * 1000);
      c.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("B25 a dispatched task as the tasks API shows it", () => {
  it("B25/B3: the tasks API shows a dispatched task PULLED or RUNNING with its worker and attempt while its store row is INIT", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 6 }, settings: { execOnMaster: false, consumerSize: 2, pageSize: 6, retainTasks: "all" } });
    await c.clock.advance(1);
    await c.clock.advance(1000); // the RUNNING reports land
    const running = (await c.master.tasks(id, { status: "RUNNING", name: "CHILD" }))!.tasks;
    const pulled = (await c.master.tasks(id, { status: "PULLED", name: "CHILD" }))!.tasks;
    const waiting = (await c.master.tasks(id, { status: "INIT", name: "CHILD" }))!.tasks;
    expect([running.length, pulled.length, waiting.length]).toEqual([2, 4, 0]);
    const key = Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith("w1#"))!;
    for (const t of [...running, ...pulled]) {
      expect([t.worker, t.attempt]).toEqual([key, 0]);
      // The store holds the row as inserted: the dispatch wrote no row (B3).
      const row = (await c.store.getTask(id, t.taskId))!;
      expect([row.status, row.worker, row.attempt]).toEqual([INIT, null, 0]);
    }
    const counts = await c.store.countByStatus(id);
    expect(counts.filter((x) => x.status === PULLED || x.status === RUNNING)).toEqual([]);
    // Unfiltered, the page shows the live status of every task too.
    const all = (await c.master.tasks(id, { name: "CHILD" }))!.tasks;
    expect(all.map((t) => t.status).sort()).toEqual(["PULLED", "PULLED", "PULLED", "PULLED", "RUNNING", "RUNNING"]);
    gate.open();
    expect((await c.finish(id)).status).toBe("SUCCESS");
    // Ended: the stored rows, final.
    const ended = (await c.master.tasks(id, { name: "CHILD" }))!.tasks;
    expect(ended.map((t) => [t.status, t.worker])).toEqual(Array.from({ length: 6 }, () => ["SUCCESS", key]));
    c.close();
  });
});
