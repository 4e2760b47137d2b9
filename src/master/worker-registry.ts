import type { LoadReport, Register, WorkerRef } from "../protocol/messages.ts";
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
}

/**
 * Registered workers. Each registration gives a new incarnation (B15) and a
 * secret (H13): a worker that comes back is a new incarnation, and messages
 * from the old one — or naming an incarnation without its secret — are
 * refused as unregistered.
 */
export class WorkerRegistry {
  readonly #byId = new Map<string, WorkerInfo>();
  /**
   * Each incarnation's secret, beside its info rather than in it: WorkerInfo is read by
   * progress views and logs, and a secret must never reach them (H13).
   */
  readonly #secrets = new WeakMap<WorkerInfo, string>();
  #nextIncarnation = 1;

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
    const incarnation = this.#nextIncarnation++;
    const info: WorkerInfo = {
      workerId: m.workerId, incarnation, key: `${m.workerId}#${incarnation}`, address: m.address,
      slots: m.slots, load: m.load, lastSeen: now, isMaster: m.workerId === this.masterWorkerId,
    };
    const secret = randomKey();
    this.#byId.set(m.workerId, info);
    this.#secrets.set(info, secret);
    return { info, secret, replaced };
  }

  /**
   * The current incarnation named by `ref`, or undefined: unregistered, stale, or
   * without its secret (H14: a wrong secret is answered as an unknown incarnation).
   */
  lookup(ref: WorkerRef): WorkerInfo | undefined {
    const w = this.#byId.get(ref.workerId);
    return w && w.incarnation === ref.incarnation && sameKey(ref.secret, this.#secrets.get(w)) ? w : undefined;
  }

  /** The current incarnation of a worker id. */
  current(workerId: string): WorkerInfo | undefined {
    return this.#byId.get(workerId);
  }

  /** Every current incarnation. */
  all(): WorkerInfo[] {
    return [...this.#byId.values()];
  }

  /** Forgets a worker (declared dead); it must register again. */
  remove(info: WorkerInfo): void {
    if (this.#byId.get(info.workerId) === info) this.#byId.delete(info.workerId);
  }
}
