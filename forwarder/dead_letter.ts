/**
 * Building dead-letter records (DESIGN.md §5): the original key, value and headers, plus
 * `obstack-dlq-reason`, `obstack-dlq-sink` and the record's original topic, partition and
 * offset. A record dead-lettered again after a replay keeps its first coordinates, so its
 * OpenSearch ids stay the same however often it travels.
 *
 * @module
 */
import { HEADER, type InRecord, type OutRecord } from "../lib/kafka/mod.ts";
import type { RecordOrigin } from "./sinks/sink.ts";

/** Sink name used in `obstack-dlq-sink` for records that could not be decoded at all. */
export const DECODE_SINK = "decode";

/** Longest reason kept in the header (reasons quote store answers, which can be long). */
const MAX_REASON = 1000;

/** A record that goes to the dead-letter topic, and why. */
export interface DeadLetter {
  record: InRecord;
  origin: RecordOrigin;
  /** The sink that refused it, or {@linkcode DECODE_SINK}. */
  sink: string;
  reason: string;
}

/** The Kafka record for a dead letter. */
export function toDeadLetterRecord(dlqTopic: string, d: DeadLetter): OutRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.record.headers)) {
    if (!k.startsWith("obstack-dlq-")) headers[k] = v;
  }
  headers[HEADER.dlqReason] = d.reason.length > MAX_REASON
    ? d.reason.slice(0, MAX_REASON) + "…"
    : d.reason;
  headers[HEADER.dlqSink] = d.sink;
  headers[HEADER.dlqTopic] = d.origin.topic;
  headers[HEADER.dlqPartition] = String(d.origin.partition);
  headers[HEADER.dlqOffset] = String(d.origin.offset);
  return {
    topic: dlqTopic,
    key: d.record.key ?? headers[HEADER.tenant] ?? "",
    value: d.record.value,
    headers,
  };
}
