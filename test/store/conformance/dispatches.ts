/**
 * B27: dispatch records — one write per dispatched batch, read back in the
 * order written, page by page, replaced as a whole (a resume's compaction),
 * deleted with the instance's tasks, fenced like every write.
 */
import assert from "node:assert/strict";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import { FencedError, UnknownInstanceError } from "../../../src/store/errors.ts";
import type { StoredDispatch } from "../../../src/store/task-store.ts";
import { newInstance, OWNER_A, OWNER_B, range, tasks, W1, W2, type StoreTest } from "./fixtures.ts";

const WID = "worker-1@10.0.0.1:7000";

/** Records without their ids (ids are the store's, only their order is the contract). */
function bare(list: readonly StoredDispatch[]) {
  return list.map(({ workerId, worker, seqs, attempts }) => ({ workerId, worker, seqs, attempts }));
}

/** Registers the tests of this part of the suite with `test`. */
export function registerDispatchTests(test: StoreTest): void {
  test("B27: recordDispatch stores a batch as one record; listDispatches returns them in the order written", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 10));
    await store.recordDispatch(fence, { workerId: WID, worker: W1, seqs: [0, 1, 2], attempts: [0, 0, 1] });
    await store.recordDispatch(fence, { workerId: WID, worker: W2, seqs: [3], attempts: [2] });
    await store.recordDispatch(fence, { workerId: WID, worker: W2, seqs: [], attempts: [] }); // an empty batch stores nothing
    const all = await store.listDispatches(id, -1, 100);
    assert.deepEqual(bare(all), [
      { workerId: WID, worker: W1, seqs: [0, 1, 2], attempts: [0, 0, 1] },
      { workerId: WID, worker: W2, seqs: [3], attempts: [2] },
    ]);
    assert.ok(all[0]!.id < all[1]!.id);
    assert.deepEqual(await store.listDispatches(crypto.randomUUID(), -1, 100), []);
  });

  test("B27: listDispatches pages by id: afterId and limit", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    for (const seq of range(0, 7)) await store.recordDispatch(fence, { workerId: WID, worker: W1, seqs: [seq], attempts: [0] });
    const seen: number[] = [];
    let after = -1;
    for (;;) {
      const page = await store.listDispatches(fence.instanceId, after, 3);
      if (page.length === 0) break;
      assert.ok(page.length <= 3);
      for (const r of page) seen.push(r.seqs[0]!);
      after = page[page.length - 1]!.id;
    }
    assert.deepEqual(seen, range(0, 7));
  });

  test("B27: a batch of 5,000 tasks is one record with every seq and attempt", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const seqs = range(0, 5000), attempts = seqs.map((s) => s % 3);
    await store.recordDispatch(fence, { workerId: WID, worker: W1, seqs, attempts });
    const got = await store.listDispatches(fence.instanceId, -1, 100);
    // A backend may split a large record in parts (Deno KV's value limit): together they hold the batch.
    assert.deepEqual(got.flatMap((r) => r.seqs), seqs);
    assert.deepEqual(got.flatMap((r) => r.attempts), attempts);
    assert.ok(got.every((r) => r.worker === W1 && r.workerId === WID));
  });

  test("B27: replaceDispatches replaces every record of the instance, and only of it", async (store) => {
    const a = await store.createInstance(newInstance(), OWNER_A);
    const b = await store.createInstance(newInstance(), OWNER_A);
    await store.recordDispatch(a, { workerId: WID, worker: W1, seqs: [0, 1], attempts: [0, 0] });
    await store.recordDispatch(b, { workerId: WID, worker: W1, seqs: [5], attempts: [1] });
    await store.replaceDispatches(a, [{ workerId: WID, worker: W2, seqs: [1], attempts: [0] }]);
    assert.deepEqual(bare(await store.listDispatches(a.instanceId, -1, 100)), [{ workerId: WID, worker: W2, seqs: [1], attempts: [0] }]);
    assert.deepEqual(bare(await store.listDispatches(b.instanceId, -1, 100)), [{ workerId: WID, worker: W1, seqs: [5], attempts: [1] }]);
    await store.replaceDispatches(a, []);
    assert.deepEqual(await store.listDispatches(a.instanceId, -1, 100), []);
  });

  test("B27: clearTasks deletes the instance's dispatch records with its tasks", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(0, 3));
    await store.recordDispatch(fence, { workerId: WID, worker: W1, seqs: [0, 1, 2], attempts: [0, 0, 0] });
    await store.clearTasks(fence);
    assert.deepEqual(await store.listDispatches(fence.instanceId, -1, 100), []);
    await store.recordDispatch(fence, { workerId: WID, worker: W1, seqs: [0], attempts: [1] });
    assert.deepEqual(bare(await store.listDispatches(fence.instanceId, -1, 100)), [{ workerId: WID, worker: W1, seqs: [0], attempts: [1] }]);
  });

  test("B27: dispatch writes are fenced; a bad record is refused naming its field, and nothing is stored", async (store) => {
    const old = await store.createInstance(newInstance(), OWNER_A);
    const now = await store.acquireInstance(old.instanceId, OWNER_B);
    await assert.rejects(store.recordDispatch(old, { workerId: WID, worker: W1, seqs: [0], attempts: [0] }), FencedError);
    await assert.rejects(store.replaceDispatches(old, []), FencedError);
    await assert.rejects(store.recordDispatch({ instanceId: crypto.randomUUID(), token: 1 }, { workerId: WID, worker: W1, seqs: [0], attempts: [0] }),
      UnknownInstanceError);
    await assert.rejects(store.recordDispatch(now, { workerId: WID, worker: W1, seqs: [0, 1], attempts: [0] }),
      (e: unknown) => e instanceof ValidationError && e.message.includes("attempts"));
    await assert.rejects(store.recordDispatch(now, { workerId: WID, worker: W1, seqs: [-1], attempts: [0] }),
      (e: unknown) => e instanceof ValidationError && e.message.includes("seqs[0]"));
    await assert.rejects(store.recordDispatch(now, { workerId: "", worker: W1, seqs: [0], attempts: [0] }),
      (e: unknown) => e instanceof ValidationError && e.message.includes("workerId"));
    await assert.rejects(store.listDispatches(now.instanceId, -1, 0), ValidationError);
    assert.deepEqual(await store.listDispatches(now.instanceId, -1, 100), []);
  });
}
