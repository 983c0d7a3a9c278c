/**
 * OTLP metrics → Prometheus remote-write series, following the OpenTelemetry "Prometheus and
 * OpenMetrics compatibility" specification, section "OTLP Metric points to Prometheus".
 *
 * What the specification cannot map (delta temporality, exponential histograms outside the
 * native-histogram scales, points without a value, …) is not silently lost: every dropped point
 * is reported in {@linkcode MetricsTranslation.dropped} so the caller can count and log it.
 *
 * @module
 */
import {
  attributePairs,
  has,
  idToHex,
  type Int64Like,
  int64ToNumber,
  type KeyValueLike,
  nanosToMillis,
} from "./_otlp.ts";
import {
  attributesToLabels,
  formatPromFloat,
  type PromMetricKind,
  promMetricName,
  promUnit,
  sanitizeMetricName,
} from "./prom_names.ts";
import {
  PROM_METRIC_TYPE,
  type PromBucketSpan,
  type PromExemplar,
  type PromHistogram,
  type PromLabel,
  type PromMetadata,
  type PromSample,
  type PromSeries,
} from "./prom_types.ts";

// ---- input: the decoded ExportMetricsServiceRequest (protobufjs view) -----------------------

type Attrs = readonly (KeyValueLike | null | undefined)[] | null | undefined;

/** `opentelemetry.proto.metrics.v1.Exemplar`. */
export interface OtlpExemplar {
  filteredAttributes?: Attrs;
  timeUnixNano?: Int64Like | null;
  asDouble?: number | null;
  asInt?: Int64Like | null;
  spanId?: Uint8Array | null;
  traceId?: Uint8Array | null;
}

/** `NumberDataPoint`. */
export interface OtlpNumberPoint {
  attributes?: Attrs;
  startTimeUnixNano?: Int64Like | null;
  timeUnixNano?: Int64Like | null;
  asDouble?: number | null;
  asInt?: Int64Like | null;
  exemplars?: (OtlpExemplar | null | undefined)[] | null;
  flags?: number | null;
}

/** `HistogramDataPoint`. */
export interface OtlpHistogramPoint {
  attributes?: Attrs;
  startTimeUnixNano?: Int64Like | null;
  timeUnixNano?: Int64Like | null;
  count?: Int64Like | null;
  sum?: number | null;
  bucketCounts?: (Int64Like | null)[] | null;
  explicitBounds?: number[] | null;
  exemplars?: (OtlpExemplar | null | undefined)[] | null;
  flags?: number | null;
}

/** `ExponentialHistogramDataPoint.Buckets`. */
export interface OtlpExpBuckets {
  offset?: number | null;
  bucketCounts?: (Int64Like | null)[] | null;
}

/** `ExponentialHistogramDataPoint`. */
export interface OtlpExpHistogramPoint {
  attributes?: Attrs;
  startTimeUnixNano?: Int64Like | null;
  timeUnixNano?: Int64Like | null;
  count?: Int64Like | null;
  sum?: number | null;
  scale?: number | null;
  zeroCount?: Int64Like | null;
  positive?: OtlpExpBuckets | null;
  negative?: OtlpExpBuckets | null;
  flags?: number | null;
  exemplars?: (OtlpExemplar | null | undefined)[] | null;
  zeroThreshold?: number | null;
}

/** `SummaryDataPoint`. */
export interface OtlpSummaryPoint {
  attributes?: Attrs;
  startTimeUnixNano?: Int64Like | null;
  timeUnixNano?: Int64Like | null;
  count?: Int64Like | null;
  sum?: number | null;
  quantileValues?: ({ quantile?: number | null; value?: number | null } | null)[] | null;
  flags?: number | null;
}

/** Aggregation temporality as an enum number (protobufjs default) or its name. */
export type Temporality = number | string | null | undefined;

/** `Metric`. */
export interface OtlpMetric {
  name?: string | null;
  description?: string | null;
  unit?: string | null;
  gauge?: { dataPoints?: (OtlpNumberPoint | null)[] | null } | null;
  sum?: {
    dataPoints?: (OtlpNumberPoint | null)[] | null;
    aggregationTemporality?: Temporality;
    isMonotonic?: boolean | null;
  } | null;
  histogram?: {
    dataPoints?: (OtlpHistogramPoint | null)[] | null;
    aggregationTemporality?: Temporality;
  } | null;
  exponentialHistogram?: {
    dataPoints?: (OtlpExpHistogramPoint | null)[] | null;
    aggregationTemporality?: Temporality;
  } | null;
  summary?: { dataPoints?: (OtlpSummaryPoint | null)[] | null } | null;
  metadata?: Attrs;
}

/** `ExportMetricsServiceRequest`. */
export interface OtlpMetricsRequest {
  resourceMetrics?: ({
    resource?: { attributes?: Attrs } | null;
    scopeMetrics?: ({
      scope?: { name?: string | null; version?: string | null; attributes?: Attrs } | null;
      metrics?: (OtlpMetric | null)[] | null;
    } | null)[] | null;
  } | null)[] | null;
}

// ---- output ---------------------------------------------------------------------------------

/** Why points were not translated. */
export type DropReason =
  | "delta_temporality"
  | "no_value"
  | "no_data"
  | "invalid_histogram"
  | "scale_out_of_range";

/** Points of one metric that were not translated, and why. */
export interface DroppedPoints {
  /** The OTLP metric name. */
  metric: string;
  reason: DropReason;
  points: number;
}

/** Result of {@linkcode otlpMetricsToPrometheus}. */
export interface MetricsTranslation {
  /** Series with labels sorted by name and samples in time order. */
  timeseries: PromSeries[];
  /** One entry per metric family. */
  metadata: PromMetadata[];
  /** What could not be represented. */
  dropped: DroppedPoints[];
}

/** Options of {@linkcode otlpMetricsToPrometheus}. */
export interface MetricsTranslationOptions {
  /** The tenant; becomes the `tenant_id` label of every series, overriding any attribute. */
  tenant: string;
  /** Timestamp (ms) used for points that carry none (`time_unix_nano` = 0). */
  fallbackTimeMs: number;
  /** Add `otel_scope_name`/`otel_scope_version` labels (spec default: on). */
  scopeLabels?: boolean;
  /** Emit `target_info` per resource with non-identifying attributes (spec: SHOULD). */
  targetInfo?: boolean;
  /** Emit `{name}_created` series from start times (spec: should; off by default as in the Collector). */
  createdSeries?: boolean;
  /** Resource attributes copied onto every series as labels (spec: MAY, by configuration). */
  promoteResourceAttributes?: readonly string[];
}

/** OTLP `DataPointFlags.FLAG_NO_RECORDED_VALUE`. */
const FLAG_NO_RECORDED_VALUE = 1;
/** OpenMetrics: an exemplar's label set is at most 128 UTF-8 characters. */
const EXEMPLAR_LABELS_MAX_CHARS = 128;
/** Native histogram schemas Prometheus accepts. */
const MIN_SCHEMA = -4;
const MAX_SCHEMA = 8;
/** Spec: "Otherwise, it is set to the default value `1e-128`". */
const DEFAULT_ZERO_THRESHOLD = 1e-128;
/** Resource attributes that make up `job` and `instance`, hence not repeated in target_info. */
const IDENTIFYING = new Set(["service.name", "service.namespace", "service.instance.id"]);
/** The tenant stamp ingest puts on every resource; carried as the `tenant_id` label instead. */
const TENANT_ATTR = "tenant_id";

/**
 * Translates a decoded `ExportMetricsServiceRequest` into remote-write series.
 *
 * @example
 * ```ts
 * const { timeseries, dropped } = otlpMetricsToPrometheus(req, { tenant: "acme", fallbackTimeMs: Date.now() });
 * ```
 */
export function otlpMetricsToPrometheus(
  req: OtlpMetricsRequest,
  opts: MetricsTranslationOptions,
): MetricsTranslation {
  const b = new SeriesBuilder();
  const dropped = new Map<string, DroppedPoints>();
  const drop = (metric: string, reason: DropReason, points: number) => {
    if (points <= 0) return;
    const key = `${metric}\u0000${reason}`;
    const d = dropped.get(key);
    if (d) d.points += points;
    else dropped.set(key, { metric, reason, points });
  };
  const scopeLabels = opts.scopeLabels ?? true;

  for (const rm of req.resourceMetrics ?? []) {
    if (!rm) continue;
    const resAttrs = attributePairs(rm.resource?.attributes);
    const res = new Map(resAttrs);
    const resourceLabels = new Map<string, string>();
    for (const key of opts.promoteResourceAttributes ?? []) {
      const v = res.get(key);
      if (v !== undefined && key !== TENANT_ATTR) {
        for (const [n, val] of attributesToLabels([[key, v]])) resourceLabels.set(n, val);
      }
    }
    const serviceName = res.get("service.name");
    const namespace = res.get("service.namespace");
    if (serviceName !== undefined && serviceName !== "") {
      resourceLabels.set("job", namespace ? `${namespace}/${serviceName}` : serviceName);
    }
    const instance = res.get("service.instance.id");
    if (instance !== undefined && instance !== "") resourceLabels.set("instance", instance);
    let latestMs = 0;

    for (const sm of rm.scopeMetrics ?? []) {
      if (!sm) continue;
      const scope = new Map<string, string>();
      if (scopeLabels) {
        if (sm.scope?.name) scope.set("otel_scope_name", sm.scope.name);
        if (sm.scope?.version) scope.set("otel_scope_version", sm.scope.version);
        const scopeAttrs = attributePairs(sm.scope?.attributes);
        if (scopeAttrs.length > 0 && sm.scope?.name) {
          // otel_scope_info: one info series per scope with attributes (spec, Instrumentation Scope).
          const labels = new Map([...attributesToLabels(scopeAttrs), ...resourceLabels, ...scope]);
          b.pendingInfo.push({ name: "otel_scope_info", labels });
        }
      }
      for (const m of sm.metrics ?? []) {
        if (!m) continue;
        const t = translateMetric(m, b, {
          base: new Map([...resourceLabels, ...scope]),
          tenant: opts.tenant,
          fallbackTimeMs: opts.fallbackTimeMs,
          createdSeries: opts.createdSeries ?? false,
          drop,
        });
        latestMs = Math.max(latestMs, t);
      }
    }

    // Info series only accompany resources that produced points, stamped with their latest time.
    for (const info of b.pendingInfo.splice(0)) {
      if (latestMs === 0) continue;
      b.addSample(info.name, info.labels, opts.tenant, { value: 1, timestamp: latestMs });
      b.meta(info.name, PROM_METRIC_TYPE.GAUGE, "", "");
    }
    // target_info: the non-identifying resource attributes, labelled by job and instance only.
    if ((opts.targetInfo ?? true) && latestMs > 0) {
      const others = resAttrs.filter(([k]) => !IDENTIFYING.has(k) && k !== TENANT_ATTR);
      if (others.length > 0) {
        const labels = attributesToLabels(others);
        for (const k of ["job", "instance"]) {
          const v = resourceLabels.get(k);
          if (v !== undefined) labels.set(k, v);
        }
        b.addSample("target_info", labels, opts.tenant, { value: 1, timestamp: latestMs });
        b.meta("target_info", PROM_METRIC_TYPE.GAUGE, "Target metadata", "");
      }
    }
  }

  return {
    timeseries: b.finish(),
    metadata: [...b.metadata.values()],
    dropped: [...dropped.values()],
  };
}

interface MetricContext {
  base: Map<string, string>;
  tenant: string;
  fallbackTimeMs: number;
  createdSeries: boolean;
  drop: (metric: string, reason: DropReason, points: number) => void;
}

const CUMULATIVE = 2;
const DELTA = 1;

function temporalityOf(t: Temporality): number {
  if (typeof t === "number") return t;
  if (t === "AGGREGATION_TEMPORALITY_CUMULATIVE") return CUMULATIVE;
  if (t === "AGGREGATION_TEMPORALITY_DELTA") return DELTA;
  return 0;
}

/** Translates one metric; returns the latest timestamp (ms) it emitted, 0 when none. */
function translateMetric(m: OtlpMetric, b: SeriesBuilder, ctx: MetricContext): number {
  const otlpName = m.name ?? "";
  const unit = m.unit ?? "";
  const help = m.description ?? "";
  let latest = 0;
  const timeOf = (p: { timeUnixNano?: Int64Like | null }) => {
    const t = nanosToMillis(p.timeUnixNano);
    const ms = t > 0 ? t : ctx.fallbackTimeMs;
    if (ms > latest) latest = ms;
    return ms;
  };
  const labelsOf = (attrs: Attrs) =>
    new Map([...attributesToLabels(attributePairs(attrs)), ...ctx.base]);
  const created = (
    family: string,
    labels: Map<string, string>,
    p: { startTimeUnixNano?: Int64Like | null },
    ts: number,
  ) => {
    if (!ctx.createdSeries) return;
    const start = nanosToMillis(p.startTimeUnixNano);
    if (start <= 0) return;
    b.addSample(`${family}_created`, labels, ctx.tenant, { value: start / 1000, timestamp: ts });
  };

  if (has(m, "gauge")) {
    const name = promMetricName(otlpName, unit, "gauge");
    // A gauge tagged `prometheus.type=unknown` came from an untyped Prometheus metric.
    const promType = attributePairs(m.metadata).find(([k]) => k === "prometheus.type")?.[1];
    b.meta(
      name,
      promType === "unknown" ? PROM_METRIC_TYPE.UNKNOWN : PROM_METRIC_TYPE.GAUGE,
      help,
      promUnit(unit, "gauge"),
    );
    let noValue = 0;
    for (const p of m.gauge?.dataPoints ?? []) {
      if (!p) continue;
      const smp = numberSample(p, timeOf(p));
      if (smp === undefined) {
        noValue++;
        continue;
      }
      b.addSample(name, labelsOf(p.attributes), ctx.tenant, smp);
    }
    ctx.drop(otlpName, "no_value", noValue);
  } else if (has(m, "sum")) {
    const sum = m.sum!;
    const points = (sum.dataPoints ?? []).filter((p): p is OtlpNumberPoint => !!p);
    if (temporalityOf(sum.aggregationTemporality) !== CUMULATIVE) {
      // Spec: delta monotonic sums SHOULD be accumulated into cumulative ones; that needs state
      // shared by every forwarder replica, which a stateless consumer does not have. Non-monotonic
      // deltas MUST be dropped. Both are reported.
      ctx.drop(otlpName, "delta_temporality", points.length);
      return latest;
    }
    const monotonic = sum.isMonotonic === true;
    const kind: PromMetricKind = monotonic ? "counter" : "gauge";
    const name = promMetricName(otlpName, unit, kind);
    b.meta(
      name,
      monotonic ? PROM_METRIC_TYPE.COUNTER : PROM_METRIC_TYPE.GAUGE,
      help,
      promUnit(unit, kind),
    );
    let noValue = 0;
    for (const p of points) {
      const ts = timeOf(p);
      const smp = numberSample(p, ts);
      if (smp === undefined) {
        noValue++;
        continue;
      }
      const labels = labelsOf(p.attributes);
      const series = b.addSample(name, labels, ctx.tenant, smp);
      // Exemplars only on monotonic sums (spec, Exemplars: "on other data points MUST be dropped").
      if (monotonic) {
        for (const e of p.exemplars ?? []) if (e) series.exemplars.push(exemplar(e, ts));
      }
      if (monotonic) created(name.replace(/_total$/, ""), labels, p, ts);
    }
    ctx.drop(otlpName, "no_value", noValue);
  } else if (has(m, "histogram")) {
    const h = m.histogram!;
    const points = (h.dataPoints ?? []).filter((p): p is OtlpHistogramPoint => !!p);
    if (temporalityOf(h.aggregationTemporality) !== CUMULATIVE) {
      ctx.drop(otlpName, "delta_temporality", points.length);
      return latest;
    }
    const name = promMetricName(otlpName, unit, "histogram");
    b.meta(name, PROM_METRIC_TYPE.HISTOGRAM, help, promUnit(unit, "histogram"));
    let invalid = 0;
    for (const p of points) {
      const labels = labelsOf(p.attributes);
      const ts = timeOf(p);
      if (histogramPoint(name, p, labels, ts, b, ctx.tenant)) created(name, labels, p, ts);
      else invalid++;
    }
    ctx.drop(otlpName, "invalid_histogram", invalid);
  } else if (has(m, "exponentialHistogram")) {
    const h = m.exponentialHistogram!;
    const points = (h.dataPoints ?? []).filter((p): p is OtlpExpHistogramPoint => !!p);
    if (temporalityOf(h.aggregationTemporality) !== CUMULATIVE) {
      // Spec: "with the delta aggregation temporality are dropped".
      ctx.drop(otlpName, "delta_temporality", points.length);
      return latest;
    }
    const name = promMetricName(otlpName, unit, "native-histogram");
    b.meta(name, PROM_METRIC_TYPE.HISTOGRAM, help, promUnit(unit, "native-histogram"));
    let outOfRange = 0;
    for (const p of points) {
      const ts = timeOf(p);
      const nh = nativeHistogram(p, ts);
      if (!nh) {
        outOfRange++;
        continue;
      }
      const series = b.series(name, labelsOf(p.attributes), ctx.tenant);
      series.histograms.push(nh);
      for (const e of p.exemplars ?? []) if (e) series.exemplars.push(exemplar(e, ts));
    }
    ctx.drop(otlpName, "scale_out_of_range", outOfRange);
  } else if (has(m, "summary")) {
    const name = promMetricName(otlpName, unit, "summary");
    b.meta(name, PROM_METRIC_TYPE.SUMMARY, help, promUnit(unit, "summary"));
    for (const p of m.summary?.dataPoints ?? []) {
      if (!p) continue;
      const labels = labelsOf(p.attributes);
      const ts = timeOf(p);
      const stale = ((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
      const qs = (p.quantileValues ?? [])
        .filter((q): q is { quantile?: number | null; value?: number | null } => !!q)
        .map((q) => ({ quantile: q.quantile ?? 0, value: q.value ?? 0 }))
        .sort((a, z) => a.quantile - z.quantile);
      for (const q of qs) {
        const ql = new Map(labels);
        ql.set("quantile", formatPromFloat(q.quantile));
        b.addSample(name, ql, ctx.tenant, sample(q.value, ts, stale));
      }
      b.addSample(`${name}_sum`, labels, ctx.tenant, sample(p.sum ?? 0, ts, stale));
      b.addSample(`${name}_count`, labels, ctx.tenant, sample(int64ToNumber(p.count), ts, stale));
      created(name, labels, p, ts);
    }
  } else {
    ctx.drop(otlpName, "no_data", 1);
  }
  return latest;
}

/** The sample of a number point; a stale marker when flagged NoRecordedValue; undefined when unset. */
function numberSample(p: OtlpNumberPoint, timestamp: number): PromSample | undefined {
  if (((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0) {
    return { value: NaN, timestamp, stale: true };
  }
  if (has(p, "asDouble")) return { value: p.asDouble!, timestamp };
  if (has(p, "asInt")) return { value: int64ToNumber(p.asInt), timestamp };
  return undefined;
}

/** A float sample, or a stale marker. */
function sample(value: number, timestamp: number, stale: boolean): PromSample {
  return stale ? { value: NaN, timestamp, stale: true } : { value, timestamp };
}

/** Emits `_bucket`, `_sum` and `_count`; false when the point is malformed. */
function histogramPoint(
  name: string,
  p: OtlpHistogramPoint,
  labels: Map<string, string>,
  ts: number,
  b: SeriesBuilder,
  tenant: string,
): boolean {
  const bounds = p.explicitBounds ?? [];
  const counts = (p.bucketCounts ?? []).map((c) => int64ToNumber(c));
  // The data model requires one more count than bounds (or no buckets at all).
  if (counts.length !== 0 && counts.length !== bounds.length + 1) return false;
  const stale = ((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
  const count = int64ToNumber(p.count);
  const exemplars = (p.exemplars ?? []).filter((e): e is OtlpExemplar => !!e).map((e) =>
    exemplar(e, ts)
  );
  const placed = new Set<PromExemplar>();
  let cumulative = 0;
  const les: [string, number, number][] = [];
  if (counts.length > 0) {
    for (let i = 0; i < bounds.length; i++) {
      cumulative += counts[i]!;
      les.push([formatPromFloat(bounds[i]!), cumulative, bounds[i]!]);
    }
  }
  // "The final bucket metric MUST have an `+Inf` threshold": its value is the total count.
  les.push(["+Inf", count, Infinity]);
  for (const [le, value, bound] of les) {
    const bl = new Map(labels);
    bl.set("le", le);
    const series = b.addSample(`${name}_bucket`, bl, tenant, sample(value, ts, stale));
    // Each exemplar goes to the lowest bucket whose bound holds its value.
    for (const e of exemplars) {
      if (!placed.has(e) && e.value <= bound) {
        series.exemplars.push(e);
        placed.add(e);
      }
    }
  }
  // `sum` is optional in OTLP; without it there is no `_sum` series.
  if (has(p, "sum")) {
    b.addSample(`${name}_sum`, labels, tenant, sample(p.sum!, ts, stale));
  }
  b.addSample(`${name}_count`, labels, tenant, sample(count, ts, stale));
  return true;
}

/**
 * OTLP exponential histogram point → native histogram (spec, Exponential Histograms): scale →
 * schema (downscaled to 8 when finer; undefined when coarser than −4), dense buckets → spans and
 * deltas with the index shifted by one (Prometheus indexes buckets by upper bound).
 */
export function nativeHistogram(
  p: OtlpExpHistogramPoint,
  timestamp: number,
): PromHistogram | undefined {
  let scale = p.scale ?? 0;
  if (scale < MIN_SCHEMA) return undefined;
  const shift = scale > MAX_SCHEMA ? scale - MAX_SCHEMA : 0;
  scale -= shift;
  const stale = ((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
  const pos = bucketsToSpans(p.positive, shift);
  const neg = bucketsToSpans(p.negative, shift);
  const h: PromHistogram = {
    // An unset sum becomes 0, as Prometheus' own OTLP translator does (a StaleNaN sum on a
    // live histogram would poison every rate() over it).
    sum: has(p, "sum") ? p.sum! : 0,
    schema: scale,
    zeroThreshold: p.zeroThreshold && p.zeroThreshold > 0
      ? p.zeroThreshold
      : DEFAULT_ZERO_THRESHOLD,
    zeroCountInt: int64ToNumber(p.zeroCount),
    negativeSpans: neg.spans,
    negativeDeltas: neg.deltas,
    positiveSpans: pos.spans,
    positiveDeltas: pos.deltas,
    resetHint: 0,
    timestamp,
  };
  if (stale) {
    h.stale = true;
    h.countFloat = NaN;
  } else {
    h.countInt = int64ToNumber(p.count);
  }
  return h;
}

/** Dense OTLP buckets (lower-bound indexed) → Prometheus spans and delta-encoded counts. */
function bucketsToSpans(
  buckets: OtlpExpBuckets | null | undefined,
  shift: number,
): { spans: PromBucketSpan[]; deltas: number[] } {
  const raw = (buckets?.bucketCounts ?? []).map((c) => int64ToNumber(c));
  const offset = buckets?.offset ?? 0;
  // Downscaling merges 2^shift neighbouring buckets: index i becomes i >> shift (floor).
  const merged = new Map<number, number>();
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0) continue;
    const idx = Math.floor((offset + i) / 2 ** shift);
    merged.set(idx, (merged.get(idx) ?? 0) + c);
  }
  const indices = [...merged.keys()].sort((a, z) => a - z);
  const spans: PromBucketSpan[] = [];
  const deltas: number[] = [];
  let prevCount = 0;
  let prevIdx: number | undefined;
  for (const otelIdx of indices) {
    const idx = otelIdx + 1; // OTLP bucket i is (base^i, base^(i+1)]; Prometheus names it i+1
    const count = merged.get(otelIdx)!;
    if (prevIdx === undefined) {
      spans.push({ offset: idx, length: 1 });
    } else {
      const gap = idx - prevIdx - 1;
      if (gap <= 2) {
        // Small gaps are cheaper as explicit empty buckets than as a new span.
        for (let g = 0; g < gap; g++) {
          deltas.push(0 - prevCount);
          prevCount = 0;
        }
        spans[spans.length - 1]!.length += gap + 1;
      } else {
        spans.push({ offset: gap, length: 1 });
      }
    }
    deltas.push(count - prevCount);
    prevCount = count;
    prevIdx = idx;
  }
  return { spans, deltas };
}

function exemplar(e: OtlpExemplar, pointTs: number): PromExemplar {
  const labels: PromLabel[] = [];
  const traceId = idToHex(e.traceId);
  const spanId = idToHex(e.spanId);
  if (traceId) labels.push({ name: "trace_id", value: traceId });
  if (spanId) labels.push({ name: "span_id", value: spanId });
  let used = labels.reduce((n, l) => n + [...l.name].length + [...l.value].length, 0);
  // filtered_attributes become labels "unless they would exceed the limit on characters".
  for (const [name, value] of attributesToLabels(attributePairs(e.filteredAttributes))) {
    if (name === "trace_id" || name === "span_id") continue;
    const cost = [...name].length + [...value].length;
    if (used + cost > EXEMPLAR_LABELS_MAX_CHARS) continue;
    used += cost;
    labels.push({ name, value });
  }
  labels.sort((a, z) => (a.name < z.name ? -1 : a.name > z.name ? 1 : 0));
  const t = nanosToMillis(e.timeUnixNano);
  const value = has(e, "asDouble") ? e.asDouble! : has(e, "asInt") ? int64ToNumber(e.asInt) : 0;
  return { labels, value, timestamp: t > 0 ? t : pointTs };
}

/** Accumulates series by label set so points of one series end up in one `TimeSeries`. */
class SeriesBuilder {
  readonly bySignature = new Map<string, PromSeries>();
  readonly metadata = new Map<string, PromMetadata>();
  readonly pendingInfo: { name: string; labels: Map<string, string> }[] = [];

  meta(family: string, type: number, help: string, unit: string): void {
    if (!this.metadata.has(family)) {
      this.metadata.set(family, { type, metricFamilyName: family, help, unit });
    }
  }

  series(name: string, labels: Map<string, string>, tenant: string): PromSeries {
    const all = new Map(labels);
    // The tenant stamp wins over anything the client sent (tenant isolation).
    all.set("tenant_id", tenant);
    all.set("__name__", sanitizeMetricName(name));
    const sorted: PromLabel[] = [...all.entries()]
      .filter(([, v]) => v !== "") // an empty label value is the same as no label in Prometheus
      .map(([n, v]) => ({ name: n, value: v }))
      .sort((a, z) => (a.name < z.name ? -1 : a.name > z.name ? 1 : 0));
    const sig = sorted.map((l) => `${l.name}\u0000${l.value}`).join("\u0001");
    let s = this.bySignature.get(sig);
    if (!s) {
      s = { labels: sorted, samples: [], exemplars: [], histograms: [] };
      this.bySignature.set(sig, s);
    }
    return s;
  }

  addSample(
    name: string,
    labels: Map<string, string>,
    tenant: string,
    sample: PromSample,
  ): PromSeries {
    const s = this.series(name, labels, tenant);
    s.samples.push(sample);
    return s;
  }

  /** Sorts samples by time and keeps the last of equal timestamps (Prometheus rejects duplicates). */
  finish(): PromSeries[] {
    const out: PromSeries[] = [];
    for (const s of this.bySignature.values()) {
      s.samples = dedupeByTime(s.samples);
      s.histograms = dedupeByTime(s.histograms);
      s.exemplars.sort((a, z) => a.timestamp - z.timestamp);
      out.push(s);
    }
    return out;
  }
}

function dedupeByTime<T extends { timestamp: number }>(xs: T[]): T[] {
  if (xs.length < 2) return xs;
  const sorted = xs.map((x, i) => [x, i] as const).sort((a, z) =>
    a[0].timestamp - z[0].timestamp || a[1] - z[1]
  );
  const out: T[] = [];
  for (const [x] of sorted) {
    if (out.length > 0 && out[out.length - 1]!.timestamp === x.timestamp) out[out.length - 1] = x;
    else out.push(x);
  }
  return out;
}

/** Exposed for tests: renders a series as `name{a="b",…}` (labels other than `__name__`). */
export function seriesKey(s: PromSeries): string {
  const name = s.labels.find((l) => l.name === "__name__")?.value ?? "";
  const rest = s.labels.filter((l) => l.name !== "__name__").map((l) => `${l.name}="${l.value}"`);
  return `${name}{${rest.join(",")}}`;
}
