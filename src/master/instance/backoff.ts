import type { ResolvedSettings } from "../settings.ts";

/** What the retry delay reads of the job's settings. */
export type BackoffSettings = Pick<ResolvedSettings, "taskRetryDelay" | "taskRetryBackoff" | "taskRetryDelayMax">;

/**
 * How long a task waits before its next run after its `failures`-th failed
 * run (1 for the first): taskRetryDelay, doubled per failure before this one
 * with ±20 % jitter when exponential (so retries of many tasks failing
 * together spread out), at most taskRetryDelayMax.
 * @param random a number in [0, 1), Math.random by default
 */
export function retryDelay(s: BackoffSettings, failures: number, random: () => number = Math.random): number {
  if (s.taskRetryBackoff === "fixed") return Math.min(s.taskRetryDelay, s.taskRetryDelayMax);
  const doubled = s.taskRetryDelay * 2 ** Math.min(failures - 1, 52);
  return Math.round(Math.min(s.taskRetryDelayMax, doubled * (0.8 + 0.4 * random())));
}
