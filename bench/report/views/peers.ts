// peers: the same MapReduce shape on BullMQ flows and pg-boss, with the
// ratio taskmill/peer, and a chart of children/s vs N beside taskmill's own.
import { count, megabytes, percent, rate, seconds, times } from "../number-format.ts";
import { num, str } from "../results-row.ts";
import { seriesBy } from "../chart-series.ts";
import { column, textColumn, type SuiteView } from "../suite-view.ts";
import { isThroughput, sizeOf } from "./e2e.ts";
import { loadColumn, numbers, spreadOf } from "./shared-columns.ts";

/** How RESULTS.md shows `bench/results/peers.json`. */
export const peersView: SuiteView = {
  title: "peers: BullMQ flows and pg-boss fan-out/in",
  columns: [
    textColumn("peer", "peer"),
    textColumn("server", "server"),
    column("N", "n", count),
    column("seconds", "seconds", seconds),
    column("children/s", "tasksPerSec", rate),
    column("add s", "addSeconds", seconds),
    column("peak RSS (producer)", "peakRssMB", megabytes),
    column("worker process RSS", "workerPeakRssMB", megabytes, "— (in producer)"),
    {
      header: "client CPU s (producer + worker)", keys: ["cpuSeconds", "workerCpuSeconds"],
      cell: (r) => {
        const p = num(r, "cpuSeconds"), w = num(r, "workerCpuSeconds");
        return p === undefined ? "—" : w === undefined ? seconds(p) : `${seconds(p)} + ${seconds(w)}`;
      },
    },
    {
      header: "noise", keys: ["roundSeconds"],
      cell: (r) => { const s = spreadOf(numbers(r.roundSeconds)); return s === undefined ? "—" : `${percent(s)} (${numbers(r.roundSeconds).length} rounds)`; },
    },
    loadColumn(),
    column("taskmill/peer", "ratio", (x) => `**${times(x)}**`),
    column("taskmill-pg/peer", "postgresRatio", (x) => `**${times(x)}**`),
  ],
  // Shown under the table: the same text on many rows.
  hidden: ["ratioSource", "postgresRatioSource", "workers", "sum"],
  summary: (rows) => {
    const lines = [
      "Seconds = add (fan-out) → parent done, median of the rounds; children/s = N ÷ seconds; add s = the fan-out call alone; " +
        "noise = (max − min) ÷ median of the rounds' seconds; load 1 min = the 1-minute load average at the end of each round, lowest–highest.",
      "",
    ];
    const bad = rows.filter((r) => r.sum !== undefined && r.sum !== r.n);
    lines.push(bad.length === 0 ? "Every parent's sum was checked = N." : `**Sum ≠ N** in: ${bad.map((r) => `${String(r.peer)} N = ${String(r.n)}`).join(", ")}.`);
    const setups = new Map<string, string>();
    for (const r of rows) { const w = str(r, "workers"); if (w && !setups.has(String(r.peer))) setups.set(String(r.peer), w); }
    if (setups.size > 0) lines.push("", "Workers:", ...[...setups].map(([peer, w]) => `- ${peer}: ${w}`));
    const sources = [...new Set(rows.map((r) => str(r, "ratioSource")).filter((s) => s !== undefined))];
    if (sources.length > 0) lines.push("", "taskmill/peer = taskmill's e2e tasks/s (push, same N, SQLite) ÷ the peer's children/s; its source:", ...sources.map((s) => `- ${s}`));
    const pgSources = [...new Set(rows.filter((r) => r.postgresRatio !== undefined).map((r) => str(r, "postgresRatioSource")).filter((s) => s !== undefined))];
    if (pgSources.length > 0) {
      lines.push("", "taskmill-pg/peer = taskmill's e2e tasks/s with its master on the same PostgreSQL server (push, same N) ÷ the peer's children/s, " +
        "like for like for a peer on PostgreSQL; its source:", ...pgSources.map((s) => `- ${s}`));
    }
    return lines;
  },
  charts: (rows, all) => {
    const peers = seriesBy(rows, {
      group: (r) => `${String(r.peer)}${str(r, "server") ? ` (${str(r, "server")})` : ""}`, x: (r) => num(r, "n"), y: (r) => num(r, "tasksPerSec"),
    });
    // taskmill's own line, the comparison the peers suite exists for: listed as "(no data)" until the e2e suite has run.
    const taskmill = seriesBy((all.get("e2e") ?? []).filter(isThroughput), {
      group: (r) => (str(r, "mode") !== "push" ? undefined : (str(r, "store") ?? "sqlite") === "sqlite" ? "taskmill (e2e, push)" : `taskmill (e2e, push, ${str(r, "store")})`),
      x: sizeOf, y: (r) => num(r, "tasksPerSec"),
    });
    if (peers.length === 0) return [];
    return [{
      file: "peers-throughput.svg", alt: "peers: children/s vs N",
      chart: {
        title: "children/s vs N: taskmill and its peers", xLabel: "N (children of one parent)", yLabel: "children/s", xScale: "log",
        series: [taskmill.find((s) => s.name === "taskmill (e2e, push)") ?? { name: "taskmill (e2e, push)", points: [] },
          ...taskmill.filter((s) => s.name !== "taskmill (e2e, push)"), ...peers],
      },
    }];
  },
};
