// X4: a store's results are read page by page and handed out row by row; leaving early stops the reading.
import { describe, expect, it } from "vitest";
import { pageRows } from "../../src/store/page-rows.ts";

describe("X4: rows of a paged read", () => {
  it("X4: hands out every row of every page in order, empty pages skipped", async () => {
    async function* pages() { yield [1, 2]; yield []; yield [3]; yield [4, 5, 6]; }
    const out: number[] = [];
    for await (const x of pageRows(pages())) out.push(x);
    expect(out).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("X4: reads a page only once the rows before it are taken, and stops reading when the reader leaves", async () => {
    const read: number[] = [];
    let closed = false;
    async function* pages() {
      try {
        for (let p = 0; p < 100; p++) { read.push(p); yield [p * 10, p * 10 + 1]; }
      } finally {
        closed = true;
      }
    }
    const out: number[] = [];
    for await (const x of pageRows(pages())) {
      out.push(x);
      if (out.length === 3) break;
    }
    expect(out).toEqual([0, 1, 10]);
    expect(read).toEqual([0, 1]);
    expect(closed).toBe(true);
  });

  it("X4: a failed page read reaches the reader", async () => {
    async function* pages(): AsyncGenerator<number[]> { yield [1]; throw new Error("disk gone"); }
    const out: number[] = [];
    await expect((async () => { for await (const x of pageRows(pages())) out.push(x); })()).rejects.toThrow("disk gone");
    expect(out).toEqual([1]);
  });
});
