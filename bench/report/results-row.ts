// The shape of what bench/results/NAME.json holds, as the report reads it:
// suites write their own row types; the report only relies on `machine`.
import type { MachineFacts } from "../lib/results.ts";

/** One row of a results file: the suite's own fields plus the machine it ran on. */
export type ResultsRow = Record<string, unknown> & { machine?: MachineFacts };

/** One results file, read. */
export interface SuiteResults {
  /** The suite's name: the file name without `.json`. */
  name: string;
  /** The file it came from. */
  file: string;
  rows: ResultsRow[];
}

/** The number in the first of `keys` that holds one, else undefined (suites name a size n, tasks or children). */
export function num(row: ResultsRow, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = row[k];
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** The string in `key`, else undefined. */
export function str(row: ResultsRow, key: string): string | undefined {
  const v = row[key];
  return typeof v === "string" ? v : undefined;
}
