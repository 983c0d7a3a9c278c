/**
 * The ingest service's configuration schema. `describeSettings(ingestSchema)` generates the
 * operations documentation from it.
 * @module
 */
import {
  type ConfigOf,
  defineSetting,
  kafkaSettings,
  loadServiceConfig,
  logLevelSetting,
} from "../lib/config/mod.ts";
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from "../lib/kafka/record_size.ts";

/** Every ingest setting. Property names are the keys of {@linkcode IngestConfig}. */
export const ingestSchema = {
  listen: defineSetting({
    env: "OBSTACK_INGEST_LISTEN",
    key: "ingest.listen",
    type: "listen",
    default: "0.0.0.0:4318",
    description: "Address of the OTLP/HTTP and remote-write endpoint (4318 is the OTLP/HTTP port).",
  }),
  ...kafkaSettings,
  tenantsFile: defineSetting({
    env: "OBSTACK_TENANTS_FILE",
    key: "tenants_file",
    type: "string",
    default: "tenants.yaml",
    description: "Tenants YAML file (token hashes, limits); reloaded on change.",
  }),
  maxBodyBytes: defineSetting({
    env: "OBSTACK_INGEST_MAX_BODY_BYTES",
    key: "ingest.max_body_bytes",
    type: "bytes",
    default: "16MiB",
    min: 1,
    description: "Largest request body accepted as sent (compressed); larger gets 413.",
  }),
  maxDecompressedBytes: defineSetting({
    env: "OBSTACK_INGEST_MAX_DECOMPRESSED_BYTES",
    key: "ingest.max_decompressed_bytes",
    type: "bytes",
    default: "64MiB",
    min: 1,
    description: "Largest body after gzip/snappy decompression; larger gets 413 (bomb guard).",
  }),
  kafkaMaxRecordBytes: defineSetting({
    env: "OBSTACK_KAFKA_MAX_RECORD_BYTES",
    key: "kafka.max_record_bytes",
    type: "bytes",
    default: 1000000,
    min: 1024,
    max: 100 * 1024 * 1024,
    description:
      `Largest record value sent to Kafka; bigger requests are split. Keep below the broker's message.max.bytes (default ${KAFKA_DEFAULT_MAX_MESSAGE_BYTES}).`,
  }),
  kafkaCompression: defineSetting({
    env: "OBSTACK_KAFKA_COMPRESSION",
    key: "kafka.compression",
    type: "enum",
    values: ["snappy", "gzip", "lz4", "zstd", "none"],
    default: "snappy",
    description: "Kafka batch compression.",
  }),
  publishTimeoutMs: defineSetting({
    env: "OBSTACK_PUBLISH_TIMEOUT",
    key: "kafka.publish_timeout",
    type: "duration",
    default: "10s",
    min: 100,
    description: "How long a request waits for the broker's acknowledgement before 503.",
  }),
  retryAfterMs: defineSetting({
    env: "OBSTACK_RETRY_AFTER",
    key: "ingest.retry_after",
    type: "duration",
    default: "5s",
    min: 1000,
    description: "Retry-After sent with 503 when the broker is unavailable (whole seconds).",
  }),
  defaultRateLimitRps: defineSetting({
    env: "OBSTACK_DEFAULT_RATE_LIMIT_RPS",
    key: "ingest.default_rate_limit_rps",
    type: "int",
    default: 1000,
    min: 0,
    description:
      "Requests per second per tenant when the tenant has no limit of its own; 0 = unlimited.",
  }),
  defaultRateLimitBytes: defineSetting({
    env: "OBSTACK_DEFAULT_RATE_LIMIT_BYTES",
    key: "ingest.default_rate_limit_bytes",
    type: "bytes",
    default: "64MiB",
    min: 0,
    description:
      "Body bytes (as sent) per second per tenant when the tenant has no limit of its own; 0 = unlimited.",
  }),
  shutdownGraceMs: defineSetting({
    env: "OBSTACK_SHUTDOWN_GRACE",
    key: "ingest.shutdown_grace",
    type: "duration",
    default: "15s",
    description: "On SIGTERM, how long in-flight requests and the producer flush may take.",
  }),
  logLevel: logLevelSetting,
};

/** The ingest configuration. Durations (`…Ms`) are milliseconds, sizes are bytes. */
export type IngestConfig = ConfigOf<typeof ingestSchema>;

/**
 * Loads the ingest config from the environment, and from the YAML file named by
 * `OBSTACK_CONFIG_FILE` if set (precedence: default < file < env). Throws `ConfigError`
 * naming each invalid setting.
 *
 * @example
 * ```ts
 * const cfg = loadIngestConfig(); // cfg.listen.port === 4318
 * ```
 */
export function loadIngestConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): IngestConfig {
  return loadServiceConfig(ingestSchema, env);
}
