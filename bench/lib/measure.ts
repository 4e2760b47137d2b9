// The timing loop: two contenders measured in the same run, interleaved,
// warm-up first, the median of several rounds each. Rounds alternate which
// contender goes first, so drift (thermal, a neighbour's load) hits both alike.
// A contender runs its step either in this thread or in a worker thread of
// its own (see contender.ts); the timing itself always happens next to the step.

/** One step of work; returns how many items (tasks) it handled. */
export type Step = () => number;

/** How long a stretch of steps between two clock reads lasts: reading the clock then costs < 1 %. */
const CHECK_MS = 0.5;

/** Runs `step` for at least `minMs`, reading the clock every `every` steps; returns items/s. */
export function timed(step: Step, minMs: number, every: number): number {
  let items = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    for (let i = 0; i < every; i++) items += step();
    t = performance.now();
  } while (t - t0 < minMs);
  return (items * 1000) / (t - t0);
}

/** Steps per clock read so that a stretch lasts about CHECK_MS. */
export function calibrate(step: Step): number {
  let every = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < every; i++) step();
    const ms = performance.now() - t0;
    if (ms >= CHECK_MS || every >= 1 << 20) return Math.max(1, Math.round((every * CHECK_MS) / Math.max(ms, 1e-6)));
    every *= 2;
  }
}

/** A step that can be warmed up, calibrated and timed, wherever it runs. */
export interface Contender {
  /** Runs the step for about `ms` without measuring. */
  warm(ms: number): Promise<void>;
  /** Steps per clock read (see `calibrate`). */
  calibrate(): Promise<number>;
  /** One measured round of at least `ms`; items/s. */
  round(ms: number, every: number): Promise<number>;
}

/** A contender running its step in this thread. */
export function inThread(step: Step): Contender {
  return {
    warm: async (ms) => void timed(step, ms, 1),
    calibrate: async () => calibrate(step),
    round: async (ms, every) => timed(step, ms, every),
  };
}

/** Items per second of each round, per contender, and the medians. */
export interface PairResult {
  aRounds: number[];
  bRounds: number[];
  /** Median items/s of contender a. */
  a: number;
  /** Median items/s of contender b. */
  b: number;
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Spread of rounds around their median, as a fraction: (max - min) / median. */
export function spread(xs: readonly number[]): number {
  return (Math.max(...xs) - Math.min(...xs)) / median(xs);
}

/**
 * Measures two contenders fairly: `warmupMs` of alternating warm-up, then
 * `rounds` rounds of at least `roundMs` each, alternating which goes first.
 * Only one contender runs at a time.
 */
export async function measurePair(a: Contender, b: Contender, o: { rounds: number; roundMs: number; warmupMs: number }): Promise<PairResult> {
  const slice = o.warmupMs / 4;
  for (let i = 0; i < 2; i++) {
    await a.warm(slice);
    await b.warm(slice);
  }
  const everyA = await a.calibrate(), everyB = await b.calibrate();
  const aRounds: number[] = [], bRounds: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    if (r % 2 === 0) {
      aRounds.push(await a.round(o.roundMs, everyA));
      bRounds.push(await b.round(o.roundMs, everyB));
    } else {
      bRounds.push(await b.round(o.roundMs, everyB));
      aRounds.push(await a.round(o.roundMs, everyA));
    }
  }
  return { aRounds, bRounds, a: median(aRounds), b: median(bRounds) };
}
