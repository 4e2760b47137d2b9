import type { JsonValue, MapBatch, ReportColumns } from "../../protocol/messages.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import type { CycleTimers } from "./cycle-timers.ts";
import type { DispatchQueue } from "./dispatch-queue.ts";
import { failTasks, type FailContext } from "./fail-tasks.ts";
import { requeueTasks } from "./requeue-tasks.ts";
import type { ResumePlan } from "./resume-plan.ts";

/** A task a worker held when the master stopped, kept for it by the resume (B28). */
export interface KeptTask {
  seq: number;
  taskId: string;
  name: string;
  body: JsonValue;
  attempt: number;
  failures: number;
  /** The worker's id: its next incarnation claims the task. */
  workerId: string;
  /** The worker key (`workerId#incarnation`) the store names it with. */
  worker: string;
}

/** What adoption reads of the job's settings. */
export interface AdoptionSettings {
  readonly livenessTimeoutMs: number;
  readonly failover: boolean;
  readonly execOnMaster: boolean;
}

/** What adoption needs of its cycle. */
export interface AdoptionHost extends FailContext {
  readonly instanceId: string;
  readonly queue: DispatchQueue;
  readonly timers: CycleTimers;
  readonly settings: AdoptionSettings;
  /** Shuts worker index `idx` down for the cycle, its unfinished tasks failed over (B15). */
  shutdown(idx: number, reason: string): void;
  /** The registry's current incarnation of a worker id. */
  currentWorker(workerId: string): WorkerInfo | undefined;
  /** Dispatch again and see whether the instance is done. */
  changed(): void;
  /** B36: adds a worker held back while it might still hand its kept tasks over (the wait ended). */
  rejoin(w: WorkerInfo): void;
}

/**
 * Adoption (B28, B29): a resumed cycle keeps the tasks workers held when the
 * master stopped. Each old worker key gets a placeholder in the worker
 * table, holding its tasks (PULLED) without taking new ones; the worker's
 * next incarnation takes the placeholder's index over with the tasks it
 * lists in its registration — the others fail over at once. Placeholders not
 * claimed within livenessTimeoutMs of the resume fail over as a dead
 * worker's tasks (X3). Until then, or until another worker registers,
 * sub-tasks do not go to the master's own worker (B29). Workers that
 * register while the resume reads the store wait (`defers`) until the kept
 * tasks are in the table.
 *
 * B36, a takeover: the workers joined this master before it took the instance
 * over, their registrations listing nothing of it. One with kept tasks is held
 * back (`pending`: not in the table, so it is given nothing of the instance)
 * until it hands them over in a heartbeat — it then claims them as a returning
 * worker does — or registers again, or the wait ends and it joins as any
 * worker, its kept tasks failed over.
 */
export class Adoption {
  readonly #h: AdoptionHost;
  /** Workers registered before the kept tasks were in the table: added once they are. */
  #deferred: WorkerInfo[] | null;
  /** workerId → indexes of the placeholders of its old incarnations. */
  readonly #waiting = new Map<string, number[]>();
  /** Worker ids the old master dispatched to that have not registered again yet. */
  readonly #expected = new Set<string>();
  /** taskId → handle of each kept task: its worker's reports and maps name the old master's handles. */
  readonly #handles = new Map<string, number>();
  /**
   * Seqs of the kept tasks taken into the table. Their rows are INIT in the
   * store and the resume left them unqueued (its reset unqueues every INIT
   * row, and a status write keeps the flag), so claimInit hands them out
   * although they are in memory already (see `adopted`).
   */
  readonly #seqs = new Set<number>();
  /** The incarnations registered before the cycle began: on a takeover, they may hand tasks over later (B36). */
  readonly #present: ReadonlySet<WorkerInfo>;
  /** workerId → an incarnation held back until it hands over its kept tasks or the wait ends (B36). */
  readonly #pending = new Map<string, WorkerInfo>();

  /**
   * @param resumed a resumed cycle (a new one has nothing to adopt)
   * @param present the incarnations registered when the cycle began
   */
  constructor(host: AdoptionHost, resumed: boolean, present: readonly WorkerInfo[] = []) {
    this.#h = host;
    this.#deferred = resumed ? [] : null;
    this.#present = new Set(resumed ? present : []);
  }

  /** Whether the resume is still reading the store (workers registering now wait for it). */
  deferring(): boolean {
    return this.#deferred !== null;
  }

  /** B36: whether `w` is held back, its kept tasks waiting for it to hand them over. */
  pending(w: WorkerInfo): boolean {
    return this.#pending.get(w.workerId) === w;
  }

  /** While the resume reads the store, a registering worker waits here (true); false once it may join. */
  defers(w: WorkerInfo): boolean {
    if (this.#deferred === null) return false;
    this.#deferred.push(w);
    return true;
  }

  /**
   * Takes the plan's kept tasks into the table, each old worker key's under
   * a placeholder, arms the end of the wait, and returns the workers that
   * registered meanwhile (still current), for the cycle to add now.
   */
  keep(plan: ResumePlan, startedAt: number): WorkerInfo[] {
    const h = this.#h, t = h.core.table;
    for (const id of plan.expected) if (!h.currentWorker(id)) this.#expected.add(id);
    const byKey = new Map<string, typeof plan.kept>();
    for (const k of plan.kept) {
      const list = byKey.get(k.worker) ?? [];
      list.push(k);
      byKey.set(k.worker, list);
    }
    for (const [key, tasks] of byKey) {
      const workerId = tasks[0]!.workerId;
      const idx = h.workers.add(placeholder(workerId, key, startedAt));
      if (idx < 0) continue; // not reached: fitPlan keeps no more old worker keys than the table has room for
      h.workers.invalidate(idx);
      const n = tasks.length, names = new Int32Array(n), attempts = new Int32Array(n), handles = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        names[i] = h.names.indexOf(tasks[i]!.name);
        attempts[i] = tasks[i]!.attempt;
      }
      const admitted = t.admit(names, attempts, n, handles);
      const now = h.clock.now();
      for (let i = 0; i < admitted; i++) {
        const k = tasks[i]!;
        // Running on a worker already: its run is timed from now (A5).
        h.slots.set(handles[i]!, k.seq, k.taskId, k.body, k.failures, now);
        this.#handles.set(k.taskId, handles[i]!);
        this.#seqs.add(k.seq);
      }
      t.assign(handles.subarray(0, admitted), new Int32Array(admitted).fill(idx), admitted);
      const list = this.#waiting.get(workerId) ?? [];
      list.push(idx);
      this.#waiting.set(workerId, list);
    }
    const left = Math.max(0, startedAt + h.settings.livenessTimeoutMs - h.clock.now());
    if (this.#waiting.size > 0 || this.#expected.size > 0) h.timers.once("adoption", left, () => this.#expire());
    const deferred = this.#deferred ?? [];
    this.#deferred = null;
    return deferred.filter((w) => h.currentWorker(w.workerId) === w);
  }

  /**
   * B28: a worker registered. When it is expected back with tasks, its new
   * incarnation takes the placeholder's index with the tasks it lists at
   * their attempts; the others (and any other old incarnation's) fail over.
   * Returns that index, -1 when it is held back until it hands its tasks over
   * (B36), or undefined when it had nothing kept.
   */
  claim(w: WorkerInfo): number | undefined {
    const h = this.#h;
    this.#expected.delete(w.workerId);
    this.#pending.delete(w.workerId);
    const list = this.#waiting.get(w.workerId);
    if (!list) return undefined;
    const held = w.held?.get(h.instanceId);
    // B36: registered before a takeover, listing nothing: it may still hand its kept tasks over.
    if (held === undefined && !w.listed && this.#present.has(w)) {
      this.#pending.set(w.workerId, w);
      return -1;
    }
    this.#waiting.delete(w.workerId);
    w.held?.delete(h.instanceId);
    const [idx, ...older] = list as [number, ...number[]];
    for (const o of older) h.shutdown(o, `worker ${w.workerId} came back as one incarnation`);
    const t = h.core.table, keep: number[] = [], drop: number[] = [];
    for (const x of t.scan(idx)) (held?.get(h.slots.taskIdOf(x)) === t.attemptOf(x) ? keep : drop).push(x);
    h.workers.rebind(idx, w);
    // B27: the new incarnation holds them now: one record says so (their rows stay INIT in the store).
    if (keep.length > 0) {
      h.writes.recordDispatch({ workerId: w.workerId, worker: w.key, seqs: keep.map((x) => h.slots.seqOf(x)), attempts: keep.map((x) => t.attemptOf(x)) });
    }
    if (drop.length > 0) this.#failOver(Uint32Array.from(drop), `worker ${w.workerId} came back without task`);
    return idx;
  }

  /**
   * Whether the row `seq` is a kept task, held in this cycle's memory until
   * it ends: a claim from the store that returns it (its row is INIT: kept
   * tasks are not marked in the store, B27) must not admit it a second time,
   * or it would run and be counted twice (X1). The cycle never lets a kept task go before it
   * ends, and the claim marks its row queued, so the row is not claimed again.
   */
  adopted(seq: number): boolean {
    return this.#seqs.has(seq);
  }

  /** Whether worker index `idx` is a placeholder still waiting for its worker (liveness leaves it alone). */
  awaits(idx: number): boolean {
    for (const list of this.#waiting.values()) if (list.includes(idx)) return true;
    return false;
  }

  /**
   * B29: sub-tasks wait rather than all go to the master's own worker while
   * workers the old master used may still come back and none has yet.
   */
  holdsOwnWorker(): boolean {
    const h = this.#h;
    return (this.#waiting.size > 0 || this.#expected.size > 0) && !h.settings.execOnMaster && !h.workers.otherValid();
  }

  /** Reports with each adopted task's handle in this master's table (the worker names the old master's). */
  translate(reports: ReportColumns): ReportColumns {
    if (this.#handles.size === 0) return reports;
    const handles = reports.handles.map((handle, i) => this.#handleOf(reports.taskIds[i]!, handle));
    return { ...reports, handles };
  }

  /** A map batch with its parent's handle in this master's table. */
  translateMap(m: MapBatch): MapBatch {
    const x = this.#handleOf(m.parentTaskId, m.parentHandle);
    return x === m.parentHandle ? m : { ...m, parentHandle: x };
  }

  #handleOf(taskId: string, handle: number): number {
    // The kept task's own handle first: the old master's number may name the same slot at another
    // generation (a slot says which task it holds, not since when), and the core would refuse it.
    const x = this.#handles.get(taskId);
    if (x === undefined) return handle;
    if (this.#h.slots.taskIdOf(x) === taskId) return x;
    this.#handles.delete(taskId); // finished (its slot freed or reused): nothing to translate any more
    return handle;
  }

  /** The wait ended: the tasks of workers that did not come back fail over as a dead worker's (X3). */
  #expire(): void {
    const h = this.#h;
    const waiting = [...this.#waiting];
    const pending = [...this.#pending.values()];
    this.#waiting.clear();
    this.#expected.clear();
    this.#pending.clear();
    for (const [workerId, list] of waiting) {
      for (const idx of list) h.shutdown(idx, `worker ${workerId} did not come back within ${h.settings.livenessTimeoutMs} ms of the master's restart`);
    }
    // B36: held back but never handed anything over: an ordinary worker of the instance from now on.
    for (const w of pending) if (h.currentWorker(w.workerId) === w) h.rejoin(w);
    h.changed();
  }

  /** Some tasks of a claimed placeholder: back to INIT for another attempt, or FAILED with failover off (B15). */
  #failOver(handles: Uint32Array, reason: string): void {
    if (this.#h.settings.failover) requeueTasks(this.#h, handles);
    else failTasks(this.#h, handles, reason);
  }
}

/** The stand-in of an old worker incarnation: never dispatched to, never heard from. */
function placeholder(workerId: string, key: string, now: number): WorkerInfo {
  return {
    workerId, incarnation: -1, key, address: "", slots: 0, load: { freeSlots: 0, cpuFree: null, memFree: null }, lastSeen: now, isMaster: false,
  };
}
