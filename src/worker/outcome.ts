import type { JsonValue } from "../protocol/messages.ts";
import type { ProcessResult } from "../processor/types.ts";
import type { TaskError } from "../store/task-store.ts";
import { errorMessage } from "../errors/error-message.ts";

/** What a task's run (or a reduce) ended with. */
export interface Outcome {
  status: "SUCCESS" | "FAILED";
  result: JsonValue;
  /** Why a run failed, when it threw or was cut short (B25). */
  error?: TaskError;
  /** How long the run took on its worker, ms (a run that started; A5). */
  runMs?: number;
}

/** Longest message and stack a worker sends, in UTF-16 units (the store keeps at most 4 and 16 KiB of UTF-8). */
const MESSAGE_CHARS = 4096, STACK_CHARS = 16_384;

/** The error of a run that threw `e`: its message and stack, cut to what the master keeps. */
export function thrown(e: unknown): TaskError {
  const error: TaskError = { message: errorMessage(e).slice(0, MESSAGE_CHARS) };
  if (e instanceof Error && typeof e.stack === "string") error.stack = e.stack.slice(0, STACK_CHARS);
  return error;
}

/**
 * Checks what `process` or `reduce` (named by `what`) returned — `{ ok,
 * result? }` — and that the result is JSON of at most `maxResultBytes`
 * bytes; what fails either check fails the task with the reason (B11).
 */
export function toOutcome(r: unknown, what: string, maxResultBytes: number): Outcome {
  if (typeof r !== "object" || r === null || typeof (r as ProcessResult).ok !== "boolean") {
    return { status: "FAILED", result: `${what} must return { ok: boolean, result? }, got ${r === null ? "null" : typeof r}` };
  }
  const { ok, result } = r as ProcessResult;
  // Numbers, booleans, null and short strings are JSON as they are: no copy, no measuring.
  const t = typeof result;
  if (result === undefined || result === null || t === "boolean" || (t === "number" && Number.isFinite(result))
    || (t === "string" && (result as string).length * 3 <= maxResultBytes)) {
    return { status: ok ? "SUCCESS" : "FAILED", result: result === undefined ? null : result as JsonValue };
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (e) {
    return { status: "FAILED", result: `result is not JSON: ${errorMessage(e)}` };
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only long results need encoding to measure.
  const text = json ?? "null";
  const bytes = text.length * 3 <= maxResultBytes ? 0 : new TextEncoder().encode(text).length;
  if (bytes > maxResultBytes) {
    return { status: "FAILED", result: `result too large: ${bytes} bytes, limit ${maxResultBytes}` };
  }
  return { status: ok ? "SUCCESS" : "FAILED", result: JSON.parse(text) as JsonValue };
}
