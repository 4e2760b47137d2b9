// The WASM core and its TypeScript twin, driven with the same random
// operation sequences, must give identical outputs and identical memory,
// and keep the counter invariant after every step.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { RUNNING, SUCCESS, FAILED, INIT, PULLED, ROUTE_ROUND_ROBIN, ROUTE_WORKER_LOAD } from "../../core-as/shared/constants.ts";
import { createWasmCore, createTwinCore, type Core } from "../../src/core/index.ts";
import { counterViolations } from "./invariants.ts";

const NAMES = 3, WORKERS = 5;
const opts = { queueCapacity: 16, tableCapacity: 24, maxNames: NAMES, maxWorkers: WORKERS, ioCapacity: 5 };

const pick = fc.nat({ max: 1000 });
const op = fc.oneof(
  fc.record({ op: fc.constant("admit" as const), name: fc.nat({ max: NAMES - 1 }), n: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ op: fc.constant("assign" as const), picks: fc.array(fc.tuple(pick, fc.integer({ min: -1, max: WORKERS })), { maxLength: 8 }) }),
  fc.record({
    op: fc.constant("report" as const),
    picks: fc.array(fc.tuple(pick, fc.nat({ max: 2 }), fc.integer({ min: 0, max: WORKERS - 1 }), fc.constantFrom(RUNNING, SUCCESS, FAILED), fc.boolean()), { maxLength: 10 }),
  }),
  fc.record({ op: fc.constant("requeue" as const), picks: fc.array(pick, { maxLength: 6 }) }),
  fc.record({ op: fc.constant("fail" as const), picks: fc.array(pick, { maxLength: 4 }) }),
  fc.record({ op: fc.constant("push" as const), picks: fc.array(pick, { maxLength: 12 }) }),
  fc.record({ op: fc.constant("pop" as const), n: fc.nat({ max: 12 }) }),
  fc.record({
    op: fc.constant("workers" as const),
    count: fc.nat({ max: WORKERS }),
    mode: fc.constantFrom(ROUTE_ROUND_ROBIN, ROUTE_WORKER_LOAD),
    execOnMaster: fc.boolean(),
    start: fc.nat({ max: WORKERS }),
    // Few distinct values, so every tie-break level is reached.
    table: fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.nat({ max: 3 }), fc.nat({ max: 1 }), fc.nat({ max: 1 }), fc.nat({ max: 2 })), { minLength: WORKERS, maxLength: WORKERS }),
  }),
  fc.record({ op: fc.constant("route" as const), n: fc.nat({ max: 12 }), redispatch: fc.boolean() }),
  fc.record({ op: fc.constant("scan" as const), worker: fc.integer({ min: -1, max: WORKERS - 1 }) }),
  fc.record({ op: fc.constant("move" as const), name: fc.integer({ min: 0, max: NAMES }), from: fc.nat({ max: 5 }), to: fc.nat({ max: 5 }), n: fc.nat({ max: 3 }) }),
  fc.record({ op: fc.constant("limit" as const), dt: fc.nat({ max: 2000 }), want: fc.nat({ max: 20 }), rate: fc.constantFrom(null, "5/s", "100/m", "3") }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Applies one op to a core; returns everything it produced, for comparison. */
function run(core: Core, o: Op, pool: number[], now: { t: number }): unknown {
  const h = (i: number) => (pool.length ? pool[i % pool.length]! : 12345);
  switch (o.op) {
    case "admit": {
      core.counters.add(Int32Array.of(o.name), Int32Array.of(o.n));
      const out = new Uint32Array(o.n);
      const k = core.table.admit(new Int32Array(o.n).fill(o.name), new Int32Array(o.n), o.n, out);
      // Tasks that did not fit stay counted as INIT (they wait in the store), as in the master.
      return [k, Array.from(out.subarray(0, k))];
    }
    case "assign": {
      const codes = new Int32Array(o.picks.length);
      const k = core.table.assign(Uint32Array.from(o.picks.map(([i]) => h(i))), Int32Array.from(o.picks.map(([, w]) => w)), o.picks.length, codes);
      return [k, Array.from(codes)];
    }
    case "report": {
      const hs = o.picks.map(([i]) => h(i));
      const codes = new Int32Array(hs.length);
      const k = core.table.report(
        Uint32Array.from(hs),
        // Mostly the right attempt and worker, sometimes not.
        Int32Array.from(o.picks.map(([i, a, , , real]) => (real ? Math.max(0, core.table.attemptOf(h(i))) : a))),
        Int32Array.from(o.picks.map(([i, , w, , real]) => (real ? core.table.workerOf(h(i)) : w))),
        Int32Array.from(o.picks.map(([, , , s]) => s)),
        hs.length, codes,
      );
      return [k, Array.from(codes)];
    }
    case "requeue":
    case "fail": {
      const codes = new Int32Array(o.picks.length);
      const hs = Uint32Array.from(o.picks.map(h));
      const k = o.op === "fail" ? core.table.fail(hs, hs.length, codes) : core.table.requeue(hs, hs.length, codes);
      return [k, Array.from(codes)];
    }
    case "push": return core.queue.pushBatch(Uint32Array.from(o.picks.map(h)));
    case "pop": {
      const out = new Uint32Array(o.n);
      const k = core.queue.popBatch(out);
      return Array.from(out.subarray(0, k));
    }
    case "workers": {
      o.table.forEach(([alive, invalid, slots, cpu, mem, latency], i) =>
        core.router.setWorker(i, { alive, invalid, isMaster: i === 0, freeSlots: slots, cpuFree: cpu / 2, memFree: mem / 2, latencyMs: latency }));
      core.router.workerCount = o.count;
      core.router.configure({ mode: o.mode, execOnMaster: o.execOnMaster, startIndex: o.start });
      return null;
    }
    case "route": {
      const out = new Int32Array(o.n);
      const k = core.router.route(o.n, out, o.redispatch);
      return Array.from(out.subarray(0, k));
    }
    case "scan": return Array.from(core.table.scan(o.worker)).sort((a, b) => a - b);
    case "move": {
      // As the master does: finish only INIT tasks the table does not hold.
      const held = Array.from(core.table.scan(-1)).filter((x) => core.table.status(x) === INIT && core.table.nameOf(x) === o.name).length;
      const outside = o.name < NAMES ? core.counters.name(o.name).init - held : 0;
      return core.counters.move(o.name, o.from, o.to, o.from === INIT ? Math.min(o.n, outside) : o.n);
    }
    case "limit": {
      now.t += o.dt;
      if (o.rate !== null && o.dt > 1500) core.limiter.configure({ perPeriod: Number(o.rate.split("/")[0]), periodMs: o.rate.endsWith("/m") ? 60_000 : 1000 }, now.t);
      return [core.limiter.take(now.t, o.want), core.limiter.nextAt(now.t)];
    }
  }
}

/** Every piece of state, as plain arrays. */
function snapshot(core: Core): unknown {
  const t = core.table;
  return {
    names: Array.from(core.counters.nameView), workers: Array.from(core.counters.workerView),
    refused: core.counters.refused(), live: t.live, queue: core.queue.size,
    slots: Array.from(core.router.freeSlots), all: Array.from(t.scan(-1)).map((h) => [h, t.status(h), t.nameOf(h), t.workerOf(h), t.attemptOf(h)]),
  };
}

describe("core equivalence", () => {
  it("X1: WASM core and twin agree on random operation sequences, and the counters always add up", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 120, size: "max" }), (ops) => {
        const wasm = createWasmCore(opts), twin = createTwinCore(opts);
        const pool: number[] = [];
        const tw = { t: 0 }, tt = { t: 0 };
        for (const o of ops) {
          const a = run(wasm, o, pool, tw);
          const b = run(twin, o, pool, tt);
          expect(b).toEqual(a);
          if (o.op === "admit") pool.push(...(a as [number, number[]])[1]);
          expect(snapshot(twin)).toEqual(snapshot(wasm));
          expect(counterViolations(wasm)).toEqual([]);
        }
        // Live tasks in the table are exactly the INIT/PULLED/RUNNING counted ones it holds.
        const held = wasm.table.scan(-1);
        for (const h of held) expect([INIT, PULLED, RUNNING]).toContain(wasm.table.status(h));
      }),
      { numRuns: 300 },
    );
  });

  it("B31: cores whose queue and table start at 2 slots and grow agree with a core allocated whole", () => {
    const growing = { ...opts, initialCapacity: 2 };
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 120, size: "max" }), (ops) => {
        const whole = createWasmCore(opts), wasm = createWasmCore(growing), twin = createTwinCore(growing);
        const pool: number[] = [];
        const times = [{ t: 0 }, { t: 0 }, { t: 0 }];
        for (const o of ops) {
          const a = run(whole, o, pool, times[0]!);
          expect(run(wasm, o, pool, times[1]!)).toEqual(a);
          expect(run(twin, o, pool, times[2]!)).toEqual(a);
          if (o.op === "admit") pool.push(...(a as [number, number[]])[1]);
          expect(snapshot(wasm)).toEqual(snapshot(whole));
          expect(snapshot(twin)).toEqual(snapshot(whole));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("X2: routing agrees on wide worker tables, whatever non-zero byte a flag holds", () => {
    // Worker counts past 8 and their tails exercise the WASM census that reads
    // flags eight at a time; hosts may write any non-zero byte through the views.
    const flagByte = fc.constantFrom(0, 0, 0, 1, 2, 0x7f, 0x80, 0xff);
    // Half the tables have every worker invalid, so "a full turn and nobody eligible" comes up.
    const wide = fc.record({
      count: fc.nat({ max: 40 }),
      mode: fc.constantFrom(ROUTE_ROUND_ROBIN, ROUTE_WORKER_LOAD),
      execOnMaster: fc.boolean(),
      start: fc.nat({ max: 40 }),
      table: fc.array(fc.tuple(flagByte, flagByte, flagByte, fc.nat({ max: 3 }), fc.nat({ max: 2 })), { minLength: 40, maxLength: 40 }),
      allInvalid: fc.boolean(),
      routes: fc.array(fc.tuple(fc.nat({ max: 90 }), fc.boolean()), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(wide, (w) => {
        const [a, b] = [createWasmCore({ maxWorkers: 40, ioCapacity: 16 }), createTwinCore({ maxWorkers: 40, ioCapacity: 16 })];
        for (const core of [a, b]) {
          const r = core.router;
          w.table.forEach(([alive, invalid, master, slots, cpu], i) => {
            r.alive[i] = alive; r.invalid[i] = invalid; r.isMaster[i] = master; r.freeSlots[i] = slots; r.cpuFree[i] = cpu / 2;
          });
          if (w.allInvalid) r.invalid.fill(0x80);
          r.workerCount = w.count;
          r.configure({ mode: w.mode, execOnMaster: w.execOnMaster, startIndex: w.start });
        }
        for (const [n, redispatch] of w.routes) {
          const outA = new Int32Array(n), outB = new Int32Array(n);
          const ka = a.router.route(n, outA, redispatch), kb = b.router.route(n, outB, redispatch);
          expect([kb, Array.from(outB.subarray(0, kb))]).toEqual([ka, Array.from(outA.subarray(0, ka))]);
          expect(Array.from(b.router.freeSlots)).toEqual(Array.from(a.router.freeSlots));
        }
        // Then everyone becomes eligible: where each rotation stands shows in one more route.
        for (const core of [a, b]) {
          core.router.invalid.fill(0); core.router.isMaster.fill(0); core.router.alive.fill(1); core.router.freeSlots.fill(1);
        }
        const outA = new Int32Array(45), outB = new Int32Array(45);
        expect(Array.from(outB.subarray(0, b.router.route(45, outB)))).toEqual(Array.from(outA.subarray(0, a.router.route(45, outA))));
      }),
      { numRuns: 400 },
    );
  });

  it("the counter invariant holds for a task's whole life on both engines (FAILED is final)", () => {
    for (const core of [createWasmCore(opts), createTwinCore(opts)]) {
      core.counters.add(Int32Array.of(1), Int32Array.of(1));
      const h = new Uint32Array(1);
      core.table.admit(Int32Array.of(1), Int32Array.of(0), 1, h);
      core.table.assign(h, Int32Array.of(2), 1);
      core.table.report(h, Int32Array.of(0), Int32Array.of(2), Int32Array.of(FAILED), 1);
      expect(core.table.report(h, Int32Array.of(0), Int32Array.of(2), Int32Array.of(RUNNING), 1)).toBe(0);
      expect(core.counters.name(1)).toEqual({ total: 1, init: 0, pulled: 0, running: 0, success: 0, failed: 1 });
      expect(counterViolations(core)).toEqual([]);
    }
  });
});
