/**
 * Metrics reading for the console: every PromQL expression goes through the tenant rewriter
 * before Prometheus sees it, metric-name autocomplete is restricted with
 * `match[]={tenant_id="<tenant>"}`, and results are checked once more on the way out.
 * @module
 */
import { badRequest } from "../../lib/errors.ts";
import { createUpstream } from "../backends/upstream.ts";
import { rewritePromQL, TENANT_LABEL } from "../promql/mod.ts";
import type { TenantScope } from "../traces/trace_reader.ts";

/** Options of {@linkcode createPrometheusReader}. */
export interface PrometheusReaderOptions {
  /** Prometheus base URL, e.g. `http://127.0.0.1:9090`. */
  url: string;
  /**
   * Also have Prometheus itself parse every scoped query (`/api/v1/parse_query`) and check its
   * syntax tree before running it, so no difference between the console's parser and
   * Prometheus' can unscope a selector. Default true; stores without that endpoint (404) are
   * remembered and then only the console's parser is used.
   */
  verifyWithServer?: boolean;
  /** Time limit of one request in ms. */
  timeoutMs?: number;
  /** Injectable fetch (tests). */
  fetch?: typeof fetch;
}

/** One series of a query result. */
export interface SeriesResult {
  /** Label set. */
  metric: Record<string, string>;
  /** `[unix seconds, "value"]` points (range queries). */
  values?: [number, string][];
  /** A single point (instant queries). */
  value?: [number, string];
}

/** The data of a query answer. */
export interface QueryData {
  /** `matrix`, `vector`, `scalar` or `string`. */
  resultType: string;
  /** Series (or a scalar/string point). */
  result: SeriesResult[] | [number, string];
  /** The query actually sent to Prometheus (scoped to the tenant). */
  scopedQuery: string;
  /** Step used, in seconds (range queries). */
  stepSeconds?: number;
  /** Prometheus warnings. */
  warnings?: string[];
}

/** Parameters of a range query. */
export interface RangeQuery {
  /** PromQL as typed by the user. */
  query: string;
  /** Start, ms since epoch. */
  startMs: number;
  /** End, ms since epoch. */
  endMs: number;
  /** Step in seconds; chosen for ~300 points when absent. */
  stepSeconds?: number;
}

/** The reader. */
export interface PrometheusReader {
  /** Range query, scoped to the tenant. */
  queryRange(tenant: TenantScope, q: RangeQuery): Promise<QueryData>;
  /** Instant query, scoped to the tenant. */
  query(tenant: TenantScope, query: string, timeMs: number): Promise<QueryData>;
  /** Metric names of the tenant's series in the window, optionally by prefix. */
  metricNames(
    tenant: TenantScope,
    startMs: number,
    endMs: number,
    prefix?: string,
  ): Promise<string[]>;
}

/** Longest range a query may cover. */
export const MAX_RANGE_MS = 32 * 24 * 3600_000;
/** Prometheus refuses more than 11,000 points per series. */
const MAX_POINTS = 11_000;

/** The step for a range: ~300 points, at least 1 s, never over Prometheus' point limit. */
export function chooseStep(startMs: number, endMs: number, requested?: number): number {
  const rangeS = Math.max(1, (endMs - startMs) / 1000);
  const floor = Math.ceil(rangeS / MAX_POINTS);
  const want = requested ?? Math.ceil(rangeS / 300);
  return Math.max(1, floor, Math.ceil(want));
}

function scope(t: TenantScope, query: string): string {
  const r = rewritePromQL(query, { tenantId: t.id });
  if (!r.ok) throw badRequest(`query refused: ${r.reason}`);
  return r.query;
}

/** Drops any series labelled with another tenant (defence in depth; should never happen). */
function onlyTenant(t: TenantScope, data: { resultType: string; result: unknown }): unknown {
  if (data.resultType !== "matrix" && data.resultType !== "vector") return data.result;
  return (data.result as SeriesResult[]).filter((s) => {
    const owner = s.metric?.[TENANT_LABEL];
    return owner === undefined || owner === t.id;
  });
}

/**
 * Checks Prometheus' own syntax tree of a scoped query: every vector and matrix selector carries
 * `tenant_id="<tenant>"` exactly once and no other matcher on `tenant_id`; `info()` is absent.
 * Returns the problem, or null when the tree is safe.
 */
export function checkScopedAst(ast: unknown, tenantId: string): string | null {
  const stack: unknown[] = [ast];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (!node || typeof node !== "object") continue;
    const o = node as Record<string, unknown>;
    if (o.type === "vectorSelector" || o.type === "matrixSelector") {
      const ms = Array.isArray(o.matchers) ? o.matchers as Record<string, unknown>[] : [];
      const own = ms.filter((m) => m.name === TENANT_LABEL);
      if (own.length !== 1 || own[0]!.type !== "=" || own[0]!.value !== tenantId) {
        return "a selector is not scoped to your tenant";
      }
    }
    if (o.type === "call" && (o.func as { name?: unknown } | undefined)?.name === "info") {
      return "info() is not allowed";
    }
    for (const v of Object.values(o)) if (v && typeof v === "object") stack.push(v);
  }
  return null;
}

function validWindow(startMs: number, endMs: number): void {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs <= startMs) {
    throw badRequest("the time range must have start before end");
  }
  if (endMs - startMs > MAX_RANGE_MS) throw badRequest("the time range may span at most 32 days");
}

/**
 * Creates the Prometheus reader.
 *
 * @example
 * ```ts
 * const prom = createPrometheusReader({ url: "http://127.0.0.1:9090" });
 * await prom.queryRange(tenant, { query: "rate(http_requests_total[5m])", startMs, endMs });
 * ```
 */
export function createPrometheusReader(opts: PrometheusReaderOptions): PrometheusReader {
  const up = createUpstream({
    name: "Prometheus",
    baseUrl: opts.url,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  type Api = {
    status: string;
    data?: { resultType: string; result: unknown };
    warnings?: string[];
    error?: string;
  };
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  let serverCheck = opts.verifyWithServer ?? true;

  /** Rewrites, then (when available) lets Prometheus parse the result and checks its tree. */
  const scopeVerified = async (t: TenantScope, query: string): Promise<string> => {
    const scoped = scope(t, query);
    if (!serverCheck) return scoped;
    const r = await up.request({
      method: "POST",
      path: "/api/v1/parse_query",
      params: { query: scoped },
      passStatus: [404, 405],
    });
    if (r.status === 404 || r.status === 405) {
      serverCheck = false; // this store has no parse endpoint (e.g. older Prometheus)
      return scoped;
    }
    const problem = checkScopedAst(JSON.parse(r.text)?.data, t.id);
    if (problem) throw badRequest(`query refused: ${problem}`);
    return scoped;
  };

  return {
    async queryRange(t, q) {
      validWindow(q.startMs, q.endMs);
      const scoped = await scopeVerified(t, q.query);
      const step = chooseStep(q.startMs, q.endMs, q.stepSeconds);
      const { body } = await up.json<Api>({
        path: "/api/v1/query_range",
        params: { query: scoped, start: secs(q.startMs), end: secs(q.endMs), step: String(step) },
      });
      const data = body?.data ?? { resultType: "matrix", result: [] };
      return {
        resultType: data.resultType,
        result: onlyTenant(t, data) as QueryData["result"],
        scopedQuery: scoped,
        stepSeconds: step,
        ...(body?.warnings?.length ? { warnings: body.warnings } : {}),
      };
    },
    async query(t, query, timeMs) {
      const scoped = await scopeVerified(t, query);
      const { body } = await up.json<Api>({
        path: "/api/v1/query",
        params: { query: scoped, time: secs(timeMs) },
      });
      const data = body?.data ?? { resultType: "vector", result: [] };
      return {
        resultType: data.resultType,
        result: onlyTenant(t, data) as QueryData["result"],
        scopedQuery: scoped,
        ...(body?.warnings?.length ? { warnings: body.warnings } : {}),
      };
    },
    async metricNames(t, startMs, endMs, prefix) {
      validWindow(startMs, endMs);
      // The selector is built from the session tenant only; the prefix filters afterwards.
      const { body } = await up.json<{ data?: unknown[] }>({
        path: "/api/v1/label/__name__/values",
        params: {
          "match[]": `{${TENANT_LABEL}=${JSON.stringify(t.id)}}`,
          start: secs(startMs),
          end: secs(endMs),
        },
      });
      const names = (body?.data ?? []).filter((n): n is string => typeof n === "string");
      const p = prefix ?? "";
      return names.filter((n) => n.startsWith(p)).sort().slice(0, 500);
    },
  };
}
