import { IO_OUT, S_CURSOR, S_Q_CAP, S_Q_SIZE, S_T_ALLOC, S_T_CAP, S_T_FREE_TOP } from "../../../core-as/shared/constants.ts";
import type { Core, CoreOptions, RouterConfig } from "../types.ts";
import { resolveCoreOptions } from "../options.ts";
import { viewsFromHeader, type CoreViews } from "../views.ts";
import { instantiateCore, type CoreExports } from "./load.ts";
import { Lanes } from "./lanes.ts";
import { QueueBase, CountersBase, TableBase, RouterBase, LimiterBase } from "../base.ts";

/** Rebuilds a core's views after its queue or table grew (arenas moved, memory maybe grown). */
type Refresh = () => void;

class WasmQueue extends QueueBase {
  constructor(v: CoreViews, private readonly x: CoreExports, private readonly l: Lanes, private readonly refresh: Refresh) { super(v); }
  pushBatch(handles: Uint32Array, count = handles.length): number {
    const l = this.l, v = this.v;
    let taken = 0;
    while (taken < count) {
      const n = Math.min(l.cap, count - taken);
      // The ring grows inside this call when it is too short: then every view is rebuilt.
      const grows = v.state[S_Q_SIZE]! + n > v.queue.length && v.queue.length < v.state[S_Q_CAP]!;
      l.inU32(0, handles, taken, n);
      const k = this.x.queuePush(n);
      if (grows) this.refresh();
      taken += k;
      if (k < n) break; // full
    }
    return taken;
  }
  popBatch(out: Uint32Array, max = out.length): number {
    const l = this.l;
    let got = 0;
    while (got < max) {
      const k = this.x.queuePop(Math.min(l.cap, max - got));
      if (k === 0) break;
      out.set(l.outU32(k), got);
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
    let done = 0;
    for (let from = 0; from < count; from += l.cap) {
      const n = Math.min(l.cap, count - from);
      l.inI32(0, names, from, n);
      l.inI32(1, counts, from, n);
      done += this.x.countersAdd(n);
    }
    return done;
  }
  move(name: number, from: number, to: number, count: number): boolean {
    return this.x.countersMove(name, from, to, count) === 1;
  }
  reset(): void { this.x.countersReset(); }
}

// Batch transitions are written out per method, without shared closures:
// at small batches a closure and a view allocated per call cost more than
// the work, and the copies allocate nothing (see Lanes).
class WasmTable extends TableBase {
  constructor(v: CoreViews, private readonly x: CoreExports, private readonly l: Lanes, private readonly refresh: Refresh) { super(v); }
  admit(names: Int32Array, attempts: Int32Array, count: number, outHandles: Uint32Array): number {
    const l = this.l, v = this.v;
    let done = 0;
    while (done < count) {
      const n = Math.min(l.cap, count - done);
      // The table grows inside this call when too few slots are free: then every view is rebuilt.
      const grows = n > v.state[S_T_FREE_TOP]! && v.tStatus.length < v.state[S_T_CAP]!;
      l.inI32(0, names, done, n);
      l.inI32(1, attempts, done, n);
      const k = this.x.tableAdmit(n);
      if (grows) this.refresh();
      outHandles.set(l.outU32(k), done);
      done += k;
      if (k < n) break; // table full
    }
    return done;
  }
  assign(handles: Uint32Array, workers: Int32Array, count: number, outCodes?: Int32Array): number {
    const l = this.l;
    let done = 0;
    for (let from = 0; from < count; from += l.cap) {
      const n = Math.min(l.cap, count - from);
      l.inU32(0, handles, from, n);
      l.inI32(1, workers, from, n);
      done += this.x.tableAssign(n);
      if (outCodes) outCodes.set(l.outI32(n), from);
    }
    return done;
  }
  report(h: Uint32Array, a: Int32Array, w: Int32Array, s: Int32Array, count: number, outCodes?: Int32Array): number {
    const l = this.l;
    let done = 0;
    for (let from = 0; from < count; from += l.cap) {
      const n = Math.min(l.cap, count - from);
      l.inU32(0, h, from, n);
      l.inI32(1, a, from, n);
      l.inI32(2, w, from, n);
      l.inI32(3, s, from, n);
      done += this.x.tableReport(n);
      if (outCodes) outCodes.set(l.outI32(n), from);
    }
    return done;
  }
  requeue(handles: Uint32Array, count: number, outCodes?: Int32Array): number {
    const l = this.l;
    let done = 0;
    for (let from = 0; from < count; from += l.cap) {
      const n = Math.min(l.cap, count - from);
      l.inU32(0, handles, from, n);
      done += this.x.tableRequeue(n);
      if (outCodes) outCodes.set(l.outI32(n), from);
    }
    return done;
  }
  fail(handles: Uint32Array, count: number, outCodes?: Int32Array): number {
    const l = this.l;
    let done = 0;
    for (let from = 0; from < count; from += l.cap) {
      const n = Math.min(l.cap, count - from);
      l.inU32(0, handles, from, n);
      done += this.x.tableFail(n);
      if (outCodes) outCodes.set(l.outI32(n), from);
    }
    return done;
  }
  scan(worker: number): Uint32Array {
    const parts: Uint32Array[] = [];
    const cap = this.v.state[S_T_ALLOC]!;
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
    const l = this.l;
    let done = 0;
    while (done < count) {
      const n = Math.min(l.cap, count - done);
      const k = this.x.route(n, redispatch ? 1 : 0);
      out.set(l.outI32(k), done);
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
  const headerPtr = x.init(o.queueCapacity, o.tableCapacity, o.maxNames, o.maxWorkers, o.ioCapacity, o.initialCapacity);
  const v = viewsFromHeader(x.memory.buffer, headerPtr, o);
  const l = new Lanes(x.memory.buffer, headerPtr, o.ioCapacity);
  // Views are replaced in place, so every holder of `v` and `l` sees the new ones.
  const refresh = (): void => {
    Object.assign(v, viewsFromHeader(x.memory.buffer, headerPtr, o));
    l.rebind(x.memory.buffer);
  };
  return {
    engine: "wasm",
    queue: new WasmQueue(v, x, l, refresh),
    table: new WasmTable(v, x, l, refresh),
    counters: new WasmCounters(v, x, l),
    router: new WasmRouter(v, x, l),
    limiter: new WasmLimiter(x),
  };
}
