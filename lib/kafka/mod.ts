/**
 * The Kafka module: the contract between ingest and the forwarder, and the only wrapper of the
 * Kafka client library. Nothing else in the project imports the client directly.
 *
 * - {@linkcode toRecord} / {@linkcode fromRecord}: the record envelope (key = tenant, headers).
 * - {@linkcode createKafkaProducer}: idempotent, acks=all, coalescing; every send has a
 *   deadline and fails with a retriable {@linkcode KafkaUnavailableError} instead of hanging.
 * - {@linkcode createKafkaAdmin}: idempotent topic creation, a topic's `max.message.bytes`.
 * - {@linkcode createKafkaConsumer}: a group member for at-least-once processing — batches per
 *   partition, manual commits checked against the current assignment, pause/resume/rewind, lag.
 * - {@linkcode readTopic}: reads a whole topic without a group (tests, the DLQ tool).
 * - {@linkcode estimateRecordBytes} and {@linkcode RECORD_BATCH_OVERHEAD}: for splitting a
 *   request so that each record fits the broker's limit.
 *
 * Why `@platformatic/kafka` (INFRA.md): maintained, pure JavaScript (no native addon, which
 * `@confluentinc/kafka-javascript` needs and cannot fetch here), idempotent producer, every
 * codec (none/gzip/snappy/lz4/zstd), classic and KIP-848 groups, Kafka 3.5–4.2; measured at
 * 2–3× the produce throughput of KafkaJS under Deno. KafkaJS has had no release since 2023 and
 * lacks lz4/zstd.
 *
 * Caveats of the library that this module works around:
 * - `send()` to a topic that does not exist waits for ever → the producer checks each topic once
 *   and refuses a missing one ({@linkcode KafkaRequestError}); every send has a deadline.
 * - An idempotent producer retries an unreachable broker for ever in the background → on a
 *   deadline nobody waits for, the client is closed and replaced (no late delivery, reconnect).
 * - Its stream consumer can only pause everything, and its `commit()` rejoins and re-commits
 *   after a rebalance even for partitions now owned by another member → this module fetches and
 *   commits itself, with the library handling only group membership and heartbeats.
 * - Long-poll fetches share a connection with heartbeats and commits → fetches get their own
 *   connection pool.
 * - It needs read access to Deno's npm cache (it loads a wasm file for snappy/lz4).
 *
 * @module
 */
export * from "./contract.ts";
export * from "./errors.ts";
export * from "./record_size.ts";
export * from "./producer.ts";
export * from "./admin.ts";
export * from "./consumer.ts";
export * from "./read_topic.ts";
