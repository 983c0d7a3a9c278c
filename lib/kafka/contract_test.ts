import { deepStrictEqual, ok, throws } from "node:assert/strict";
import {
  ContractError,
  type Envelope,
  fromRecord,
  HEADER,
  type InRecord,
  PAYLOAD_FORMATS,
  TOPIC_DEFAULTS,
  toRecord,
} from "./contract.ts";

const value = new Uint8Array([10, 2, 8, 1]);

function inRecordOf(env: Envelope): InRecord {
  const out = toRecord("obstack.logs", env);
  return {
    topic: out.topic,
    partition: 3,
    offset: 42n,
    key: out.key,
    value: out.value,
    headers: { ...out.headers },
    timestamp: 1,
  };
}

Deno.test("TOPIC_DEFAULTS and HEADER carry the names of the Kafka contract", () => {
  deepStrictEqual(TOPIC_DEFAULTS, {
    logs: "obstack.logs",
    metrics: "obstack.metrics",
    traces: "obstack.traces",
    dlq: "obstack.dlq",
  });
  deepStrictEqual(HEADER.tenant, "obstack-tenant");
  deepStrictEqual(HEADER.format, "obstack-format");
  deepStrictEqual(HEADER.receivedAt, "obstack-received-at");
  deepStrictEqual(HEADER.dlqReason, "obstack-dlq-reason");
  deepStrictEqual(HEADER.dlqOffset, "obstack-dlq-offset");
});

Deno.test("toRecord() keys the record by tenant and sets the contract headers", () => {
  const rec = toRecord("obstack.metrics", {
    tenant: "tenant-a",
    format: "prom-rw-v2",
    receivedAt: 1_700_000_000_123,
    value,
  });
  deepStrictEqual(rec.topic, "obstack.metrics");
  deepStrictEqual(rec.key, "tenant-a");
  deepStrictEqual(rec.headers, {
    "obstack-tenant": "tenant-a",
    "obstack-format": "prom-rw-v2",
    "obstack-received-at": "1700000000123",
  });
  ok(rec.value === value, "the value is passed through without a copy");
});

Deno.test("fromRecord() round-trips every payload format", () => {
  for (const format of PAYLOAD_FORMATS) {
    const env: Envelope = { tenant: "demo", format, receivedAt: 5, value };
    deepStrictEqual(fromRecord(inRecordOf(env)), env);
  }
});

Deno.test("fromRecord() accepts a record without key (header decides the tenant)", () => {
  const rec = inRecordOf({ tenant: "demo", format: "otlp-traces", receivedAt: 5, value });
  deepStrictEqual(fromRecord({ ...rec, key: null }).tenant, "demo");
});

Deno.test("fromRecord() rejects records that break the contract, naming the problem", () => {
  const good = inRecordOf({ tenant: "tenant-b", format: "otlp-logs", receivedAt: 7, value });
  const cases: [string, InRecord, RegExp][] = [
    [
      "no tenant",
      { ...good, headers: omit(good.headers, HEADER.tenant) },
      /missing header obstack-tenant/,
    ],
    ["bad tenant", {
      ...good,
      key: null,
      headers: { ...good.headers, [HEADER.tenant]: "Bad Tenant" },
    }, /invalid obstack-tenant/],
    ["key differs", { ...good, key: "tenant-c" }, /record key "tenant-c" differs/],
    [
      "no format",
      { ...good, headers: omit(good.headers, HEADER.format) },
      /missing header obstack-format/,
    ],
    [
      "bad format",
      { ...good, headers: { ...good.headers, [HEADER.format]: "otlp-json" } },
      /invalid obstack-format "otlp-json"/,
    ],
    [
      "no time",
      { ...good, headers: omit(good.headers, HEADER.receivedAt) },
      /missing header obstack-received-at/,
    ],
    [
      "bad time",
      { ...good, headers: { ...good.headers, [HEADER.receivedAt]: "12e3" } },
      /invalid obstack-received-at/,
    ],
    [
      "negative",
      { ...good, headers: { ...good.headers, [HEADER.receivedAt]: "-1" } },
      /invalid obstack-received-at/,
    ],
  ];
  for (const [name, rec, re] of cases) {
    const e = assertThrowsContract(() => fromRecord(rec), name);
    ok(re.test(e.message), `${name}: ${e.message}`);
    ok(e.message.startsWith("obstack.logs/3@42"), `${name}: message names the record`);
    deepStrictEqual(e.retriable, false);
  }
});

Deno.test("toRecord() refuses an invalid tenant, format or time", () => {
  throws(
    () => toRecord("t", { tenant: "../x", format: "otlp-logs", receivedAt: 1, value }),
    ContractError,
  );
  throws(
    () =>
      toRecord("t", {
        tenant: "a",
        format: "otlp-json" as unknown as "otlp-logs",
        receivedAt: 1,
        value,
      }),
    ContractError,
  );
  throws(
    () => toRecord("t", { tenant: "a", format: "otlp-logs", receivedAt: 1.5, value }),
    ContractError,
  );
});

function omit(h: Record<string, string>, k: string): Record<string, string> {
  const copy = { ...h };
  delete copy[k];
  return copy;
}

function assertThrowsContract(fn: () => unknown, name: string): ContractError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ContractError) return e;
    throw new Error(`${name}: expected ContractError, got ${e}`);
  }
  throw new Error(`${name}: did not throw`);
}
