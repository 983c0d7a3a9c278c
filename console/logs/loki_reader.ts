/**
 * Log reader for Grafana Loki's HTTP API: `GET /loki/api/v1/query_range` (LogQL, newest first
 * with `direction=backward`) and `/loki/api/v1/label/<name>/values`, each with
 * `X-Scope-OrgID: <tenant>` — Loki's tenant boundary, which no LogQL text can change. (Loki's
 * multi-tenant queries use `A|B` in that header; tenant ids cannot contain `|`.)
 *
 * Loki cannot run on these machines (INFRA.md); the adapter is tested with recorded responses
 * written from Loki's API documentation.
 * @module
 */
import { badRequest } from "../../lib/errors.ts";
import { createUpstream } from "../backends/upstream.ts";
import {
  checkExpert,
  type LogEntry,
  type LogQuery,
  type LogReader,
  newestFirst,
  type TenantScope,
} from "./log_reader.ts";

/** Options of {@linkcode createLokiReader}. */
export interface LokiReaderOptions {
  /** Loki base URL, e.g. `http://loki:3100`. */
  url: string;
  /** Time limit of one request in ms. */
  timeoutMs?: number;
  /** Injectable fetch (tests). */
  fetch?: typeof fetch;
}

/** A LogQL string literal (Go-style double quotes; JSON escaping is a subset of it). */
function logqlString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Translates the simple filter into LogQL: a stream selector on the forwarder's stream labels
 * (always including `tenant_id`, so even the selector names the tenant) and a line filter.
 *
 * @example
 * ```ts
 * lokiSimpleQuery("acme", { text: "timeout", level: "error" });
 * // '{tenant_id="acme", level="error"} |= "timeout"'
 * ```
 */
export function lokiSimpleQuery(
  tenantId: string,
  q: Pick<LogQuery, "text" | "level" | "service">,
): string {
  const matchers = [`tenant_id=${logqlString(tenantId)}`];
  if (q.service) matchers.push(`service_name=${logqlString(q.service)}`);
  if (q.level) matchers.push(`level=${logqlString(q.level)}`);
  let out = `{${matchers.join(", ")}}`;
  if (q.text) out += ` |= ${logqlString(q.text)}`;
  return out;
}

interface LokiStreamsResponse {
  status?: string;
  data?: {
    resultType?: string;
    result?: { stream?: Record<string, string>; values?: unknown[][] }[];
  };
}

/**
 * Creates the Loki reader.
 *
 * @example
 * ```ts
 * const logs = createLokiReader({ url: "http://loki:3100" });
 * await logs.query({ id: "acme", numericId: 7 }, { startMs, endMs, limit: 100, text: "error" });
 * ```
 */
export function createLokiReader(opts: LokiReaderOptions): LogReader {
  const up = createUpstream({
    name: "Loki",
    baseUrl: opts.url,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const headers = (t: TenantScope) => ({ "X-Scope-OrgID": t.id });
  const ns = (ms: number) => (BigInt(Math.floor(ms)) * 1_000_000n).toString();

  return {
    backend: "loki",
    language: "LogQL",
    async query(t, q) {
      const query = q.expert ? checkExpert(q.expert) : lokiSimpleQuery(t.id, q);
      const { body } = await up.json<LokiStreamsResponse>({
        path: "/loki/api/v1/query_range",
        headers: headers(t),
        params: {
          query,
          start: ns(q.startMs),
          end: ns(q.endMs),
          limit: String(q.limit),
          direction: "backward",
        },
      });
      if (body?.data?.resultType && body.data.resultType !== "streams") {
        throw badRequest("only log queries are shown here; metric queries return numbers");
      }
      const out: LogEntry[] = [];
      for (const s of body?.data?.result ?? []) {
        const stream = s.stream ?? {};
        for (const v of s.values ?? []) {
          const [tsNs, line, meta] = v as [string, string, Record<string, string> | undefined];
          if (typeof tsNs !== "string" || !/^\d+$/.test(tsNs)) continue;
          const fields: Record<string, string> = { ...stream, ...(meta ?? {}) };
          const level = fields.level ?? fields.detected_level ?? "";
          const service = fields.service_name ?? "";
          delete fields.level;
          delete fields.service_name;
          out.push({
            timeNs: tsNs,
            timeMs: Number(BigInt(tsNs) / 1_000_000n),
            line: typeof line === "string" ? line : "",
            level,
            service,
            fields,
          });
        }
      }
      return newestFirst(out, q.limit);
    },
    async labelValues(t, label, startMs, endMs) {
      const { body } = await up.json<{ data?: unknown[] }>({
        path: `/loki/api/v1/label/${label}/values`,
        headers: headers(t),
        params: { start: ns(startMs), end: ns(endMs) },
      });
      return (body?.data ?? []).filter((v): v is string => typeof v === "string").sort();
    },
  };
}
