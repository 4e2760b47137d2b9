// One behaviour suite for the hot path, run against every engine
// (core.test.ts runs it on the WASM core and on its TypeScript twin).
import { describe, it, expect } from "vitest";
import {
  FREE, INIT, PULLED, RUNNING, SUCCESS, FAILED, T_OK, T_STALE, T_WRONG_ATTEMPT, T_WRONG_WORKER,
  T_ILLEGAL, ROUTE_ROUND_ROBIN, ROUTE_WORKER_LOAD, GEN_LIMIT, SLOT_BITS,
} from "../../core-as/shared/constants.ts";
import type { Core, CoreOptions, WorkerRouting } from "../../src/core/index.ts";
import { parseRate } from "../../src/core/index.ts";
import { counterViolations } from "./invariants.ts";

const i32 = (...xs: number[]) => Int32Array.from(xs);
const u32 = (...xs: number[]) => Uint32Array.from(xs);
const worker = (w: Partial<WorkerRouting> = {}): WorkerRouting => ({
  alive: false, invalid: false, isMaster: false, freeSlots: 0, cpuFree: 0, memFree: 0, latencyMs: 0, ...w,
});

/** Admits `count` tasks of name `name` (counted first, as the master does). */
function admit(core: Core, count: number, name = 0, attempt = 0): Uint32Array {
  core.counters.add(i32(name), i32(count));
  const out = new Uint32Array(count);
  expect(core.table.admit(new Int32Array(count).fill(name), new Int32Array(count).fill(attempt), count, out)).toBe(count);
  return out;
}

/** Runs the core behaviour suite against cores made by `newCore`. */
export function runCoreSuite(engine: string, newCore: (o?: CoreOptions) => Core): void {
  describe(`${engine} core: queue`, () => {
    it("capacity 1: takes one handle, refuses the rest, pops it back", () => {
      const { queue } = newCore({ queueCapacity: 1 });
      expect(queue.pushBatch(u32(7, 8, 9))).toBe(1);
      expect([queue.size, queue.free]).toEqual([1, 0]);
      expect(queue.pushBatch(u32(10))).toBe(0);
      const out = new Uint32Array(3);
      expect(queue.popBatch(out)).toBe(1);
      expect(out[0]).toBe(7);
      expect(queue.popBatch(out)).toBe(0);
    });

    it("wraps around and keeps FIFO order", () => {
      const { queue } = newCore({ queueCapacity: 5 });
      const out = new Uint32Array(5);
      expect(queue.pushBatch(u32(1, 2, 3, 4))).toBe(4);
      expect(queue.popBatch(out, 3)).toBe(3);
      expect(Array.from(out.subarray(0, 3))).toEqual([1, 2, 3]);
      expect(queue.pushBatch(u32(5, 6, 7, 8, 9))).toBe(4); // 4 fits: never overwrites
      expect(queue.popBatch(out)).toBe(5);
      expect(Array.from(out)).toEqual([4, 5, 6, 7, 8]);
      expect(queue.size).toBe(0);
    });

    it("moves batches larger than the I/O lanes in chunks", () => {
      const { queue } = newCore({ queueCapacity: 10_000, ioCapacity: 7 });
      const input = Uint32Array.from({ length: 1000 }, (_, i) => i * 3 + 0xfff00000);
      expect(queue.pushBatch(input)).toBe(1000);
      const out = new Uint32Array(1000);
      expect(queue.popBatch(out)).toBe(1000);
      expect(out).toEqual(input);
    });

    it("clear empties it", () => {
      const { queue } = newCore({ queueCapacity: 4 });
      queue.pushBatch(u32(1, 2));
      queue.clear();
      expect([queue.size, queue.free]).toEqual([0, 4]);
    });
  });

  describe(`${engine} core: arenas grow as they fill (B31)`, () => {
    it("B31: a queue starting at 2 slots grows to its capacity while wrapped, keeping FIFO order", () => {
      const { queue } = newCore({ queueCapacity: 37, initialCapacity: 2, ioCapacity: 3 });
      const model: number[] = [];
      const out = new Uint32Array(64);
      let next = 1;
      // More pushed than popped each round, so the ring is wrapped when it has to grow.
      for (let round = 0; round < 15; round++) {
        const batch = Uint32Array.from({ length: 5 }, (_, i) => next + i);
        const pushed = queue.pushBatch(batch);
        expect(pushed).toBe(Math.min(5, 37 - model.length));
        model.push(...batch.subarray(0, pushed));
        next += pushed;
        const k = queue.popBatch(out, 2);
        expect(Array.from(out.subarray(0, k))).toEqual(model.splice(0, k));
      }
      expect([queue.size, queue.capacity]).toEqual([model.length, 37]);
      const k = queue.popBatch(out);
      expect(Array.from(out.subarray(0, k))).toEqual(model);
    });

    it("B31: a table starting at 4 slots grows to its capacity and issues the handles of a table allocated whole", () => {
      const small = newCore({ tableCapacity: 100, initialCapacity: 4, ioCapacity: 5 });
      const whole = newCore({ tableCapacity: 100, initialCapacity: 100, ioCapacity: 5 });
      for (const core of [small, whole]) core.counters.add(i32(0), i32(1000));
      const run = (core: Core): number[] => {
        const seen: number[] = [];
        for (let round = 0; round < 30; round++) {
          const out = new Uint32Array(7);
          const k = core.table.admit(new Int32Array(7), new Int32Array(7), 7, out);
          seen.push(k, ...out.subarray(0, k));
          // Finish every third task admitted, so freed slots mix with new ones.
          const done = Array.from(out.subarray(0, k)).filter((_, i) => i % 3 === 0);
          core.table.fail(Uint32Array.from(done), done.length);
        }
        seen.push(...core.table.scan(-1));
        return seen;
      };
      expect(run(small)).toEqual(run(whole));
      // Filled up: the grown table holds its whole capacity, and no more.
      const out = new Uint32Array(200);
      expect(small.table.admit(new Int32Array(200), new Int32Array(200), 200, out)).toBe(100 - whole.table.live);
      expect([small.table.live, small.table.free]).toEqual([100, 0]);
      expect(counterViolations(small)).toEqual([]);
    });
    it("B31: growing past the memory a core started with keeps its tasks, workers and counters readable", () => {
      const core = newCore({ queueCapacity: 1 << 20, tableCapacity: 1 << 20, maxWorkers: 4 });
      core.router.setWorker(2, worker({ alive: true, freeSlots: 3 }));
      core.router.workerCount = 3;
      const n = 300_000;
      const hs = admit(core, n, 1);
      expect(core.queue.pushBatch(hs)).toBe(n);
      const popped = new Uint32Array(n);
      expect(core.queue.popBatch(popped)).toBe(n);
      expect(popped).toEqual(hs);
      const routed = new Int32Array(n);
      expect(core.router.route(n, routed)).toBe(n);
      expect(core.table.assign(hs, routed, n)).toBe(n);
      expect(core.counters.name(1)).toEqual({ total: n, init: 0, pulled: n, running: 0, success: 0, failed: 0 });
      expect(core.router.alive[2]).toBe(1);
      expect(core.table.scan(-1).length).toBe(n);
      expect(counterViolations(core)).toEqual([]);
    });
  });

  describe(`${engine} core: task table and counters`, () => {
    it("a task goes INIT → PULLED → RUNNING → SUCCESS and its slot is recycled", () => {
      const core = newCore({ tableCapacity: 4, maxWorkers: 4 });
      const [h] = admit(core, 1);
      expect(core.table.status(h!)).toBe(INIT);
      expect(core.table.assign(u32(h!), i32(2), 1)).toBe(1);
      expect([core.table.status(h!), core.table.workerOf(h!)]).toEqual([PULLED, 2]);
      expect(core.counters.worker(2)).toEqual({ total: 1, pulled: 1, running: 0, success: 0, failed: 0 });
      expect(core.table.report(u32(h!), i32(0), i32(2), i32(RUNNING), 1)).toBe(1);
      expect(core.counters.name(0)).toEqual({ total: 1, init: 0, pulled: 0, running: 1, success: 0, failed: 0 });
      expect(core.table.report(u32(h!), i32(0), i32(2), i32(SUCCESS), 1)).toBe(1);
      expect(core.table.status(h!)).toBe(FREE);
      expect(core.table.live).toBe(0);
      expect(core.counters.name(0)).toEqual({ total: 1, init: 0, pulled: 0, running: 0, success: 1, failed: 0 });
      expect(core.counters.worker(2)).toEqual({ total: 1, pulled: 0, running: 0, success: 1, failed: 0 });
      expect(counterViolations(core)).toEqual([]);
    });

    it("refuses and counts a second SUCCESS, RUNNING after FAILED, a wrong attempt and a wrong worker", () => {
      const core = newCore({ tableCapacity: 8, maxWorkers: 4 });
      const [a, b, c] = admit(core, 3);
      core.table.assign(u32(a!, b!, c!), i32(1, 1, 1), 3);
      const codes = new Int32Array(6);
      const applied = core.table.report(
        u32(a!, a!, b!, b!, c!, c!),
        i32(0, 0, 0, 0, 1, 0),
        i32(1, 1, 1, 1, 1, 3),
        i32(SUCCESS, SUCCESS, FAILED, RUNNING, SUCCESS, SUCCESS),
        6, codes,
      );
      expect(applied).toBe(2);
      expect(Array.from(codes)).toEqual([T_OK, T_STALE, T_OK, T_STALE, T_WRONG_ATTEMPT, T_WRONG_WORKER]);
      expect(core.counters.refused()).toEqual({ stale: 2, wrongAttempt: 1, wrongWorker: 1, illegal: 0 });
      expect(core.counters.name(0)).toEqual({ total: 3, init: 0, pulled: 1, running: 0, success: 1, failed: 1 });
      expect(counterViolations(core)).toEqual([]);
    });

    it("a duplicate RUNNING and a report for an undispatched task are impossible transitions", () => {
      const core = newCore({ tableCapacity: 4, maxWorkers: 2 });
      const [a, b] = admit(core, 2);
      core.table.assign(u32(a!), i32(0), 1);
      const codes = new Int32Array(3);
      core.table.report(u32(a!, a!, b!), i32(0, 0, 0), i32(0, 0, -1), i32(RUNNING, RUNNING, SUCCESS), 3, codes);
      expect(Array.from(codes)).toEqual([T_OK, T_ILLEGAL, T_ILLEGAL]);
      expect(core.table.assign(u32(a!), i32(1), 1)).toBe(0); // not INIT any more
      expect(counterViolations(core)).toEqual([]);
    });

    it("a late report with a recycled handle cannot touch the slot's next occupant", () => {
      const core = newCore({ tableCapacity: 1, maxWorkers: 2 });
      const [old] = admit(core, 1);
      core.table.assign(u32(old!), i32(0), 1);
      core.table.report(u32(old!), i32(0), i32(0), i32(SUCCESS), 1);
      const [next] = admit(core, 1);
      expect(next! & 0x3fffff).toBe(old! & 0x3fffff); // same slot
      expect(next).not.toBe(old); // new generation
      core.table.assign(u32(next!), i32(0), 1);
      const codes = new Int32Array(1);
      expect(core.table.report(u32(old!), i32(0), i32(0), i32(FAILED), 1, codes)).toBe(0);
      expect(codes[0]).toBe(T_STALE);
      expect(core.table.status(next!)).toBe(PULLED);
    });

    it("generations wrap without colliding with the live occupant", () => {
      const core = newCore({ tableCapacity: 1, maxWorkers: 1 });
      let last = 0;
      for (let i = 0; i < GEN_LIMIT + 3; i++) {
        const [h] = admit(core, 1);
        expect(core.table.status(h!)).toBe(INIT);
        core.table.fail(u32(h!), 1);
        last = h!;
      }
      expect(last >>> SLOT_BITS).toBe((GEN_LIMIT + 2) % GEN_LIMIT);
      expect(core.counters.name(0).failed).toBe(GEN_LIMIT + 3);
    });

    it("a full table admits part of a batch and says how many", () => {
      const core = newCore({ tableCapacity: 3 });
      core.counters.add(i32(0), i32(5));
      const out = new Uint32Array(5);
      expect(core.table.admit(new Int32Array(5), new Int32Array(5), 5, out)).toBe(3);
      expect([core.table.live, core.table.free]).toEqual([3, 0]);
      expect(new Set(out.subarray(0, 3)).size).toBe(3);
    });

    it("requeue sends PULLED and RUNNING tasks back to INIT with attempt + 1, moving counters", () => {
      const core = newCore({ tableCapacity: 8, maxWorkers: 2 });
      const hs = admit(core, 3);
      core.table.assign(hs, i32(1, 1, 1), 3);
      core.table.report(u32(hs[0]!), i32(0), i32(1), i32(RUNNING), 1);
      const codes = new Int32Array(3);
      expect(core.table.requeue(hs, 3, codes)).toBe(3);
      expect(core.counters.name(0)).toEqual({ total: 3, init: 3, pulled: 0, running: 0, success: 0, failed: 0 });
      expect(core.counters.worker(1)).toEqual({ total: 0, pulled: 0, running: 0, success: 0, failed: 0 });
      expect(core.table.attemptOf(hs[0]!)).toBe(1);
      expect(core.table.workerOf(hs[0]!)).toBe(-1);
      // A report for the old attempt is refused; the new attempt can run.
      expect(core.table.report(u32(hs[0]!), i32(0), i32(1), i32(SUCCESS), 1)).toBe(0);
      expect(core.table.requeue(u32(hs[0]!), 1, codes)).toBe(0);
      expect(codes[0]).toBe(T_ILLEGAL);
      expect(counterViolations(core)).toEqual([]);
    });

    it("fail finishes any live task; scan lists a worker's tasks or every live one", () => {
      const core = newCore({ tableCapacity: 8, maxWorkers: 3 });
      const hs = admit(core, 5);
      core.table.assign(hs.subarray(0, 2), i32(1, 2), 2);
      core.table.assign(hs.subarray(2, 3), i32(1), 1);
      expect(Array.from(core.table.scan(1)).sort()).toEqual([hs[0], hs[2]].sort());
      expect(core.table.scan(-1).length).toBe(5);
      expect(core.table.fail(hs, 5)).toBe(5);
      expect(core.counters.name(0).failed).toBe(5);
      expect(core.counters.worker(1).failed).toBe(2);
      expect(core.table.scan(-1).length).toBe(0);
      expect(core.table.fail(hs, 1)).toBe(0);
      expect(counterViolations(core)).toEqual([]);
    });

    it("counters: add refuses a bad name, move refuses going below zero, reset zeroes", () => {
      const core = newCore({ maxNames: 2 });
      expect(core.counters.add(i32(0, 5, 1), i32(3, 1, -1))).toBe(1);
      expect(core.counters.move(0, INIT, FAILED, 2)).toBe(true);
      expect(core.counters.move(0, INIT, FAILED, 2)).toBe(false);
      expect(core.counters.move(0, 0, FAILED, 1)).toBe(false); // total is not a status
      expect(core.counters.move(0, INIT, PULLED, 1)).toBe(false); // only INIT → final
      expect(core.counters.move(0, INIT, SUCCESS, 1)).toBe(true);
      expect(core.counters.name(0)).toEqual({ total: 3, init: 0, pulled: 0, running: 0, success: 1, failed: 2 });
      expect(core.counters.refused().illegal).toBe(5);
      core.counters.reset();
      expect(core.counters.name(0).total).toBe(0);
    });
  });

  describe(`${engine} core: routing`, () => {
    const setup = (ws: Partial<WorkerRouting>[], mode = ROUTE_ROUND_ROBIN, execOnMaster = true, startIndex = 0) => {
      const core = newCore({ maxWorkers: Math.max(1, ws.length) });
      ws.forEach((w, i) => core.router.setWorker(i, worker(w)));
      core.router.workerCount = ws.length;
      core.router.configure({ mode, execOnMaster, startIndex });
      return core;
    };
    const route = (core: Core, n: number, redispatch = false) => {
      const out = new Int32Array(n);
      return Array.from(out.subarray(0, core.router.route(n, out, redispatch)));
    };

    it("B5: round-robin rotates over the workers, from an optional start index", () => {
      expect(route(setup([{}, {}, {}]), 5)).toEqual([0, 1, 2, 0, 1]);
      expect(route(setup([{}, {}, {}], ROUTE_ROUND_ROBIN, true, 2), 4)).toEqual([2, 0, 1, 2]);
    });

    it("B5: the rotation continues across batches", () => {
      const core = setup([{}, {}, {}]);
      expect(route(core, 2)).toEqual([0, 1]);
      expect(route(core, 2)).toEqual([2, 0]);
    });

    it("B5: skips invalid workers, and the master when execOnMaster is off and another worker exists", () => {
      expect(route(setup([{ isMaster: true }, {}, { invalid: true }, {}], ROUTE_ROUND_ROBIN, false), 4)).toEqual([1, 3, 1, 3]);
      expect(route(setup([{ isMaster: true }, { invalid: true }], ROUTE_ROUND_ROBIN, false), 2)).toEqual([0, 0]);
      expect(route(setup([{ isMaster: true }, {}], ROUTE_ROUND_ROBIN, true), 2)).toEqual([0, 1]);
    });

    it("B5: zero workers or every worker invalid → none", () => {
      expect(route(setup([]), 3)).toEqual([]);
      expect(route(setup([{ invalid: true }, { invalid: true }]), 3)).toEqual([]);
    });

    it("B6: an answered master's worker that routing skips does not restrict re-dispatch to itself", () => {
      // execOnMaster off: only the (answered) master's worker has answered; the others must still get the tasks.
      expect(route(setup([{ isMaster: true, alive: true }, {}, {}], ROUTE_ROUND_ROBIN, false), 2, true)).toEqual([1, 2]);
      expect(route(setup([{ isMaster: true, alive: true, freeSlots: 5 }, { freeSlots: 1 }, { freeSlots: 1 }], ROUTE_WORKER_LOAD, false), 3, true)).toEqual([1, 2]);
      // With execOnMaster on, it does count: re-dispatch goes to it.
      expect(route(setup([{ isMaster: true, alive: true }, {}, {}], ROUTE_ROUND_ROBIN, true), 2, true)).toEqual([0, 0]);
    });

    it("B6: re-dispatched tasks go to workers that have answered; to all when none has", () => {
      expect(route(setup([{}, { alive: true }, { alive: true, invalid: true }, {}]), 3, true)).toEqual([1, 1, 1]);
      expect(route(setup([{}, {}]), 3, true)).toEqual([0, 1, 0]);
    });

    it("B7: worker-load picks most free slots, then CPU, memory, lowest latency; each task takes a slot", () => {
      const core = setup([
        { freeSlots: 2, cpuFree: 0.1 },
        { freeSlots: 3, cpuFree: 0.1 },
        { freeSlots: 2, cpuFree: 0.9 },
        { freeSlots: 2, cpuFree: 0.9, memFree: 0.5 },
        { freeSlots: 2, cpuFree: 0.9, memFree: 0.5, latencyMs: 3 },
      ], ROUTE_WORKER_LOAD);
      core.router.latencyMs[3] = 5;
      // 1 (3 slots) first; then ties at 2 slots: 4 (mem .5, latency 3), 3 (latency 5),
      // 2 (CPU .9), then 0 before 1 (equal in everything but index).
      expect(route(core, 6)).toEqual([1, 4, 3, 2, 0, 1]);
      expect(Array.from(core.router.freeSlots.subarray(0, 5))).toEqual([1, 1, 1, 1, 1]);
    });

    it("B7: worker-load returns none when no slot is free, and skips invalid workers", () => {
      const core = setup([{ freeSlots: 1 }, { freeSlots: 5, invalid: true }, { freeSlots: 1 }], ROUTE_WORKER_LOAD);
      expect(route(core, 5)).toEqual([0, 2]);
      expect(route(core, 1)).toEqual([]);
    });
  });

  describe(`${engine} core: dispatch-rate limiter`, () => {
    it("B8: grants a burst of 100 ms worth, then one token per period", () => {
      const { limiter } = newCore();
      limiter.configure(parseRate("100/s"), 0);
      expect(limiter.take(0, 50)).toBe(10);
      expect(limiter.take(0, 1)).toBe(0);
      expect(limiter.nextAt(0)).toBeCloseTo(10, 6);
      expect(limiter.take(10, 5)).toBe(1);
      expect(limiter.take(1010, 1000)).toBe(10); // refill is capped at the burst
    });

    it("B8: 1/h gives one task, then the next an hour later", () => {
      const { limiter } = newCore();
      limiter.configure(parseRate("1/h"), 1000);
      expect(limiter.take(1000, 5)).toBe(1);
      expect(limiter.nextAt(1000)).toBeCloseTo(1000 + 3_600_000, 3);
      expect(limiter.take(1000 + 3_599_999, 1)).toBe(0);
      expect(limiter.take(1000 + 3_600_000, 1)).toBe(1);
    });

    it("B8: achieves the configured rate over a long window", () => {
      const { limiter } = newCore();
      limiter.configure(parseRate("50/m"), 0);
      let sent = 0;
      for (let t = 0; t <= 600_000; t += 137) sent += limiter.take(t, 1000);
      expect(sent).toBeGreaterThanOrEqual(500);
      expect(sent).toBeLessThanOrEqual(501);
    });

    it("unlimited grants everything", () => {
      const { limiter } = newCore();
      limiter.configure(null, 0);
      expect(limiter.take(0, 12345)).toBe(12345);
      expect(limiter.nextAt(5)).toBe(5);
    });
  });
}
