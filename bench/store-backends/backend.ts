import type { TaskStore } from "../../src/store/task-store.ts";

/** One store the `store` bench measures: how to open a fresh one and how to get rid of it. */
export interface StoreBackend {
  /** Shown in the table and the results file, e.g. "sqlite". */
  readonly name: string;
  /** A fresh, empty store (a new file, a new schema, ...). */
  open(): Promise<TaskStore>;
  /** Closes the store and removes what `open` made. */
  cleanup(store: TaskStore): Promise<void>;
}
