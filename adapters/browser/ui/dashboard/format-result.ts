/** Short text of an instance's result for tables and headers. */
import type { InstanceView } from "../../../../src/master/master.ts";

/** The result as one line, cut at `max` characters ("—" while there is none). */
export function resultText(v: Pick<InstanceView, "result">, max = 80): string {
  if (v.result === null || v.result === undefined) return "—";
  const s = typeof v.result === "string" ? v.result : JSON.stringify(v.result);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Tasks ended (success + failed) over every name of a view's progress. */
export function endedTasks(p: InstanceView["progress"]): number {
  let n = 0;
  for (const c of Object.values(p?.names ?? {})) n += c.success + c.failed;
  return n;
}

/** Tasks known so far over every name. */
export function totalTasks(p: InstanceView["progress"]): number {
  let n = 0;
  for (const c of Object.values(p?.names ?? {})) n += c.total;
  return n;
}
