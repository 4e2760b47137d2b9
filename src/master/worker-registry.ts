import type { HeldTask, LoadReport, Register, WorkerRef } from "../protocol/messages.ts";
import { randomKey, sameKey } from "../runtime/random-key.ts";

/** What the master knows of one registered worker incarnation. */
export interface WorkerInfo {
  workerId: string;
  incarnation: number;
  /** `workerId#incarnation`: the worker as tasks in the store name it. */
  key: string;
  address: string;
  slots: number;
  load: LoadReport;
  /** Last time (clock ms) the worker was heard from. */
  lastSeen: number;
  /** The master's own in-process worker. */
  isMaster: boolean;
  /**
   * B28: the tasks the worker said it still holds when it registered, by
   * instance id then task id → attempt; a resumed instance takes its entry
   * (and deletes it) when it adopts them.
   */
  held?: Map<string, Map<string, number>>;
  /**
   * B36: its registration listed what it held (a worker registering again does, even when it
   * holds nothing): an instance it lists nothing for has nothing of its to adopt. A first
   * registration lists nothing, so a worker that joined before a takeover may still hand
   * tasks over later, in a heartbeat.
   */
  listed?: boolean;
}

/** How a message's incarnation stands: current, superseded by this master (B30), or unknown (B15). */
export type Standing = { kind: "current"; info: WorkerInfo } | { kind: "superseded" } | { kind: "unknown" };

/** Superseded incarnations remembered per worker id: enough to answer a paused worker's next messages. */
const SUPERSEDED_KEPT = 8;
/** Worker ids whose superseded incarnations are remembered (memory stays bounded). */
const SUPERSEDED_IDS = 10_000;

/**
 * Registered workers. Each registration gives a new incarnation (B15) and a
 * secret (H13): a worker that comes back is a new incarnation. Messages from
 * an incarnation this master replaced or declared dead are answered
 * `superseded` (B30); from one it never gave (a master restarted since), or
 * naming an incarnation without its secret (H14), `unregistered`.
 */
export class WorkerRegistry {
  readonly #byId = new Map<string, WorkerInfo>();
  /**
   * Each incarnation's secret, beside its info rather than in it: WorkerInfo is read by
   * progress views and logs, and a secret must never reach them (H13).
   */
  readonly #secrets = new WeakMap<WorkerInfo, string>();
  /** workerId → its last superseded incarnations, with their secrets (H14 holds for them too). */
  readonly #superseded = new Map<string, { incarnation: number; secret: string }[]>();
  /**
   * Incarnation numbers start at a random point, not at 1: worker keys
   * (`workerId#incarnation`) name tasks' holders in a store that several
   * masters, and a master's restarts, share — a key one master gave must not
   * be one another gives too, or a resume would take a live worker's tasks
   * for the old master's (B28).
   */
  #nextIncarnation = firstIncarnation();

  /**
   * @param masterWorkerId the master's own worker's id, or null
   * @param ownKey the key the master handed its own worker: registering under its id takes it (H17)
   */
  constructor(private readonly masterWorkerId: string | null, private readonly ownKey: string | null = null) {}

  /**
   * H17: whether `m` may register. Under the master's own worker id only the in-process
   * own worker may (it carries the key the master handed it); any other id may.
   */
  admits(m: Register): boolean {
    if (m.workerId !== this.masterWorkerId) return true;
    return this.ownKey !== null && sameKey(m.ownKey, this.ownKey);
  }

  /** Records a registration; returns the new incarnation's info, its secret, and the one it replaces, if any. */
  register(m: Register, now: number): { info: WorkerInfo; secret: string; replaced: WorkerInfo | undefined } {
    const replaced = this.#byId.get(m.workerId);
    if (replaced) this.#supersede(replaced);
    const incarnation = this.#nextIncarnation++;
    const info: WorkerInfo = {
      workerId: m.workerId, incarnation, key: `${m.workerId}#${incarnation}`, address: m.address,
      slots: m.slots, load: m.load, lastSeen: now, isMaster: m.workerId === this.masterWorkerId,
    };
    const secret = randomKey();
    if (m.held !== undefined) info.listed = true;
    if (m.held !== undefined && m.held.length > 0) info.held = heldByInstance(m.held);
    this.#byId.set(m.workerId, info);
    this.#secrets.set(info, secret);
    return { info, secret, replaced };
  }

  /**
   * The current incarnation named by `ref`, or undefined: unregistered, stale, superseded, or
   * without its secret (H14: a wrong secret is answered as an unknown incarnation).
   */
  lookup(ref: WorkerRef): WorkerInfo | undefined {
    const w = this.#byId.get(ref.workerId);
    return w && w.incarnation === ref.incarnation && sameKey(ref.secret, this.#secrets.get(w)) ? w : undefined;
  }

  /** How the incarnation `ref` names stands with this master. */
  standing(ref: WorkerRef): Standing {
    const info = this.lookup(ref);
    if (info) return { kind: "current", info };
    // Only with its secret: a guesser learns no more of superseded incarnations than of current ones (H14).
    const old = this.#superseded.get(ref.workerId)?.find((o) => o.incarnation === ref.incarnation);
    return old && sameKey(ref.secret, old.secret) ? { kind: "superseded" } : { kind: "unknown" };
  }

  /** The current incarnation of a worker id. */
  current(workerId: string): WorkerInfo | undefined {
    return this.#byId.get(workerId);
  }

  /** Every current incarnation. */
  all(): WorkerInfo[] {
    return [...this.#byId.values()];
  }

  /** Forgets a worker (declared dead); it must register again, and its messages meanwhile are superseded (B30). */
  remove(info: WorkerInfo): void {
    if (this.#byId.get(info.workerId) !== info) return;
    this.#byId.delete(info.workerId);
    this.#supersede(info);
  }

  #supersede(info: WorkerInfo): void {
    const list = this.#superseded.get(info.workerId) ?? [];
    if (list.length === 0 && this.#superseded.size >= SUPERSEDED_IDS) this.#superseded.delete(this.#superseded.keys().next().value!);
    list.push({ incarnation: info.incarnation, secret: this.#secrets.get(info) ?? "" });
    if (list.length > SUPERSEDED_KEPT) list.shift();
    this.#superseded.set(info.workerId, list);
  }
}

/**
 * A held list by instance, then task id → attempt, added to `out` (an instance listed
 * replaces what `out` had for it).
 */
export function heldByInstance(held: readonly HeldTask[], out = new Map<string, Map<string, number>>()): Map<string, Map<string, number>> {
  const seen = new Set<string>();
  for (const t of held) if (!seen.has(t.instanceId)) { seen.add(t.instanceId); out.delete(t.instanceId); }
  for (const t of held) {
    let m = out.get(t.instanceId);
    if (!m) out.set(t.instanceId, m = new Map());
    m.set(t.taskId, t.attempt);
  }
  return out;
}

/** A random first incarnation number, below 2^40: far from any other master's, safe as a JSON number. */
function firstIncarnation(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2)) as unknown as [number, number];
  return (hi & 0xff) * 2 ** 32 + lo + 1;
}
