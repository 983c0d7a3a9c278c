/**
 * Turns one enriched request into Kafka records (split when larger than the broker accepts)
 * and publishes them; resolves only when the broker acknowledged every record.
 *
 * @module
 */
import {
  estimateRecordBytes,
  type KafkaProducer,
  type PayloadFormat,
  RECORD_BATCH_OVERHEAD,
  toRecord,
} from "../lib/kafka/mod.ts";

/** Topic names by payload kind. */
export interface Topics {
  logs: string;
  metrics: string;
  traces: string;
}

/** Options of {@linkcode createPublisher}. */
export interface PublisherOptions {
  producer: Pick<KafkaProducer, "send">;
  topics: Topics;
  /** Largest record batch the broker accepts for these topics (`max.message.bytes`). */
  maxRecordBytes: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** What {@linkcode Publisher.publish} takes. */
export interface PublishRequest {
  tenant: string;
  format: PayloadFormat;
  /** The enriched protobuf payload. */
  value: Uint8Array;
  /** Splits `value` into valid payloads of at most `maxBytes` each. */
  split: (value: Uint8Array, maxBytes: number) => Uint8Array[];
}

/** Publishes enriched payloads. */
export interface Publisher {
  /** Publishes one request's payload; returns the number of Kafka records written. */
  publish(req: PublishRequest): Promise<{ topic: string; records: number }>;
}

const TOPIC_OF: Record<PayloadFormat, keyof Topics> = {
  "otlp-logs": "logs",
  "otlp-metrics": "metrics",
  "otlp-traces": "traces",
  "prom-rw-v1": "metrics",
  "prom-rw-v2": "metrics",
};

/**
 * Creates a publisher. A payload that would exceed the broker's record limit is split by the
 * request's own structure (resource, scope, records; series for remote write) so that no valid
 * request fails for being large (DESIGN §5).
 */
export function createPublisher(opts: PublisherOptions): Publisher {
  if (!(opts.maxRecordBytes > 1024)) {
    throw new TypeError("createPublisher: maxRecordBytes must be more than 1024");
  }
  const now = opts.now ?? Date.now;
  return {
    async publish(req) {
      const topic = opts.topics[TOPIC_OF[req.format]];
      const receivedAt = now();
      const make = (value: Uint8Array) =>
        toRecord(topic, { tenant: req.tenant, format: req.format, receivedAt, value });
      const whole = make(req.value);
      const limit = opts.maxRecordBytes - RECORD_BATCH_OVERHEAD;
      let records = [whole];
      const size = estimateRecordBytes(whole);
      if (size > limit) {
        // Everything in a record but the value (key, headers, framing) stays the same.
        const overhead = size - req.value.byteLength;
        records = req.split(req.value, limit - overhead).map(make);
      }
      if (records.length > 0) await opts.producer.send(records);
      return { topic, records: records.length };
    },
  };
}
