/**
 * OTLP (logs, metrics, traces) over HTTP: strict protobuf decoding, OTLP/JSON both ways,
 * tenant stamping, splitting, and the export responses.
 *
 * @module
 */
import { CodecError } from "./codec_error.ts";
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  OtlpRequest,
} from "./otlp_types.ts";

export type { OtlpRequest };

/** The three OTLP signals. */
export type Signal = "logs" | "metrics" | "traces";

/** Result of {@linkcode stampOtlpTenant}. */
export interface OtlpStampResult {
  /** The stamped request, protobuf. */
  bytes: Uint8Array;
  /** Number of resource entries (ResourceLogs/ResourceMetrics/ResourceSpans). */
  resources: number;
  /** Log records, metric data points or spans. */
  records: number;
}

/** Partial success to report in an export response. */
export interface PartialSuccess {
  rejected: number;
  message: string;
}

/** Encoding of a response body: the request's encoding. */
export type ResponseEncoding = "protobuf" | "json";

/** Strictly decodes an OTLP export request (protobuf). Throws {@linkcode CodecError}. */
export function decodeOtlp(signal: "logs", bytes: Uint8Array): ExportLogsServiceRequest;
export function decodeOtlp(signal: "metrics", bytes: Uint8Array): ExportMetricsServiceRequest;
export function decodeOtlp(signal: "traces", bytes: Uint8Array): ExportTraceServiceRequest;
export function decodeOtlp(signal: Signal, bytes: Uint8Array): OtlpRequest;
export function decodeOtlp(_signal: Signal, _bytes: Uint8Array): OtlpRequest {
  throw new CodecError("unsupported", "decodeOtlp: in progress");
}

/** Encodes an OTLP export request to protobuf. */
export function encodeOtlp(_signal: Signal, _msg: OtlpRequest): Uint8Array {
  throw new CodecError("unsupported", "encodeOtlp: in progress");
}

/** Converts an OTLP/JSON request body to protobuf. Throws `CodecError("invalid")`. */
export function otlpJsonToProtobuf(_signal: Signal, _text: string): Uint8Array {
  throw new CodecError("unsupported", "otlpJsonToProtobuf: in progress");
}

/** Converts an OTLP protobuf request to OTLP/JSON text. */
export function otlpProtobufToJson(_signal: Signal, _bytes: Uint8Array): string {
  throw new CodecError("unsupported", "otlpProtobufToJson: in progress");
}

/**
 * Validates a protobuf request strictly and sets `tenant_id=<tenantId>` on every resource,
 * removing any client-supplied `tenant_id`.
 */
export function stampOtlpTenant(
  _signal: Signal,
  _bytes: Uint8Array,
  _tenantId: string,
): OtlpStampResult {
  throw new CodecError("unsupported", "stampOtlpTenant: in progress");
}

/** Splits a request into valid requests of at most `maxBytes` each. */
export function splitOtlp(_signal: Signal, _bytes: Uint8Array, _maxBytes: number): Uint8Array[] {
  throw new CodecError("unsupported", "splitOtlp: in progress");
}

/** Encodes the `Export*ServiceResponse` for a signal. */
export function encodeExportResponse(
  _signal: Signal,
  _partial: PartialSuccess | null,
  _encoding: ResponseEncoding,
): Uint8Array {
  throw new CodecError("unsupported", "encodeExportResponse: in progress");
}

/** Encodes a `google.rpc.Status` (OTLP/HTTP error body). */
export function encodeRpcStatus(
  _status: { code: number; message: string },
  _encoding: ResponseEncoding,
): Uint8Array {
  throw new CodecError("unsupported", "encodeRpcStatus: in progress");
}
