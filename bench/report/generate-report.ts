// Reads the results and notes, writes the charts and RESULTS.md.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { repoRoot } from "../lib/results.ts";
import { lineChartSvg } from "./line-chart.ts";
import { loadNotes, loadResults } from "./load-results.ts";
import { renderReport, type ChartLink } from "./render-report.ts";
import { viewOf } from "./suite-views.ts";

/** Where the report reads from and writes to; every path defaults to the repository's bench/ folder. */
export interface ReportOptions {
  /** The results files, `NAME.json`. @default bench/results */
  resultsDir: string;
  /** The hand-written notes, `NAME.md`. @default bench/notes */
  notesDir: string;
  /** The report. @default bench/RESULTS.md */
  outFile: string;
  /** Where the SVG charts go. @default resultsDir */
  chartsDir: string;
}

/** What a report run wrote. */
export interface ReportWritten {
  markdownFile: string;
  chartFiles: string[];
}

/** A path relative to `from`, with forward slashes (a Markdown link). */
function href(from: string, to: string): string {
  return relative(from, to).split(sep).join("/") || ".";
}

/** A folder as the report names it: from the repository root when inside it, else as linked from the report. */
function shown(root: string, outDir: string, dir: string): string {
  const r = href(root, dir);
  return r.startsWith("..") ? href(outDir, dir) : r;
}

/** Writes a file through a temporary one, so a reader never sees half of it. */
function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/**
 * Generates the report: reads every results file and note, writes each
 * suite's charts as SVG and then RESULTS.md. Charts are rewritten, never
 * deleted: a chart a suite no longer draws stays until removed by hand.
 * @example generateReport({ outFile: "/tmp/RESULTS.md", chartsDir: "/tmp/charts" })
 */
export function generateReport(options: Partial<ReportOptions> = {}): ReportWritten {
  const root = repoRoot();
  const resultsDir = options.resultsDir ?? join(root, "bench", "results");
  const notesDir = options.notesDir ?? join(root, "bench", "notes");
  const outFile = options.outFile ?? join(root, "bench", "RESULTS.md");
  const chartsDir = options.chartsDir ?? resultsDir;
  const outDir = dirname(outFile);

  const suites = loadResults(resultsDir);
  const all = new Map(suites.map((s) => [s.name, s.rows]));
  const charts = new Map<string, ChartLink[]>();
  const chartFiles: string[] = [];
  for (const suite of suites) {
    const specs = suite.rows.length === 0 ? [] : viewOf(suite.name).charts?.(suite.rows, all) ?? [];
    if (specs.length === 0) continue;
    mkdirSync(chartsDir, { recursive: true });
    charts.set(suite.name, specs.map((spec) => {
      const file = join(chartsDir, spec.file);
      writeAtomic(file, lineChartSvg(spec.chart));
      chartFiles.push(file);
      return { alt: spec.alt, href: href(outDir, file) };
    }));
  }
  mkdirSync(outDir, { recursive: true });
  writeAtomic(outFile, renderReport({
    suites, notes: loadNotes(notesDir), charts,
    resultsHref: href(outDir, resultsDir), notesHref: href(outDir, notesDir),
    resultsShown: shown(root, outDir, resultsDir), notesShown: shown(root, outDir, notesDir),
  }));
  return { markdownFile: outFile, chartFiles };
}
