/**
 * TypeScript shapes of decoded OTLP messages as protobufjs produces them: field names in
 * camelCase, 64-bit integers as `Long` (exact), bytes as `Uint8Array`, enums as numbers.
 * Optional marks (`?`) follow protobuf presence: a decoded message always carries repeated
 * fields (possibly empty) and scalars (defaults on the prototype); message fields may be
 * `null`/absent.
 *
 * @module
 */
import Long from "long";

export type { Long };

/** `opentelemetry.proto.common.v1.AnyValue`: at most one of the value fields is set. */
export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Long | number | null;
  doubleValue?: number | null;
  arrayValue?: ArrayValue | null;
  kvlistValue?: KeyValueList | null;
  bytesValue?: Uint8Array | null;
}

/** `opentelemetry.proto.common.v1.ArrayValue`. */
export interface ArrayValue {
  values: AnyValue[];
}

/** `opentelemetry.proto.common.v1.KeyValueList`. */
export interface KeyValueList {
  values: KeyValue[];
}

/** `opentelemetry.proto.common.v1.KeyValue`. */
export interface KeyValue {
  key: string;
  value?: AnyValue | null;
}

/** `opentelemetry.proto.common.v1.InstrumentationScope`. */
export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

/** `opentelemetry.proto.common.v1.EntityRef` (development status upstream). */
export interface EntityRef {
  schemaUrl: string;
  type: string;
  idKeys: string[];
  descriptionKeys: string[];
}

/** `opentelemetry.proto.resource.v1.Resource`. */
export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount: number;
  entityRefs: EntityRef[];
}

// ---- logs ----

/** `opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest`. */
export interface ExportLogsServiceRequest {
  resourceLogs: ResourceLogs[];
}

/** `opentelemetry.proto.logs.v1.ResourceLogs`. */
export interface ResourceLogs {
  resource?: Resource | null;
  scopeLogs: ScopeLogs[];
  schemaUrl: string;
}

/** `opentelemetry.proto.logs.v1.ScopeLogs`. */
export interface ScopeLogs {
  scope?: InstrumentationScope | null;
  logRecords: LogRecord[];
  schemaUrl: string;
}

/** `opentelemetry.proto.logs.v1.LogRecord`. */
export interface LogRecord {
  timeUnixNano: Long | number;
  observedTimeUnixNano: Long | number;
  /** `SeverityNumber` enum value (0 = unspecified, 1..24). */
  severityNumber: number;
  severityText: string;
  body?: AnyValue | null;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
  traceId: Uint8Array;
  spanId: Uint8Array;
  eventName: string;
}

// ---- metrics ----

/** `opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest`. */
export interface ExportMetricsServiceRequest {
  resourceMetrics: ResourceMetrics[];
}

/** `opentelemetry.proto.metrics.v1.ResourceMetrics`. */
export interface ResourceMetrics {
  resource?: Resource | null;
  scopeMetrics: ScopeMetrics[];
  schemaUrl: string;
}

/** `opentelemetry.proto.metrics.v1.ScopeMetrics`. */
export interface ScopeMetrics {
  scope?: InstrumentationScope | null;
  metrics: Metric[];
  schemaUrl: string;
}

/** `opentelemetry.proto.metrics.v1.Metric`: exactly one of the data fields is normally set. */
export interface Metric {
  name: string;
  description: string;
  unit: string;
  gauge?: Gauge | null;
  sum?: Sum | null;
  histogram?: Histogram | null;
  exponentialHistogram?: ExponentialHistogram | null;
  summary?: Summary | null;
  metadata: KeyValue[];
  /** Name of the data field that is set (protobufjs virtual oneof property). */
  data?: "gauge" | "sum" | "histogram" | "exponentialHistogram" | "summary";
}

/** `AggregationTemporality`: 0 unspecified, 1 delta, 2 cumulative. */
export type AggregationTemporality = number;

/** `opentelemetry.proto.metrics.v1.Gauge`. */
export interface Gauge {
  dataPoints: NumberDataPoint[];
}

/** `opentelemetry.proto.metrics.v1.Sum`. */
export interface Sum {
  dataPoints: NumberDataPoint[];
  aggregationTemporality: AggregationTemporality;
  isMonotonic: boolean;
}

/** `opentelemetry.proto.metrics.v1.Histogram`. */
export interface Histogram {
  dataPoints: HistogramDataPoint[];
  aggregationTemporality: AggregationTemporality;
}

/** `opentelemetry.proto.metrics.v1.ExponentialHistogram`. */
export interface ExponentialHistogram {
  dataPoints: ExponentialHistogramDataPoint[];
  aggregationTemporality: AggregationTemporality;
}

/** `opentelemetry.proto.metrics.v1.Summary`. */
export interface Summary {
  dataPoints: SummaryDataPoint[];
}

/** `opentelemetry.proto.metrics.v1.NumberDataPoint`: one of `asDouble` / `asInt`. */
export interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: Long | number;
  timeUnixNano: Long | number;
  asDouble?: number | null;
  asInt?: Long | number | null;
  exemplars: Exemplar[];
  flags: number;
  /** Name of the value field that is set (protobufjs virtual oneof property). */
  value?: "asDouble" | "asInt";
}

/** `opentelemetry.proto.metrics.v1.HistogramDataPoint`. */
export interface HistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: Long | number;
  timeUnixNano: Long | number;
  count: Long | number;
  /** proto3 `optional`: `null`/absent when not set. */
  sum?: number | null;
  bucketCounts: (Long | number)[];
  explicitBounds: number[];
  exemplars: Exemplar[];
  flags: number;
  min?: number | null;
  max?: number | null;
}

/** `opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint.Buckets`. */
export interface ExponentialHistogramBuckets {
  offset: number;
  bucketCounts: (Long | number)[];
}

/** `opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint`. */
export interface ExponentialHistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: Long | number;
  timeUnixNano: Long | number;
  count: Long | number;
  sum?: number | null;
  scale: number;
  zeroCount: Long | number;
  positive?: ExponentialHistogramBuckets | null;
  negative?: ExponentialHistogramBuckets | null;
  flags: number;
  exemplars: Exemplar[];
  min?: number | null;
  max?: number | null;
  zeroThreshold: number;
}

/** `opentelemetry.proto.metrics.v1.SummaryDataPoint.ValueAtQuantile`. */
export interface ValueAtQuantile {
  quantile: number;
  value: number;
}

/** `opentelemetry.proto.metrics.v1.SummaryDataPoint`. */
export interface SummaryDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: Long | number;
  timeUnixNano: Long | number;
  count: Long | number;
  sum: number;
  quantileValues: ValueAtQuantile[];
  flags: number;
}

/** `opentelemetry.proto.metrics.v1.Exemplar`. */
export interface Exemplar {
  filteredAttributes: KeyValue[];
  timeUnixNano: Long | number;
  asDouble?: number | null;
  asInt?: Long | number | null;
  spanId: Uint8Array;
  traceId: Uint8Array;
  value?: "asDouble" | "asInt";
}

// ---- traces ----

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`. */
export interface ExportTraceServiceRequest {
  resourceSpans: ResourceSpans[];
}

/** `opentelemetry.proto.trace.v1.ResourceSpans`. */
export interface ResourceSpans {
  resource?: Resource | null;
  scopeSpans: ScopeSpans[];
  schemaUrl: string;
}

/** `opentelemetry.proto.trace.v1.ScopeSpans`. */
export interface ScopeSpans {
  scope?: InstrumentationScope | null;
  spans: Span[];
  schemaUrl: string;
}

/** `opentelemetry.proto.trace.v1.Span.Event`. */
export interface SpanEvent {
  timeUnixNano: Long | number;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

/** `opentelemetry.proto.trace.v1.Span.Link`. */
export interface SpanLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
}

/** `opentelemetry.proto.trace.v1.Status`: code 0 unset, 1 ok, 2 error. */
export interface SpanStatus {
  message: string;
  code: number;
}

/** `opentelemetry.proto.trace.v1.Span`. */
export interface Span {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  parentSpanId: Uint8Array;
  flags: number;
  name: string;
  /** `SpanKind`: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: Long | number;
  endTimeUnixNano: Long | number;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status?: SpanStatus | null;
}

/** Any of the three export requests. */
export type OtlpRequest =
  | ExportLogsServiceRequest
  | ExportMetricsServiceRequest
  | ExportTraceServiceRequest;

/** A JSON-safe JavaScript value converted from an `AnyValue` by {@linkcode anyValueToJs}. */
export type JsValue = string | number | boolean | null | JsValue[] | { [key: string]: JsValue };

// ---- helpers over decoded objects ----

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Lower-case hex of bytes, as OTLP/JSON writes trace and span ids.
 *
 * @example
 * ```ts
 * bytesToHex(new Uint8Array([0x0a, 0xff])); // "0aff"
 * ```
 */
export function bytesToHex(u8: Uint8Array): string {
  let s = "";
  for (let i = 0; i < u8.length; i++) s += HEX[u8[i]!]!;
  return s;
}

/**
 * Exact `bigint` of a protobufjs 64-bit value (`Long`, number or decimal string);
 * `null`/`undefined` (an absent field) is `0n`.
 */
export function toBigInt(v: Long | number | string | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === "number") return BigInt(Math.trunc(v));
  if (typeof v === "string") return BigInt(v);
  const lo = BigInt(v.low >>> 0);
  const hi = BigInt(v.high >>> 0);
  const u = (hi << 32n) | lo;
  return v.unsigned ? u : BigInt.asIntN(64, u);
}

function base64(u8: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < u8.length; i += 0x8000) {
    bin += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

const ANY_VALUE_KEYS = [
  "stringValue",
  "boolValue",
  "intValue",
  "doubleValue",
  "arrayValue",
  "kvlistValue",
  "bytesValue",
] as const;

/**
 * Which value field of an `AnyValue` is set. protobufjs keeps defaults on the prototype
 * (a decoded `AnyValue` reads `stringValue === ""` even when unset), so presence is the
 * virtual oneof property `value` or an own property — never a truthiness test.
 */
function anyValueKind(v: AnyValue): (typeof ANY_VALUE_KEYS)[number] | null {
  const named = (v as { value?: unknown }).value;
  if (typeof named === "string" && (ANY_VALUE_KEYS as readonly string[]).includes(named)) {
    return named as (typeof ANY_VALUE_KEYS)[number];
  }
  for (const k of ANY_VALUE_KEYS) {
    if (Object.hasOwn(v, k) && v[k] !== null && v[k] !== undefined) return k;
  }
  return null;
}

/**
 * Plain JSON-safe value of an `AnyValue`: strings, booleans and doubles as themselves, ints as
 * numbers when exactly representable (else as a decimal string), bytes as base64 text, arrays
 * and key-value lists recursively; an empty `AnyValue` is `null`. Non-finite doubles become
 * the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no such numbers).
 *
 * @example
 * ```ts
 * anyValueToJs({ intValue: 42 }); // 42
 * ```
 */
export function anyValueToJs(v: AnyValue | null | undefined): JsValue {
  if (v === null || v === undefined) return null;
  switch (anyValueKind(v)) {
    case "stringValue":
      return v.stringValue!;
    case "boolValue":
      return v.boolValue!;
    case "intValue": {
      const b = toBigInt(v.intValue);
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(b)
        : b.toString();
    }
    case "doubleValue": {
      const d = v.doubleValue!;
      return Number.isFinite(d) ? d : String(d);
    }
    case "arrayValue":
      return (v.arrayValue!.values ?? []).map(anyValueToJs);
    case "kvlistValue":
      return attributesToRecord(v.kvlistValue!.values);
    case "bytesValue":
      return base64(v.bytesValue!);
    default:
      return null;
  }
}

/** Attributes as a plain object (`anyValueToJs` per value); a repeated key keeps the last one. */
export function attributesToRecord(kvs: readonly KeyValue[] | null | undefined): {
  [key: string]: JsValue;
} {
  const out: { [key: string]: JsValue } = {};
  if (!kvs) return out;
  for (const kv of kvs) out[kv.key] = anyValueToJs(kv.value);
  return out;
}
