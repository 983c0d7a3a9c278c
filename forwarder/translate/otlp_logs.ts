/**
 * The minimal view of a decoded `ExportLogsServiceRequest` the log translations read
 * (protobufjs objects and hand-written plain objects both fit).
 *
 * @module
 */
import type { AnyValueLike, Int64Like, KeyValueLike } from "./_otlp.ts";

type Attrs = readonly (KeyValueLike | null | undefined)[] | null | undefined;

/** `opentelemetry.proto.logs.v1.LogRecord`. */
export interface OtlpLogRecord {
  timeUnixNano?: Int64Like | null;
  observedTimeUnixNano?: Int64Like | null;
  severityNumber?: number | null;
  severityText?: string | null;
  body?: AnyValueLike | null;
  attributes?: Attrs;
  flags?: number | null;
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  eventName?: string | null;
}

/** `ExportLogsServiceRequest`. */
export interface OtlpLogsRequest {
  resourceLogs?: ({
    resource?: { attributes?: Attrs } | null;
    scopeLogs?: ({
      scope?: { name?: string | null; version?: string | null; attributes?: Attrs } | null;
      logRecords?: (OtlpLogRecord | null)[] | null;
    } | null)[] | null;
  } | null)[] | null;
}
