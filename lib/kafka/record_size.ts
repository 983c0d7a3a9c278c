/**
 * Record size arithmetic shared by the producer and by ingest's request splitter: a request
 * larger than the broker's limit is split so that no valid request fails for being large.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { OutRecord } from "./contract.ts";

/** Kafka's default `max.message.bytes` / `message.max.bytes`. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * Fixed overhead of one record batch (v2 header) in bytes. A record batch, not a record, is what
 * `max.message.bytes` limits; with one record per batch the record may be this much smaller.
 */
export const RECORD_BATCH_OVERHEAD = 61;

/**
 * Upper estimate of the bytes one record adds to a record batch (v2 record format: length,
 * attributes, timestamp and offset deltas, key, value, headers — varints counted at their maximum
 * width). Ingest uses it to split a request into records that fit the broker's limit.
 */
export function estimateRecordBytes(record: OutRecord): number {
  let bytes = 5 + 1 + 10 + 5 + 5 + utf8Length(record.key) + 5 + record.value.byteLength + 5;
  for (const [k, v] of Object.entries(record.headers)) {
    bytes += 5 + utf8Length(k) + 5 + utf8Length(v);
  }
  return bytes;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}
