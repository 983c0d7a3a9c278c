/**
 * Record size arithmetic shared by the producer and by ingest's request splitter: a request
 * larger than the broker's limit is split so that no valid request fails for being large.
 *
 * @module
 */
import type { OutRecord } from "./contract.ts";

/** Kafka's default `max.message.bytes` / `message.max.bytes`. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * Bytes to keep free in a record batch besides its records: the 61-byte v2 batch header plus
 * room for the framing a codec adds to incompressible data. Measured with the client library's
 * own encoder on random bytes (see record_size_test.ts): gzip adds up to 0.031 % (2.5 KB on
 * 8 MB), snappy 0.005 %, zstd 0.003 %, lz4 < 40 B. So a record of at most
 * `max.message.bytes − RECORD_BATCH_OVERHEAD` (by {@linkcode estimateRecordBytes}) always fits,
 * for topic limits up to 12 MiB.
 */
export const RECORD_BATCH_OVERHEAD = 4096;

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

/** UTF-8 length of `s`; the loop is several times faster than Buffer.byteLength for short keys. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) i++, n += 2; // surrogate pair: 4 bytes for 2 units
    else n += 2;
  }
  return n;
}
