/**
 * Argument checks of the PostgreSQL store: the same refusals, with the same
 * messages, as the reference MemoryStore, made before any statement runs so a
 * refused call changes nothing.
 */
import { expectInt } from "../../../src/errors/validate.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import type { InstanceStatus, TaskStatusCode } from "../../../src/store/task-store.ts";

/** Largest attempt the `integer` column holds. */
export const MAX_ATTEMPT = 2_147_483_647;
const INSTANCE_STATUSES: readonly InstanceStatus[] = ["RUNNING", "SUCCESS", "FAILED"];

/** JSON text of `value`; refuses what JSON cannot carry (undefined, cycles, bigint). */
export function encodeJson(field: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (typeof text !== "string") throw new ValidationError(field, "a JSON value", value);
  return text;
}

export function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export function checkSeq(field: string, value: unknown): number {
  if (!isSeq(value)) throw new ValidationError(field, "an integer >= 0", value);
  return value;
}

export function isStatus(value: unknown): value is TaskStatusCode {
  return value === 1 || value === 2 || value === 3 || value === 4 || value === 5;
}

export function checkStatus(field: string, value: unknown): TaskStatusCode {
  if (!isStatus(value)) throw new ValidationError(field, "a task status code from 1 to 5", value);
  return value;
}

export function checkAttempt(field: string, value: unknown): number {
  return expectInt(field, value, 0, MAX_ATTEMPT);
}

export function checkWorker(field: string, value: unknown): string | null {
  if (value !== null && typeof value !== "string") throw new ValidationError(field, "a worker key or null", value);
  return value;
}

export function expectString(field: string, value: unknown, nonEmpty = true): string {
  if (typeof value !== "string" || (nonEmpty && value.length === 0)) {
    throw new ValidationError(field, nonEmpty ? "a non-empty string" : "a string", value);
  }
  return value;
}

export function checkInstanceStatus(field: string, value: unknown): InstanceStatus {
  if (!INSTANCE_STATUSES.includes(value as InstanceStatus)) {
    throw new ValidationError(field, `one of ${INSTANCE_STATUSES.join(", ")}`, value);
  }
  return value as InstanceStatus;
}

export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new ValidationError(field, "a boolean", value);
  return value;
}
