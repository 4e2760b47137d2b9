/**
 * A5: what a master counts for Prometheus, named by its conventions —
 * counters (`_total`) for finished work that stay after the instance ends,
 * histograms (`_seconds`) for durations, gauges for what is now. No label
 * names an instance: the `instance` label is Prometheus's own (the scraped
 * target), and one series per instance id would grow without end.
 */
import { MetricsRegistry, SECONDS_BUCKETS, type Counter, type Histogram } from "../metrics/registry.ts";

/** What the instances of a master record, each call once per batch (reports, writes), never per task. */
export interface InstanceMetrics {
  /** `n` tasks of `processor` named `name` ended with `status` (final: no run left, B21). */
  tasksFinished(processor: string, name: string, status: "success" | "failed", n: number): void;
  /** `n` status reports refused for `reason` (stale, wrong_attempt, wrong_worker, illegal, duplicate, not_running). */
  reportsRefused(reason: string, n: number): void;
  /** One store write of task rows took `seconds`. */
  storeWrite(seconds: number): void;
  /** Tasks of `processor` sent to a worker, each after `waited` seconds since it was queued (or last sent). */
  tasksDispatched(processor: string, waited: Float64Array): void;
  /**
   * Tasks of `processor` ended after runs of `seconds` (as their workers timed them), each having
   * waited `startWaits` seconds from its dispatch to its run's start (the worker's queue, the network).
   */
  tasksRan(processor: string, seconds: Float64Array, startWaits: Float64Array): void;
}

/** What the gauges read of the master at each scrape. */
export interface MetricsSource {
  /** Instances running on this master. */
  running(): number;
  /** Registered worker incarnations. */
  workers(): number;
  /** Tasks waiting in the dispatch queues of the running instances. */
  queued(): number;
}

/** The metrics of one master. */
export class MasterMetrics implements InstanceMetrics {
  readonly registry = new MetricsRegistry();
  readonly #tasks: Counter;
  readonly #instances: Counter;
  readonly #refused: Counter;
  readonly #storeWrites: Histogram;
  readonly #dispatchWait: Histogram;
  readonly #run: Histogram;
  readonly #startWait: Histogram;
  /** Store writes refused because another master holds a newer fencing token (X3). */
  readonly fenced: Counter;
  /** Instances given up, by reason: "fenced" (a write refused) or "lease" (the lease lost). */
  readonly deposed: Counter;
  /** Instances taken over from a master whose lease ran out. */
  readonly takenOver: Counter;
  /** Requests to the HTTP API by method, route pattern (never the raw path) and status. */
  readonly http: Histogram;

  constructor(source: MetricsSource) {
    const r = this.registry;
    this.#tasks = r.counter("taskmill_tasks_finished_total", "Tasks ended for good, by processor, task name and status (success, failed).", ["processor", "name", "status"]);
    this.#instances = r.counter("taskmill_instances_finished_total", "Instances ended, by processor and status (SUCCESS, FAILED).", ["processor", "status"]);
    this.#refused = r.counter("taskmill_reports_refused_total", "Task status reports refused, by reason.", ["reason"]);
    this.fenced = r.counter("taskmill_store_writes_fenced_total", "Store writes refused because another master holds a newer fencing token.");
    this.deposed = r.counter("taskmill_instances_deposed_total", "Instances this master gave up: a write was refused (fenced) or its lease was lost (lease).", ["reason"]);
    this.takenOver = r.counter("taskmill_instances_taken_over_total", "Instances this master took over from another whose lease ran out.");
    this.#storeWrites = r.histogram("taskmill_store_write_duration_seconds", "Time of one write of task rows to the store (a group of status updates, a map batch, a claim).", [], SECONDS_BUCKETS);
    this.#dispatchWait = r.histogram("taskmill_task_dispatch_wait_seconds", "From a task's map (its entering the master's queue, or its claim back from the store) to its dispatch to a worker; a failed-over task from its last dispatch.", ["processor"], SECONDS_BUCKETS);
    this.#run = r.histogram("taskmill_task_run_seconds", "A task's run on its worker, from its start to its end, as the worker timed it.", ["processor"], SECONDS_BUCKETS);
    this.#startWait = r.histogram("taskmill_task_start_wait_seconds", "From a task's dispatch to the start of its run on the worker (the worker's queue and the network); with the dispatch wait, its map to its start.", ["processor"], SECONDS_BUCKETS);
    this.http = r.histogram("taskmill_http_request_duration_seconds", "HTTP requests to the master by method, route pattern and status.", ["method", "route", "status"], SECONDS_BUCKETS);
    r.gauge("taskmill_instances_running", "Instances running on this master.", [], () => [[[], source.running()]]);
    r.gauge("taskmill_workers", "Registered worker incarnations, the master's own worker included.", [], () => [[[], source.workers()]]);
    r.gauge("taskmill_tasks_queued", "Tasks waiting in the dispatch queues of the running instances.", [], () => [[[], source.queued()]]);
    // Zero series from the start: a rate() over a counter needs its first sample before the first event.
    this.fenced.inc([], 0);
    this.takenOver.inc([], 0);
    for (const reason of ["fenced", "lease"]) this.deposed.inc([reason], 0);
  }

  tasksFinished(processor: string, name: string, status: "success" | "failed", n: number): void {
    this.#tasks.inc([processor, name, status], n);
  }

  reportsRefused(reason: string, n: number): void {
    this.#refused.inc([reason], n);
  }

  storeWrite(seconds: number): void {
    this.#storeWrites.observe([], seconds);
  }

  tasksDispatched(processor: string, waited: Float64Array): void {
    this.#dispatchWait.observeMany([processor], waited);
  }

  tasksRan(processor: string, seconds: Float64Array, startWaits: Float64Array): void {
    this.#run.observeMany([processor], seconds);
    this.#startWait.observeMany([processor], startWaits);
  }

  /** An instance ended with its final status. */
  instanceFinished(processor: string, status: string): void {
    this.#instances.inc([processor, status]);
  }

  /** Every metric in the text exposition format. */
  text(): string {
    return this.registry.text();
  }
}
