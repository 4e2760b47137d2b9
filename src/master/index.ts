export { Master, type MasterWorker, type MasterOptions, type MasterEvent, type Submission, type InstanceView } from "./master.ts";
export { resolveLeaseSettings, DEFAULT_LEASE_MS, type LeaseOptions, type LeaseSettings } from "./lease-settings.ts";
export type { InstanceProgress, ProgressListener, InstanceMode } from "./instance/index.ts";
export { resolveSettings, DEFAULT_SETTINGS, parseDuration, type JobSettings, type ResolvedSettings } from "./settings.ts";
export { UnknownProcessorError } from "./errors.ts";
export { RetryRefusedError } from "./rerun.ts";
export type { TaskPage, TaskPageQuery, TaskView } from "./task-pages.ts";
