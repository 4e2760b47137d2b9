// The write chain of an instance (B11, X3, B33): writes in issue order, each
// tried up to 3 times, a failure for good reported once to onFatal. Pipelined
// (a store that keeps the order and retries itself: the SQLite store on its
// own thread), a write starts before the one before it answered. The writes
// here are functions the test settles by hand, so the order of starts and
// answers is the test's, not the clock's.
import { describe, expect, it } from "vitest";
import { FencedError } from "../../src/store/errors.ts";
import { WriteChain } from "../../src/master/instance/write-chain.ts";

/** A write the test answers: `started` counts its calls, `answer`/`fail` settle the last call. */
function handWrite(log: string[], name: string) {
  let settle: { resolve: (v: string) => void; reject: (e: unknown) => void } | null = null;
  const w = {
    started: 0,
    run: () => new Promise<string>((resolve, reject) => {
      w.started++;
      log.push(`start ${name}`);
      settle = { resolve, reject };
    }),
    answer: () => settle!.resolve(name),
    fail: (e: unknown) => settle!.reject(e),
  };
  return w;
}

/** Lets every pending microtask (and the promise chains they start) run. */
const turn = () => new Promise<void>((r) => setImmediate(r));

describe("write chain", () => {
  it("B11: waiting, each write starts after the one before answered, and a failed write is tried 3 times before onFatal", async () => {
    const log: string[] = [];
    const fatal: unknown[] = [];
    const chain = new WriteChain((e) => fatal.push(e));
    const a = handWrite(log, "a"), b = handWrite(log, "b");
    const pa = chain.run(a.run);
    const pb = chain.run(b.run);
    await turn();
    expect(log).toEqual(["start a"]);
    a.fail(new Error("busy"));
    await turn();
    a.fail(new Error("busy"));
    await turn();
    a.fail(new Error("still busy"));
    await expect(pa).rejects.toThrow("still busy");
    await turn();
    expect(a.started).toBe(3);
    expect(fatal.map((e) => (e as Error).message)).toEqual(["still busy"]);
    expect(log).toEqual(["start a", "start a", "start a", "start b"]);
    b.answer();
    await expect(pb).resolves.toBe("b");
    await chain.drain();
    expect(chain.pending).toBe(0);
  });

  it("pipelined: every write starts in issue order without waiting for an answer, and is tried once here (the store retries)", async () => {
    const log: string[] = [];
    const fatal: unknown[] = [];
    const chain = new WriteChain((e) => fatal.push(e), 1, true);
    const ws = ["a", "b", "c"].map((n) => handWrite(log, n));
    const ps = ws.map((w) => chain.run(w.run));
    await turn();
    expect(log).toEqual(["start a", "start b", "start c"]);
    expect(chain.pending).toBe(3);
    ws[1]!.fail(new Error("b failed"));
    await expect(ps[1]).rejects.toThrow("b failed");
    expect(ws[1]!.started).toBe(1);
    ws[0]!.answer();
    ws[2]!.answer();
    await expect(ps[0]).resolves.toBe("a");
    await expect(ps[2]).resolves.toBe("c");
    await chain.drain();
    expect(fatal.map((e) => (e as Error).message)).toEqual(["b failed"]);
    expect(chain.pending).toBe(0);
  });

  it("pipelined: `settled` waits for every write issued before it, even when a later one answers first, and failures reach onFatal in issue order", async () => {
    const log: string[] = [];
    const fatal: string[] = [];
    const chain = new WriteChain((e) => fatal.push((e as Error).message), 1, true);
    const a = handWrite(log, "a"), b = handWrite(log, "b");
    void chain.run(a.run).catch(() => undefined);
    void chain.run(b.run).catch(() => undefined);
    let settled = false;
    void chain.settled.then(() => { settled = true; });
    await turn();
    b.fail(new FencedError("i-1", 1, 2));
    await turn();
    expect(settled).toBe(false);
    expect(fatal).toEqual([]); // b's failure waits for a: reported after what was issued before it
    a.fail(new Error("a failed"));
    await turn();
    expect(settled).toBe(true);
    expect(fatal).toEqual(["a failed", expect.stringMatching(/stale/)]);
  });

  it("a FencedError is final at once: the write is not tried again (X3)", async () => {
    const log: string[] = [];
    const fatal: unknown[] = [];
    const chain = new WriteChain((e) => fatal.push(e));
    const a = handWrite(log, "a");
    const pa = chain.run(a.run);
    await turn();
    a.fail(new FencedError("i-1", 1, 2));
    await expect(pa).rejects.toBeInstanceOf(FencedError);
    await chain.drain();
    expect(a.started).toBe(1);
    expect(fatal).toHaveLength(1);
  });
});
