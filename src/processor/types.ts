/**
 * What a user writes: a Map processor (`process`) or a MapReduce processor
 * (`process` + `reduce`). See docs/processors.md.
 */
import type { JsonValue } from "../protocol/messages.ts";
import type { TaskError } from "../store/task-store.ts";

/** A task's status as users read it. */
export type TaskStatusName = "INIT" | "PULLED" | "RUNNING" | "SUCCESS" | "FAILED";

/** One task as reduce (and postProcess) reads it: failed tasks included, with their error. */
export interface TaskResult {
  readonly taskId: string;
  /** The name it was mapped under; `ROOT` for the root task. */
  readonly name: string;
  /** "SUCCESS" or "FAILED" (every task has ended when reduce runs). */
  readonly status: TaskStatusName;
  /** What its last run returned (`null` when it returned none). */
  readonly result: JsonValue;
  /** Why its last run failed, when it failed: the thrown message and stack, or its ok: false result. */
  readonly error: TaskError | null;
  /** The attempt of its last run. */
  readonly attempt: number;
}

/** What `process` and `reduce` return: success or failure, and a result. */
export interface ProcessResult {
  ok: boolean;
  result?: JsonValue;
}

/** What every task run's context has, ROOT or not. */
export interface TaskContextBase<Params extends JsonValue = JsonValue> {
  /** The instance this task belongs to. */
  readonly instanceId: string;
  /** The instance's params, as submitted. */
  readonly params: Params;
  /** This task's identity (derived from its parent, map call and index). */
  readonly taskId: string;
  /** The name given in the parent's `map` call; `ROOT` for the root task. */
  readonly taskName: string;
  /** 0 on the first run; grows with each further run — a retry after a failure (taskMaxAttempts) or a failover. */
  readonly attempt: number;
  /** The cycle number of a recurring job. */
  readonly serialNum: number;
  /** Aborted when the task or its instance is killed, or when the run outlives taskTimeout. */
  readonly signal: AbortSignal;
  /**
   * Fans out: stores one child task per body under `taskName`. Resolves once
   * the batch is durably stored, with `true` when the master asks processors
   * to slow down. Must be called deterministically: run again (failover,
   * restart) a task maps the same bodies in the same order and each child is
   * stored once.
   */
  map(bodies: readonly JsonValue[], taskName: string): Promise<boolean>;
}

/** The root task's context: its body is the params. */
export interface RootTaskContext<Params extends JsonValue = JsonValue> extends TaskContextBase<Params> {
  readonly isRoot: true;
  /** The params (the root task has no parent to give it a body). */
  readonly body: Params;
}

/** A sub-task's context: its body is what its parent mapped. */
export interface SubTaskContext<Params extends JsonValue = JsonValue, Body extends JsonValue = JsonValue> extends TaskContextBase<Params> {
  readonly isRoot: false;
  /** The body given in the parent's `map` call. */
  readonly body: Body;
}

/**
 * The context of one task run. `Params` types `ctx.params` (the instance's
 * params), `Body` the sub-tasks' `ctx.body`; `if (ctx.isRoot)` tells the root
 * task (whose body is the params) from a sub-task. Both default to any JSON,
 * under which `ctx.params.x` does not type-check under `strict` (params may be
 * null): name the types, `defineMapReduce<{ files: string[] }, string>({ … })`.
 */
export type TaskContext<Params extends JsonValue = JsonValue, Body extends JsonValue = JsonValue> = RootTaskContext<Params> | SubTaskContext<Params, Body>;

/** The context of a reduce. */
export interface ReduceContext<Params extends JsonValue = JsonValue> {
  readonly instanceId: string;
  readonly params: Params;
  readonly serialNum: number;
  /** "SUCCESS" when every task succeeded, else "FAILED" (reduce runs then only with runReduceIfFail). */
  readonly status: "SUCCESS" | "FAILED";
  /** Every task of the instance (ROOT and every level, failed ones included), streamed from the store. */
  readonly results: AsyncIterable<TaskResult>;
  /** Aborted when the instance is killed. */
  readonly signal: AbortSignal;
}

/** A Map processor, over the params it is submitted with and the bodies its tasks map. */
export interface MapProcessor<Params extends JsonValue = JsonValue, Body extends JsonValue = JsonValue> {
  process(ctx: TaskContext<Params, Body>): ProcessResult | Promise<ProcessResult>;
  /** Called once when every task of the instance has ended. */
  postProcess?(ctx: ReduceContext<Params>): void | Promise<void>;
}

/** A MapReduce processor, over the params it is submitted with and the bodies its tasks map. */
export interface MapReduceProcessor<Params extends JsonValue = JsonValue, Body extends JsonValue = JsonValue> {
  process(ctx: TaskContext<Params, Body>): ProcessResult | Promise<ProcessResult>;
  /** Combines every task's result; its result is the instance's result. */
  reduce(ctx: ReduceContext<Params>): ProcessResult | Promise<ProcessResult>;
  /** Run reduce even when some task failed. @default false */
  runReduceIfFail?: boolean;
}

/** Either kind of processor. */
export type Processor = MapProcessor<any, any> | MapReduceProcessor<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Processors by name. */
export type ProcessorMap = Readonly<Record<string, Processor>>;
