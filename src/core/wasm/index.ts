import { H_IO, IO_LANES, IO_OUT, S_CURSOR, S_T_CAP } from "../../../core-as/shared/constants.ts";
import type { Core, CoreOptions, RouterConfig } from "../types.ts";
import { resolveCoreOptions } from "../options.ts";
import { viewsFromHeader, type CoreViews } from "../views.ts";
import { instantiateCore, type CoreExports } from "./load.ts";
import { QueueBase, CountersBase, TableBase, RouterBase, LimiterBase } from "../base.ts";

/** The I/O lanes batch calls cross through: inputs 0-3, output IO_OUT. */
interface Lanes {
  cap: number;
  i32: Int32Array[];
  u32: Uint32Array[];
}

function lanesOf(buffer: ArrayBuffer, headerPtr: number, ioCap: number): Lanes {
  const ioPtr = new Int32Array(buffer, headerPtr, H_IO + 1)[H_IO]!;
  const i32: Int32Array[] = [], u32: Uint32Array[] = [];
  for (let l = 0; l < IO_LANES; l++) {
    i32.push(new Int32Array(buffer, ioPtr + l * ioCap * 4, ioCap));
    u32.push(new Uint32Array(buffer, ioPtr + l * ioCap * 4, ioCap));
  }
  return { cap: ioCap, i32, u32 };
}

/**
 * Runs a batch call in chunks of the lane capacity: `fill(from, n)` copies
 * inputs in, `call(n)` runs the kernel, `drain(from, n)` copies outputs out.
 */
function chunked(
  lanes: Lanes,
  count: number,
  fill: (from: number, n: number) => void,
  call: (n: number) => number,
  drain?: (from: number, n: number) => void,
): number {
  let done = 0;
  for (let from = 0; from < count; from += lanes.cap) {
    const n = Math.min(lanes.cap, count - from);
    fill(from, n);
    const k = call(n);
    drain?.(from, n);
    done += k;
  }
  return done;
}

class WasmQueue extends QueueBase {
  constructor(v: CoreViews, private readonly x: CoreExports, private readonly l: Lanes) { super(v); }
  pushBatch(handles: Uint32Array, count = handles.length): number {
    let taken = 0;
    while (taken < count) {
      const n = Math.min(this.l.cap, count - taken);
      this.l.u32[0]!.set(handles.subarray(taken, taken + n));
      const k = this.x.queuePush(n);
      taken += k;
      if (k < n) break; // full
    }
    return taken;
  }
  popBatch(out: Uint32Array, max = out.length): number {
    let got = 0;
    while (got < max) {
      const k = this.x.queuePop(Math.min(this.l.cap, max - got));
      if (k === 0) break;
      out.set(this.l.u32[IO_OUT]!.subarray(0, k), got);
      got += k;
    }
    return got;
  }
  clear(): void { this.x.queueClear(); }
}

class WasmCounters extends CountersBase {
  constructor(v: CoreViews, private readonly x: CoreExports, private readonly l: Lanes) { super(v); }
  add(names: Int32Array, counts: Int32Array, count = names.length): number {
    const l = this.l;
    return chunked(l, count, (f, n) => {
      l.i32[0]!.set(names.subarray(f, f + n));
      l.i32[1]!.set(counts.subarray(f, f + n));
    }, (n) => this.x.countersAdd(n));
  }
  move(name: number, from: number, to: number, count: number): boolean {
    return this.x.countersMove(name, from, to, count) === 1;
  }
  reset(): void { this.x.countersReset(); }
}

class WasmTable extends TableBase {
  constructor(v: CoreViews, private readonly x: CoreExports, private readonly l: Lanes) { super(v); }
  private codes(out: Int32Array | undefined) {
    return out ? (f: number, n: number) => out.set(this.l.i32[IO_OUT]!.subarray(0, n), f) : undefined;
  }
  admit(names: Int32Array, attempts: Int32Array, count: number, outHandles: Uint32Array): number {
    const l = this.l;
    let done = 0;
    while (done < count) {
      const n = Math.min(l.cap, count - done);
      l.i32[0]!.set(names.subarray(done, done + n));
      l.i32[1]!.set(attempts.subarray(done, done + n));
      const k = this.x.tableAdmit(n);
      outHandles.set(l.u32[IO_OUT]!.subarray(0, k), done);
      done += k;
      if (k < n) break; // table full
    }
    return done;
  }
  assign(handles: Uint32Array, workers: Int32Array, count: number, outCodes?: Int32Array): number {
    const l = this.l;
    return chunked(l, count, (f, n) => {
      l.u32[0]!.set(handles.subarray(f, f + n));
      l.i32[1]!.set(workers.subarray(f, f + n));
    }, (n) => this.x.tableAssign(n), this.codes(outCodes));
  }
  report(h: Uint32Array, a: Int32Array, w: Int32Array, s: Int32Array, count: number, outCodes?: Int32Array): number {
    const l = this.l;
    return chunked(l, count, (f, n) => {
      l.u32[0]!.set(h.subarray(f, f + n));
      l.i32[1]!.set(a.subarray(f, f + n));
      l.i32[2]!.set(w.subarray(f, f + n));
      l.i32[3]!.set(s.subarray(f, f + n));
    }, (n) => this.x.tableReport(n), this.codes(outCodes));
  }
  requeue(handles: Uint32Array, count: number, outCodes?: Int32Array): number {
    const l = this.l;
    return chunked(l, count, (f, n) => l.u32[0]!.set(handles.subarray(f, f + n)),
      (n) => this.x.tableRequeue(n), this.codes(outCodes));
  }
  fail(handles: Uint32Array, count: number, outCodes?: Int32Array): number {
    const l = this.l;
    return chunked(l, count, (f, n) => l.u32[0]!.set(handles.subarray(f, f + n)),
      (n) => this.x.tableFail(n), this.codes(outCodes));
  }
  scan(worker: number): Uint32Array {
    const parts: Uint32Array[] = [];
    const cap = this.v.state[S_T_CAP]!;
    let from = 0, total = 0;
    while (from < cap) {
      const k = this.x.tableScan(worker, from, this.l.cap);
      if (k > 0) { parts.push(this.l.u32[IO_OUT]!.slice(0, k)); total += k; }
      from = this.v.state[S_CURSOR]!;
    }
    const out = new Uint32Array(total);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

class WasmRouter extends RouterBase {
  constructor(v: CoreViews, private readonly x: CoreExports, private readonly l: Lanes) { super(v); }
  configure(c: RouterConfig): void {
    this.x.routerConfigure(c.mode, c.execOnMaster ? 1 : 0, c.startIndex ?? 0);
  }
  route(count: number, out: Int32Array, redispatch = false): number {
    let done = 0;
    while (done < count) {
      const n = Math.min(this.l.cap, count - done);
      const k = this.x.route(n, redispatch ? 1 : 0);
      out.set(this.l.i32[IO_OUT]!.subarray(0, k), done);
      done += k;
      if (k < n) break; // no worker can take more
    }
    return done;
  }
}

class WasmLimiter extends LimiterBase {
  constructor(private readonly x: CoreExports) { super(); }
  protected set(ratePerMs: number, burst: number, tokens: number, nowMs: number): void {
    this.x.limiterSet(ratePerMs, burst, tokens, nowMs);
  }
  take(nowMs: number, want: number): number { return this.x.limiterTake(nowMs, want); }
  nextAt(nowMs: number): number { return this.x.limiterNextAt(nowMs); }
}

/** A core backed by a fresh instance of the AssemblyScript module. */
export function createWasmCore(options?: CoreOptions): Core {
  const o = resolveCoreOptions(options);
  const x = instantiateCore();
  const headerPtr = x.init(o.queueCapacity, o.tableCapacity, o.maxNames, o.maxWorkers, o.ioCapacity);
  const v = viewsFromHeader(x.memory.buffer, headerPtr, o);
  const l = lanesOf(x.memory.buffer, headerPtr, o.ioCapacity);
  return {
    engine: "wasm",
    queue: new WasmQueue(v, x, l),
    table: new WasmTable(v, x, l),
    counters: new WasmCounters(v, x, l),
    router: new WasmRouter(v, x, l),
    limiter: new WasmLimiter(x),
  };
}
