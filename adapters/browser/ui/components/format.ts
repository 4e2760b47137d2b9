/** Number and time formats shared by the browser UI. */

const INT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 12,345 */
export function int(n: number): string {
  return INT.format(n);
}

/** 1.2 s, 350 ms, 2 min 05 s */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/** 2024-05-01 12:34:56, local time */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** 42 % of a part of a whole (0 % of nothing). */
export function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.floor((100 * part) / whole)} %` : "0 %";
}
