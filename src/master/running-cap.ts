/**
 * The master-wide cap on running instances (H7). Each costs memory (its core,
 * its queue, its listeners) whatever it does, so a master refuses to start
 * more than the cap at the user's request. Instances it resumes or takes over
 * are never refused — refusing would leave them RUNNING with no one running
 * them — but they count, so new submits wait for them too.
 */
import { expectInt } from "../errors/validate.ts";
import { TooManyInstancesError } from "./errors.ts";

/** Counts running instances plus those being started, against a cap. */
export class RunningCap {
  /** The cap. */
  readonly max: number;
  /** Starts admitted whose instance is not yet in the running count (their store write is under way). */
  #starting = 0;

  /** @param max instances at most; validated as `maxRunningInstances`. */
  constructor(max: number) {
    this.max = expectInt("maxRunningInstances", max, 1);
  }

  /**
   * Admits one more start beside the `running` ones, or throws
   * TooManyInstancesError. Call the returned function once the instance
   * runs (or failed to start): it is then counted by `running` instead.
   */
  admit(running: number): () => void {
    if (running + this.#starting >= this.max) throw new TooManyInstancesError(this.max);
    this.#starting++;
    let done = false;
    return () => {
      if (!done) { done = true; this.#starting--; }
    };
  }
}
