export type { ProcessResult, TaskContext, TaskContextBase, RootTaskContext, SubTaskContext, ReduceContext, TaskResult, TaskStatusName, MapProcessor, MapReduceProcessor, Processor, ProcessorMap } from "./types.ts";
export { defineMap, defineMapReduce, processorKind, isMapReduce } from "./define.ts";
export { pickProcessors } from "./pick.ts";
