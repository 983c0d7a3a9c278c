import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError, describeSettings } from "../lib/config/mod.ts";
import { ingestSchema, loadIngestConfig } from "./config.ts";

const exampleFile = new URL("../lib/config/testdata/ingest.yaml", import.meta.url).pathname;

Deno.test("loadIngestConfig() has the documented defaults", () => {
  const c = loadIngestConfig({});
  deepStrictEqual(c.listen, { hostname: "0.0.0.0", port: 4318 });
  deepStrictEqual(c.kafkaBrokers, ["127.0.0.1:19092"]);
  strictEqual(c.topicLogs, "obstack.logs");
  strictEqual(c.topicMetrics, "obstack.metrics");
  strictEqual(c.topicTraces, "obstack.traces");
  strictEqual(c.topicDlq, "obstack.dlq");
  strictEqual(c.tenantsFile, "tenants.yaml");
  strictEqual(c.maxBodyBytes, 16 * 1024 * 1024);
  strictEqual(c.maxDecompressedBytes, 64 * 1024 * 1024);
  strictEqual(c.kafkaMaxRecordBytes, 1_000_000);
  ok(c.kafkaMaxRecordBytes < 1048588, "below the broker's default message.max.bytes");
  strictEqual(c.kafkaCompression, "snappy");
  strictEqual(c.publishTimeoutMs, 10_000);
  strictEqual(c.retryAfterMs, 5_000);
  ok(c.defaultRateLimitRps > 0);
  ok(c.defaultRateLimitBytes > 0);
  strictEqual(c.shutdownGraceMs, 15_000);
  strictEqual(c.logLevel, "info");
});

Deno.test("loadIngestConfig() takes env overrides by their OBSTACK_* names", () => {
  const c = loadIngestConfig({
    OBSTACK_INGEST_LISTEN: "127.0.0.1:14318",
    OBSTACK_KAFKA_BROKERS: "127.0.0.1:29092",
    OBSTACK_INGEST_MAX_BODY_BYTES: "1MiB",
    OBSTACK_KAFKA_COMPRESSION: "gzip",
    OBSTACK_PUBLISH_TIMEOUT: "1500ms",
    OBSTACK_LOG_LEVEL: "debug",
  });
  deepStrictEqual(c.listen, { hostname: "127.0.0.1", port: 14318 });
  deepStrictEqual(c.kafkaBrokers, ["127.0.0.1:29092"]);
  strictEqual(c.maxBodyBytes, 1024 * 1024);
  strictEqual(c.kafkaCompression, "gzip");
  strictEqual(c.publishTimeoutMs, 1500);
  strictEqual(c.logLevel, "debug");
});

Deno.test("loadIngestConfig() rejects an invalid value with a message naming the setting", () => {
  throws(
    () => loadIngestConfig({ OBSTACK_KAFKA_COMPRESSION: "brotli" }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes("OBSTACK_KAFKA_COMPRESSION") &&
      e.message.includes("brotli"),
  );
  throws(
    () => loadIngestConfig({ OBSTACK_PUBLISH_TIMEOUT: "10" }),
    /OBSTACK_PUBLISH_TIMEOUT \(kafka\.publish_timeout\)/,
  );
});

Deno.test("loadIngestConfig() reads OBSTACK_CONFIG_FILE below the environment", () => {
  const c = loadIngestConfig({ OBSTACK_CONFIG_FILE: exampleFile, OBSTACK_LOG_LEVEL: "warn" });
  strictEqual(c.kafkaCompression, "zstd");
  strictEqual(c.defaultRateLimitRps, 500);
  strictEqual(c.logLevel, "warn");
});

Deno.test("the example ingest config file covers every ingest setting", async () => {
  const { parse } = await import("yaml");
  const doc = parse(await Deno.readTextFile(exampleFile));
  for (const row of describeSettings(ingestSchema)) {
    let cur: unknown = doc;
    for (const part of row.key.split(".")) cur = (cur as Record<string, unknown>)?.[part];
    ok(cur !== undefined, `${row.key} missing from ${exampleFile}`);
    ok(row.description.length > 0, `${row.env} has no description`);
  }
});
