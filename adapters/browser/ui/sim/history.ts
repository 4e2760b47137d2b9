/**
 * Past runs, kept in IndexedDB (a database of their own, through
 * idb-keyval) so a reload finds them: each run's config, verdict, faults and
 * chart data, keyed by instance id. The instance itself (status, final
 * counters, result) is in the master's IdbStore.
 */
import { createStore, get, set, values, type UseStore } from "idb-keyval";
import type { SeriesData } from "../components/time-chart.ts";
import type { SimConfig } from "./config.ts";
import type { FaultEvent } from "./fleet.ts";
import type { Verdict } from "./verdict.ts";

/** One run as the harness remembers it. */
export interface RunRecord {
  instanceId: string;
  config: SimConfig;
  /** ms since epoch */
  startedAt: number;
  finishedAt: number | null;
  status: string;
  verdict: Verdict | null;
  /** Tasks that ended (success + failed), all names. */
  tasks: number;
  faults: FaultEvent[];
  /** A new master (a reloaded page) resumed the run mid-way. */
  resumed?: boolean;
  charts: { throughput: SeriesData; names: SeriesData; workers: SeriesData } | null;
}

/** The run records of the harness. */
export class RunHistory {
  readonly #store: UseStore;

  /** @param dbName IndexedDB database of the records. @default "taskmill-sim-runs" */
  constructor(dbName = "taskmill-sim-runs") {
    this.#store = createStore(dbName, "runs");
  }

  save(r: RunRecord): Promise<void> {
    return set(r.instanceId, r, this.#store);
  }

  get(instanceId: string): Promise<RunRecord | undefined> {
    return get<RunRecord>(instanceId, this.#store);
  }

  /** Every record, newest first. */
  async all(): Promise<RunRecord[]> {
    return (await values<RunRecord>(this.#store)).sort((a, b) => b.startedAt - a.startedAt);
  }
}
