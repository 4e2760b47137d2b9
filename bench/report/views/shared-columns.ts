// Columns more than one suite's view uses.
import { megabytes } from "../number-format.ts";
import type { ResultsRow } from "../results-row.ts";
import type { Column } from "../suite-view.ts";

/** The finite numbers of a list field; [] when the field is not a list. */
export function numbers(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === "number" && Number.isFinite(x)) : [];
}

/** (max − min) ÷ median of a list: the rounds' spread, as the suites report it; undefined for an empty list. */
export function spreadOf(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return mid > 0 ? (s[s.length - 1]! - s[0]!) / mid : undefined;
}

/** The 1-minute load averages a row recorded (one per round), as "lowest–highest". */
export function loadColumn(key = "loadAvg1m"): Column {
  return {
    header: "load 1 min", keys: [key],
    cell: (r: ResultsRow) => {
      const l = numbers(r[key]);
      return l.length === 0 ? "—" : Math.min(...l) === Math.max(...l) ? String(l[0]) : `${Math.min(...l)}–${Math.max(...l)}`;
    },
  };
}

/** Peak RSS of several processes (one per worker), MB: "70 MB / 72 MB"; null entries unknown. */
export function rssListColumn(header: string, key: string): Column {
  return {
    header, keys: [key],
    cell: (r: ResultsRow) => {
      const v = r[key];
      if (typeof v === "number") return megabytes(v);
      if (!Array.isArray(v) || v.length === 0) return "—";
      return v.map((x) => (typeof x === "number" ? megabytes(x) : "?")).join(" / ");
    },
  };
}
