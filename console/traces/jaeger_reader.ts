/**
 * Trace reader for Jaeger's query API (`/api/services`, `/api/traces`, `/api/traces/<id>`), the
 * trace store used on these machines. Jaeger v2 with `multi_tenancy` reads the tenant from
 * `X-Scope-OrgID`; a request without it is refused by Jaeger, so the header is always sent.
 * @module
 */
import { createUpstream, type Upstream } from "../backends/upstream.ts";
import {
  normaliseTraceId,
  sortSpans,
  type SpanView,
  summarise,
  type TenantScope,
  type TraceReader,
  type TraceSummary,
  type TraceView,
} from "./trace_reader.ts";

/** Options of {@linkcode createJaegerReader}. */
export interface JaegerReaderOptions {
  /** Jaeger query base URL, e.g. `http://127.0.0.1:16686`. */
  url: string;
  /** Time limit of one request in ms. */
  timeoutMs?: number;
  /** Most services searched for an all-services trace list. Default 20. */
  maxServices?: number;
  /** Injectable fetch (tests). */
  fetch?: typeof fetch;
}

interface JaegerKV {
  key: string;
  type?: string;
  value: unknown;
}

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName?: string;
  references?: { refType?: string; traceID?: string; spanID?: string }[];
  startTime?: number;
  duration?: number;
  tags?: JaegerKV[];
  logs?: { timestamp?: number; fields?: JaegerKV[] }[];
  processID?: string;
}

interface JaegerTrace {
  traceID: string;
  spans?: JaegerSpan[];
  processes?: Record<string, { serviceName?: string; tags?: JaegerKV[] }>;
}

function kvRecord(kvs: JaegerKV[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of kvs ?? []) {
    if (kv && typeof kv.key === "string") {
      out[kv.key] = typeof kv.value === "string" ? kv.value : JSON.stringify(kv.value);
    }
  }
  return out;
}

/** Jaeger's JSON trace → the console's trace view (exported for tests). */
export function traceFromJaeger(tr: JaegerTrace): TraceView {
  const spans: SpanView[] = [];
  for (const s of tr.spans ?? []) {
    const proc = tr.processes?.[s.processID ?? ""];
    const resource = kvRecord(proc?.tags);
    if (proc?.serviceName) resource["service.name"] = proc.serviceName;
    const tags = kvRecord(s.tags);
    const parent = s.references?.find((r) => r.refType === "CHILD_OF") ?? s.references?.[0];
    // Jaeger maps the OTLP status to `otel.status_code` and sets `error=true` on errors; span
    // kind becomes the `span.kind` tag. They are shown as status and kind, not as attributes.
    const isError = tags["error"] === "true" || tags["otel.status_code"] === "ERROR";
    const isOk = tags["otel.status_code"] === "OK";
    const message = tags["otel.status_description"];
    const kind = tags["span.kind"];
    for (const k of ["error", "otel.status_code", "otel.status_description", "span.kind"]) {
      delete tags[k];
    }
    const span: SpanView = {
      spanId: (s.spanID ?? "").toLowerCase().padStart(16, "0"),
      name: s.operationName ?? "",
      service: proc?.serviceName ?? "",
      startUs: s.startTime ?? 0,
      durationUs: s.duration ?? 0,
      status: isError ? "error" : isOk ? "ok" : "unset",
      attributes: tags,
      resource,
      events: (s.logs ?? []).map((l) => {
        const f = kvRecord(l.fields);
        const name = f["event"] ?? "";
        delete f["event"];
        return { timeUs: l.timestamp ?? 0, name, attributes: f };
      }),
    };
    if (parent?.spanID) span.parentSpanId = parent.spanID.toLowerCase().padStart(16, "0");
    if (kind) span.kind = kind;
    if (message) span.statusMessage = message;
    spans.push(span);
  }
  return { traceId: normaliseTraceId(tr.traceID), spans: sortSpans(spans) };
}

/**
 * Creates the Jaeger reader. Jaeger's search needs a service, so the all-services list asks
 * each of the tenant's services (bounded by `maxServices`) and merges the answers.
 *
 * @example
 * ```ts
 * const traces = createJaegerReader({ url: "http://127.0.0.1:16686" });
 * await traces.services({ id: "tenant-a", numericId: 1 }, Date.now() - 3600_000, Date.now());
 * ```
 */
export function createJaegerReader(opts: JaegerReaderOptions): TraceReader {
  const up: Upstream = createUpstream({
    name: "Jaeger",
    baseUrl: opts.url,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const maxServices = opts.maxServices ?? 20;
  const headers = (t: TenantScope) => ({ "X-Scope-OrgID": t.id });

  const services = async (t: TenantScope): Promise<string[]> => {
    const { body } = await up.json<{ data?: unknown[] | null }>({
      path: "/api/services",
      headers: headers(t),
    });
    return (body?.data ?? []).filter((s): s is string => typeof s === "string").sort();
  };

  return {
    backend: "jaeger",
    services: (t) => services(t),
    async search(t, q) {
      const list = q.service ? [q.service] : (await services(t)).slice(0, maxServices);
      const params = (service: string) => ({
        service,
        start: String(Math.floor(q.startMs * 1000)),
        end: String(Math.ceil(q.endMs * 1000)),
        limit: String(q.limit),
        ...(q.minDurationMs ? { minDuration: `${Math.floor(q.minDurationMs)}ms` } : {}),
        ...(q.errorsOnly ? { tags: JSON.stringify({ error: "true" }) } : {}),
      });
      const results = await Promise.all(
        list.map((service) =>
          up.json<{ data?: JaegerTrace[] | null }>({
            path: "/api/traces",
            headers: headers(t),
            params: params(service),
          })
        ),
      );
      const byId = new Map<string, TraceSummary>();
      for (const r of results) {
        for (const tr of r.body?.data ?? []) {
          const view = traceFromJaeger(tr);
          if (view.spans.length === 0) continue;
          byId.set(view.traceId, summarise(view));
        }
      }
      return [...byId.values()].sort((a, b) => b.startMs - a.startMs).slice(0, q.limit);
    },
    async get(t, traceId) {
      const id = normaliseTraceId(traceId);
      const r = await up.request({
        path: `/api/traces/${id}`,
        headers: headers(t),
        passStatus: [404],
      });
      if (r.status === 404) return null;
      const body = JSON.parse(r.text) as { data?: JaegerTrace[] | null };
      const tr = body.data?.[0];
      if (!tr || !tr.spans?.length) return null;
      return traceFromJaeger(tr);
    },
  };
}
