/**
 * An instance's lifecycle as one explicit mode, changed in one place
 * (`nextMode`), instead of flags tested in many guards.
 *
 * - `starting`: a cycle is being set up (ROOT stored, or the store read back
 *   after a restart); workers join its table, nothing is dispatched yet.
 * - `running`: tasks are mapped, dispatched and reported.
 * - `finishing`: the outcome is being decided (reduce, final writes); no new
 *   work is taken, dispatched or mapped.
 * - `between-cycles`: a recurring job (B20) waits for its next cycle.
 * - `closed`: terminal for this object — the run ended, the master closed,
 *   or another master took the instance over. A later run (a rerun of a
 *   finished instance) is a new object.
 */
export type InstanceMode = "starting" | "running" | "finishing" | "between-cycles" | "closed";

/** The moves each mode allows. */
const NEXT: Readonly<Record<InstanceMode, readonly InstanceMode[]>> = {
  "starting": ["running", "finishing", "closed"],
  "running": ["finishing", "closed"],
  "finishing": ["between-cycles", "closed"],
  "between-cycles": ["starting", "closed"],
  "closed": [],
};

/** Returns `to` when `from` may move there; throws otherwise (a bug, never a user's input). */
export function nextMode(from: InstanceMode, to: InstanceMode): InstanceMode {
  if (!NEXT[from].includes(to)) throw new Error(`instance mode cannot move from ${from} to ${to}`);
  return to;
}

/** Whether an instance in `mode` takes new work: maps, pulls, dispatch rounds, liveness checks. */
export function takesWork(mode: InstanceMode): boolean {
  switch (mode) {
    case "running": return true;
    case "starting":
    case "finishing":
    case "between-cycles":
    case "closed": return false;
    default: return unreachable(mode);
  }
}

/** Whether an instance in `mode` has a cycle whose worker table and tasks are live. */
export function hasLiveCycle(mode: InstanceMode): boolean {
  switch (mode) {
    case "starting":
    case "running":
    case "finishing": return true;
    case "between-cycles":
    case "closed": return false;
    default: return unreachable(mode);
  }
}

function unreachable(mode: never): never {
  throw new Error(`unknown instance mode ${String(mode)}`);
}
