/**
 * The rules of dispatch records (B27), written once for every backend: what
 * a record may hold, how its arrays are packed into one stored value, and
 * how a page of them is asked for. A record is one row per dispatched batch,
 * so storing a batch of any size is one write.
 */
import { expectInt } from "../errors/validate.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { expectString } from "./input.ts";
import type { DispatchRecord, StoredDispatch } from "./task-store.ts";

/** Most tasks one record holds: a batch is at most a page of tasks, far below it. */
export const MAX_DISPATCH_TASKS = 100_000;

/** Most records one `listDispatches` page returns. */
export const MAX_DISPATCH_PAGE = 10_000;

/** A record as stored: its arrays packed as one JSON text `[seqs, attempts]`. */
export interface PackedDispatch {
  workerId: string;
  worker: string;
  /** JSON text of `[seqs, attempts]`. */
  tasks: string;
}

/** Checks a record (field names in errors) and packs it; null for an empty batch (nothing to store). */
export function packDispatch(r: DispatchRecord, field = "record"): PackedDispatch | null {
  if (typeof r !== "object" || r === null) throw new ValidationError(field, "an object { workerId, worker, seqs, attempts }", r);
  const workerId = expectString(`${field}.workerId`, r.workerId);
  const worker = expectString(`${field}.worker`, r.worker);
  const { seqs, attempts } = r;
  if (!Array.isArray(seqs) || seqs.length > MAX_DISPATCH_TASKS) {
    throw new ValidationError(`${field}.seqs`, `an array of at most ${MAX_DISPATCH_TASKS} seqs`, seqs);
  }
  if (!Array.isArray(attempts) || attempts.length !== seqs.length) {
    throw new ValidationError(`${field}.attempts`, `an array as long as seqs (${seqs.length})`, attempts);
  }
  for (let i = 0; i < seqs.length; i++) {
    expectInt(`${field}.seqs[${i}]`, seqs[i], 0, 2 ** 31 - 1);
    expectInt(`${field}.attempts[${i}]`, attempts[i], 0, 2 ** 31 - 1);
  }
  if (seqs.length === 0) return null;
  return { workerId, worker, tasks: JSON.stringify([seqs, attempts]) };
}

/** Checks and packs every record of a replacement, dropping empty ones. */
export function packDispatches(records: readonly DispatchRecord[]): PackedDispatch[] {
  if (!Array.isArray(records)) throw new ValidationError("records", "an array of dispatch records", records);
  const out: PackedDispatch[] = [];
  records.forEach((r, i) => {
    const p = packDispatch(r, `records[${i}]`);
    if (p !== null) out.push(p);
  });
  return out;
}

/** A stored record back from its packed form. */
export function unpackDispatch(id: number, p: PackedDispatch): StoredDispatch {
  const [seqs, attempts] = JSON.parse(p.tasks) as [number[], number[]];
  return { id, workerId: p.workerId, worker: p.worker, seqs, attempts };
}

/** Checks a page request of `listDispatches`. */
export function checkDispatchPage(afterId: number, limit: number): { afterId: number; limit: number } {
  return { afterId: expectInt("afterId", afterId, -1), limit: expectInt("limit", limit, 1, MAX_DISPATCH_PAGE) };
}
