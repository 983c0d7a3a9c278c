import assert from "node:assert/strict";
import { protoRoot } from "../proto.ts";
import { assertCodecError } from "../_test_util.ts";
import {
  decodeWriteRequestV2,
  encodeWriteRequestV2,
  remoteWriteV2ToV1,
  splitRemoteWriteV2,
  stampRemoteWriteV2,
  type WriteRequestV2,
} from "./v2.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

function encode(obj: Any): Uint8Array {
  const T = protoRoot().lookupType("io.prometheus.write.v2.Request");
  return T.encode(T.fromObject(obj)).finish();
}

/** Builds a request from plain label maps, with its symbol table. */
function build(series: { labels: Record<string, string>; extra?: Any }[]): Any {
  const symbols = [""];
  const ref = (s: string) => {
    let i = symbols.indexOf(s);
    if (i < 0) i = symbols.push(s) - 1;
    return i;
  };
  const timeseries = series.map(({ labels, extra }) => ({
    labelsRefs: Object.entries(labels).flatMap(([k, v]) => [ref(k), ref(v)]),
    samples: [{ value: 1, timestamp: 1700000000000 }],
    metadata: { type: 1, helpRef: ref("help text"), unitRef: 0 },
    ...extra,
  }));
  return { symbols, timeseries };
}

function labelsOf(req: WriteRequestV2, i: number): string[] {
  const ts = req.timeseries[i]!;
  const out: string[] = [];
  for (let j = 0; j < ts.labelsRefs.length; j += 2) {
    out.push(`${req.symbols[ts.labelsRefs[j]!]}=${req.symbols[ts.labelsRefs[j + 1]!]}`);
  }
  return out;
}

Deno.test("stampRemoteWriteV2() adds tenant symbols, drops client tenant_id, sorts, counts", () => {
  const req = build([
    { labels: { __name__: "up", job: "node", tenant_id: "other" } },
    {
      labels: { zone: "a", __name__: "h" },
      extra: {
        samples: [],
        histograms: [{ countInt: 3, sum: 1, schema: 0, timestamp: 1700000000000 }],
        exemplars: [{ labelsRefs: [], value: 1, timestamp: 1700000000000 }],
      },
    },
  ]);
  const out = stampRemoteWriteV2(encode(req), "acme");
  assert.deepEqual([out.series, out.samples, out.histograms, out.exemplars], [2, 1, 1, 1]);
  const dec = decodeWriteRequestV2(out.bytes);
  assert.equal(dec.symbols[0], "");
  assert.deepEqual(labelsOf(dec, 0), ["__name__=up", "job=node", "tenant_id=acme"]);
  assert.deepEqual(labelsOf(dec, 1), ["__name__=h", "tenant_id=acme", "zone=a"]);
  // Existing symbols keep their index (metadata refs stay valid).
  assert.deepEqual(dec.symbols.slice(0, req.symbols.length), req.symbols);
  assert.equal(dec.symbols[dec.timeseries[0]!.metadata!.helpRef], "help text");
  // A tenant id that already is a symbol is reused, not added again.
  const again = decodeWriteRequestV2(stampRemoteWriteV2(out.bytes, "acme").bytes);
  assert.equal(again.symbols.length, dec.symbols.length);
});

Deno.test("stampRemoteWriteV2() refuses bad references and label sets", () => {
  const noName = build([{ labels: { job: "x" } }]);
  assertCodecError(() => stampRemoteWriteV2(encode(noName), "a"), "invalid");
  const odd = build([{ labels: { __name__: "m" } }]);
  odd.timeseries[0].labelsRefs.push(1);
  assertCodecError(() => stampRemoteWriteV2(encode(odd), "a"), "invalid");
  const outside = build([{ labels: { __name__: "m" } }]);
  outside.timeseries[0].labelsRefs.push(1, 99);
  assertCodecError(() => stampRemoteWriteV2(encode(outside), "a"), "invalid");
  const badMeta = build([{ labels: { __name__: "m" } }]);
  badMeta.timeseries[0].metadata.unitRef = 500;
  assertCodecError(() => stampRemoteWriteV2(encode(badMeta), "a"), "invalid");
  const badExemplar = build([{
    labels: { __name__: "m" },
    extra: { exemplars: [{ labelsRefs: [7] }] },
  }]);
  assertCodecError(() => stampRemoteWriteV2(encode(badExemplar), "a"), "invalid");
  const noEmptyFirst = build([{ labels: { __name__: "m" } }]);
  noEmptyFirst.symbols[0] = "x";
  assertCodecError(() => stampRemoteWriteV2(encode(noEmptyFirst), "a"), "invalid");
  const dup = build([{ labels: { __name__: "m" } }]);
  dup.timeseries[0].labelsRefs.push(1, 2);
  assertCodecError(() => stampRemoteWriteV2(encode(dup), "a"), "invalid");
});

Deno.test("stampRemoteWriteV2() accepts unpacked labels_refs and an empty request", () => {
  const req = build([{ labels: { __name__: "m", b: "2", a: "1" } }]);
  const bytes = encode(req);
  // Re-encode field 1 of the series unpacked: tag 0x08 per value.
  const ts = req.timeseries[0];
  const T = protoRoot().lookupType("io.prometheus.write.v2.TimeSeries");
  const rest = T.encode(T.fromObject({ ...ts, labelsRefs: [] })).finish();
  const unpacked = new Uint8Array([...ts.labelsRefs.flatMap((r: number) => [0x08, r]), ...rest]);
  const symbolsPart = bytes.subarray(0, bytes.indexOf(0x2a)); // up to the first series field
  const manual = new Uint8Array([...symbolsPart, 0x2a, unpacked.length, ...unpacked]);
  const out = decodeWriteRequestV2(stampRemoteWriteV2(manual, "t").bytes);
  assert.deepEqual(labelsOf(out, 0), ["__name__=m", "a=1", "b=2", "tenant_id=t"]);
  const empty = stampRemoteWriteV2(new Uint8Array(0), "t");
  assert.deepEqual([empty.bytes.length, empty.series, empty.samples], [0, 0, 0]);
});

Deno.test("splitRemoteWriteV2() rebuilds a minimal symbol table per chunk", () => {
  const req = build(
    Array.from({ length: 300 }, (_, i) => ({
      labels: { __name__: `metric_${i % 7}`, instance: `host-${i}`, job: "node" },
      extra: { exemplars: [{ labelsRefs: [], value: i }] },
    })),
  );
  req.symbols.push("trace_id", "abc");
  const t = req.symbols.indexOf("trace_id");
  req.timeseries[5].exemplars[0].labelsRefs = [t, t + 1];
  const input = stampRemoteWriteV2(encode(req), "acme").bytes;
  const whole = decodeWriteRequestV2(input);
  const chunks = splitRemoteWriteV2(input, 1500);
  assert.ok(chunks.length > 5);
  const seen: string[] = [];
  for (const ch of chunks) {
    assert.ok(ch.length <= 1500);
    const d = decodeWriteRequestV2(ch);
    assert.equal(d.symbols[0], "");
    assert.ok(d.symbols.length < whole.symbols.length);
    for (let i = 0; i < d.timeseries.length; i++) {
      seen.push(labelsOf(d, i).join(","));
      assert.equal(d.symbols[d.timeseries[i]!.metadata!.helpRef], "help text");
    }
    // Re-stamping a chunk works: it is a valid request on its own.
    stampRemoteWriteV2(ch, "acme");
  }
  assert.deepEqual(seen, whole.timeseries.map((_, i) => labelsOf(whole, i).join(",")));
  const withExemplar = chunks.map(decodeWriteRequestV2).flatMap((d) =>
    d.timeseries.filter((ts) => ts.exemplars[0]?.labelsRefs.length).map((ts) =>
      ts.exemplars[0]!.labelsRefs.map((r) => d.symbols[r])
    )
  );
  assert.deepEqual(withExemplar, [["trace_id", "abc"]]);
  assertCodecError(() => splitRemoteWriteV2(input, 30), "too_large");
});

Deno.test("remoteWriteV2ToV1() resolves symbols and carries metadata and histograms", () => {
  const req = build([
    { labels: { __name__: "up", job: "x" } },
    {
      labels: { __name__: "lat", job: "x" },
      extra: {
        samples: [],
        histograms: [{
          countFloat: 2.5,
          sum: 1,
          schema: -53,
          customValues: [0.5, 1],
          positiveSpans: [{ offset: 0, length: 2 }],
          positiveCounts: [1, 1.5],
          startTimestamp: 1699999999000,
          timestamp: 1700000000000,
        }],
      },
    },
  ]);
  const v1 = remoteWriteV2ToV1(decodeWriteRequestV2(encode(req)));
  assert.deepEqual(v1.timeseries[0]!.labels, [{ name: "__name__", value: "up" }, {
    name: "job",
    value: "x",
  }]);
  assert.equal(v1.timeseries[0]!.samples[0]!.value, 1);
  const h = v1.timeseries[1]!.histograms[0]!;
  assert.equal(h.countFloat, 2.5);
  assert.equal(h.countInt, undefined);
  assert.deepEqual(h.customValues, [0.5, 1]);
  assert.deepEqual(v1.metadata.map((m) => [m.metricFamilyName, m.type, m.help]), [
    ["up", 1, "help text"],
    ["lat", 1, "help text"],
  ]);
  // It encodes as a valid 1.0 request.
  const T = protoRoot().lookupType("prometheus.WriteRequest");
  assert.equal((T.decode(T.encode(v1).finish()) as Any).timeseries.length, 2);
  assert.ok(encodeWriteRequestV2(decodeWriteRequestV2(encode(req))).length > 0);
});
