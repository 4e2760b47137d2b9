/**
 * The worker runtime: registers with masters, runs tasks in a bounded pool
 * per instance, batches status reports, forwards `ctx.map` calls, and honours
 * kills through `ctx.signal`.
 */
import type {
  Addressee, Heartbeat, InstanceSpec, JsonValue, LoadReport, Register, RidingBatch, TaskReport, TaskSpec, WorkerMessage, WorkerRef, StartBatch, NotifyPull,
} from "../protocol/messages.ts";
import { refuse, type Reply, type Refusal } from "../protocol/replies.ts";
import { TransportError } from "../protocol/transport.ts";
import type { ProcessorMap, TaskContext } from "../processor/types.ts";
import type { ResultRow } from "../store/task-store.ts";
import { type Link, newLink } from "./master-link.ts";
import { flushReports } from "./report-flush.ts";
import { thrown, toOutcome, type Outcome } from "./outcome.ts";
import { errorMessage } from "../errors/error-message.ts";
import { runPostProcess, runReduce } from "./end-of-instance.ts";
import { timedOutMessage } from "../runtime/duration-text.ts";
import { Pool, TaskRun } from "./pool.ts";
import { LazyAbort } from "./lazy-abort.ts";
import { heldTasks } from "./held-tasks.ts";
import { adriftInstances, Handover } from "./handover.ts";
import { MAX_HELD } from "../protocol/messages.ts";
import { sendMap } from "./map-pages.ts";
import { tasksOf } from "../protocol/columns.ts";
import { pullLoop } from "./pull-loop.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { sameKey } from "../runtime/random-key.ts";
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from "./worker-options.ts";

export type { WorkerOptions };

/** A worker: runs the tasks masters give it. */
export class Worker {
  readonly workerId: string;
  readonly address: string;
  readonly #o: ResolvedWorkerOptions;
  readonly #links = new Map<string, Link>();
  readonly #pools = new Map<string, Pool>();
  /** B36: hands pools whose master stopped answering to the master that took their instance over. */
  readonly #handover: Handover;
  #unserve: (() => void) | null = null;
  #closed = false;

  constructor(options: WorkerOptions) {
    this.#o = resolveWorkerOptions(options);
    this.workerId = options.workerId;
    this.address = options.address;
    this.#unserve = this.#o.transport.serve(this.address, "worker", (m) => this.#handle(m));
    this.#handover = new Handover({
      transport: this.#o.transport, requestTimeoutMs: this.#o.requestTimeoutMs, pools: this.#pools, links: this.#links,
      ref: (l) => this.#ref(l), load: () => this.#load(), instancesOf: (a) => this.#instancesOf(a),
      refusedAs: (l, sent, code) => this.#refusedAs(l, sent, code), scheduleFlush: (l) => this.#scheduleFlush(l),
    });
  }

  /** Processors this worker runs. */
  get processors(): ProcessorMap { return this.#o.processors; }

  /** Instances this worker holds a pool for. */
  get instances(): string[] { return [...this.#pools.keys()]; }

  /** Reports waiting to be sent, over every master (0 once all were acknowledged). */
  get pendingReports(): number {
    let n = 0;
    for (const l of this.#links.values()) n += l.reports.size;
    return n;
  }

  /** Tasks running now, over every pool. */
  get running(): number {
    let n = 0;
    for (const p of this.#pools.values()) n += p.running.size;
    return n;
  }

  /**
   * Registers with a master and starts heartbeats to it. `ownKey`: given by a master to its
   * own in-process worker, the proof that lets it register under the master's own worker id (H17).
   */
  async join(master: string, options: { ownKey?: string } = {}): Promise<void> {
    if (this.#links.has(master)) return;
    const link = newLink(master, options.ownKey);
    this.#links.set(master, link);
    try {
      await this.#register(link);
    } catch (e) {
      this.#links.delete(master); // refused: a later join may try again
      throw e;
    }
    this.#scheduleHeartbeat(link);
  }

  /** Stops: no more heartbeats, reports or tasks; running tasks are aborted. */
  close(): void {
    this.#closed = true;
    this.#unserve?.();
    this.#unserve = null;
    for (const l of this.#links.values()) if (l.heartbeat !== undefined) this.#o.clock.clearTimeout(l.heartbeat);
    for (const p of this.#pools.values()) this.#closePool(p, "worker stopped");
    this.#pools.clear();
  }

  #load(): LoadReport {
    let held = 0;
    for (const p of this.#pools.values()) held += p.held;
    const l = this.#o.loadProbe.sample();
    return { freeSlots: Math.max(0, this.#o.slots - held), cpuFree: l.cpuFree, memFree: l.memFree };
  }

  async #register(link: Link): Promise<void> {
    if (link.registering) return link.registering;
    link.registering = (async () => {
      // Yield first, so `registering` is set before the request leaves: the master may address the
      // new incarnation (start, notifyPull) before its reply reaches us, and such a message waits for it.
      await Promise.resolve();
      // B28: the most held tasks listed; halved while the master finds the registration too large.
      let cap = MAX_HELD;
      for (;;) {
        if (this.#closed) return;
        try {
          const msg: Register = { type: "register", workerId: this.workerId, address: this.address, slots: this.#o.slots, load: this.#load() };
          if (link.ownKey !== undefined) msg.ownKey = link.ownKey;
          // B28: coming back to a master (it restarted, or superseded us), list what we still hold for it.
          // Listed even when empty: the master then knows this registration accounts for all we hold (B36).
          if (link.incarnation >= 0) msg.held = heldTasks(this.#pools.values(), [link.reports, link.sending, ...link.carried], link.address, cap);
          const held = msg.held ?? [];
          const r = await this.#o.transport.request(link.address, msg, { timeoutMs: this.#o.requestTimeoutMs });
          if (r.ok) {
            // W4: riding batch ids are the master's; a new incarnation (the master may have restarted) starts afresh.
            link.lastBatch = 0;
            link.ackOwed = false;
            link.nacks = [];
            link.incarnation = r.incarnation;
            link.secret = r.secret;
            link.credential = r.credential;
            return;
          }
          // Over the master's body limit: list fewer (the rest fail over there), down to none.
          if (r.code === "too_large" && held.length > 0) { cap = Math.floor(held.length / 2); continue; }
          // Joining: the caller learns why. Re-registering (from a heartbeat, a report, a pull): no
          // caller to tell, and a throw there was an unhandled rejection; try again a heartbeat later.
          if (link.incarnation < 0) throw new Error(`master ${link.address} refused registration: ${r.error}`);
          await this.#sleep(this.#o.heartbeatMs);
        } catch (e) {
          if (!(e instanceof TransportError)) throw e;
          await this.#sleep(this.#o.retryMs);
        }
      }
    })().finally(() => { link.registering = null; });
    return link.registering;
  }

  #ref(link: Link): WorkerRef {
    return { workerId: this.workerId, incarnation: link.incarnation, secret: link.secret };
  }

  /**
   * The master refused incarnation `sent` (B28: `unregistered`, it restarted;
   * B30: `superseded`, it declared us dead or another registration replaced
   * us). Registers again at once — once per incarnation, however many
   * requests were refused — after dropping, when superseded, everything
   * still queued or unreported for that master: none of it could count.
   */
  async #refusedAs(link: Link, sent: number, code: "unregistered" | "superseded"): Promise<void> {
    if (sent !== link.incarnation) return void await link.registering?.catch(() => undefined);
    if (code === "superseded") this.#dropWork(link, "superseded by the master");
    await this.#register(link);
  }

  /** B30: closes this master's pools (queued tasks dropped, running ones aborted, unreported) and its waiting reports. */
  #dropWork(link: Link, reason: string): void {
    for (const [id, p] of this.#pools) {
      if (p.master !== link.address) continue;
      this.#closePool(p, reason);
      this.#pools.delete(id);
    }
    link.reports.clear();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((r) => this.#o.clock.setTimeout(r, ms));
  }

  #scheduleHeartbeat(link: Link): void {
    if (this.#closed) return;
    link.heartbeat = this.#o.clock.setTimeout(() => {
      void this.#heartbeat(link).finally(() => this.#scheduleHeartbeat(link));
    }, this.#o.heartbeatMs);
  }

  /** The instances this worker holds a pool for with master `address`. */
  #instancesOf(address: string): string[] {
    return [...this.#pools.values()].filter((p) => p.master === address).map((p) => p.spec.instanceId);
  }

  async #heartbeat(link: Link): Promise<void> {
    this.#freeIdlePools(link.address);
    if (link.registering) return;
    const msg: Heartbeat = { type: "heartbeat", worker: this.#ref(link), load: this.#load(), instances: this.#instancesOf(link.address) };
    // B36: ask this master who runs the instances whose own master stopped answering.
    const adrift = link.incarnation < 0 ? [] : adriftInstances(this.#pools.values(), this.#links, link);
    if (adrift.length > 0) msg.adrift = adrift;
    try {
      const sent = link.incarnation;
      const r = await this.#o.transport.request(link.address, msg, { timeoutMs: this.#o.requestTimeoutMs });
      link.unanswered = 0;
      if (r.ok && r.owners !== undefined) await this.#handover.handOver(r.owners);
      else if (!r.ok && (r.code === "unregistered" || r.code === "superseded")) await this.#refusedAs(link, sent, r.code);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      link.unanswered++;
    }
  }

  /** M9: frees this master's pools idle for poolIdleMs — ones a master never came back to (or a forged batch made). */
  #freeIdlePools(master: string): void {
    const now = this.#o.clock.now();
    for (const [id, p] of this.#pools) {
      if (p.master === master && p.idleFor(now, this.#o.poolIdleMs)) { this.#closePool(p, "idle"); this.#pools.delete(id); }
    }
  }

  // ---- messages from masters ----

  async #handle(m: WorkerMessage): Promise<Reply> {
    if (this.#closed) return refuse("not_running", "worker is stopping");
    const link = this.#links.get(m.master);
    if ((m.type === "start" || m.type === "notifyPull") && link?.registering
      && (link.incarnation !== m.worker.incarnation || !sameKey(link.credential, m.credential))) {
      // Addressed to an incarnation we are still being given (by a master whose credential may be
      // new, as after its restart): wait for the registration's reply.
      await link.registering.catch(() => undefined);
      if (this.#closed) return refuse("not_running", "worker is stopping");
    }
    // H16: only a master this worker registered with, under the address it registered with, commands it.
    if (!link || !sameKey(link.credential, m.credential)) {
      return refuse("forbidden", `credential: not the credential of ${m.master} as this worker registered with it`, "credential");
    }
    switch (m.type) {
      case "start": return this.#start(m);
      case "notifyPull": return this.#notifyPull(m);
      case "killTask": {
        const p = this.#pools.get(m.instanceId);
        if (p) this.#killTask(p, m.taskId, m.reason);
        return { ok: true };
      }
      case "killInstance": {
        const p = this.#pools.get(m.instanceId);
        if (p) {
          for (const t of p.waiting.drain()) this.#finish(p, t, { status: "FAILED", result: `killed: ${m.reason}` });
          for (const taskId of [...p.running.keys()]) this.#killTask(p, taskId, m.reason);
        }
        return { ok: true };
      }
      case "destroyPool": {
        const p = this.#pools.get(m.instanceId);
        if (p) { this.#closePool(p, "pool destroyed"); this.#pools.delete(m.instanceId); }
        return { ok: true };
      }
    }
  }

  /** The pool for an instance cycle, or a refusal when the master addresses an old incarnation. */
  #poolFor(master: string, spec: InstanceSpec, ref: Addressee): Pool | Refusal {
    const link = this.#links.get(master);
    if (!link || link.incarnation !== ref.incarnation || ref.workerId !== this.workerId) {
      return refuse("not_running", `worker ${this.workerId} is not incarnation ${ref.incarnation} for ${master}`);
    }
    if (!this.#o.processors[spec.processor]) return refuse("rejected", `processor not loaded on this worker: ${spec.processor}`, "instance.processor");
    let p = this.#pools.get(spec.instanceId);
    // B36: the master the pool is being handed to adopted its tasks before it addresses us about them.
    if (p && p.master !== master) this.#handover.arrived(p, master, spec.fence ?? 0);
    if (p && p.master !== master) {
      // Another master took the instance over (X3): the newer fencing token's pool wins; the deposed
      // master's tasks here were failed over by the new owner, so they are aborted, not reported.
      if ((spec.fence ?? 0) < (p.spec.fence ?? 0)) {
        return refuse("rejected", `instance ${spec.instanceId} is owned by ${p.master} now (fencing token ${p.spec.fence ?? 0} > ${spec.fence ?? 0})`, "instance.fence");
      }
      this.#closePool(p, `taken over by ${master}`);
      p = undefined;
    } else if (p && p.spec.serialNum !== spec.serialNum) {
      // A new cycle of a recurring job replaces the old cycle's pool.
      this.#closePool(p, "new cycle");
      p = undefined;
    }
    if (!p) {
      // M7: params travel once per pool; a batch without them for a pool this worker does not hold
      // (never had, or freed, M9) asks the master for them before any task is taken.
      if (spec.params === undefined) return refuse("params_needed", `worker ${this.workerId} holds no pool for instance ${spec.instanceId} cycle ${spec.serialNum}: send params`, "instance.params");
      p = new Pool(spec, master, this.#o.slots);
      this.#pools.set(spec.instanceId, p);
    }
    return p;
  }

  #start(m: StartBatch): Reply {
    const n = m.tasks.handles.length;
    if (n === 0) return { ok: true, accepted: 0 }; // M8: nothing to run makes no pool
    const p = this.#poolFor(m.master, m.instance, m.worker);
    if (!(p instanceof Pool)) return p;
    p.waiting.pushAll(tasksOf(m.tasks));
    this.#drain(p);
    return { ok: true, accepted: n };
  }

  /** W4: a batch that rode on the reply to a report sent as incarnation `sent`: taken as a start batch is. */
  #accept(link: Link, sent: number, b: RidingBatch): Refusal | null {
    if (this.#closed) return refuse("not_running", "worker is stopping");
    if (b.tasks.handles.length === 0) return null;
    const p = this.#poolFor(link.address, b.instance, { workerId: this.workerId, incarnation: sent });
    if (!(p instanceof Pool)) return p;
    p.waiting.pushAll(tasksOf(b.tasks));
    this.#drain(p);
    return null;
  }

  #notifyPull(m: NotifyPull): Reply {
    const p = this.#poolFor(m.master, m.instance, m.worker);
    if (!(p instanceof Pool)) return p;
    if (!p.pulling) {
      p.pulling = true;
      const o = this.#o;
      void pullLoop({
        transport: o.transport, clock: o.clock, requestTimeoutMs: o.requestTimeoutMs, retryMs: o.retryMs, maxReportBatch: o.maxReportBatch,
        maxReportBytes: o.maxReportBytes, closed: () => this.#closed, link: (address) => this.#links.get(address)!, ref: (l) => this.#ref(l),
        drain: (pool) => this.#drain(pool), sleep: (ms) => this.#sleep(ms), refusedAs: (l, sent, code) => this.#refusedAs(l, sent, code),
        scheduleFlush: (l) => this.#scheduleFlush(l),
      }, p, m.pageSize);
    }
    return { ok: true };
  }


  #closePool(p: Pool, reason: string): void {
    p.closed.abort(reason);
    p.waiting.clear();
    for (const ac of p.running.values()) ac.abort(reason);
    p.wake?.();
  }

  #killTask(p: Pool, taskId: string, reason: string): void {
    const waiting = p.waiting.removeFirst((t) => t.taskId === taskId);
    if (waiting) {
      this.#finish(p, waiting, { status: "FAILED", result: `killed: ${reason}` });
      return;
    }
    const ac = p.running.get(taskId);
    if (!ac) return;
    ac.abort(reason);
  }

  #drain(p: Pool): void {
    while (p.running.size < p.limit && p.waiting.size > 0 && !p.closed.signal.aborted) {
      const t = p.waiting.shift()!;
      void this.#run(p, t);
    }
  }

  async #run(p: Pool, t: TaskSpec): Promise<void> {
    const ac = new TaskRun(t);
    p.running.set(t.taskId, ac);
    // Its RUNNING report is made by the next flush, if it is still running then.
    p.unreported.push(ac);
    const link = this.#links.get(p.master);
    if (link) this.#scheduleFlush(link);
    const started = this.#o.clock.now();
    const outcome = await this.#execute(p, t, ac, p.spec.taskTimeout);
    if (p.running.get(t.taskId) !== ac) return; // timed out before (and reported then), or its pool closed
    outcome.runMs = Math.max(0, Math.round(this.#o.clock.now() - started));
    p.running.delete(t.taskId);
    if (ac.aborted && !p.closed.signal.aborted) {
      this.#finish(p, t, { status: "FAILED", result: `killed: ${String(ac.reason)}`, error: { message: `killed: ${String(ac.reason)}` }, runMs: outcome.runMs });
    } else if (!p.closed.signal.aborted) {
      this.#finish(p, t, outcome);
    }
    p.wake?.();
    this.#drain(p);
  }

  /**
   * B22: a run still going `ms` after it started is aborted through
   * ctx.signal and fails as timed out at once — its slot freed, even if the
   * processor ignores the signal and never returns (what it returns later
   * is dropped).
   */
  #timeOut(p: Pool, t: TaskSpec, ac: TaskRun, ms: number): void {
    if (p.running.get(t.taskId) !== ac) return;
    const why = timedOutMessage(ms);
    ac.abort(why);
    p.running.delete(t.taskId);
    if (!p.closed.signal.aborted) this.#finish(p, t, { status: "FAILED", result: why, error: { message: why }, runMs: ms });
    p.wake?.();
    this.#drain(p);
  }

  async #execute(p: Pool, t: TaskSpec, abort: TaskRun, timeoutMs: number | undefined): Promise<Outcome> {
    const processor = this.#o.processors[p.spec.processor]!;
    let mapCall = 0;
    // ROOT's body is the params; either way the object is one of TaskContext's two shapes.
    const ctx = {
      instanceId: p.spec.instanceId,
      params: p.spec.params ?? null, // a pool is made only with params (M7)
      taskId: t.taskId,
      taskName: t.name,
      body: t.body,
      isRoot: t.name === "ROOT",
      attempt: t.attempt,
      serialNum: p.spec.serialNum,
      get signal() { return abort.signal; },
      map: (bodies: readonly JsonValue[], taskName: string) => this.#map(p, t, mapCall++, bodies, taskName, abort),
    } as TaskContext;
    const clock = this.#o.clock;
    const timer = timeoutMs === undefined ? undefined : clock.setTimeout(() => this.#timeOut(p, t, abort, timeoutMs), timeoutMs);
    try {
      return toOutcome(await processor.process(ctx), "process", this.#o.maxResultBytes);
    } catch (e) {
      return { status: "FAILED", result: errorMessage(e), error: thrown(e) };
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
  }

  async #map(p: Pool, t: TaskSpec, mapCall: number, bodies: readonly JsonValue[], taskName: string, signal: LazyAbort): Promise<boolean> {
    if (!Array.isArray(bodies)) throw new ValidationError("bodies", "an array of JSON values", bodies);
    if (typeof taskName !== "string" || taskName === "" || taskName === "ROOT" || taskName === "REDUCE") {
      throw new ValidationError("taskName", 'a non-empty name other than "ROOT" and "REDUCE"', taskName);
    }
    // The pool's master at each page: another may adopt the pool while the call goes on (B36).
    const link = () => this.#links.get(p.master)!, o = this.#o;
    return sendMap({
      ref: () => this.#ref(link()),
      request: (msg) => o.transport.request(p.master, msg, { timeoutMs: o.requestTimeoutMs }),
      incarnation: () => link().incarnation,
      refusedAs: (sent, code) => this.#refusedAs(link(), sent, code),
      sleep: (ms) => this.#sleep(ms),
      retryMs: o.retryMs, pageSize: o.mapPageSize, pageBytes: o.mapPageBytes,
    }, {
      instanceId: p.spec.instanceId, serialNum: p.spec.serialNum, parentTaskId: t.taskId, parentHandle: t.handle,
      parentAttempt: t.attempt, mapCall, taskName,
    }, bodies, signal);
  }

  #finish(p: Pool, t: TaskSpec, o: Outcome): void {
    this.#report(p, t, o.status, o.result, o.error, o.runMs);
  }

  #report(p: Pool, t: TaskSpec, status: TaskReport["status"], result?: JsonValue, error?: TaskReport["error"], runMs?: number): void {
    const link = this.#links.get(p.master);
    if (!link) return;
    const r: TaskReport = { instanceId: p.spec.instanceId, serialNum: p.spec.serialNum, handle: t.handle, taskId: t.taskId, attempt: t.attempt, status };
    if (result !== undefined) r.result = result;
    if (error !== undefined) r.error = error;
    if (runMs !== undefined) r.runMs = runMs;
    link.reports.add(r);
    this.#scheduleFlush(link);
  }

  #scheduleFlush(link: Link): void {
    if (link.flushScheduled || link.flushing) return;
    link.flushScheduled = true;
    queueMicrotask(() => { link.flushScheduled = false; void this.#flush(link); });
  }

  #flush(link: Link): Promise<void> {
    const o = this.#o;
    return flushReports({
      transport: o.transport, maxReportBatch: o.maxReportBatch, maxReportBytes: o.maxReportBytes, requestTimeoutMs: o.requestTimeoutMs,
      retryMs: o.retryMs, closed: () => this.#closed, pools: () => this.#pools.values(), ref: (l) => this.#ref(l), load: () => this.#load(),
      sleep: (ms) => this.#sleep(ms), refusedAs: (l, sent, code) => this.#refusedAs(l, sent, code), report: (p, t, status) => this.#report(p, t, status),
      strays: (l) => this.#handover.strays(l), accept: (l, sent, b) => this.#accept(l, sent, b),
    }, link);
  }

  // ---- run on the master's own worker ----

  /** Runs `reduce` of a MapReduce processor (the master's own worker, B16). */
  reduce(spec: InstanceSpec, status: "SUCCESS" | "FAILED", results: AsyncIterable<ResultRow>, signal: AbortSignal): Promise<Outcome> {
    return runReduce(this.#o.processors, this.#o.maxResultBytes, spec, status, results, signal);
  }

  /** Runs `postProcess` of a Map processor, if it has one (B16). */
  postProcess(spec: InstanceSpec, status: "SUCCESS" | "FAILED", results: AsyncIterable<ResultRow>, signal: AbortSignal): Promise<void> {
    return runPostProcess(this.#o.processors, spec, status, results, signal);
  }
}
