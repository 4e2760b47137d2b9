/**
 * What users of a master hand it and read from it: its options, what they
 * submit, the view of an instance, and the events it logs.
 */
import type { CoreEngine } from "../core/types.ts";
import type { Clock } from "../runtime/clock.ts";
import type { LoadProbe } from "../runtime/load-probe.ts";
import type { JsonValue } from "../protocol/messages.ts";
import type { Transport } from "../protocol/transport.ts";
import type { InstanceRecord, TaskErrorSummary, TaskStore } from "../store/task-store.ts";
import type { ProcessorMap } from "../processor/types.ts";
import type { JobSettings, ResolvedSettings } from "./settings.ts";
import type { LeaseOptions } from "./lease-settings.ts";
import type { InstanceProgress, OwnWorker } from "./instance/index.ts";

/** Something a master did that an operator may want in its log (the CLI prints each as a JSON line). */
export type MasterEvent =
  | { event: "instance-deposed"; instanceId: string; reason: string }
  | { event: "write-fenced"; instanceId: string; token: number; current: number }
  | { event: "instance-taken-over"; instanceId: string; from: string; token: number }
  | { event: "sweep-failed"; error: string }
  /** B35: the store's data is damaged; the master stopped (closed) and will not answer for it. */
  | { event: "store-integrity-error"; store: string; error: string };

/**
 * The master's own in-process worker, as the master uses it: it joins the
 * master, runs ROOT, reduce and postProcess, and its processors are the ones
 * jobs may name. taskmill's `Worker` is one.
 */
export interface MasterWorker extends OwnWorker {
  /** The processors this worker (and so this master) can run, by name. */
  readonly processors: ProcessorMap;
  /**
   * Registers with the master at `address`. `ownKey` is the master's proof that this is its
   * own worker: the registration carries it, since only it may register under its id (H17).
   */
  join(address: string, options?: { ownKey?: string }): Promise<void>;
}

/** Options of a master. */
export interface MasterOptions {
  store: TaskStore;
  transport: Transport;
  clock: Clock;
  /** Where workers reach this master. */
  address: string;
  /** The master's own worker (in this process): runs ROOT and reduce; its processors are the ones jobs may name. */
  ownWorker: MasterWorker;
  /** Identifies this master as an owner of instances. @default address */
  masterId?: string;
  /** Free CPU/memory of this machine (map back-pressure, B2). @default unknown */
  loadProbe?: LoadProbe;
  /** Timeout of requests to workers, ms. @default 30000 */
  requestTimeoutMs?: number;
  /** Core engine. @default "wasm" */
  engine?: CoreEngine;
  /**
   * Share the store with other masters (X3): instances are held through
   * leases renewed on an interval, and instances whose lease ran out are
   * taken over. `true` takes the default timing. Every master on one store
   * must share it, with the same timing, and a unique `masterId`.
   * @default false (the master runs alone: at start it takes every RUNNING instance)
   */
  shared?: boolean | LeaseOptions;
  /** Receives what the master did that an operator may want to know (depositions, takeovers). @default ignored */
  log?: (e: MasterEvent) => void;
  /**
   * Called once when the store reports damaged data (SQLite corrupt or not a database,
   * PostgreSQL XX001/XX002), after the master closed itself (B35): a host should exit
   * non-zero. The event `store-integrity-error` is logged too. @default nothing more
   */
  onFatal?: (e: Error) => void;
  /** How often tasks kept past their retainFor are swept from the store, ms (B25). @default 60000 */
  sweepMs?: number;
  /**
   * H7: instances running at once at most. A submit or retry past it throws
   * TooManyInstancesError (HTTP 429 with Retry-After); instances resumed at
   * start or taken over are never refused, but count.
   * @default 1000
   */
  maxRunningInstances?: number;
}

/** What a user submits. */
export interface Submission {
  /** Name of a processor loaded on the master. */
  processor: string;
  settings?: JobSettings;
  params?: JsonValue;
  /** Optional id; a UUID by default. */
  instanceId?: string;
}

/** A view of an instance: live while running, else from the store. */
export interface InstanceView {
  instanceId: string;
  processor: string;
  status: InstanceRecord["status"];
  result: JsonValue;
  serialNum: number;
  /** The params it was submitted with (null: none). */
  params: JsonValue;
  /** Its settings, every default filled in (resolved at submit). */
  settings: ResolvedSettings;
  /** When it was submitted (ms since epoch). */
  createdAt: number;
  /** When its current run started: a retry (B26) or a recurring cycle (B20) starts it again; null for old records. */
  startedAt: number | null;
  /** When it ended; null while RUNNING. */
  finishedAt: number | null;
  progress: Pick<InstanceProgress, "names" | "workers"> | null;
  /** The master that owns it (its id: by default its address). */
  owner?: string;
  /** Sub-tasks of its last run that failed for good (B25). */
  failedCount: number;
  /** The first of them, with their error's message (B25). */
  errors: TaskErrorSummary[];
  /** Until when its tasks are kept for inspection and a retry; null when none are (B25). */
  retainUntil: number | null;
}

/** The view of an instance from its stored record. */
export function view(r: InstanceRecord): InstanceView {
  return {
    instanceId: r.instanceId, processor: r.processor, status: r.status, result: r.result, serialNum: r.serialNum,
    // Stored as submit resolved them (Master.submitOnce), so they are ResolvedSettings.
    params: r.params, settings: r.settings as unknown as ResolvedSettings,
    createdAt: r.createdAt, startedAt: r.startedAt, finishedAt: r.finishedAt, progress: r.progress, owner: r.owner,
    failedCount: r.failedCount, errors: r.errors, retainUntil: r.retainUntil,
  };
}
