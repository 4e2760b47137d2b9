/**
 * A job's settings, their defaults (docs/processors.md, "Job settings and their defaults") and their
 * validation at submit: a bad one is refused with the field's name and what
 * was expected, and nothing is created.
 */
import { parseRate } from "../core/rate.ts";
import type { Rate } from "../core/types.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { expectInt } from "../errors/validate.ts";
import { MAX_TIMER_MS, parseDuration } from "./durations.ts";

export { parseDuration } from "./durations.ts";

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
  /** Runs of one task in all: a run that fails with runs left is retried after a delay. @default 1 (no retry) */
  taskMaxAttempts?: number;
  /** Delay before the first retry of a task, ms or like "1s". @default "1s" */
  taskRetryDelay?: number | string;
  /** "fixed": every retry waits taskRetryDelay; "exponential": the delay doubles per failure, ±20 % jitter. @default "exponential" */
  taskRetryBackoff?: "fixed" | "exponential";
  /** Longest delay between two runs of a task. @default "5m" */
  taskRetryDelayMax?: number | string;
  /** A run still going this long after it started RUNNING is aborted and fails. @default none */
  taskTimeout?: number | string | null;
  /** The whole instance (per cycle for `every` jobs) is killed this long after it started. @default none */
  timeout?: number | string | null;
  /** Sub-tasks that may fail for good while the instance still succeeds: a number, or a percentage like "1%" of all sub-tasks. @default 0 */
  maxFailedTasks?: number | string;
  /** End FAILED as soon as the instance can no longer succeed, aborting what runs. @default false */
  failFast?: boolean;
  /** Tasks kept after the instance ends: "failed" (when it ends FAILED), "all", or "none". @default "failed" */
  retainTasks?: "failed" | "all" | "none";
  /** How long retained tasks are kept, ms or like "7d". @default "7d" */
  retainFor?: number | string;
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
  taskMaxAttempts: number;
  taskRetryDelay: number;
  taskRetryBackoff: "fixed" | "exponential";
  taskRetryDelayMax: number;
  taskTimeout: number | null;
  timeout: number | null;
  /** A count, or a percentage written "N%". */
  maxFailedTasks: number | string;
  failFast: boolean;
  retainTasks: "failed" | "all" | "none";
  retainFor: number;
}

/** The defaults, as docs/processors.md lists them. */
export const DEFAULT_SETTINGS: Readonly<ResolvedSettings> = Object.freeze({
  dispatchMode: "push", pageSize: 100, queueSize: 10_000, dispatchers: 5, consumerSize: 5,
  globalConsumerSize: 1000, dispatchSpeed: null, failover: true, execOnMaster: true, route: "round-robin",
  randomStart: false, targetWorkers: null, every: null, maxCycles: null, workerWaitMs: 10_000,
  heartbeatMs: 1000, livenessTimeoutMs: 5000, statusCheckMs: 3000, progressMs: 1000, pullWaitMs: 1000,
  maxBodyBytes: 65_536, maxResultBytes: 65_536, runReduceIfFail: null,
  taskMaxAttempts: 1, taskRetryDelay: 1000, taskRetryBackoff: "exponential", taskRetryDelayMax: 300_000,
  taskTimeout: null, timeout: null, maxFailedTasks: 0, failFast: false, retainTasks: "failed", retainFor: 7 * 86_400_000,
});

/** Longest retainFor: retained tasks are swept by comparing times, not by a timer. */
const MAX_RETAIN_MS = 3650 * 86_400_000;

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
    // Own keys only: "constructor" or "__proto__" are no settings.
    if (!Object.hasOwn(DEFAULT_SETTINGS, k)) throw new ValidationError(k, `a known setting (${Object.keys(DEFAULT_SETTINGS).join(", ")})`, k);
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
  const timer = (k: keyof ResolvedSettings, min: number) => (has(k) ? expectInt(k, s[k], min, MAX_TIMER_MS) : (d[k] as number));
  const duration = (k: keyof ResolvedSettings, max = MAX_TIMER_MS) => (has(k) ? parseDuration(k, s[k], { max }) : (d[k] as number));
  const optionalDuration = (k: keyof ResolvedSettings) => (s[k] === undefined || s[k] === null ? null : parseDuration(k, s[k]));
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
    every: every === null ? null : parseDuration("every", every, { min: 10 }),
    maxCycles: s.maxCycles === undefined || s.maxCycles === null ? null : expectInt("maxCycles", s.maxCycles, 1),
    workerWaitMs: timer("workerWaitMs", 0),
    heartbeatMs: timer("heartbeatMs", 1),
    livenessTimeoutMs: timer("livenessTimeoutMs", 1),
    statusCheckMs: timer("statusCheckMs", 1),
    progressMs: timer("progressMs", 1),
    pullWaitMs: timer("pullWaitMs", 0),
    maxBodyBytes: int("maxBodyBytes", 1),
    maxResultBytes: int("maxResultBytes", 1),
    runReduceIfFail: rrif === null ? null : bool("runReduceIfFail", rrif),
    taskMaxAttempts: int("taskMaxAttempts", 1, 1000),
    taskRetryDelay: duration("taskRetryDelay"),
    taskRetryBackoff: has("taskRetryBackoff") ? oneOf("taskRetryBackoff", s.taskRetryBackoff, ["fixed", "exponential"] as const) : d.taskRetryBackoff,
    taskRetryDelayMax: duration("taskRetryDelayMax"),
    taskTimeout: optionalDuration("taskTimeout"),
    timeout: optionalDuration("timeout"),
    maxFailedTasks: has("maxFailedTasks") ? failureAllowance(s.maxFailedTasks) : d.maxFailedTasks,
    failFast: has("failFast") ? bool("failFast", s.failFast) : d.failFast,
    retainTasks: has("retainTasks") ? oneOf("retainTasks", s.retainTasks, ["failed", "all", "none"] as const) : d.retainTasks,
    retainFor: duration("retainFor", MAX_RETAIN_MS),
  };
}

/** maxFailedTasks: a whole number of tasks, or a percentage from 0 to 100 written like "1%" or "0.5%". */
function failureAllowance(v: unknown): number | string {
  if (typeof v === "string") {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
    if (m && Number(m[1]) <= 100) return `${Number(m[1])}%`;
    throw new ValidationError("maxFailedTasks", 'a number of tasks, or a percentage like "1%"', v);
  }
  return expectInt("maxFailedTasks", v, 0);
}

/**
 * How many sub-tasks may fail for good, of `total` sub-tasks, while the
 * instance still succeeds (B12): maxFailedTasks as a count, or its
 * percentage of the total rounded down.
 */
export function allowedFailures(s: Pick<ResolvedSettings, "maxFailedTasks">, total: number): number {
  const m = s.maxFailedTasks;
  return typeof m === "number" ? m : Math.floor((total * Number(m.slice(0, -1))) / 100);
}

/** The dispatch rate of resolved settings, or null for unlimited. */
export function settingsRate(s: ResolvedSettings): Rate | null {
  return s.dispatchSpeed === null ? null : parseRate(s.dispatchSpeed);
}
