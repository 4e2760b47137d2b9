/**
 * Argument checks and JSON columns of the SQLite store. Checks run before a
 * transaction opens, so a refused call changes nothing; each names the field
 * and what was expected (ValidationError).
 */
import { ValidationError } from "../../../src/errors/validation-error.ts";
import type { JsonValue } from "../../../src/protocol/messages.ts";
import type { InstanceStatus, TaskStatusCode } from "../../../src/store/task-store.ts";

const INSTANCE_STATUSES: readonly InstanceStatus[] = ["RUNNING", "SUCCESS", "FAILED"];

/** JSON text of `value` for a column; JSON null (and what JSON writes as null) is SQL NULL. */
export function toJson(field: string, value: unknown): string | null {
  if (value === null) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined; // cycles, bigint
  }
  if (typeof text !== "string") throw new ValidationError(field, "a JSON value", value);
  return text === "null" ? null : text;
}

/** The JSON value of a column. */
export function fromJson(text: string | null): JsonValue {
  return text === null ? null : JSON.parse(text) as JsonValue;
}

/** A seq or attempt: a safe integer >= 0. */
export function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A task status code, INIT 1 … FAILED 5. */
export function isStatus(value: unknown): value is TaskStatusCode {
  return value === 1 || value === 2 || value === 3 || value === 4 || value === 5;
}

/** A worker key or null. */
export function isWorker(value: unknown): value is string | null {
  return value === null || typeof value === "string";
}

/** Returns `value` when it is a seq <= `max`; else throws naming `field`. */
export function checkSeq(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (!isSeq(value) || value > max) {
    throw new ValidationError(field, max === Number.MAX_SAFE_INTEGER ? "an integer >= 0" : `an integer from 0 to ${max}`, value);
  }
  return value;
}

/** Returns `value` when it is a task status code; else throws naming `field`. */
export function checkStatus(field: string, value: unknown): TaskStatusCode {
  if (!isStatus(value)) throw new ValidationError(field, "a task status code from 1 to 5", value);
  return value;
}

/** Returns `value` when it is a worker key or null; else throws naming `field`. */
export function checkWorker(field: string, value: unknown): string | null {
  if (!isWorker(value)) throw new ValidationError(field, "a worker key or null", value);
  return value;
}

/** Returns `value` when it is a (non-empty, unless told) string; else throws naming `field`. */
export function checkString(field: string, value: unknown, nonEmpty = true): string {
  if (typeof value !== "string" || (nonEmpty && value.length === 0)) {
    throw new ValidationError(field, nonEmpty ? "a non-empty string" : "a string", value);
  }
  return value;
}

/** Returns `value` when it is a boolean; else throws naming `field`. */
export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new ValidationError(field, "a boolean", value);
  return value;
}

/** Returns `value` when it is an instance status; else throws naming `field`. */
export function checkInstanceStatus(field: string, value: unknown): InstanceStatus {
  if (!INSTANCE_STATUSES.includes(value as InstanceStatus)) {
    throw new ValidationError(field, `one of ${INSTANCE_STATUSES.join(", ")}`, value);
  }
  return value as InstanceStatus;
}
