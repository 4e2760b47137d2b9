// A suite's rows as a Markdown table: the view's columns that some row has,
// then every other field as an extra column, so a field a suite adds later
// shows up without touching the report.
import { anyValue } from "./number-format.ts";
import type { ResultsRow } from "./results-row.ts";
import type { Column, SuiteView } from "./suite-view.ts";

/** Fields never shown as columns: the machine goes above the table. */
const ALWAYS_HIDDEN = new Set(["machine"]);

/** "masterPeakRssMb" → "master peak rss mb": a header for a field no view names. */
function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

/** The columns a table of `rows` shows under `view`: its own that apply, then extras. */
export function tableColumns(rows: readonly ResultsRow[], view: Pick<SuiteView, "columns" | "hidden">): Column[] {
  const has = (k: string) => rows.some((r) => r[k] !== undefined);
  const own = view.columns.filter((col) => col.keys.some(has));
  const taken = new Set([...ALWAYS_HIDDEN, ...(view.hidden ?? []), ...view.columns.flatMap((col) => col.keys)]);
  const extra: Column[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (taken.has(key)) continue;
      taken.add(key);
      const text = rows.every((r) => r[key] === undefined || typeof r[key] === "string");
      extra.push({ header: words(key), keys: [key], align: text ? "left" : "right", cell: (r) => (r[key] === undefined ? "" : anyValue(key, r[key])) });
    }
  }
  return [...own, ...extra];
}

/** One cell, safe inside a Markdown table row. */
function cellText(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** The rows as a Markdown table, one line per row, in the file's order. */
export function resultsTable(rows: readonly ResultsRow[], view: Pick<SuiteView, "columns" | "hidden">): string {
  const cols = tableColumns(rows, view);
  if (cols.length === 0 || rows.length === 0) return "";
  const line = (cells: string[]) => `| ${cells.map(cellText).join(" | ")} |`;
  return [
    line(cols.map((col) => col.header)),
    `|${cols.map((col, i) => (i === 0 || col.align === "left" ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => line(cols.map((col) => col.cell(r)))),
  ].join("\n");
}
