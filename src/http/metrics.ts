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
  out.push(`taskmill_workers ${master.workers().length}`);
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
  return out.join("\n") + "\n";
}
