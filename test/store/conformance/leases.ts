/**
 * The lease part of the TaskStore conformance suite (several masters on one
 * store, X3): who may acquire an instance when, renewal, the expired list,
 * and that the token — not the clock — keeps a deposed owner from writing.
 * Times are plain numbers handed in as `now`, so no test waits. Registered
 * by `runStoreSuite`; like it, it needs only `node:assert/strict`.
 */
import assert from "node:assert/strict";
import { SUCCESS } from "../../../core-as/shared/constants.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import { FencedError, LeaseHeldError, UnknownInstanceError } from "../../../src/store/errors.ts";
import type { Fence, LeaseTerms, NewInstance } from "../../../src/store/task-store.ts";
import type { StoreTest } from "./fixtures.ts";

const A = "http://master-a:7070";
const B = "http://master-b:7070";
/** A time far from 0, so "null" and "0" can never pass for a lease. */
const T0 = 1_900_000_000_000;
const LEASE = 10_000;

function spec(createdAt = T0): NewInstance {
  return { instanceId: crypto.randomUUID(), processor: "p", settings: {}, params: null, serialNum: 1, createdAt };
}

const at = (now: number, leaseMs = LEASE): LeaseTerms => ({ now, leaseMs });

/** Registers the lease tests with `test`. */
export function registerLeaseTests(test: StoreTest): void {
  test("leases: createInstance without terms holds no lease; with terms the lease runs until now + leaseMs", async (store) => {
    const plain = await store.createInstance(spec(), A);
    assert.equal((await store.getInstance(plain.instanceId))?.leaseUntil, null);
    const leased = await store.createInstance(spec(), A, at(T0, 2500));
    assert.deepEqual(leased.token, 1);
    const rec = await store.getInstance(leased.instanceId);
    assert.deepEqual([rec?.owner, rec?.fence, rec?.leaseUntil], [A, 1, T0 + 2500]);
    assert.equal((await store.listInstances()).find((r) => r.instanceId === leased.instanceId)?.leaseUntil, T0 + 2500);
  });

  test("leases: acquireInstance with terms is refused with LeaseHeldError while another owner's lease runs, and changes nothing; once it ran out it succeeds", async (store) => {
    const first = await store.createInstance(spec(), A, at(T0));
    const id = first.instanceId;
    const before = await store.getInstance(id);
    await assert.rejects(store.acquireInstance(id, B, at(T0 + LEASE - 1)), (e: unknown) => {
      assert.ok(e instanceof LeaseHeldError, `expected LeaseHeldError, got ${String(e)}`);
      assert.deepEqual([e.instanceId, e.owner, e.until], [id, A, T0 + LEASE]);
      return true;
    });
    assert.deepEqual(await store.getInstance(id), before);
    // The first writer still owns it.
    await store.insertTasks(first, [{ seq: 0, taskId: "r", parentId: null, name: "ROOT", body: null, queued: true }]);
    const taken = await store.acquireInstance(id, B, at(T0 + LEASE, 3000));
    assert.deepEqual(taken, { instanceId: id, token: 2 });
    const rec = await store.getInstance(id);
    assert.deepEqual([rec?.owner, rec?.fence, rec?.leaseUntil], [B, 2, T0 + LEASE + 3000]);
    await assert.rejects(store.acquireInstance(crypto.randomUUID(), B, at(T0)), UnknownInstanceError);
  });

  test("leases: an owner re-acquires its own running lease; an acquisition without terms always succeeds and leaves no lease, which anyone may take", async (store) => {
    const first = await store.createInstance(spec(), A, at(T0));
    const id = first.instanceId;
    const again = await store.acquireInstance(id, A, at(T0 + 1));
    assert.equal(again.token, 2);
    assert.equal((await store.getInstance(id))?.leaseUntil, T0 + 1 + LEASE);
    const forced = await store.acquireInstance(id, B);
    assert.equal(forced.token, 3);
    let rec = await store.getInstance(id);
    assert.deepEqual([rec?.owner, rec?.leaseUntil], [B, null]);
    // No lease: taken with terms even at a time before every lease above ran out.
    const taken = await store.acquireInstance(id, A, at(T0));
    assert.equal(taken.token, 4);
    rec = await store.getInstance(id);
    assert.deepEqual([rec?.owner, rec?.leaseUntil], [A, T0 + LEASE]);
  });

  test("leases: renewLeases extends only leases held with the exact owner and token, returns their ids, and leaves the rest as they are", async (store) => {
    const kept = await store.createInstance(spec(), A, at(T0));
    const lost = await store.createInstance(spec(), A, at(T0));
    const other = await store.createInstance(spec(), B, at(T0));
    const plain = await store.createInstance(spec(), A);
    await store.acquireInstance(lost.instanceId, B, at(T0 + LEASE));
    const renewed = await store.renewLeases(A, [
      kept, lost, other, plain, { instanceId: crypto.randomUUID(), token: 1 }, { instanceId: kept.instanceId, token: 7 },
    ], at(T0 + 500));
    assert.deepEqual(renewed.sort(), [kept.instanceId, plain.instanceId].sort());
    assert.equal((await store.getInstance(kept.instanceId))?.leaseUntil, T0 + 500 + LEASE);
    assert.equal((await store.getInstance(plain.instanceId))?.leaseUntil, T0 + 500 + LEASE);
    const lostRec = await store.getInstance(lost.instanceId);
    assert.deepEqual([lostRec?.owner, lostRec?.fence, lostRec?.leaseUntil], [B, 2, T0 + 2 * LEASE]);
    assert.equal((await store.getInstance(other.instanceId))?.leaseUntil, T0 + LEASE);
    assert.deepEqual(await store.renewLeases(A, [], at(T0)), []);
  });

  test("leases: a lease that ran out but was not taken is renewed; renewing with leaseMs 0 releases it for others at once", async (store) => {
    const fence = await store.createInstance(spec(), A, at(T0));
    const id = fence.instanceId;
    assert.deepEqual(await store.renewLeases(A, [fence], at(T0 + 5 * LEASE)), [id]);
    assert.equal((await store.getInstance(id))?.leaseUntil, T0 + 6 * LEASE);
    await assert.rejects(store.acquireInstance(id, B, at(T0 + 5 * LEASE + 1)), LeaseHeldError);
    assert.deepEqual(await store.renewLeases(A, [fence], at(T0 + 5 * LEASE + 2, 0)), [id]);
    const taken = await store.acquireInstance(id, B, at(T0 + 5 * LEASE + 2));
    assert.equal(taken.token, 2);
  });

  test("leases: expiredInstances lists the RUNNING instances whose lease ran out or that hold none, oldest first, and honours limit", async (store) => {
    // createdAt far in the past keeps these ahead of other tests' instances in a shared store.
    const t = 1_000;
    const none = await store.createInstance(spec(t + 2), A);
    const ranOut = await store.createInstance(spec(t + 1), A, at(T0));
    const running = await store.createInstance(spec(t), A, at(T0, 3 * LEASE));
    const justNow = await store.createInstance(spec(t + 3), B, at(T0, 2 * LEASE));
    const finished = await store.createInstance(spec(t + 4), A, at(T0));
    await store.updateInstance(finished, { status: "SUCCESS", finishedAt: T0 });
    const mine = new Set([none, ranOut, running, justNow, finished].map((f) => f.instanceId));
    const now = T0 + 2 * LEASE;
    const all = await store.expiredInstances(now);
    for (const r of all) {
      assert.equal(r.status, "RUNNING");
      assert.ok(r.leaseUntil === null || r.leaseUntil <= now, `${r.instanceId} runs until ${r.leaseUntil}`);
    }
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.createdAt <= all[i]!.createdAt, "not oldest first");
    assert.deepEqual(all.filter((r) => mine.has(r.instanceId)).map((r) => r.instanceId),
      [ranOut.instanceId, none.instanceId, justNow.instanceId]);
    const rec = all.find((r) => r.instanceId === ranOut.instanceId);
    assert.deepEqual([rec?.owner, rec?.fence, rec?.leaseUntil, rec?.processor], [A, 1, T0 + LEASE, "p"]);
    assert.deepEqual((await store.expiredInstances(now, 2)).map((r) => r.instanceId), all.slice(0, 2).map((r) => r.instanceId));
    assert.deepEqual(await store.expiredInstances(now, 0), []);
    // Taken over, an instance leaves the list.
    await store.acquireInstance(ranOut.instanceId, B, at(now));
    assert.ok(!(await store.expiredInstances(now)).some((r) => r.instanceId === ranOut.instanceId));
  });

  test("leases: two owners racing to take one expired instance: exactly one wins, the other gets LeaseHeldError", async (store) => {
    for (let round = 0; round < 5; round++) {
      const fence = await store.createInstance(spec(), A, at(T0));
      const now = T0 + LEASE + round;
      const outcomes = await Promise.allSettled([
        store.acquireInstance(fence.instanceId, B, at(now)),
        store.acquireInstance(fence.instanceId, "http://master-c:7070", at(now)),
      ]);
      const won = outcomes.filter((o): o is PromiseFulfilledResult<Fence> => o.status === "fulfilled");
      assert.equal(won.length, 1, `round ${round}: ${won.length} winners`);
      assert.equal(won[0]!.value.token, 2);
      const lost = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
      assert.ok(lost.reason instanceof LeaseHeldError, `round ${round}: ${String(lost.reason)}`);
      assert.equal((await store.getInstance(fence.instanceId))?.owner, lost.reason.owner);
    }
  });

  test("leases: after a takeover the old owner's renewal returns nothing and its writes are refused, whatever time it thinks it is", async (store) => {
    const old = await store.createInstance(spec(), A, at(T0));
    const id = old.instanceId;
    await store.insertTasks(old, [{ seq: 0, taskId: "r", parentId: null, name: "ROOT", body: null, queued: false }]);
    const fresh = await store.acquireInstance(id, B, at(T0 + LEASE));
    // A was paused: its clock says its lease still runs.
    assert.deepEqual(await store.renewLeases(A, [old], at(T0 + 1)), []);
    await assert.rejects(store.updateStatuses(old, [{ seq: 0, status: SUCCESS, attempt: 0, worker: null, result: "late" }]), FencedError);
    await assert.rejects(store.updateInstance(old, { status: "FAILED", result: "late" }), FencedError);
    const rec = await store.getInstance(id);
    assert.deepEqual([rec?.status, rec?.owner, rec?.fence, rec?.leaseUntil], ["RUNNING", B, fresh.token, T0 + 2 * LEASE]);
    assert.equal((await store.getTask(id, "r"))?.status, 1);
    // Even re-acquiring needs the lease to run out: A's old clock does not get it back.
    await assert.rejects(store.acquireInstance(id, A, at(T0 + 1)), LeaseHeldError);
  });

  test("leases: bad lease arguments are refused with ValidationError naming the field, and change nothing", async (store) => {
    const fence = await store.createInstance(spec(), A, at(T0));
    const id = fence.instanceId;
    const cases: Array<[string, () => Promise<unknown>]> = [
      ["lease.now", () => store.acquireInstance(id, B, { now: -1, leaseMs: 5 })],
      ["lease.now", () => store.acquireInstance(id, B, { now: 1.5, leaseMs: 5 })],
      ["lease.leaseMs", () => store.acquireInstance(id, B, { now: T0, leaseMs: -5 })],
      ["lease.leaseMs", () => store.createInstance(spec(), A, { now: T0, leaseMs: Number.NaN })],
      ["lease", () => store.renewLeases(A, [fence], undefined as unknown as LeaseTerms)],
      ["fences", () => store.renewLeases(A, "nope" as unknown as Fence[], at(T0))],
      ["fences[0].token", () => store.renewLeases(A, [{ instanceId: id, token: "1" as unknown as number }], at(T0))],
      ["owner", () => store.renewLeases("", [fence], at(T0))],
      ["now", () => store.expiredInstances(-1)],
      ["limit", () => store.expiredInstances(T0, 2.5)],
    ];
    for (const [field, call] of cases) {
      await assert.rejects(call(), (e: unknown) => {
        assert.ok(e instanceof ValidationError, `${field}: expected ValidationError, got ${String(e)}`);
        assert.equal(e.field, field);
        return true;
      });
    }
    const rec = await store.getInstance(id);
    assert.deepEqual([rec?.owner, rec?.fence, rec?.leaseUntil], [A, 1, T0 + LEASE]);
  });
}
