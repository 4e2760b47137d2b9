// Reads per-worker counters by worker id, over all of a worker's incarnations.

/** Sub-task counts per worker id (from the per-worker counters). */
export function perWorker(progress: { workers: Record<string, { total: number }> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, w] of Object.entries(progress.workers)) out[key.split("#")[0]!] = (out[key.split("#")[0]!] ?? 0) + w.total;
  return out;
}
