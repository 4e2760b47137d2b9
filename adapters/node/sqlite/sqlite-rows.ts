/** The columns SqliteStore reads, and the records and tasks it hands out from them. */
import type { InstanceRecord, InstanceStatus, TaskRow, TaskStatusCode } from "../../../src/store/task-store.ts";
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
}

/** A claimed task, as claim-init.sql reads it in raw mode. */
export type ClaimColumns = [number, string, string | null, string, string | null, TaskStatusCode, number, string | null, string | null];

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
  };
}
