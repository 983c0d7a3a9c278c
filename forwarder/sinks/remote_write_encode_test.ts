import assert from "node:assert/strict";
import { protoRoot } from "../../lib/codec/mod.ts";
import type { PromMetadata, PromSeries } from "../translate/prom_types.ts";
import { encodeRemoteWriteV1, encodeRemoteWriteV2 } from "./remote_write_encode.ts";

const T = 1_700_000_000_123;
const series: PromSeries[] = [
  {
    labels: [{ name: "__name__", value: "req_total" }, { name: "tenant_id", value: "acme" }],
    samples: [{ value: 1.5, timestamp: T }, { value: 0, timestamp: T + 1 }],
    exemplars: [{ labels: [{ name: "trace_id", value: "ab" }], value: 1, timestamp: T }],
    histograms: [],
  },
  {
    labels: [{ name: "__name__", value: "lat" }, { name: "tenant_id", value: "acme" }],
    samples: [],
    exemplars: [],
    histograms: [{
      countInt: 6,
      sum: 10,
      schema: -1,
      zeroThreshold: 1e-128,
      zeroCountInt: 0,
      negativeSpans: [],
      negativeDeltas: [],
      positiveSpans: [{ offset: -2, length: 3 }],
      positiveDeltas: [1, -1, 2],
      resetHint: 0,
      timestamp: T,
    }],
  },
];
const metadata: PromMetadata[] = [{
  type: 1,
  metricFamilyName: "req_total",
  help: "Requests",
  unit: "",
}];

function plain(msg: unknown): unknown {
  return JSON.parse(JSON.stringify(msg, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
}

Deno.test("encodeRemoteWriteV1() produces a WriteRequest protobufjs decodes to the same series", () => {
  const type = protoRoot().lookupType("prometheus.WriteRequest");
  const decoded = type.toObject(type.decode(encodeRemoteWriteV1(series, metadata)), {
    longs: Number,
    defaults: true,
  });
  const got = plain(decoded) as { timeseries: Record<string, unknown>[]; metadata: unknown[] };
  assert.deepEqual(got.timeseries[0]!.labels, series[0]!.labels);
  assert.deepEqual(got.timeseries[0]!.samples, series[0]!.samples);
  assert.deepEqual(got.timeseries[0]!.exemplars, series[0]!.exemplars);
  const h = (got.timeseries[1]!.histograms as Record<string, unknown>[])[0]!;
  assert.equal(h.countInt, 6);
  assert.equal(h.sum, 10);
  assert.equal(h.schema, -1);
  assert.equal(h.zeroThreshold, 1e-128);
  assert.deepEqual(h.positiveSpans, [{ offset: -2, length: 3 }]);
  assert.deepEqual(h.positiveDeltas, [1, -1, 2]);
  assert.equal(h.timestamp, T);
  assert.deepEqual(got.metadata, [{
    type: 1,
    metricFamilyName: "req_total",
    help: "Requests",
    unit: "",
  }]);
});

Deno.test("encodeRemoteWriteV2() builds a symbol table starting with the empty string", () => {
  const type = protoRoot().lookupType("io.prometheus.write.v2.Request");
  const got = plain(
    type.toObject(type.decode(encodeRemoteWriteV2(series, metadata)), {
      longs: Number,
      defaults: true,
    }),
  ) as {
    symbols: string[];
    timeseries: {
      labelsRefs: number[];
      samples: unknown[];
      metadata?: { type: number; helpRef: number };
    }[];
  };
  assert.equal(got.symbols[0], "");
  const names = (refs: number[]) => refs.map((r) => got.symbols[r]);
  assert.deepEqual(names(got.timeseries[0]!.labelsRefs), [
    "__name__",
    "req_total",
    "tenant_id",
    "acme",
  ]);
  assert.equal(got.timeseries[0]!.samples.length, 2);
  assert.equal(got.timeseries[0]!.metadata!.type, 1);
  assert.equal(got.symbols[got.timeseries[0]!.metadata!.helpRef], "Requests");
  assert.deepEqual(names(got.timeseries[1]!.labelsRefs), ["__name__", "lat", "tenant_id", "acme"]);
});

Deno.test("encodeRemoteWriteV1() writes staleness markers with Prometheus' exact StaleNaN bits", () => {
  const bytes = encodeRemoteWriteV1([{
    labels: [{ name: "__name__", value: "g" }],
    samples: [{ value: NaN, timestamp: T, stale: true }],
    exemplars: [],
    histograms: [],
  }]);
  // Sample.value is field 1, wire type 1 (tag 0x09), followed by 8 little-endian bytes.
  const at = bytes.indexOf(0x09, bytes.length - 17);
  const bits = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 8).getBigUint64(0, true);
  assert.equal(bits, 0x7ff0000000000002n);
});

Deno.test("encodeRemoteWriteV1() handles strings and messages longer than the reserved length bytes", () => {
  const long = "x".repeat(3_000_000);
  const type = protoRoot().lookupType("prometheus.WriteRequest");
  const decoded = type.decode(encodeRemoteWriteV1([{
    labels: [{ name: "__name__", value: "g" }, { name: "big", value: long }, {
      name: "u",
      value: "ü€😀",
    }],
    samples: [{ value: 1, timestamp: T }],
    exemplars: [],
    histograms: [],
  }])) as unknown as { timeseries: { labels: { name: string; value: string }[] }[] };
  assert.equal(decoded.timeseries[0]!.labels[1]!.value.length, 3_000_000);
  assert.equal(decoded.timeseries[0]!.labels[2]!.value, "ü€😀");
});
