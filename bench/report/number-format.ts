// Number formats of the generated RESULTS.md tables and the chart ticks, in
// one place so every suite prints a rate or a size the same way.

/** A rate without its unit, as the tables print it: 1.57 G, 740.9 M, 8.8 k, 512. */
export function rate(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}

/** An integer with thousands separators: 100,000. */
export function count(x: number): string {
  return Math.round(x).toLocaleString("en-US");
}

/** Seconds with three significant figures or so: 0.298, 1.13, 11.27, 123.4. */
export function seconds(x: number): string {
  return x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1);
}

/** Megabytes as people read them: 245 MB, 1.42 GB. */
export function megabytes(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} GB` : `${Math.round(x)} MB`;
}

/**
 * A fraction as a percentage: one decimal under 10 % (0.005 → 0.5%), whole
 * above (0.738 → 74%). Spreads are stored to 0.1 %: rounding 0.005 to "1%"
 * or "0%" would print a figure the file does not hold.
 */
export function percent(x: number): string {
  const p = x * 100;
  return Math.abs(p) < 10 ? `${Number(p.toFixed(1))}%` : `${Math.round(p)}%`;
}

/** A target rate, round as targets are: 600 k, 1 M, 200 k. */
export function targetRate(x: number): string {
  return rate(x).replace(/\.0+ /, " ");
}

/** A ratio: 2.23×. */
export function times(x: number): string {
  return `${x.toFixed(2)}×`;
}

/**
 * A short number for an axis tick: 0, 0.5, 2, 250k, 1.5M, 2G. Rounds away
 * the float noise of tick arithmetic (0.30000000000000004 → 0.3).
 */
export function shortNumber(x: number): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  const [div, suffix] = a >= 1e9 ? [1e9, "G"] : a >= 1e6 ? [1e6, "M"] : a >= 1e3 ? [1e3, "k"] : [1, ""];
  return `${Number((x / div).toPrecision(3))}${suffix}`;
}

/** Any value of a results row as a table cell, for columns no view describes. */
export function anyValue(key: string, v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "boolean") return v ? "✔" : "✘";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    // The unit is in the field name, by the suites' naming habit.
    if (/PerSec$/.test(key)) return rate(v);
    if (/(MB|Mb)$/.test(key)) return megabytes(v);
    if (/Ms$/.test(key)) return `${Number(v.toPrecision(3))} ms`;
    if (/(Seconds|Sec)$/.test(key) || key === "seconds") return `${seconds(v)} s`;
    if (Number.isInteger(v)) return count(v);
    return String(Number(v.toPrecision(3)));
  }
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((e) => typeof e !== "object" || e === null)) {
    return v.map((e) => (typeof e === "number" ? String(Number(e.toPrecision(3))) : String(e))).join(" / ");
  }
  return JSON.stringify(v);
}
