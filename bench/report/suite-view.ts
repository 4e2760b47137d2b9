// How one suite's results are shown in RESULTS.md: its columns, the lines
// under its table and its charts. One view per suite in views/; a suite
// without one gets every field as a column (generic-view.ts).
import type { LineChartOptions } from "./line-chart.ts";
import type { ResultsRow } from "./results-row.ts";

/** One column of a suite's table. */
export interface Column {
  header: string;
  /** The row fields it shows: a column no row has a field of is left out, and its fields are not repeated as extra columns. */
  keys: readonly string[];
  cell: (row: ResultsRow) => string;
  /** Text columns read better left-aligned; figures right-aligned. @default "right" */
  align?: "left" | "right";
}

/** One chart of a suite, written as `FILE` next to the results files and linked from RESULTS.md. */
export interface ChartSpec {
  /** File name, e.g. `e2e-scaling.svg`. */
  file: string;
  /** Alt text of the Markdown image. */
  alt: string;
  chart: LineChartOptions;
}

/** Every suite's rows by suite name, for a view that compares across suites (peers against e2e). */
export type AllResults = ReadonlyMap<string, readonly ResultsRow[]>;

/** One of several tables of a suite whose rows are of different kinds (e2e: throughput, latency, …). */
export interface RowsTable {
  /** Shown in bold above the table. */
  title: string;
  rows: readonly ResultsRow[];
  columns: readonly Column[];
  hidden?: readonly string[];
  /** Markdown lines under this table. */
  notes?: readonly string[];
}

/** How one suite appears in RESULTS.md. */
export interface SuiteView {
  /** The section heading, e.g. "core: WASM core vs its TypeScript twin". */
  title: string;
  columns: readonly Column[];
  /** Fields shown elsewhere (under the table) or not meant for the table; never extra columns. */
  hidden?: readonly string[];
  /** Splits the rows into tables of their own, each with its columns; without it, one table of every row under `columns`. */
  tables?: (rows: readonly ResultsRow[]) => RowsTable[];
  /** Markdown lines under the table: verdicts against targets, run settings shared by every row. */
  summary?: (rows: readonly ResultsRow[], all: AllResults) => string[];
  /** Charts of the scaling curves; none when the rows hold no curve. */
  charts?: (rows: readonly ResultsRow[], all: AllResults) => ChartSpec[];
}

/** A column over one field, formatted by `format` when the row has it (a number for `format`), else `missing`. */
export function column(header: string, key: string, format: (v: number) => string, missing = "—"): Column {
  return {
    header, keys: [key],
    cell: (row) => {
      const v = row[key];
      return typeof v === "number" ? format(v) : v === undefined || v === null ? missing : String(v);
    },
  };
}

/** A column showing a field's text as it is. */
export function textColumn(header: string, key: string, missing = ""): Column {
  return { header, keys: [key], align: "left", cell: (row) => (row[key] === undefined || row[key] === null ? missing : String(row[key])) };
}
