import type { JsonValue } from "../../protocol/messages.ts";
import type { TaskError, TaskErrorSummary } from "../../store/task-store.ts";

/** Failures the instance record lists (B25). */
export const LISTED_FAILURES = 10;
/** Longest error message kept, in UTF-16 units (at most 4 KiB of UTF-8 once the store bounds it by bytes). */
const MESSAGE_CHARS = 4096;

/** The error of a failed run: the one the worker sent, else its result as text (a processor's ok: false). */
export function errorOf(error: TaskError | undefined, result: JsonValue | undefined): TaskError {
  if (error) return error;
  const message = typeof result === "string" ? result : result === undefined || result === null ? "failed" : JSON.stringify(result);
  return { message };
}

/**
 * The failures of one run of an instance, as its record shows them (B25):
 * the first ten tasks that failed for good, with their error's message.
 */
export class FailureLog {
  readonly #first: TaskErrorSummary[] = [];

  /** Records a task that failed for good (no run left). */
  add(s: TaskErrorSummary): void {
    if (this.#first.length >= LISTED_FAILURES) return;
    this.#first.push({ ...s, message: s.message.length > MESSAGE_CHARS ? s.message.slice(0, MESSAGE_CHARS) : s.message });
  }

  /** The first failures, oldest first. */
  get first(): readonly TaskErrorSummary[] { return this.#first; }
}
