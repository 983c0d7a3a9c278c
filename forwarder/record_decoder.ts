/**
 * Kafka record → {@linkcode SinkRecord}: the contract headers checked, the payload decoded by
 * its format header. A record that fails either is undecodable for good (dead-letter it).
 *
 * A record that carries dead-letter headers is a replay (`deno task dlq replay`): it keeps its
 * original coordinates (for idempotent OpenSearch ids) and, when the header names a sink, goes
 * to that sink only — the other sinks already have it.
 *
 * @module
 */
import { decodeOtlp, decodeWriteRequestV1, decodeWriteRequestV2 } from "../lib/codec/mod.ts";
import { fromRecord, HEADER, type InRecord } from "../lib/kafka/mod.ts";
import { SINK_NAMES, type SinkName } from "./config.ts";
import type { DecodedPayload, RecordOrigin, SinkRecord } from "./sinks/sink.ts";

/** What {@linkcode decodeRecord} returns. */
export type DecodedRecord =
  | { ok: true; record: SinkRecord; onlySink?: SinkName }
  | { ok: false; reason: string; origin: RecordOrigin };

/**
 * Decodes one consumed record.
 *
 * @example
 * ```ts
 * const d = decodeRecord(rec);
 * if (!d.ok) deadLetter(rec, d.reason);
 * ```
 */
export function decodeRecord(rec: InRecord): DecodedRecord {
  const origin = originOf(rec);
  let env;
  try {
    env = fromRecord(rec);
  } catch (e) {
    return { ok: false, reason: `contract: ${message(e)}`, origin };
  }
  let payload: DecodedPayload;
  try {
    switch (env.format) {
      case "otlp-logs":
        payload = { format: env.format, request: decodeOtlp("logs", env.value) };
        break;
      case "otlp-metrics":
        payload = { format: env.format, request: decodeOtlp("metrics", env.value) };
        break;
      case "otlp-traces":
        payload = { format: env.format, request: decodeOtlp("traces", env.value) };
        break;
      case "prom-rw-v1":
        payload = { format: env.format, request: decodeWriteRequestV1(env.value) };
        break;
      case "prom-rw-v2":
        payload = { format: env.format, request: decodeWriteRequestV2(env.value) };
        break;
    }
  } catch (e) {
    return { ok: false, reason: `decode ${env.format}: ${message(e)}`, origin };
  }
  const record: SinkRecord = {
    tenant: env.tenant,
    receivedAt: env.receivedAt,
    value: env.value,
    payload,
    origin,
  };
  const only = rec.headers[HEADER.dlqSink];
  if (only !== undefined && (SINK_NAMES as readonly string[]).includes(only)) {
    return { ok: true, record, onlySink: only as SinkName };
  }
  return { ok: true, record };
}

/** The record's own coordinates, or the original ones a replayed dead letter carries. */
export function originOf(rec: InRecord): RecordOrigin {
  const t = rec.headers[HEADER.dlqTopic];
  const p = rec.headers[HEADER.dlqPartition];
  const o = rec.headers[HEADER.dlqOffset];
  if (t && p && /^\d{1,10}$/.test(p) && o && /^\d{1,19}$/.test(o)) {
    return { topic: t, partition: Number(p), offset: BigInt(o) };
  }
  return { topic: rec.topic, partition: rec.partition, offset: rec.offset };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
