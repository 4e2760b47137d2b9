import { NAME_FIELDS } from "../../../core-as/shared/constants.ts";
import type { ProgressCounters } from "../../core/index.ts";
import { REDUCE } from "./task-names.ts";

/** Sums counter `field` (N_INIT, N_RUNNING…) over the task names, REDUCE left out: it is no sub-task. */
export function sumOverNames(counters: ProgressCounters, nameCount: number, field: number): number {
  const v = counters.nameView;
  let s = 0;
  for (let i = 0; i < nameCount; i++) if (i !== REDUCE) s += v[i * NAME_FIELDS + field]!;
  return s;
}
