/**
 * What one instance needs from the master hosting it — and nothing more: the
 * store calls it makes, the transport, a clock, the worker registry's two
 * lookups, and the master's own worker's two entry points.
 */
import type { InstanceMetrics } from "../master-metrics.ts";
import type { CoreEngine } from "../../core/index.ts";
import type { InstanceSpec, JsonValue } from "../../protocol/messages.ts";
import type { Transport } from "../../protocol/transport.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { LoadProbe } from "../../runtime/load-probe.ts";
import type { Fence, ResultRow, TaskStore } from "../../store/task-store.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import type { BatchRides } from "../batch-rides.ts";

/** The store calls an instance makes. */
export type InstanceStore = Pick<TaskStore,
  | "insertTasks" | "claimInit" | "updateStatuses" | "failUnfinished"
  | "resetForResume" | "countByStatus" | "maxSeq" | "getTask" | "results" | "updateInstance" | "clearTasks"
  | "listTasks" | "recordDispatch" | "listDispatches" | "replaceDispatches" | "writeAttempts">;

/** How a reduce (or a Map job's postProcess) ended. */
export interface ReduceOutcome {
  status: "SUCCESS" | "FAILED";
  result: JsonValue;
}

/**
 * The master's own in-process worker as an instance sees it. ROOT reaches it
 * through the transport like any task; reduce and postProcess run on it
 * directly, since they read the results from the store (B16).
 */
export interface OwnWorker {
  /** Its worker id: ROOT is dispatched to its current incarnation. */
  readonly workerId: string;
  /** Runs the processor's reduce over every result (MapReduce). */
  reduce(spec: InstanceSpec, status: "SUCCESS" | "FAILED", results: AsyncIterable<ResultRow>, signal: AbortSignal): Promise<ReduceOutcome>;
  /** Runs the processor's postProcess, if it has one (Map). */
  postProcess(spec: InstanceSpec, status: "SUCCESS" | "FAILED", results: AsyncIterable<ResultRow>, signal: AbortSignal): Promise<void>;
}

/** What the master hosting an instance gives it. */
export interface InstanceHost {
  readonly store: InstanceStore;
  readonly transport: Transport;
  readonly clock: Clock;
  /** Free CPU and memory of the master's machine (map back-pressure, B2). */
  readonly loadProbe: LoadProbe;
  /** The master's address, where workers send reports and maps. */
  readonly address: string;
  /** The master's credential: every message to a worker carries it (H16). */
  readonly credential: string;
  readonly ownWorker: OwnWorker;
  /** Timeout of requests to workers, ms. */
  readonly requestTimeoutMs: number;
  readonly engine: CoreEngine;
  /** A5: where counts of finished tasks, refused reports and store write times go. */
  readonly metrics: InstanceMetrics;
  /**
   * B36: batches (and pull replies) leave only once their dispatch record is stored. A
   * shared master sets it: another master may take its instances over at any moment, and
   * keeps for the workers only what the records say they hold. Default false.
   */
  readonly recordFirst?: boolean;
  /** W4: where a push batch rides on the reply to its worker's report, when one is being answered. Absent: batches go as start requests. */
  readonly rides?: BatchRides;
  /** Current worker incarnations. */
  workers(): WorkerInfo[];
  /** The current incarnation of a worker id. */
  currentWorker(workerId: string): WorkerInfo | undefined;
  /** B30: a worker missed the liveness timeout: its incarnation is superseded for every instance. */
  declareDead(w: WorkerInfo): void;
  /** Called, with the ending instance's fence, once a cycle ended (final, or waiting for the next cycle of a recurring job). */
  onCycleEnd(fence: Fence, final: boolean): void;
  /** Called, with the deposed instance's fence, when the store refused this master's fencing token: another master owns the instance now. */
  onDeposed(fence: Fence, reason: string): void;
}
