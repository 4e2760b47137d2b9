import { ValidationError } from "../errors/validation-error.ts";

/** A job names a processor the master has not loaded (B19). */
export class UnknownProcessorError extends ValidationError {
  constructor(readonly processor: string, readonly loaded: readonly string[]) {
    super("processor", `a loaded processor (${loaded.length ? loaded.join(", ") : "none loaded"})`, processor);
  }
}

/**
 * H7: the master already runs its cap of instances (`maxRunningInstances`,
 * `--max-instances`); the HTTP API answers 429 with Retry-After. Nothing was created.
 */
export class TooManyInstancesError extends Error {
  override readonly name = "TooManyInstancesError";
  /** When a client may try again: a guess, as no one knows when an instance ends. */
  readonly retryAfterMs = 5000;
  constructor(readonly max: number) {
    super(`maxRunningInstances: Expected fewer than ${max} instances running on this master (its cap, --max-instances), got ${max}; submit again once one ends`);
  }
}

/**
 * A1: a submit names an `instanceId` that exists with a different
 * processor, params or settings (`field`); HTTP answers 409. Nothing was created.
 */
export class SubmitConflictError extends Error {
  override readonly name = "SubmitConflictError";
  constructor(readonly instanceId: string, readonly field: "processor" | "params" | "settings") {
    super(`instanceId: instance ${instanceId} exists with a different ${field}; an instanceId is a create-once key — submit the same processor, params and settings to get it back, or choose another id`);
  }
}
