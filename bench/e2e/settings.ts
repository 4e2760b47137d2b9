// Job settings of the e2e measurements, chosen for throughput of no-op tasks
// on 2 cores, and recorded in every row. Defaults are in src/master/settings.ts.
import type { JsonValue } from "../../src/protocol/messages.ts";

/** Dispatch modes the suite measures. */
export type DispatchMode = "push" | "pull";

/** Settings of one job, as submitted (and recorded in the results). */
export type Settings = Record<string, JsonValue>;

/**
 * Throughput settings per mode. Sub-tasks run only on the worker processes
 * (execOnMaster false: the master's own worker runs ROOT and reduce, as the
 * peers' producers do); pages of 1,000 so one HTTP exchange and one SQL
 * statement carry many tasks; 2 push batches in flight per worker; a queue of
 * 20,000 handles so map runs ahead of dispatch without the master holding a
 * whole 1M job's handles (100,000 and 8 dispatchers measured the same tasks/s
 * here, with ~12 MB more master RSS); consumerSize high enough that a no-op
 * task never waits for a slot.
 */
export function throughputSettings(mode: DispatchMode): Settings {
  return mode === "push"
    ? { dispatchMode: "push", pageSize: 1000, queueSize: 20_000, dispatchers: 4, consumerSize: 4000, execOnMaster: false }
    : { dispatchMode: "pull", pageSize: 1000, queueSize: 20_000, consumerSize: 4000, globalConsumerSize: 16_000, execOnMaster: false };
}

/**
 * Latency probe settings: push, defaults otherwise (pageSize 100, 5
 * dispatchers), execOnMaster false so every child crosses HTTP to a worker.
 */
export const PROBE_SETTINGS: Settings = { dispatchMode: "push", execOnMaster: false };

/**
 * dispatchSpeed settings: what a user would write — the speed, dispatch
 * settings left at their defaults (pageSize 100, 5 dispatchers) — with
 * sub-tasks on the workers only and room for them there. The limiter grants
 * at most its burst (100 ms of tokens) at once, so the dispatched count moves
 * in steps of at most that: ±1 % of a 10 s window at worst.
 */
export function speedSettings(speed: string): Settings {
  return { dispatchMode: "push", dispatchSpeed: speed, consumerSize: 1000, execOnMaster: false };
}
