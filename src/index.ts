/**
 * taskmill: a distributed Map/MapReduce job master.
 * @module
 */
export * from "./processor/index.ts";
export { Master, type MasterOptions, type MasterEvent, type LeaseOptions, type Submission, type InstanceView, type InstanceProgress, type JobSettings, DEFAULT_SETTINGS, resolveSettings, UnknownProcessorError, RetryRefusedError, type TaskPage, type TaskPageQuery, type TaskView } from "./master/index.ts";
export { Worker, type WorkerOptions } from "./worker/index.ts";
export type { TaskStore, InstanceRecord, TaskRow, ResultRow, Fence, TaskError, TaskErrorSummary } from "./store/task-store.ts";
export { FencedError, LeaseHeldError } from "./store/errors.ts";
export { RealClock, ManualClock, type Clock } from "./runtime/clock.ts";
export { unknownLoad, FixedLoad, type LoadProbe, type Load } from "./runtime/load-probe.ts";
export { InProcessNetwork } from "./protocol/in-process.ts";
export { MemoryStore } from "./store/memory-store.ts";
export type { Transport, JsonValue } from "./protocol/index.ts";
export { ValidationError } from "./errors/validation-error.ts";
export { createCore, createWasmCore, createTwinCore } from "./core/index.ts";
