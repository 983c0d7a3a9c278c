/**
 * OTLP logs → Loki push streams. Stream labels are only `tenant_id`, `service_name` and `level`
 * (low cardinality, as Loki wants them); every other attribute, the scope and the trace/span ids
 * go to structured metadata. Entries are sorted by time within a stream; lines over the store's
 * limit are truncated with a marker rather than dropped.
 *
 * @module
 */
import { attributePairs, idToHex } from "./_otlp.ts";
import { levelOf, recordTimeNs, renderBody, truncateLine } from "./_log_fields.ts";
import type { OtlpLogsRequest } from "./otlp_logs.ts";
import { sanitizeLabelName } from "./prom_names.ts";

/** A name/value pair of structured metadata. */
export interface LokiPair {
  name: string;
  value: string;
}

/** One log entry. */
export interface LokiEntry {
  /** Unix nanoseconds. */
  timestampNs: bigint;
  line: string;
  structuredMetadata: LokiPair[];
}

/** One stream: its label set (Prometheus selector syntax) and entries in time order. */
export interface LokiStream {
  labels: string;
  entries: LokiEntry[];
}

/** Options of {@linkcode otlpLogsToLoki}. */
export interface LokiTranslationOptions {
  /** Becomes the `tenant_id` label (whatever the payload says). */
  tenant: string;
  /** Longest line in UTF-8 bytes. */
  maxLineBytes: number;
  /** Time (ms) for records that carry none. */
  fallbackTimeMs: number;
}

/** Result of {@linkcode otlpLogsToLoki}. */
export interface LokiTranslation {
  streams: LokiStream[];
  /** Number of lines that were truncated. */
  truncated: number;
  /** Number of entries. */
  entries: number;
}

/** Resource attributes that are labels already (or the tenant stamp). */
const LABEL_ATTRS = new Set(["service.name", "tenant_id"]);

/**
 * Translates a decoded `ExportLogsServiceRequest` into Loki streams.
 *
 * @example
 * ```ts
 * const { streams } = otlpLogsToLoki(req, { tenant: "acme", maxLineBytes: 256 * 1024, fallbackTimeMs: Date.now() });
 * ```
 */
export function otlpLogsToLoki(
  req: OtlpLogsRequest,
  opts: LokiTranslationOptions,
): LokiTranslation {
  const streams = new Map<string, LokiStream>();
  let truncated = 0;
  let entries = 0;
  for (const rl of req.resourceLogs ?? []) {
    if (!rl) continue;
    const res = attributePairs(rl.resource?.attributes);
    const service = res.find(([k]) => k === "service.name")?.[1] || "unknown_service";
    const resMeta = res.filter(([k]) => !LABEL_ATTRS.has(k));
    for (const sl of rl.scopeLogs ?? []) {
      if (!sl) continue;
      const scopeMeta: [string, string][] = [];
      if (sl.scope?.name) scopeMeta.push(["scope_name", sl.scope.name]);
      if (sl.scope?.version) scopeMeta.push(["scope_version", sl.scope.version]);
      for (const [k, v] of attributePairs(sl.scope?.attributes)) scopeMeta.push([`scope_${k}`, v]);
      for (const lr of sl.logRecords ?? []) {
        if (!lr) continue;
        const level = levelOf(lr.severityNumber, lr.severityText);
        const labels = `{level="${level}", service_name=${quote(service)}, tenant_id=${
          quote(opts.tenant)
        }}`;
        // Later sources win on a name clash: resource < scope < record < fixed fields.
        const meta = new Map<string, string>();
        const put = (k: string, v: string) => {
          if (v !== "") meta.set(sanitizeLabelName(k), v);
        };
        for (const [k, v] of resMeta) put(k, v);
        for (const [k, v] of scopeMeta) put(k, v);
        for (const [k, v] of attributePairs(lr.attributes)) put(k, v);
        put("trace_id", idToHex(lr.traceId));
        put("span_id", idToHex(lr.spanId));
        if (lr.severityText) put("severity_text", lr.severityText);
        if (lr.severityNumber) put("severity_number", String(lr.severityNumber));
        if (lr.eventName) put("event_name", lr.eventName);
        const t = truncateLine(renderBody(lr.body), opts.maxLineBytes);
        if (t.truncated) truncated++;
        let s = streams.get(labels);
        if (!s) {
          s = { labels, entries: [] };
          streams.set(labels, s);
        }
        s.entries.push({
          timestampNs: recordTimeNs(lr.timeUnixNano, lr.observedTimeUnixNano, opts.fallbackTimeMs),
          line: t.line,
          structuredMetadata: [...meta].map(([name, value]) => ({ name, value })),
        });
        entries++;
      }
    }
  }
  for (const s of streams.values()) sortByTime(s.entries);
  return { streams: [...streams.values()], truncated, entries };
}

/** Stable sort by timestamp (Loki rejects out-of-order entries within a stream on old versions). */
export function sortByTime(entries: LokiEntry[]): void {
  entries.sort((
    a,
    b,
  ) => (a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0));
}

/** A label value in selector syntax: double-quoted, `\`, `"` and newlines escaped. */
function quote(v: string): string {
  return `"${v.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))}"`;
}
