/**
 * The one small interface the console reads traces through, with a Tempo and a Jaeger
 * implementation. Both send the tenant header (`X-Scope-OrgID`); the tenant always comes from
 * the session, never from the request.
 * @module
 */
import { badRequest } from "../../lib/errors.ts";

/** The tenant as the readers need it. */
export interface TenantScope {
  /** Tenant id (sent as `X-Scope-OrgID`). */
  id: string;
  /** Numeric id (stores with numeric tenants). */
  numericId: number;
}

/** One row of the trace list. */
export interface TraceSummary {
  /** Trace id, 32 lowercase hex digits. */
  traceId: string;
  /** Service of the root span. */
  rootService: string;
  /** Name of the root span. */
  rootName: string;
  /** Start, ms since epoch. */
  startMs: number;
  /** Duration in ms (fractional). */
  durationMs: number;
  /** Number of spans, when the store reports it. */
  spanCount?: number;
  /** Whether any span has an error status. */
  hasError: boolean;
}

/** A span as the waterfall draws it. Times are µs since epoch. */
export interface SpanView {
  /** Span id, 16 lowercase hex digits. */
  spanId: string;
  /** Parent span id, absent for a root. */
  parentSpanId?: string;
  /** Span name (operation). */
  name: string;
  /** `service.name` of the span's resource. */
  service: string;
  /** Start, µs since epoch. */
  startUs: number;
  /** Duration in µs. */
  durationUs: number;
  /** Span kind in lower case (`server`, `client`, …), when known. */
  kind?: string;
  /** Status. */
  status: "ok" | "error" | "unset";
  /** Status message, when set. */
  statusMessage?: string;
  /** Span attributes, values rendered as strings. */
  attributes: Record<string, string>;
  /** Resource attributes (`service.name`, `tenant_id`, …). */
  resource: Record<string, string>;
  /** Span events (logs). */
  events: { timeUs: number; name: string; attributes: Record<string, string> }[];
}

/** A whole trace. */
export interface TraceView {
  /** Trace id, 32 lowercase hex digits. */
  traceId: string;
  /** Spans sorted by start time. */
  spans: SpanView[];
}

/** Parameters of {@linkcode TraceReader.search}. */
export interface TraceSearch {
  /** Only traces touching this service. */
  service?: string;
  /** Window start, ms since epoch. */
  startMs: number;
  /** Window end, ms since epoch. */
  endMs: number;
  /** Most traces returned. */
  limit: number;
  /** Only traces at least this long. */
  minDurationMs?: number;
  /** Only traces with an error span. */
  errorsOnly?: boolean;
}

/** A trace store's read side. */
export interface TraceReader {
  /** Which backend this is. */
  readonly backend: "tempo" | "jaeger";
  /** Service names seen for the tenant. */
  services(tenant: TenantScope, startMs: number, endMs: number): Promise<string[]>;
  /** Recent traces of the tenant, newest first. */
  search(tenant: TenantScope, q: TraceSearch): Promise<TraceSummary[]>;
  /** One trace of the tenant, or null if the tenant has no such trace. */
  get(tenant: TenantScope, traceId: string): Promise<TraceView | null>;
}

/**
 * Normalises a trace id typed by a user or returned by a store: 1–32 hex digits, lower-cased
 * and left-padded to 32 (Tempo drops leading zeros). Throws 400 otherwise.
 */
export function normaliseTraceId(id: string): string {
  const t = id.trim();
  if (!/^[0-9a-fA-F]{1,32}$/.test(t)) throw badRequest("a trace id is 1 to 32 hexadecimal digits");
  return t.toLowerCase().padStart(32, "0");
}

/** Sorts spans by start time, then by id, in place; returns the array. */
export function sortSpans(spans: SpanView[]): SpanView[] {
  return spans.sort((a, b) => a.startUs - b.startUs || a.spanId.localeCompare(b.spanId));
}

/** The root of a trace: a span whose parent is not in the trace, earliest first. */
export function rootSpan(spans: SpanView[]): SpanView | undefined {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  return (roots.length ? roots : spans).reduce<SpanView | undefined>(
    (best, s) => (!best || s.startUs < best.startUs ? s : best),
    undefined,
  );
}

/** A summary computed from a whole trace (used where the store has no summary endpoint). */
export function summarise(trace: TraceView): TraceSummary {
  const root = rootSpan(trace.spans);
  const start = Math.min(...trace.spans.map((s) => s.startUs));
  const end = Math.max(...trace.spans.map((s) => s.startUs + s.durationUs));
  return {
    traceId: trace.traceId,
    rootService: root?.service ?? "",
    rootName: root?.name ?? "",
    startMs: start / 1000,
    durationMs: (end - start) / 1000,
    spanCount: trace.spans.length,
    hasError: trace.spans.some((s) => s.status === "error"),
  };
}
