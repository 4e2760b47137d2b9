// The pure-TypeScript twin of the WASM core: the same interface, the same
// typed-array layout, the same algorithms, and bulk set/copyWithin where the
// core uses memory.copy. It reads the caller's arrays directly (no I/O lanes
// to cross), so the WASM-vs-twin ratio measures what each engine costs a caller.
import {
  FREE, INIT, PULLED, RUNNING, SUCCESS, FAILED, NAME_FIELDS, WORKER_FIELDS, N_TOTAL, N_INIT, N_SUCCESS, N_FAILED, W_TOTAL,
  T_OK, T_STALE, T_WRONG_ATTEMPT, T_WRONG_WORKER, T_ILLEGAL, SLOT_BITS, GEN_LIMIT,
  ROUTE_NONE, ROUTE_WORKER_LOAD, S_Q_HEAD, S_Q_SIZE, S_Q_CAP, S_Q_ALLOC, S_T_ALLOC, S_T_LIVE, S_T_FREE_TOP,
  S_MAX_NAMES, S_MAX_WORKERS, S_W_COUNT, S_RR_INDEX, S_EXEC_ON_MASTER, S_ROUTE_MODE,
  L_RATE, L_BURST, L_TOKENS, L_LAST,
} from "../../../core-as/shared/constants.ts";
import type { Core, CoreOptions, RouterConfig } from "../types.ts";
import { resolveCoreOptions } from "../options.ts";
import { allocateViews, type CoreViews } from "../views.ts";
import { QueueBase, CountersBase, TableBase, RouterBase, LimiterBase } from "../base.ts";
import { growQueue, growTable } from "./grow.ts";

class TwinQueue extends QueueBase {
  pushBatch(handles: Uint32Array, count = handles.length): number {
    const s = this.v.state;
    const size = s[S_Q_SIZE]!;
    const k = Math.min(count, s[S_Q_CAP]! - size);
    if (k <= 0) return 0;
    if (size + k > s[S_Q_ALLOC]!) growQueue(this.v, size + k);
    const q = this.v.queue, cap = s[S_Q_ALLOC]!;
    let tail = s[S_Q_HEAD]! + size;
    if (tail >= cap) tail -= cap;
    const first = Math.min(cap - tail, k);
    // A whole array goes in without a subarray view (as the WASM façade does).
    q.set(first === handles.length ? handles : handles.subarray(0, first), tail);
    if (k > first) q.set(handles.subarray(first, k), 0);
    s[S_Q_SIZE] = size + k;
    return k;
  }
  popBatch(out: Uint32Array, max = out.length): number {
    const s = this.v.state, q = this.v.queue;
    const cap = s[S_Q_ALLOC]!, size = s[S_Q_SIZE]!;
    const k = Math.min(max, size);
    if (k <= 0) return 0;
    const head = s[S_Q_HEAD]!;
    const first = Math.min(cap - head, k);
    out.set(q.subarray(head, head + first), 0);
    if (k > first) out.set(q.subarray(0, k - first), first);
    let h = head + k;
    if (h >= cap) h -= cap;
    s[S_Q_HEAD] = size === k ? 0 : h;
    s[S_Q_SIZE] = size - k;
    return k;
  }
  clear(): void { this.v.state[S_Q_HEAD] = 0; this.v.state[S_Q_SIZE] = 0; }
}

class TwinCounters extends CountersBase {
  add(names: Int32Array, counts: Int32Array, count = names.length): number {
    const v = this.v, maxNames = v.state[S_MAX_NAMES]!;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const name = names[i]!, c = counts[i]!;
      if (name >>> 0 >= maxNames || c < 0) { v.refused[T_ILLEGAL]!++; continue; }
      v.names[name * NAME_FIELDS + N_TOTAL] += c;
      v.names[name * NAME_FIELDS + N_INIT] += c;
      ok++;
    }
    return ok;
  }
  move(name: number, from: number, to: number, count: number): boolean {
    const v = this.v;
    if (name >>> 0 >= v.state[S_MAX_NAMES]! || from !== N_INIT || (to !== N_SUCCESS && to !== N_FAILED)
      || count < 0 || v.names[name * NAME_FIELDS + from]! < count) {
      v.refused[T_ILLEGAL]!++;
      return false;
    }
    v.names[name * NAME_FIELDS + from] -= count;
    v.names[name * NAME_FIELDS + to] += count;
    return true;
  }
  reset(): void { this.v.names.fill(0); this.v.workers.fill(0); }
}

class TwinTable extends TableBase {
  private release(slot: number): void {
    const v = this.v, s = v.state;
    v.tStatus[slot] = FREE;
    const g = v.tGen[slot]! + 1;
    v.tGen[slot] = g >= GEN_LIMIT ? 0 : g;
    v.tFree[s[S_T_FREE_TOP]!] = slot;
    s[S_T_FREE_TOP]!++;
    s[S_T_LIVE]!--;
  }
  private apply(slot: number, to: number): void {
    const v = this.v;
    const from = v.tStatus[slot]!;
    const nb = v.tName[slot]! * NAME_FIELDS;
    v.names[nb + from]!--;
    v.names[nb + to]!++;
    const w = v.tWorker[slot]!;
    if (w >= 0) {
      const wb = w * WORKER_FIELDS;
      if (from === INIT) v.workers[wb + W_TOTAL]!++;
      else v.workers[wb + from - 1]!--;
      if (to === INIT) v.workers[wb + W_TOTAL]!--;
      else v.workers[wb + to - 1]!++;
    }
    if (to === SUCCESS || to === FAILED) this.release(slot);
    else v.tStatus[slot] = to;
  }
  admit(names: Int32Array, attempts: Int32Array, count: number, outHandles: Uint32Array): number {
    if (count > this.v.state[S_T_FREE_TOP]!) growTable(this.v, count);
    const v = this.v, s = v.state;
    let top = s[S_T_FREE_TOP]!;
    const k = Math.min(count, top);
    for (let i = 0; i < k; i++) {
      const slot = v.tFree[--top]!;
      v.tStatus[slot] = INIT;
      v.tName[slot] = names[i]!;
      v.tAttempt[slot] = attempts[i]!;
      v.tWorker[slot] = -1;
      outHandles[i] = ((v.tGen[slot]! << SLOT_BITS) | slot) >>> 0;
    }
    s[S_T_FREE_TOP] = top;
    s[S_T_LIVE] += k;
    return k;
  }
  assign(handles: Uint32Array, workers: Int32Array, count: number, outCodes?: Int32Array): number {
    const v = this.v, maxWorkers = v.state[S_MAX_WORKERS]!;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const slot = this.slotOf(handles[i]!);
      const w = workers[i]!;
      const code = slot < 0 ? T_STALE : v.tStatus[slot] !== INIT || w >>> 0 >= maxWorkers ? T_ILLEGAL : T_OK;
      if (outCodes) outCodes[i] = code;
      if (code !== T_OK) { v.refused[code]!++; continue; }
      v.tWorker[slot] = w;
      this.apply(slot, PULLED);
      ok++;
    }
    return ok;
  }
  report(h: Uint32Array, a: Int32Array, w: Int32Array, st: Int32Array, count: number, outCodes?: Int32Array): number {
    const v = this.v;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const slot = this.slotOf(h[i]!);
      const to = st[i]!;
      let code = T_OK;
      if (slot < 0) code = T_STALE;
      else if (v.tAttempt[slot] !== a[i]) code = T_WRONG_ATTEMPT;
      else if (v.tWorker[slot] !== w[i]) code = T_WRONG_WORKER;
      else {
        const from = v.tStatus[slot];
        const legal = to === RUNNING ? from === PULLED
          : (to === SUCCESS || to === FAILED) && (from === PULLED || from === RUNNING);
        if (!legal) code = T_ILLEGAL;
      }
      if (outCodes) outCodes[i] = code;
      if (code !== T_OK) { v.refused[code]!++; continue; }
      this.apply(slot, to);
      ok++;
    }
    return ok;
  }
  requeue(handles: Uint32Array, count: number, outCodes?: Int32Array): number {
    const v = this.v;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const slot = this.slotOf(handles[i]!);
      const from = slot < 0 ? FREE : v.tStatus[slot];
      const code = slot < 0 ? T_STALE : from !== PULLED && from !== RUNNING ? T_ILLEGAL : T_OK;
      if (outCodes) outCodes[i] = code;
      if (code !== T_OK) { v.refused[code]!++; continue; }
      this.apply(slot, INIT);
      v.tWorker[slot] = -1;
      v.tAttempt[slot]!++;
      ok++;
    }
    return ok;
  }
  fail(handles: Uint32Array, count: number, outCodes?: Int32Array): number {
    const v = this.v;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const slot = this.slotOf(handles[i]!);
      if (outCodes) outCodes[i] = slot < 0 ? T_STALE : T_OK;
      if (slot < 0) { v.refused[T_STALE]!++; continue; }
      this.apply(slot, FAILED);
      ok++;
    }
    return ok;
  }
  scan(worker: number): Uint32Array {
    const v = this.v, cap = v.state[S_T_ALLOC]!;
    const out: number[] = [];
    for (let s = 0; s < cap; s++) {
      const st = v.tStatus[s];
      if (st === FREE) continue;
      if (worker >= 0 && (st === INIT || v.tWorker[s] !== worker)) continue;
      out.push(((v.tGen[s]! << SLOT_BITS) | s) >>> 0);
    }
    return Uint32Array.from(out);
  }
}

class TwinRouter extends RouterBase {
  configure(c: RouterConfig): void {
    const s = this.v.state;
    s[S_ROUTE_MODE] = c.mode;
    s[S_EXEC_ON_MASTER] = c.execOnMaster ? 1 : 0;
    s[S_RR_INDEX] = Math.max(0, c.startIndex ?? 0);
  }
  route(count: number, out: Int32Array, redispatch = false): number {
    const v = this.v, n = v.state[S_W_COUNT]!;
    let valid = 0, answered = 0;
    for (let i = 0; i < n; i++) {
      if (v.wInvalid[i]) continue;
      valid++;
      if (v.wAlive[i]) answered++;
    }
    const skipMaster = v.state[S_EXEC_ON_MASTER] === 0 && valid > 1;
    // B6 restricts to workers that have answered, among those that may take the task: a master's
    // own worker that routing skips does not count, else nothing could take it.
    if (redispatch && skipMaster) {
      for (let j = 0; j < n; j++) if (!v.wInvalid[j] && v.wAlive[j] && v.wMaster[j]) answered--;
    }
    const onlyAlive = redispatch && answered > 0;
    return v.state[S_ROUTE_MODE] === ROUTE_WORKER_LOAD
      ? routeLoad(v, count, out, n, skipMaster, onlyAlive)
      : routeRoundRobin(v, count, out, n, skipMaster, onlyAlive);
  }
}

function routeRoundRobin(v: CoreViews, count: number, out: Int32Array, n: number, skipMaster: boolean, onlyAlive: boolean): number {
  if (n === 0) return 0;
  const { wInvalid, wMaster, wAlive } = v;
  let idx = v.state[S_RR_INDEX]!;
  if (idx >= n) idx = 0;
  let k = 0;
  for (; k < count; k++) {
    let found = ROUTE_NONE;
    for (let t = 0; t < n; t++) {
      const i = idx;
      if (++idx === n) idx = 0;
      if (wInvalid[i] || (skipMaster && wMaster[i]) || (onlyAlive && !wAlive[i])) continue;
      found = i;
      break;
    }
    if (found === ROUTE_NONE) break;
    out[k] = found;
  }
  v.state[S_RR_INDEX] = idx;
  return k;
}

function routeLoad(v: CoreViews, count: number, out: Int32Array, n: number, skipMaster: boolean, onlyAlive: boolean): number {
  const { wInvalid, wMaster, wAlive, wSlots, wCpu, wMem, wLatency, scratch: heap } = v;
  const better = (a: number, b: number): boolean => {
    const sa = wSlots[a]!, sb = wSlots[b]!;
    if (sa !== sb) return sa > sb;
    const ca = wCpu[a]!, cb = wCpu[b]!;
    if (ca !== cb) return ca > cb;
    const ma = wMem[a]!, mb = wMem[b]!;
    if (ma !== mb) return ma > mb;
    const la = wLatency[a]!, lb = wLatency[b]!;
    if (la !== lb) return la < lb;
    return a < b;
  };
  const siftDown = (i: number, size: number): void => {
    const x = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      let c = l;
      if (l + 1 < size && better(heap[l + 1]!, heap[l]!)) c = l + 1;
      const cv = heap[c]!;
      if (!better(cv, x)) break;
      heap[i] = cv;
      i = c;
    }
    heap[i] = x;
  };
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (wInvalid[i] || (skipMaster && wMaster[i]) || (onlyAlive && !wAlive[i]) || wSlots[i]! <= 0) continue;
    heap[size++] = i;
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i, size);
  let k = 0;
  for (; k < count && size > 0; k++) {
    const top = heap[0]!;
    out[k] = top;
    if (--wSlots[top]! === 0) heap[0] = heap[--size]!;
    if (size > 0) siftDown(0, size);
  }
  return k;
}

class TwinLimiter extends LimiterBase {
  constructor(private readonly l: Float64Array) { super(); }
  protected set(ratePerMs: number, burst: number, tokens: number, nowMs: number): void {
    const l = this.l;
    l[L_RATE] = ratePerMs; l[L_BURST] = burst; l[L_TOKENS] = tokens; l[L_LAST] = nowMs;
  }
  private refill(now: number): number {
    const l = this.l;
    let tokens = l[L_TOKENS]!;
    if (now > l[L_LAST]!) {
      tokens = Math.min(l[L_BURST]!, tokens + (now - l[L_LAST]!) * l[L_RATE]!);
      l[L_TOKENS] = tokens;
      l[L_LAST] = now;
    }
    return tokens;
  }
  take(nowMs: number, want: number): number {
    const l = this.l;
    if (l[L_RATE]! <= 0) return want;
    const tokens = this.refill(nowMs);
    const k = Math.min(want, Math.floor(tokens + 1e-9));
    l[L_TOKENS] = tokens - k;
    return k > 0 ? k : 0;
  }
  nextAt(nowMs: number): number {
    const l = this.l;
    if (l[L_RATE]! <= 0) return nowMs;
    const tokens = this.refill(nowMs);
    return tokens + 1e-9 >= 1 ? nowMs : l[L_LAST]! + (1 - tokens) / l[L_RATE]!;
  }
}

/** A core in plain TypeScript, the WASM core's twin. */
export function createTwinCore(options?: CoreOptions): Core {
  const v = allocateViews(resolveCoreOptions(options));
  return {
    engine: "ts",
    queue: new TwinQueue(v),
    table: new TwinTable(v),
    counters: new TwinCounters(v),
    router: new TwinRouter(v),
    limiter: new TwinLimiter(v.limiter),
  };
}
