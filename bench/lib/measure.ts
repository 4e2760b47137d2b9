// The timing loop: two contenders measured in the same process, interleaved,
// warm-up first, the median of several rounds each. Rounds alternate which
// contender goes first, so drift (thermal, a neighbour's load) hits both alike.

/** One step of work; returns how many items (tasks) it handled. */
export type Step = () => number;

/** Items per second of each round, per contender, and the medians. */
export interface PairResult {
  aRounds: number[];
  bRounds: number[];
  /** Median items/s of contender a. */
  a: number;
  /** Median items/s of contender b. */
  b: number;
}

/** How many steps run between two clock reads: enough that reading the clock costs < 1 %. */
const CHECK_MS = 0.5;

/** Runs `step` for at least `minMs`, checking the clock every `every` steps; returns items/s. */
function timed(step: Step, minMs: number, every: number): number {
  let items = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    for (let i = 0; i < every; i++) items += step();
    t = performance.now();
  } while (t - t0 < minMs);
  return (items * 1000) / (t - t0);
}

/** Steps per clock read so that a chunk lasts about CHECK_MS. */
function calibrate(step: Step): number {
  let every = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < every; i++) step();
    const ms = performance.now() - t0;
    if (ms >= CHECK_MS || every >= 1 << 20) return Math.max(1, Math.round((every * CHECK_MS) / Math.max(ms, 1e-6)));
    every *= 2;
  }
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Measures two steps fairly: `warmupMs` of alternating warm-up, then `rounds`
 * rounds of at least `roundMs` each, alternating which goes first.
 */
export function measurePair(a: Step, b: Step, o: { rounds: number; roundMs: number; warmupMs: number }): PairResult {
  const slice = o.warmupMs / 4;
  for (let i = 0; i < 2; i++) {
    timed(a, slice, 1);
    timed(b, slice, 1);
  }
  const everyA = calibrate(a), everyB = calibrate(b);
  const aRounds: number[] = [], bRounds: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    if (r % 2 === 0) {
      aRounds.push(timed(a, o.roundMs, everyA));
      bRounds.push(timed(b, o.roundMs, everyB));
    } else {
      bRounds.push(timed(b, o.roundMs, everyB));
      aRounds.push(timed(a, o.roundMs, everyA));
    }
  }
  return { aRounds, bRounds, a: median(aRounds), b: median(bRounds) };
}

/** Spread of rounds around their median, as a fraction: (max - min) / median. */
export function spread(xs: readonly number[]): number {
  return (Math.max(...xs) - Math.min(...xs)) / median(xs);
}
