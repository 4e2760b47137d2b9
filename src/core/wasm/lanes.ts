import { H_IO, IO_LANES, IO_OUT } from "../../../core-as/shared/constants.ts";

/**
 * The I/O lanes batch calls cross through (inputs 0-3, output IO_OUT), as
 * typed-array views of the core's linear memory. Copies in and out allocate
 * nothing in the steady state: whole arrays go in without `subarray`, and
 * the output view of the last length used is kept, because a batch call is
 * made many times with the same length and a fresh view per call costs more
 * than the copy itself at small batches.
 */
export class Lanes {
  /** Items per lane. */
  readonly cap: number;
  /** Lane views, signed. */
  readonly i32: Int32Array[] = [];
  /** Lane views, unsigned (same memory as `i32`). */
  readonly u32: Uint32Array[] = [];
  #outI32!: Int32Array;
  #outU32!: Uint32Array;
  readonly #ioPtr: number;

  constructor(buffer: ArrayBuffer, headerPtr: number, cap: number) {
    this.#ioPtr = new Int32Array(buffer, headerPtr, H_IO + 1)[H_IO]!;
    this.cap = cap;
    this.rebind(buffer);
  }

  /** Rebuilds the views over `buffer`: after the memory grew, the old views are detached. */
  rebind(buffer: ArrayBuffer): void {
    const { cap } = this, ioPtr = this.#ioPtr;
    for (let l = 0; l < IO_LANES; l++) {
      this.i32[l] = new Int32Array(buffer, ioPtr + l * cap * 4, cap);
      this.u32[l] = new Uint32Array(buffer, ioPtr + l * cap * 4, cap);
    }
    this.#outI32 = this.i32[IO_OUT]!;
    this.#outU32 = this.u32[IO_OUT]!;
  }

  /** Copies `src[from .. from + n)` into input lane `lane`. */
  inI32(lane: number, src: Int32Array, from: number, n: number): void {
    const dst = this.i32[lane]!;
    if (from === 0 && n === src.length) dst.set(src);
    else dst.set(src.subarray(from, from + n));
  }

  /** Copies `src[from .. from + n)` into input lane `lane`. */
  inU32(lane: number, src: Uint32Array, from: number, n: number): void {
    const dst = this.u32[lane]!;
    if (from === 0 && n === src.length) dst.set(src);
    else dst.set(src.subarray(from, from + n));
  }

  /** The output lane's first `n` items, signed. */
  outI32(n: number): Int32Array {
    const v = this.#outI32;
    return v.length === n ? v : (this.#outI32 = this.i32[IO_OUT]!.subarray(0, n));
  }

  /** The output lane's first `n` items, unsigned. */
  outU32(n: number): Uint32Array {
    const v = this.#outU32;
    return v.length === n ? v : (this.#outU32 = this.u32[IO_OUT]!.subarray(0, n));
  }
}
