const UNITS: ReadonlyArray<[string, number]> = [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]];

/** A duration in ms as people write it: the largest unit that divides it ("5s", "2m", "1d"), else "250ms". */
export function durationText(ms: number): string {
  for (const [u, n] of UNITS) if (ms >= n && ms % n === 0) return `${ms / n}${u}`;
  return `${ms}ms`;
}

/** Why a run that outlived its taskTimeout failed — the same words from the worker and the master (B22). */
export function timedOutMessage(ms: number): string {
  return `timed out after ${durationText(ms)}`;
}
