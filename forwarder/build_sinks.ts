/**
 * Builds the configured sinks, wiring their reports (dropped points, truncated lines, rejected
 * spans) into metrics and the log — each kind of loss logged once per tenant and name, counted
 * always.
 *
 * @module
 */
import type { Logger } from "../lib/log/mod.ts";
import { type ForwarderConfig, parseHeaderPairs } from "./config.ts";
import type { ForwarderMetrics } from "./metrics.ts";
import { createLokiSink } from "./sinks/loki.ts";
import { createOpenSearchSink } from "./sinks/opensearch.ts";
import { createPrometheusSink } from "./sinks/prometheus.ts";
import type { Sink } from "./sinks/sink.ts";
import { createTracesSink } from "./sinks/traces.ts";

/** What {@linkcode buildSinks} needs besides the config. */
export interface BuildSinksDeps {
  metrics: ForwarderMetrics;
  log: Logger;
  /** The tenant's numeric id (VictoriaLogs `AccountID`). */
  accountIdOf: (tenant: string) => number | undefined;
}

/** Remembers what was logged already, bounded so a flood of names cannot grow it for ever. */
function onceLogger(log: Logger, max = 10_000) {
  const seen = new Set<string>();
  return (key: string, msg: string, fields: Record<string, unknown>) => {
    if (seen.has(key)) return;
    if (seen.size >= max) seen.clear();
    seen.add(key);
    log.warn(msg, fields);
  };
}

/**
 * Creates the sinks named in `cfg.sinks`.
 *
 * @example
 * ```ts
 * const sinks = buildSinks(cfg, { metrics, log, accountIdOf: (t) => tenants.get(t)?.numericId });
 * ```
 */
export function buildSinks(cfg: ForwarderConfig, deps: BuildSinksDeps): Sink[] {
  const { metrics, log } = deps;
  const once = onceLogger(log);
  const sinks: Sink[] = [];
  const enabled = new Set(cfg.sinks);
  if (enabled.has("prometheus")) {
    sinks.push(createPrometheusSink({
      url: cfg.prometheusUrl,
      version: cfg.prometheusRwVersion,
      headers: parseHeaderPairs(cfg.prometheusHeaders) ?? {},
      ...(cfg.prometheusUsername
        ? { basicAuth: { username: cfg.prometheusUsername, password: cfg.prometheusPassword } }
        : {}),
      ...(cfg.prometheusBearerToken ? { bearerToken: cfg.prometheusBearerToken } : {}),
      tenantHeader: cfg.prometheusTenantHeader,
      timeoutMs: cfg.sinkTimeoutMs,
      scopeLabels: cfg.prometheusScopeLabels,
      targetInfo: cfg.prometheusTargetInfo,
      promoteResourceAttributes: cfg.prometheusPromoteResourceAttributes,
      onDropped: (tenant, dropped) => {
        for (const d of dropped) {
          metrics.metricPointsDropped.inc({ tenant, reason: d.reason }, d.points);
          once(
            `${tenant}\u0000${d.metric}\u0000${d.reason}`,
            "OTLP metric points cannot be represented in Prometheus; dropped",
            {
              tenant,
              metric: d.metric,
              reason: d.reason,
              points: d.points,
            },
          );
        }
      },
    }));
  }
  if (enabled.has("traces")) {
    sinks.push(createTracesSink({
      backend: cfg.tracesBackend,
      protocol: cfg.tracesProtocol,
      endpoint: cfg.tracesEndpoint,
      tls: cfg.tracesTls,
      timeoutMs: cfg.sinkTimeoutMs,
      headers: parseHeaderPairs(cfg.tracesHeaders) ?? {},
      onRejectedSpans: (tenant, count, message) => {
        metrics.spansRejected.inc({ tenant }, count);
        once(
          `spans\u0000${tenant}\u0000${message}`,
          "trace store refused spans (partial success)",
          {
            tenant,
            count,
            message,
          },
        );
      },
    }));
  }
  if (enabled.has("logs")) {
    sinks.push(createLokiSink({
      backend: cfg.logsBackend,
      url: cfg.lokiUrl,
      maxLineBytes: cfg.lokiMaxLineBytes,
      timeoutMs: cfg.sinkTimeoutMs,
      headers: parseHeaderPairs(cfg.lokiHeaders) ?? {},
      accountIdOf: deps.accountIdOf,
      onTruncated: (tenant, lines) => {
        metrics.logLinesTruncated.inc({ tenant }, lines);
        once(`trunc\u0000${tenant}`, "log lines over the store's limit were truncated", {
          tenant,
          max_line_bytes: cfg.lokiMaxLineBytes,
        });
      },
    }));
  }
  if (enabled.has("opensearch")) {
    sinks.push(createOpenSearchSink({
      url: cfg.opensearchUrl,
      username: cfg.opensearchUsername,
      password: cfg.opensearchPassword,
      indexPrefix: cfg.opensearchIndexPrefix,
      replicas: cfg.opensearchReplicas,
      shards: cfg.opensearchShards,
      timeoutMs: cfg.sinkTimeoutMs,
    }));
  }
  return sinks;
}
