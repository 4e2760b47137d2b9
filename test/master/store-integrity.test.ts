// B35 in process: an integrity error from any store call (PostgreSQL's
// data_corrupted here) closes the master once, logs it and calls onFatal.
import { describe, it, expect } from "vitest";
import { ManualClock } from "../../src/runtime/clock.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { Master, type MasterEvent } from "../../src/master/index.ts";
import { Worker } from "../../src/worker/index.ts";
import { isIntegrityFailure } from "../../src/store/index.ts";

describe("B35 store integrity (in process)", () => {
  it("B35: an XX001 from a store read closes the master once, logs store-integrity-error and calls onFatal", async () => {
    const clock = new ManualClock(1_000_000), network = new InProcessNetwork(clock);
    const store = new MemoryStore();
    const original = store.listInstances.bind(store);
    let corrupt = false;
    store.listInstances = async (f) => {
      if (corrupt) throw Object.assign(new Error("invalid page in block 7 of relation base/1/2"), { code: "XX001" });
      return original(f);
    };
    const own = new Worker({ workerId: "m-own", address: "m/worker", transport: network, clock, processors: {} });
    const events: MasterEvent[] = [];
    const fatal: Error[] = [];
    const master = new Master({ store, transport: network, clock, address: "m", ownWorker: own, log: (e) => events.push(e), onFatal: (e) => fatal.push(e) });
    await master.start();
    expect(await master.list()).toEqual([]);
    corrupt = true;
    await expect(master.list()).rejects.toThrow(/invalid page/);
    await expect(master.list()).rejects.toThrow(/invalid page/);
    expect(fatal.length).toBe(1);
    expect(fatal[0]!.message).toMatch(/^store integrity error in memory: invalid page in block 7 of relation base\/1\/2 \(XX001\)/);
    expect(events.filter((e) => e.event === "store-integrity-error")).toHaveLength(1);
    // Closed: it no longer serves workers.
    const r = await network.request("m", { type: "heartbeat", worker: { workerId: "x", incarnation: 1, secret: "00000000000000000000000000000000" }, load: { freeSlots: 1, cpuFree: null, memFree: null }, instances: [] }).catch((e: Error) => e);
    expect(r).toBeInstanceOf(Error);
    own.close();
  });

  it("B35: only data damage counts: SQLite corrupt and not-a-database, PostgreSQL XX001 and XX002", () => {
    for (const code of ["SQLITE_CORRUPT", "SQLITE_CORRUPT_INDEX", "SQLITE_NOTADB", "XX001", "XX002"]) expect(isIntegrityFailure({ code })).toBe(true);
    for (const code of ["SQLITE_BUSY", "SQLITE_FULL", "23505", "XX000", undefined]) expect(isIntegrityFailure({ code })).toBe(false);
    expect(isIntegrityFailure(null)).toBe(false);
  });
});
