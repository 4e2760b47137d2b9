/**
 * Argument checks and JSON text of a TaskStore backend, with the messages and
 * order of MemoryStore's, so every backend refuses the same input the same way.
 * (The Deno adapter holds the same file: adapters may not import each other.)
 */
import { FAILED, INIT } from "../../core-as/shared/constants.ts";
import { expectInt } from "../../src/errors/validate.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import type { JsonValue } from "../../src/protocol/messages.ts";
import type {
  InstancePatch, InstanceStatus, NewInstance, NewTask, StatusUpdate, TaskStatusCode,
} from "../../src/store/task-store.ts";

export const INSTANCE_STATUSES: readonly InstanceStatus[] = ["RUNNING", "SUCCESS", "FAILED"];
export const NULL_TEXT = "null";

/** JSON text of `value`; refuses what JSON cannot carry (undefined, cycles, bigint). */
export function encode(field: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (typeof text !== "string") throw new ValidationError(field, "a JSON value", value);
  return text;
}

/** The value of JSON text. */
export function decode(text: string): JsonValue {
  return text === NULL_TEXT ? null : JSON.parse(text) as JsonValue;
}

export function isStatus(value: unknown): value is TaskStatusCode {
  return value === 1 || value === 2 || value === 3 || value === 4 || value === 5;
}

export function expectString(field: string, value: unknown, nonEmpty = true): string {
  if (typeof value !== "string" || (nonEmpty && value.length === 0)) {
    throw new ValidationError(field, nonEmpty ? "a non-empty string" : "a string", value);
  }
  return value;
}

export function checkStatus(field: string, value: unknown): TaskStatusCode {
  if (!isStatus(value)) throw new ValidationError(field, "a task status code from 1 to 5", value);
  return value;
}

export function checkSeq(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, "an integer >= 0", value);
  }
  return value;
}

export function checkWorker(field: string, value: unknown): string | null {
  if (value !== null && typeof value !== "string") throw new ValidationError(field, "a worker key or null", value);
  return value;
}

export function checkInstanceStatus(field: string, value: unknown): InstanceStatus {
  if (!INSTANCE_STATUSES.includes(value as InstanceStatus)) {
    throw new ValidationError(field, `one of ${INSTANCE_STATUSES.join(", ")}`, value);
  }
  return value as InstanceStatus;
}

/** A new instance's fields, JSON ones as text. */
export interface CheckedInstance {
  instanceId: string;
  processor: string;
  settings: string;
  params: string;
  createdAt: number;
  serialNum: number;
  owner: string;
}

export function checkNewInstance(instance: NewInstance, owner: string): CheckedInstance {
  return {
    instanceId: expectString("instanceId", instance.instanceId),
    processor: expectString("processor", instance.processor),
    settings: encode("settings", instance.settings),
    params: encode("params", instance.params),
    createdAt: expectInt("createdAt", instance.createdAt, 0),
    serialNum: expectInt("serialNum", instance.serialNum, 0),
    owner: expectString("owner", owner),
  };
}

/** An instance patch with JSON fields as text; absent fields stay undefined. */
export interface CheckedPatch {
  status?: InstanceStatus;
  result?: string;
  serialNum?: number;
  finishedAt?: number | null;
  progress?: string;
}

export function checkPatch(patch: InstancePatch): CheckedPatch {
  const out: CheckedPatch = {};
  if (patch.status !== undefined) out.status = checkInstanceStatus("status", patch.status);
  if (patch.result !== undefined) out.result = encode("result", patch.result);
  if (patch.serialNum !== undefined) out.serialNum = expectInt("serialNum", patch.serialNum, 0);
  if (patch.finishedAt !== undefined) {
    out.finishedAt = patch.finishedAt === null ? null : expectInt("finishedAt", patch.finishedAt, 0);
  }
  if (patch.progress !== undefined && patch.progress !== null && typeof patch.progress !== "object") {
    throw new ValidationError("progress", "an object or null", patch.progress);
  }
  if (patch.progress !== undefined) out.progress = encode("progress", patch.progress);
  return out;
}

/** A task to insert, its body as JSON text. */
export interface CheckedTask {
  seq: number;
  taskId: string;
  parentId: string | null;
  name: string;
  body: string;
  queued: boolean;
}

export function checkNewTask(i: number, t: NewTask): CheckedTask {
  checkSeq(`tasks[${i}].seq`, t.seq);
  expectString(`tasks[${i}].taskId`, t.taskId);
  if (t.parentId !== null && typeof t.parentId !== "string") {
    throw new ValidationError(`tasks[${i}].parentId`, "a string or null", t.parentId);
  }
  expectString(`tasks[${i}].name`, t.name, false);
  if (typeof t.queued !== "boolean") throw new ValidationError(`tasks[${i}].queued`, "a boolean", t.queued);
  const body = encode(`tasks[${i}].body`, t.body);
  return { seq: t.seq, taskId: t.taskId, parentId: t.parentId, name: t.name, body, queued: t.queued };
}

/** A status update with its result (when given) as JSON text. */
export interface CheckedUpdate {
  seq: number;
  status: TaskStatusCode;
  attempt: number;
  worker: string | null;
  result: string | undefined;
}

export function checkUpdate(i: number, u: StatusUpdate): CheckedUpdate {
  return {
    seq: checkSeq(`updates[${i}].seq`, u.seq),
    status: checkStatus(`updates[${i}].status`, u.status),
    attempt: expectInt(`updates[${i}].attempt`, u.attempt, 0),
    worker: checkWorker(`updates[${i}].worker`, u.worker),
    result: u.result === undefined ? undefined : encode(`updates[${i}].result`, u.result),
  };
}

/** The target of `resetWorkerTasks`: INIT with a queued flag, or FAILED with a result as JSON text. */
export type CheckedReset = { status: 1; queued: boolean } | { status: 5; result: string };

export function checkReset(to: { status: 1; queued: boolean } | { status: 5; result: JsonValue }): CheckedReset {
  if (to.status === INIT) {
    if (typeof to.queued !== "boolean") throw new ValidationError("to.queued", "a boolean", to.queued);
    return { status: INIT, queued: to.queued };
  }
  if (to.status !== FAILED) throw new ValidationError("to.status", "1 (INIT) or 5 (FAILED)", (to as { status: unknown }).status);
  return { status: FAILED, result: encode("to.result", to.result) };
}
