/**
 * Trace reader for Grafana Tempo's HTTP API (`/api/traces/<id>`, `/api/search`,
 * `/api/search/tag/service.name/values`), every request carrying `X-Scope-OrgID`.
 *
 * Tempo cannot run on these machines (see INFRA.md); this adapter is tested against responses
 * recorded by hand from Tempo's API documentation (`tempo_reader_test.ts`).
 * @module
 */
import { createUpstream, type Upstream } from "../backends/upstream.ts";
import { spansFromOtlpJson } from "./_otlp_json.ts";
import {
  normaliseTraceId,
  sortSpans,
  type TenantScope,
  type TraceReader,
  type TraceSearch,
  type TraceSummary,
} from "./trace_reader.ts";

/** Options of {@linkcode createTempoReader}. */
export interface TempoReaderOptions {
  /** Tempo query-frontend base URL, e.g. `http://tempo:3200`. */
  url: string;
  /** Time limit of one request in ms. */
  timeoutMs?: number;
  /** Injectable fetch (tests). */
  fetch?: typeof fetch;
}

interface TempoSearchResponse {
  traces?: {
    traceID?: string;
    rootServiceName?: string;
    rootTraceName?: string;
    startTimeUnixNano?: string;
    durationMs?: number;
    spanSet?: { matched?: number };
    spanSets?: { matched?: number }[];
  }[];
}

/** A TraceQL string literal (Go-style double-quoted; JSON escaping is a subset it accepts). */
function traceqlString(s: string): string {
  return JSON.stringify(s);
}

/** Builds the TraceQL spanset filter of a search. */
export function tempoSearchQuery(
  q: Pick<TraceSearch, "service" | "minDurationMs" | "errorsOnly">,
): string {
  const conds: string[] = [];
  if (q.service) conds.push(`resource.service.name = ${traceqlString(q.service)}`);
  if (q.errorsOnly) conds.push("status = error");
  if (q.minDurationMs !== undefined && q.minDurationMs > 0) {
    conds.push(`traceDuration >= ${Math.floor(q.minDurationMs)}ms`);
  }
  return conds.length ? `{ ${conds.join(" && ")} }` : "{}";
}

/**
 * Creates the Tempo reader.
 *
 * @example
 * ```ts
 * const traces = createTempoReader({ url: "http://tempo:3200" });
 * const t = await traces.get({ id: "acme", numericId: 7 }, "4bf92f3577b34da6a3ce929d0e0e4736");
 * ```
 */
export function createTempoReader(opts: TempoReaderOptions): TraceReader {
  const up: Upstream = createUpstream({
    name: "Tempo",
    baseUrl: opts.url,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const headers = (t: TenantScope) => ({ "X-Scope-OrgID": t.id, Accept: "application/json" });
  const seconds = (ms: number) => String(Math.floor(ms / 1000));

  const searchOnce = async (
    t: TenantScope,
    q: TraceSearch,
    errorsOnly: boolean,
  ): Promise<TempoSearchResponse> => {
    const { body } = await up.json<TempoSearchResponse>({
      path: "/api/search",
      headers: headers(t),
      params: {
        q: tempoSearchQuery({ ...q, errorsOnly }),
        start: seconds(q.startMs),
        end: seconds(Math.ceil(q.endMs / 1000) * 1000),
        limit: String(q.limit),
      },
    });
    return body ?? {};
  };

  return {
    backend: "tempo",
    async services(t, startMs, endMs) {
      const { body } = await up.json<{ tagValues?: unknown[] }>({
        path: "/api/search/tag/service.name/values",
        headers: headers(t),
        params: { start: seconds(startMs), end: seconds(endMs) },
      });
      return (body?.tagValues ?? []).filter((v): v is string => typeof v === "string").sort();
    },
    async search(t, q) {
      // Tempo's search result has no error flag: a second search for error spans marks them.
      const [all, errs] = await Promise.all([
        searchOnce(t, q, q.errorsOnly ?? false),
        q.errorsOnly ? Promise.resolve(null) : searchOnce(t, q, true),
      ]);
      const errIds = new Set(
        (errs?.traces ?? []).map((x) => x.traceID).filter((x): x is string => !!x).map(
          normaliseTraceId,
        ),
      );
      const out: TraceSummary[] = [];
      for (const tr of all.traces ?? []) {
        if (!tr.traceID) continue;
        const id = normaliseTraceId(tr.traceID);
        const startNs = tr.startTimeUnixNano && /^\d+$/.test(tr.startTimeUnixNano)
          ? BigInt(tr.startTimeUnixNano)
          : 0n;
        out.push({
          traceId: id,
          rootService: tr.rootServiceName ?? "",
          rootName: tr.rootTraceName ?? "",
          startMs: Number(startNs / 1_000_000n),
          // Tempo omits durationMs for traces under 1 ms.
          durationMs: tr.durationMs ?? 0,
          hasError: q.errorsOnly === true || errIds.has(id),
        });
      }
      return out.sort((a, b) => b.startMs - a.startMs).slice(0, q.limit);
    },
    async get(t, traceId) {
      const id = normaliseTraceId(traceId);
      const r = await up.request({
        path: `/api/traces/${id}`,
        headers: headers(t),
        passStatus: [404],
      });
      if (r.status === 404) return null;
      const spans = spansFromOtlpJson(JSON.parse(r.text));
      if (spans.length === 0) return null;
      return { traceId: id, spans: sortSpans(spans) };
    },
  };
}
