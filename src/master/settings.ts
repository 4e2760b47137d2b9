/**
 * A job's settings, their defaults (docs/processors.md, "Job settings and their defaults") and their
 * validation at submit: a bad one is refused with the field's name and what
 * was expected, and nothing is created.
 */
import { parseRate } from "../core/rate.ts";
import type { Rate } from "../core/types.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { expectInt } from "../errors/validate.ts";

/** Settings as a user writes them; every field is optional. */
export interface JobSettings {
  /** "push": the master sends tasks; "pull": workers ask for them. @default "push" */
  dispatchMode?: "push" | "pull";
  /** Tasks per worker per push batch; per pull in pull mode. @default 100 */
  pageSize?: number;
  /** Bound of the in-memory dispatch queue of task handles (at most 1,000,000). @default 10000 */
  queueSize?: number;
  /** Push batches in flight, at most 200. @default 5 */
  dispatchers?: number;
  /** Tasks run at once on one worker. @default 5 */
  consumerSize?: number;
  /** Cap on pulled + running across the fleet (pull mode). @default 1000 */
  globalConsumerSize?: number;
  /** Tasks sent per unit of time: "200/s", "50/m", "1000/h", or a number per second. @default unlimited */
  dispatchSpeed?: string | number | null;
  /** Send a dead or unreachable worker's unfinished tasks to other workers. @default true */
  failover?: boolean;
  /** Sub-tasks may run on the master's own worker. @default true */
  execOnMaster?: boolean;
  /** "round-robin" or "worker-load". @default "round-robin" */
  route?: "round-robin" | "worker-load";
  /** Start round-robin at a random worker. @default false */
  randomStart?: boolean;
  /** Only these worker ids run sub-tasks (the master's own worker still runs root and reduce). @default all */
  targetWorkers?: string[] | null;
  /** Period of a recurring job in ms, or "30s", "5m", "1h". @default not recurring */
  every?: number | string | null;
  /** Cycles of a recurring job. @default unlimited */
  maxCycles?: number | null;
  /** How long an instance waits for a worker before "all workers are down". @default 10000 */
  workerWaitMs?: number;
  /** Interval of the liveness check. @default 1000 */
  heartbeatMs?: number;
  /** A worker silent this long is dead. @default 5000 */
  livenessTimeoutMs?: number;
  /** Safety-net completion check interval. @default 3000 */
  statusCheckMs?: number;
  /** Interval of progress pushed to watchers. @default 1000 */
  progressMs?: number;
  /** How long a pull waits for tasks before answering empty. @default 1000 */
  pullWaitMs?: number;
  /** Largest task body, in bytes of JSON. @default 65536 */
  maxBodyBytes?: number;
  /** Largest task result, in bytes of JSON. @default 65536 */
  maxResultBytes?: number;
  /** Run reduce even when tasks failed (overrides the processor's own flag). @default the processor's, else false */
  runReduceIfFail?: boolean | null;
}

/** Settings with every default filled in and every value checked. */
export interface ResolvedSettings {
  dispatchMode: "push" | "pull";
  pageSize: number;
  queueSize: number;
  dispatchers: number;
  consumerSize: number;
  globalConsumerSize: number;
  dispatchSpeed: string | null;
  failover: boolean;
  execOnMaster: boolean;
  route: "round-robin" | "worker-load";
  randomStart: boolean;
  targetWorkers: string[] | null;
  every: number | null;
  maxCycles: number | null;
  workerWaitMs: number;
  heartbeatMs: number;
  livenessTimeoutMs: number;
  statusCheckMs: number;
  progressMs: number;
  pullWaitMs: number;
  maxBodyBytes: number;
  maxResultBytes: number;
  runReduceIfFail: boolean | null;
}

/** The defaults, as docs/processors.md lists them. */
export const DEFAULT_SETTINGS: Readonly<ResolvedSettings> = Object.freeze({
  dispatchMode: "push", pageSize: 100, queueSize: 10_000, dispatchers: 5, consumerSize: 5,
  globalConsumerSize: 1000, dispatchSpeed: null, failover: true, execOnMaster: true, route: "round-robin",
  randomStart: false, targetWorkers: null, every: null, maxCycles: null, workerWaitMs: 10_000,
  heartbeatMs: 1000, livenessTimeoutMs: 5000, statusCheckMs: 3000, progressMs: 1000, pullWaitMs: 1000,
  maxBodyBytes: 65_536, maxResultBytes: 65_536, runReduceIfFail: null,
});

const DURATION: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration: a number of ms, or "500ms", "30s", "5m", "1h". */
export function parseDuration(field: string, value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
    if (m && Number(m[1]) > 0) return Number(m[1]) * DURATION[m[2]!]!;
  }
  throw new ValidationError(field, 'a positive duration in ms or like "30s", "5m", "1h"', value);
}

function oneOf<T extends string>(field: string, value: unknown, options: readonly T[]): T {
  if (typeof value === "string" && (options as readonly string[]).includes(value)) return value as T;
  throw new ValidationError(field, `one of ${options.map((o) => JSON.stringify(o)).join(", ")}`, value);
}

function bool(field: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  throw new ValidationError(field, "true or false", value);
}

/**
 * Validates settings and fills defaults. Throws a ValidationError naming the
 * first bad field; unknown fields are refused too (a typo must not pass silently).
 */
export function resolveSettings(input: unknown): ResolvedSettings {
  if (input === undefined || input === null) input = {};
  if (typeof input !== "object" || Array.isArray(input)) throw new ValidationError("settings", "an object", input);
  const s = input as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    if (!(k in DEFAULT_SETTINGS)) throw new ValidationError(k, `a known setting (${Object.keys(DEFAULT_SETTINGS).join(", ")})`, k);
  }
  const d = DEFAULT_SETTINGS;
  const has = (k: string) => s[k] !== undefined;
  const int = (k: keyof ResolvedSettings, min: number, max?: number) => (has(k) ? expectInt(k, s[k], min, max) : (d[k] as number));
  const speed = s.dispatchSpeed ?? null;
  if (speed !== null) parseRate(speed);
  const every = s.every ?? null;
  const targets = s.targetWorkers ?? null;
  if (targets !== null && (!Array.isArray(targets) || targets.length === 0 || targets.some((t) => typeof t !== "string" || t === ""))) {
    throw new ValidationError("targetWorkers", "a non-empty array of worker ids", targets);
  }
  const rrif = s.runReduceIfFail ?? null;
  return {
    dispatchMode: has("dispatchMode") ? oneOf("dispatchMode", s.dispatchMode, ["push", "pull"] as const) : d.dispatchMode,
    pageSize: int("pageSize", 1, 100_000),
    queueSize: int("queueSize", 1, 1_000_000),
    dispatchers: int("dispatchers", 1, 200),
    consumerSize: int("consumerSize", 1, 100_000),
    globalConsumerSize: int("globalConsumerSize", 1),
    dispatchSpeed: speed === null ? null : String(speed),
    failover: has("failover") ? bool("failover", s.failover) : d.failover,
    execOnMaster: has("execOnMaster") ? bool("execOnMaster", s.execOnMaster) : d.execOnMaster,
    route: has("route") ? oneOf("route", s.route, ["round-robin", "worker-load"] as const) : d.route,
    randomStart: has("randomStart") ? bool("randomStart", s.randomStart) : d.randomStart,
    targetWorkers: targets as string[] | null,
    every: every === null ? null : parseDuration("every", every),
    maxCycles: s.maxCycles === undefined || s.maxCycles === null ? null : expectInt("maxCycles", s.maxCycles, 1),
    workerWaitMs: int("workerWaitMs", 0),
    heartbeatMs: int("heartbeatMs", 1),
    livenessTimeoutMs: int("livenessTimeoutMs", 1),
    statusCheckMs: int("statusCheckMs", 1),
    progressMs: int("progressMs", 1),
    pullWaitMs: int("pullWaitMs", 0),
    maxBodyBytes: int("maxBodyBytes", 1),
    maxResultBytes: int("maxResultBytes", 1),
    runReduceIfFail: rrif === null ? null : bool("runReduceIfFail", rrif),
  };
}

/** The dispatch rate of resolved settings, or null for unlimited. */
export function settingsRate(s: ResolvedSettings): Rate | null {
  return s.dispatchSpeed === null ? null : parseRate(s.dispatchSpeed);
}
