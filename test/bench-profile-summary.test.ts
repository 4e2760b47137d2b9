// The CPU profile summary the bench notes' tables come from: self time per
// function and per file, as shares of the time the process was not idle.
import { describe, expect, it } from "vitest";
import { summarizeProfile } from "../bench/profile-summary.ts";

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

describe("bench: CPU profile summary", () => {
  it("sums self time per function and per file (packages by name), idle left out of the shares", () => {
    const s = summarizeProfile({
      nodes: [
        { id: 1, callFrame: frame("(idle)", "") },
        { id: 2, callFrame: frame("insertRows", "file:///repo/dist/adapters/node/sqlite/sqlite-insert.js", 50) },
        { id: 3, callFrame: frame("json", "file:///repo/node_modules/hono/dist/request.js", 103) },
        { id: 4, callFrame: frame("serve", "file:///repo/node_modules/@hono/node-server/dist/index.mjs", 9) },
        { id: 5, callFrame: frame("other", "file:///repo/dist/adapters/node/sqlite/sqlite-insert.js", 80) },
      ],
      samples: [1, 2, 3, 2, 4, 5, 1],
      timeDeltas: [4000, 3000, 1000, 3000, 1000, 2000, 6000],
    });
    expect(s.totalMs).toBe(20);
    expect(s.busyMs).toBe(10);
    expect(s.byFunction[0]).toEqual({ key: "insertRows sqlite/sqlite-insert.js:51", ms: 6, share: 0.6 });
    expect(s.byFile.map((l) => [l.key, l.ms])).toEqual([
      ["dist/adapters/node/sqlite/sqlite-insert.js", 8],
      ["node_modules/hono", 1],
      ["node_modules/@hono/node-server", 1],
    ]);
  });
});
