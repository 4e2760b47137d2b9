// Reads every bench/results/*.json (and the notes beside them) for the report.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ResultsRow, SuiteResults } from "./results-row.ts";

/**
 * Reads every `NAME.json` in `dir` (not the `.tmp` files of a write in
 * progress). Throws "FILE: Expected …, got …" on a file that is not a JSON
 * array of objects: a report that silently dropped a suite would mislead.
 */
export function loadResults(dir: string): SuiteResults[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(file, "utf8"));
      } catch (e) {
        throw new Error(`${file}: Expected JSON, got a parse error: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!Array.isArray(data)) throw new Error(`${file}: Expected a JSON array of rows, got ${data === null ? "null" : typeof data}`);
      data.forEach((row, i) => {
        if (row === null || typeof row !== "object" || Array.isArray(row)) {
          throw new Error(`${file}: Expected row ${i + 1} to be an object, got ${JSON.stringify(row)}`);
        }
      });
      return { name: f.slice(0, -".json".length), file, rows: data as ResultsRow[] };
    });
}

/** The hand-written notes of each suite: `dir/NAME.md`, verbatim, by suite name. */
export function loadNotes(dir: string): Map<string, string> {
  const notes = new Map<string, string>();
  if (!existsSync(dir)) return notes;
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".md")).sort()) {
    notes.set(f.slice(0, -".md".length), readFileSync(join(dir, f), "utf8"));
  }
  return notes;
}
