// Timing marks: the e2e processors (running inside the master and worker
// processes) append one JSON line per mark to the file named by
// TASKMILL_E2E_MARKS, so the bench learns when things happened inside the
// cluster without changing any task's result. A mark is written a handful of
// times per process and instance — never per task — so it costs nothing
// measurable. All processes run on one machine, so their wall clocks agree.
import { appendFileSync, existsSync, readFileSync } from "node:fs";

/** The environment variable naming the marks file; unset, no mark is written. */
export const MARKS_ENV = "TASKMILL_E2E_MARKS";

/** What a mark records. */
export type MarkKind =
  /** ROOT: right before its first `ctx.map` call. */
  | "mapStart"
  /** ROOT: its last `ctx.map` call has resolved (every child stored). */
  | "mapDone"
  /** A worker process: its first sub-task of the instance began `process`. */
  | "firstStart"
  /** The master's own worker: `reduce` began (every task had ended). */
  | "reduceStart"
  /** The master's own worker: `reduce` summed every result; carries the master process's CPU time then. */
  | "reduceDone";

/** One line of the marks file. */
export interface Mark {
  instanceId: string;
  kind: MarkKind;
  /** Wall-clock time in ms with sub-millisecond precision (see `wallNow`). */
  at: number;
  pid: number;
  /** User + system CPU µs the writing process had used (process.cpuUsage()), on the marks that carry it. */
  cpuUs?: number;
}

/**
 * Wall-clock now in ms, sub-millisecond: `performance.timeOrigin + performance.now()`.
 * Date.now() has 1 ms steps, too coarse for a latency target of 5 ms.
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** User + system CPU µs this process has used so far. */
export function cpuNowUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Appends a mark when TASKMILL_E2E_MARKS is set (one small append: atomic across processes). */
export function mark(instanceId: string, kind: MarkKind, at = wallNow(), cpuUs?: number): void {
  const file = process.env[MARKS_ENV];
  if (!file) return;
  const m: Mark = cpuUs === undefined ? { instanceId, kind, at, pid: process.pid } : { instanceId, kind, at, pid: process.pid, cpuUs };
  appendFileSync(file, JSON.stringify(m) + "\n");
}

/** The marks of one instance in `file` (none when the file does not exist). */
export function readMarks(file: string, instanceId: string): Mark[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Mark).filter((m) => m.instanceId === instanceId);
}
