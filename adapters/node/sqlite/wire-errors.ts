/**
 * Errors across a thread boundary. Structured clone keeps an Error's message
 * but not its class or fields, and callers tell store errors apart by class
 * (`instanceof FencedError`): so an error travels as its name, message and
 * own fields, and comes back as an instance of the same class.
 */
import { DuplicateInstanceError, FencedError, LeaseHeldError, UnknownInstanceError } from "../../../src/store/errors.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import { SqliteOpenError } from "./sqlite-open-error.ts";

/** An error as it crosses to another thread. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own enumerable fields (instanceId, token, field, …). */
  fields: Record<string, unknown>;
}

/** The classes a store throws on purpose, by `name`. */
const CLASSES: Record<string, { prototype: Error }> = {
  FencedError, UnknownInstanceError, DuplicateInstanceError, LeaseHeldError, ValidationError, SqliteOpenError,
};

/** Flattens an error (or anything thrown) for postMessage. */
export function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: "Error", message: String(e), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k !== "name" && k !== "message" && k !== "stack" && k !== "cause") fields[k] = v;
  }
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

/** Rebuilds an error of the class it was thrown as (plain Error for other classes, keeping the name). */
export function fromWire(w: WireError): Error {
  const cls = CLASSES[w.name];
  const e = Object.create(cls ? cls.prototype : Error.prototype) as Error;
  Object.defineProperty(e, "message", { value: w.message, writable: true, configurable: true });
  // The classes set `name` as an own field in their constructors, which Object.create skips.
  Object.defineProperty(e, "name", { value: w.name, writable: true, enumerable: true, configurable: true });
  Object.assign(e, w.fields);
  if (w.stack !== undefined) Object.defineProperty(e, "stack", { value: w.stack, writable: true, configurable: true });
  return e;
}
