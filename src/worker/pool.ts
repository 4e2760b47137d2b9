import type { InstanceSpec, TaskSpec } from "../protocol/messages.ts";
import { LazyAbort } from "./lazy-abort.ts";
import { Deque } from "../runtime/deque.ts";

/** One run of a task on this worker: its abort handle, and which task it runs. */
export class TaskRun extends LazyAbort {
  constructor(readonly task: TaskSpec) {
    super();
  }
}

/**
 * The container pool of one instance on a worker: at most `limit` tasks —
 * the job's `consumerSize`, capped by the worker's own slots (M5) — run at
 * once; accepted tasks wait in FIFO order.
 */
export class Pool {
  /** Accepted tasks waiting for a slot, FIFO. */
  readonly waiting = new Deque<TaskSpec>();
  /** taskId → the run of each running task. */
  readonly running = new Map<string, TaskRun>();
  /**
   * Runs started since the last report flush: the flush reports RUNNING for
   * those still running, so a task that ends first sends only its final report.
   */
  unreported: TaskRun[] = [];
  /** Set once the pool is destroyed or the instance killed. */
  readonly closed = new AbortController();
  /** Pull mode: a pull loop is active. */
  pulling = false;
  /** Pull mode: wakes the pull loop when a slot frees. */
  wake: (() => void) | null = null;
  /** Most tasks run at once: min(consumerSize, the worker's slots). */
  readonly limit: number;
  /** When the worker first saw this pool idle (nothing held, no pull loop); undefined while in use (M9). */
  idleSince: number | undefined;

  /**
   * The master the pool's tasks come from and its reports go to: the one that sent its first
   * batch, or the master that took the instance over and adopted the pool's tasks (B36).
   */
  master: string;

  /** @param slots the worker's own slots: a job's consumerSize cannot ask for more (M5). */
  constructor(readonly spec: InstanceSpec, master: string, slots: number) {
    this.master = master;
    this.limit = Math.min(spec.consumerSize, slots);
  }

  /** Tasks held (running + waiting). */
  get held(): number { return this.running.size + this.waiting.size; }
  /** Slots free for more tasks. */
  get free(): number { return Math.max(0, this.limit - this.held); }

  /**
   * Whether the pool has been idle for `idleMs` at `now`. Called at each
   * heartbeat: the first call that finds it idle starts the count, one that
   * finds it in use resets it.
   */
  idleFor(now: number, idleMs: number): boolean {
    if (this.held > 0 || this.pulling) {
      this.idleSince = undefined;
      return false;
    }
    this.idleSince ??= now;
    return now - this.idleSince >= idleMs;
  }
}
