/**
 * Settings that several services share, declared once so that their env names, keys, defaults
 * and documentation cannot drift apart. Services spread them into their own schema.
 *
 * @module
 */
import { TOPIC_DEFAULTS } from "../kafka/contract.ts";
import { defineSetting } from "./setting.ts";

/** The Kafka bootstrap brokers and the topic names (ingest and the forwarder). */
export const kafkaSettings = {
  kafkaBrokers: defineSetting({
    env: "OBSTACK_KAFKA_BROKERS",
    key: "kafka.brokers",
    type: "list",
    default: "127.0.0.1:19092",
    min: 1,
    description: "Comma-separated Kafka bootstrap brokers (host:port).",
  }),
  topicLogs: defineSetting({
    env: "OBSTACK_TOPIC_LOGS",
    key: "kafka.topic_logs",
    type: "string",
    default: TOPIC_DEFAULTS.logs,
    description: "Topic of OTLP logs.",
  }),
  topicMetrics: defineSetting({
    env: "OBSTACK_TOPIC_METRICS",
    key: "kafka.topic_metrics",
    type: "string",
    default: TOPIC_DEFAULTS.metrics,
    description: "Topic of OTLP metrics and remote-write requests.",
  }),
  topicTraces: defineSetting({
    env: "OBSTACK_TOPIC_TRACES",
    key: "kafka.topic_traces",
    type: "string",
    default: TOPIC_DEFAULTS.traces,
    description: "Topic of OTLP traces.",
  }),
  topicDlq: defineSetting({
    env: "OBSTACK_TOPIC_DLQ",
    key: "kafka.topic_dlq",
    type: "string",
    default: TOPIC_DEFAULTS.dlq,
    description: "Dead-letter topic: undecodable records and records a sink rejected for good.",
  }),
};

/** The log level (every service). */
export const logLevelSetting = defineSetting({
  env: "OBSTACK_LOG_LEVEL",
  key: "log_level",
  type: "enum",
  values: ["debug", "info", "warn", "error"],
  default: "info",
  description: "Lowest log level written to stderr (JSON lines).",
});
