/**
 * Entry of one simulated worker's Web Worker: a real taskmill Worker that
 * reaches the page's master through a PortTransport over the MessagePort the
 * page sends in `init`. `speed` changes how long each LEAF task takes.
 */
import { PortTransport } from "../../port-transport.ts";
import { RealClock } from "../../../../src/runtime/clock.ts";
import { Worker } from "../../../../src/worker/worker.ts";
import type { FromWebWorker, ToWebWorker } from "./control.ts";
import { simJob } from "./processor.ts";

/** The part of DedicatedWorkerGlobalScope used here (tsconfig has the DOM lib, not the webworker one). */
interface Scope {
  onmessage: ((e: MessageEvent<ToWebWorker>) => void) | null;
  postMessage(m: FromWebWorker): void;
}

const scope = globalThis as unknown as Scope;
let msPerTask = 0;
/** The taskmill Worker this Web Worker runs; one per Web Worker, made by the first init. */
let taskmillWorker: Worker | null = null;

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === "speed") {
    msPerTask = m.msPerTask;
    return;
  }
  if (taskmillWorker) return;
  msPerTask = m.msPerTask;
  const clock = new RealClock();
  const transport = new PortTransport(clock, { timeoutMs: 5000 });
  transport.connect(m.master, m.port);
  taskmillWorker = new Worker({
    workerId: m.workerId, address: m.workerId, transport, clock, slots: m.slots, heartbeatMs: m.heartbeatMs,
    requestTimeoutMs: 5000, processors: { sim: simJob(() => msPerTask) },
  });
  taskmillWorker.join(m.master).then(
    () => scope.postMessage({ type: "joined", workerId: m.workerId }),
    (err: unknown) => scope.postMessage({ type: "error", workerId: m.workerId, message: String(err) }),
  );
};
