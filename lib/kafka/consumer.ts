/**
 * The group consumer the at-least-once forwarder reads through: batches per partition, manual
 * commits only, pause/resume per partition, lag for metrics.
 *
 * @module
 */
import type { InRecord } from "./contract.ts";
import type { KafkaLogger } from "./_logger.ts";

/** Options of {@linkcode createKafkaConsumer}. */
export interface KafkaConsumerConfig {
  brokers: string[];
  groupId: string;
  clientId: string;
  topics: string[];
  /** Most records in one batch (default 500). */
  maxBatchRecords?: number;
  /** Longest the broker holds a fetch waiting for data (default 500). */
  maxWaitMs?: number;
  logger?: KafkaLogger;
}

/** Records of one partition, in offset order. */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: InRecord[];
}

/** A consumer group member. */
export interface KafkaConsumer {
  /**
   * The batches as they arrive; each holds records of a single partition, in order. Batches of a
   * partition that was revoked are not yielded once the revocation is known.
   */
  batches(): AsyncIterable<RecordBatch>;
  /**
   * Commits `nextOffset` (= last processed offset + 1) for a partition. Rejects when the
   * partition is no longer assigned to this member (after a rebalance).
   */
  commit(topic: string, partition: number, nextOffset: bigint): Promise<void>;
  /** Stops yielding batches of the partition until {@linkcode KafkaConsumer.resume}. */
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
  /** Consumer lag per `topic/partition` of the current assignment (high watermark − committed). */
  lag(): Promise<Record<string, number>>;
  /** The `topic/partition` pairs currently assigned to this member. */
  assignment(): { topic: string; partition: number }[];
  /** Stops fetching and leaves the group. */
  close(): Promise<void>;
}

/** Creates a consumer and joins the group. */
export function createKafkaConsumer(config: KafkaConsumerConfig): Promise<KafkaConsumer> {
  void config;
  throw new Error("createKafkaConsumer: implementation lands in the next commit");
}
