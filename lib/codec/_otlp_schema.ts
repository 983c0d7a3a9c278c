/**
 * Per-signal facts about OTLP: request/response types and what counts as a record.
 *
 * @module
 */
import type protobuf from "protobufjs";
import { protoRoot } from "./proto.ts";
import { countSlotOf, type MessageInfo, messageInfo } from "./_schema.ts";
import type { WalkOptions } from "./_validate.ts";

/** The signal names, repeated here to avoid an import cycle with otlp.ts. */
export type OtlpSignal = "logs" | "metrics" | "traces";

/** Everything the codecs need to know about one signal. */
export interface SignalSchema {
  request: protobuf.Type;
  requestInfo: MessageInfo;
  response: protobuf.Type;
  partialSuccess: protobuf.Type;
  /** Name of the `rejected_*` field of the partial success (camelCase). */
  rejectedField: string;
  /** ResourceLogs / ResourceMetrics / ResourceSpans. */
  resourceX: MessageInfo;
  walk: WalkOptions;
  /** Count slots of the record types (summed into `records`). */
  recordSlots: number[];
}

const cache = new Map<OtlpSignal, SignalSchema>();

/** The schema facts of a signal. */
export function signalSchema(signal: OtlpSignal): SignalSchema {
  const hit = cache.get(signal);
  if (hit) return hit;
  const root = protoRoot();
  const t = (name: string) => root.lookupType(name);
  let s: SignalSchema;
  const anyValue = messageInfo(t("opentelemetry.proto.common.v1.AnyValue"));
  const make = (
    pkg: string,
    req: string,
    res: string,
    ps: string,
    rejected: string,
    resourceX: string,
    records: string[],
  ): SignalSchema => {
    const recordInfos = records.map((r) => messageInfo(t(r)));
    return {
      request: t(`opentelemetry.proto.collector.${pkg}.v1.${req}`),
      requestInfo: messageInfo(t(`opentelemetry.proto.collector.${pkg}.v1.${req}`)),
      response: t(`opentelemetry.proto.collector.${pkg}.v1.${res}`),
      partialSuccess: t(`opentelemetry.proto.collector.${pkg}.v1.${ps}`),
      rejectedField: rejected,
      resourceX: messageInfo(t(resourceX)),
      walk: { anyValue },
      recordSlots: recordInfos.map(countSlotOf),
    };
  };
  switch (signal) {
    case "logs":
      s = make(
        "logs",
        "ExportLogsServiceRequest",
        "ExportLogsServiceResponse",
        "ExportLogsPartialSuccess",
        "rejectedLogRecords",
        "opentelemetry.proto.logs.v1.ResourceLogs",
        ["opentelemetry.proto.logs.v1.LogRecord"],
      );
      break;
    case "metrics":
      s = make(
        "metrics",
        "ExportMetricsServiceRequest",
        "ExportMetricsServiceResponse",
        "ExportMetricsPartialSuccess",
        "rejectedDataPoints",
        "opentelemetry.proto.metrics.v1.ResourceMetrics",
        [
          "opentelemetry.proto.metrics.v1.NumberDataPoint",
          "opentelemetry.proto.metrics.v1.HistogramDataPoint",
          "opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint",
          "opentelemetry.proto.metrics.v1.SummaryDataPoint",
        ],
      );
      break;
    case "traces":
      s = make(
        "trace",
        "ExportTraceServiceRequest",
        "ExportTraceServiceResponse",
        "ExportTracePartialSuccess",
        "rejectedSpans",
        "opentelemetry.proto.trace.v1.ResourceSpans",
        ["opentelemetry.proto.trace.v1.Span"],
      );
      break;
    default:
      throw new TypeError(`unknown OTLP signal ${String(signal)}`);
  }
  cache.set(signal, s);
  return s;
}
