/**
 * The harness's controls as data: what a run is (fleet, job size, dispatch
 * settings), checked with "field: Expected X, got Y" errors, and the job
 * settings it turns into.
 */
import type { JobSettings } from "../../../../src/master/settings.ts";
import { ValidationError } from "../../../../src/errors/validation-error.ts";

/** One run of the harness. */
export interface SimConfig {
  /** Web Workers in the fleet. @default 4 */
  workers: number;
  /** Milliseconds each LEAF task takes on a worker (its speed). @default 1 */
  msPerTask: number;
  /** SPLIT tasks the root maps (first map level). @default 20 */
  level1: number;
  /** LEAF tasks each SPLIT maps (second map level). @default 500 */
  level2: number;
  /** @default "push" */
  dispatchMode: "push" | "pull";
  /** @default "round-robin" */
  route: "round-robin" | "worker-load";
  /** "500/s", "100/m", or "" for unlimited. @default "" */
  dispatchSpeed: string;
  /** Fail a dead worker's tasks over to the others. @default true */
  failover: boolean;
  /** Tasks one worker runs at once. @default 10 */
  consumerSize: number;
}

export const DEFAULT_CONFIG: Readonly<SimConfig> = {
  workers: 4, msPerTask: 1, level1: 20, level2: 500, dispatchMode: "push", route: "round-robin",
  dispatchSpeed: "", failover: true, consumerSize: 10,
};

function int(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ValidationError(field, `an integer from ${min} to ${max}`, v);
  }
  return v;
}

function oneOf<T extends string>(field: string, v: unknown, options: readonly T[]): T {
  if (!options.includes(v as T)) throw new ValidationError(field, options.map((o) => `"${o}"`).join(" or "), v);
  return v as T;
}

/** Checks a config (from the form or localStorage); missing fields take their defaults. */
export function checkConfig(raw: Partial<SimConfig>): SimConfig {
  const c = { ...DEFAULT_CONFIG, ...raw };
  if (typeof c.dispatchSpeed !== "string") throw new ValidationError("dispatchSpeed", 'a rate like "500/s", or empty', c.dispatchSpeed);
  if (typeof c.failover !== "boolean") throw new ValidationError("failover", "a boolean", c.failover);
  return {
    workers: int("workers", c.workers, 1, 32),
    msPerTask: int("msPerTask", c.msPerTask, 0, 60_000),
    level1: int("level1", c.level1, 1, 10_000),
    level2: int("level2", c.level2, 1, 100_000),
    dispatchMode: oneOf("dispatchMode", c.dispatchMode, ["push", "pull"] as const),
    route: oneOf("route", c.route, ["round-robin", "worker-load"] as const),
    dispatchSpeed: c.dispatchSpeed.trim(),
    failover: c.failover,
    consumerSize: int("consumerSize", c.consumerSize, 1, 1000),
  };
}

/** Liveness timings of the harness: a killed or cut-off worker is noticed within about 2.5 s. */
export const HEARTBEAT_MS = 500;
export const LIVENESS_TIMEOUT_MS = 2500;

/** The job settings of a run (the master checks them again at submit). */
export function jobSettings(c: SimConfig): JobSettings {
  return {
    dispatchMode: c.dispatchMode,
    route: c.route,
    dispatchSpeed: c.dispatchSpeed === "" ? null : c.dispatchSpeed,
    failover: c.failover,
    consumerSize: c.consumerSize,
    pageSize: 200,
    heartbeatMs: HEARTBEAT_MS,
    livenessTimeoutMs: LIVENESS_TIMEOUT_MS,
    progressMs: 500,
  };
}

/** Tasks a run has: ROOT, SPLITs, LEAFs and REDUCE. */
export function taskCount(c: Pick<SimConfig, "level1" | "level2">): number {
  return 1 + c.level1 + c.level1 * c.level2 + 1;
}
