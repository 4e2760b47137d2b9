// Heap measurements for the bounded-memory tests (X4, B25).
import v8 from "node:v8";
import vm from "node:vm";

/** Heap in use after a full collection. */
export function heapAfterGc(): number {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
