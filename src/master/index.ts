export { Master, type MasterOptions, type Submission, type InstanceView } from "./master.ts";
export type { InstanceProgress, ProgressListener } from "./instance.ts";
export { resolveSettings, DEFAULT_SETTINGS, parseDuration, type JobSettings, type ResolvedSettings } from "./settings.ts";
export { UnknownProcessorError } from "./errors.ts";
