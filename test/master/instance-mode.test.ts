// The instance master's lifecycle as one explicit mode (src/master/instance/mode.ts).
import { describe, it, expect } from "vitest";
import { hasLiveCycle, nextMode, takesWork, type InstanceMode } from "../../src/master/instance/mode.ts";

const MODES: InstanceMode[] = ["starting", "running", "finishing", "between-cycles", "closed"];
const ALLOWED = new Set([
  "starting>running", "starting>finishing", "starting>closed",
  "running>finishing", "running>closed",
  "finishing>between-cycles", "finishing>closed",
  "between-cycles>starting", "between-cycles>closed",
]);

describe("instance mode", () => {
  it("B20: moves only along the lifecycle — a cycle starts, runs, finishes, then waits for the next or closes; closed is final", () => {
    for (const from of MODES) {
      for (const to of MODES) {
        if (ALLOWED.has(`${from}>${to}`)) expect(nextMode(from, to)).toBe(to);
        else expect(() => nextMode(from, to), `${from} → ${to}`).toThrow(`instance mode cannot move from ${from} to ${to}`);
      }
    }
  });

  it("B12: only a running instance takes work; its cycle stays live while it finishes", () => {
    expect(MODES.filter(takesWork)).toEqual(["running"]);
    expect(MODES.filter(hasLiveCycle)).toEqual(["starting", "running", "finishing"]);
  });
});
