import type { Master } from "../../../src/index.ts";
import type { TaskStore } from "../../../src/store/task-store.ts";
import { startMaster, type StartMasterOptions } from "../start-master.ts";

/**
 * Options of `taskmill master`: those of `startMaster` (start-master.ts, one
 * path for the command and the API), with the flags' values already parsed.
 */
export interface MasterCommandOptions extends Omit<StartMasterOptions, "port" | "host" | "store" | "log" | "warn" | "onFatal"> {
  port: number;
  host: string;
  /** Store URL: "sqlite:FILE", "postgres://…" or "memory" (or an opened TaskStore). */
  store: string | TaskStore;
}

/** A running master process. */
export interface RunningMaster {
  url: string;
  master: Master;
  store: TaskStore;
  stop(): Promise<void>;
}

/**
 * Starts a master as the command does: its events as JSON lines on stdout,
 * notices on stderr, and a damaged store (B35) ends the process with exit code 1.
 */
export async function runMaster(o: MasterCommandOptions): Promise<RunningMaster> {
  const m = await startMaster({
    ...o,
    log: (e) => console.log(JSON.stringify(e)),
    warn: (msg) => console.error(msg),
    // B35: the store's data is damaged; the master closed itself. Say so, naming the file, and exit non-zero.
    onFatal: (e) => {
      console.error(`taskmill master: ${e.message}`);
      process.exit(1);
    },
  });
  return { url: m.url, master: m.master, store: m.store, stop: m.close };
}
