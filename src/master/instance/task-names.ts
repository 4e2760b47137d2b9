/** ROOT is task name 0 of every cycle, REDUCE name 1 (the core counts per name index). */
export const ROOT = 0, REDUCE = 1;
/** Task names per cycle, ROOT and REDUCE included (the core's counter table is sized for it). */
export const MAX_NAMES = 256;

/** The task names of one cycle, interned to the indexes the core counts by (B13). */
export class TaskNames {
  readonly #index = new Map<string, number>([["ROOT", ROOT], ["REDUCE", REDUCE]]);
  /** Names by index. */
  readonly list: string[] = ["ROOT", "REDUCE"];

  /** The index of `name`, interned on first use; -1 once MAX_NAMES names are taken. */
  indexOf(name: string): number {
    let idx = this.#index.get(name);
    if (idx === undefined) {
      if (this.list.length >= MAX_NAMES) return -1;
      idx = this.list.length;
      this.#index.set(name, idx);
      this.list.push(name);
    }
    return idx;
  }

  /** The name at `idx`. */
  nameOf(idx: number): string {
    return this.list[idx]!;
  }
}
