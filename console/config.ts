/**
 * The console's configuration schema. `describeSettings(consoleSchema)` generates the operations
 * documentation from it. Defaults point at the stores of a native `deno task up` on this kind of
 * machine (Jaeger for traces, VictoriaLogs for logs); Tempo and Loki are one setting away.
 * @module
 */
import {
  type ConfigOf,
  defineSetting,
  loadServiceConfig,
  logLevelSetting,
} from "../lib/config/mod.ts";

/** Every console setting. Property names are the keys of {@linkcode ConsoleConfig}. */
export const consoleSchema = {
  listen: defineSetting({
    env: "OBSTACK_CONSOLE_LISTEN",
    key: "console.listen",
    type: "listen",
    default: "0.0.0.0:8080",
    description: "Address of the console web UI and its query API.",
  }),
  tenantsFile: defineSetting({
    env: "OBSTACK_TENANTS_FILE",
    key: "tenants_file",
    type: "string",
    default: "tenants.yaml",
    description: "Tenants YAML file (token hashes, console users); reloaded on change.",
  }),
  prometheusUrl: defineSetting({
    env: "OBSTACK_CONSOLE_PROMETHEUS_URL",
    key: "console.prometheus_url",
    type: "url",
    default: "http://127.0.0.1:19090",
    description: "Prometheus (or compatible) HTTP API base URL the Metrics view queries.",
  }),
  tracesBackend: defineSetting({
    env: "OBSTACK_CONSOLE_TRACES_BACKEND",
    key: "console.traces_backend",
    type: "enum",
    values: ["tempo", "jaeger"],
    default: "jaeger",
    description: "Trace store read API: Grafana Tempo's HTTP API or Jaeger's query API.",
  }),
  tracesUrl: defineSetting({
    env: "OBSTACK_CONSOLE_TRACES_URL",
    key: "console.traces_url",
    type: "url",
    default: "http://127.0.0.1:16686",
    description: "Base URL of the trace store's query API (Tempo :3200, Jaeger query :16686).",
  }),
  logsBackend: defineSetting({
    env: "OBSTACK_CONSOLE_LOGS_BACKEND",
    key: "console.logs_backend",
    type: "enum",
    values: ["loki", "victorialogs"],
    default: "victorialogs",
    description: "Log store read API: Loki's query_range (LogQL) or VictoriaLogs' LogsQL.",
  }),
  logsUrl: defineSetting({
    env: "OBSTACK_CONSOLE_LOGS_URL",
    key: "console.logs_url",
    type: "url",
    default: "http://127.0.0.1:19428",
    description: "Base URL of the log store (Loki :3100, VictoriaLogs :9428).",
  }),
  opensearchUrl: defineSetting({
    env: "OBSTACK_CONSOLE_OPENSEARCH_URL",
    key: "console.opensearch_url",
    type: "url",
    default: "http://127.0.0.1:19200",
    description: "OpenSearch base URL for the Search view (only logs-<tenant>-* is queried).",
  }),
  sessionTtlMs: defineSetting({
    env: "OBSTACK_CONSOLE_SESSION_TTL",
    key: "console.session_ttl",
    type: "duration",
    default: "8h",
    min: 60_000,
    description: "How long a console session lasts after login (no sliding renewal).",
  }),
  secureCookie: defineSetting({
    env: "OBSTACK_CONSOLE_SECURE_COOKIE",
    key: "console.secure_cookie",
    type: "bool",
    default: false,
    description:
      "Mark the session cookie Secure (HTTPS only). Set to true whenever the console is served over TLS.",
  }),
  loginAttemptsPerMinute: defineSetting({
    env: "OBSTACK_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE",
    key: "console.login_attempts_per_minute",
    type: "int",
    default: 10,
    min: 1,
    description: "Login attempts allowed per client address per minute; more get 429.",
  }),
  trustedProxyHops: defineSetting({
    env: "OBSTACK_CONSOLE_TRUSTED_PROXY_HOPS",
    key: "console.trusted_proxy_hops",
    type: "int",
    default: 0,
    min: 0,
    max: 10,
    description:
      "Reverse proxies in front of the console that append X-Forwarded-For (1 behind Kong); the login limit then keys on the address the first of them saw. 0 ignores the header.",
  }),
  allowedOrigins: defineSetting({
    env: "OBSTACK_CONSOLE_ALLOWED_ORIGINS",
    key: "console.allowed_origins",
    type: "list",
    default: "",
    description:
      "Origins accepted on POST besides the console's own (e.g. https://console.example.com when behind a proxy).",
  }),
  queryTimeoutMs: defineSetting({
    env: "OBSTACK_CONSOLE_QUERY_TIMEOUT",
    key: "console.query_timeout",
    type: "duration",
    default: "30s",
    min: 100,
    description: "Time limit of one request to a store.",
  }),
  logLevel: logLevelSetting,
};

/** The console configuration. Durations (`…Ms`) are milliseconds. */
export type ConsoleConfig = ConfigOf<typeof consoleSchema>;

/**
 * Loads the console config from the environment, and from the YAML file named by
 * `OBSTACK_CONFIG_FILE` if set (precedence: default < file < env). Throws `ConfigError` naming
 * each invalid setting.
 *
 * @example
 * ```ts
 * const cfg = loadConsoleConfig(); // cfg.listen.port === 8080, cfg.tracesBackend === "jaeger"
 * ```
 */
export function loadConsoleConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): ConsoleConfig {
  return loadServiceConfig(consoleSchema, env);
}
