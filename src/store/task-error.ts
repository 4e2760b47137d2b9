/**
 * The bounds every TaskStore backend puts on stored failures, in one place:
 * a task's error (message 4 KiB, stack 16 KiB) and an instance's list of
 * failed tasks (10 entries, messages 4 KiB). A worker's error text is
 * unbounded (a stack of a deep recursion, a message quoting a whole input);
 * the store keeps rows and records small whatever it gets.
 *
 * Lengths are UTF-8 bytes, counted exactly: a string is cut at the last whole
 * code point that fits, never inside a surrogate pair, so its UTF-8 encoding
 * is at most the bound. Before that, a NUL character or a lone surrogate
 * becomes U+FFFD: PostgreSQL text holds neither and the SQL stores write
 * UTF-8, so every backend stores the same text.
 */
import { expectInt } from "../errors/validate.ts";
import { ValidationError } from "../errors/validation-error.ts";
import type { TaskError, TaskErrorSummary } from "./task-store.ts";

/** Most UTF-8 bytes of a stored error message. */
export const MAX_ERROR_MESSAGE_BYTES = 4096;
/** Most UTF-8 bytes of a stored stack. */
export const MAX_ERROR_STACK_BYTES = 16_384;
/** Most failed tasks an instance record lists. */
export const MAX_INSTANCE_ERRORS = 10;

/** What `wellFormed` replaces: NUL and surrogates (paired ones are kept). */
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** `s` with each NUL and each lone surrogate replaced by U+FFFD. */
export function wellFormed(s: string): string {
  if (!SUSPECT.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    out += c === 0 || (c >= 0xd800 && c <= 0xdfff) ? "\ufffd" : s[i]!;
  }
  return out;
}

/** The longest prefix of `s` whose UTF-8 encoding takes at most `maxBytes` bytes. */
export function boundUtf8(s: string, maxBytes: number): string {
  // A UTF-16 unit never takes more than 3 bytes (a pair of them, 4): short text is never walked.
  if (s.length * 3 <= maxBytes) return s;
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let n = 3;
    let units = 1;
    if (c < 0x80) n = 1;
    else if (c < 0x800) n = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n = 4;
        units = 2;
      }
    }
    if (bytes + n > maxBytes) return s.slice(0, i);
    bytes += n;
    i += units - 1;
  }
  return s;
}

/** The text a store keeps of `s`: well formed, then cut to `maxBytes` of UTF-8. */
export function boundText(s: string, maxBytes: number): string {
  return boundUtf8(wellFormed(s), maxBytes);
}

/** `e` as a store keeps it: message and stack well formed and cut to their bounds, no other field. */
export function boundTaskError(e: TaskError): TaskError {
  const message = boundText(e.message, MAX_ERROR_MESSAGE_BYTES);
  return e.stack === undefined ? { message } : { message, stack: boundText(e.stack, MAX_ERROR_STACK_BYTES) };
}

/** Returns `value` bounded when it is a TaskError ({ message, stack? } strings) or null; else throws naming `field`. */
export function checkTaskError(field: string, value: unknown): TaskError | null {
  if (value === null) return null;
  const e = value as Partial<TaskError> | undefined;
  if (typeof e !== "object" || e === null || Array.isArray(e)) throw new ValidationError(field, "an object { message, stack? } or null", value);
  if (typeof e.message !== "string") throw new ValidationError(`${field}.message`, "a string", e.message);
  if (e.stack !== undefined && typeof e.stack !== "string") throw new ValidationError(`${field}.stack`, "a string or absent", e.stack);
  return boundTaskError(e as TaskError);
}

/**
 * Returns the summaries of `value` as the record keeps them: the first
 * MAX_INSTANCE_ERRORS (the rest dropped), messages bounded; throws naming
 * `field` (and the entry) when it is not an array of summaries.
 */
export function checkErrorSummaries(field: string, value: unknown): TaskErrorSummary[] {
  if (!Array.isArray(value)) throw new ValidationError(field, "an array of { taskId, name, attempt, worker, message }", value);
  const out: TaskErrorSummary[] = [];
  for (let i = 0; i < value.length; i++) {
    const s = value[i] as Partial<TaskErrorSummary> | undefined;
    const at = `${field}[${i}]`;
    if (typeof s !== "object" || s === null) throw new ValidationError(at, "an object { taskId, name, attempt, worker, message }", s);
    if (typeof s.taskId !== "string") throw new ValidationError(`${at}.taskId`, "a string", s.taskId);
    if (typeof s.name !== "string") throw new ValidationError(`${at}.name`, "a string", s.name);
    expectInt(`${at}.attempt`, s.attempt, 0);
    if (s.worker !== null && typeof s.worker !== "string") throw new ValidationError(`${at}.worker`, "a worker key or null", s.worker);
    if (typeof s.message !== "string") throw new ValidationError(`${at}.message`, "a string", s.message);
    if (out.length < MAX_INSTANCE_ERRORS) {
      out.push({ taskId: s.taskId, name: s.name, attempt: s.attempt!, worker: s.worker, message: boundText(s.message, MAX_ERROR_MESSAGE_BYTES) });
    }
  }
  return out;
}
