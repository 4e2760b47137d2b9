import { FencedError } from "../../store/errors.ts";

/** Tries of an instance-record write before it counts as failed for good (as task writes, B11). */
const ATTEMPTS = 3;

/**
 * Runs a store write outside the task write chain (the instance record at
 * the end of a cycle, X2) up to three times; a FencedError is not retried
 * (another master owns the instance). Rejects with the last error.
 */
export async function retryWrite<T>(write: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < ATTEMPTS; i++) {
    try {
      return await write();
    } catch (e) {
      if (e instanceof FencedError) throw e;
      last = e;
    }
  }
  throw last;
}
