/**
 * The Kafka module: the contract between ingest and the forwarder, and the only wrapper of the
 * Kafka client library. Nothing else in the project imports the client directly.
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
