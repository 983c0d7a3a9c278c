/**
 * Test helper: Kafka access and decoding of published envelopes.
 *
 * @module
 */
import {
  attributesToRecord,
  decodeOtlp,
  decodeWriteRequestV1,
  decodeWriteRequestV2,
  type Signal,
} from "../../lib/codec/mod.ts";
import { createKafkaAdmin, fromRecord, type InRecord, readTopic } from "../../lib/kafka/mod.ts";

export { createKafkaAdmin, type InRecord, readTopic };

/** What one published record holds, as the tests judge it. */
export interface EnvelopeCounts {
  tenant: string;
  format: string;
  /** Log records, data points, spans or samples+histograms. */
  records: number;
  /** `tenant_id` values found on each resource / series (each must be exactly one). */
  stampedTenants: string[][];
  /** Remote write: label names of each series, in order. */
  labelNames: string[][];
  /** Log bodies (logs only), to check content. */
  bodies: string[];
}

/** Decodes one record per the Kafka contract and counts what it carries. */
export function decodeEnvelopeCounts(rec: InRecord): EnvelopeCounts {
  const env = fromRecord(rec);
  const out: EnvelopeCounts = {
    tenant: env.tenant,
    format: env.format,
    records: 0,
    stampedTenants: [],
    labelNames: [],
    bodies: [],
  };
  const tenantIds = (attrs: { key: string; value?: { stringValue?: string | null } | null }[]) =>
    attrs.filter((a) => a.key === "tenant_id").map((a) => a.value?.stringValue ?? "");
  if (env.format.startsWith("otlp-")) {
    const signal = env.format.slice(5) as Signal;
    if (signal === "logs") {
      const m = decodeOtlp("logs", env.value);
      for (const rl of m.resourceLogs) {
        out.stampedTenants.push(tenantIds(rl.resource?.attributes ?? []));
        for (const sl of rl.scopeLogs) {
          for (const lr of sl.logRecords) {
            out.records++;
            out.bodies.push(String(lr.body?.stringValue ?? ""));
          }
        }
      }
    } else if (signal === "traces") {
      const m = decodeOtlp("traces", env.value);
      for (const rs of m.resourceSpans) {
        out.stampedTenants.push(tenantIds(rs.resource?.attributes ?? []));
        for (const ss of rs.scopeSpans) out.records += ss.spans.length;
      }
    } else {
      const m = decodeOtlp("metrics", env.value);
      for (const rm of m.resourceMetrics) {
        out.stampedTenants.push(tenantIds(rm.resource?.attributes ?? []));
        for (const sm of rm.scopeMetrics) {
          for (const metric of sm.metrics) {
            out.records += (metric.gauge?.dataPoints.length ?? 0) +
              (metric.sum?.dataPoints.length ?? 0) +
              (metric.histogram?.dataPoints.length ?? 0) +
              (metric.exponentialHistogram?.dataPoints.length ?? 0) +
              (metric.summary?.dataPoints.length ?? 0);
          }
        }
      }
    }
  } else if (env.format === "prom-rw-v1") {
    const m = decodeWriteRequestV1(env.value);
    for (const ts of m.timeseries) {
      out.records += ts.samples.length + ts.histograms.length;
      out.stampedTenants.push(ts.labels.filter((l) => l.name === "tenant_id").map((l) => l.value));
      out.labelNames.push(ts.labels.map((l) => l.name));
    }
  } else {
    const m = decodeWriteRequestV2(env.value);
    for (const ts of m.timeseries) {
      out.records += ts.samples.length + ts.histograms.length;
      const names: string[] = [];
      const tenants: string[] = [];
      for (let i = 0; i + 1 < ts.labelsRefs.length; i += 2) {
        const name = m.symbols[ts.labelsRefs[i]!]!;
        names.push(name);
        if (name === "tenant_id") tenants.push(m.symbols[ts.labelsRefs[i + 1]!]!);
      }
      out.stampedTenants.push(tenants);
      out.labelNames.push(names);
    }
  }
  return out;
}

/** Convenience for tests: `attributesToRecord` re-exported. */
export { attributesToRecord };
