export type {
  Fence, InstancePatch, LeaseTerms, InstanceRecord, InstanceStatus, NameProgress, NewInstance, NewTask, Progress, ResultRow,
  StatusCount, StatusUpdate, TaskRow, TaskStatusCode, TaskStore, WorkerProgress,
} from "./task-store.ts";
export { DuplicateInstanceError, FencedError, LeaseHeldError, UnknownInstanceError } from "./errors.ts";
export { MemoryStore } from "./memory-store.ts";
