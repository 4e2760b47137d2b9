/**
 * Control messages between the page and a simulated worker's Web Worker:
 * the fleet's own channel (the Web Worker's postMessage), apart from the taskmill
 * transport, which runs over the MessagePort handed over in `init`.
 */

/** Page → Web Worker. */
export type ToWebWorker =
  | {
    type: "init";
    workerId: string;
    /** The master's transport address. */
    master: string;
    /** The worker's end of its MessageChannel with the page. */
    port: MessagePort;
    msPerTask: number;
    slots: number;
    heartbeatMs: number;
  }
  | { type: "speed"; msPerTask: number };

/** Web Worker → page. */
export type FromWebWorker =
  | { type: "joined"; workerId: string }
  | { type: "error"; workerId: string; message: string };
