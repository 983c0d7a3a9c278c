/**
 * The Prometheus remote-write data model the metrics translation produces and the Prometheus
 * sink encodes. Field names follow the protobufjs (camelCase) view of `prometheus.WriteRequest`
 * (remote write 1.0, `prompb/types.proto`), so a request can be handed to the encoder as is.
 *
 * @module
 */

/** One label. Series carry their labels sorted by name, as remote write requires. */
export interface PromLabel {
  name: string;
  value: string;
}

/** One float sample; `timestamp` in milliseconds since the epoch. */
export interface PromSample {
  value: number;
  timestamp: number;
  /** A staleness marker (OTLP NoRecordedValue); `value` is then ignored. */
  stale?: boolean;
}

/** An exemplar (trace/span ids as `trace_id`/`span_id` labels). */
export interface PromExemplar {
  labels: PromLabel[];
  value: number;
  timestamp: number;
}

/** A span of populated native-histogram buckets. */
export interface PromBucketSpan {
  offset: number;
  length: number;
}

/** A native histogram sample (`prompb.Histogram`), integer-counted as OTLP produces it. */
export interface PromHistogram {
  /** Set for ordinary points. */
  countInt?: number;
  /** Set instead of `countInt` for float-counted histograms. */
  countFloat?: number;
  /** A staleness marker: count and sum are written as StaleNaN. */
  stale?: boolean;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCountInt?: number;
  zeroCountFloat?: number;
  negativeSpans: PromBucketSpan[];
  negativeDeltas: number[];
  positiveSpans: PromBucketSpan[];
  positiveDeltas: number[];
  /** Absolute bucket counts of float histograms (remote-write input only). */
  negativeCounts?: number[];
  positiveCounts?: number[];
  /** 0 = UNKNOWN, 1 = YES, 2 = NO, 3 = GAUGE. */
  resetHint: number;
  timestamp: number;
}

/** One series with its samples in time order. */
export interface PromSeries {
  labels: PromLabel[];
  samples: PromSample[];
  exemplars: PromExemplar[];
  histograms: PromHistogram[];
}

/** `prompb.MetricMetadata.MetricType` values. */
export const PROM_METRIC_TYPE = {
  UNKNOWN: 0,
  COUNTER: 1,
  GAUGE: 2,
  HISTOGRAM: 3,
  GAUGEHISTOGRAM: 4,
  SUMMARY: 5,
  INFO: 6,
  STATESET: 7,
} as const;

/** Metric family metadata (`prompb.MetricMetadata`). */
export interface PromMetadata {
  type: number;
  metricFamilyName: string;
  help: string;
  unit: string;
}

/** A remote-write request body before encoding (`prompb.WriteRequest`). */
export interface PromWriteRequest {
  timeseries: PromSeries[];
  metadata: PromMetadata[];
}

/**
 * Prometheus' staleness marker is a NaN with a specific payload (`value.StaleNaN`,
 * 0x7ff0000000000002). JavaScript engines canonicalise NaN payloads when numbers are stored, so
 * the marker cannot travel as a `number`: samples and histograms carry `stale: true` instead and
 * the encoder writes the exact bits.
 */
export const STALE_NAN_BITS = 0x7ff0000000000002n;
