/**
 * The console's tenant-scoped query API. Every handler receives the tenant from the session
 * (the caller of {@linkcode createQueryApi} resolved it); nothing in the request — no parameter,
 * no header such as `X-Scope-OrgID`, no index name — can choose another tenant.
 * @module
 */
import { badRequest, methodNotAllowed, ObstackError } from "../lib/errors.ts";
import type { Logger } from "../lib/log/mod.ts";
import { json } from "./http/respond.ts";
import type { LogReader } from "./logs/log_reader.ts";
import type { PrometheusReader } from "./metrics/prometheus_reader.ts";
import { intParam, stringParam, timeParam, windowParams } from "./params.ts";
import type { FieldFilter, SearchQuery, SearchResult } from "./search/opensearch_search.ts";
import type { TenantScope, TraceReader, TraceView } from "./traces/trace_reader.ts";
import { TENANT_LABEL } from "./promql/mod.ts";

/** The stores the API reads. */
export interface QueryApiDeps {
  /** Metrics. */
  prometheus: PrometheusReader;
  /** Traces (Tempo or Jaeger). */
  traces: TraceReader;
  /** Logs (Loki or VictoriaLogs). */
  logs: LogReader;
  /** Advanced search (OpenSearch). */
  search: { search(t: TenantScope, q: SearchQuery): Promise<SearchResult> };
  /** Logger for dropped foreign data (should never happen). */
  logger?: Logger;
  /** Clock (ms). */
  now?: () => number;
}

/** A tenant-scoped API handler: `(request, tenant) → response`. */
export type QueryApi = (req: Request, tenant: TenantScope) => Promise<Response>;

const HOUR = 3600_000;

/**
 * Drops spans whose resource names another tenant. Every span that passed through ingest
 * carries `tenant_id` on its resource; the store's own tenancy is the real boundary, this is
 * the belt to its braces.
 */
export function scrubTrace(
  trace: TraceView,
  tenantId: string,
): { trace: TraceView; dropped: number } {
  const spans = trace.spans.filter((s) => {
    const owner = s.resource[TENANT_LABEL];
    return owner === undefined || owner === tenantId;
  });
  return { trace: { ...trace, spans }, dropped: trace.spans.length - spans.length };
}

/** Parses `filter=field:value` parameters of the search endpoint. */
function searchFilters(url: URL): FieldFilter[] {
  return url.searchParams.getAll("filter").filter((f) => f.trim() !== "").map((f) => {
    const i = f.indexOf(":");
    if (i <= 0) throw badRequest("a filter is written field:value");
    return { field: f.slice(0, i).trim(), value: f.slice(i + 1).trim() };
  });
}

/**
 * Creates the API handler for `/api/...` paths (the session check happens before it).
 *
 * @example
 * ```ts
 * const api = createQueryApi({ prometheus, traces, logs, search });
 * const resp = await api(new Request("http://c/api/metrics/names"), { id: "acme", numericId: 7 });
 * ```
 */
export function createQueryApi(deps: QueryApiDeps): QueryApi {
  const now = deps.now ?? Date.now;
  const log = deps.logger;

  return async (req, tenant) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (req.method !== "GET" && req.method !== "HEAD") throw methodNotAllowed(["GET"]);

    if (path === "/api/metrics/query_range") {
      const query = stringParam(url, "query", 16_384);
      if (!query) throw badRequest("query is required");
      const { startMs, endMs } = windowParams(url, now(), HOUR);
      const step = url.searchParams.get("step");
      const stepSeconds = step ? Number(step) : undefined;
      if (stepSeconds !== undefined && !(stepSeconds > 0)) throw badRequest("step must be > 0");
      return json(
        await deps.prometheus.queryRange(tenant, {
          query,
          startMs,
          endMs,
          ...(stepSeconds ? { stepSeconds } : {}),
        }),
      );
    }
    if (path === "/api/metrics/query") {
      const query = stringParam(url, "query", 16_384);
      if (!query) throw badRequest("query is required");
      const time = timeParam(url, "time", now());
      return json(await deps.prometheus.query(tenant, query, time));
    }
    if (path === "/api/metrics/names") {
      const { startMs, endMs } = windowParams(url, now(), 24 * HOUR);
      const prefix = stringParam(url, "prefix", 256);
      return json({ names: await deps.prometheus.metricNames(tenant, startMs, endMs, prefix) });
    }

    if (path === "/api/traces/services") {
      const { startMs, endMs } = windowParams(url, now(), 24 * HOUR);
      return json({ services: await deps.traces.services(tenant, startMs, endMs) });
    }
    if (path === "/api/traces") {
      const { startMs, endMs } = windowParams(url, now(), HOUR);
      const service = stringParam(url, "service", 256);
      const minDurationMs = intParam(url, "minDurationMs", 0, 0, 86_400_000);
      const traces = await deps.traces.search(tenant, {
        startMs,
        endMs,
        limit: intParam(url, "limit", 20, 1, 200),
        ...(service ? { service } : {}),
        ...(minDurationMs > 0 ? { minDurationMs } : {}),
        errorsOnly: url.searchParams.get("errorsOnly") === "true",
      });
      return json({ traces, backend: deps.traces.backend });
    }
    const traceMatch = /^\/api\/traces\/([^/]+)$/.exec(path);
    if (traceMatch) {
      const found = await deps.traces.get(tenant, decodeURIComponent(traceMatch[1]!));
      if (!found) {
        throw new ObstackError({ code: "not_found", message: "no such trace", status: 404 });
      }
      const { trace, dropped } = scrubTrace(found, tenant.id);
      if (dropped > 0) {
        log?.error("trace store returned spans of another tenant; dropped", {
          tenant: tenant.id,
          traceId: trace.traceId,
          dropped,
        });
      }
      if (trace.spans.length === 0) {
        throw new ObstackError({ code: "not_found", message: "no such trace", status: 404 });
      }
      return json({ trace });
    }

    if (path === "/api/logs") {
      const { startMs, endMs } = windowParams(url, now(), HOUR);
      const expert = stringParam(url, "expert", 8192);
      const text = stringParam(url, "text", 1024);
      const level = stringParam(url, "level", 64);
      const service = stringParam(url, "service", 256);
      const entries = await deps.logs.query(tenant, {
        startMs,
        endMs,
        limit: intParam(url, "limit", 200, 1, 2000),
        ...(expert ? { expert } : {}),
        ...(text ? { text } : {}),
        ...(level ? { level } : {}),
        ...(service ? { service } : {}),
      });
      return json({ entries, backend: deps.logs.backend, language: deps.logs.language });
    }
    const labelMatch = /^\/api\/logs\/labels\/(service_name|level)$/.exec(path);
    if (labelMatch) {
      const { startMs, endMs } = windowParams(url, now(), 24 * HOUR);
      const label = labelMatch[1] as "service_name" | "level";
      return json({ values: await deps.logs.labelValues(tenant, label, startMs, endMs) });
    }

    if (path === "/api/search") {
      const { startMs, endMs } = windowParams(url, now(), 24 * HOUR);
      return json(
        await deps.search.search(tenant, {
          q: stringParam(url, "q", 4096) ?? "",
          filters: searchFilters(url),
          startMs,
          endMs,
          from: intParam(url, "from", 0, 0, 10_000),
          size: intParam(url, "size", 20, 1, 100),
        }),
      );
    }

    throw new ObstackError({ code: "not_found", message: "no such API endpoint", status: 404 });
  };
}
