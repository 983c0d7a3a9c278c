import assert from "node:assert/strict";
import { isoNanos, levelOf, renderBody, truncateLine } from "./_log_fields.ts";
import { otlpLogsToLoki } from "./logs_to_loki.ts";
import { otlpLogsToOpenSearch } from "./logs_to_opensearch.ts";
import type { OtlpLogsRequest } from "./otlp_logs.ts";

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const NS = 1_714_564_800_123_456_789n; // 2024-05-01T12:00:00.123456789Z

const req: OtlpLogsRequest = {
  resourceLogs: [{
    resource: {
      attributes: [
        str("service.name", "checkout"),
        str("tenant_id", "acme"),
        str("host.name", "n1"),
      ],
    },
    scopeLogs: [{
      scope: { name: "app.logger", version: "2" },
      logRecords: [
        {
          timeUnixNano: NS + 1000n,
          severityNumber: 17,
          severityText: "ERROR",
          body: { stringValue: "payment failed" },
          attributes: [str("order.id", "o-1"), { key: "retry", value: { intValue: 3 } }],
          traceId: new Uint8Array(16).fill(0x0a),
          spanId: new Uint8Array(8).fill(0x0b),
        },
        {
          timeUnixNano: NS,
          severityNumber: 19,
          body: {
            kvlistValue: {
              values: [{ key: "msg", value: { stringValue: "x" } }, {
                key: "n",
                value: { doubleValue: 1.5 },
              }],
            },
          },
        },
        { observedTimeUnixNano: NS, severityText: "Warning", body: { stringValue: "slow" } },
      ],
    }],
  }],
};

Deno.test("otlpLogsToLoki() labels streams by tenant, service and level only, sorted by time", () => {
  const r = otlpLogsToLoki(req, { tenant: "acme", maxLineBytes: 1024, fallbackTimeMs: 1 });
  assert.equal(r.entries, 3);
  assert.deepEqual(r.streams.map((s) => s.labels), [
    '{level="error", service_name="checkout", tenant_id="acme"}',
    '{level="warn", service_name="checkout", tenant_id="acme"}',
  ]);
  const errors = r.streams[0]!;
  // The map body renders as JSON; the earlier entry comes first.
  assert.deepEqual(errors.entries.map((e) => [e.timestampNs, e.line]), [
    [NS, '{"msg":"x","n":1.5}'],
    [NS + 1000n, "payment failed"],
  ]);
  assert.deepEqual(errors.entries[1]!.structuredMetadata, [
    { name: "host_name", value: "n1" },
    { name: "scope_name", value: "app.logger" },
    { name: "scope_version", value: "2" },
    { name: "order_id", value: "o-1" },
    { name: "retry", value: "3" },
    { name: "trace_id", value: "0a".repeat(16) },
    { name: "span_id", value: "0b".repeat(8) },
    { name: "severity_text", value: "ERROR" },
    { name: "severity_number", value: "17" },
  ]);
  // Without time_unix_nano the observed time is used.
  assert.equal(r.streams[1]!.entries[0]!.timestampNs, NS);
});

Deno.test("otlpLogsToLoki() uses the envelope tenant and a default service name", () => {
  const r = otlpLogsToLoki({
    resourceLogs: [{
      resource: { attributes: [str("tenant_id", "evil")] },
      scopeLogs: [{ logRecords: [{ body: { stringValue: "hi" } }] }],
    }],
  }, { tenant: "acme", maxLineBytes: 1024, fallbackTimeMs: 5 });
  assert.equal(
    r.streams[0]!.labels,
    '{level="unknown", service_name="unknown_service", tenant_id="acme"}',
  );
  assert.equal(r.streams[0]!.entries[0]!.timestampNs, 5_000_000n);
  assert.deepEqual(r.streams[0]!.entries[0]!.structuredMetadata, []);
});

Deno.test("otlpLogsToLoki() truncates long lines with a marker instead of dropping them", () => {
  const r = otlpLogsToLoki({
    resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "é".repeat(1000) } }] }] }],
  }, { tenant: "acme", maxLineBytes: 100, fallbackTimeMs: 5 });
  const line = r.streams[0]!.entries[0]!.line;
  assert.equal(r.truncated, 1);
  assert.ok(new TextEncoder().encode(line).length <= 100);
  assert.match(line, /^é+…\[truncated \d+ bytes\]$/);
});

Deno.test("truncateLine() never splits a character and leaves short lines alone", () => {
  assert.deepEqual(truncateLine("short", 10), { line: "short", truncated: false });
  for (const max of [40, 41, 42, 43, 44]) {
    const t = truncateLine("😀".repeat(50), max);
    assert.ok(!t.line.includes("\uFFFD"), `max ${max}`);
    assert.ok(new TextEncoder().encode(t.line).length <= max);
  }
});

Deno.test("levelOf() maps severity numbers by range and only known texts", () => {
  assert.equal(levelOf(1, ""), "trace");
  assert.equal(levelOf(9, ""), "info");
  assert.equal(levelOf(12, "whatever"), "info");
  assert.equal(levelOf(13, ""), "warn");
  assert.equal(levelOf(24, ""), "fatal");
  assert.equal(levelOf(0, "WARNING"), "warn");
  assert.equal(levelOf(0, "user-id-12345"), "unknown");
});

Deno.test("renderBody() renders maps and arrays as JSON and scalars as text", () => {
  assert.equal(renderBody({ stringValue: "" }), "");
  assert.equal(renderBody({ boolValue: false }), "false");
  assert.equal(renderBody({ intValue: "9007199254740993" }), "9007199254740993");
  assert.equal(
    renderBody({ arrayValue: { values: [{ stringValue: "a" }, { intValue: 1 }] } }),
    '["a",1]',
  );
  assert.equal(renderBody({ bytesValue: new Uint8Array([1, 2, 3]) }), "AQID");
});

Deno.test("otlpLogsToOpenSearch() builds daily per-tenant indices and ids from the Kafka coordinates", () => {
  const docs = otlpLogsToOpenSearch(req, {
    tenant: "acme",
    indexPrefix: "logs",
    origin: { topic: "obstack.logs", partition: 2, offset: 41n },
    fallbackTimeMs: 1,
  });
  assert.deepEqual(docs.map((d) => [d.index, d.id]), [
    ["logs-acme-2024.05.01", "obstack.logs-2-41-0"],
    ["logs-acme-2024.05.01", "obstack.logs-2-41-1"],
    ["logs-acme-2024.05.01", "obstack.logs-2-41-2"],
  ]);
  assert.deepEqual(docs[0]!.doc, {
    "@timestamp": "2024-05-01T12:00:00.123457789Z",
    tenant_id: "acme",
    level: "error",
    body: "payment failed",
    severity: { text: "ERROR", number: 17 },
    trace_id: "0a".repeat(16),
    span_id: "0b".repeat(8),
    service: { name: "checkout" },
    resource: { "service.name": "checkout", "host.name": "n1" },
    scope: { name: "app.logger", version: "2" },
    attributes: { "order.id": "o-1", retry: 3 },
  });
  assert.equal(docs[2]!.doc.observed_timestamp, "2024-05-01T12:00:00.123456789Z");
});

Deno.test("isoNanos() keeps nanoseconds", () => {
  assert.equal(isoNanos(0n), "1970-01-01T00:00:00.000000000Z");
  assert.equal(isoNanos(1_000_000_001n), "1970-01-01T00:00:01.000000001Z");
});
