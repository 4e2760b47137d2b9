/**
 * What a console lists (A3, A4): instances a page at a time, newest first,
 * filtered by status and processor; and the processors a master can run.
 */
import { ValidationError } from "../errors/validation-error.ts";
import { expectInt } from "../errors/validate.ts";
import { processorKind } from "../processor/define.ts";
import type { ProcessorMap } from "../processor/types.ts";
import type { InstanceStatus, TaskStore } from "../store/task-store.ts";
import { view, type InstanceView } from "./master-types.ts";

/** What a page of instances is asked for. */
export interface PageQuery {
  status?: InstanceStatus | undefined;
  processor?: string | undefined;
  /** Instances on the page, 1-1,000. */
  limit: number;
  /** The `next` of the page before; absent for the first. */
  before?: string | undefined;
}

/** A processor as GET /api/processors lists it. */
export interface LoadedProcessor {
  name: string;
  kind: "map" | "mapReduce";
}

/** A3: one page and the `before` of the next (null when this one is the last). */
export async function listPage(store: Pick<TaskStore, "getInstance" | "listInstances">, q: PageQuery): Promise<{ instances: InstanceView[]; next: string | null }> {
  const limit = expectInt("limit", q.limit, 1, 1000);
  if (q.before !== undefined && !(await store.getInstance(q.before))) {
    throw new ValidationError("before", "the next of an earlier page (an instance id)", q.before);
  }
  // One more than asked: whether a next page exists is known without a second read.
  const rows = await store.listInstances({ status: q.status, processor: q.processor, before: q.before, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return { instances: page.map(view), next: rows.length > limit ? page[page.length - 1]!.instanceId : null };
}

/** A4: the Map and MapReduce processors of `processors`, sorted by name, with their kind. */
export function loadedProcessors(processors: ProcessorMap): LoadedProcessor[] {
  const out: LoadedProcessor[] = [];
  for (const [name, p] of Object.entries(processors)) {
    const kind = processorKind(p);
    if (kind) out.push({ name, kind: kind === "map" ? "map" : "mapReduce" });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
