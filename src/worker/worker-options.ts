/** A worker's options: what they are, their defaults, and their validation. */
import type { Clock } from "../runtime/clock.ts";
import { unknownLoad, type LoadProbe } from "../runtime/load-probe.ts";
import type { Transport } from "../protocol/transport.ts";
import type { ProcessorMap } from "../processor/types.ts";
import { processorKind } from "../processor/define.ts";
import { expectInt } from "../errors/validate.ts";
import { ValidationError } from "../errors/validation-error.ts";

/** Options of a worker. */
export interface WorkerOptions {
  /** Stable id of this worker, e.g. "w1@host:port". */
  workerId: string;
  /** Where masters reach this worker. */
  address: string;
  transport: Transport;
  clock: Clock;
  /** Processors by name. */
  processors: ProcessorMap;
  /** Tasks this worker can run at once across instances (a hint for masters). @default 5 */
  slots?: number;
  /** Free CPU/memory readings. @default unknown */
  loadProbe?: LoadProbe;
  /** Heartbeat interval in ms. @default 1000 */
  heartbeatMs?: number;
  /** Wait before resending after a network failure, in ms. @default 500 */
  retryMs?: number;
  /** Most reports in one batch. @default 1000 */
  maxReportBatch?: number;
  /** Largest result in bytes of JSON; a larger one fails its task. @default 65536 */
  maxResultBytes?: number;
  /** Largest report batch in bytes of JSON (keep it under the master's body limit). @default 1 MiB */
  maxReportBytes?: number;
  /** Request timeout in ms. @default 30000 */
  requestTimeoutMs?: number;
  /**
   * A pool with nothing waiting or running and no pull loop this long (ms,
   * on the worker's clock, seen at heartbeats) is freed (M9). @default 300000
   */
  poolIdleMs?: number;
  /** Most bodies a `ctx.map` call sends in one request; a larger call goes in pages (B32). @default 5000 */
  mapPageSize?: number;
  /** About the most JSON a map page carries, in bytes (keep it under the master's body limit, B32). @default 1 MiB */
  mapPageBytes?: number;
}

/** A worker's options with every default filled in. */
export type ResolvedWorkerOptions = Required<Omit<WorkerOptions, "workerId" | "address">>;

/** Checks a worker's options ("field: Expected X, got Y") and fills in the defaults. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  if (typeof options.workerId !== "string" || options.workerId === "") throw new ValidationError("workerId", "a non-empty string", options.workerId);
  if (typeof options.address !== "string" || options.address === "") throw new ValidationError("address", "a non-empty string", options.address);
  for (const [name, p] of Object.entries(options.processors)) {
    if (!processorKind(p)) throw new ValidationError(`processors.${name}`, "an object with process(ctx) and, for MapReduce, reduce(ctx)", p);
  }
  return {
    transport: options.transport,
    clock: options.clock,
    processors: options.processors,
    slots: expectInt("slots", options.slots ?? 5, 1),
    loadProbe: options.loadProbe ?? unknownLoad,
    heartbeatMs: expectInt("heartbeatMs", options.heartbeatMs ?? 1000, 1),
    retryMs: expectInt("retryMs", options.retryMs ?? 500, 1),
    maxReportBatch: expectInt("maxReportBatch", options.maxReportBatch ?? 1000, 1),
    maxResultBytes: expectInt("maxResultBytes", options.maxResultBytes ?? 65_536, 1),
    maxReportBytes: expectInt("maxReportBytes", options.maxReportBytes ?? 2 ** 20, 1024),
    requestTimeoutMs: expectInt("requestTimeoutMs", options.requestTimeoutMs ?? 30_000, 1),
    poolIdleMs: expectInt("poolIdleMs", options.poolIdleMs ?? 300_000, 1),
    mapPageSize: expectInt("mapPageSize", options.mapPageSize ?? 5000, 1),
    mapPageBytes: expectInt("mapPageBytes", options.mapPageBytes ?? 2 ** 20, 1024),
  };
}
