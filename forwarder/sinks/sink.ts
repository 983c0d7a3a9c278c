/**
 * The one small interface every sink implements, and the decoded record it consumes.
 *
 * A sink writes records of one tenant per call. It resolves when everything was written, or
 * with per-record failures when the store answers per item (OpenSearch `_bulk`); it throws an
 * `ObstackError` when the whole request failed — `retriable` decides between retrying (with
 * back-off, partition paused) and dead-lettering. A sink never retries on its own.
 *
 * @module
 */
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  WriteRequestV1,
  WriteRequestV2,
} from "../../lib/codec/mod.ts";
import type { PayloadFormat } from "../../lib/kafka/mod.ts";
import type { ObstackError } from "../../lib/errors.ts";
import type { SinkName } from "../config.ts";

/** A record value decoded according to its format header. */
export type DecodedPayload =
  | { format: "otlp-logs"; request: ExportLogsServiceRequest }
  | { format: "otlp-metrics"; request: ExportMetricsServiceRequest }
  | { format: "otlp-traces"; request: ExportTraceServiceRequest }
  | { format: "prom-rw-v1"; request: WriteRequestV1 }
  | { format: "prom-rw-v2"; request: WriteRequestV2 };

/** Where a record was first consumed from; a replayed dead letter keeps its original place. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: bigint;
}

/** One Kafka record as the sinks see it. */
export interface SinkRecord {
  tenant: string;
  /** Milliseconds since the epoch at which ingest received the data. */
  receivedAt: number;
  /** The payload as published (protobuf). */
  value: Uint8Array;
  /** The payload decoded. */
  payload: DecodedPayload;
  /** Coordinates for idempotent document ids (original ones for a replayed record). */
  origin: RecordOrigin;
}

/** A record a sink could not write, by index into the `records` passed to `write`. */
export interface ItemFailure {
  index: number;
  error: ObstackError;
}

/** What {@linkcode Sink.write} resolves with. */
export interface WriteOutcome {
  /** Records that failed individually; empty when all were written. */
  failures: ItemFailure[];
  /** Bytes sent to the store (after compression), for metrics. */
  bytesSent: number;
}

/** A destination store for one kind of signal. */
export interface Sink {
  /** Stable name (metrics labels, DLQ header). */
  readonly name: SinkName;
  /** Payload formats this sink takes. */
  readonly formats: readonly PayloadFormat[];
  /** One-time preparation (e.g. installing an index template); throws when the store is not usable. */
  start(signal: AbortSignal): Promise<void>;
  /** Writes records of one tenant; see the module documentation for the error contract. */
  write(tenant: string, records: readonly SinkRecord[], signal: AbortSignal): Promise<WriteOutcome>;
  /** Releases connections. */
  close(): Promise<void>;
}
