// The WASM core and its twin load and work under Deno, from the sources as they are.
import assert from "node:assert/strict";
import { createWasmCore, createTwinCore } from "../../src/core/index.ts";
import { PULLED, SUCCESS } from "../../core-as/shared/constants.ts";

for (const make of [createWasmCore, createTwinCore]) {
  Deno.test(`core (${make.name}) runs a task's life under Deno`, () => {
    const core = make({ tableCapacity: 8, maxWorkers: 2 });
    core.counters.add(Int32Array.of(0), Int32Array.of(1));
    const h = new Uint32Array(1);
    assert.equal(core.table.admit(Int32Array.of(0), Int32Array.of(0), 1, h), 1);
    assert.equal(core.queue.pushBatch(h), 1);
    core.router.setWorker(0, { alive: true, invalid: false, isMaster: false, freeSlots: 1, cpuFree: 1, memFree: 1, latencyMs: 0 });
    core.router.workerCount = 1;
    const w = new Int32Array(1);
    assert.equal(core.router.route(1, w), 1);
    assert.equal(core.table.assign(h, w, 1), 1);
    assert.equal(core.table.status(h[0]!), PULLED);
    assert.equal(core.table.report(h, Int32Array.of(0), w, Int32Array.of(SUCCESS), 1), 1);
    assert.deepEqual(core.counters.name(0), { total: 1, init: 0, pulled: 0, running: 0, success: 1, failed: 0 });
  });
}
