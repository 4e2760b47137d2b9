/** Rows as the store's statements return them, and their TaskStore shapes. JSON fields hold JSON text. */
import { decodeJson } from "../../../src/store/input.ts";
import type {
  InstanceRecord, InstanceStatus, TaskError, TaskErrorSummary, TaskRow, TaskStatusCode,
} from "../../../src/store/task-store.ts";

/** The first row of every write statement: the instance's token as the locked row holds it. */
export interface FenceRow { fence: number }

/** A row of `instances`. */
export interface InstanceSqlRow {
  id: string; processor: string; settings: string; params: string; status: InstanceStatus; result: string;
  serial_num: number; owner: string; fence: number; lease_until: number | null; created_at: number; finished_at: number | null; progress: string;
  failed_count: number; errors: string; started_at: number | null; retain_until: number | null;
}

/** A row of `tasks`, as getTask and claimInit read it. */
export interface TaskSqlRow {
  seq: number; task_id: string; parent_id: string | null; name: string; body: string;
  status: TaskStatusCode; attempt: number; worker: string | null; result: string;
  failures: number; not_before: number | null; error_message: string | null; error_stack: string | null;
  /** The instance's created_at for a row stored before it was kept. */
  updated_at: number;
}

/** A row of a results page. */
export interface ResultSqlRow {
  seq: number; task_id: string; name: string; status: TaskStatusCode; result: string;
  attempt: number; error_message: string | null; error_stack: string | null;
}

/** The error of the error columns: none without a message. */
export function taskError(message: string | null, stack: string | null): TaskError | null {
  return message === null ? null : stack === null ? { message } : { message, stack };
}

/** An instance row as an InstanceRecord. */
export function record(row: InstanceSqlRow): InstanceRecord {
  return {
    instanceId: row.id,
    processor: row.processor,
    settings: decodeJson(row.settings),
    params: decodeJson(row.params),
    status: row.status,
    result: decodeJson(row.result),
    serialNum: row.serial_num,
    owner: row.owner,
    fence: row.fence,
    leaseUntil: row.lease_until,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    progress: decodeJson(row.progress) as InstanceRecord["progress"],
    failedCount: row.failed_count,
    errors: JSON.parse(row.errors) as TaskErrorSummary[],
    startedAt: row.started_at,
    retainUntil: row.retain_until,
  };
}

/** A task row as a TaskRow. */
export function taskRow(row: TaskSqlRow): TaskRow {
  return {
    seq: row.seq,
    taskId: row.task_id,
    parentId: row.parent_id,
    name: row.name,
    body: decodeJson(row.body),
    status: row.status,
    attempt: row.attempt,
    worker: row.worker,
    result: decodeJson(row.result),
    failures: row.failures,
    notBefore: row.not_before,
    error: taskError(row.error_message, row.error_stack),
    updatedAt: row.updated_at,
  };
}
