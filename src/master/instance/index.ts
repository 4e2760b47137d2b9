export { MapTaskMaster } from "./instance-master.ts";
export type { InstanceHost, InstanceStore, OwnWorker, ReduceOutcome } from "./host.ts";
export type { InstanceMode } from "./mode.ts";
export type { InstanceProgress, ProgressListener } from "./progress.ts";
