/**
 * Task row ids: `instance num * 2^32 + seq`. One integer primary key serves
 * every write by seq, and an instance's tasks are one id range in seq order.
 * JavaScript numbers hold the id exactly while num < 2^21; past that the id
 * is handed to SQLite as a BigInt. Ids never come back to JavaScript: reads
 * select `id & 4294967295`, the seq.
 */

/** Largest seq a task may have (2^32 - 1). */
export const MAX_SEQ = 0xffff_ffff;

const SPAN = 2 ** 32;
const EXACT_NUMS = 2 ** 21;
/** Ids are signed 64-bit integers: nums stay below 2^31. */
const MAX_NUMS = 2 ** 31;

/** The id range of one instance's tasks. */
export class TaskKeys {
  /** Instance num. */
  readonly num: number;
  /** Id of seq 0. */
  readonly low: number | bigint;
  /** Id of seq MAX_SEQ. */
  readonly high: number | bigint;
  readonly #big: bigint | null;

  constructor(num: number) {
    if (!Number.isSafeInteger(num) || num < 1 || num >= MAX_NUMS) throw new RangeError(`instance num ${num} is outside 1..2^31-1`);
    this.num = num;
    this.#big = num < EXACT_NUMS ? null : BigInt(num) << 32n;
    this.low = this.#big ?? num * SPAN;
    this.high = this.#big === null ? num * SPAN + MAX_SEQ : this.#big | BigInt(MAX_SEQ);
  }

  /** The id of `seq` (0 <= seq <= MAX_SEQ). */
  id(seq: number): number | bigint {
    return this.#big === null ? (this.low as number) + seq : this.#big | BigInt(seq);
  }
}
