/**
 * The harness without its page: the real Master on the WASM core with an
 * IdbStore, its own worker (ROOT and reduce), the fleet of Web Workers, and
 * the life of one run: fleet up, submit, sample, verdict, record.
 */
import { IdbStore } from "../../idb-store.ts";
import { PortTransport } from "../../port-transport.ts";
import { Master, type InstanceView } from "../../../../src/master/master.ts";
import { resolveSettings, type JobSettings } from "../../../../src/master/settings.ts";
import type { InstanceProgress } from "../../../../src/master/index.ts";
import { RealClock } from "../../../../src/runtime/clock.ts";
import { Worker } from "../../../../src/worker/worker.ts";
import { checkConfig, HEARTBEAT_MS, jobSettings, type SimConfig } from "./config.ts";
import { Fleet, type FaultEvent } from "./fleet.ts";
import { RunHistory, type RunRecord } from "./history.ts";
import { ended, monitor, type RunPanels } from "./monitor.ts";
import { simJob, type SimParams } from "./processor.ts";
import { verdict } from "./verdict.ts";

const MASTER = "master";
/** The processor's name on the master and the workers. */
export const PROCESSOR = "sim";

/** A run being watched. */
export interface LiveRun {
  instanceId: string;
  config: SimConfig;
  startedAt: number;
  faults: FaultEvent[];
  /** Settles with the run's record once the instance is final. */
  done: Promise<RunRecord>;
}

/** What the page hears while a run goes on. */
export interface RunEvents {
  panels: RunPanels;
  tick(run: LiveRun, p: InstanceProgress, rate: number): void;
}

/** The master, the fleet and the history of the page. */
export class Harness {
  readonly clock = new RealClock();
  readonly transport = new PortTransport(this.clock, { timeoutMs: 5000 });
  readonly store = new IdbStore({ dbName: "taskmill-sim" });
  readonly history = new RunHistory();
  readonly fleet: Fleet;
  readonly master: Master;
  /** The page's own worker runs LEAFs at the speed of the last config. */
  #msPerTask = 0;

  constructor(workerScript: URL) {
    const processors = { [PROCESSOR]: simJob(() => this.#msPerTask) };
    const own = new Worker({ workerId: "master", address: `${MASTER}/worker`, transport: this.transport, clock: this.clock, processors });
    this.master = new Master({ store: this.store, transport: this.transport, clock: this.clock, address: MASTER, ownWorker: own, requestTimeoutMs: 5000, engine: "wasm" });
    this.fleet = new Fleet({ transport: this.transport, master: MASTER, script: workerScript, heartbeatMs: HEARTBEAT_MS });
  }

  /** Starts the master; it resumes the instances left RUNNING by a page that was closed mid-run. */
  async open(): Promise<void> {
    await this.master.start();
  }

  /** Instances left running by the last page and resumed by this master, with their records. */
  async resumed(): Promise<RunRecord[]> {
    const running = await this.master.list({ status: "RUNNING" });
    const out: RunRecord[] = [];
    for (const i of running) {
      if (!this.master.progress(i.instanceId)) continue;
      const r = await this.history.get(i.instanceId);
      if (r) out.push(r);
    }
    return out;
  }

  /** The job settings of a config; every LEAF runs in a Web Worker, none on the page's own worker. */
  settings(config: SimConfig): JobSettings {
    return { ...jobSettings(config), execOnMaster: false };
  }

  /** Checks a config and the settings it makes, as the master will; throws naming the field. */
  check(raw: Partial<SimConfig>): SimConfig {
    const config = checkConfig(raw);
    resolveSettings(this.settings(config));
    return config;
  }

  /** Brings up the fleet and submits a run of `raw`; a bad config or setting throws, naming the field, before anything changes. */
  async start(raw: Partial<SimConfig>, events: RunEvents): Promise<LiveRun> {
    const config = this.check(raw);
    this.#msPerTask = config.msPerTask;
    await this.fleet.reset(config.workers, config.msPerTask, config.consumerSize);
    const params: SimParams = { level1: config.level1, level2: config.level2 };
    const instanceId = await this.master.submit({ processor: PROCESSOR, params, settings: this.settings(config) });
    const record: RunRecord = {
      instanceId, config, startedAt: Date.now(), finishedAt: null, status: "RUNNING", verdict: null, tasks: 0, faults: [], charts: null,
    };
    await this.history.save(record);
    return this.#watch(record, events);
  }

  /** Watches a resumed run (its fleet is brought up again from its config). */
  async resume(record: RunRecord, events: RunEvents): Promise<LiveRun> {
    this.#msPerTask = record.config.msPerTask;
    await this.fleet.reset(record.config.workers, record.config.msPerTask, record.config.consumerSize);
    return this.#watch({ ...record, resumed: true }, events);
  }

  /** Instances (newest first) and the harness's records of them. */
  async past(limit = 25): Promise<{ instances: InstanceView[]; records: RunRecord[] }> {
    const [instances, records] = await Promise.all([this.master.list({ limit }), this.history.all()]);
    return { instances, records };
  }

  #watch(record: RunRecord, events: RunEvents): LiveRun {
    const { panels } = events;
    const run: LiveRun = { instanceId: record.instanceId, config: record.config, startedAt: record.startedAt, faults: [...record.faults], done: null! };
    const offFaults = this.fleet.onChange((e) => { if (e) run.faults.push(e); });
    const notes = () => Object.fromEntries(this.fleet.list().filter((w) => w.state !== "alive").map((w) => [w.id, w.state]));
    const keyNotes = (workers: Record<string, unknown>) => {
      const byId = notes();
      return Object.fromEntries(Object.keys(workers).map((k) => [k, byId[k.split("#")[0]!] ?? ""]).filter(([, v]) => v));
    };
    panels.clear();
    const stop = monitor(this.master, run.instanceId, run.startedAt, panels, () => keyNotes(this.master.progress(run.instanceId)?.workers ?? {}),
      (p, rate) => events.tick(run, p, rate));
    run.done = (async () => {
      let final: InstanceView;
      try {
        final = await this.master.waitFor(run.instanceId);
      } finally {
        stop();
        offFaults();
      }
      const names = final.progress?.names ?? {};
      const workers = final.progress?.workers ?? {};
      panels.bars({ names, workers }, keyNotes(workers));
      const done: RunRecord = {
        ...record,
        finishedAt: final.finishedAt ?? Date.now(),
        status: final.status,
        verdict: verdict({ status: final.status, result: final.result, names, workers }, record.config, record.resumed === true),
        tasks: ended({ names }),
        faults: run.faults,
        charts: { throughput: panels.throughput.data, names: panels.names.data, workers: panels.workers.data },
      };
      await this.history.save(done);
      return done;
    })();
    return run;
  }
}
