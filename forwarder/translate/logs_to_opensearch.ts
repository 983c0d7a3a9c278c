/**
 * OTLP logs → OpenSearch documents, one per log record, into per-tenant daily indices
 * (`<prefix>-<tenant>-YYYY.MM.DD`, by the record's UTC day) with a deterministic `_id` built
 * from the record's Kafka coordinates and its position in the payload, so replaying a record
 * overwrites its documents instead of duplicating them.
 *
 * @module
 */
import { attributeObject, idToHex } from "./_otlp.ts";
import { dayOf, isoNanos, levelOf, recordTimeNs, renderBody } from "./_log_fields.ts";
import type { OtlpLogsRequest } from "./otlp_logs.ts";

/** One document and where it goes. */
export interface OpenSearchDoc {
  index: string;
  id: string;
  doc: Record<string, unknown>;
}

/** Options of {@linkcode otlpLogsToOpenSearch}. */
export interface OpenSearchTranslationOptions {
  tenant: string;
  /** Index name prefix (`logs` → `logs-<tenant>-YYYY.MM.DD`). */
  indexPrefix: string;
  /** Kafka coordinates of the record (the original ones for a replayed dead letter). */
  origin: { topic: string; partition: number; offset: bigint };
  /** Time (ms) for records that carry none. */
  fallbackTimeMs: number;
}

/** Resource attributes stored as dedicated fields rather than inside `resource`. */
const TENANT_ATTR = "tenant_id";

/**
 * Translates a decoded `ExportLogsServiceRequest` into documents.
 *
 * @example
 * ```ts
 * const docs = otlpLogsToOpenSearch(req, { tenant: "acme", indexPrefix: "logs", origin, fallbackTimeMs: Date.now() });
 * ```
 */
export function otlpLogsToOpenSearch(
  req: OtlpLogsRequest,
  opts: OpenSearchTranslationOptions,
): OpenSearchDoc[] {
  const out: OpenSearchDoc[] = [];
  const idBase = `${opts.origin.topic}-${opts.origin.partition}-${opts.origin.offset}`;
  let position = 0;
  for (const rl of req.resourceLogs ?? []) {
    if (!rl) continue;
    const resource = attributeObject(rl.resource?.attributes);
    delete resource[TENANT_ATTR]; // the tenant is its own field, set from the record, not the payload
    const service = typeof resource["service.name"] === "string"
      ? resource["service.name"]
      : undefined;
    for (const sl of rl.scopeLogs ?? []) {
      if (!sl) continue;
      const scope: Record<string, unknown> = {};
      if (sl.scope?.name) scope.name = sl.scope.name;
      if (sl.scope?.version) scope.version = sl.scope.version;
      const scopeAttrs = attributeObject(sl.scope?.attributes);
      if (Object.keys(scopeAttrs).length > 0) scope.attributes = scopeAttrs;
      for (const lr of sl.logRecords ?? []) {
        if (!lr) continue;
        const ns = recordTimeNs(lr.timeUnixNano, lr.observedTimeUnixNano, opts.fallbackTimeMs);
        const doc: Record<string, unknown> = {
          "@timestamp": isoNanos(ns),
          tenant_id: opts.tenant,
          level: levelOf(lr.severityNumber, lr.severityText),
          body: renderBody(lr.body),
        };
        const observed = recordTimeNs(lr.observedTimeUnixNano, null, -1);
        if (observed > 0n) doc.observed_timestamp = isoNanos(observed);
        if (lr.severityText || lr.severityNumber) {
          doc.severity = {
            ...(lr.severityText ? { text: lr.severityText } : {}),
            ...(lr.severityNumber ? { number: lr.severityNumber } : {}),
          };
        }
        const traceId = idToHex(lr.traceId);
        const spanId = idToHex(lr.spanId);
        if (traceId) doc.trace_id = traceId;
        if (spanId) doc.span_id = spanId;
        if (lr.flags) doc.flags = lr.flags;
        if (lr.eventName) doc.event_name = lr.eventName;
        if (service !== undefined) doc.service = { name: service };
        if (Object.keys(resource).length > 0) doc.resource = resource;
        if (Object.keys(scope).length > 0) doc.scope = scope;
        const attrs = attributeObject(lr.attributes);
        if (Object.keys(attrs).length > 0) doc.attributes = attrs;
        out.push({
          index: `${opts.indexPrefix}-${opts.tenant}-${dayOf(ns)}`,
          id: `${idBase}-${position}`,
          doc,
        });
        position++;
      }
    }
  }
  return out;
}
