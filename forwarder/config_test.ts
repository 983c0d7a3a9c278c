import assert from "node:assert/strict";
import { ConfigError, describeSettings } from "../lib/config/mod.ts";
import { forwarderSchema, loadForwarderConfig, parseHeaderPairs } from "./config.ts";

Deno.test("loadForwarderConfig() gives working defaults for the native stack", () => {
  const cfg = loadForwarderConfig({});
  assert.deepEqual(cfg.listen, { hostname: "0.0.0.0", port: 9465 });
  assert.deepEqual(cfg.kafkaBrokers, ["127.0.0.1:19092"]);
  assert.equal(cfg.topicLogs, "obstack.logs");
  assert.equal(cfg.topicDlq, "obstack.dlq");
  assert.equal(cfg.prometheusRwVersion, "1.0");
  assert.equal(cfg.tracesBackend, "jaeger");
  assert.equal(cfg.tracesProtocol, "grpc");
  assert.equal(cfg.logsBackend, "victorialogs");
  assert.equal(cfg.opensearchReplicas, 0);
  assert.deepEqual(cfg.sinks, ["prometheus", "traces", "logs", "opensearch"]);
});

Deno.test("loadForwarderConfig() lets the environment choose backends and transports", () => {
  const cfg = loadForwarderConfig({
    OBSTACK_TRACES_BACKEND: "tempo",
    OBSTACK_TRACES_PROTOCOL: "http",
    OBSTACK_TRACES_ENDPOINT: "http://tempo:4318",
    OBSTACK_LOGS_BACKEND: "loki",
    OBSTACK_LOKI_URL: "http://loki:3100",
    OBSTACK_PROMETHEUS_RW_VERSION: "2.0",
    OBSTACK_PROMETHEUS_HEADERS: "X-A=1, X-B=two=2",
    OBSTACK_FORWARDER_BATCH_LINGER: "1s",
  });
  assert.equal(cfg.tracesBackend, "tempo");
  assert.equal(cfg.logsBackend, "loki");
  assert.equal(cfg.prometheusRwVersion, "2.0");
  assert.equal(cfg.batchLingerMs, 1000);
  assert.deepEqual(parseHeaderPairs(cfg.prometheusHeaders), { "X-A": "1", "X-B": "two=2" });
});

Deno.test("loadForwarderConfig() names the setting of an invalid value", () => {
  assert.throws(
    () => loadForwarderConfig({ OBSTACK_TRACES_BACKEND: "zipkin" }),
    (e) => e instanceof ConfigError && e.message.includes("OBSTACK_TRACES_BACKEND"),
  );
  assert.throws(
    () => loadForwarderConfig({ OBSTACK_OPENSEARCH_REPLICAS: "-1" }),
    (e) => e instanceof ConfigError && e.message.includes("OBSTACK_OPENSEARCH_REPLICAS"),
  );
});

Deno.test("loadForwarderConfig() refuses Jaeger over OTLP/HTTP, which would lose the tenant", () => {
  assert.throws(
    () =>
      loadForwarderConfig({
        OBSTACK_TRACES_PROTOCOL: "http",
        OBSTACK_TRACES_ENDPOINT: "http://127.0.0.1:14318",
      }),
    (e) => e instanceof ConfigError && e.message.includes("OBSTACK_TRACES_PROTOCOL"),
  );
});

Deno.test("loadForwarderConfig() rejects unknown sinks, bad headers and mixed auth", () => {
  for (
    const [env, name] of [
      [{ OBSTACK_FORWARDER_SINKS: "prometheus,kafka" }, "OBSTACK_FORWARDER_SINKS"],
      [{ OBSTACK_LOKI_HEADERS: "novalue" }, "OBSTACK_LOKI_HEADERS"],
      [{ OBSTACK_TRACES_HEADERS: "bad name=1" }, "OBSTACK_TRACES_HEADERS"],
      [
        { OBSTACK_PROMETHEUS_BEARER_TOKEN: "t", OBSTACK_PROMETHEUS_USERNAME: "u" },
        "OBSTACK_PROMETHEUS_BEARER_TOKEN",
      ],
      [{ OBSTACK_TRACES_ENDPOINT: "http://x:1" }, "OBSTACK_TRACES_ENDPOINT"],
      [{ OBSTACK_OPENSEARCH_INDEX_PREFIX: "Logs" }, "OBSTACK_OPENSEARCH_INDEX_PREFIX"],
    ] as const
  ) {
    assert.throws(
      () => loadForwarderConfig(env),
      (e) => e instanceof ConfigError && e.message.includes(name),
      name,
    );
  }
});

Deno.test("describeSettings(forwarderSchema) documents every setting with an OBSTACK_ name", () => {
  const rows = describeSettings(forwarderSchema);
  assert.ok(rows.length >= 30);
  for (const r of rows) {
    assert.match(r.env, /^OBSTACK_/);
    assert.ok(r.description.length > 10, r.env);
  }
});
