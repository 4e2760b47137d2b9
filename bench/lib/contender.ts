// A contender whose step runs in a worker thread of its own: its own V8
// isolate, so its JIT state and process-wide V8 protectors are its own.
// Why that matters for the core suite: growing a WebAssembly.Memory detaches
// the old ArrayBuffer, which permanently switches off V8's "no ArrayBuffer was
// ever detached" fast path for every typed-array access in that isolate; the
// WASM core grows its memory once when it allocates its arenas, and the twin,
// run in the same isolate, then pays for it (measured in bench/RESULTS.md).
import { Worker } from "node:worker_threads";
import type { Contender } from "./measure.ts";

/** What the worker is told to load: `factory` exported by `module` builds a step from `spec`. */
export interface StepSource {
  /** URL of the compiled module exporting the factory. */
  module: string;
  /** Name of the export: `(spec, engine) => Step`. */
  factory: string;
}

type Request =
  | { type: "setup"; spec: unknown; engine: string }
  | { type: "warm"; ms: number }
  | { type: "calibrate" }
  | { type: "round"; ms: number; every: number };

type Reply = { ok: true; value: number } | { ok: false; error: string };

/** One worker thread running one engine's steps, one request at a time. */
export class WorkerContender implements Contender {
  readonly #worker: Worker;
  #pending: ((r: Reply) => void) | null = null;
  #failure: Error | null = null;

  constructor(source: StepSource) {
    this.#worker = new Worker(new URL("./contender-worker.js", import.meta.url), { workerData: source });
    this.#worker.on("message", (r: Reply) => this.#settle(r));
    this.#worker.on("error", (e) => this.#settle({ ok: false, error: e.stack ?? e.message }));
    this.#worker.on("exit", (code) => this.#settle({ ok: false, error: `bench worker exited with code ${code}` }));
  }

  #settle(r: Reply): void {
    const p = this.#pending;
    this.#pending = null;
    if (!r.ok) this.#failure ??= new Error(r.error);
    p?.(r);
  }

  #ask(req: Request): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#pending) return Promise.reject(new Error("bench worker: one request at a time"));
    return new Promise((resolve, reject) => {
      this.#pending = (r) => (r.ok ? resolve(r.value) : reject(new Error(r.error)));
      this.#worker.postMessage(req);
    });
  }

  /** Builds the step for `spec` on `engine` in the worker (replacing the previous one). */
  async setup(spec: unknown, engine: string): Promise<void> {
    await this.#ask({ type: "setup", spec, engine });
  }
  async warm(ms: number): Promise<void> { await this.#ask({ type: "warm", ms }); }
  calibrate(): Promise<number> { return this.#ask({ type: "calibrate" }); }
  round(ms: number, every: number): Promise<number> { return this.#ask({ type: "round", ms, every }); }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.#worker.removeAllListeners("exit");
    await this.#worker.terminate();
  }
}
