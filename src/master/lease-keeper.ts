/**
 * Keeps a shared master's leases (X3, several masters on one store): renews
 * the leases of the instances it runs on an interval, gives up those another
 * master took, and takes over the RUNNING instances whose lease ran out —
 * their owner died, paused, or lost the store.
 *
 * The clock decides only *when* another master may take an instance; the
 * fencing token decides who may write. So a paused master that wakes up with
 * a stale idea of its lease cannot do harm: its first write is refused.
 */
import type { Clock, TimerId } from "../runtime/clock.ts";
import { LeaseHeldError, UnknownInstanceError } from "../store/errors.ts";
import type { Fence, InstanceRecord, LeaseTerms, TaskStore } from "../store/task-store.ts";
import type { LeaseSettings } from "./lease-settings.ts";
import { errorMessage } from "../errors/error-message.ts";

/** What the keeper needs from its master. */
export interface LeaseKeeperHost {
  readonly store: TaskStore;
  readonly clock: Clock;
  /** The owner name in the store. */
  readonly masterId: string;
  /** The fences of the instances this master runs now. */
  held(): Fence[];
  /** Whether the instance runs on this master. */
  runs(instanceId: string): boolean;
  /** Whether this master can run it (its processor is loaded here); others are left to masters that can. */
  canRun(record: InstanceRecord): boolean;
  /** These instances are another master's now (or may be): stop them without writing. */
  lost(fences: readonly Fence[], reason: string): void;
  /** Runs an instance this master just acquired: counters from the store, workers' tasks failed over. */
  adopt(record: InstanceRecord, fence: Fence): Promise<void>;
}

/** Renews a master's leases and takes over expired ones, each on its own interval. */
export class LeaseKeeper {
  readonly settings: LeaseSettings;
  readonly #host: LeaseKeeperHost;
  #renewTimer: TimerId | undefined;
  #scanTimer: TimerId | undefined;
  /** When the leases last renewed run out: past it, this master may no longer count on any of them. */
  #heldUntil = 0;
  #scanning: Promise<string[]> | null = null;
  #stopped = true;

  constructor(host: LeaseKeeperHost, settings: LeaseSettings) {
    this.#host = host;
    this.settings = settings;
  }

  /** Lease terms asked for now. */
  terms(leaseMs = this.settings.leaseMs): LeaseTerms {
    return { now: this.#host.clock.now(), leaseMs };
  }

  /** Starts renewing and scanning (the first scan runs at once). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#heldUntil = this.#host.clock.now() + this.settings.leaseMs;
    this.#scheduleRenew();
    this.#scheduleScan(0);
  }

  /** Stops both intervals; a renewal or scan in flight finishes. */
  stop(): void {
    this.#stopped = true;
    if (this.#renewTimer !== undefined) this.#host.clock.clearTimeout(this.#renewTimer);
    if (this.#scanTimer !== undefined) this.#host.clock.clearTimeout(this.#scanTimer);
    this.#renewTimer = this.#scanTimer = undefined;
  }

  /**
   * Renews every lease held. One the store did not renew was taken by
   * another master: its instance stops here. When renewals keep failing
   * (the store is unreachable) until the last renewed lease has run out,
   * every instance stops: another master may run them by now.
   */
  async renew(): Promise<void> {
    const fences = this.#host.held();
    const terms = this.terms();
    if (fences.length === 0) {
      this.#heldUntil = terms.now + terms.leaseMs;
      return;
    }
    let renewed: string[];
    try {
      renewed = await this.#host.store.renewLeases(this.#host.masterId, fences, terms);
    } catch (e) {
      if (this.#host.clock.now() >= this.#heldUntil) {
        this.#host.lost(this.#host.held(), `could not renew leases for ${this.settings.leaseMs} ms: ${errorMessage(e)}`);
      }
      return;
    }
    this.#heldUntil = terms.now + terms.leaseMs;
    const kept = new Set(renewed);
    const gone = fences.filter((f) => !kept.has(f.instanceId));
    if (gone.length > 0) this.#host.lost(gone, "lease lost: another master holds the instance now");
  }

  /**
   * Takes over the RUNNING instances whose lease ran out (or that hold
   * none), one after another; returns the ids taken. Another master may win
   * an instance first: the store refuses the second acquisition, and it is
   * skipped. Scans never overlap.
   */
  scan(): Promise<string[]> {
    this.#scanning ??= this.#scan().finally(() => { this.#scanning = null; });
    return this.#scanning;
  }

  async #scan(): Promise<string[]> {
    const taken: string[] = [];
    const expired = await this.#host.store.expiredInstances(this.#host.clock.now());
    for (const rec of expired) {
      if (this.#stopped) break;
      if (this.#host.runs(rec.instanceId)) continue; // ours, renewal running late: the next renewal settles it
      if (!this.#host.canRun(rec)) continue;
      const fence = await this.acquire(rec.instanceId);
      if (fence === null) continue;
      taken.push(rec.instanceId);
      await this.#host.adopt(rec, fence);
    }
    return taken;
  }

  /** Acquires an instance under a fresh lease; null when another master holds it (or it is gone). */
  async acquire(instanceId: string): Promise<Fence | null> {
    try {
      return await this.#host.store.acquireInstance(instanceId, this.#host.masterId, this.terms());
    } catch (e) {
      if (e instanceof LeaseHeldError || e instanceof UnknownInstanceError) return null;
      throw e;
    }
  }

  #scheduleRenew(): void {
    if (this.#stopped) return;
    this.#renewTimer = this.#host.clock.setTimeout(() => {
      this.#renewTimer = undefined;
      void this.renew().finally(() => this.#scheduleRenew());
    }, this.settings.renewMs);
  }

  #scheduleScan(ms: number): void {
    if (this.#stopped) return;
    this.#scanTimer = this.#host.clock.setTimeout(() => {
      this.#scanTimer = undefined;
      // A failed scan (the store is down) is simply tried again on the next tick.
      void this.scan().catch(() => undefined).finally(() => this.#scheduleScan(this.settings.takeoverMs));
    }, ms);
  }
}
