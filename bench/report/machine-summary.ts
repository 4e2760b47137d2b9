// The machine facts a suite's rows were measured on, as Markdown: a figure
// never travels without where, when and at which commit it was taken.
import type { MachineFacts } from "../lib/results.ts";
import type { ResultsRow } from "./results-row.ts";

/** "2026-11-24T10:03:18.812Z" → "2026-11-24 10:03 UTC"; anything else as it is. */
export function shortDate(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** One line of machine facts: CPU, cores, Node, date, commit, load average. */
export function machineLine(m: Partial<MachineFacts>): string {
  const commit = m.gitCommit
    ? `commit \`${m.gitCommit}\`${m.gitCommit.endsWith("-dirty") ? " (with uncommitted changes)" : ""}`
    : "commit unknown";
  const load = Array.isArray(m.loadAverage) && m.loadAverage.length > 0
    ? `load average ${m.loadAverage.join(" / ")} (1 / 5 / 15 min) at the start`
    : "load average unknown";
  return [
    `\`${m.cpuModel ?? "unknown CPU"}\`, ${m.cores ?? "?"} cores, Node ${m.node ?? "?"}`,
    m.date ? shortDate(m.date) : "date unknown",
    commit,
    load,
  ].join(" · ");
}

/**
 * The machine lines of a suite's rows: one line when every row ran on the
 * same machine in the same run (the usual case), else one per distinct run
 * with the rows it covers; rows without `machine` are said to lack it.
 */
export function machineSummary(rows: readonly ResultsRow[]): string[] {
  const runs = new Map<string, { facts: Partial<MachineFacts> | null; rows: number[] }>();
  rows.forEach((row, i) => {
    const facts = row.machine && typeof row.machine === "object" ? row.machine : null;
    const key = JSON.stringify(facts);
    const run = runs.get(key) ?? { facts, rows: [] };
    run.rows.push(i + 1);
    runs.set(key, run);
  });
  const text = (f: Partial<MachineFacts> | null) => (f ? machineLine(f) : "not recorded (rows without `machine`)");
  if (runs.size <= 1) return [`Run: ${text([...runs.values()][0]?.facts ?? null)}`];
  return ["Runs:", ...[...runs.values()].map((r) => `- rows ${r.rows.join(", ")}: ${text(r.facts)}`)];
}
