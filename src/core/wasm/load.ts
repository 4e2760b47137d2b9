import { CORE_WASM_BASE64 } from "./core-wasm.generated.ts";

/** The functions the AssemblyScript core exports (`core-as/assembly/index.ts`). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  init(queueCap: number, tableCap: number, maxNames: number, maxWorkers: number, ioCap: number, initialCap: number): number;
  queuePush(n: number): number;
  queuePop(n: number): number;
  queueClear(): void;
  tableAdmit(n: number): number;
  tableAssign(n: number): number;
  tableReport(n: number): number;
  tableRequeue(n: number): number;
  tableFail(n: number): number;
  tableScan(worker: number, from: number, max: number): number;
  countersAdd(n: number): number;
  countersMove(name: number, from: number, to: number, count: number): number;
  countersReset(): void;
  route(n: number, redispatch: number): number;
  routerConfigure(mode: number, execOnMaster: number, startIndex: number): void;
  limiterSet(ratePerMs: number, burst: number, tokens: number, now: number): void;
  limiterTake(now: number, want: number): number;
  limiterNextAt(now: number): number;
}

let compiled: WebAssembly.Module | undefined;

/**
 * The core's compiled module, decoded once from the embedded base64 (so it
 * loads unchanged in Node, Deno, vitest and a browser bundle, with no file I/O).
 */
export function coreModule(): WebAssembly.Module {
  if (!compiled) {
    const bin = atob(CORE_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/** A fresh instance of the core: its own linear memory, nothing shared. */
export function instantiateCore(): CoreExports {
  return new WebAssembly.Instance(coreModule(), {}).exports as unknown as CoreExports;
}
