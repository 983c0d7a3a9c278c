/**
 * The forwarder's configuration schema: Kafka consumption, batching and retries, and one group
 * of settings per sink. `describeSettings(forwarderSchema)` generates the operations docs.
 *
 * @module
 */
import {
  ConfigError,
  type ConfigOf,
  defineSetting,
  kafkaSettings,
  loadServiceConfig,
  logLevelSetting,
} from "../lib/config/mod.ts";

/** The sinks the forwarder can write to; `OBSTACK_FORWARDER_SINKS` picks a subset. */
export const SINK_NAMES = ["prometheus", "traces", "logs", "opensearch"] as const;
/** A sink name. */
export type SinkName = typeof SINK_NAMES[number];

/** Every forwarder setting. Property names are the keys of {@linkcode ForwarderConfig}. */
export const forwarderSchema = {
  listen: defineSetting({
    env: "OBSTACK_FORWARDER_LISTEN",
    key: "forwarder.listen",
    type: "listen",
    default: "0.0.0.0:9465",
    description: "Address of the admin endpoint (/healthz, /readyz, /metrics).",
  }),
  ...kafkaSettings,
  group: defineSetting({
    env: "OBSTACK_FORWARDER_GROUP",
    key: "forwarder.group",
    type: "string",
    default: "obstack-forwarder",
    description: "Kafka consumer group shared by every forwarder replica.",
  }),
  clientId: defineSetting({
    env: "OBSTACK_FORWARDER_CLIENT_ID",
    key: "forwarder.client_id",
    type: "string",
    default: "obstack-forwarder",
    description: "Kafka client id (shows up in broker logs and quotas).",
  }),
  sinks: defineSetting({
    env: "OBSTACK_FORWARDER_SINKS",
    key: "forwarder.sinks",
    type: "list",
    default: SINK_NAMES.join(","),
    min: 1,
    description:
      "Sinks to write to: prometheus (metrics), traces, logs (Loki/VictoriaLogs), opensearch (logs). Topics with no sink left are not consumed.",
  }),
  tenantsFile: defineSetting({
    env: "OBSTACK_TENANTS_FILE",
    key: "tenants_file",
    type: "string",
    default: "tenants.yaml",
    description:
      "Tenants YAML file; the forwarder reads each tenant's numeric id (VictoriaLogs AccountID) from it.",
  }),
  fetchMaxRecords: defineSetting({
    env: "OBSTACK_FORWARDER_FETCH_MAX_RECORDS",
    key: "forwarder.fetch_max_records",
    type: "int",
    default: 500,
    min: 1,
    max: 100_000,
    description: "Most records fetched from one partition at a time.",
  }),
  fetchMaxWaitMs: defineSetting({
    env: "OBSTACK_FORWARDER_FETCH_MAX_WAIT",
    key: "forwarder.fetch_max_wait",
    type: "duration",
    default: "250ms",
    min: 10,
    max: 30_000,
    description: "Longest the broker holds a fetch open waiting for records.",
  }),
  batchMaxRecords: defineSetting({
    env: "OBSTACK_FORWARDER_BATCH_MAX_RECORDS",
    key: "forwarder.batch_max_records",
    type: "int",
    default: 500,
    min: 1,
    description: "Most Kafka records combined into one sink request (per sink and tenant).",
  }),
  batchMaxBytes: defineSetting({
    env: "OBSTACK_FORWARDER_BATCH_MAX_BYTES",
    key: "forwarder.batch_max_bytes",
    type: "bytes",
    default: "4MiB",
    min: 1024,
    description: "Most payload bytes combined into one sink request (per sink and tenant).",
  }),
  batchLingerMs: defineSetting({
    env: "OBSTACK_FORWARDER_BATCH_LINGER",
    key: "forwarder.batch_linger",
    type: "duration",
    default: "200ms",
    max: 60_000,
    description:
      "How long a partition's records may wait for more before they are written (fills requests under light load).",
  }),
  maxBufferedBytes: defineSetting({
    env: "OBSTACK_FORWARDER_MAX_BUFFERED_BYTES",
    key: "forwarder.max_buffered_bytes",
    type: "bytes",
    default: "64MiB",
    min: 1024,
    description:
      "Bound on record bytes held in memory across partitions; above it partitions are paused until writes catch up.",
  }),
  retryInitialMs: defineSetting({
    env: "OBSTACK_FORWARDER_RETRY_INITIAL",
    key: "forwarder.retry_initial",
    type: "duration",
    default: "250ms",
    min: 1,
    description: "First back-off after a retryable sink error (doubles each time, with jitter).",
  }),
  retryMaxMs: defineSetting({
    env: "OBSTACK_FORWARDER_RETRY_MAX",
    key: "forwarder.retry_max",
    type: "duration",
    default: "30s",
    min: 1,
    description:
      "Longest back-off between retries; retryable errors are retried until they succeed.",
  }),
  sinkTimeoutMs: defineSetting({
    env: "OBSTACK_FORWARDER_SINK_TIMEOUT",
    key: "forwarder.sink_timeout",
    type: "duration",
    default: "15s",
    min: 100,
    description: "Timeout of one sink request; a timeout is retried.",
  }),
  shutdownGraceMs: defineSetting({
    env: "OBSTACK_SHUTDOWN_GRACE",
    key: "forwarder.shutdown_grace",
    type: "duration",
    default: "10s",
    description:
      "On SIGTERM, how long in-flight batches may take to finish before they are abandoned (uncommitted, so redelivered).",
  }),
  logLevel: logLevelSetting,

  // ---- Prometheus (remote write) --------------------------------------------------------
  prometheusUrl: defineSetting({
    env: "OBSTACK_PROMETHEUS_URL",
    key: "prometheus.url",
    type: "url",
    default: "http://127.0.0.1:19090/api/v1/write",
    description:
      "Remote-write endpoint (Prometheus /api/v1/write, Mimir /api/v1/push, Thanos Receive).",
  }),
  prometheusRwVersion: defineSetting({
    env: "OBSTACK_PROMETHEUS_RW_VERSION",
    key: "prometheus.remote_write_version",
    type: "enum",
    values: ["1.0", "2.0"],
    default: "1.0",
    description: "Remote-write protocol version sent to the endpoint.",
  }),
  prometheusUsername: defineSetting({
    env: "OBSTACK_PROMETHEUS_USERNAME",
    key: "prometheus.username",
    type: "string",
    default: "",
    description: "Basic-auth user name (with OBSTACK_PROMETHEUS_PASSWORD).",
  }),
  prometheusPassword: defineSetting({
    env: "OBSTACK_PROMETHEUS_PASSWORD",
    key: "prometheus.password",
    type: "string",
    default: "",
    description: "Basic-auth password.",
  }),
  prometheusBearerToken: defineSetting({
    env: "OBSTACK_PROMETHEUS_BEARER_TOKEN",
    key: "prometheus.bearer_token",
    type: "string",
    default: "",
    description: "Bearer token (exclusive with basic auth).",
  }),
  prometheusHeaders: defineSetting({
    env: "OBSTACK_PROMETHEUS_HEADERS",
    key: "prometheus.headers",
    type: "list",
    default: "",
    description: "Extra request headers, comma-separated Name=value pairs.",
  }),
  prometheusTenantHeader: defineSetting({
    env: "OBSTACK_PROMETHEUS_TENANT_HEADER",
    key: "prometheus.tenant_header",
    type: "string",
    default: "",
    description:
      "Header that carries the tenant id, e.g. X-Scope-OrgID for Mimir or THANOS-TENANT for Thanos Receive; empty for plain Prometheus (the tenant_id label separates tenants).",
  }),
  prometheusScopeLabels: defineSetting({
    env: "OBSTACK_PROMETHEUS_SCOPE_LABELS",
    key: "prometheus.scope_labels",
    type: "bool",
    default: true,
    description: "Add otel_scope_name/otel_scope_version labels to translated OTLP metrics.",
  }),
  prometheusTargetInfo: defineSetting({
    env: "OBSTACK_PROMETHEUS_TARGET_INFO",
    key: "prometheus.target_info",
    type: "bool",
    default: true,
    description: "Emit target_info series carrying OTLP resource attributes.",
  }),
  prometheusPromoteResourceAttributes: defineSetting({
    env: "OBSTACK_PROMETHEUS_PROMOTE_RESOURCE_ATTRIBUTES",
    key: "prometheus.promote_resource_attributes",
    type: "list",
    default: "",
    description: "Resource attributes copied onto every translated series as labels.",
  }),

  // ---- traces ---------------------------------------------------------------------------
  tracesBackend: defineSetting({
    env: "OBSTACK_TRACES_BACKEND",
    key: "traces.backend",
    type: "enum",
    values: ["tempo", "jaeger"],
    default: "jaeger",
    description:
      "Trace store. jaeger = Jaeger v2 remote_storage (OTLP/gRPC only, the store `deno task up` runs); tempo = Grafana Tempo.",
  }),
  tracesEndpoint: defineSetting({
    env: "OBSTACK_TRACES_ENDPOINT",
    key: "traces.endpoint",
    type: "string",
    default: "127.0.0.1:17271",
    description:
      "gRPC: host:port of the OTLP TraceService; http: base URL (…/v1/traces is appended unless present).",
  }),
  tracesProtocol: defineSetting({
    env: "OBSTACK_TRACES_PROTOCOL",
    key: "traces.protocol",
    type: "enum",
    values: ["grpc", "http"],
    default: "grpc",
    description: "OTLP transport to the trace store.",
  }),
  tracesTls: defineSetting({
    env: "OBSTACK_TRACES_TLS",
    key: "traces.tls",
    type: "bool",
    default: false,
    description: "Use TLS for the gRPC transport (http takes the scheme from the URL).",
  }),
  tracesHeaders: defineSetting({
    env: "OBSTACK_TRACES_HEADERS",
    key: "traces.headers",
    type: "list",
    default: "",
    description: "Extra headers (gRPC metadata), comma-separated Name=value pairs.",
  }),

  // ---- logs: Loki push API ---------------------------------------------------------------
  logsBackend: defineSetting({
    env: "OBSTACK_LOGS_BACKEND",
    key: "logs.backend",
    type: "enum",
    values: ["loki", "victorialogs"],
    default: "victorialogs",
    description:
      "Log store behind the Loki push API. loki: tenant in X-Scope-OrgID; victorialogs: the tenant's numeric id as AccountID.",
  }),
  lokiUrl: defineSetting({
    env: "OBSTACK_LOKI_URL",
    key: "logs.url",
    type: "url",
    default: "http://127.0.0.1:19428",
    description:
      "Base URL of the log store; the backend's push path (/loki/api/v1/push, /insert/loki/api/v1/push) is appended unless the URL already ends in /push.",
  }),
  lokiMaxLineBytes: defineSetting({
    env: "OBSTACK_LOKI_MAX_LINE_BYTES",
    key: "logs.max_line_bytes",
    type: "bytes",
    default: "256KiB",
    min: 64,
    description: "Longer log lines are truncated with a marker (Loki's default max_line_size).",
  }),
  lokiHeaders: defineSetting({
    env: "OBSTACK_LOKI_HEADERS",
    key: "logs.headers",
    type: "list",
    default: "",
    description: "Extra headers, comma-separated Name=value pairs (e.g. Authorization=Basic …).",
  }),

  // ---- OpenSearch ------------------------------------------------------------------------
  opensearchUrl: defineSetting({
    env: "OBSTACK_OPENSEARCH_URL",
    key: "opensearch.url",
    type: "url",
    default: "http://127.0.0.1:19200",
    description: "OpenSearch base URL.",
  }),
  opensearchUsername: defineSetting({
    env: "OBSTACK_OPENSEARCH_USERNAME",
    key: "opensearch.username",
    type: "string",
    default: "",
    description: "Basic-auth user name (empty: no auth).",
  }),
  opensearchPassword: defineSetting({
    env: "OBSTACK_OPENSEARCH_PASSWORD",
    key: "opensearch.password",
    type: "string",
    default: "",
    description: "Basic-auth password.",
  }),
  opensearchIndexPrefix: defineSetting({
    env: "OBSTACK_OPENSEARCH_INDEX_PREFIX",
    key: "opensearch.index_prefix",
    type: "string",
    default: "logs",
    description: "Indices are <prefix>-<tenant>-YYYY.MM.DD; the index template matches <prefix>-*.",
  }),
  opensearchReplicas: defineSetting({
    env: "OBSTACK_OPENSEARCH_REPLICAS",
    key: "opensearch.replicas",
    type: "int",
    default: 0,
    min: 0,
    max: 10,
    description: "number_of_replicas in the index template (0 for a single node).",
  }),
  opensearchShards: defineSetting({
    env: "OBSTACK_OPENSEARCH_SHARDS",
    key: "opensearch.shards",
    type: "int",
    default: 1,
    min: 1,
    max: 64,
    description: "number_of_shards in the index template.",
  }),
};

/** The forwarder configuration. Durations (`…Ms`) are milliseconds, sizes are bytes. */
export type ForwarderConfig = ConfigOf<typeof forwarderSchema>;

/** Parses `Name=value` header pairs; undefined when one is malformed. */
export function parseHeaderPairs(items: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) return undefined;
    const name = item.slice(0, eq).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return undefined; // RFC 9110 token
    out[name] = item.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Loads the forwarder config from the environment and, if `OBSTACK_CONFIG_FILE` names one, a
 * YAML file (precedence: default < file < env), then checks the combinations single settings
 * cannot express. Throws `ConfigError` naming each invalid setting.
 *
 * @example
 * ```ts
 * const cfg = loadForwarderConfig(); // cfg.listen.port === 9465
 * ```
 */
export function loadForwarderConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): ForwarderConfig {
  const cfg = loadServiceConfig(forwarderSchema, env);
  validateForwarderConfig(cfg);
  return cfg;
}

/** Cross-setting checks; throws `ConfigError` listing every problem. */
export function validateForwarderConfig(cfg: ForwarderConfig): void {
  const issues: ConstructorParameters<typeof ConfigError>[0] = [];
  const bad = (s: { env: string; key: string }, value: string, expected: string) =>
    issues.push({ env: s.env, key: s.key, source: "env", value, expected });
  const S = forwarderSchema;
  for (const name of cfg.sinks) {
    if (!(SINK_NAMES as readonly string[]).includes(name)) {
      bad(S.sinks, cfg.sinks.join(","), `a list of ${SINK_NAMES.join(", ")}`);
      break;
    }
  }
  const headerSettings = [
    [S.prometheusHeaders, cfg.prometheusHeaders],
    [S.tracesHeaders, cfg.tracesHeaders],
    [S.lokiHeaders, cfg.lokiHeaders],
  ] as const;
  for (const [s, items] of headerSettings) {
    if (parseHeaderPairs(items) === undefined) {
      bad(s, items.join(","), "comma-separated Name=value pairs with valid header names");
    }
  }
  if (cfg.prometheusBearerToken !== "" && cfg.prometheusUsername !== "") {
    bad(S.prometheusBearerToken, "<set>", "either a bearer token or basic auth, not both");
  }
  if (
    cfg.prometheusTenantHeader !== "" &&
    parseHeaderPairs([`${cfg.prometheusTenantHeader}=x`]) === undefined
  ) {
    bad(S.prometheusTenantHeader, cfg.prometheusTenantHeader, "a header name");
  }
  // Jaeger keeps tenants apart only on its gRPC remote_storage path (INFRA.md): spans sent
  // over OTLP/HTTP would be stored under no tenant, so that combination is refused.
  if (cfg.tracesBackend === "jaeger" && cfg.tracesProtocol !== "grpc") {
    bad(S.tracesProtocol, cfg.tracesProtocol, "grpc when OBSTACK_TRACES_BACKEND=jaeger");
  }
  if (
    cfg.tracesProtocol === "grpc" &&
    !/^[^\s/:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(cfg.tracesEndpoint)
  ) {
    bad(S.tracesEndpoint, cfg.tracesEndpoint, "host:port for the gRPC transport");
  }
  if (cfg.tracesProtocol === "http" && !/^https?:\/\/./.test(cfg.tracesEndpoint)) {
    bad(S.tracesEndpoint, cfg.tracesEndpoint, "an http(s) URL for the http transport");
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(cfg.opensearchIndexPrefix)) {
    bad(S.opensearchIndexPrefix, cfg.opensearchIndexPrefix, "lower-case letters, digits and '-'");
  }
  if (cfg.retryMaxMs < cfg.retryInitialMs) {
    bad(
      S.retryMaxMs,
      String(cfg.retryMaxMs),
      `at least OBSTACK_FORWARDER_RETRY_INITIAL (${cfg.retryInitialMs} ms)`,
    );
  }
  if (issues.length) throw new ConfigError(issues);
}
