/**
 * The Prometheus sink: remote write 1.0 (default) or 2.0, snappy-compressed protobuf, to
 * Prometheus, Mimir or Thanos Receive.
 *
 * OTLP metrics are translated by {@linkcode otlpMetricsToPrometheus}; remote-write 1.0 input
 * passes through byte for byte when the output is 1.0 (a `WriteRequest` is only repeated
 * fields, so concatenating requests merges them); other combinations are re-encoded. Every
 * series must carry `tenant_id` equal to the record's tenant (ingest stamps it); a record that
 * does not is refused rather than written under the wrong tenant.
 *
 * @module
 */
import {
  concatBytes,
  remoteWriteV2ToV1,
  snappyEncode,
  type TimeSeriesV1,
  type WriteRequestV1,
} from "../../lib/codec/mod.ts";
import type { ObstackError } from "../../lib/errors.ts";
import { int64ToNumber } from "../translate/_otlp.ts";
import { type DroppedPoints, otlpMetricsToPrometheus } from "../translate/metrics_to_prom.ts";
import type { PromMetadata, PromSeries } from "../translate/prom_types.ts";
import { encodeRemoteWriteV1, encodeRemoteWriteV2 } from "./remote_write_encode.ts";
import type { ItemFailure, Sink, SinkRecord, WriteOutcome } from "./sink.ts";
import { fetchError, httpError, permanentError } from "./sink_error.ts";

/** Options of {@linkcode createPrometheusSink}. */
export interface PrometheusSinkOptions {
  /** Remote-write URL. */
  url: string;
  /** Protocol version to send. */
  version: "1.0" | "2.0";
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Basic auth. */
  basicAuth?: { username: string; password: string };
  /** Bearer token. */
  bearerToken?: string;
  /** Header carrying the tenant id (e.g. `X-Scope-OrgID` for Mimir); none when empty. */
  tenantHeader?: string;
  /** Timeout of one request. */
  timeoutMs: number;
  /** Translation switches (see {@linkcode otlpMetricsToPrometheus}). */
  scopeLabels?: boolean;
  targetInfo?: boolean;
  promoteResourceAttributes?: readonly string[];
  /** Told about OTLP points the specification cannot map (for metrics and logs). */
  onDropped?: (tenant: string, dropped: readonly DroppedPoints[]) => void;
  /** For tests. */
  fetch?: typeof fetch;
}

const CONTENT_TYPE = {
  "1.0": "application/x-protobuf",
  // Prometheus stores nothing from a 2.0 body sent as plain application/x-protobuf (INFRA.md).
  "2.0": "application/x-protobuf;proto=io.prometheus.write.v2.Request",
} as const;
const VERSION_HEADER = { "1.0": "0.1.0", "2.0": "2.0.0" } as const;

/**
 * Creates the Prometheus sink.
 *
 * @example
 * ```ts
 * const sink = createPrometheusSink({ url: "http://127.0.0.1:19090/api/v1/write", version: "1.0", timeoutMs: 10_000 });
 * ```
 */
export function createPrometheusSink(opts: PrometheusSinkOptions): Sink {
  if (!/^https?:\/\//.test(opts.url)) {
    throw new TypeError(`prometheus sink: invalid url ${opts.url}`);
  }
  const doFetch = opts.fetch ?? fetch;
  const baseHeaders: Record<string, string> = {
    ...opts.headers,
    "Content-Type": CONTENT_TYPE[opts.version],
    "Content-Encoding": "snappy",
    "X-Prometheus-Remote-Write-Version": VERSION_HEADER[opts.version],
    "User-Agent": "obstack-forwarder",
  };
  if (opts.bearerToken) baseHeaders["Authorization"] = `Bearer ${opts.bearerToken}`;
  else if (opts.basicAuth) {
    baseHeaders["Authorization"] = "Basic " +
      btoa(
        String.fromCharCode(
          ...new TextEncoder().encode(`${opts.basicAuth.username}:${opts.basicAuth.password}`),
        ),
      );
  }

  return {
    name: "prometheus",
    formats: ["otlp-metrics", "prom-rw-v1", "prom-rw-v2"],
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
    async write(tenant, records, signal): Promise<WriteOutcome> {
      const failures: ItemFailure[] = [];
      const series: PromSeries[] = [];
      const metadata = new Map<string, PromMetadata>();
      const passthrough: Uint8Array[] = [];
      records.forEach((rec, index) => {
        const err = collect(rec, tenant, opts, series, metadata, passthrough);
        if (err) failures.push({ index, error: err });
      });
      if (series.length === 0 && passthrough.length === 0) return { failures, bytesSent: 0 };

      let body: Uint8Array;
      if (opts.version === "1.0") {
        const own = encodeRemoteWriteV1(series, [...metadata.values()]);
        body = concatBytes([own, ...passthrough]);
      } else {
        body = encodeRemoteWriteV2(series, [...metadata.values()]);
      }
      const compressed = snappyEncode(body);
      const headers = { ...baseHeaders };
      if (opts.tenantHeader) headers[opts.tenantHeader] = tenant;
      let res: Response;
      try {
        res = await doFetch(opts.url, {
          method: "POST",
          headers,
          body: compressed as Uint8Array<ArrayBuffer>,
          signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]),
        });
      } catch (e) {
        throw fetchError("prometheus", e);
      }
      const err = await httpError("prometheus", res);
      if (err) throw err;
      return { failures, bytesSent: compressed.length };
    },
  };
}

/** Adds one record's series to the request; returns an error when the record is refused. */
function collect(
  rec: SinkRecord,
  tenant: string,
  opts: PrometheusSinkOptions,
  series: PromSeries[],
  metadata: Map<string, PromMetadata>,
  passthrough: Uint8Array[],
): ObstackError | undefined {
  const p = rec.payload;
  if (p.format === "otlp-metrics") {
    const t = otlpMetricsToPrometheus(p.request, {
      tenant,
      fallbackTimeMs: rec.receivedAt,
      scopeLabels: opts.scopeLabels ?? true,
      targetInfo: opts.targetInfo ?? true,
      promoteResourceAttributes: opts.promoteResourceAttributes ?? [],
    });
    if (t.dropped.length > 0) opts.onDropped?.(tenant, t.dropped);
    for (const s of t.timeseries) series.push(s);
    for (const m of t.metadata) {
      if (!metadata.has(m.metricFamilyName)) metadata.set(m.metricFamilyName, m);
    }
    return undefined;
  }
  let v1: WriteRequestV1;
  if (p.format === "prom-rw-v1") v1 = p.request;
  else if (p.format === "prom-rw-v2") v1 = remoteWriteV2ToV1(p.request);
  else return permanentError(`prometheus: unexpected payload format ${p.format}`);

  const wrong = v1.timeseries.find((ts) =>
    ts.labels.find((l) => l.name === "tenant_id")?.value !== tenant
  );
  if (wrong) {
    return permanentError(
      `prometheus: a series lacks tenant_id="${tenant}" (remote-write input must be stamped by ingest)`,
      { status: 422 },
    );
  }
  if (p.format === "prom-rw-v1" && opts.version === "1.0") {
    passthrough.push(rec.value);
  } else {
    for (const ts of v1.timeseries) series.push(fromV1(ts));
    for (const m of v1.metadata) {
      if (!metadata.has(m.metricFamilyName)) {
        metadata.set(m.metricFamilyName, {
          type: m.type,
          metricFamilyName: m.metricFamilyName,
          help: m.help,
          unit: m.unit,
        });
      }
    }
  }
  return undefined;
}

/**
 * A decoded 1.0 series in the sink's own model. Note: a staleness marker decoded into a JS
 * number has lost its NaN payload, so it is re-sent as a plain NaN; only the 1.0 → 1.0 path
 * (bytes passed through) keeps it exactly.
 */
function fromV1(ts: TimeSeriesV1): PromSeries {
  return {
    labels: ts.labels.map((l) => ({ name: l.name, value: l.value })),
    samples: ts.samples.map((s) => ({ value: s.value, timestamp: int64ToNumber(s.timestamp) })),
    exemplars: ts.exemplars.map((e) => ({
      labels: e.labels.map((l) => ({ name: l.name, value: l.value })),
      value: e.value,
      timestamp: int64ToNumber(e.timestamp),
    })),
    histograms: ts.histograms.map((h) => ({
      ...(h.countFloat !== undefined && h.countFloat !== null
        ? { countFloat: h.countFloat }
        : { countInt: int64ToNumber(h.countInt) }),
      sum: h.sum,
      schema: h.schema,
      zeroThreshold: h.zeroThreshold,
      ...(h.zeroCountFloat !== undefined && h.zeroCountFloat !== null
        ? { zeroCountFloat: h.zeroCountFloat }
        : { zeroCountInt: int64ToNumber(h.zeroCountInt) }),
      negativeSpans: h.negativeSpans.map((s) => ({ offset: s.offset, length: s.length })),
      negativeDeltas: h.negativeDeltas.map((d) => int64ToNumber(d)),
      positiveSpans: h.positiveSpans.map((s) => ({ offset: s.offset, length: s.length })),
      positiveDeltas: h.positiveDeltas.map((d) => int64ToNumber(d)),
      negativeCounts: [...h.negativeCounts],
      positiveCounts: [...h.positiveCounts],
      resetHint: h.resetHint,
      timestamp: int64ToNumber(h.timestamp),
    })),
  };
}
