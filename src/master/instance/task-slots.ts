import { SLOT_MASK } from "../../../core-as/shared/constants.ts";
import type { JsonValue } from "../../protocol/messages.ts";

/**
 * What the master keeps in memory for each live task, indexed by its task
 * table slot: store row number, identity and body. Bounded by the table's
 * capacity; a finished task's body is dropped at once (X4).
 */
export class TaskSlots {
  readonly seq: Float64Array;
  readonly taskId: (string | undefined)[];
  readonly body: (JsonValue | undefined)[];
  /** Runs of the task that ended in failure (its retries count them). */
  readonly failures: Int32Array;

  constructor(capacity: number) {
    this.seq = new Float64Array(capacity);
    this.taskId = new Array<string | undefined>(capacity);
    this.body = new Array<JsonValue | undefined>(capacity);
    this.failures = new Int32Array(capacity);
  }

  /** Records a newly admitted task. */
  set(handle: number, seq: number, taskId: string, body: JsonValue, failures = 0): void {
    const s = handle & SLOT_MASK;
    this.seq[s] = seq;
    this.taskId[s] = taskId;
    this.body[s] = body;
    this.failures[s] = failures;
  }

  seqOf(handle: number): number { return this.seq[handle & SLOT_MASK]!; }
  taskIdOf(handle: number): string { return this.taskId[handle & SLOT_MASK]!; }
  bodyOf(handle: number): JsonValue { return this.body[handle & SLOT_MASK] ?? null; }
  failuresOf(handle: number): number { return this.failures[handle & SLOT_MASK]!; }
  /** Counts one more failed run of the task; returns the new count. */
  addFailure(handle: number): number { return ++this.failures[handle & SLOT_MASK]!; }

  /** Drops a finished task's data. */
  release(handle: number): void {
    const s = handle & SLOT_MASK;
    this.taskId[s] = undefined;
    this.body[s] = undefined;
  }
}
