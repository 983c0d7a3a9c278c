/**
 * Expected series are written out by hand from the OpenTelemetry "Prometheus and OpenMetrics
 * compatibility" specification; one case per metric type and temporality.
 */
import assert from "node:assert/strict";
import {
  type OtlpMetric,
  type OtlpMetricsRequest,
  otlpMetricsToPrometheus,
  seriesKey,
} from "./metrics_to_prom.ts";
import type { KeyValueLike } from "./_otlp.ts";
import type { PromSeries } from "./prom_types.ts";

const T = 1_700_000_000_000; // ms
const tNs = (ms: number) => BigInt(ms) * 1_000_000n;
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });

function request(
  metrics: OtlpMetric[],
  extraResource: KeyValueLike[] = [],
): OtlpMetricsRequest {
  return {
    resourceMetrics: [{
      resource: {
        attributes: [
          str("service.name", "checkout"),
          str("service.namespace", "shop"),
          str("service.instance.id", "pod-1"),
          str("tenant_id", "acme"),
          ...extraResource,
        ],
      },
      scopeMetrics: [{ scope: { name: "io.test", version: "1.2" }, metrics }],
    }],
  };
}

const BASE: Record<string, string> = {
  instance: "pod-1",
  job: "shop/checkout",
  otel_scope_name: "io.test",
  otel_scope_version: "1.2",
  tenant_id: "acme",
};

/** `name{…}` with the base labels plus `extra`, sorted by label name as in the output. */
function k(name: string, extra: Record<string, string> = {}): string {
  const all = Object.entries({ ...BASE, ...extra }).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${name}{${all.map(([n, v]) => `${n}="${v}"`).join(",")}}`;
}

/** `name{labels}` → [value, timestamp] for every float sample. */
function samples(ts: PromSeries[]): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const s of ts) {
    if (s.samples.length > 0) out[seriesKey(s)] = s.samples.map((x) => [x.value, x.timestamp]);
  }
  return out;
}

const translate = (req: OtlpMetricsRequest) =>
  otlpMetricsToPrometheus(req, { tenant: "acme", fallbackTimeMs: 42 });

Deno.test("otlpMetricsToPrometheus() maps a gauge to a gauge with unit suffix, job, instance and tenant_id", () => {
  const r = translate(request([{
    name: "process.memory.usage",
    unit: "By",
    description: "RSS",
    gauge: {
      dataPoints: [{ attributes: [str("area", "heap")], timeUnixNano: tNs(T), asDouble: 1024.5 }],
    },
  }]));
  assert.deepEqual(samples(r.timeseries), {
    [k("process_memory_usage_bytes", { area: "heap" })]: [[1024.5, T]],
  });
  assert.deepEqual(r.metadata, [{
    type: 2,
    metricFamilyName: "process_memory_usage_bytes",
    help: "RSS",
    unit: "bytes",
  }]);
  assert.deepEqual(r.dropped, []);
});

Deno.test("otlpMetricsToPrometheus() emits target_info with the non-identifying resource attributes", () => {
  const r = translate(request([{
    name: "up",
    gauge: { dataPoints: [{ timeUnixNano: tNs(T), asInt: 1 }] },
  }], [str("host.name", "node-7"), { key: "k8s.pod.count", value: { intValue: 3 } }]));
  assert.deepEqual(samples(r.timeseries), {
    [k("up")]: [[1, T]],
    'target_info{host_name="node-7",instance="pod-1",job="shop/checkout",k8s_pod_count="3",tenant_id="acme"}':
      [[1, T]],
  });
});

Deno.test("otlpMetricsToPrometheus() maps a cumulative monotonic sum to a _total counter with exemplars", () => {
  const r = translate(request([{
    name: "http.requests",
    unit: "{request}",
    sum: {
      aggregationTemporality: 2,
      isMonotonic: true,
      dataPoints: [
        {
          attributes: [str("http.method", "GET")],
          timeUnixNano: tNs(T + 1000),
          asInt: 7,
          exemplars: [{
            timeUnixNano: tNs(T + 500),
            asDouble: 1,
            traceId: new Uint8Array(16).fill(0xab),
            spanId: new Uint8Array(8).fill(0x01),
            filteredAttributes: [str("user", "u1")],
          }],
        },
        { attributes: [str("http.method", "GET")], timeUnixNano: tNs(T), asInt: 5 },
      ],
    },
  }]));
  const key = k("http_requests_total", { http_method: "GET" });
  assert.deepEqual(samples(r.timeseries), { [key]: [[5, T], [7, T + 1000]] }); // time-ordered
  const series = r.timeseries[0]!;
  assert.deepEqual(series.exemplars, [{
    labels: [
      { name: "span_id", value: "0101010101010101" },
      { name: "trace_id", value: "ab".repeat(16) },
      { name: "user", value: "u1" },
    ],
    value: 1,
    timestamp: T + 500,
  }]);
  assert.equal(r.metadata[0]!.type, 1);
});

Deno.test("otlpMetricsToPrometheus() maps a cumulative non-monotonic sum to a gauge without _total", () => {
  const r = translate(request([{
    name: "queue.depth",
    unit: "{item}",
    sum: {
      aggregationTemporality: "AGGREGATION_TEMPORALITY_CUMULATIVE",
      isMonotonic: false,
      dataPoints: [{ timeUnixNano: tNs(T), asDouble: -3 }],
    },
  }]));
  assert.deepEqual(samples(r.timeseries), { [k("queue_depth")]: [[-3, T]] });
  assert.equal(r.metadata[0]!.type, 2);
});

Deno.test("otlpMetricsToPrometheus() reports delta sums (monotonic or not) as dropped, not silently", () => {
  const r = translate(request([
    {
      name: "delta.counter",
      sum: {
        aggregationTemporality: 1,
        isMonotonic: true,
        dataPoints: [{ timeUnixNano: tNs(T), asInt: 1 }, { timeUnixNano: tNs(T), asInt: 2 }],
      },
    },
    {
      name: "delta.updown",
      sum: {
        aggregationTemporality: 1,
        isMonotonic: false,
        dataPoints: [{ timeUnixNano: tNs(T), asInt: 1 }],
      },
    },
  ]));
  assert.deepEqual(r.timeseries, []);
  assert.deepEqual(r.dropped, [
    { metric: "delta.counter", reason: "delta_temporality", points: 2 },
    { metric: "delta.updown", reason: "delta_temporality", points: 1 },
  ]);
});

Deno.test("otlpMetricsToPrometheus() maps a cumulative histogram to _bucket{le}, _sum and _count", () => {
  const r = translate(request([{
    name: "http.server.duration",
    unit: "s",
    histogram: {
      aggregationTemporality: 2,
      dataPoints: [{
        attributes: [str("route", "/a")],
        timeUnixNano: tNs(T),
        count: 6,
        sum: 5.5,
        explicitBounds: [0.1, 1],
        bucketCounts: [1, 2, 3],
        exemplars: [{ timeUnixNano: tNs(T), asDouble: 0.5, traceId: new Uint8Array(16).fill(1) }],
      }],
    },
  }]));
  assert.deepEqual(samples(r.timeseries), {
    [k("http_server_duration_seconds_bucket", { le: "0.1", route: "/a" })]: [[1, T]],
    [k("http_server_duration_seconds_bucket", { le: "1", route: "/a" })]: [[3, T]],
    [k("http_server_duration_seconds_bucket", { le: "+Inf", route: "/a" })]: [[
      6,
      T,
    ]],
    [k("http_server_duration_seconds_sum", { route: "/a" })]: [[5.5, T]],
    [k("http_server_duration_seconds_count", { route: "/a" })]: [[6, T]],
  });
  // The exemplar (0.5) belongs to the first bucket whose bound holds it: le="1".
  const withExemplar = r.timeseries.filter((s) => s.exemplars.length > 0).map(seriesKey);
  assert.deepEqual(withExemplar, [
    k("http_server_duration_seconds_bucket", { le: "1", route: "/a" }),
  ]);
  assert.equal(r.metadata[0]!.type, 3);
});

Deno.test("otlpMetricsToPrometheus() omits _sum when the histogram has none and drops malformed points", () => {
  const r = translate(request([{
    name: "h",
    histogram: {
      aggregationTemporality: 2,
      dataPoints: [
        { timeUnixNano: tNs(T), count: 2, explicitBounds: [], bucketCounts: [2] },
        { timeUnixNano: tNs(T), count: 2, explicitBounds: [1, 2], bucketCounts: [2] },
      ],
    },
  }]));
  assert.deepEqual(samples(r.timeseries), {
    [k("h_bucket", { le: "+Inf" })]: [[2, T]],
    [k("h_count")]: [[2, T]],
  });
  assert.deepEqual(r.dropped, [{ metric: "h", reason: "invalid_histogram", points: 1 }]);
});

Deno.test("otlpMetricsToPrometheus() drops delta histograms and delta exponential histograms", () => {
  const r = translate(request([
    {
      name: "dh",
      histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: tNs(T), count: 1 }] },
    },
    {
      name: "deh",
      exponentialHistogram: {
        aggregationTemporality: 1,
        dataPoints: [{ timeUnixNano: tNs(T), count: 1 }],
      },
    },
  ]));
  assert.deepEqual(r.timeseries, []);
  assert.deepEqual(r.dropped.map((d) => [d.metric, d.reason]), [["dh", "delta_temporality"], [
    "deh",
    "delta_temporality",
  ]]);
});

Deno.test("otlpMetricsToPrometheus() maps a cumulative exponential histogram to a native histogram", () => {
  const r = translate(request([{
    name: "latency",
    unit: "ms",
    exponentialHistogram: {
      aggregationTemporality: 2,
      dataPoints: [{
        timeUnixNano: tNs(T),
        count: 6,
        sum: 10,
        scale: 0,
        zeroCount: 1,
        positive: { offset: 0, bucketCounts: [1, 0, 2] },
        negative: { offset: -2, bucketCounts: [2] },
      }],
    },
  }]));
  assert.equal(r.timeseries.length, 1);
  const s = r.timeseries[0]!;
  assert.equal(seriesKey(s), k("latency_milliseconds"));
  assert.deepEqual(s.samples, []);
  assert.deepEqual(s.histograms, [{
    countInt: 6,
    sum: 10,
    schema: 0,
    zeroThreshold: 1e-128,
    zeroCountInt: 1,
    // OTLP bucket i is (2^i, 2^(i+1)]; Prometheus indexes it by its upper bound: i+1.
    positiveSpans: [{ offset: 1, length: 3 }],
    positiveDeltas: [1, -1, 2],
    negativeSpans: [{ offset: -1, length: 1 }],
    negativeDeltas: [2],
    resetHint: 0,
    timestamp: T,
  }]);
  assert.equal(r.metadata[0]!.type, 3);
});

Deno.test("otlpMetricsToPrometheus() downscales exponential histograms finer than schema 8", () => {
  const r = translate(request([{
    name: "fine",
    exponentialHistogram: {
      aggregationTemporality: 2,
      dataPoints: [{
        timeUnixNano: tNs(T),
        count: 8,
        scale: 10,
        zeroThreshold: 0.001,
        positive: { offset: -4, bucketCounts: [1, 1, 1, 1, 1, 1, 1, 1] },
      }],
    },
  }]));
  const h = r.timeseries[0]!.histograms[0]!;
  // Scale 10 → 8 merges 4 neighbours: indices -4..-1 → -1 and 0..3 → 0; +1 for Prometheus.
  assert.equal(h.schema, 8);
  assert.deepEqual(h.positiveSpans, [{ offset: 0, length: 2 }]);
  assert.deepEqual(h.positiveDeltas, [4, 0]);
  assert.equal(h.zeroThreshold, 0.001);
});

Deno.test("otlpMetricsToPrometheus() reports exponential histograms coarser than schema -4", () => {
  const r = translate(request([{
    name: "coarse",
    exponentialHistogram: {
      aggregationTemporality: 2,
      dataPoints: [{ timeUnixNano: tNs(T), count: 1, scale: -5 }],
    },
  }]));
  assert.deepEqual(r.timeseries, []);
  assert.deepEqual(r.dropped, [{ metric: "coarse", reason: "scale_out_of_range", points: 1 }]);
});

Deno.test("otlpMetricsToPrometheus() maps a summary to quantile series in ascending order, _sum and _count", () => {
  const r = translate(request([{
    name: "rpc.latency",
    unit: "ms",
    summary: {
      dataPoints: [{
        timeUnixNano: tNs(T),
        count: 10,
        sum: 123.4,
        quantileValues: [{ quantile: 0.99, value: 30 }, { quantile: 0.5, value: 10 }],
      }],
    },
  }]));
  assert.deepEqual(samples(r.timeseries), {
    [k("rpc_latency_milliseconds", { quantile: "0.5" })]: [[10, T]],
    [k("rpc_latency_milliseconds", { quantile: "0.99" })]: [[30, T]],
    [k("rpc_latency_milliseconds_sum")]: [[123.4, T]],
    [k("rpc_latency_milliseconds_count")]: [[10, T]],
  });
  assert.equal(r.metadata[0]!.type, 5);
});

Deno.test("otlpMetricsToPrometheus() turns NoRecordedValue points into Prometheus stale markers", () => {
  const r = translate(request([{
    name: "g",
    gauge: { dataPoints: [{ timeUnixNano: tNs(T), asDouble: 3, flags: 1 }] },
  }]));
  assert.equal(r.timeseries[0]!.samples[0]!.stale, true);
});

Deno.test("otlpMetricsToPrometheus() reports points without a value and metrics without data", () => {
  const r = translate(request([
    { name: "novalue", gauge: { dataPoints: [{ timeUnixNano: tNs(T) }] } },
    { name: "empty" },
  ]));
  assert.deepEqual(r.timeseries, []);
  assert.deepEqual(r.dropped, [
    { metric: "novalue", reason: "no_value", points: 1 },
    { metric: "empty", reason: "no_data", points: 1 },
  ]);
});

Deno.test("otlpMetricsToPrometheus() stamps the envelope tenant over a client-supplied tenant_id", () => {
  const r = translate(request([{
    name: "g",
    gauge: {
      dataPoints: [{ timeUnixNano: tNs(T), asDouble: 1, attributes: [str("tenant_id", "evil")] }],
    },
  }]));
  assert.deepEqual(Object.keys(samples(r.timeseries)), [k("g")]);
});

Deno.test("otlpMetricsToPrometheus() uses the fallback time for points without a timestamp", () => {
  const r = translate(request([{ name: "g", gauge: { dataPoints: [{ asDouble: 1 }] } }]));
  assert.equal(r.timeseries[0]!.samples[0]!.timestamp, 42);
});

Deno.test("otlpMetricsToPrometheus() keeps the last of two points with the same timestamp", () => {
  const r = translate(request([{
    name: "g",
    gauge: {
      dataPoints: [{ timeUnixNano: tNs(T), asDouble: 1 }, { timeUnixNano: tNs(T), asDouble: 2 }],
    },
  }]));
  assert.deepEqual(r.timeseries[0]!.samples, [{ value: 2, timestamp: T }]);
});
