import { describe, it, expect } from "vitest";
import { createWasmCore, createTwinCore, parseRate, resolveCoreOptions } from "../../src/core/index.ts";
import { runCoreSuite } from "./core-suite.ts";

runCoreSuite("wasm", createWasmCore);
runCoreSuite("twin", createTwinCore);

describe("core options and rates", () => {
  it("bad sizes name the field and what was expected", () => {
    expect(() => createWasmCore({ queueCapacity: 0 })).toThrow("queueCapacity: Expected an integer from 1 to");
    expect(() => createTwinCore({ tableCapacity: 1.5 })).toThrow("tableCapacity: Expected an integer from 1 to 4194304, got 1.5");
    expect(() => resolveCoreOptions({ maxWorkers: -1 })).toThrow(/maxWorkers: Expected an integer/);
  });

  it("parses N/s, N/m, N/h and a bare number per second (departs: not per ms)", () => {
    expect(parseRate("200/s")).toEqual({ perPeriod: 200, periodMs: 1000 });
    expect(parseRate("50/m")).toEqual({ perPeriod: 50, periodMs: 60_000 });
    expect(parseRate("1000/h")).toEqual({ perPeriod: 1000, periodMs: 3_600_000 });
    expect(parseRate("30")).toEqual({ perPeriod: 30, periodMs: 1000 });
    expect(parseRate(7)).toEqual({ perPeriod: 7, periodMs: 1000 });
  });

  it("refuses a bad dispatchSpeed with the field's name", () => {
    for (const bad of ["", "fast", "0/s", "-5", "10/d", 0, NaN, null, {}]) {
      expect(() => parseRate(bad)).toThrow(/^dispatchSpeed: Expected a positive rate like "200\/s"/);
    }
  });
});
