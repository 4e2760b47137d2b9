import { ValidationError } from "../errors/validation-error.ts";

/** A job names a processor the master has not loaded (B19). */
export class UnknownProcessorError extends ValidationError {
  constructor(readonly processor: string, readonly loaded: readonly string[]) {
    super("processor", `a loaded processor (${loaded.length ? loaded.join(", ") : "none loaded"})`, processor);
  }
}
