import type { Master } from "../master/master.ts";

function label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** The master's state in Prometheus text format (version 0.0.4). */
export function metricsText(master: Master): string {
  const out: string[] = [];
  const running = master.running();
  out.push("# HELP taskmill_instances_running Instances running on this master.");
  out.push("# TYPE taskmill_instances_running gauge");
  out.push(`taskmill_instances_running ${running.length}`);
  out.push("# HELP taskmill_workers Registered worker incarnations.");
  out.push("# TYPE taskmill_workers gauge");
  out.push(`taskmill_workers ${master.workerCount()}`);
  out.push("# HELP taskmill_tasks Tasks of running instances by task name and status.");
  out.push("# TYPE taskmill_tasks gauge");
  for (const id of running) {
    const p = master.progress(id);
    if (!p) continue;
    for (const [name, n] of Object.entries(p.names)) {
      for (const status of ["init", "pulled", "running", "success", "failed"] as const) {
        out.push(`taskmill_tasks{instance="${label(id)}",name="${label(name)}",status="${status}"} ${n[status]}`);
      }
    }
  }
  out.push("# HELP taskmill_reports_refused Reports and transitions refused (stale, duplicate, wrong attempt or worker) of running instances.");
  out.push("# TYPE taskmill_reports_refused gauge");
  for (const id of running) {
    const r = master.refusals(id);
    if (!r) continue;
    for (const [reason, n] of Object.entries(r)) out.push(`taskmill_reports_refused{instance="${label(id)}",reason="${reason}"} ${n}`);
  }
  if (master.leaseSettings) {
    // Shared masters (X3): what ownership did — the refused writes are the trace that fencing held.
    const o = master.ownership();
    out.push("# HELP taskmill_store_writes_fenced_total Store writes refused because another master holds a newer fencing token.");
    out.push("# TYPE taskmill_store_writes_fenced_total counter");
    out.push(`taskmill_store_writes_fenced_total ${o.fencedWrites}`);
    out.push("# HELP taskmill_instances_deposed_total Instances this master gave up: a write was refused (fenced) or its lease was lost (lease).");
    out.push("# TYPE taskmill_instances_deposed_total counter");
    out.push(`taskmill_instances_deposed_total{reason="fenced"} ${o.deposedFenced}`);
    out.push(`taskmill_instances_deposed_total{reason="lease"} ${o.deposedLease}`);
    out.push("# HELP taskmill_instances_taken_over_total Instances this master took over from another whose lease ran out.");
    out.push("# TYPE taskmill_instances_taken_over_total counter");
    out.push(`taskmill_instances_taken_over_total ${o.takenOver}`);
  }
  return out.join("\n") + "\n";
}
