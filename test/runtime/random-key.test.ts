// The keys that prove who sends (src/runtime/random-key.ts): made from 128 random bits, and
// compared without an early exit.
import { describe, it, expect } from "vitest";
import { KEY_LENGTH, randomKey, sameKey } from "../../src/runtime/random-key.ts";

describe("H13 random keys", () => {
  it("H13: a key is 32 lowercase hex digits (128 bits), and 1,000 keys are all different", () => {
    const keys = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const k = randomKey();
      expect(k).toMatch(/^[0-9a-f]{32}$/);
      keys.add(k);
    }
    expect(KEY_LENGTH).toBe(32);
    expect(keys.size).toBe(1000);
  });

  it("H14: sameKey holds only for equal keys: one differing digit anywhere, another length, an empty key or none is not the same", () => {
    const k = randomKey();
    expect(sameKey(k, `${k}`)).toBe(true);
    for (const i of [0, 15, 31]) {
      const other = k.slice(0, i) + (k[i] === "0" ? "1" : "0") + k.slice(i + 1);
      expect(sameKey(k, other)).toBe(false);
    }
    expect(sameKey(k, k.slice(0, 31))).toBe(false);
    expect(sameKey(k, `${k}0`)).toBe(false);
    expect(sameKey(k, undefined)).toBe(false);
    expect(sameKey(undefined, undefined)).toBe(false);
    // A worker's credential before its registration's reply is empty: it matches no message.
    expect(sameKey("", "")).toBe(false);
  });
});
