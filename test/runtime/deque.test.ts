import { describe, it, expect } from "vitest";
import { Deque } from "../../src/runtime/deque.ts";

describe("failed-over handles", () => {
  it("the deque keeps order through pushes, shifts and put-backs, at any size", () => {
    const d = new Deque<number>();
    const many = Uint32Array.from({ length: 300_000 }, (_, i) => i);
    d.pushAll(many); // no argument spreading: 300k at once is fine
    expect(d.size).toBe(300_000);
    for (let i = 0; i < 200_000; i++) expect(d.shift()).toBe(i);
    d.unshiftAll([7, 8]);
    expect([d.shift(), d.shift(), d.shift()]).toEqual([7, 8, 200_000]);
    expect(d.size).toBe(99_999);
    expect(d.removeFirst((x) => x === 200_005)).toBe(200_005);
    expect(d.drain().slice(0, 5)).toEqual([200_001, 200_002, 200_003, 200_004, 200_006]);
    expect(d.size).toBe(0);
    expect(d.shift()).toBeUndefined();
  });
});
