/** Free CPU and memory of the machine, as fractions 0..1; null when unknown. */
export interface Load {
  cpuFree: number | null;
  memFree: number | null;
}

/**
 * Reads the machine's load. Node reads `os`/`process` (adapters/node); a
 * browser cannot tell and says unknown. The master uses it for the map
 * back-pressure hint (B2); workers send it with every report (B7).
 */
export interface LoadProbe {
  sample(): Load;
}

/** A probe that knows nothing: routing then ranks on free slots and latency. */
export const unknownLoad: LoadProbe = { sample: () => ({ cpuFree: null, memFree: null }) };

/** A probe with fixed readings that tests can change. */
export class FixedLoad implements LoadProbe {
  constructor(public cpuFree: number | null = 1, public memFree: number | null = 1) {}
  sample(): Load { return { cpuFree: this.cpuFree, memFree: this.memFree }; }
}
