/**
 * Durations in job settings: a number of milliseconds, or a string such as
 * "250ms", "30s", "5m", "1h", "7d".
 */
import { ValidationError } from "../errors/validation-error.ts";
import { durationText } from "../runtime/duration-text.ts";

/** The longest wait a timer can arm (2^31 − 1 ms, about 24.8 days): past it Node's setTimeout fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Bounds of a duration setting, ms. */
export interface DurationBounds {
  /** @default just over 0 */
  min?: number;
  /** @default MAX_TIMER_MS */
  max?: number;
}

/** How a bound reads in an error message: "24d", "10ms". */
function show(ms: number): string {
  return ms === MAX_TIMER_MS ? "24d" : durationText(ms);
}

/**
 * Parses a duration: a positive number of ms, or "500ms", "30s", "5m", "1h",
 * "7d". Refuses (ValidationError naming `field`) anything else, and values
 * outside `bounds` — by default longer than a timer can wait.
 */
export function parseDuration(field: string, value: unknown, bounds: DurationBounds = {}): number {
  const min = bounds.min ?? 0, max = bounds.max ?? MAX_TIMER_MS;
  let ms = NaN;
  if (typeof value === "number" && Number.isFinite(value)) ms = value;
  else if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
    if (m) ms = Number(m[1]) * UNIT[m[2]!]!;
  }
  if (ms > 0 && ms >= min && ms <= max) return ms;
  const range = min > 0 ? `from ${show(min)} to ${show(max)}` : `at most ${show(max)}`;
  throw new ValidationError(field, `a positive duration in ms or like "250ms", "30s", "5m", "1h", "7d", ${range}`, value);
}
