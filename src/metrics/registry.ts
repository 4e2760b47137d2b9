/**
 * A small Prometheus metrics registry on Web-standard JavaScript only (src/
 * runs on Node, Deno and in browsers): counters, histograms and gauges with
 * label sets, written in the text exposition format 0.0.4. Recording costs a
 * Map lookup by the joined label values, nothing per label object.
 */

/** A label value escaped for the text format. */
function escape(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `{a="x",b="y"}` for names and values, or "" without labels; `first` (a bucket's `le`) leads, as prom-client writes it. */
function labelText(names: readonly string[], values: readonly string[], first = ""): string {
  const parts = names.map((n, i) => `${n}="${escape(values[i] ?? "")}"`);
  if (first) parts.unshift(first);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A number as the text format writes it. */
function num(v: number): string {
  return Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What every metric has. */
interface Metric {
  readonly name: string;
  /** Its lines, with HELP and TYPE. */
  lines(out: string[]): void;
}

/** Checks a metric's name and label names; throws naming the bad one. */
function checkNames(name: string, labels: readonly string[]): void {
  if (!NAME.test(name)) throw new Error(`name: Expected a Prometheus metric name, got ${JSON.stringify(name)}`);
  for (const l of labels) {
    if (!LABEL.test(l) || l.startsWith("__") || l === "le") throw new Error(`labels: Expected Prometheus label names (not le or __*), got ${JSON.stringify(l)}`);
  }
}

/** A value that only goes up, per label set; its series stay once created. */
export class Counter implements Metric {
  readonly #series = new Map<string, { values: readonly string[]; n: number }>();
  constructor(readonly name: string, readonly help: string, readonly labels: readonly string[]) {
    checkNames(name, labels);
  }

  /** Adds `n` (≥ 0) to the series of `values` (in the order of `labels`). */
  inc(values: readonly string[], n = 1): void {
    if (!(n >= 0)) return;
    const key = values.join("\u0000");
    const s = this.#series.get(key);
    if (s) s.n += n;
    else this.#series.set(key, { values: [...values], n });
  }

  /** The value of a series (0 when it has none yet). */
  get(values: readonly string[]): number {
    return this.#series.get(values.join("\u0000"))?.n ?? 0;
  }

  lines(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`);
    for (const s of this.#series.values()) out.push(`${this.name}${labelText(this.labels, s.values)} ${num(s.n)}`);
  }
}

/** Observations counted into buckets (cumulative in the text), with their sum and count, per label set. */
export class Histogram implements Metric {
  readonly #series = new Map<string, { values: readonly string[]; counts: Float64Array; sum: number; count: number }>();
  readonly buckets: readonly number[];
  constructor(readonly name: string, readonly help: string, readonly labels: readonly string[], buckets: readonly number[]) {
    checkNames(name, labels);
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new Error(`buckets: Expected finite upper bounds in increasing order, got ${JSON.stringify(buckets)}`);
    }
    this.buckets = [...buckets];
  }

  /** Records `v` in the series of `values`. */
  observe(values: readonly string[], v: number): void {
    this.observeMany(values, [v]);
  }

  /** Records every value of `vs` in the series of `values`: one lookup for a batch. */
  observeMany(values: readonly string[], vs: ArrayLike<number>): void {
    const key = values.join("\u0000");
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, s = { values: [...values], counts: new Float64Array(this.buckets.length), sum: 0, count: 0 });
    const b = this.buckets;
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k]!;
      for (let i = 0; i < b.length; i++) if (v <= b[i]!) { s.counts[i]!++; break; }
      s.sum += v;
      s.count++;
    }
  }

  lines(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const s of this.#series.values()) {
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i]!;
        out.push(`${this.name}_bucket${labelText(this.labels, s.values, `le="${num(this.buckets[i]!)}"`)} ${acc}`);
      }
      out.push(`${this.name}_bucket${labelText(this.labels, s.values, 'le="+Inf"')} ${s.count}`);
      out.push(`${this.name}_sum${labelText(this.labels, s.values)} ${num(s.sum)}`);
      out.push(`${this.name}_count${labelText(this.labels, s.values)} ${s.count}`);
    }
  }
}

/** A value read when scraped: `collect` gives each label set's value. */
export class Gauge implements Metric {
  constructor(
    readonly name: string, readonly help: string, readonly labels: readonly string[],
    readonly collect: () => Iterable<readonly [readonly string[], number]>,
  ) {
    checkNames(name, labels);
  }

  lines(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`);
    for (const [values, v] of this.collect()) out.push(`${this.name}${labelText(this.labels, values)} ${num(v)}`);
  }
}

/** Metrics by name, written together. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  #add<M extends Metric>(m: M): M {
    if (this.#metrics.has(m.name)) throw new Error(`name: Expected a metric name not registered yet, got ${JSON.stringify(m.name)}`);
    this.#metrics.set(m.name, m);
    return m;
  }

  /** A new counter. */
  counter(name: string, help: string, labels: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labels));
  }

  /** A new histogram with these bucket upper bounds. */
  histogram(name: string, help: string, labels: readonly string[], buckets: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, labels, buckets));
  }

  /** A new gauge read by `collect` at each scrape. */
  gauge(name: string, help: string, labels: readonly string[], collect: () => Iterable<readonly [readonly string[], number]>): Gauge {
    return this.#add(new Gauge(name, help, labels, collect));
  }

  /** Every metric in the text exposition format 0.0.4. */
  text(): string {
    const out: string[] = [];
    for (const m of this.#metrics.values()) m.lines(out);
    return out.join("\n") + "\n";
  }
}

/** Bucket bounds in seconds from 1 ms to about 10 min, for run times and latencies. */
export const SECONDS_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];
