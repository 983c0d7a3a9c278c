/**
 * Prometheus remote write 1.0 (`prometheus.WriteRequest`), on the uncompressed protobuf
 * (snappy is {@linkcode snappyDecode}'s business).
 *
 * @module
 */
import type Long from "long";
import { CodecError } from "../codec_error.ts";

/** `prometheus.Label`. */
export interface LabelV1 {
  name: string;
  value: string;
}

/** `prometheus.Sample`. */
export interface SampleV1 {
  value: number;
  timestamp: Long | number;
}

/** `prometheus.Exemplar`. */
export interface ExemplarV1 {
  labels: LabelV1[];
  value: number;
  timestamp: Long | number;
}

/** `prometheus.BucketSpan`. */
export interface BucketSpanV1 {
  offset: number;
  length: number;
}

/** `prometheus.Histogram` (native histogram). */
export interface HistogramV1 {
  countInt?: Long | number | null;
  countFloat?: number | null;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCountInt?: Long | number | null;
  zeroCountFloat?: number | null;
  negativeSpans: BucketSpanV1[];
  negativeDeltas: (Long | number)[];
  negativeCounts: number[];
  positiveSpans: BucketSpanV1[];
  positiveDeltas: (Long | number)[];
  positiveCounts: number[];
  /** `ResetHint`: 0 unknown, 1 yes, 2 no, 3 gauge. */
  resetHint: number;
  timestamp: Long | number;
  customValues: number[];
}

/** `prometheus.TimeSeries`. */
export interface TimeSeriesV1 {
  labels: LabelV1[];
  samples: SampleV1[];
  exemplars: ExemplarV1[];
  histograms: HistogramV1[];
}

/** `prometheus.MetricMetadata`. */
export interface MetricMetadataV1 {
  /** `MetricType`: 0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gaugehistogram, 5 summary, 6 info, 7 stateset. */
  type: number;
  metricFamilyName: string;
  help: string;
  unit: string;
}

/** `prometheus.WriteRequest`. */
export interface WriteRequestV1 {
  timeseries: TimeSeriesV1[];
  metadata: MetricMetadataV1[];
}

/** Result of {@linkcode stampRemoteWriteV1}. */
export interface RemoteWriteStampResult {
  bytes: Uint8Array;
  series: number;
  samples: number;
  histograms: number;
  exemplars: number;
}

/** Strictly decodes a (decompressed) remote write 1.0 `WriteRequest`. */
export function decodeWriteRequestV1(_bytes: Uint8Array): WriteRequestV1 {
  throw new CodecError("unsupported", "decodeWriteRequestV1: in progress");
}

/** Encodes a remote write 1.0 `WriteRequest` (uncompressed protobuf). */
export function encodeWriteRequestV1(_msg: WriteRequestV1): Uint8Array {
  throw new CodecError("unsupported", "encodeWriteRequestV1: in progress");
}

/** Sets the `tenant_id` label of every series (client value removed, labels sorted). */
export function stampRemoteWriteV1(_bytes: Uint8Array, _tenantId: string): RemoteWriteStampResult {
  throw new CodecError("unsupported", "stampRemoteWriteV1: in progress");
}

/** Splits a `WriteRequest` by series into requests of at most `maxBytes`. */
export function splitRemoteWriteV1(_bytes: Uint8Array, _maxBytes: number): Uint8Array[] {
  throw new CodecError("unsupported", "splitRemoteWriteV1: in progress");
}
