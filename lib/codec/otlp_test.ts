import assert from "node:assert/strict";
import Long from "long";
import {
  decodeOtlp,
  encodeExportResponse,
  encodeOtlp,
  encodeRpcStatus,
  otlpJsonToProtobuf,
  otlpProtobufToJson,
  type Signal,
  splitOtlp,
  stampOtlpTenant,
} from "./otlp.ts";
import { attributesToRecord } from "./otlp_types.ts";
import { protoRoot } from "./proto.ts";
import { sampleRequest } from "./_test_samples.ts";
import { assertBytesEqual, assertCodecError } from "./_test_util.ts";

const SIGNALS: Signal[] = ["logs", "metrics", "traces"];
const RES_KEY = { logs: "resourceLogs", metrics: "resourceMetrics", traces: "resourceSpans" };
const SCOPE_KEY = { logs: "scopeLogs", metrics: "scopeMetrics", traces: "scopeSpans" };

function pb(signal: Signal, obj: unknown): Uint8Array {
  return otlpJsonToProtobuf(signal, JSON.stringify(obj));
}

// deno-lint-ignore no-explicit-any
type Any = any;

/** Every record as JSON text with its resource and scope (for split comparisons). */
function records(signal: Signal, bytes: Uint8Array): string[] {
  const req = JSON.parse(otlpProtobufToJson(signal, bytes)) as Any;
  const out: string[] = [];
  for (const rx of req[RES_KEY[signal]] ?? []) {
    for (const sx of rx[SCOPE_KEY[signal]] ?? []) {
      const ctx = JSON.stringify([rx.resource, rx.schemaUrl, sx.scope, sx.schemaUrl]);
      if (signal === "metrics") {
        for (const m of sx.metrics ?? []) {
          const kind = ["gauge", "sum", "histogram", "exponentialHistogram", "summary"].find((k) =>
            m[k]
          )!;
          const { dataPoints, ...rest } = m[kind];
          const head = JSON.stringify([m.name, m.description, m.unit, m.metadata, kind, rest]);
          for (const dp of dataPoints ?? []) out.push(ctx + head + JSON.stringify(dp));
        }
      } else {
        for (const r of sx.logRecords ?? sx.spans ?? []) out.push(ctx + JSON.stringify(r));
      }
    }
  }
  return out;
}

for (const signal of SIGNALS) {
  Deno.test(`otlpJsonToProtobuf()/otlpProtobufToJson() round-trip a rich ${signal} request`, () => {
    const bytes = pb(signal, sampleRequest(signal));
    const json = otlpProtobufToJson(signal, bytes);
    assertBytesEqual(otlpJsonToProtobuf(signal, json), bytes);
    // And decode → encode gives the same canonical bytes.
    assertBytesEqual(encodeOtlp(signal, decodeOtlp(signal, bytes)), bytes);
    // JSON output follows the OTLP rules: hex ids, int64 as strings, enums as integers.
    assert.ok(!json.includes('"trace_id"'), "keys are lowerCamelCase");
    if (signal !== "metrics") assert.match(json, /"traceId":"5b8efff798038103d269b633813fc60c"/);
    if (signal === "traces") {
      assert.match(json, /"kind":2/);
      assert.match(json, /"startTimeUnixNano":"1700000000123456789"/);
    }
    if (signal === "metrics") {
      assert.match(json, /"asInt":"9007199254740993"/);
      assert.match(json, /"aggregationTemporality":2/);
      // proto3 optional sum = 0 is present and kept.
      assert.match(json, /"count":"10","sum":0/);
    }
    if (signal === "logs") assert.match(json, /"severityNumber":9/);
  });

  Deno.test(`stampOtlpTenant() removes a spoofed tenant_id and stamps every ${signal} resource`, () => {
    const req = sampleRequest(signal, 2, 3) as Any;
    const rxs = req[RES_KEY[signal]];
    rxs[0].resource.attributes.push({ key: "tenant_id", value: { stringValue: "other" } });
    rxs[0].resource.attributes.unshift({ key: "tenant_id", value: { intValue: "5" } });
    delete rxs[1].resource; // no resource at all
    rxs[2].resource = { droppedAttributesCount: 3 }; // a resource without attributes
    const input = pb(signal, req);
    const out = stampOtlpTenant(signal, input, "acme");
    assert.equal(out.resources, 3);
    const expectRecords = signal === "metrics" ? 3 * 5 * 2 : 3 * 2;
    assert.equal(out.records, expectRecords);
    const dec = decodeOtlp(signal, out.bytes) as Any;
    for (const rx of dec[RES_KEY[signal]]) {
      const tenants = rx.resource.attributes.filter((a: Any) => a.key === "tenant_id");
      assert.equal(tenants.length, 1);
      assert.equal(attributesToRecord(rx.resource.attributes).tenant_id, "acme");
    }
    assert.equal(dec[RES_KEY[signal]][2].resource.droppedAttributesCount, 3);
    // Records untouched.
    const strip = (r: string[]) => r.map((x) => x.replace(/^\[.*?\]\]?/, ""));
    assert.equal(records(signal, out.bytes).length, records(signal, input).length);
    assert.deepEqual(
      strip(records(signal, out.bytes)).map((x) => x.slice(-200)),
      strip(records(signal, input)).map((x) => x.slice(-200)),
    );
  });

  Deno.test(`stampOtlpTenant() equals decode, edit, encode byte for byte (${signal})`, () => {
    const input = pb(signal, sampleRequest(signal, 3, 2));
    const out = stampOtlpTenant(signal, input, "tenant-a");
    const dec = decodeOtlp(signal, input) as Any;
    const KV = protoRoot().lookupType("opentelemetry.proto.common.v1.KeyValue");
    for (const rx of dec[RES_KEY[signal]]) {
      rx.resource.attributes.push(
        KV.fromObject({ key: "tenant_id", value: { stringValue: "tenant-a" } }),
      );
    }
    assertBytesEqual(out.bytes, encodeOtlp(signal, dec));
  });

  Deno.test(`splitOtlp() keeps every ${signal} chunk under the limit and loses nothing`, () => {
    const input = stampOtlpTenant(signal, pb(signal, sampleRequest(signal, 40, 3)), "acme").bytes;
    const all = records(signal, input);
    for (const max of [input.length, Math.floor(input.length / 3), 3000]) {
      const chunks = splitOtlp(signal, input, max);
      for (const ch of chunks) {
        assert.ok(ch.length <= max, `chunk of ${ch.length} > ${max}`);
        decodeOtlp(signal, ch);
      }
      assert.deepEqual(chunks.flatMap((ch) => records(signal, ch)), all);
      if (max < input.length) assert.ok(chunks.length > 1);
    }
  });

  Deno.test(`splitOtlp() refuses a single ${signal} record larger than the limit`, () => {
    const input = pb(signal, sampleRequest(signal, 2, 1));
    assertCodecError(() => splitOtlp(signal, input, 400), "too_large");
  });

  Deno.test(`stampOtlpTenant() of an empty ${signal} request stamps nothing and counts zero`, () => {
    const out = stampOtlpTenant(signal, new Uint8Array(0), "acme");
    assert.deepEqual([out.bytes.length, out.resources, out.records], [0, 0, 0]);
    assert.equal(otlpProtobufToJson(signal, new Uint8Array(0)), "{}");
  });

  Deno.test(`encodeExportResponse() writes partial_success only when needed (${signal})`, () => {
    assert.equal(encodeExportResponse(signal, null, "protobuf").length, 0);
    assert.equal(encodeExportResponse(signal, { rejected: 0, message: "" }, "protobuf").length, 0);
    assert.equal(new TextDecoder().decode(encodeExportResponse(signal, null, "json")), "{}");
    const field =
      { logs: "rejectedLogRecords", metrics: "rejectedDataPoints", traces: "rejectedSpans" }[
        signal
      ];
    const json = JSON.parse(
      new TextDecoder().decode(
        encodeExportResponse(signal, { rejected: 2, message: "why" }, "json"),
      ),
    );
    assert.deepEqual(json, { partialSuccess: { [field]: "2", errorMessage: "why" } });
    const pkg = signal === "traces" ? "trace" : signal;
    const name = signal === "traces" ? "Trace" : signal === "logs" ? "Logs" : "Metrics";
    const T = protoRoot().lookupType(
      `opentelemetry.proto.collector.${pkg}.v1.Export${name}ServiceResponse`,
    );
    const dec = T.decode(
      encodeExportResponse(signal, { rejected: 2, message: "why" }, "protobuf"),
    ) as Any;
    assert.equal(Long.fromValue(dec.partialSuccess[field]).toNumber(), 2);
    assert.equal(dec.partialSuccess.errorMessage, "why");
  });
}

Deno.test("encodeRpcStatus() encodes google.rpc.Status in both encodings", () => {
  const T = protoRoot().lookupType("google.rpc.Status");
  const dec = T.decode(encodeRpcStatus({ code: 3, message: "bad body" }, "protobuf")) as Any;
  assert.equal(dec.code, 3);
  assert.equal(dec.message, "bad body");
  const json = new TextDecoder().decode(encodeRpcStatus({ code: 8, message: "slow down" }, "json"));
  assert.deepEqual(JSON.parse(json), { code: 8, message: "slow down" });
});

Deno.test("otlpJsonToProtobuf() accepts snake_case keys, number int64s and enum names", () => {
  const snake = {
    resource_spans: [{
      scope_spans: [{
        spans: [{
          trace_id: "5B8EFFF798038103D269B633813FC60C",
          span_id: "eee19b7ec3c1b174",
          start_time_unix_nano: "1700000000123456789",
          kind: "SPAN_KIND_CLIENT",
          name: "x",
          unknown_field: { ignored: true },
        }],
      }],
    }],
  };
  const camel = {
    resourceSpans: [{
      scopeSpans: [{
        spans: [{
          traceId: "5b8efff798038103d269b633813fc60c",
          spanId: "eee19b7ec3c1b174",
          startTimeUnixNano: "1700000000123456789",
          kind: 3,
          name: "x",
        }],
      }],
    }],
  };
  // The big number literal is kept exact (JSON.parse alone would round it).
  const text = JSON.stringify(snake).replace('"1700000000123456789"', "1700000000123456789");
  assertBytesEqual(otlpJsonToProtobuf("traces", text), pb("traces", camel));
});

Deno.test("otlpJsonToProtobuf() refuses malformed OTLP/JSON with a short reason", () => {
  const cases: [string, string][] = [
    ["not json", "{"],
    ["array top", "[]"],
    ["string for list", '{"resourceLogs":"x"}'],
    ["bad hex id", '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}'],
    ["odd hex id", '{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"abc"}]}]}]}'],
    [
      "fraction int64",
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":1.5}]}]}]}',
    ],
    [
      "int64 overflow",
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"18446744073709551616"}]}]}]}',
    ],
    [
      "negative fixed64",
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"endTimeUnixNano":"-1"}]}]}]}',
    ],
    [
      "bool as string",
      '{"resourceLogs":[{"resource":{"attributes":[{"key":"k","value":{"boolValue":"true"}}]}}]}',
    ],
    [
      "two oneof members",
      '{"resourceLogs":[{"resource":{"attributes":[{"key":"k","value":{"boolValue":true,"intValue":"1"}}]}}]}',
    ],
    [
      "lone surrogate",
      '{"resourceLogs":[{"resource":{"attributes":[{"key":"\\ud800","value":{}}]}}]}',
    ],
    ["unknown enum", '{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_NOPE"}]}]}]}'],
    ["null in list", '{"resourceLogs":[null]}'],
  ];
  for (const [name, text] of cases) {
    const signal: Signal = text.includes("resourceLogs") ? "logs" : "traces";
    const e = assertCodecError(() => otlpJsonToProtobuf(signal, text), "invalid");
    assert.ok(e.message.length < 200, name);
  }
});

function nested(depth: number): unknown {
  let v: unknown = { stringValue: "leaf" };
  for (let i = 1; i < depth; i++) v = { arrayValue: { values: [v] } };
  return v;
}

Deno.test("decodeOtlp() and otlpJsonToProtobuf() refuse attribute nesting deeper than 32", () => {
  const req = (depth: number) => ({
    resourceLogs: [{ resource: { attributes: [{ key: "deep", value: nested(depth) }] } }],
  });
  const ok = pb("logs", req(32));
  decodeOtlp("logs", ok);
  stampOtlpTenant("logs", ok, "acme");
  assertCodecError(() => otlpJsonToProtobuf("logs", JSON.stringify(req(33))), "invalid");
  // Build the 33-deep protobuf by hand-wrapping the 32-deep value once more.
  const KV = protoRoot().lookupType("opentelemetry.proto.common.v1.KeyValue");
  const Req = protoRoot().lookupType(
    "opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest",
  );
  const deep = Req.encode(Req.fromObject({
    resourceLogs: [{
      resource: { attributes: [KV.toObject(KV.fromObject({ key: "d", value: nested(33) }))] },
    }],
  })).finish();
  const e = assertCodecError(() => decodeOtlp("logs", deep), "invalid");
  assert.match(e.message, /nesting/);
  assertCodecError(() => stampOtlpTenant("logs", deep, "acme"), "invalid");
  // A log body counts too.
  const body = Req.encode(Req.fromObject({
    resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: nested(40) }] }] }],
  })).finish();
  assertCodecError(() => decodeOtlp("logs", body), "invalid");
});

Deno.test("decodeOtlp() refuses invalid UTF-8 in any string field", () => {
  const good = pb("logs", {
    resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityText: "ABCD" }] }] }],
  });
  const i = good.indexOf(0x41); // 'A'
  for (const badSeq of [[0xff], [0xc0, 0x80].slice(0, 1), [0xed]]) {
    const bad = good.slice();
    bad.set(badSeq, i);
    const e = assertCodecError(() => decodeOtlp("logs", bad), "invalid");
    assert.match(e.message, /UTF-8/);
    assertCodecError(() => stampOtlpTenant("logs", bad, "acme"), "invalid");
  }
  // Overlong "/" and a UTF-16 surrogate encoded in UTF-8 are refused as well.
  for (const seq of [[0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
    const bad = new Uint8Array([...good.subarray(0, i), ...seq, ...good.subarray(i + seq.length)]);
    assertCodecError(() => decodeOtlp("logs", bad), "invalid");
  }
});

Deno.test("decodeOtlp() refuses garbage, truncation and wrong wire types", () => {
  const good = pb("traces", sampleRequest("traces", 1, 1));
  assertCodecError(() => decodeOtlp("traces", new TextEncoder().encode("hello, world")), "invalid");
  assertCodecError(() => decodeOtlp("traces", good.subarray(0, good.length - 3)), "invalid");
  assertCodecError(
    () => decodeOtlp("traces", new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])),
    "invalid",
  );
  // Field 1 (resource_spans) sent as a varint.
  assertCodecError(() => decodeOtlp("traces", new Uint8Array([0x08, 0x01])), "invalid");
  // Groups are refused.
  assertCodecError(() => decodeOtlp("traces", new Uint8Array([0x0b, 0x0c])), "invalid");
  // Unknown fields are skipped, as proto3 requires.
  const unknown = new Uint8Array([...good, 0xa0, 0x06, 0x01]); // field 100, varint
  assert.equal(decodeOtlp("traces", unknown).resourceSpans.length, 1);
  const stamped = stampOtlpTenant("traces", unknown, "acme").bytes;
  assertBytesEqual(stamped.subarray(stamped.length - 3), new Uint8Array([0xa0, 0x06, 0x01]));
});

Deno.test("stampOtlpTenant() merges a resource sent twice, as protobuf would", () => {
  const R = protoRoot().lookupType("opentelemetry.proto.resource.v1.Resource");
  const r1 = R.encode(R.fromObject({ attributes: [{ key: "a", value: { stringValue: "1" } }] }))
    .finish();
  const r2 = R.encode(R.fromObject({
    attributes: [{ key: "tenant_id", value: { stringValue: "x" } }, { key: "b", value: {} }],
  })).finish();
  const rx = new Uint8Array([0x0a, r1.length, ...r1, 0x0a, r2.length, ...r2]);
  const req = new Uint8Array([0x0a, rx.length, ...rx]);
  const out = stampOtlpTenant("logs", req, "acme");
  const dec = decodeOtlp("logs", out.bytes);
  assert.deepEqual(
    dec.resourceLogs[0]!.resource!.attributes.map((a) => a.key),
    ["a", "b", "tenant_id"],
  );
});

Deno.test("splitOtlp() splits one huge metric by data points, keeping its description", () => {
  const req = {
    resourceMetrics: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "s" } }] },
      scopeMetrics: [{
        scope: { name: "x" },
        metrics: [{
          name: "requests",
          description: "how many",
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: Array.from({ length: 500 }, (_, i) => ({
              attributes: [{ key: "i", value: { intValue: String(i) } }],
              timeUnixNano: "1700000000000000000",
              asInt: String(i),
            })),
          },
        }],
      }],
    }],
  };
  const input = pb("metrics", req);
  const chunks = splitOtlp("metrics", input, 1000);
  assert.ok(chunks.length > 5);
  let points = 0;
  for (const ch of chunks) {
    assert.ok(ch.length <= 1000);
    const m = decodeOtlp("metrics", ch).resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    assert.equal(m.length, 1);
    assert.equal(m[0]!.name, "requests");
    assert.equal(m[0]!.description, "how many");
    assert.equal(m[0]!.sum!.isMonotonic, true);
    assert.equal(m[0]!.sum!.aggregationTemporality, 2);
    points += m[0]!.sum!.dataPoints.length;
  }
  assert.equal(points, 500);
  assert.equal(stampOtlpTenant("metrics", input, "t").records, 500);
});
