/**
 * Constants shared by the AssemblyScript core (`core-as/assembly/`), its
 * TypeScript façade and twin (`src/core/`), and the store: status codes,
 * counter fields, refusal codes, routing modes and the memory-layout header.
 *
 * This file must stay in the subset both compilers accept: plain
 * `export const NAME = <integer literal>;` lines, nothing else.
 */

// ---- Task status codes (stored in the task table and in every TaskStore). ----
/** Table slot not in use (never stored for a real task). */
export const FREE = 0;
/** Stored, waiting to be dispatched. */
export const INIT = 1;
/** Handed to a worker (pushed or pulled), not yet running. */
export const PULLED = 2;
/** Reported running by its worker. */
export const RUNNING = 3;
/** Finished successfully (final). */
export const SUCCESS = 4;
/** Finished with a failure (final). */
export const FAILED = 5;

// ---- Per task-name counter fields: field index == status code for INIT..FAILED. ----
/** Tasks ever added under the name. */
export const N_TOTAL = 0;
/** Tasks waiting to be dispatched. */
export const N_INIT = 1;
/** Tasks handed to a worker. */
export const N_PULLED = 2;
/** Tasks running. */
export const N_RUNNING = 3;
/** Tasks finished successfully. */
export const N_SUCCESS = 4;
/** Tasks finished with a failure. */
export const N_FAILED = 5;
/** Number of counter fields per task name. */
export const NAME_FIELDS = 6;

// ---- Per worker counter fields: field index == status code - 1 for PULLED..FAILED. ----
/** Tasks currently or finally attributed to the worker. */
export const W_TOTAL = 0;
/** Tasks handed to the worker, not yet running. */
export const W_PULLED = 1;
/** Tasks running on the worker. */
export const W_RUNNING = 2;
/** Tasks the worker finished successfully. */
export const W_SUCCESS = 3;
/** Tasks the worker finished with a failure. */
export const W_FAILED = 4;
/** Number of counter fields per worker. */
export const WORKER_FIELDS = 5;

// ---- Outcome codes of a batch transition, one per item. ----
/** Applied. */
export const T_OK = 0;
/** The handle is not live: finished, recycled, or never issued. */
export const T_STALE = 1;
/** The report names another attempt of the task. */
export const T_WRONG_ATTEMPT = 2;
/** The report comes from a worker the task is not assigned to. */
export const T_WRONG_WORKER = 3;
/** The transition is impossible from the task's current status. */
export const T_ILLEGAL = 4;
/** Number of outcome codes (size of the refusal counter block). */
export const T_CODES = 5;

// ---- Routing. ----
/** No worker could take the task. */
export const ROUTE_NONE = -1;
/** Rotate over the workers (B5). */
export const ROUTE_ROUND_ROBIN = 0;
/** Most free slots, then CPU, memory, latency (B7). */
export const ROUTE_WORKER_LOAD = 1;

// ---- Task handles: generation in the high bits, table slot in the low bits. ----
/** Bits of a handle that hold the table slot. */
export const SLOT_BITS = 22;
/** Mask of the slot bits of a handle. */
export const SLOT_MASK = 4194303;
/** Largest task-table capacity a handle can address (2^SLOT_BITS). */
export const MAX_TABLE_CAPACITY = 4194304;
/** Generations wrap at this value (2^(32 - SLOT_BITS)). */
export const GEN_LIMIT = 1024;

// ---- Number of I/O lanes (each `ioCapacity` 32-bit words) used by batch calls. ----
/** Input lanes 0-3, output lane 4. */
export const IO_LANES = 5;
/** Lane that batch calls write their per-item output to. */
export const IO_OUT = 4;

// ---- Scalar state block (32-bit words) shared by the core and its host. ----
/** Index of the queue's head (next to pop). */
export const S_Q_HEAD = 0;
/** Number of handles in the queue. */
export const S_Q_SIZE = 1;
/** Queue capacity. */
export const S_Q_CAP = 2;
/** Task-table capacity. */
export const S_T_CAP = 3;
/** Live tasks in the table. */
export const S_T_LIVE = 4;
/** Free-slot stack height. */
export const S_T_FREE_TOP = 5;
/** Maximum number of task names. */
export const S_MAX_NAMES = 6;
/** Maximum number of workers. */
export const S_MAX_WORKERS = 7;
/** Workers in the worker table (indices 0..count-1). */
export const S_W_COUNT = 8;
/** Round-robin rotation index. */
export const S_RR_INDEX = 9;
/** 1 when sub-tasks may run on the master's own worker. */
export const S_EXEC_ON_MASTER = 10;
/** Routing mode (ROUTE_ROUND_ROBIN or ROUTE_WORKER_LOAD). */
export const S_ROUTE_MODE = 11;
/** Slot where the last `scan` stopped (continue from here). */
export const S_CURSOR = 12;
/** I/O lane capacity in words. */
export const S_IO_CAP = 13;
/** Queue slots allocated so far (the ring's length; grows in steps up to S_Q_CAP). */
export const S_Q_ALLOC = 14;
/** Task-table slots allocated so far (grows in steps up to S_T_CAP). */
export const S_T_ALLOC = 15;
/** Size of the state block in words. */
export const STATE_WORDS = 16;

// ---- Memory-layout header: byte offsets of every arena, written by `init`. ----
/** Scalar state block (Int32, STATE_WORDS). */
export const H_STATE = 0;
/** I/O lanes (Int32, IO_LANES * ioCapacity). */
export const H_IO = 1;
/** Queue ring (Uint32, S_Q_ALLOC words). */
export const H_QUEUE = 2;
/** Task status per slot (Uint8, S_T_ALLOC bytes; every table arena below has S_T_ALLOC items). */
export const H_T_STATUS = 3;
/** Task name index per slot (Int32). */
export const H_T_NAME = 4;
/** Task worker index per slot (Int32, -1 when unassigned). */
export const H_T_WORKER = 5;
/** Task attempt per slot (Int32). */
export const H_T_ATTEMPT = 6;
/** Slot generation (Int32). */
export const H_T_GEN = 7;
/** Free-slot stack (Int32, S_T_ALLOC). */
export const H_T_FREE = 8;
/** Name counters (Int32, maxNames * NAME_FIELDS). */
export const H_NAMES = 9;
/** Worker counters (Int32, maxWorkers * WORKER_FIELDS). */
export const H_WORKERS = 10;
/** Refused transitions per outcome code (Int32, T_CODES). */
export const H_REFUSED = 11;
/** Worker answered at least once (Uint8, maxWorkers). */
export const H_W_ALIVE = 12;
/** Worker invalid: dead, unreachable or deregistered (Uint8). */
export const H_W_INVALID = 13;
/** Worker is the master's own (Uint8). */
export const H_W_MASTER = 14;
/** Free slots per worker (Int32). */
export const H_W_SLOTS = 15;
/** Free CPU fraction per worker (Float32). */
export const H_W_CPU = 16;
/** Free memory fraction per worker (Float32). */
export const H_W_MEM = 17;
/** Dispatch latency per worker in ms (Float32). */
export const H_W_LATENCY = 18;
/** Scratch space for routing (Int32, maxWorkers). */
export const H_SCRATCH = 19;
/** Limiter state (Float64, LIMITER_WORDS). */
export const H_LIMITER = 20;
/** Number of header entries. */
export const HEADER_WORDS = 21;

// ---- Limiter state block (Float64 words). ----
/** Tokens added per millisecond (0 = unlimited). */
export const L_RATE = 0;
/** Bucket capacity in tokens. */
export const L_BURST = 1;
/** Tokens available at L_LAST. */
export const L_TOKENS = 2;
/** Time of the last refill, in ms. */
export const L_LAST = 3;
/** Size of the limiter block in Float64 words. */
export const LIMITER_WORDS = 4;
