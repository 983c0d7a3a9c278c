import assert from "node:assert/strict";
import { type InRecord, toRecord } from "../lib/kafka/mod.ts";
import { logsPayload } from "./_test_helpers.ts";
import { toDeadLetterRecord } from "./dead_letter.ts";
import { decodeRecord, originOf } from "./record_decoder.ts";

function rec(headers?: Record<string, string>, value?: Uint8Array): InRecord {
  const out = toRecord("obstack.logs", {
    tenant: "acme",
    format: "otlp-logs",
    receivedAt: 5,
    value: value ?? logsPayload("acme", { service: "s", bodies: ["x"] }),
  });
  return {
    topic: "obstack.logs",
    partition: 2,
    offset: 9n,
    key: "acme",
    value: out.value,
    headers: headers ?? out.headers,
    timestamp: 0,
  };
}

Deno.test("decodeRecord() decodes by the format header and keeps the record's coordinates", () => {
  const d = decodeRecord(rec());
  assert.ok(d.ok);
  assert.equal(d.record.tenant, "acme");
  assert.equal(d.record.receivedAt, 5);
  assert.equal(d.record.payload.format, "otlp-logs");
  assert.deepEqual(d.record.origin, { topic: "obstack.logs", partition: 2, offset: 9n });
  assert.equal(d.onlySink, undefined);
});

Deno.test("decodeRecord() reports contract and protobuf errors as reasons", () => {
  const noHeaders = decodeRecord(rec({}));
  assert.ok(!noHeaders.ok && /^contract: /.test(noHeaders.reason));
  const garbage = decodeRecord(rec(undefined, new Uint8Array([0xff, 0xff])));
  assert.ok(!garbage.ok && /^decode otlp-logs: /.test(garbage.reason));
});

Deno.test("a dead letter keeps key, value and headers, adds the DLQ headers, and replays to its origin", () => {
  const r = rec();
  const out = toDeadLetterRecord("obstack.dlq", {
    record: r,
    origin: originOf(r),
    sink: "logs",
    reason: "HTTP 400: bad",
  });
  assert.equal(out.topic, "obstack.dlq");
  assert.equal(out.key, "acme");
  assert.equal(out.value, r.value);
  assert.equal(out.headers["obstack-format"], "otlp-logs");
  assert.equal(out.headers["obstack-dlq-sink"], "logs");
  assert.equal(out.headers["obstack-dlq-reason"], "HTTP 400: bad");
  assert.deepEqual([
    out.headers["obstack-dlq-topic"],
    out.headers["obstack-dlq-partition"],
    out.headers["obstack-dlq-offset"],
  ], ["obstack.logs", "2", "9"]);

  // Replayed: it comes back at a new offset but keeps its origin and goes to "logs" only.
  const replayed: InRecord = { ...r, offset: 500n, headers: out.headers };
  const d = decodeRecord(replayed);
  assert.ok(d.ok);
  assert.deepEqual(d.record.origin, { topic: "obstack.logs", partition: 2, offset: 9n });
  assert.equal(d.onlySink, "logs");
  // Dead-lettered again: still the first coordinates.
  const again = toDeadLetterRecord("obstack.dlq", {
    record: replayed,
    origin: d.record.origin,
    sink: "logs",
    reason: "again",
  });
  assert.equal(again.headers["obstack-dlq-offset"], "9");
  assert.equal(again.headers["obstack-dlq-reason"], "again");
});
