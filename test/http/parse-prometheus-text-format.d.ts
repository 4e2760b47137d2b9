// The parser ships no types: what the metrics test reads of its output.
declare module "parse-prometheus-text-format" {
  /** Metric families of Prometheus text exposition. */
  export default function parse(text: string): Array<{ name: string; help: string; type: string; metrics: Array<Record<string, unknown>> }>;
}
