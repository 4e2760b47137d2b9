// Free disk for the e2e suite's SQLite files: a 10,000,000-task run writes a
// database of 1-2 GB (and its WAL) in the temp folder, so the suite checks
// the room before it starts rather than fail a long run half-way.
import { statfsSync } from "node:fs";
import { tmpdir } from "node:os";

/** Bytes of database file and WAL one task may take at most, measured with margin (a 1M run's file: ~150 MB). */
export const BYTES_PER_TASK = 400;

/** Throws when the temp folder lacks room for the largest SQLite run of `sizes` ("Expected X, got Y"). */
export function checkDiskRoom(sizes: readonly number[], dir = tmpdir()): void {
  if (sizes.length === 0) return;
  const largest = Math.max(...sizes);
  const need = largest * BYTES_PER_TASK;
  const s = statfsSync(dir);
  const free = s.bavail * s.bsize;
  if (free < need) {
    throw new RangeError(
      `sizes: Expected ${(need / 1e9).toFixed(1)} GB free in ${dir} for a ${largest.toLocaleString("en")}-task run, got ${(free / 1e9).toFixed(1)} GB`,
    );
  }
}
