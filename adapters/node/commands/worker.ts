import { startWorker } from "../start-worker.ts";

/** Options of `taskmill worker`, the flags' values parsed (startWorker's, start-worker.ts: one path for both). */
export interface WorkerCommandOptions {
  /** The masters to join (one, or several sharing a store); the worker serves them all. */
  masters: string[];
  /** Path of the processor module. */
  processors: string;
  /** Tasks run at once (a hint for masters). */
  slots: number;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  host: string;
  /** Worker id. @default host:port */
  id?: string;
  token?: string;
  heartbeatMs?: number;
  /** Listen on a non-loopback host without a token, with a warning (H5). @default false */
  insecure?: boolean;
  /** Host names besides --host and loopback that masters' requests may carry (H4). @default none */
  allowHosts?: readonly string[];
}

/**
 * Starts a worker as the command does (its ready line as JSON on stdout,
 * notices on stderr). Resolves with its stop function.
 */
export async function runWorker(o: WorkerCommandOptions): Promise<() => Promise<void>> {
  const { masters, ...rest } = o;
  const w = await startWorker({ ...rest, master: masters, log: (e) => console.log(JSON.stringify(e)), warn: (msg) => console.error(msg) });
  return w.close;
}
