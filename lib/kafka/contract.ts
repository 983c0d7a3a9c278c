/**
 * The Kafka contract between ingest and the forwarder (DESIGN.md §5): topic names, header
 * names and the record envelope, declared once. Everything else imports these names.
 *
 * @module
 */
import { ObstackError } from "../errors.ts";

/** Default topic names; each is overridable by config (OBSTACK_TOPIC_*). */
export const TOPIC_DEFAULTS = {
  logs: "obstack.logs",
  metrics: "obstack.metrics",
  traces: "obstack.traces",
  dlq: "obstack.dlq",
} as const;

/** Record header names. The DLQ headers are added when a record is dead-lettered. */
export const HEADER = {
  tenant: "obstack-tenant",
  format: "obstack-format",
  receivedAt: "obstack-received-at",
  dlqReason: "obstack-dlq-reason",
  dlqSink: "obstack-dlq-sink",
  dlqTopic: "obstack-dlq-topic",
  dlqPartition: "obstack-dlq-partition",
  dlqOffset: "obstack-dlq-offset",
} as const;

/** Every payload format a record value can carry; all are protobuf. */
export const PAYLOAD_FORMATS = [
  "otlp-logs",
  "otlp-metrics",
  "otlp-traces",
  "prom-rw-v1",
  "prom-rw-v2",
] as const;

/** Payload format of a record value (header `obstack-format`). */
export type PayloadFormat = typeof PAYLOAD_FORMATS[number];

/** What ingest publishes and the forwarder consumes: one tenant-stamped protobuf payload. */
export interface Envelope {
  /** Tenant id (also the record key). */
  tenant: string;
  /** Encoding of `value`. */
  format: PayloadFormat;
  /** Milliseconds since the epoch at which ingest received the request. */
  receivedAt: number;
  /** The enriched protobuf payload. */
  value: Uint8Array;
}

/** A record to publish. */
export interface OutRecord {
  topic: string;
  key: string;
  value: Uint8Array;
  headers: Record<string, string>;
}

/** A consumed record. Offsets are bigint because Kafka offsets are int64. */
export interface InRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: Uint8Array;
  headers: Record<string, string>;
  /** Record timestamp, ms since the epoch. */
  timestamp: number;
}

/**
 * Thrown by {@linkcode fromRecord} (and {@linkcode toRecord}) when a record does not follow the
 * contract. A malformed record stays malformed: retrying cannot help, it belongs in the DLQ.
 */
export class ContractError extends ObstackError {
  /** Creates the error. */
  constructor(message: string) {
    super({ code: "kafka_contract", message, status: 400, retriable: false });
    this.name = "ContractError";
  }
}

const TENANT_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** True when `s` is one of {@linkcode PAYLOAD_FORMATS}. */
export function isPayloadFormat(s: string): s is PayloadFormat {
  return (PAYLOAD_FORMATS as readonly string[]).includes(s);
}

/**
 * Builds the record ingest publishes for an envelope: key = tenant, contract headers set.
 *
 * @example
 * ```ts
 * const rec = toRecord("obstack.logs", { tenant: "acme", format: "otlp-logs", receivedAt: Date.now(), value });
 * ```
 */
export function toRecord(topic: string, envelope: Envelope): OutRecord {
  if (!TENANT_RE.test(envelope.tenant)) {
    throw new ContractError(`invalid tenant id ${JSON.stringify(envelope.tenant)}`);
  }
  if (!isPayloadFormat(envelope.format)) {
    throw new ContractError(`invalid payload format ${JSON.stringify(envelope.format)}`);
  }
  if (!Number.isSafeInteger(envelope.receivedAt) || envelope.receivedAt < 0) {
    throw new ContractError(`invalid receivedAt ${envelope.receivedAt}`);
  }
  return {
    topic,
    key: envelope.tenant,
    value: envelope.value,
    headers: {
      [HEADER.tenant]: envelope.tenant,
      [HEADER.format]: envelope.format,
      [HEADER.receivedAt]: String(envelope.receivedAt),
    },
  };
}

/**
 * Reads the envelope back from a consumed record.
 *
 * @throws {ContractError} when a contract header is missing or invalid, or when the record key
 * disagrees with the tenant header (a record must never be attributed to another tenant).
 */
export function fromRecord(rec: InRecord): Envelope {
  const where = `${rec.topic}/${rec.partition}@${rec.offset}`;
  const tenant = rec.headers[HEADER.tenant];
  if (tenant === undefined) throw new ContractError(`${where}: missing header ${HEADER.tenant}`);
  if (!TENANT_RE.test(tenant)) {
    throw new ContractError(`${where}: invalid ${HEADER.tenant} ${JSON.stringify(tenant)}`);
  }
  if (rec.key !== null && rec.key !== tenant) {
    throw new ContractError(
      `${where}: record key ${JSON.stringify(rec.key)} differs from ${HEADER.tenant}`,
    );
  }
  const format = rec.headers[HEADER.format];
  if (format === undefined) throw new ContractError(`${where}: missing header ${HEADER.format}`);
  if (!isPayloadFormat(format)) {
    throw new ContractError(`${where}: invalid ${HEADER.format} ${JSON.stringify(format)}`);
  }
  const rawAt = rec.headers[HEADER.receivedAt];
  if (rawAt === undefined) {
    throw new ContractError(`${where}: missing header ${HEADER.receivedAt}`);
  }
  if (!/^[0-9]{1,16}$/.test(rawAt) || !Number.isSafeInteger(Number(rawAt))) {
    throw new ContractError(`${where}: invalid ${HEADER.receivedAt} ${JSON.stringify(rawAt)}`);
  }
  return { tenant, format, receivedAt: Number(rawAt), value: rec.value };
}
