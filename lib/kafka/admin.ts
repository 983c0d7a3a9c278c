/**
 * Topic administration: idempotent topic creation and the record size limit of a topic.
 *
 * @module
 */

/** A topic to create when missing. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic configs, e.g. `{ "max.message.bytes": "4194304", "compression.type": "producer" }`. */
  config?: Record<string, string>;
}

/** Options of {@linkcode createKafkaAdmin}. */
export interface KafkaAdminConfig {
  brokers: string[];
  /** Upper bound for each admin call (default 15000). */
  timeoutMs?: number;
}

/** A connected admin client. */
export interface KafkaAdmin {
  /** Creates the topics that do not exist yet; existing topics are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** The effective `max.message.bytes` of a topic (what one record batch may weigh). */
  maxMessageBytes(topic: string): Promise<number>;
  close(): Promise<void>;
}

/** Creates an admin client. */
export function createKafkaAdmin(config: KafkaAdminConfig): Promise<KafkaAdmin> {
  void config;
  throw new Error("createKafkaAdmin: implementation lands in the next commit");
}
