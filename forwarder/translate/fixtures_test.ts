/**
 * The metrics translation over payloads exported by a real OpenTelemetry SDK (telemetrygen,
 * OpenTelemetry Go SDK, OTLP/HTTP protobuf; see testdata/capture.ts), one per metric type and
 * temporality. The expected Prometheus series are written out by hand from the specification
 * ("Prometheus and OpenMetrics compatibility", OTLP Metric points to Prometheus).
 */
import assert from "node:assert/strict";
import { decodeOtlp } from "../../lib/codec/mod.ts";
import { otlpMetricsToPrometheus, seriesKey } from "./metrics_to_prom.ts";

const dir = new URL("./testdata/", import.meta.url);
const load = (name: string) =>
  otlpMetricsToPrometheus(decodeOtlp("metrics", Deno.readFileSync(new URL(name, dir))), {
    tenant: "acme",
    fallbackTimeMs: 1,
  });
// telemetrygen labels every point with http.route and names its service fixture-svc; its scope
// is empty, so there are no otel_scope_* labels; its resource has nothing beyond service.name
// (and the tenant stamp), so there is no target_info.
const L = 'http_route="/checkout",job="fixture-svc",tenant_id="acme"';

Deno.test("fixture gauge (cumulative): one gauge sample at the point's time in ms", () => {
  const r = load("gauge-cumulative.pb");
  assert.deepEqual(r.timeseries.map((s) => [seriesKey(s), s.samples]), [
    [`gen{${L}}`, [{ value: 0, timestamp: 1796320976674 }]],
  ]);
  assert.deepEqual(r.metadata, [{ type: 2, metricFamilyName: "gen", help: "", unit: "" }]);
  assert.deepEqual(r.dropped, []);
});

Deno.test("fixture monotonic sum (cumulative): a counter named with _total", () => {
  const r = load("sum-cumulative.pb");
  assert.deepEqual(r.timeseries.map((s) => [seriesKey(s), s.samples]), [
    [`gen_total{${L}}`, [{ value: 0, timestamp: 1796320976750 }]],
  ]);
  assert.equal(r.metadata[0]!.type, 1);
});

Deno.test("fixture monotonic sum (delta): not representable, reported as dropped", () => {
  const r = load("sum-delta.pb");
  assert.deepEqual(r.timeseries, []);
  assert.deepEqual(r.dropped, [{ metric: "gen", reason: "delta_temporality", points: 1 }]);
});

Deno.test("fixture histogram (cumulative): cumulative _bucket{le} counts, _sum and _count", () => {
  const r = load("histogram-cumulative.pb");
  const t = 1796320976778;
  // bucket_counts 0,0,1,0,0,0,3,4,1,1,0… over bounds 0,5,10,25,50,75,100,250,500,750,1000,…
  const buckets: [string, number][] = [
    ["0", 0],
    ["5", 0],
    ["10", 1],
    ["25", 1],
    ["50", 1],
    ["75", 1],
    ["100", 4],
    ["250", 8],
    ["500", 9],
    ["750", 10],
    ["1000", 10],
    ["2500", 10],
    ["5000", 10],
    ["7500", 10],
    ["10000", 10],
    ["+Inf", 10],
  ];
  const want: [string, { value: number; timestamp: number }[]][] = buckets.map(([le, v]) => [
    `gen_bucket{http_route="/checkout",job="fixture-svc",le="${le}",tenant_id="acme"}`,
    [{ value: v, timestamp: t }],
  ]);
  want.push([`gen_sum{${L}}`, [{ value: 3940, timestamp: t }]]);
  want.push([`gen_count{${L}}`, [{ value: 10, timestamp: t }]]);
  assert.deepEqual(r.timeseries.map((s) => [seriesKey(s), s.samples]), want);
  assert.equal(r.metadata[0]!.type, 3);
});

Deno.test("fixture histogram (delta): not representable, reported as dropped", () => {
  const r = load("histogram-delta.pb");
  assert.deepEqual(r.timeseries, []);
  assert.deepEqual(r.dropped, [{ metric: "gen", reason: "delta_temporality", points: 1 }]);
});

Deno.test("fixture exponential histogram (cumulative): a native histogram, indices shifted by one", () => {
  const r = load("exponentialhistogram-cumulative.pb");
  assert.deepEqual(r.timeseries.map((s) => [seriesKey(s), s.samples, s.histograms]), [[
    `gen{${L}}`,
    [],
    [{
      countInt: 15,
      sum: 7540,
      schema: 0,
      zeroThreshold: 1e-128,
      zeroCountInt: 0,
      // positive offset 4, counts 1,1,1,2,1,9 → Prometheus buckets 5…10, delta-encoded
      positiveSpans: [{ offset: 5, length: 6 }],
      positiveDeltas: [1, 0, 0, 1, -1, 8],
      negativeSpans: [],
      negativeDeltas: [],
      resetHint: 0,
      timestamp: 1796320976804,
    }],
  ]]);
});

Deno.test("fixture exponential histogram (delta): dropped, as the specification requires", () => {
  const r = load("exponentialhistogram-delta.pb");
  assert.deepEqual(r.timeseries, []);
  assert.deepEqual(r.dropped, [{ metric: "gen", reason: "delta_temporality", points: 1 }]);
});

Deno.test("Collector fixture (lib/codec): every series carries the envelope tenant, never the spoofed one", () => {
  const bytes = Deno.readFileSync(
    new URL("../../lib/codec/testdata/otelcol/metrics.pb", import.meta.url),
  );
  const r = otlpMetricsToPrometheus(decodeOtlp("metrics", bytes), {
    tenant: "acme",
    fallbackTimeMs: 1,
  });
  assert.ok(r.timeseries.length > 0);
  for (const s of r.timeseries) {
    assert.deepEqual(s.labels.filter((l) => l.name === "tenant_id"), [{
      name: "tenant_id",
      value: "acme",
    }]);
    // Labels are sorted by name, as remote write requires.
    const names = s.labels.map((l) => l.name);
    assert.deepEqual(names, [...names].sort());
  }
});
