// A whole cluster in one process on a manual clock: a master with its own
// worker, N workers, the in-process network and a store.
import { ManualClock } from "../../src/runtime/clock.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { Master, type InstanceView } from "../../src/master/index.ts";
import { Worker, type WorkerOptions } from "../../src/worker/index.ts";
import type { ProcessorMap } from "../../src/processor/types.ts";
import type { TaskStore } from "../../src/store/task-store.ts";
import type { CoreEngine } from "../../src/core/types.ts";

export interface ClusterOptions {
  processors: ProcessorMap;
  workers?: number;
  workerSlots?: number;
  store?: TaskStore;
  clock?: ManualClock;
  network?: InProcessNetwork;
  engine?: CoreEngine;
  masterAddress?: string;
  /** The master's request timeout. @default 2000 */
  requestTimeoutMs?: number;
  /** More options of every worker, the master's own included. */
  workerOptions?: Partial<WorkerOptions>;
}

/** A master, its own worker and `workers` more, wired through an in-process network. */
export class Cluster {
  readonly clock: ManualClock;
  readonly network: InProcessNetwork;
  readonly store: TaskStore;
  readonly master: Master;
  /** The master's own worker. */
  readonly ownWorker: Worker;
  readonly workers: Worker[] = [];
  readonly processors: ProcessorMap;
  readonly #slots: number;
  readonly #workerOptions: Partial<WorkerOptions>;

  constructor(o: ClusterOptions) {
    this.clock = o.clock ?? new ManualClock(1_000_000);
    this.network = o.network ?? new InProcessNetwork(this.clock);
    this.store = o.store ?? new MemoryStore();
    this.processors = o.processors;
    this.#slots = o.workerSlots ?? 5;
    this.#workerOptions = o.workerOptions ?? {};
    const address = o.masterAddress ?? "master";
    const own = new Worker({ workerId: `${address}-own`, address: `${address}/worker`, transport: this.network, clock: this.clock, processors: o.processors, slots: this.#slots, ...this.#workerOptions });
    this.ownWorker = own;
    this.master = new Master({ store: this.store, transport: this.network, clock: this.clock, address, ownWorker: own, requestTimeoutMs: o.requestTimeoutMs ?? 2000, engine: o.engine ?? "wasm" });
    for (let i = 0; i < (o.workers ?? 2); i++) this.addWorker();
  }

  /** Creates (not yet joined) a worker named w<i>. */
  addWorker(id = `w${this.workers.length + 1}`): Worker {
    const w = new Worker({ workerId: id, address: `${id}-addr-${this.workers.length}`, transport: this.network, clock: this.clock, processors: this.processors, slots: this.#slots, ...this.#workerOptions });
    this.workers.push(w);
    return w;
  }

  /** Starts the master and joins every worker. */
  async start(): Promise<this> {
    await this.master.start();
    for (const w of this.workers) await w.join("master");
    return this;
  }

  /** Runs the clock until the instance is final; returns it. */
  async finish(instanceId: string, maxMs = 3_600_000): Promise<InstanceView> {
    let done: InstanceView | undefined;
    void this.master.waitFor(instanceId).then((v) => { done = v; });
    await this.clock.until(() => done !== undefined, maxMs);
    return done!;
  }

  /** Submits and runs to the end. */
  async run(processor: string, params: unknown = null, settings: Record<string, unknown> = {}): Promise<InstanceView> {
    const id = await this.master.submit({ processor, params: params as never, settings });
    return this.finish(id);
  }

  /** Stops every component. */
  close(): void {
    this.master.close();
    this.ownWorker.close();
    for (const w of this.workers) w.close();
  }
}
