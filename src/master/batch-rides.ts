/**
 * W4: start batches that ride on the reply to a worker's report instead of
 * a request of their own — one exchange per batch in push mode: the worker
 * reports its results, the reply carries its next tasks.
 *
 * A batch rides when a report of its worker is being answered at the moment
 * it leaves (the dispatch its reports set off); otherwise it goes as a start
 * request (a fresh worker, one with nothing to report). Each riding batch has
 * an id, increasing per worker incarnation. The worker names, in each later
 * report, the last id it received (`ack`) and those it refused (`nacks`). A
 * batch stands for its start request's reply until then: acknowledged, it is
 * accepted (or refused as the worker said); still unacknowledged, it rides on
 * the reply to every later report of the worker — the reply that carried it
 * may have been lost, and the worker retries its report — and the worker runs
 * a batch id once. Unacknowledged after `timeoutMs`, it is a start that got no
 * reply: its tasks fail over (B9).
 */
import type { InstanceSpec, NackCode, RidingBatch, TaskColumns } from "../protocol/messages.ts";
import { refuse, type StartReply } from "../protocol/replies.ts";
import { TransportError } from "../protocol/transport.ts";
import type { Clock, TimerId } from "../runtime/clock.ts";

/** One riding batch, until its worker acknowledges it or it times out. */
interface Ride {
  readonly batch: RidingBatch;
  readonly settle: (r: StartReply | TransportError) => void;
  timer: TimerId;
}

/** What rides with one worker incarnation. */
interface WorkerRides {
  /** Reports of the worker being answered now: while any is, batches ride. */
  open: number;
  /** Batches sent and not acknowledged, by id (in id order: ids only grow). */
  readonly unacked: Map<number, Ride>;
}

/** The batches riding on report replies, for every worker incarnation of one master. */
export class BatchRides {
  readonly #clock: Clock;
  readonly #byWorker = new Map<string, WorkerRides>();
  /** The id the next batch takes: one sequence for every worker, so ids to each only grow however often its state is dropped. */
  #next = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Batches waiting for their worker's acknowledgement, over every worker (tests, metrics). */
  get unacknowledged(): number {
    let n = 0;
    for (const r of this.#byWorker.values()) n += r.unacked.size;
    return n;
  }

  /**
   * Sends a start batch to worker `key` on the reply of the report being
   * answered, if one is: resolves as the start request's reply would — once
   * the worker acknowledged it — or rejects with a timeout after `timeoutMs`.
   * Null when no report of the worker is being answered: send a start request.
   */
  carry(key: string, instance: InstanceSpec, tasks: TaskColumns, timeoutMs: number): Promise<StartReply> | null {
    const w = this.#byWorker.get(key);
    if (w === undefined || w.open === 0) return null;
    const batch: RidingBatch = { id: this.#next++, instance, tasks };
    return new Promise<StartReply>((resolve, reject) => {
      const ride: Ride = {
        batch, timer: 0,
        settle: (r) => {
          this.#clock.clearTimeout(ride.timer);
          w.unacked.delete(batch.id);
          this.#forget(key, w);
          if (r instanceof TransportError) reject(r); else resolve(r);
        },
      };
      ride.timer = this.#clock.setTimeout(() => ride.settle(new TransportError("timeout", key, `batch ${batch.id} not acknowledged within ${timeoutMs} ms`)), timeoutMs);
      w.unacked.set(batch.id, ride);
    });
  }

  /**
   * A report of worker `key` arrived: settles the batches it acknowledges
   * (every id up to `ack`; those in `nacks` refused with the worker's reason),
   * and opens the ride for its reply. Call `close` when the reply leaves.
   */
  open(key: string, ack: number, nacks: ReadonlyArray<readonly [number, NackCode, string]> = []): void {
    let w = this.#byWorker.get(key);
    if (w === undefined) {
      w = { open: 0, unacked: new Map() };
      this.#byWorker.set(key, w);
    }
    w.open++;
    if (w.unacked.size === 0) return;
    const refused = new Map<number, [NackCode, string]>();
    for (const [id, code, error] of nacks) refused.set(id, [code, error]);
    for (const [id, ride] of [...w.unacked]) {
      if (id > ack) break;
      const no = refused.get(id);
      ride.settle(no === undefined ? { ok: true, accepted: ride.batch.tasks.handles.length } : refuse(no[0], no[1]));
    }
  }

  /** The report's reply leaves: the batches it carries — every one the worker has not acknowledged, oldest first. */
  close(key: string): RidingBatch[] {
    const w = this.#byWorker.get(key);
    if (w === undefined) return [];
    w.open--;
    const out: RidingBatch[] = [];
    for (const ride of w.unacked.values()) out.push(ride.batch);
    this.#forget(key, w);
    return out;
  }

  /** Drops a worker incarnation's state once nothing rides with it (X4: memory follows the batches in flight). */
  #forget(key: string, w: WorkerRides): void {
    if (w.open === 0 && w.unacked.size === 0 && this.#byWorker.get(key) === w) this.#byWorker.delete(key);
  }
}
