/**
 * Prometheus remote write 2.0 (`io.prometheus.write.v2.Request`), on the uncompressed
 * protobuf.
 *
 * @module
 */
import type Long from "long";
import { CodecError } from "../codec_error.ts";
import type { RemoteWriteStampResult, WriteRequestV1 } from "./v1.ts";

/** `io.prometheus.write.v2.Sample`. */
export interface SampleV2 {
  value: number;
  timestamp: Long | number;
  startTimestamp: Long | number;
}

/** `io.prometheus.write.v2.Exemplar`. */
export interface ExemplarV2 {
  labelsRefs: number[];
  value: number;
  timestamp: Long | number;
}

/** `io.prometheus.write.v2.BucketSpan`. */
export interface BucketSpanV2 {
  offset: number;
  length: number;
}

/** `io.prometheus.write.v2.Histogram`. */
export interface HistogramV2 {
  countInt?: Long | number | null;
  countFloat?: number | null;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCountInt?: Long | number | null;
  zeroCountFloat?: number | null;
  negativeSpans: BucketSpanV2[];
  negativeDeltas: (Long | number)[];
  negativeCounts: number[];
  positiveSpans: BucketSpanV2[];
  positiveDeltas: (Long | number)[];
  positiveCounts: number[];
  resetHint: number;
  timestamp: Long | number;
  customValues: number[];
  startTimestamp: Long | number;
}

/** `io.prometheus.write.v2.Metadata`. */
export interface MetadataV2 {
  type: number;
  helpRef: number;
  unitRef: number;
}

/** `io.prometheus.write.v2.TimeSeries`. */
export interface TimeSeriesV2 {
  labelsRefs: number[];
  samples: SampleV2[];
  histograms: HistogramV2[];
  exemplars: ExemplarV2[];
  metadata?: MetadataV2 | null;
  createdTimestamp: Long | number;
}

/** `io.prometheus.write.v2.Request`. */
export interface WriteRequestV2 {
  symbols: string[];
  timeseries: TimeSeriesV2[];
}

export type { RemoteWriteStampResult };

/** Strictly decodes a (decompressed) remote write 2.0 `Request`. */
export function decodeWriteRequestV2(_bytes: Uint8Array): WriteRequestV2 {
  throw new CodecError("unsupported", "decodeWriteRequestV2: in progress");
}

/** Encodes a remote write 2.0 `Request` (uncompressed protobuf). */
export function encodeWriteRequestV2(_msg: WriteRequestV2): Uint8Array {
  throw new CodecError("unsupported", "encodeWriteRequestV2: in progress");
}

/** Sets the `tenant_id` label of every series (symbols added, labels sorted). */
export function stampRemoteWriteV2(_bytes: Uint8Array, _tenantId: string): RemoteWriteStampResult {
  throw new CodecError("unsupported", "stampRemoteWriteV2: in progress");
}

/** Splits a `Request` by series, each chunk with its own symbol table. */
export function splitRemoteWriteV2(_bytes: Uint8Array, _maxBytes: number): Uint8Array[] {
  throw new CodecError("unsupported", "splitRemoteWriteV2: in progress");
}

/** Converts a 2.0 request into the equivalent 1.0 `WriteRequest`. */
export function remoteWriteV2ToV1(_msg: WriteRequestV2): WriteRequestV1 {
  throw new CodecError("unsupported", "remoteWriteV2ToV1: in progress");
}
