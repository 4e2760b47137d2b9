// e2e: taskmill end to end — a MapReduce of N no-op sub-tasks over HTTP with
// SQLite. Its rows are of five kinds (bench/e2e/rows.ts), each with its own
// fields, so each kind gets a table of its own, and the throughput and
// scaling rows a chart each.
import { count, megabytes, percent, rate, seconds } from "../number-format.ts";
import { num, str, type ResultsRow } from "../results-row.ts";
import { seriesBy } from "../chart-series.ts";
import { column, textColumn, type Column, type RowsTable, type SuiteView } from "../suite-view.ts";
import { loadColumn, rssListColumn } from "./shared-columns.ts";

/** The kind of an e2e row ("throughput", "scaling", "latency", "dispatchSpeed", "recovery"); early drafts called it `case`. */
export function kindOf(row: ResultsRow): string | undefined {
  return str(row, "kind") ?? str(row, "case");
}

/** Rows of the scaling curve: 1, 2, 4 … worker processes. */
export function isScaling(row: ResultsRow): boolean {
  return kindOf(row) === "scaling" && num(row, "workers") !== undefined;
}

/** Rows of the throughput runs (per mode and N). */
export function isThroughput(row: ResultsRow): boolean {
  return kindOf(row) === "throughput";
}

/** The number of sub-tasks: `n` (older drafts: tasks, children). */
export const sizeOf = (row: ResultsRow): number | undefined => num(row, "n", "tasks", "children");

/**
 * " ✔" / " ✘" for a figure against the target the row carries for that field
 * (`targets: { tasksPerSec: 200000, … }`); "" when it has none. RSS, ms and
 * errorPct targets are ceilings (errorPct on its absolute value), the rest floors.
 */
export function targetMark(row: ResultsRow, key: string, value: number): string {
  const targets = row.targets;
  const t = targets && typeof targets === "object" ? (targets as Record<string, unknown>)[key] : undefined;
  if (typeof t !== "number") return "";
  const ok = key === "errorPct" ? Math.abs(value) <= t : /RssMB$|Ms$/i.test(key) ? value <= t : value >= t;
  return ok ? " ✔" : " ✘";
}

/** A number column whose cell carries the row's target mark for that field. */
function targeted(header: string, key: string, format: (v: number) => string): Column {
  return { header, keys: [key], cell: (r) => { const v = num(r, key); return v === undefined ? "—" : `${format(v)}${targetMark(r, key, v)}`; } };
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const secs = (x: number) => `${seconds(x)} s`;

/** Fields every kind has that the tables show elsewhere (settings under the table) or not at all. */
const COMMON_HIDDEN = ["kind", "case", "settings", "targets", "benchPeakRssMB", "sumChecked"];
/** Columns every kind ends with. */
const COMMON_TAIL: Column[] = [
  targeted("master peak RSS", "masterPeakRssMB", megabytes),
  rssListColumn("worker peak RSS", "workerPeakRssMB"),
  loadColumn(),
];

const throughputColumns: Column[] = [
  textColumn("store", "store"),
  textColumn("mode", "mode"),
  column("N", "n", count),
  column("workers", "workers", count),
  targeted("tasks/s", "tasksPerSec", rate),
  column("seconds", "seconds", seconds),
  {
    header: "noise", keys: ["spread", "rounds"],
    cell: (r) => { const s = num(r, "spread"), n = num(r, "rounds"); return `${s === undefined ? "—" : percent(s)}${n === undefined ? "" : ` (${n} round${n === 1 ? "" : "s"})`}`; },
  },
  column("window tasks/s", "windowTasksPerSec", rate),
  column("map s", "mapSeconds", seconds),
  column("reduce s", "reduceSeconds", seconds),
  column("observed s", "observedSeconds", seconds),
  {
    header: "CPU s master + workers", keys: ["masterCpuSeconds", "workerCpuSeconds"],
    cell: (r) => [num(r, "masterCpuSeconds"), num(r, "workerCpuSeconds")].map((x) => (x === undefined ? "?" : String(x))).join(" + "),
  },
  {
    header: "CPU µs/task master + workers", keys: ["masterCpuUsPerTask", "workerCpuUsPerTask"],
    cell: (r) => {
      const m = num(r, "masterCpuUsPerTask"), w = num(r, "workerCpuUsPerTask");
      return m === undefined && w === undefined ? "—" : [m, w].map((x) => (x === undefined ? "?" : x.toFixed(1))).join(" + ");
    },
  },
  column("row writes/task", "rowWritesPerTask", (x) => x.toFixed(2)),
  ...COMMON_TAIL,
];
const throughputHidden = [...COMMON_HIDDEN, "tasks", "tasksCounted", "roundSeconds", "windowSeconds", "sum", "rowsWritten"];
const throughputNotes = [
  "tasks/s = (N + ROOT + REDUCE) ÷ seconds, submit → reduce done, median of the rounds (each on a fresh cluster; the sum checked = N in every one); " +
    "noise = (max − min) ÷ median; window = first sub-task start → reduce done (N ÷ that); observed = submit → the final event received. " +
    "store: the master's, fresh per run (a SQLite file, or a PostgreSQL schema on the local server). CPU: master submit → reduce done, workers submit → the final event; " +
    "µs/task = CPU ÷ (N + 2). Row writes/task = the master's `taskmill_store_rows_written_total` over the job (task rows inserted and updated, claims, instance and dispatch records; the task cleanup not counted) ÷ (N + 2).",
];

/** Each kind's table: its title, columns, hidden fields and a line saying what the figures are. */
const KINDS: Record<string, Omit<RowsTable, "rows">> = {
  throughput: { title: "throughput: N × mode", columns: throughputColumns, hidden: throughputHidden, notes: throughputNotes },
  scaling: { title: "scaling: worker processes", columns: throughputColumns, hidden: throughputHidden, notes: throughputNotes },
  latency: {
    title: "latency: map → first sub-task running (push, idle cluster)",
    columns: [
      textColumn("mode", "mode"),
      column("workers", "workers", count),
      { header: "probe", keys: ["calls", "perCall", "gapMs"], align: "left", cell: (r) => `${String(r.calls)} calls × ${String(r.perCall)} tasks, ${String(r.gapMs)} ms apart` },
      column("warm-up tasks", "warmupTasks", count),
      column("samples", "samples", count),
      targeted("p50", "p50Ms", ms),
      column("p90", "p90Ms", ms),
      column("p99", "p99Ms", ms),
      column("min", "minMs", ms),
      column("max", "maxMs", ms),
      column("mean", "meanMs", ms),
      ...COMMON_TAIL,
    ],
    hidden: [...COMMON_HIDDEN, "sampleMs"],
    notes: ["A sample = the first child's start (in its worker) − the wall time right before the `ctx.map` call (in the master)."],
  },
  dispatchSpeed: {
    title: "dispatchSpeed: configured vs achieved",
    columns: [
      textColumn("mode", "mode"),
      column("N", "n", count),
      column("workers", "workers", count),
      textColumn("speed", "speed"),
      column("configured /s", "configuredPerSec", count),
      column("achieved /s", "achievedPerSec", (x) => x.toLocaleString("en-US", { maximumFractionDigits: 1 })),
      targeted("error", "errorPct", (x) => `${x >= 0 ? "+" : ""}${x.toFixed(2)} %`),
      column("window", "windowSeconds", secs),
      column("warm-up", "warmupSeconds", secs),
      column("dispatched in window", "dispatchedInWindow", count),
      ...COMMON_TAIL,
    ],
    hidden: COMMON_HIDDEN,
    notes: ["error = (achieved − configured) ÷ configured, over the window after the warm-up."],
  },
  recovery: {
    title: "recovery: a worker SIGKILLed mid-job",
    columns: [
      textColumn("mode", "mode"),
      column("N", "n", count),
      column("workers", "workers", count),
      column("killed at", "killAt", (x) => `${Math.round(x * 100)} % done`),
      textColumn("killed", "killedWorker"),
      column("done at kill", "successAtKill", count),
      column("held by it", "heldAtKill", count),
      column("failover", "failoverSeconds", secs),
      column("kill → done", "doneSeconds", secs),
      column("total", "totalSeconds", secs),
      {
        header: "liveness", keys: ["liveness"], align: "left",
        cell: (r) => {
          const l = (r.liveness ?? {}) as Record<string, unknown>;
          return `timeout ${String(l.livenessTimeoutMs ?? "?")} ms, check ${String(l.heartbeatMs ?? "?")} ms, heartbeat ${String(l.workerHeartbeatMs ?? "?")} ms`;
        },
      },
      ...COMMON_TAIL,
    ],
    hidden: COMMON_HIDDEN,
    notes: ["failover = kill → the killed worker's tasks back in play; kill → done = kill → SUCCESS with the sum checked."],
  },
};

/** The job settings of a table's rows, each distinct one once, so a run can be repeated. */
function settingsLine(rows: readonly ResultsRow[]): string[] {
  const distinct = [...new Set(rows.filter((r) => r.settings !== undefined).map((r) => JSON.stringify(r.settings)))];
  return distinct.length === 0 ? [] : [`Settings: ${distinct.map((s) => `\`${s}\``).join("; ")}.`];
}

/** How RESULTS.md shows `bench/results/e2e.json`. */
export const e2eView: SuiteView = {
  title: "e2e: a MapReduce of N no-op tasks over HTTP, SQLite store (and PostgreSQL)",
  columns: [],
  tables: (rows) => {
    const kinds = [...new Set(rows.map((r) => kindOf(r) ?? "other"))];
    // Known kinds in the suite's order, then any new kind with every field as a column.
    const order = [...Object.keys(KINDS).filter((k) => kinds.includes(k)), ...kinds.filter((k) => !(k in KINDS))];
    return order.map((k) => {
      const own = rows.filter((r) => (kindOf(r) ?? "other") === k);
      const spec = KINDS[k] ?? { title: k, columns: [], hidden: ["kind", "case", "targets"] };
      return { ...spec, rows: own, notes: [...(spec.notes ?? []), ...settingsLine(own)] };
    });
  },
  summary: (rows) => {
    const marked = rows.flatMap((r) => {
      const t = r.targets && typeof r.targets === "object" ? Object.keys(r.targets as object) : [];
      return t.map((key) => targetMark(r, key, num(r, key) ?? Number.NaN));
    });
    const missed = marked.filter((m) => m === " ✘").length;
    return marked.length === 0 ? [] : [
      "✔ / ✘: the figure meets / misses the target of issue 7 that its row carries (`targets`: a floor for rates, a ceiling for RSS, ms and |error|). " +
        (missed === 0 ? `**All ${marked.length} targets met.**` : `**${missed} of ${marked.length} targets missed.**`),
    ];
  },
  charts: (rows) => {
    const scaling = rows.filter(isScaling);
    // Name a line by its mode, and by its N too when the curve was run at several.
    const ns = new Set(scaling.map(sizeOf));
    const scalingSeries = seriesBy(scaling, {
      group: (r) => `${str(r, "mode") ?? "?"}${ns.size > 1 ? `, N = ${count(sizeOf(r) ?? 0)}` : ""}`,
      x: (r) => num(r, "workers"), y: (r) => num(r, "tasksPerSec"),
    });
    const throughputSeries = seriesBy(rows.filter(isThroughput), {
      group: (r) => `${str(r, "mode") ?? "?"}${(str(r, "store") ?? "sqlite") === "sqlite" ? "" : `, ${str(r, "store")}`}`, x: sizeOf, y: (r) => num(r, "tasksPerSec"),
    });
    return [
      ...(scalingSeries.length === 0 ? [] : [{
        file: "e2e-scaling.svg", alt: "e2e: tasks/s vs worker processes",
        chart: { title: "e2e: tasks/s vs worker processes", xLabel: "worker processes", yLabel: "tasks/s", series: scalingSeries },
      }]),
      ...(throughputSeries.length === 0 ? [] : [{
        file: "e2e-throughput.svg", alt: "e2e: tasks/s vs N, per mode",
        chart: { title: "e2e: tasks/s vs N, per mode", xLabel: "N (sub-tasks)", yLabel: "tasks/s", xScale: "log" as const, series: throughputSeries },
      }]),
    ];
  },
};
