/**
 * The simulated workers: one Web Worker each, joined to the page's master by
 * a MessageChannel that the page's PortTransport routes the worker's address
 * through. Faults act as the real thing would: kill terminates the Web
 * Worker (its address then refuses, like a closed port), cut drops every
 * message to and from it (requests time out, heartbeats stop arriving),
 * slow raises its time per task.
 */
import type { PortTransport } from "../../port-transport.ts";
import type { FromWebWorker, ToWebWorker } from "./control.ts";

/** What became of a worker. */
export type SimWorkerState = "starting" | "alive" | "cut" | "killed";

/** A simulated worker as the page sees it. */
export interface SimWorkerInfo {
  id: string;
  state: SimWorkerState;
  msPerTask: number;
}

/** A fault applied to a worker, for the run's log. */
export interface FaultEvent {
  /** ms since epoch */
  at: number;
  workerId: string;
  kind: "kill" | "cut" | "reconnect" | "speed";
  detail?: string;
}

/** The page's hold on one simulated worker: its Web Worker (the DOM's, not taskmill's Worker) and its registration. */
interface SimWorkerHandle extends SimWorkerInfo {
  webWorker: globalThis.Worker;
  /** Settles once the taskmill Worker inside has registered with the master. */
  joined: Promise<void>;
}

/** Options of a fleet. */
export interface FleetOptions {
  transport: PortTransport;
  /** The master's transport address. */
  master: string;
  /** URL of the bundled sim-web-worker.js. */
  script: URL;
  /** Heartbeat interval of the workers, ms. */
  heartbeatMs: number;
}

/** The Web Workers of the harness. */
export class Fleet {
  readonly #o: FleetOptions;
  readonly #handles = new Map<string, SimWorkerHandle>();
  readonly #listeners = new Set<(e: FaultEvent | null) => void>();

  constructor(o: FleetOptions) {
    this.#o = o;
  }

  /** Workers, in id order. */
  list(): SimWorkerInfo[] {
    return [...this.#handles.values()].map(({ id, state, msPerTask }) => ({ id, state, msPerTask }));
  }

  /** Called on every change; with the fault when the change is one. */
  onChange(fn: (e: FaultEvent | null) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Replaces the fleet with `count` fresh workers ("w1" … "wN") taking
   * `msPerTask` ms per task and `slots` tasks at once; resolves once every
   * one has registered with the master (or after `waitMs`).
   */
  async reset(count: number, msPerTask: number, slots: number, waitMs = 10_000): Promise<void> {
    for (const w of this.#handles.values()) this.#end(w);
    this.#handles.clear();
    for (let i = 1; i <= count; i++) this.#spawn(`w${i}`, msPerTask, slots);
    this.#emit(null);
    const all = Promise.all([...this.#handles.values()].map((w) => w.joined));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`workers did not register within ${waitMs} ms`)), waitMs);
    });
    try {
      await Promise.race([all, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Terminates a worker's Web Worker: it dies mid-task, as a crashed process would. */
  kill(id: string): void {
    const w = this.#handles.get(id);
    if (!w || w.state === "killed") return;
    this.#end(w);
    w.state = "killed";
    this.#emit({ at: Date.now(), workerId: id, kind: "kill" });
  }

  /** Cuts a worker off (every message to and from it is lost), or reconnects it. */
  cut(id: string, on: boolean): void {
    const w = this.#handles.get(id);
    if (!w || w.state === "killed" || w.state === (on ? "cut" : "alive")) return;
    this.#o.transport.fault(id, on ? "drop" : undefined);
    w.state = on ? "cut" : "alive";
    this.#emit({ at: Date.now(), workerId: id, kind: on ? "cut" : "reconnect" });
  }

  /** Sets a worker's time per task (it applies to the tasks it starts next). */
  setSpeed(id: string, msPerTask: number): void {
    const w = this.#handles.get(id);
    if (!w || w.state === "killed") return;
    w.msPerTask = msPerTask;
    w.webWorker.postMessage({ type: "speed", msPerTask } satisfies ToWebWorker);
    this.#emit({ at: Date.now(), workerId: id, kind: "speed", detail: `${msPerTask} ms/task` });
  }

  /** Terminates every worker. */
  close(): void {
    for (const w of this.#handles.values()) this.#end(w);
    this.#handles.clear();
    this.#emit(null);
  }

  #spawn(id: string, msPerTask: number, slots: number): void {
    const webWorker = new globalThis.Worker(this.#o.script, { type: "module", name: `taskmill ${id}` });
    const ch = new MessageChannel();
    this.#o.transport.connect(id, ch.port1);
    let joined!: () => void, failed!: (e: Error) => void;
    const handle: SimWorkerHandle = { id, state: "starting", msPerTask, webWorker, joined: new Promise<void>((res, rej) => { joined = res; failed = rej; }) };
    handle.joined.catch(() => undefined);
    webWorker.onmessage = (e: MessageEvent<FromWebWorker>) => {
      if (e.data.type === "joined") {
        if (handle.state === "starting") handle.state = "alive";
        joined();
        this.#emit(null);
      } else failed(new Error(`${id}: ${e.data.message}`));
    };
    webWorker.onerror = (e) => failed(new Error(`${id}: ${e.message}`));
    const init: ToWebWorker = { type: "init", workerId: id, master: this.#o.master, port: ch.port2, msPerTask, slots, heartbeatMs: this.#o.heartbeatMs };
    webWorker.postMessage(init, [ch.port2]);
    this.#handles.set(id, handle);
  }

  #end(w: SimWorkerHandle): void {
    w.webWorker.terminate();
    this.#o.transport.disconnect(w.id);
  }

  #emit(e: FaultEvent | null): void {
    for (const fn of this.#listeners) fn(e);
  }
}
