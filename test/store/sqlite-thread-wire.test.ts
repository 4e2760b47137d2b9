// What crosses to the SQLite store thread (thread-wire.ts): batches packed as
// one text and one Float64Array come back field for field — nulls, repeated
// parents and names sent once, texts outside the one-byte range, results
// absent or null, failure fields — and bad input is refused before it is sent,
// with the store's own "Expected X, got Y" error naming the field.
import { describe, expect, it } from "vitest";
import {
  claimText, packTasks, packUpdates, readClaim, readResults, resultsText, unpackTasks, unpackUpdates,
} from "../../adapters/node/sqlite/thread-wire.ts";
import type { NewTask, StatusUpdate } from "../../src/store/task-store.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";

describe("SQLite store thread wire", () => {
  it("a batch of tasks round-trips: ids, parents (null, repeated), names, bodies as JSON text (null as SQL NULL), queued, at", () => {
    const tasks: NewTask[] = [
      { seq: 0, taskId: "r", parentId: null, name: "ROOT", body: { n: 3 }, queued: true, at: 7 },
      { seq: 1, taskId: "r/0/0", parentId: "r", name: "NUM", body: null, queued: false },
      { seq: 2, taskId: "r/0/1", parentId: "r", name: "NUM", body: "é😀\"x", queued: true, at: 9 },
      { seq: 3, taskId: "ünï", parentId: "r/0/1", name: "NUM", body: [1, { a: null }], queued: false },
      { seq: 4, taskId: "r/0/2", parentId: null, name: "", body: 0, queued: true },
    ];
    const p = packTasks(tasks);
    const { tasks: back, bodies } = unpackTasks(p);
    expect(back).toEqual(tasks.map(({ body: _, ...t }) => ({ ...t, at: t.at ?? 0 })));
    expect(bodies).toEqual(['{"n":3}', null, JSON.stringify("é😀\"x"), '[1,{"a":null}]', "0"]);
    // Repeated parents and names are sent once.
    expect(p.text.split("NUM")).toHaveLength(2);
  });

  it("a bad task is refused before it crosses, with the store's error naming the field", () => {
    const bad = [{ seq: 0, taskId: "a", parentId: null, name: "n", body: 1, queued: true }, { seq: -1, taskId: "b", parentId: null, name: "n", body: 1, queued: true }];
    expect(() => packTasks(bad)).toThrow(ValidationError);
    expect(() => packTasks(bad)).toThrow(/^tasks\[1\]\.seq: Expected/);
    expect(() => packTasks([{ seq: 0, taskId: "a", parentId: null, name: "n", body: () => 1, queued: true } as never])).toThrow(/^tasks\[0\]\.body: Expected a JSON value/);
  });

  it("batches of status updates round-trip as one, in order: workers (null, repeated), results given, null or absent, at absent, failure fields", () => {
    const a: StatusUpdate[] = [
      { seq: 5, status: 4, attempt: 0, worker: "w1#1", result: { s: 1 }, at: 100 },
      { seq: 6, status: 4, attempt: 0, worker: "w1#1", result: null },
      { seq: 7, status: 3, attempt: 2, worker: null },
    ];
    const b: StatusUpdate[] = [
      { seq: 8, status: 5, attempt: 1, worker: "wø#2", result: "boom", failures: 2, notBefore: 1234, error: { message: "m", stack: "s" } },
      { seq: 9, status: 1, attempt: 1, worker: null, notBefore: null, error: null },
    ];
    const u = unpackUpdates([packUpdates(a), packUpdates(b)]);
    expect(u.updates).toEqual([
      { seq: 5, status: 4, attempt: 0, worker: "w1#1", at: 100 },
      { seq: 6, status: 4, attempt: 0, worker: "w1#1", at: undefined },
      { seq: 7, status: 3, attempt: 2, worker: null, at: undefined },
      { seq: 8, status: 5, attempt: 1, worker: "wø#2", at: undefined },
      { seq: 9, status: 1, attempt: 1, worker: null, at: undefined },
    ]);
    expect(u.results).toEqual(['{"s":1}', null, undefined, '"boom"', undefined]);
    expect(u.failures).toEqual([undefined, undefined, undefined, { failures: 2, notBefore: 1234, error: { message: "m", stack: "s" } }, { notBefore: null, error: null }]);
    expect(unpackUpdates([packUpdates(a)]).failures).toBeNull();
  });

  it("a bad status update is refused before it crosses, with the store's error naming the field", () => {
    expect(() => packUpdates([{ seq: 1, status: 9 as never, attempt: 0, worker: null }])).toThrow(/^updates\[0\]\.status: Expected/);
    expect(() => packUpdates([{ seq: 1, status: 4, attempt: 0, worker: null, failures: -1 }])).toThrow(/^updates\[0\]\.failures: Expected/);
  });

  it("claimed rows and result pages come back from one JSON text with the stored JSON spliced in", () => {
    const claimed = claimText({
      rows: [
        [3, "t\"3", null, "NUM", '{"x":[1,2]}', 1, "w#1", null, 55, 0],
        [4, "t4", "r", "NUM", null, 0, null, '"old"', 56, 1],
      ],
      failures: new Map([[4, [4, 2, 999, "bad", null]]]),
    });
    expect(readClaim(claimed)).toEqual([
      { seq: 3, taskId: "t\"3", parentId: null, name: "NUM", body: { x: [1, 2] }, status: 1, attempt: 1, worker: "w#1", result: null, failures: 0, notBefore: null, error: null, updatedAt: 55 },
      { seq: 4, taskId: "t4", parentId: "r", name: "NUM", body: null, status: 1, attempt: 0, worker: null, result: "old", failures: 2, notBefore: 999, error: { message: "bad" }, updatedAt: 56 },
    ]);
    expect(readClaim(claimText({ rows: [], failures: null }))).toEqual([]);
    const page = resultsText([[0, "a", "NUM", 4, "12", 0, null, null], [1, "b", "NUM", 5, null, 2, "m", "st"]]);
    expect(readResults(page)).toEqual([
      { taskId: "a", name: "NUM", status: 4, result: 12, error: null, attempt: 0 },
      { taskId: "b", name: "NUM", status: 5, result: null, error: { message: "m", stack: "st" }, attempt: 2 },
    ]);
  });
});
