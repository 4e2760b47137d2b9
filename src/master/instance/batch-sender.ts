import { T_OK } from "../../../core-as/shared/constants.ts";
import type { InstanceMetrics } from "../master-metrics.ts";
import type { Core } from "../../core/index.ts";
import type { InstanceSpec, TaskColumns } from "../../protocol/messages.ts";
import type { Transport } from "../../protocol/transport.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { DispatchQueue } from "./dispatch-queue.ts";
import { failTasks } from "./fail-tasks.ts";
import { requeueTasks } from "./requeue-tasks.ts";
import type { FailureLog } from "./failure-log.ts";
import type { TaskNames } from "./task-names.ts";
import type { TaskSlots } from "./task-slots.ts";
import type { TaskWrites } from "./task-writes.ts";
import type { WorkerTable } from "./worker-table.ts";
import { errorMessage } from "../../errors/error-message.ts";
import type { BatchRides } from "../batch-rides.ts";

/** What the batch sender needs of its cycle. */
export interface BatchSenderHost {
  readonly core: Core;
  readonly slots: TaskSlots;
  readonly names: TaskNames;
  readonly workers: WorkerTable;
  readonly queue: DispatchQueue;
  readonly writes: TaskWrites;
  /** B36: send a batch only once its dispatch record is stored (a shared master). */
  readonly recordFirst: boolean;
  readonly failures: FailureLog;
  readonly transport: Transport;
  readonly clock: Clock;
  /** The master's address, named in every start batch. */
  readonly address: string;
  /** The master's credential, carried by every start batch (H16). */
  readonly credential: string;
  readonly requestTimeoutMs: number;
  /** W4: where a push batch rides on the reply to its worker's report; null: start requests only. */
  readonly rides: BatchRides | null;
  readonly settings: { readonly dispatchMode: "push" | "pull"; readonly failover: boolean };
  /** A5: where the time tasks waited before dispatch goes, once per batch. */
  readonly metrics: InstanceMetrics;
  /** The instance's processor name (a metrics label). */
  readonly processor: string;
  spec(): InstanceSpec;
  /** False once the cycle that sent a batch is over: its late replies change nothing. */
  isCurrent(): boolean;
  /** Fails the whole instance (a ROOT that cannot be dispatched). */
  failInstance(reason: string): void;
  /** A batch's reply came: dispatch more and see whether the instance is done. */
  landed(): void;
}

/** A push batch awaiting its worker's answer; it holds one of the `dispatchers` until it lands. */
interface Flight {
  readonly idx: number;
  open: boolean;
}

/**
 * Hands batches of tasks to workers (B3): marks them PULLED on the worker in
 * the core, records the batch in the store (B27), sends the start batch (push, and ROOT in pull mode
 * too) and acts on the answer — a worker that does not answer or refuses
 * loses the batch (B9).
 */
export class BatchSender {
  readonly #h: BatchSenderHost;
  readonly #flights = new Set<Flight>();

  constructor(host: BatchSenderHost) {
    this.#h = host;
  }

  /** Batches sent and not answered yet. */
  get inFlight(): number { return this.#flights.size; }

  /**
   * Marks `handles` PULLED on worker `idx` and returns the task specs of
   * those that moved (a killed task does not). In pull mode sub-tasks stop
   * there (the pull's reply carries them); otherwise the batch is sent.
   */
  send(idx: number, handles: Uint32Array, isRoot: boolean): TaskColumns | null {
    const h = this.#h, t = h.core.table;
    const codes = new Int32Array(handles.length);
    t.assign(handles, new Int32Array(handles.length).fill(idx), handles.length, codes);
    const ok: number[] = [];
    for (let i = 0; i < handles.length; i++) if (codes[i] === T_OK) ok.push(handles[i]!);
    if (ok.length === 0) return null;
    // A5: how long each waited since it was queued (or last sent), in one observation call per batch.
    const now = h.clock.now(), waited = new Float64Array(ok.length);
    for (let i = 0; i < ok.length; i++) waited[i] = h.slots.sent(ok[i]!, now) / 1000;
    h.metrics.tasksDispatched(h.processor, waited);
    const w = h.workers.at(idx);
    // Seqs now, not when the write runs: by then a fast task may have ended and its slot hold another task.
    const seqs = ok.map((x) => h.slots.seqOf(x));
    // B3, B27: the store is told nothing per task — one record per batch says who holds what at which attempt,
    // so a restarted master keeps it. The master's own worker restarts with the master: its tasks are never
    // kept, but its records tell the resume they were in flight, so they run again at the next attempt.
    h.writes.recordDispatch({ workerId: w.workerId, worker: w.key, seqs, attempts: ok.map((x) => t.attemptOf(x)) });
    const tasks = this.#columns(ok);
    if (h.settings.dispatchMode === "pull" && !isRoot) return tasks;
    this.#start(idx, ok, tasks, isRoot);
    return tasks;
  }

  /** The tasks of `handles` column-wise (W1): each name once, the rest one array per field. */
  #columns(handles: readonly number[]): TaskColumns {
    const h = this.#h, t = h.core.table, n = handles.length;
    const taskIds: string[] = new Array(n), nameIdx: number[] = new Array(n), bodies: TaskColumns["bodies"] = new Array(n), attempts: number[] = new Array(n);
    const names: string[] = [];
    // Name index in the table → its index in this batch's `names` (a batch mostly holds one or two names).
    const local: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = handles[i]!, name = t.nameOf(x);
      let k = local[name];
      if (k === undefined) { k = local[name] = names.length; names.push(h.names.nameOf(name)); }
      taskIds[i] = h.slots.taskIdOf(x);
      nameIdx[i] = k;
      bodies[i] = h.slots.bodyOf(x);
      attempts[i] = t.attemptOf(x);
    }
    return { handles: handles.slice(), taskIds, names, nameIdx, bodies, attempts };
  }

  #start(idx: number, ok: number[], tasks: TaskColumns, isRoot: boolean): void {
    const h = this.#h, t = h.core.table;
    const w = h.workers.at(idx);
    const sentAt = h.clock.now();
    const flight: Flight = { idx, open: true };
    this.#flights.add(flight);
    // A late failure concerns only the batch's tasks still on this worker at the attempt sent:
    // liveness may have failed them over meanwhile, and they may run elsewhere now.
    const attempts = tasks.attempts;
    const stillHere = () => Uint32Array.from(ok.filter((x, i) => t.workerOf(x) === idx && t.attemptOf(x) === attempts[i]));
    // B36: a shared master's batch leaves once its dispatch record is stored. Sent before, a master
    // that dies meanwhile leaves the batch's tasks INIT in the store though a worker runs them: the
    // master taking the instance over cannot keep them for that worker, and runs them again. (The own
    // worker needs no record: it restarts with the master.)
    // M6: params only in the first batch to this incarnation; M7: again with them on params_needed.
    // W4: a push batch rides on the reply to the worker's report when one is being answered (the dispatch
    // that report set off), else it goes as a start request. The master's own worker reports in process: no ride.
    const rides = isRoot || w.isMaster ? null : h.rides;
    const send = () => h.workers.params.send(idx, h.spec(), () => h.isCurrent(), (instance) => rides?.carry(w.key, instance, tasks, h.requestTimeoutMs)
      ?? h.transport.request(w.address, {
        type: "start", master: h.address, credential: h.credential, instance, worker: { workerId: w.workerId, incarnation: w.incarnation }, tasks,
      }, { timeoutMs: h.requestTimeoutMs }));
    (w.isMaster || !h.recordFirst ? send() : h.writes.durable().then(send)).then((reply) => {
      if (!h.isCurrent()) return;
      if (reply.ok) h.workers.answered(idx, h.clock.now() - sentAt);
      // forbidden: the worker does not hold this master's credential (H16) — it does not know us as its master.
      else if (reply.code === "not_running" || reply.code === "unregistered" || reply.code === "forbidden") {
        this.#unanswered(idx, stillHere(), `worker ${w.workerId} is not running: ${reply.error}`, isRoot);
      } else {
        this.#refused(idx, stillHere(), `worker ${w.workerId} rejected the batch: ${reply.error}`, isRoot);
      }
    }, (e: unknown) => {
      if (!h.isCurrent()) return;
      this.#unanswered(idx, stillHere(), `dispatch to ${w.workerId} failed: ${errorMessage(e)}`, isRoot);
    }).finally(() => {
      if (!h.isCurrent()) return;
      this.#land(flight);
      h.landed();
    });
  }

  /**
   * Frees the dispatchers of batches still waiting on worker `idx` (declared
   * dead): they would hold them until the request times out. Their tasks are
   * failed over by the caller.
   */
  landAll(idx: number): void {
    for (const f of [...this.#flights]) if (f.idx === idx) this.#land(f);
  }

  #land(flight: Flight): void {
    if (!flight.open) return;
    flight.open = false;
    this.#flights.delete(flight);
  }

  /** B9: no answer (refused, timeout, 5xx, not running): back to INIT with failover on, else FAILED. */
  #unanswered(idx: number, handles: Uint32Array, reason: string, isRoot: boolean): void {
    const h = this.#h;
    if (isRoot) return h.failInstance(reason);
    h.workers.invalidate(idx);
    if (!h.settings.failover) return this.#refused(idx, handles, reason, false);
    requeueTasks(h, handles);
  }

  /** B9: a definite refusal from a live worker fails the batch's tasks with the reason. */
  #refused(idx: number, handles: Uint32Array, reason: string, isRoot: boolean): void {
    const h = this.#h;
    if (isRoot) return h.failInstance(reason);
    h.workers.invalidate(idx);
    failTasks(h, handles, reason);
  }
}
