// A5: the Web-standard metrics registry writes the Prometheus text format exactly: HELP and
// TYPE lines, cumulative buckets with le first, +Inf equal to the count, escaped label values;
// bad names and buckets are refused naming the field.
import { describe, it, expect } from "vitest";
import { MetricsRegistry } from "../../src/metrics/registry.ts";

describe("A5 metrics registry", () => {
  it("A5: counters, histograms and gauges in the text exposition format", () => {
    const r = new MetricsRegistry();
    const c = r.counter("jobs_total", "Jobs.", ["kind"]);
    c.inc(["a"]);
    c.inc(["a"], 2);
    c.inc(['q"\\\n']);
    const h = r.histogram("wait_seconds", "Waits.", ["op"], [0.1, 1]);
    // Sums of binary fractions, so the sum is exact.
    h.observeMany(["x"], [0.0625, 0.5, 5]);
    h.observe(["x"], 0.125);
    let n = 3;
    r.gauge("open", "Open now.", [], () => [[[], n]]);
    n = 4;
    expect(r.text()).toBe([
      "# HELP jobs_total Jobs.", "# TYPE jobs_total counter",
      'jobs_total{kind="a"} 3', 'jobs_total{kind="q\\"\\\\\\n"} 1',
      "# HELP wait_seconds Waits.", "# TYPE wait_seconds histogram",
      'wait_seconds_bucket{le="0.1",op="x"} 1', 'wait_seconds_bucket{le="1",op="x"} 3', 'wait_seconds_bucket{le="+Inf",op="x"} 4',
      'wait_seconds_sum{op="x"} 5.6875', 'wait_seconds_count{op="x"} 4',
      "# HELP open Open now.", "# TYPE open gauge", "open 4", "",
    ].join("\n"));
  });

  it("A5: a bad metric name, label name, bucket list or a name registered twice is refused naming the field", () => {
    const r = new MetricsRegistry();
    expect(() => r.counter("1bad", "x")).toThrow(/^name: Expected a Prometheus metric name, got "1bad"/);
    expect(() => r.counter("ok_total", "x", ["le"])).toThrow(/^labels: /);
    expect(() => r.histogram("h", "x", [], [1, 1])).toThrow(/^buckets: /);
    r.counter("twice_total", "x");
    expect(() => r.counter("twice_total", "x")).toThrow(/^name: Expected a metric name not registered yet/);
  });
});
