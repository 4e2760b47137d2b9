// What every peer of the `peers` suite looks like, and the helpers they share.
// A peer is one file in bench/peers/ exporting `run` and `cleanup`; one
// measurement runs in a fresh process (bench/peers/child.ts), so peak RSS and
// warm state never carry over from the previous measurement.

/** The service a peer needs. */
export type PeerService = "redis" | "postgres";

/** What the suite knows about a peer before running it. */
export interface PeerInfo {
  /** Name in the results: "bullmq", "pg-boss". */
  name: string;
  /** File in bench/peers/ (without extension) exporting `run` and `cleanup`. */
  module: string;
  service: PeerService;
  /** How its workers run, for the results: process layout and settings. */
  workers: string;
}

/** One measurement of one peer: a parent with `n` no-op children summed at the end. */
export interface PeerMeasure {
  n: number;
  /** Add (fan-out) → parent done, in seconds. */
  seconds: number;
  /** What the parent computed: the sum of the children's results; must be n. */
  sum: number;
  /** Peak RSS of the producer process (sampled), in MB. */
  peakRssMB: number;
  /** Peak RSS of a separate worker process, when the peer has one, in MB. */
  workerPeakRssMB: number | null;
  /** CPU seconds (user + system) the producer process used from add to parent done; robust to a loaded machine, unlike `seconds`. */
  cpuSeconds: number;
  /** CPU seconds of the separate worker process over the same window, when the peer has one. */
  workerCpuSeconds: number | null;
  /** Seconds until the fan-out call returned (flow add / children inserted). */
  addSeconds: number;
  /** Server name and version, e.g. "Redis 7.0.15". */
  server: string;
}

/** A peer module: bench/peers/NAME.ts. */
export interface PeerModule {
  /**
   * Runs one measurement against the service at `url`, keeping every key,
   * queue or schema under `tag`, and removes them before returning.
   */
  run(n: number, url: string, tag: string): Promise<PeerMeasure>;
  /** Removes whatever a failed run left under `tag`. */
  cleanup(url: string, tag: string): Promise<void>;
}

const MB = 1024 * 1024;

/** Samples `process.memoryUsage.rss()` every `everyMs` until stopped; `stop()` gives the peak in MB. */
export function rssSampler(everyMs = 10): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return Math.round((peak / MB) * 10) / 10;
    },
  };
}

/** CPU seconds (user + system) this process used since `from` (a `process.cpuUsage()`). */
export function cpuSecondsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

/** Throws unless the parent summed every child. */
export function checkSum(peer: string, sum: unknown, n: number): number {
  if (sum !== n) throw new Error(`${peer}: the parent summed ${String(sum)}, expected ${n}`);
  return sum;
}
