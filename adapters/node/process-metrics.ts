/**
 * A5: the Node process's own metrics — CPU, resident memory, heap, event
 * loop lag, handles, GC — as Prometheus users expect them from any Node
 * service (prom-client's default metrics), for the master's /metrics. They
 * live in a registry of their own: src/ stays Web-standard and its registry
 * knows nothing of Node.
 */
import { Registry, collectDefaultMetrics } from "prom-client";

/** A function giving the process metrics as exposition text, to pass as `extraMetrics`. */
export function processMetrics(): () => Promise<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return () => registry.metrics();
}
