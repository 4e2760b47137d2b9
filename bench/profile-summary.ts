// Summarizes a V8 CPU profile (`node --cpu-prof`, or the e2e bench's
// `--cpu-prof=DIR`): self time by function and by file, as shares of the
// busy (non-idle) time — the tables of bench/notes/e2e.md.
// Usage: node dist/bench/profile-summary.js FILE.cpuprofile [TOP]
import { readFileSync } from "node:fs";

/** The parts of a .cpuprofile this reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** One line of a summary: a function or a file and its self time. */
export interface ProfileLine {
  key: string;
  ms: number;
  /** Share of busy time, 0-1. */
  share: number;
}

/** Self time by function and by file (node_modules by package), sorted, and the busy and total time in ms. */
export function summarizeProfile(p: CpuProfile): { totalMs: number; busyMs: number; byFunction: ProfileLine[]; byFile: ProfileLine[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const d = p.timeDeltas[i] ?? 0;
    total += d;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + d);
  }
  const fn = new Map<string, number>(), file = new Map<string, number>();
  let idle = 0;
  for (const [id, t] of self) {
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === "(idle)") { idle += t; continue; }
    const k = `${cf.functionName || "(anonymous)"} ${cf.url.split("/").slice(-2).join("/")}:${cf.lineNumber + 1}`;
    fn.set(k, (fn.get(k) ?? 0) + t);
    const path = cf.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, "$1/");
    const f = path.startsWith("node_modules/") ? path.split("/").slice(0, path.startsWith("node_modules/@") ? 3 : 2).join("/") : path || cf.functionName;
    file.set(f, (file.get(f) ?? 0) + t);
  }
  const busy = total - idle;
  const lines = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([key, us]) => ({ key, ms: us / 1000, share: busy > 0 ? us / busy : 0 }));
  return { totalMs: total / 1000, busyMs: busy / 1000, byFunction: lines(fn), byFile: lines(file) };
}

const file = process.argv[2];
if (file !== undefined && import.meta.url === `file://${process.argv[1]}`) {
  const top = Number(process.argv[3] ?? 30);
  const s = summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
  const show = (l: ProfileLine) => `${(100 * l.share).toFixed(1).padStart(5)} %  ${l.ms.toFixed(0).padStart(6)} ms  ${l.key}`;
  console.log(`${file}: ${(s.totalMs / 1000).toFixed(2)} s sampled, ${(s.busyMs / 1000).toFixed(2)} s busy`);
  console.log("by function:");
  for (const l of s.byFunction.slice(0, top)) console.log(show(l));
  console.log("by file:");
  for (const l of s.byFile.slice(0, top)) console.log(show(l));
}
