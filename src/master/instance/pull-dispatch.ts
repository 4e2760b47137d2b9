import { N_PULLED, N_RUNNING } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import type { InstanceSpec } from "../../protocol/messages.ts";
import { refuse, type PullReply, type Refusal } from "../../protocol/replies.ts";
import { noTasks } from "../../protocol/columns.ts";
import type { Transport } from "../../protocol/transport.ts";
import type { Clock, TimerId } from "../../runtime/clock.ts";
import type { BatchSender } from "./batch-sender.ts";
import { sumOverNames } from "./counts.ts";
import type { DispatchQueue } from "./dispatch-queue.ts";
import type { TaskNames } from "./task-names.ts";
import type { WorkerTable } from "./worker-table.ts";
import type { WorkerWait } from "./worker-wait.ts";
import type { TaskWrites } from "./task-writes.ts";
import { errorMessage } from "../../errors/error-message.ts";

/** What pull dispatch reads of the job's settings. */
export interface PullSettings {
  readonly pageSize: number;
  readonly globalConsumerSize: number;
  readonly pullWaitMs: number;
  readonly execOnMaster: boolean;
}

/** What pull dispatch needs of its cycle. */
export interface PullDispatchHost {
  readonly core: Core;
  readonly clock: Clock;
  readonly transport: Transport;
  readonly address: string;
  /** The master's credential, carried by every pull notice (H16). */
  readonly credential: string;
  readonly requestTimeoutMs: number;
  readonly settings: PullSettings;
  readonly names: TaskNames;
  readonly queue: DispatchQueue;
  readonly workers: WorkerTable;
  readonly sender: BatchSender;
  readonly workerWait: WorkerWait;
  readonly writes: TaskWrites;
  /** B36: answer a pull only once its dispatch record is stored (a shared master). */
  readonly recordFirst: boolean;
  spec(): InstanceSpec;
  /** Whether the instance takes work now (not finishing or closed). */
  running(): boolean;
  /** Arms a wait for the rate limiter's next token, then dispatches again. */
  waitForToken(): void;
  /** Fails the whole instance. */
  failInstance(reason: string): void;
  /** B29: after a resume, sub-tasks wait for the workers expected back rather than go to the master's own. */
  holdsOwnWorker(): boolean;
}

/** A worker's pull, waiting for tasks until pullWaitMs. */
interface WaitingPull {
  readonly idx: number;
  readonly max: number;
  readonly resolve: (r: PullReply | Refusal) => void;
  timer: TimerId;
}

/**
 * Pull dispatch (B4): workers are told to pull, and each pull takes at most
 * pageSize tasks — none past globalConsumerSize in use — or waits up to
 * pullWaitMs for some.
 */
export class PullDispatch {
  readonly #h: PullDispatchHost;
  #pulls: WaitingPull[] = [];

  constructor(host: PullDispatchHost) {
    this.#h = host;
  }

  /** Tells worker `idx` to pull from this instance — unless the master's own worker should be spared (B5). */
  notify(idx: number): void {
    const h = this.#h, w = h.workers.at(idx);
    if (!h.workers.isValid(idx) || (!h.settings.execOnMaster && w.isMaster && h.workers.otherValid())) return;
    // M6, M7: params once per pool, as for start batches.
    h.workers.params.send(idx, h.spec(), () => h.running(), (instance) => h.transport.request(w.address, {
      type: "notifyPull", master: h.address, credential: h.credential, instance, worker: { workerId: w.workerId, incarnation: w.incarnation }, pageSize: h.settings.pageSize,
    }, { timeoutMs: h.requestTimeoutMs })).then((reply) => {
      if (!reply.ok) h.failInstance(`worker ${w.workerId} refused to pull: ${reply.error}`);
      else h.workers.answered(idx);
    }, () => {
      h.workers.invalidate(idx);
      this.workerLost();
    });
  }

  /**
   * After a worker can no longer take tasks: once no other worker can, the
   * master's own worker pulls (B5); when none can at all, "all workers are
   * down" after workerWaitMs.
   */
  workerLost(): void {
    const h = this.#h;
    if (!h.running() || h.workers.otherValid()) return;
    const own = h.workers.ownIndex();
    if (own === undefined || !h.workers.isValid(own)) h.workerWait.arm();
    else if (!h.settings.execOnMaster) this.notify(own);
  }

  /** A pull from worker `idx`: answered now when tasks wait, else within pullWaitMs. */
  pull(idx: number | undefined, workerId: string, max: number): Promise<PullReply | Refusal> {
    const h = this.#h;
    if (idx === undefined || !h.workers.isValid(idx)) return Promise.resolve(refuse("rejected", `worker ${workerId} takes no tasks of this instance`));
    if (!h.running()) return Promise.resolve(refuse("rejected", "instance is finishing"));
    // B29: a waiting pull of the own worker would be the first served once the hold ends, before the
    // workers coming back. Its pull ends here; it is told to pull again if none of them comes back.
    if (h.workers.at(idx).isMaster && h.holdsOwnWorker()) {
      return Promise.resolve(refuse("rejected", "the master's own worker takes no sub-tasks while the workers of a resumed instance may come back"));
    }
    return new Promise((resolve) => {
      const entry: WaitingPull = { idx, max: Math.min(max, h.settings.pageSize), resolve, timer: 0 };
      entry.timer = h.clock.setTimeout(() => {
        const i = this.#pulls.indexOf(entry);
        if (i >= 0) { this.#pulls.splice(i, 1); resolve({ ok: true, tasks: noTasks() }); }
      }, h.settings.pullWaitMs);
      this.#pulls.push(entry);
    });
  }

  /** One dispatch round: answers waiting pulls while tasks, tokens and globalConsumerSize allow. */
  round(): void {
    const h = this.#h;
    while (this.#pulls.length > 0 && h.queue.pending > 0 && h.running()) {
      const counters = h.core.counters, n = h.names.list.length;
      const inUse = sumOverNames(counters, n, N_PULLED) + sumOverNames(counters, n, N_RUNNING);
      const cap = Math.min(this.#pulls[0]!.max, h.settings.globalConsumerSize - inUse);
      if (cap <= 0) return;
      const granted = h.core.limiter.take(h.clock.now(), cap);
      if (granted === 0) { h.waitForToken(); return; }
      const handles = h.queue.take(granted);
      if (handles.length === 0) continue;
      const p = this.#pulls.shift()!;
      h.clock.clearTimeout(p.timer);
      const tasks = h.sender.send(p.idx, handles, false) ?? noTasks();
      // B36: a shared master's reply leaves once its dispatch record is stored, as its start batches do.
      if (h.workers.at(p.idx).isMaster || !h.recordFirst) p.resolve({ ok: true, tasks });
      else h.writes.durable().then(() => p.resolve({ ok: true, tasks }), (e: unknown) => p.resolve(refuse("busy", `tasks not stored: ${errorMessage(e)}`)));
    }
  }

  /** The instance is finishing: every waiting pull is refused now. */
  finish(): void {
    for (const p of this.#pulls.splice(0)) {
      this.#h.clock.clearTimeout(p.timer);
      p.resolve(refuse("rejected", "instance is finishing"));
    }
  }
}
