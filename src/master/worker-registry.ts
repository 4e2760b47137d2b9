import type { LoadReport, Register, WorkerRef } from "../protocol/messages.ts";

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
 * Registered workers. Each registration gives a new incarnation (B15): a
 * worker that comes back is a new incarnation, and messages from the old one
 * are refused as unregistered.
 */
export class WorkerRegistry {
  readonly #byId = new Map<string, WorkerInfo>();
  #nextIncarnation = 1;

  constructor(private readonly masterWorkerId: string | null) {}

  /** Records a registration; returns the new incarnation's info and the one it replaces, if any. */
  register(m: Register, now: number): { info: WorkerInfo; replaced: WorkerInfo | undefined } {
    const replaced = this.#byId.get(m.workerId);
    const incarnation = this.#nextIncarnation++;
    const info: WorkerInfo = {
      workerId: m.workerId, incarnation, key: `${m.workerId}#${incarnation}`, address: m.address,
      slots: m.slots, load: m.load, lastSeen: now, isMaster: m.workerId === this.masterWorkerId,
    };
    this.#byId.set(m.workerId, info);
    return { info, replaced };
  }

  /** The current incarnation named by `ref`, or undefined (unregistered or stale). */
  lookup(ref: WorkerRef): WorkerInfo | undefined {
    const w = this.#byId.get(ref.workerId);
    return w && w.incarnation === ref.incarnation ? w : undefined;
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
