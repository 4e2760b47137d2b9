// The bench report generator: the SVG line chart it draws (well-formed,
// points inside the plot, readable ticks, empty data) and RESULTS.md from
// small fixture results files (a table per suite in report order, machine
// facts, notes verbatim, charts written into the folder given). Everything
// goes to a temp folder: the real bench/RESULTS.md and charts are never touched.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateReport, lineChartSvg, linearTicks, logTicks, type LineChartOptions } from "../bench/report/index.ts";

/** One element of a parsed XML document. */
interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A tiny strict XML parser, enough for the charts: elements, attributes in
 * double quotes, text, the five predefined entities and numeric references.
 * Throws on unbalanced tags, a stray `<` or `&`, duplicate attributes or
 * anything after the root element.
 */
function parseXml(src: string): XmlElement {
  const checkText = (t: string, at: number) => {
    const bad = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(t);
    if (bad) throw new Error(`xml: bare & at ${at + bad.index}`);
    if (t.includes(">") && /]]>/.test(t)) throw new Error(`xml: ]]> in text at ${at}`);
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf("<", i);
    const text = src.slice(i, lt === -1 ? src.length : lt);
    checkText(text, i);
    if (stack.length > 0) stack[stack.length - 1]!.text += text;
    else if (text.trim() !== "") throw new Error(`xml: text outside the root at ${i}: ${JSON.stringify(text.slice(0, 20))}`);
    if (lt === -1) break;
    const gt = src.indexOf(">", lt);
    if (gt === -1) throw new Error(`xml: unclosed tag at ${lt}`);
    const tag = src.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith("?") || tag.startsWith("!--")) continue;
    if (tag.startsWith("/")) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`xml: </${tag.slice(1)}> closes <${open?.name ?? "nothing"}> at ${lt}`);
      continue;
    }
    const m = /^([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*="[^"<]*")*)\s*(\/?)$/.exec(tag);
    if (!m) throw new Error(`xml: malformed tag <${tag}> at ${lt}`);
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([A-Za-z_][\w:.-]*)="([^"<]*)"/g)) {
      if (a[1]! in attrs) throw new Error(`xml: duplicate attribute ${a[1]} in <${m[1]}>`);
      checkText(a[2]!, lt);
      attrs[a[1]!] = a[2]!;
    }
    const el: XmlElement = { name: m[1]!, attrs, children: [], text: "" };
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
    else if (root) throw new Error(`xml: a second root <${el.name}> at ${lt}`);
    else root = el;
    if (m[3] !== "/") stack.push(el);
  }
  if (stack.length > 0) throw new Error(`xml: <${stack[stack.length - 1]!.name}> never closed`);
  if (!root) throw new Error("xml: no root element");
  return root;
}

/** Every element below (and including) `el`, depth first. */
function walk(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(walk)];
}

/** The parsed chart: its plot rectangle, point markers and tick labels. */
function inspect(svg: string) {
  const root = parseXml(svg);
  const all = walk(root);
  const plot = all.find((e) => e.name === "rect" && e.attrs.class === "plot");
  if (!plot) throw new Error("no plot rect");
  const n = (e: XmlElement, a: string) => Number(e.attrs[a]);
  const ticksOf = (cls: string) => all.find((e) => e.attrs.class === cls)!.children.filter((e) => e.name === "text").map((e) => e.text);
  return {
    root,
    plot: { x: n(plot, "x"), y: n(plot, "y"), w: n(plot, "width"), h: n(plot, "height") },
    points: all.filter((e) => e.name === "circle").map((e) => ({ cx: n(e, "cx"), cy: n(e, "cy") })),
    xTicks: ticksOf("x-ticks"),
    yTicks: ticksOf("y-ticks"),
    texts: all.filter((e) => e.name === "text").map((e) => e.text),
  };
}

/** A tick label people read at a glance: a short number with at most one SI suffix. */
const READABLE_TICK = /^-?\d{1,3}(\.\d{1,2})?[kMG]?$/;

const chart = (over: Partial<LineChartOptions> = {}): LineChartOptions => ({
  title: "e2e: tasks/s vs worker processes",
  xLabel: "worker processes",
  yLabel: "tasks/s",
  series: [
    { name: "push", points: [{ x: 1, y: 91_234 }, { x: 2, y: 163_870 }, { x: 4, y: 251_007 }] },
    { name: "pull", points: [{ x: 4, y: 198_000 }, { x: 1, y: 70_500 }, { x: 2, y: 120_300 }] },
  ],
  ...over,
});

describe("bench report: the SVG line chart", () => {
  it("R1: is well-formed XML with an svg root, a title, both axis labels and a legend entry per series", () => {
    const c = inspect(lineChartSvg(chart({ title: `tasks <&> "quoted" 'n'`, series: [{ name: "a&b <c>", points: [{ x: 1, y: 1 }, { x: 2, y: 3 }] }] })));
    expect(c.root.name).toBe("svg");
    expect(c.root.attrs.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(c.texts).toContain(`tasks &lt;&amp;&gt; &quot;quoted&quot; &apos;n&apos;`);
    expect(c.texts).toContain("worker processes");
    expect(c.texts).toContain("tasks/s");
    expect(c.texts).toContain("a&amp;b &lt;c&gt;");
  });

  it("R2: the tiny parser used here refuses unbalanced tags and bare ampersands (so R1 means something)", () => {
    expect(() => parseXml("<svg><g></svg>")).toThrow("closes");
    expect(() => parseXml("<svg><text>a & b</text></svg>")).toThrow("bare &");
    expect(() => parseXml("<svg><g>")).toThrow("never closed");
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow("duplicate");
  });

  it("R3: every point marker lies inside the plot area, on linear and on log axes", () => {
    for (const over of [{}, { xScale: "log" as const }, { xScale: "log" as const, yScale: "log" as const }]) {
      const c = inspect(lineChartSvg(chart({
        ...over,
        series: [
          { name: "push", points: [{ x: 10_000, y: 180_000 }, { x: 100_000, y: 240_000 }, { x: 1_000_000, y: 251_000 }] },
          { name: "pull", points: [{ x: 10_000, y: 90_000 }, { x: 1_000_000, y: 201_000 }] },
        ],
      })));
      expect(c.points).toHaveLength(5);
      for (const p of c.points) {
        expect(p.cx).toBeGreaterThan(c.plot.x);
        expect(p.cx).toBeLessThan(c.plot.x + c.plot.w);
        expect(p.cy).toBeGreaterThan(c.plot.y);
        expect(p.cy).toBeLessThan(c.plot.y + c.plot.h);
      }
    }
  });

  it("R4: a larger y is drawn higher and a larger x further right", () => {
    const c = inspect(lineChartSvg(chart({ series: [{ name: "s", points: [{ x: 1, y: 10 }, { x: 4, y: 40 }] }] })));
    const [a, b] = c.points;
    expect(b!.cx).toBeGreaterThan(a!.cx);
    expect(b!.cy).toBeLessThan(a!.cy);
  });

  it("R5: tick labels are short round numbers: whole workers, 0 … 250k on y, 10k/100k/1M on a log x", () => {
    const lin = inspect(lineChartSvg(chart()));
    expect(lin.xTicks).toEqual(["1", "2", "3", "4"]);
    expect(lin.yTicks[0]).toBe("0");
    for (const t of [...lin.xTicks, ...lin.yTicks]) expect(t).toMatch(READABLE_TICK);

    const log = inspect(lineChartSvg(chart({ xScale: "log", series: [{ name: "push", points: [{ x: 10_000, y: 1 }, { x: 1_000_000, y: 2 }] }] })));
    expect(log.xTicks).toEqual(["10k", "20k", "50k", "100k", "200k", "500k", "1M"]);
    const wide = inspect(lineChartSvg(chart({ xScale: "log", series: [{ name: "push", points: [{ x: 1_000, y: 1 }, { x: 10_000_000, y: 2 }] }] })));
    expect(wide.xTicks).toEqual(["1k", "10k", "100k", "1M", "10M"]);
    for (const t of log.yTicks) expect(t).toMatch(READABLE_TICK);

    // Fractions: the float noise of 0.1 steps never reaches a label.
    const frac = inspect(lineChartSvg(chart({ series: [{ name: "f", points: [{ x: 0.1, y: 0.3 }, { x: 0.7, y: 0.9 }] }] })));
    for (const t of [...frac.xTicks, ...frac.yTicks]) expect(t).toMatch(READABLE_TICK);
  });

  it("R6: ticks: nice steps covering the data, log decades with 2× and 5× marks over few decades", () => {
    expect(linearTicks(0, 251_007, { fromZero: true })).toEqual({ min: 0, max: 300_000, ticks: [0, 50_000, 100_000, 150_000, 200_000, 250_000, 300_000] });
    expect(linearTicks(1, 4, { integers: true }).ticks).toEqual([1, 2, 3, 4]);
    expect(linearTicks(5, 5).ticks.length).toBeGreaterThan(1);
    expect(logTicks(10_000, 100_000).ticks).toEqual([10_000, 20_000, 50_000, 100_000]);
    expect(logTicks(10_000, 1_000_000).ticks).toEqual([10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]);
    expect(logTicks(1, 10_000).ticks).toEqual([1, 10, 100, 1000, 10_000]);
    expect(() => logTicks(0, 10)).toThrow("logTicks: Expected 0 < lo <= hi, got 0, 10");
  });

  it("R7: no points at all draws an empty chart saying 'no data'; an empty series among others is marked in the legend", () => {
    const none = inspect(lineChartSvg(chart({ series: [] })));
    expect(none.texts).toContain("no data");
    expect(none.points).toHaveLength(0);
    const emptyOne = inspect(lineChartSvg(chart({ series: [{ name: "push", points: [] }] })));
    expect(emptyOne.texts).toContain("no data");
    expect(emptyOne.texts).toContain("push (no data)");
    const mixed = inspect(lineChartSvg(chart({ series: [{ name: "push", points: [{ x: 1, y: 5 }] }, { name: "pull", points: [] }] })));
    expect(mixed.texts).not.toContain("no data");
    expect(mixed.texts).toContain("pull (no data)");
    expect(mixed.points).toHaveLength(1);
  });

  it("R8: refuses non-finite points and x <= 0 on a log axis, naming the series", () => {
    expect(() => lineChartSvg(chart({ series: [{ name: "push", points: [{ x: 1, y: Number.NaN }] }] })))
      .toThrow('lineChartSvg: Expected finite points, got (1, NaN) in series "push"');
    expect(() => lineChartSvg(chart({ xScale: "log", series: [{ name: "pull", points: [{ x: 0, y: 1 }] }] })))
      .toThrow('lineChartSvg: Expected x > 0 on a log axis, got 0 in series "pull"');
  });

  it("R9: the same input gives the same bytes (a regenerated report only changes where figures did)", () => {
    expect(lineChartSvg(chart())).toBe(lineChartSvg(chart()));
  });
});

const MACHINE = { cpuModel: "Test CPU 9000", cores: 2, node: "v20.20.2", date: "2026-11-24T10:03:18.812Z", gitCommit: "c8ccb36fd293", loadAverage: [0.48, 1.19, 2.22] };
const OTHER_MACHINE = { ...MACHINE, date: "2026-11-25T08:00:00.000Z", gitCommit: "d00dfeed0001-dirty" };

/** Fields every e2e row has (bench/e2e/rows.ts E2eRowBase). */
const E2E_BASE = { mode: "push", store: "sqlite", workers: 2, settings: { dispatchMode: "push", pageSize: 1000 }, masterPeakRssMB: 100, workerPeakRssMB: [70, 72], benchPeakRssMB: 60, loadAvg1m: [1.5, 2] };

/** Small results files of every known suite, plus one the report has no view for. */
const FIXTURES: Record<string, object[]> = {
  peers: [
    { peer: "bullmq", n: 10_000, seconds: 1.1339, sum: 10_000, tasksPerSec: 8819, peakRssMB: 244.6, workerPeakRssMB: 109.9, cpuSeconds: 0.715, workerCpuSeconds: 0.517, addSeconds: 0.6436, ratio: 20.41, ratioSource: "e2e case=throughput mode=push n=10000", roundSeconds: [1.1, 1.2, 1.13], loadAvg1m: [1.2, 2.4], workers: "1 worker process", server: "Redis 7.0.15" },
    { peer: "pg-boss", n: 10_000, seconds: 0.2976, sum: 10_000, tasksPerSec: 33_603, peakRssMB: 90.8, workerPeakRssMB: null, cpuSeconds: 0.08, workerCpuSeconds: null, addSeconds: 0.1294, ratio: 5.36, ratioSource: "e2e case=throughput mode=push n=10000", roundSeconds: [0.3, 0.29], loadAvg1m: [1.2], workers: "in-process", server: "PostgreSQL 15.20" },
  ],
  core: [
    { op: "route round-robin", batch: 64, workers: 10, wasmOpsPerSec: 740_911_187, tsOpsPerSec: 438_147_025, ratio: 1.691, wasmSpread: 0.005, tsSpread: 0.007 },
    { op: "route round-robin", batch: 1024, workers: 10, wasmOpsPerSec: 945_612_849, tsOpsPerSec: 423_707_449, ratio: 2.232, wasmSpread: 0.004, tsSpread: 0.011 },
    { op: "limiter take", batch: 1, wasmOpsPerSec: 122_538_276, tsOpsPerSec: 128_023_942, ratio: 0.957, wasmSpread: 0.008, tsSpread: 0.039 },
  ],
  store: [
    { backend: "sqlite", phase: "insertTasks", rows: 1_000_000, batch: 1000, rowsPerSec: 647_193, spread: 0.074, rounds: 3, target: 600_000 },
    { backend: "postgres", phase: "insertTasks", rows: 1_000_000, batch: 1000, rowsPerSec: 87_700, spread: 0.311, rounds: 3, target: 100_000 },
  ],
  // The shape of bench/e2e/rows.ts: one kind per measurement, targets carried by the rows they apply to.
  e2e: [
    { ...E2E_BASE, kind: "throughput", mode: "push", n: 10_000, tasks: 10_002, tasksPerSec: 180_000, seconds: 0.0556, spread: 0.05, rounds: 3, roundSeconds: [0.055, 0.056, 0.058], windowTasksPerSec: 200_000, mapSeconds: 0.02, reduceSeconds: 0.01, observedSeconds: 0.06, masterCpuSeconds: 0.1, workerCpuSeconds: 0.08, masterPeakRssMB: 90 },
    { ...E2E_BASE, kind: "throughput", mode: "push", n: 1_000_000, tasks: 1_000_002, tasksPerSec: 210_000, seconds: 4.762, spread: 0, rounds: 1, masterPeakRssMB: 240, targets: { tasksPerSec: 200_000, masterPeakRssMB: 250 } },
    { ...E2E_BASE, kind: "throughput", mode: "pull", n: 1_000_000, tasks: 1_000_002, tasksPerSec: 150_000, seconds: 6.667, spread: 0, rounds: 1, masterPeakRssMB: 260, targets: { tasksPerSec: 200_000, masterPeakRssMB: 250 } },
    { ...E2E_BASE, kind: "scaling", mode: "push", n: 100_000, workers: 1, tasksPerSec: 100_000, seconds: 1, workerPeakRssMB: [80] },
    { ...E2E_BASE, kind: "scaling", mode: "push", n: 100_000, workers: 2, tasksPerSec: 170_000, seconds: 0.588 },
    { ...E2E_BASE, kind: "scaling", mode: "push", n: 100_000, workers: 4, tasksPerSec: 230_000, seconds: 0.435, workerPeakRssMB: [70, 71, null, 73] },
    { ...E2E_BASE, kind: "latency", calls: 300, perCall: 4, gapMs: 5, warmupTasks: 5000, samples: 300, p50Ms: 1.234, p90Ms: 2.5, p99Ms: 6.1, minMs: 0.8, maxMs: 9, meanMs: 1.5, sampleMs: [1, 2, 3], targets: { p50Ms: 5 } },
    { ...E2E_BASE, kind: "dispatchSpeed", n: 40_000, speed: "2000/s", configuredPerSec: 2000, achievedPerSec: 1987.5, errorPct: -0.625, dispatchedInWindow: 19_875, windowSeconds: 10.001, warmupSeconds: 1, targets: { errorPct: 2 } },
    { ...E2E_BASE, kind: "recovery", n: 200_000, killAt: 0.3, killedWorker: "w1", successAtKill: 60_123, heldAtKill: 4000, failoverSeconds: 1.52, doneSeconds: 2.9, totalSeconds: 4.1, liveness: { heartbeatMs: 500, livenessTimeoutMs: 1500, workerHeartbeatMs: 250 } },
  ],
  zeta: [{ thing: "a|b", widgetsPerSec: 1234.5, ok: true }],
};

const CORE_NOTES = "### Why the rows under 2× stay there\n- **queue push+pop**: the work is memcpy | verbatim, `code` and *emphasis* kept.\n\n| before | after |\n|---|---:|\n| 0.80× | 1.08× |\n";
const PEERS_NOTES = "### Setups\nBullMQ: a `FlowProducer.add` of one parent.\n";

describe("bench report: RESULTS.md from results files", () => {
  let dir: string;
  let paths: { resultsDir: string; notesDir: string; outFile: string; chartsDir: string };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "taskmill-report-"));
    paths = { resultsDir: join(dir, "results"), notesDir: join(dir, "notes"), outFile: join(dir, "out", "RESULTS.md"), chartsDir: join(dir, "out", "charts") };
    mkdirSync(paths.resultsDir);
    mkdirSync(paths.notesDir);
    for (const [name, rows] of Object.entries(FIXTURES)) {
      // e2e's rows come from a second run: the report must show both machines.
      const stamped = rows.map((r, i) => ({ ...r, machine: name === "e2e" && i >= 3 && i <= 5 ? OTHER_MACHINE : MACHINE }));
      writeFileSync(join(paths.resultsDir, `${name}.json`), JSON.stringify(stamped, null, 2));
    }
    writeFileSync(join(paths.resultsDir, "core.json.tmp"), "half a fi");
    writeFileSync(join(paths.notesDir, "core.md"), CORE_NOTES);
    writeFileSync(join(paths.notesDir, "peers.md"), PEERS_NOTES);
    writeFileSync(join(paths.notesDir, "scale.md"), "Several masters: to come.\n");
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The part of the report from `## title` to the next `## `. */
  const sectionOf = (md: string, title: string) => {
    const start = md.indexOf(`\n## ${title}`);
    expect(start).toBeGreaterThan(-1);
    const end = md.indexOf("\n## ", start + 1);
    return md.slice(start, end === -1 ? undefined : end);
  };

  it("G1: says it is generated and by which command, then sections in the order core, store, e2e, peers, then others", () => {
    const { markdownFile } = generateReport(paths);
    const md = readFileSync(markdownFile, "utf8");
    expect(md.startsWith("# Benchmark results\n")).toBe(true);
    expect(md).toContain("This file is generated by `npm run bench:report`");
    const headings = md.split("\n").filter((l) => l.startsWith("## ")).map((l) => l.slice(3).split(":")[0]);
    expect(headings).toEqual(["core", "store", "e2e", "peers", "scale", "zeta"]);
  });

  it("G2: each suite shows its machine: CPU, cores, node, date, commit and load average", () => {
    const md = readFileSync(generateReport(paths).markdownFile, "utf8");
    const core = sectionOf(md, "core");
    for (const fact of ["`Test CPU 9000`", "2 cores", "Node v20.20.2", "2026-11-24 10:03 UTC", "commit `c8ccb36fd293`", "load average 0.48 / 1.19 / 2.22"]) {
      expect(core).toContain(fact);
    }
    // Two runs in one file: each named with the rows it covers.
    const e2e = sectionOf(md, "e2e");
    expect(e2e).toContain("- rows 1, 2, 3, 7, 8, 9: `Test CPU 9000`");
    expect(e2e).toContain("- rows 4, 5, 6: `Test CPU 9000`, 2 cores, Node v20.20.2 · 2026-11-25 08:00 UTC · commit `d00dfeed0001-dirty` (with uncommitted changes)");
  });

  it("G3: a table per suite with its own columns and number formats", () => {
    const md = readFileSync(generateReport(paths).markdownFile, "utf8");
    const core = sectionOf(md, "core");
    expect(core).toContain("| op | batch | workers | WASM items/s | twin items/s | WASM/twin | noise W / T |");
    expect(core).toContain("| route round-robin | 64 | 10 | 740.9 M | 438.1 M | **1.69×** ✘ | 0.5% / 0.7% |");
    expect(core).toContain("| route round-robin | 1,024 | 10 | 945.6 M | 423.7 M | 2.23× ✔ | 0.4% / 1.1% |");
    expect(core).toContain("| limiter take | 1 |  | 122.5 M | 128.0 M | 0.96× | 0.8% / 3.9% |");
    expect(core).toContain("**1 of the 2 batched rows reach 2×**");

    const store = sectionOf(md, "store");
    expect(store).toContain("| backend | phase | rows/s | noise | target |");
    expect(store).toContain("| sqlite | insertTasks | 647.2 k | 7.4% | 600 k — met ✔ |");
    expect(store).toContain("| postgres | insertTasks | 87.7 k | 31% | 100 k — **missed** ✘ |");
    expect(store).toContain("**Targets missed: postgres insertTasks**");
    expect(store).toContain("1,000,000 rows per round in calls of 1,000, median of 3 rounds");

    const peers = sectionOf(md, "peers");
    expect(peers).toContain("| peer | server | N | seconds | children/s | add s | peak RSS (producer) | worker process RSS | client CPU s (producer + worker) | noise | load 1 min | taskmill/peer |");
    expect(peers).toContain("| bullmq | Redis 7.0.15 | 10,000 | 1.13 | 8.8 k | 0.644 | 245 MB | 110 MB | 0.715 + 0.517 | 8.8% (3 rounds) | 1.2–2.4 | **20.41×** |");
    expect(peers).toContain("| pg-boss | PostgreSQL 15.20 | 10,000 | 0.298 | 33.6 k | 0.129 | 91 MB | — (in producer) | 0.080 |");
    expect(peers).toContain("- e2e case=throughput mode=push n=10000");
    expect(peers).toContain("Every parent's sum was checked = N.");

    // e2e: one table per kind of row, each with its own columns; targets marked where the row carries one.
    const e2e = sectionOf(md, "e2e");
    expect(e2e.indexOf("**throughput: N × mode**")).toBeLessThan(e2e.indexOf("**scaling: worker processes**"));
    expect(e2e).toContain("| mode | N | workers | tasks/s | seconds | noise | window tasks/s | map s | reduce s | observed s | CPU s master + workers | master peak RSS | worker peak RSS | load 1 min |");
    expect(e2e).toContain("| push | 10,000 | 2 | 180.0 k | 0.056 | 5% (3 rounds) | 200.0 k | 0.020 | 0.010 | 0.060 | 0.1 + 0.08 | 90 MB | 70 MB / 72 MB | 1.5–2 |");
    expect(e2e).toContain("| push | 1,000,000 | 2 | 210.0 k ✔ | 4.76 | 0% (1 round) | — | — | — | — | ? + ? | 240 MB ✔ |");
    expect(e2e).toContain("| pull | 1,000,000 | 2 | 150.0 k ✘ | 6.67 | 0% (1 round) |");
    expect(e2e).toContain("260 MB ✘");
    expect(e2e).toContain("| push | 100,000 | 4 | 230.0 k | 0.435 |");
    expect(e2e).toContain("70 MB / 71 MB / ? / 73 MB");
    expect(e2e).toContain("| mode | workers | probe | warm-up tasks | samples | p50 | p90 | p99 | min | max | mean | master peak RSS | worker peak RSS | load 1 min |");
    expect(e2e).toContain("| push | 2 | 300 calls × 4 tasks, 5 ms apart | 5,000 | 300 | 1.23 ms ✔ | 2.50 ms | 6.10 ms |");
    expect(e2e).toContain("| push | 40,000 | 2 | 2000/s | 2,000 | 1,987.5 | -0.63 % ✔ | 10.00 s | 1.00 s | 19,875 |");
    expect(e2e).toContain("| push | 200,000 | 2 | 30 % done | w1 | 60,123 | 4,000 | 1.52 s | 2.90 s | 4.10 s | timeout 1500 ms, check 500 ms, heartbeat 250 ms |");
    expect(e2e).toContain('Settings: `{"dispatchMode":"push","pageSize":1000}`.');
    expect(e2e).toContain("**2 of 6 targets missed.**");
    // Hidden: the raw samples, the per-round seconds and the bench's own RSS are not columns.
    for (const hidden of ["sample ms", "round seconds", "bench peak rss"]) expect(e2e).not.toContain(hidden);

    // A suite with no view: every field a column, a pipe in a cell escaped.
    expect(sectionOf(md, "zeta")).toContain("| thing | widgets per sec | ok |\n|---|---:|---:|\n| a\\|b | 1.2 k | ✔ |");
  });

  it("G4: notes are included verbatim under their suite's table; a suite without notes still has its table; notes without results say so", () => {
    const md = readFileSync(generateReport(paths).markdownFile, "utf8");
    const core = sectionOf(md, "core");
    expect(core).toContain(CORE_NOTES.trimEnd());
    expect(core.indexOf(CORE_NOTES.trimEnd())).toBeGreaterThan(core.indexOf("| op | batch |"));
    expect(sectionOf(md, "peers")).toContain(PEERS_NOTES.trimEnd());
    const store = sectionOf(md, "store");
    expect(store).toContain("| sqlite | insertTasks |");
    expect(store).not.toContain("written by hand");
    const scale = sectionOf(md, "scale");
    expect(scale).toContain("No results yet: `npm run bench -- scale` writes");
    expect(scale).toContain("Several masters: to come.");
  });

  it("G5: writes the charts into the folder given, links them relative to RESULTS.md, and leaves the real bench folder alone", () => {
    const realChart = join(process.cwd(), "bench", "results", "e2e-scaling.svg");
    const before = existsSync(realChart) ? readFileSync(realChart, "utf8") : null;
    const { chartFiles, markdownFile } = generateReport(paths);
    expect(chartFiles.map((f) => f.slice(paths.chartsDir.length + 1)).sort()).toEqual(["e2e-scaling.svg", "e2e-throughput.svg", "peers-throughput.svg"]);
    const md = readFileSync(markdownFile, "utf8");
    expect(md).toContain("![e2e: tasks/s vs worker processes](charts/e2e-scaling.svg)");
    expect(md).toContain("![e2e: tasks/s vs N, per mode](charts/e2e-throughput.svg)");
    expect(md).toContain("![peers: children/s vs N](charts/peers-throughput.svg)");
    expect(existsSync(realChart) ? readFileSync(realChart, "utf8") : null).toBe(before);

    const scaling = inspect(readFileSync(join(paths.chartsDir, "e2e-scaling.svg"), "utf8"));
    expect(scaling.xTicks).toEqual(["1", "2", "3", "4"]);
    expect(scaling.points).toHaveLength(3);
    const throughput = inspect(readFileSync(join(paths.chartsDir, "e2e-throughput.svg"), "utf8"));
    expect(throughput.texts).toContain("N (sub-tasks) (log scale)");
    expect(throughput.points).toHaveLength(3);
    // taskmill's push line next to the peers.
    const peers = inspect(readFileSync(join(paths.chartsDir, "peers-throughput.svg"), "utf8"));
    expect(peers.texts).toEqual(expect.arrayContaining(["taskmill (e2e, push)", "bullmq (Redis 7.0.15)", "pg-boss (PostgreSQL 15.20)"]));
  });

  it("G6b: without e2e results, the peers chart lists taskmill as '(no data)' rather than leaving it out", () => {
    rmSync(join(paths.resultsDir, "e2e.json"));
    const { chartFiles } = generateReport(paths);
    expect(chartFiles.map((f) => f.slice(paths.chartsDir.length + 1))).toEqual(["peers-throughput.svg"]);
    const peers = inspect(readFileSync(chartFiles[0]!, "utf8"));
    expect(peers.texts).toContain("taskmill (e2e, push) (no data)");
    expect(peers.points).toHaveLength(2);
  });

  it("throughput rows show their store, CPU µs per task and row writes per task; peers on PostgreSQL their like-for-like ratio", () => {
    const base = { ...E2E_BASE, kind: "throughput", n: 100_000, tasks: 100_002, seconds: 2, spread: 0.1, rounds: 3, masterCpuSeconds: 1.6, workerCpuSeconds: 1.1, machine: MACHINE };
    writeFileSync(join(paths.resultsDir, "e2e.json"), JSON.stringify([
      { ...base, tasksPerSec: 50_001, masterCpuUsPerTask: 16, workerCpuUsPerTask: 11, rowsWritten: 400_010, rowWritesPerTask: 4 },
      { ...base, store: "postgres", tasksPerSec: 16_000, masterCpuUsPerTask: 21.5, workerCpuUsPerTask: 12.25, rowsWritten: 350_007, rowWritesPerTask: 3.5 },
    ]));
    const pgBoss = FIXTURES.peers[1]!;
    writeFileSync(join(paths.resultsDir, "peers.json"), JSON.stringify([
      { ...pgBoss, n: 100_000, tasksPerSec: 12_800, postgresRatio: 1.25, postgresRatioSource: "e2e mode=push n=100000 store=postgres", machine: MACHINE },
    ]));
    const { markdownFile, chartFiles } = generateReport(paths);
    const md = readFileSync(markdownFile, "utf8");
    const e2e = sectionOf(md, "e2e");
    expect(e2e).toContain("| store | mode | N | workers | tasks/s | seconds | noise | CPU s master + workers | CPU µs/task master + workers | row writes/task |");
    expect(e2e).toContain("| sqlite | push | 100,000 | 2 | 50.0 k | 2.00 | 10% (3 rounds) | 1.6 + 1.1 | 16.0 + 11.0 | 4.00 |");
    expect(e2e).toContain("| postgres | push | 100,000 | 2 | 16.0 k | 2.00 | 10% (3 rounds) | 1.6 + 1.1 | 21.5 + 12.3 | 3.50 |");
    expect(e2e).not.toContain("rows written"); // the raw count stays in the file; the table shows it per task
    const peers = sectionOf(md, "peers");
    expect(peers).toContain("| taskmill/peer | taskmill-pg/peer |");
    expect(peers).toContain("| **5.36×** | **1.25×** |");
    expect(peers).toContain("- e2e mode=push n=100000 store=postgres");
    // The peers chart draws taskmill on PostgreSQL as a line of its own beside the SQLite one.
    const chart = inspect(readFileSync(chartFiles.find((f) => f.endsWith("peers-throughput.svg"))!, "utf8"));
    expect(chart.texts).toContain("taskmill (e2e, push, postgres)");
  });

  it("G6: the same files give the same report, byte for byte (no generation time in it)", () => {
    const a = readFileSync(generateReport(paths).markdownFile, "utf8");
    const b = readFileSync(generateReport(paths).markdownFile, "utf8");
    expect(b).toBe(a);
  });

  it("G7: a results file that is not an array of rows fails the report with its name", () => {
    writeFileSync(join(paths.resultsDir, "broken.json"), JSON.stringify({ rows: [] }));
    expect(() => generateReport(paths)).toThrow(`${join(paths.resultsDir, "broken.json")}: Expected a JSON array of rows, got object`);
    writeFileSync(join(paths.resultsDir, "broken.json"), "[1]");
    expect(() => generateReport(paths)).toThrow("Expected row 1 to be an object, got 1");
  });
});
