/** The columns SqliteStore reads, and the records and tasks it hands out from them. */
import type {
  InstanceRecord, InstanceStatus, TaskError, TaskErrorSummary, TaskRow, TaskStatusCode,
} from "../../../src/store/task-store.ts";
import { fromJson } from "./json-column.ts";

/** A row of `instances`. */
export interface InstanceColumns {
  num: number;
  instance_id: string;
  processor: string;
  settings: string | null;
  params: string | null;
  status: InstanceStatus;
  result: string | null;
  serial_num: number;
  owner: string;
  fence: number;
  lease_until: number | null;
  created_at: number;
  finished_at: number | null;
  progress: string | null;
  failed_count: number;
  errors: string | null;
  started_at: number | null;
  retain_until: number | null;
}

/** A row of `tasks`, its seq taken from the id. */
export interface TaskColumns {
  seq: number;
  task_id: string;
  parent_id: string | null;
  name: string;
  body: string | null;
  status: TaskStatusCode;
  attempt: number;
  worker: string | null;
  result: string | null;
  failures: number;
  not_before: number | null;
  error_message: string | null;
  error_stack: string | null;
  /** The instance's created_at for a row stored before it was kept. */
  updated_at: number;
}

/** A task as list-tasks.sql reads it in raw mode: the columns of TaskColumns in order. */
export type RawTaskColumns = [
  number, string, string | null, string, string | null, TaskStatusCode, number, string | null, string | null,
  number, number | null, string | null, string | null, number,
];

/** The error of the error columns: none without a message. */
export function taskError(message: string | null, stack: string | null): TaskError | null {
  return message === null ? null : stack === null ? { message } : { message, stack };
}

/** The record as SqliteStore hands it out. */
export function record(r: InstanceColumns): InstanceRecord {
  return {
    instanceId: r.instance_id,
    processor: r.processor,
    settings: fromJson(r.settings),
    params: fromJson(r.params),
    status: r.status,
    result: fromJson(r.result),
    serialNum: r.serial_num,
    owner: r.owner,
    fence: r.fence,
    leaseUntil: r.lease_until,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    progress: fromJson(r.progress) as InstanceRecord["progress"],
    failedCount: r.failed_count,
    errors: r.errors === null ? [] : JSON.parse(r.errors) as TaskErrorSummary[],
    startedAt: r.started_at,
    retainUntil: r.retain_until,
  };
}

/** The task as SqliteStore hands it out. */
export function taskRow(r: TaskColumns): TaskRow {
  return {
    seq: r.seq,
    taskId: r.task_id,
    parentId: r.parent_id,
    name: r.name,
    body: fromJson(r.body),
    status: r.status,
    attempt: r.attempt,
    worker: r.worker,
    result: fromJson(r.result),
    failures: r.failures,
    notBefore: r.not_before,
    error: taskError(r.error_message, r.error_stack),
    updatedAt: r.updated_at,
  };
}

/** The task of a raw row (list-tasks.sql). */
export function rawTaskRow(r: RawTaskColumns): TaskRow {
  const [seq, taskId, parentId, name, body, status, attempt, worker, result, failures, notBefore, message, stack, updatedAt] = r;
  return {
    seq, taskId, parentId, name, body: fromJson(body), status, attempt, worker, result: fromJson(result),
    failures, notBefore, error: taskError(message, stack), updatedAt,
  };
}
