/**
 * Self-metrics in the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * @module
 */

/** Label values keyed by label name. */
export type Labels = Record<string, string>;

/** A monotonically increasing counter. */
export interface Counter {
  /** Adds `n` (default 1, must be >= 0) to the series with `labels`. */
  inc(labels?: Labels, n?: number): void;
}

/** A value that can go up and down. */
export interface Gauge {
  /** Sets the series with `labels` to `v`. */
  set(labels: Labels, v: number): void;
  /** Adds `n` (default 1). */
  inc(labels?: Labels, n?: number): void;
  /** Subtracts `n` (default 1). */
  dec(labels?: Labels, n?: number): void;
}

/** A histogram with fixed cumulative buckets. */
export interface Histogram {
  /** Records one observation `v` in the series with `labels`. */
  observe(labels: Labels, v: number): void;
}

/** A set of metrics rendered together. */
export interface MetricsRegistry {
  /** Registers a counter. */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  /** Registers a gauge. */
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  /** Registers a histogram; `buckets` are upper bounds, `+Inf` is added. */
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram;
  /** Runs `fn` before every render, e.g. to set gauges sampled on demand. */
  onCollect(fn: () => void): void;
  /** The exposition text: families sorted by name, series by label values; deterministic. */
  render(): string;
}

/** Default latency buckets in seconds (as the Prometheus client libraries use). */
export const DEFAULT_SECONDS_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escapes a label value: backslash, double quote and line feed (format 0.0.4). */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === "\\" ? "\\\\" : c === '"' ? '\\"' : "\\n"));
}

/** Escapes HELP text: backslash and line feed only (format 0.0.4). */
export function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === "\\" ? "\\\\" : "\\n"));
}

/** Formats a sample value as Go's `strconv.FormatFloat(v, 'g', -1, 64)` would be read back. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  labelNames: readonly string[];
  lines(): string[];
}

function validateLabelNames(metric: string, names: readonly string[], reserved: string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (!LABEL_NAME.test(n) || n.startsWith("__")) {
      throw new TypeError(`metric ${metric}: invalid label name ${JSON.stringify(n)}`);
    }
    if (reserved.includes(n)) {
      throw new TypeError(`metric ${metric}: label name "${n}" is reserved`);
    }
    if (seen.has(n)) throw new TypeError(`metric ${metric}: duplicate label name "${n}"`);
    seen.add(n);
  }
}

/** Series key from label values in declared order; \u0000 cannot be confused with content. */
function seriesKey(metric: string, names: readonly string[], labels: Labels | undefined): string[] {
  const values: string[] = [];
  const given = labels ?? {};
  for (const n of names) {
    const v = given[n];
    if (typeof v !== "string") {
      throw new TypeError(`metric ${metric}: label "${n}" missing or not a string`);
    }
    values.push(v);
  }
  const extra = Object.keys(given).length - names.length;
  if (extra > 0) {
    const unknown = Object.keys(given).filter((k) => !names.includes(k));
    throw new TypeError(`metric ${metric}: unknown label(s) ${unknown.join(", ")}`);
  }
  return values;
}

function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i]!)}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Creates a metrics registry.
 *
 * @example
 * ```ts
 * const reg = createRegistry();
 * const reqs = reg.counter("obstack_ingest_requests_total", "Requests.", ["tenant", "outcome"]);
 * reqs.inc({ tenant: "acme", outcome: "ok" });
 * reg.render(); // "# HELP obstack_ingest_requests_total Requests.\n# TYPE …"
 * ```
 */
export function createRegistry(): MetricsRegistry {
  const families = new Map<string, Family>();
  const collectors: Array<() => void> = [];

  const register = (f: Family): void => {
    if (!METRIC_NAME.test(f.name)) {
      throw new TypeError(`invalid metric name ${JSON.stringify(f.name)}`);
    }
    if (families.has(f.name)) throw new TypeError(`metric ${f.name} already registered`);
    if (f.type === "histogram") {
      for (const suffix of ["_bucket", "_sum", "_count"]) {
        if (families.has(f.name + suffix)) {
          throw new TypeError(`metric ${f.name}: clashes with ${f.name + suffix}`);
        }
      }
    }
    families.set(f.name, f);
  };

  const simple = (
    type: "counter" | "gauge",
    name: string,
    help: string,
    labelNames: readonly string[],
  ) => {
    validateLabelNames(name, labelNames, []);
    const series = new Map<string, { values: string[]; v: number }>();
    const get = (labels: Labels | undefined) => {
      const values = seriesKey(name, labelNames, labels);
      const key = values.join("\u0000");
      let s = series.get(key);
      if (!s) {
        s = { values, v: 0 };
        series.set(key, s);
      }
      return s;
    };
    register({
      name,
      help,
      type,
      labelNames,
      lines: () =>
        [...series.values()]
          .sort((a, b) => compareValues(a.values, b.values))
          .map((s) => `${name}${labelText(labelNames, s.values)} ${formatValue(s.v)}`),
    });
    return get;
  };

  return {
    counter(name, help, labelNames = []) {
      const get = simple("counter", name, help, labelNames);
      return {
        inc(labels, n = 1) {
          if (!(n >= 0)) throw new RangeError(`counter ${name}: cannot add ${n}`);
          get(labels).v += n;
        },
      };
    },
    gauge(name, help, labelNames = []) {
      const get = simple("gauge", name, help, labelNames);
      return {
        set(labels, v) {
          get(labels).v = v;
        },
        inc(labels, n = 1) {
          get(labels).v += n;
        },
        dec(labels, n = 1) {
          get(labels).v -= n;
        },
      };
    },
    histogram(name, help, labelNames, buckets) {
      validateLabelNames(name, labelNames, ["le"]);
      const bounds = [...buckets];
      if (bounds.length === 0) throw new TypeError(`histogram ${name}: needs at least one bucket`);
      for (let i = 0; i < bounds.length; i++) {
        const b = bounds[i]!;
        if (!Number.isFinite(b)) throw new TypeError(`histogram ${name}: bucket ${b} not finite`);
        if (i > 0 && !(b > bounds[i - 1]!)) {
          throw new TypeError(`histogram ${name}: buckets must be strictly increasing`);
        }
      }
      const series = new Map<
        string,
        { values: string[]; counts: number[]; sum: number; count: number }
      >();
      register({
        name,
        help,
        type: "histogram",
        labelNames,
        lines: () => {
          const out: string[] = [];
          const sorted = [...series.values()].sort((a, b) => compareValues(a.values, b.values));
          for (const s of sorted) {
            let cum = 0;
            bounds.forEach((b, i) => {
              cum += s.counts[i]!;
              out.push(
                `${name}_bucket${labelText(labelNames, s.values, `le="${formatValue(b)}"`)} ${cum}`,
              );
            });
            out.push(`${name}_bucket${labelText(labelNames, s.values, 'le="+Inf"')} ${s.count}`);
            out.push(`${name}_sum${labelText(labelNames, s.values)} ${formatValue(s.sum)}`);
            out.push(`${name}_count${labelText(labelNames, s.values)} ${s.count}`);
          }
          return out;
        },
      });
      return {
        observe(labels, v) {
          const values = seriesKey(name, labelNames, labels);
          const key = values.join("\u0000");
          let s = series.get(key);
          if (!s) {
            s = { values, counts: new Array(bounds.length).fill(0), sum: 0, count: 0 };
            series.set(key, s);
          }
          // Buckets are "less than or equal" upper bounds.
          const i = bounds.findIndex((b) => v <= b);
          if (i >= 0) s.counts[i]!++;
          s.sum += v;
          s.count++;
        },
      };
    },
    onCollect(fn) {
      collectors.push(fn);
    },
    render() {
      for (const fn of collectors) {
        try {
          fn();
        } catch {
          // A failing collector must not break the whole endpoint.
        }
      }
      const names = [...families.keys()].sort();
      const out: string[] = [];
      for (const n of names) {
        const f = families.get(n)!;
        out.push(`# HELP ${n} ${escapeHelp(f.help)}`);
        out.push(`# TYPE ${n} ${f.type}`);
        out.push(...f.lines());
      }
      return out.length ? out.join("\n") + "\n" : "";
    },
  };
}
