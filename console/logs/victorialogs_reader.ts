/**
 * Log reader for VictoriaLogs' LogsQL API (`/select/logsql/query`,
 * `/select/logsql/stream_field_values`), the log store used on these machines. The tenant is
 * VictoriaLogs' numeric `AccountID` (ProjectID 0) — a header no LogsQL text can change — and every
 * request also carries `extra_stream_filters={"tenant_id":"<tenant>"}`, which VictoriaLogs applies
 * to the query and to every subquery inside it (`join`, `union`, `in(...)`), as a second fence.
 * @module
 */
import { createUpstream } from "../backends/upstream.ts";
import {
  checkExpert,
  type LogEntry,
  type LogQuery,
  type LogReader,
  newestFirst,
  rfc3339ToNs,
  type TenantScope,
} from "./log_reader.ts";

/** Options of {@linkcode createVictoriaLogsReader}. */
export interface VictoriaLogsReaderOptions {
  /** VictoriaLogs base URL, e.g. `http://127.0.0.1:9428`. */
  url: string;
  /** Time limit of one request in ms. */
  timeoutMs?: number;
  /** Injectable fetch (tests). */
  fetch?: typeof fetch;
}

/** A LogsQL quoted string (Go-style escapes; JSON escaping is a subset of them). */
function logsqlString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Translates the simple filter into LogsQL: a stream filter on `service_name`/`level` and a
 * phrase filter on the message.
 *
 * @example
 * ```ts
 * victoriaLogsSimpleQuery({ text: "timeout", service: "checkout" });
 * // '{service_name="checkout"} "timeout"'
 * ```
 */
export function victoriaLogsSimpleQuery(q: Pick<LogQuery, "text" | "level" | "service">): string {
  const matchers: string[] = [];
  if (q.service) matchers.push(`service_name=${logsqlString(q.service)}`);
  if (q.level) matchers.push(`level=${logsqlString(q.level)}`);
  const parts: string[] = [];
  if (matchers.length) parts.push(`{${matchers.join(",")}}`);
  if (q.text) parts.push(logsqlString(q.text));
  return parts.length ? parts.join(" ") : "*";
}

/**
 * Creates the VictoriaLogs reader.
 *
 * @example
 * ```ts
 * const logs = createVictoriaLogsReader({ url: "http://127.0.0.1:9428" });
 * await logs.query({ id: "tenant-a", numericId: 1 }, { startMs, endMs, limit: 100 });
 * ```
 */
export function createVictoriaLogsReader(opts: VictoriaLogsReaderOptions): LogReader {
  const up = createUpstream({
    name: "VictoriaLogs",
    baseUrl: opts.url,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const headers = (t: TenantScope) => {
    if (!Number.isSafeInteger(t.numericId) || t.numericId < 0 || t.numericId > 0xffffffff) {
      throw new TypeError(`tenant ${t.id} has no valid numeric id`);
    }
    return { AccountID: String(t.numericId), ProjectID: "0" };
  };
  const fence = (t: TenantScope) => JSON.stringify({ tenant_id: t.id });
  const iso = (ms: number) => new Date(ms).toISOString();

  return {
    backend: "victorialogs",
    language: "LogsQL",
    async query(t, q) {
      const query = q.expert ? checkExpert(q.expert) : victoriaLogsSimpleQuery(q);
      const r = await up.request({
        path: "/select/logsql/query",
        headers: headers(t),
        params: {
          query,
          start: iso(q.startMs),
          end: iso(q.endMs),
          limit: String(q.limit),
          extra_stream_filters: fence(t),
        },
      });
      const out: LogEntry[] = [];
      for (const raw of r.text.split("\n")) {
        if (!raw.trim()) continue;
        let row: Record<string, unknown>;
        try {
          row = JSON.parse(raw);
        } catch {
          continue;
        }
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(row)) fields[k] = typeof v === "string" ? v : String(v);
        const time = fields._time ?? "";
        const timeNs = rfc3339ToNs(time);
        const line = fields._msg ?? JSON.stringify(row);
        const level = fields.level ?? "";
        const service = fields.service_name ?? "";
        for (const k of ["_time", "_msg", "level", "service_name", "_stream_id"]) delete fields[k];
        out.push({
          timeNs,
          timeMs: Number(BigInt(timeNs) / 1_000_000n),
          line,
          level,
          service,
          fields,
        });
      }
      return newestFirst(out, q.limit);
    },
    async labelValues(t, label, startMs, endMs) {
      const { body } = await up.json<{ values?: { value?: unknown }[] }>({
        path: "/select/logsql/stream_field_values",
        headers: headers(t),
        params: {
          query: "*",
          field: label,
          start: iso(startMs),
          end: iso(endMs),
          extra_stream_filters: fence(t),
        },
      });
      return (body?.values ?? [])
        .map((v) => v.value)
        .filter((v): v is string => typeof v === "string" && v !== "")
        .sort();
    },
  };
}
