/**
 * Golden fixtures captured from real clients (see testdata/README.md): the fixtures are
 * valid, decoders round-trip them, and encoders reproduce them byte for byte where the
 * encoding is canonical. The Collector's protobuf is *not* canonical — pdata writes fields in
 * descending field-number order and writes empty trace/span ids — so OTLP fixtures are
 * compared semantically (via the OTLP/JSON form, which drops default values), and the
 * byte-for-byte check there is that re-encoding is stable. JSON text, snappy and gzip
 * streams are not canonical either; their decoded content is compared.
 */
import assert from "node:assert/strict";
import { gunzipBounded } from "./gzip.ts";
import {
  decodeOtlp,
  encodeOtlp,
  otlpJsonToProtobuf,
  otlpProtobufToJson,
  type Signal,
  splitOtlp,
  stampOtlpTenant,
} from "./otlp.ts";
import { attributesToRecord } from "./otlp_types.ts";
import {
  decodeWriteRequestV1,
  encodeWriteRequestV1,
  splitRemoteWriteV1,
  stampRemoteWriteV1,
} from "./remote_write/v1.ts";
import {
  decodeWriteRequestV2,
  encodeWriteRequestV2,
  remoteWriteV2ToV1,
  splitRemoteWriteV2,
  stampRemoteWriteV2,
} from "./remote_write/v2.ts";
import { snappyDecode, snappyEncode } from "./snappy.ts";
import { assertBytesEqual } from "./_test_util.ts";

interface Fixture {
  file: string;
  client: string;
  kind: "otlp" | "prom-rw-v1" | "prom-rw-v2";
  signal?: Signal;
  contentType: string;
  contentEncoding?: string;
  sameDataAs?: string[];
}

const DIR = new URL("./testdata/", import.meta.url);
const manifest = JSON.parse(Deno.readTextFileSync(new URL("manifest.json", DIR))) as {
  fixtures: Fixture[];
};
const read = (file: string) => Deno.readFileSync(new URL(file, DIR));

/** The request body: gunzipped when the client sent it gzip'd. */
async function body(f: Fixture): Promise<Uint8Array> {
  const raw = read(f.file);
  return f.contentEncoding === "gzip" ? await gunzipBounded(raw, 64 << 20) : raw;
}

/** Protobuf of an OTLP fixture, whatever its encoding. */
async function otlpProtobuf(f: Fixture): Promise<Uint8Array> {
  const b = await body(f);
  return f.contentType.includes("json")
    ? otlpJsonToProtobuf(f.signal!, new TextDecoder().decode(b))
    : b;
}

// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("testdata: the manifest lists every fixture file, and every listed file exists", () => {
  const onDisk: string[] = [];
  for (const dir of ["otelcol", "prometheus"]) {
    for (const e of Deno.readDirSync(new URL(`${dir}/`, DIR))) onDisk.push(`${dir}/${e.name}`);
  }
  assert.deepEqual(onDisk.sort(), manifest.fixtures.map((f) => f.file).sort());
  const kinds = new Set(manifest.fixtures.map((f) => `${f.kind}:${f.signal ?? ""}`));
  for (const k of ["otlp:logs", "otlp:metrics", "otlp:traces"]) assert.ok(kinds.has(k), k);
});

for (const f of manifest.fixtures.filter((x) => x.kind === "otlp")) {
  const signal = f.signal!;

  Deno.test(`fixture ${f.file}: decodes strictly and round-trips`, async () => {
    const pb = await otlpProtobuf(f);
    const json = otlpProtobufToJson(signal, pb);
    // Decode → encode keeps the meaning, and a second pass is byte-stable (canonical).
    const re = encodeOtlp(signal, decodeOtlp(signal, pb));
    assert.deepEqual(JSON.parse(otlpProtobufToJson(signal, re)), JSON.parse(json));
    assertBytesEqual(encodeOtlp(signal, decodeOtlp(signal, re)), re, "canonical re-encoding");
    // JSON both ways.
    const viaJson = otlpJsonToProtobuf(signal, json);
    assert.deepEqual(JSON.parse(otlpProtobufToJson(signal, viaJson)), JSON.parse(json));
    if (f.contentType.includes("json")) {
      // Our JSON of the Collector's JSON request is the Collector's JSON, key for key.
      const collectorJson = JSON.parse(new TextDecoder().decode(await body(f)));
      assert.deepEqual(JSON.parse(json), collectorJson);
    }
  });

  for (const other of f.sameDataAs ?? []) {
    Deno.test(`fixture ${f.file}: holds the same request as ${other}`, async () => {
      const o = manifest.fixtures.find((x) => x.file === other)!;
      // The Collector's JSON and protobuf of one batch mean the same to our codecs.
      assert.deepEqual(
        JSON.parse(otlpProtobufToJson(signal, await otlpProtobuf(f))),
        JSON.parse(otlpProtobufToJson(signal, await otlpProtobuf(o))),
      );
    });
  }

  Deno.test(`fixture ${f.file}: stamping replaces the spoofed tenant_id`, async () => {
    const pb = await otlpProtobuf(f);
    const out = stampOtlpTenant(signal, pb, "tenant-a");
    const dec = decodeOtlp(signal, out.bytes) as Any;
    const key = { logs: "resourceLogs", metrics: "resourceMetrics", traces: "resourceSpans" }[
      signal
    ];
    assert.equal(out.resources, dec[key].length);
    assert.ok(out.records > 0);
    for (const rx of dec[key]) {
      const attrs = rx.resource.attributes.filter((a: Any) => a.key === "tenant_id");
      assert.equal(attrs.length, 1);
      assert.equal(attributesToRecord(attrs).tenant_id, "tenant-a");
    }
    // Stamped output splits into valid pieces.
    for (const ch of splitOtlp(signal, out.bytes, Math.max(1000, out.bytes.length >> 2))) {
      decodeOtlp(signal, ch);
    }
  });
}

for (const f of manifest.fixtures.filter((x) => x.kind === "prom-rw-v1")) {
  Deno.test(`fixture ${f.file}: snappy 1.0 WriteRequest decodes, re-encodes, stamps`, () => {
    assert.equal(f.contentEncoding, "snappy");
    assert.match(f.contentType, /^application\/x-protobuf/);
    const raw = snappyDecode(read(f.file), 64 << 20);
    assertBytesEqual(snappyDecode(snappyEncode(raw), raw.length), raw, "snappy round trip");
    const req = decodeWriteRequestV1(raw);
    assertBytesEqual(encodeWriteRequestV1(req), raw, "re-encoded WriteRequest");
    const out = stampRemoteWriteV1(raw, "tenant-a");
    assert.equal(out.series, req.timeseries.length);
    assert.equal(out.samples, req.timeseries.reduce((n, ts) => n + ts.samples.length, 0));
    assert.equal(out.histograms, req.timeseries.reduce((n, ts) => n + ts.histograms.length, 0));
    const stamped = decodeWriteRequestV1(out.bytes);
    for (const ts of stamped.timeseries) {
      const names = ts.labels.map((l) => l.name);
      assert.deepEqual(names, [...names].sort());
      assert.equal(ts.labels.find((l) => l.name === "tenant_id")?.value, "tenant-a");
    }
    assert.equal(stamped.metadata.length, req.metadata.length);
    const chunks = splitRemoteWriteV1(out.bytes, Math.max(2000, out.bytes.length >> 2));
    assert.equal(
      chunks.reduce((n, c) => n + decodeWriteRequestV1(c).timeseries.length, 0),
      req.timeseries.length,
    );
  });
}

for (const f of manifest.fixtures.filter((x) => x.kind === "prom-rw-v2")) {
  Deno.test(`fixture ${f.file}: snappy 2.0 Request decodes, re-encodes, stamps, converts`, () => {
    assert.equal(f.contentEncoding, "snappy");
    assert.match(f.contentType, /proto=io\.prometheus\.write\.v2\.Request/);
    const raw = snappyDecode(read(f.file), 64 << 20);
    const req = decodeWriteRequestV2(raw);
    assertBytesEqual(encodeWriteRequestV2(req), raw, "re-encoded Request");
    assert.equal(req.symbols[0], "");
    const out = stampRemoteWriteV2(raw, "tenant-a");
    assert.equal(out.series, req.timeseries.length);
    assert.equal(out.samples, req.timeseries.reduce((n, ts) => n + ts.samples.length, 0));
    assert.equal(out.histograms, req.timeseries.reduce((n, ts) => n + ts.histograms.length, 0));
    const stamped = decodeWriteRequestV2(out.bytes);
    const v1 = remoteWriteV2ToV1(stamped);
    for (const ts of v1.timeseries) {
      const names = ts.labels.map((l) => l.name);
      assert.deepEqual(names, [...names].sort());
      assert.equal(ts.labels.find((l) => l.name === "tenant_id")?.value, "tenant-a");
    }
    const chunks = splitRemoteWriteV2(out.bytes, Math.max(2000, out.bytes.length >> 2));
    assert.equal(
      chunks.reduce((n, c) => n + decodeWriteRequestV2(c).timeseries.length, 0),
      req.timeseries.length,
    );
  });
}
