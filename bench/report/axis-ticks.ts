// Tick positions of a chart axis: "nice" round numbers, so the labels read as
// 0, 50k, 100k rather than 0, 43,712, 87,424.

/** The scale of an axis: linear, or log10 for sizes spanning decades (N = 10k … 1M). */
export type AxisScale = "linear" | "log";

/** An axis' domain, widened to round ends, and its tick values in order. */
export interface AxisTicks {
  min: number;
  max: number;
  ticks: number[];
}

/** Float noise of `i * step` removed: 3 * 0.1 → 0.3. */
function clean(x: number): number {
  return Number(x.toPrecision(12));
}

/** A step of 1, 2 or 5 × 10^k that cuts `span` into about `target` pieces. */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  // Nearest nice factor (not the next one up), so the tick count stays near `target`.
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/**
 * Ticks of a linear axis over the values' range. `fromZero` keeps 0 in the
 * domain (rates: a bar that starts at 0 does not exaggerate a difference);
 * `integers` forbids fractional ticks (worker counts: no "1.5 workers").
 */
export function linearTicks(lo: number, hi: number, opts: { fromZero?: boolean; integers?: boolean; target?: number } = {}): AxisTicks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new RangeError(`linearTicks: Expected finite lo <= hi, got ${lo}, ${hi}`);
  if (opts.fromZero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
  if (lo === hi) {
    // One value: give it room on both sides (or above 0, for a rate).
    const pad = lo === 0 ? 1 : Math.abs(lo) / 2;
    lo = opts.fromZero && lo >= 0 ? 0 : lo - pad;
    hi = hi + pad;
  }
  let step = niceStep(hi - lo, opts.target ?? 5);
  if (opts.integers) step = Math.max(1, Math.round(step));
  const min = clean(Math.floor(lo / step) * step);
  const max = clean(Math.ceil(hi / step) * step);
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step / 2; i++) ticks.push(clean(min + i * step));
  return { min, max, ticks };
}

/**
 * Ticks of a log10 axis: whole decades, plus 2× and 5× marks when the range
 * spans at most two decades (else the labels would be too few to read).
 */
export function logTicks(lo: number, hi: number): AxisTicks {
  if (!(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) throw new RangeError(`logTicks: Expected 0 < lo <= hi, got ${lo}, ${hi}`);
  let a = Math.floor(Math.log10(lo) + 1e-9);
  let b = Math.ceil(Math.log10(hi) - 1e-9);
  if (a === b) { a -= 1; b += 1; }
  const ticks: number[] = [];
  for (let e = a; e <= b; e++) {
    const d = clean(10 ** e);
    ticks.push(d);
    if (b - a <= 2 && e < b) ticks.push(clean(2 * d), clean(5 * d));
  }
  return { min: clean(10 ** a), max: clean(10 ** b), ticks };
}
