/**
 * `deno task console`: the tenant console (web UI + tenant-scoped query API).
 *
 * Reads its settings from the environment (see `config.ts`), loads the tenants file, picks the
 * trace and log backends, and serves on OBSTACK_CONSOLE_LISTEN (default 0.0.0.0:8080).
 * `--version` prints the version.
 * @module
 */
import { ConfigError } from "../lib/config/mod.ts";
import { createLogger, type LogLevel } from "../lib/log/mod.ts";
import { createTenantRegistry } from "../lib/tenant/mod.ts";
import { createAuthenticator } from "./auth.ts";
import { loadConsoleConfig } from "./config.ts";
import { createLokiReader, createVictoriaLogsReader } from "./logs/mod.ts";
import { createPrometheusReader } from "./metrics/mod.ts";
import { createOpenSearchSearch } from "./search/mod.ts";
import { createConsole } from "./server.ts";
import { createLoginLimiter, createSessionStore } from "./session/mod.ts";
import { createJaegerReader, createTempoReader } from "./traces/mod.ts";
import { loadUiAssets } from "./ui/assets.ts";
import { printVersionIfAsked } from "../lib/version.ts";

if (printVersionIfAsked("obstack-console", Deno.args)) Deno.exit(0);

let cfg;
try {
  cfg = loadConsoleConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`console: ${err.message}`);
    Deno.exit(2);
  }
  throw err;
}

const logger = createLogger("console", { level: cfg.logLevel as LogLevel });
const registry = await createTenantRegistry({ path: cfg.tenantsFile, logger });
const timeoutMs = cfg.queryTimeoutMs;
const traces = cfg.tracesBackend === "tempo"
  ? createTempoReader({ url: cfg.tracesUrl, timeoutMs })
  : createJaegerReader({ url: cfg.tracesUrl, timeoutMs });
const logs = cfg.logsBackend === "loki"
  ? createLokiReader({ url: cfg.logsUrl, timeoutMs })
  : createVictoriaLogsReader({ url: cfg.logsUrl, timeoutMs });

const app = createConsole({
  registry,
  auth: createAuthenticator({ registry, tenantsFile: cfg.tenantsFile }),
  sessions: createSessionStore({ ttlMs: cfg.sessionTtlMs }),
  loginLimiter: createLoginLimiter({ attemptsPerMinute: cfg.loginAttemptsPerMinute }),
  ui: await loadUiAssets(),
  secureCookie: cfg.secureCookie,
  allowedOrigins: cfg.allowedOrigins,
  trustedProxyHops: cfg.trustedProxyHops,
  prometheus: createPrometheusReader({ url: cfg.prometheusUrl, timeoutMs }),
  traces,
  logs,
  search: createOpenSearchSearch({ url: cfg.opensearchUrl, timeoutMs }),
  logger,
});

const ac = new AbortController();
const server = Deno.serve({
  hostname: cfg.listen.hostname,
  port: cfg.listen.port,
  signal: ac.signal,
  onListen: ({ hostname, port }) =>
    logger.info("console listening", {
      address: `${hostname}:${port}`,
      traces: cfg.tracesBackend,
      logs: cfg.logsBackend,
    }),
}, (req, info) => app.handle(req, info));

const stop = () => {
  logger.info("console stopping");
  registry.close();
  ac.abort();
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
await server.finished;
