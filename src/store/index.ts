export type {
  Fence, InstancePatch, LeaseTerms, InstanceRecord, InstanceStatus, NameProgress, NewInstance, NewTask, Progress, ResultRow,
  StatusCount, StatusUpdate, TaskError, TaskErrorSummary, TaskQuery, TaskRow, TaskStatusCode, TaskStore, WorkerProgress,
} from "./task-store.ts";
export { DuplicateInstanceError, FencedError, LeaseHeldError, UnknownInstanceError } from "./errors.ts";
export { StoreIntegrityError, isIntegrityFailure } from "./integrity-error.ts";
export { boundTaskError, MAX_ERROR_MESSAGE_BYTES, MAX_ERROR_STACK_BYTES, MAX_INSTANCE_ERRORS } from "./task-error.ts";
export { MemoryStore } from "./memory-store.ts";
