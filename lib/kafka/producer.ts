/**
 * The idempotent, acks=all producer ingest publishes through.
 *
 * @module
 */
import type { OutRecord } from "./contract.ts";
import type { KafkaLogger } from "./_logger.ts";

export type { KafkaLogger } from "./_logger.ts";

/** Batch-level compression codec. */
export type KafkaCompression = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/** Options of {@linkcode createKafkaProducer}. */
export interface KafkaProducerConfig {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  clientId: string;
  compression: KafkaCompression;
  /** Upper bound for one `send()`; after it the send rejects with {@linkcode KafkaUnavailableError}. */
  timeoutMs: number;
  /** Reject records whose value+key+headers exceed this many bytes before sending. */
  maxRecordBytes?: number;
  logger?: KafkaLogger;
}

/** A connected producer. */
export interface KafkaProducer {
  /**
   * Publishes the records with acks=all through the idempotent producer. Resolves only when
   * every record is acknowledged; rejects within `timeoutMs` with a `KafkaUnavailableError`
   * (retriable) or a `KafkaRequestError` (not retriable). Never hangs.
   */
  send(records: OutRecord[]): Promise<void>;
  /** True when a metadata request to the brokers succeeds within `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
  /** Waits for in-flight sends, then closes the connections. */
  close(): Promise<void>;
}

/** Creates and connects a producer (the broker need not be reachable yet). */
export function createKafkaProducer(config: KafkaProducerConfig): Promise<KafkaProducer> {
  void config;
  throw new Error("createKafkaProducer: implementation lands in the next commit");
}
