// B33: a status report is acknowledged only once the write carrying it is
// stored; reports that arrive meanwhile are group-committed; a report whose
// write failed is answered busy, and the worker keeps it and sends it again.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";
import { instrumentStore, recordRequests } from "./recording.ts";
import { startGated } from "./start-gated.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import type { Reply } from "../../src/protocol/replies.ts";
import { reportsOf } from "../../src/protocol/columns.ts";

/** A memory store whose updateStatuses waits while `held` (the write is not yet durable). */
function holdingStore() {
  const store = new MemoryStore();
  const original = store.updateStatuses.bind(store);
  const state = { held: false, calls: 0, rows: [] as number[], release: () => {} };
  let waiting: Array<() => void> = [];
  state.release = () => { state.held = false; const w = waiting; waiting = []; for (const r of w) r(); };
  store.updateStatuses = async (fence, updates) => {
    state.calls++;
    state.rows.push(updates.length);
    if (state.held) await new Promise<void>((r) => waiting.push(r));
    return original(fence, updates);
  };
  return { store, state };
}

describe("B33 durable reports", () => {
  it("B33: a report is answered only after the write carrying it is stored", async () => {
    const gate = new Gate();
    const { store, state } = holdingStore();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1, store }).start();
    const { id, tasks } = await startGated(c, 2);
    const rec = recordRequests(c.network, c.workers);
    // Watch the report requests' answers.
    const answers: Reply[] = [];
    const original = c.network.request.bind(c.network);
    c.network.request = (async (...a: Parameters<typeof original>) => {
      const r = await original(...a);
      if (a[1].type === "report") answers.push(r);
      return r;
    }) as typeof c.network.request;
    state.held = true;
    const callsBefore = state.calls;
    gate.release(tasks[0]!.taskId);
    await c.clock.advance(1);
    expect(state.calls).toBe(callsBefore + 1);
    expect(rec.ofType("report").length).toBeGreaterThan(0);
    expect(answers).toEqual([]);
    state.release();
    await c.clock.advance(1);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.ok)).toBe(true);
    gate.open();
    expect((await c.finish(id)).status).toBe("SUCCESS");
    c.close();
  });

  it("B33: reports that arrive while a status write is in flight go to the store in one write", async () => {
    const gate = new Gate();
    const { store, state } = holdingStore();
    const c2 = await new Cluster({ processors: { job: gated(gate) }, workers: 3, store }).start();
    const { id, tasks } = await startGated(c2, 9, { consumerSize: 20 });
    expect(tasks.length).toBe(9);
    const rec = recordRequests(c2.network, c2.workers);
    state.held = true;
    const first = state.calls;
    gate.release(tasks[0]!.taskId);
    await c2.clock.advance(1);
    expect(state.calls).toBe(first + 1);
    // Eight more tasks end, from three workers, while that write waits.
    for (const t of tasks.slice(1)) gate.release(t.taskId);
    await c2.clock.advance(1);
    expect(state.calls).toBe(first + 1);
    state.release();
    await c2.clock.advance(1);
    // Every report stored once, in fewer writes than the requests that carried them:
    // those that came while the first write waited went to the store together.
    const requests = rec.ofType("report").filter((r) => r.msg.reports.flatMap(reportsOf).some((x) => x.status === "SUCCESS")).length;
    const writes = state.rows.slice(first);
    expect(writes.reduce((a, n) => a + n, 0)).toBe(9);
    expect(writes.length).toBeLessThan(requests);
    expect(writes[1]).toBeGreaterThan(1);
    gate.open();
    expect((await c2.finish(id)).status).toBe("SUCCESS");
    c2.close();
  });

  it("B33: a report whose write failed for good is answered busy and kept by the worker, which sends it again", async () => {
    const gate = new Gate();
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1, store: s.store }).start();
    const { id, tasks } = await startGated(c, 2);
    const answers: Reply[] = [];
    const original = c.network.request.bind(c.network);
    const sent: string[][] = [];
    c.network.request = (async (...a: Parameters<typeof original>) => {
      const r = await original(...a);
      if (a[1].type === "report" && a[1].reports.flatMap(reportsOf).some((x) => x.status === "SUCCESS")) {
        sent.push(a[1].reports.flatMap(reportsOf).map((x) => x.taskId));
        answers.push(r);
      }
      return r;
    }) as typeof c.network.request;
    s.failing.set("updateStatuses", 3);
    gate.release(tasks[0]!.taskId);
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.result).toMatch(/^persistence failed: injected updateStatuses failure/);
    expect(answers[0]).toMatchObject({ ok: false, code: "busy" });
    await c.clock.advance(1000);
    // Sent again after the busy answer: the instance is gone by then, so it is refused, not lost silently.
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[1]).toContain(tasks[0]!.taskId);
    c.close();
  });
});
