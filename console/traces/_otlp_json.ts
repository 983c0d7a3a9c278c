/**
 * Reading OTLP/JSON traces as Tempo returns them: ids in hex or base64 (Tempo's marshaller
 * writes protobuf bytes as base64), enums as names or numbers, 64-bit times as strings.
 * @module
 */
import type { SpanView } from "./trace_reader.ts";

type Json = Record<string, unknown>;

/** Hex of an id that is hex already or base64. */
export function idToHex(v: unknown, hexLen: number): string {
  if (typeof v !== "string" || v === "") return "";
  if (new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(v)) return v.toLowerCase();
  try {
    const bin = atob(v.replaceAll("-", "+").replaceAll("_", "/"));
    let hex = "";
    for (let i = 0; i < bin.length; i++) hex += bin.charCodeAt(i).toString(16).padStart(2, "0");
    return hex.padStart(hexLen, "0");
  } catch {
    return v.toLowerCase();
  }
}

/** An OTLP AnyValue rendered as a string. */
export function anyValueToString(v: unknown): string {
  if (!v || typeof v !== "object") return "";
  const o = v as Json;
  if ("stringValue" in o) return String(o.stringValue);
  if ("intValue" in o) return String(o.intValue);
  if ("doubleValue" in o) return String(o.doubleValue);
  if ("boolValue" in o) return String(o.boolValue);
  if ("bytesValue" in o) return String(o.bytesValue);
  if ("arrayValue" in o) {
    const vals = ((o.arrayValue as Json)?.values as unknown[]) ?? [];
    return JSON.stringify(vals.map(anyValueToString));
  }
  if ("kvlistValue" in o) {
    const vals = ((o.kvlistValue as Json)?.values as unknown[]) ?? [];
    return JSON.stringify(attributesToRecord(vals));
  }
  return "";
}

/** OTLP `attributes: [{key, value}]` → record. */
export function attributesToRecord(attrs: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(attrs)) return out;
  for (const a of attrs) {
    if (a && typeof a === "object" && typeof (a as Json).key === "string") {
      out[(a as Json).key as string] = anyValueToString((a as Json).value);
    }
  }
  return out;
}

/** Nanoseconds (string or number) → µs as a number. */
export function nanosToMicros(v: unknown): number {
  if (typeof v === "number") return Math.floor(v / 1000);
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(BigInt(v) / 1000n);
  return 0;
}

const KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"];

function kindOf(v: unknown): string | undefined {
  if (typeof v === "number") return KINDS[v];
  if (typeof v === "string") {
    const k = v.replace(/^SPAN_KIND_/, "").toLowerCase();
    return k === "unspecified" ? undefined : k;
  }
  return undefined;
}

function statusOf(v: unknown): { status: SpanView["status"]; message?: string } {
  if (!v || typeof v !== "object") return { status: "unset" };
  const o = v as Json;
  const code = o.code;
  const message = typeof o.message === "string" && o.message ? o.message : undefined;
  const status = code === 2 || code === "STATUS_CODE_ERROR"
    ? "error"
    : code === 1 || code === "STATUS_CODE_OK"
    ? "ok"
    : "unset";
  return message === undefined ? { status } : { status, message };
}

/**
 * Spans of an OTLP/JSON trace document: accepts `{batches}` (Tempo `/api/traces`),
 * `{trace: {resourceSpans}}` (Tempo `/api/v2/traces`) and `{resourceSpans}`; scope lists named
 * `scopeSpans` or the older `instrumentationLibrarySpans`.
 */
export function spansFromOtlpJson(doc: unknown): SpanView[] {
  if (!doc || typeof doc !== "object") return [];
  const d = doc as Json;
  const rs = (d.batches ?? (d.trace as Json | undefined)?.resourceSpans ?? d.resourceSpans) as
    | unknown[]
    | undefined;
  const out: SpanView[] = [];
  for (const r of Array.isArray(rs) ? rs : []) {
    const rj = r as Json;
    const resource = attributesToRecord((rj.resource as Json | undefined)?.attributes);
    const scopes = (rj.scopeSpans ?? rj.instrumentationLibrarySpans) as unknown[] | undefined;
    for (const sc of Array.isArray(scopes) ? scopes : []) {
      for (const s of ((sc as Json).spans as unknown[] | undefined) ?? []) {
        const sj = s as Json;
        const start = nanosToMicros(sj.startTimeUnixNano);
        const end = nanosToMicros(sj.endTimeUnixNano);
        const parent = idToHex(sj.parentSpanId, 16);
        const st = statusOf(sj.status);
        const span: SpanView = {
          spanId: idToHex(sj.spanId, 16),
          name: typeof sj.name === "string" ? sj.name : "",
          service: resource["service.name"] ?? "",
          startUs: start,
          durationUs: Math.max(0, end - start),
          status: st.status,
          attributes: attributesToRecord(sj.attributes),
          resource,
          events: (Array.isArray(sj.events) ? sj.events : []).map((e) => ({
            timeUs: nanosToMicros((e as Json).timeUnixNano),
            name: String((e as Json).name ?? ""),
            attributes: attributesToRecord((e as Json).attributes),
          })),
        };
        if (parent && !/^0+$/.test(parent)) span.parentSpanId = parent;
        const kind = kindOf(sj.kind);
        if (kind) span.kind = kind;
        if (st.message) span.statusMessage = st.message;
        out.push(span);
      }
    }
  }
  return out;
}
