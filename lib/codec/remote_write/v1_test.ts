import assert from "node:assert/strict";
import { protoRoot } from "../proto.ts";
import { assertBytesEqual, assertCodecError } from "../_test_util.ts";
import {
  decodeWriteRequestV1,
  encodeWriteRequestV1,
  splitRemoteWriteV1,
  stampRemoteWriteV1,
  type WriteRequestV1,
} from "./v1.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

function encode(obj: Any): Uint8Array {
  const T = protoRoot().lookupType("prometheus.WriteRequest");
  return T.encode(T.fromObject(obj)).finish();
}

const labels = (o: Record<string, string>) =>
  Object.entries(o).map(([name, value]) => ({ name, value }));

function sample(n = 3): Any {
  return {
    timeseries: Array.from({ length: n }, (_, i) => ({
      labels: labels({ __name__: "up", instance: `host-${i}:9100`, job: "node" }),
      samples: [{ value: i, timestamp: 1700000000000 + i }],
      exemplars: i === 0
        ? [{ labels: labels({ trace_id: "abc" }), value: 1, timestamp: 1700000000000 }]
        : [],
      histograms: i === 1
        ? [{
          countInt: 10,
          sum: 5.5,
          schema: 3,
          zeroThreshold: 1e-128,
          zeroCountInt: 1,
          positiveSpans: [{ offset: -2, length: 2 }],
          positiveDeltas: [3, -1],
          timestamp: 1700000000000,
        }]
        : [],
    })),
    metadata: [{ type: 1, metricFamilyName: "up", help: "target up", unit: "" }],
  };
}

const names = (ts: Any) => ts.labels.map((l: Any) => `${l.name}=${l.value}`);

Deno.test("stampRemoteWriteV1() replaces a client tenant_id, keeps labels sorted, counts", () => {
  const req = sample(3);
  req.timeseries[0].labels.push({ name: "tenant_id", value: "other" });
  req.timeseries[1].labels = labels({ zone: "a", __name__: "m", tenant_id: "x", alpha: "1" });
  const out = stampRemoteWriteV1(encode(req), "acme");
  assert.deepEqual(
    [out.series, out.samples, out.histograms, out.exemplars],
    [3, 3, 1, 1],
  );
  const dec = decodeWriteRequestV1(out.bytes);
  assert.deepEqual(names(dec.timeseries[0]), [
    "__name__=up",
    "instance=host-0:9100",
    "job=node",
    "tenant_id=acme",
  ]);
  assert.deepEqual(names(dec.timeseries[1]), [
    "__name__=m",
    "alpha=1",
    "tenant_id=acme",
    "zone=a",
  ]);
  // Samples, exemplars, histograms and metadata pass through unchanged.
  const orig = decodeWriteRequestV1(encode(req));
  for (let i = 0; i < 3; i++) {
    const T = protoRoot().lookupType("prometheus.TimeSeries");
    const strip = (ts: Any) => T.toObject(ts, { longs: String, defaults: false, oneofs: true });
    const a = strip(dec.timeseries[i]);
    const b = strip(orig.timeseries[i]);
    delete a.labels;
    delete b.labels;
    assert.deepEqual(a, b);
  }
  assert.deepEqual(dec.metadata.map((m) => m.help), ["target up"]);
});

Deno.test("stampRemoteWriteV1() output equals decode, edit, encode for canonical input", () => {
  const input = encode(sample(5));
  const dec = decodeWriteRequestV1(input) as Any;
  for (const ts of dec.timeseries) {
    ts.labels.push({ name: "tenant_id", value: "t1" });
    ts.labels.sort((a: Any, b: Any) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  // protobufjs writes fields in number order: labels, samples, exemplars, histograms.
  assertBytesEqual(stampRemoteWriteV1(input, "t1").bytes, encodeWriteRequestV1(dec));
});

Deno.test("stampRemoteWriteV1() refuses missing __name__, duplicate and empty label names", () => {
  const noName = { timeseries: [{ labels: labels({ job: "x" }), samples: [{ value: 1 }] }] };
  assertCodecError(() => stampRemoteWriteV1(encode(noName), "acme"), "invalid");
  const dup = {
    timeseries: [{
      labels: [...labels({ __name__: "m", job: "x" }), { name: "job", value: "y" }],
      samples: [{ value: 1 }],
    }],
  };
  const e = assertCodecError(() => stampRemoteWriteV1(encode(dup), "acme"), "invalid");
  assert.match(e.message, /duplicate label name "job"/);
  const empty = {
    timeseries: [{ labels: [...labels({ __name__: "m" }), { name: "", value: "v" }] }],
  };
  assertCodecError(() => stampRemoteWriteV1(encode(empty), "acme"), "invalid");
  // Two client tenant_id labels are both removed, not a duplicate error.
  const twoTenants = {
    timeseries: [{
      labels: [...labels({ __name__: "m", tenant_id: "a" }), { name: "tenant_id", value: "b" }],
    }],
  };
  const out = decodeWriteRequestV1(stampRemoteWriteV1(encode(twoTenants), "acme").bytes);
  assert.deepEqual(names(out.timeseries[0]), ["__name__=m", "tenant_id=acme"]);
  // A label with an empty value is the same as no label (Prometheus data model).
  const emptyValue = { timeseries: [{ labels: labels({ __name__: "m", env: "" }) }] };
  const ev = decodeWriteRequestV1(stampRemoteWriteV1(encode(emptyValue), "acme").bytes);
  assert.deepEqual(names(ev.timeseries[0]), ["__name__=m", "tenant_id=acme"]);
});

Deno.test("stampRemoteWriteV1() sorts label names byte-wise, as Prometheus does", () => {
  const req = {
    timeseries: [{ labels: labels({ b: "1", B: "2", __name__: "m", "é": "3", a_b: "4" }) }],
  };
  const out = decodeWriteRequestV1(stampRemoteWriteV1(encode(req), "acme").bytes);
  assert.deepEqual(out.timeseries[0]!.labels.map((l) => l.name), [
    "B",
    "__name__",
    "a_b",
    "b",
    "tenant_id",
    "é",
  ]);
});

Deno.test("decodeWriteRequestV1() and stampRemoteWriteV1() refuse malformed bytes", () => {
  const good = encode(sample(1));
  assertCodecError(() => decodeWriteRequestV1(good.subarray(0, good.length - 1)), "invalid");
  assertCodecError(() => stampRemoteWriteV1(good.subarray(0, good.length - 1), "a"), "invalid");
  assertCodecError(() => decodeWriteRequestV1(new TextEncoder().encode("garbage!")), "invalid");
  const i = good.indexOf(0x75); // 'u' of "up"
  const bad = good.slice();
  bad[i] = 0xff;
  assertCodecError(() => stampRemoteWriteV1(bad, "acme"), "invalid");
});

Deno.test("splitRemoteWriteV1() splits by series, metadata first, every chunk valid", () => {
  const input = stampRemoteWriteV1(encode(sample(200)), "acme").bytes;
  const chunks = splitRemoteWriteV1(input, 2000);
  assert.ok(chunks.length > 3);
  const all: WriteRequestV1["timeseries"] = [];
  chunks.forEach((ch, i) => {
    assert.ok(ch.length <= 2000);
    const d = decodeWriteRequestV1(ch);
    assert.equal(d.metadata.length, i === 0 ? 1 : 0);
    all.push(...d.timeseries);
  });
  assert.deepEqual(
    all.map((ts) => names(ts).join(",")),
    decodeWriteRequestV1(input).timeseries.map((ts) => names(ts).join(",")),
  );
  assert.deepEqual(splitRemoteWriteV1(input, input.length), [input]);
  assertCodecError(() => splitRemoteWriteV1(input, 50), "too_large");
});
