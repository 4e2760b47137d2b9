import type { Rate } from "./types.ts";
import { ValidationError } from "../errors/validation-error.ts";

const PERIODS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a dispatch speed: `"200/s"`, `"50/m"`, `"1000/h"`, or a bare number
 * meaning per second. Throws a ValidationError naming `field` otherwise.
 * @example parseRate("50/m") // { perPeriod: 50, periodMs: 60000 }
 */
export function parseRate(value: unknown, field = "dispatchSpeed"): Rate {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value > 0) return { perPeriod: value, periodMs: 1_000 };
  } else if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*([smh]))?\s*$/.exec(value);
    if (m && Number(m[1]) > 0) return { perPeriod: Number(m[1]), periodMs: PERIODS[m[2] ?? "s"]! };
  }
  throw new ValidationError(field, 'a positive rate like "200/s", "50/m", "1000/h" or a number per second', value);
}

/** Default burst: 100 ms worth of tokens, at least one, so short windows stay accurate. */
export function defaultBurst(rate: Rate): number {
  return Math.max(1, (rate.perPeriod / rate.periodMs) * 100);
}
