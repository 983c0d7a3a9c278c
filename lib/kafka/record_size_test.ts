import { deepStrictEqual, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createRecordsBatch } from "@platformatic/kafka";
import type { OutRecord } from "./contract.ts";
import { estimateRecordBytes, RECORD_BATCH_OVERHEAD } from "./record_size.ts";

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) {
    out.set(crypto.getRandomValues(new Uint8Array(Math.min(65536, n - i))), i);
  }
  return out;
}

/** Size of the record batch the client library really builds for these records. */
function encodedBatchBytes(records: OutRecord[], compression?: string): number {
  const messages = records.map((r) => ({
    topic: r.topic,
    partition: 0,
    key: Buffer.from(r.key),
    value: Buffer.from(r.value),
    headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
  }));
  // deno-lint-ignore no-explicit-any
  return (createRecordsBatch(messages, compression ? { compression } as any : {}) as any).length;
}

const headers = {
  "obstack-tenant": "tenant-with-a-long-name",
  "obstack-format": "otlp-metrics",
  "obstack-received-at": "1796319911356",
};

Deno.test("estimateRecordBytes() is an upper bound of the encoded record", () => {
  for (const size of [0, 1, 127, 128, 16_383, 16_384, 100_000]) {
    const rec: OutRecord = { topic: "t", key: "tenant-a", value: randomBytes(size), headers };
    const one = encodedBatchBytes([rec]);
    const two = encodedBatchBytes([rec, rec]);
    const recordBytes = two - one; // what a record adds to a batch, framing included
    const est = estimateRecordBytes(rec);
    ok(est >= recordBytes, `size ${size}: estimate ${est} < actual ${recordBytes}`);
    ok(est - recordBytes < 64, `size ${size}: estimate ${est} far above ${recordBytes}`);
  }
});

Deno.test("a record of max.message.bytes − RECORD_BATCH_OVERHEAD fits after any codec", () => {
  for (const limit of [1_048_588, 8 * 1024 * 1024]) {
    const base: OutRecord = { topic: "t", key: "tenant-a", value: new Uint8Array(0), headers };
    const valueBytes = limit - RECORD_BATCH_OVERHEAD - estimateRecordBytes(base);
    // Random bytes: the worst case, codecs can only add framing.
    const rec = { ...base, value: randomBytes(valueBytes) };
    deepStrictEqual(estimateRecordBytes(rec), limit - RECORD_BATCH_OVERHEAD);
    for (const codec of [undefined, "gzip", "snappy", "lz4", "zstd"]) {
      const actual = encodedBatchBytes([rec], codec);
      ok(actual <= limit, `${codec ?? "none"} at ${limit}: batch of ${actual} bytes`);
    }
  }
});

Deno.test("estimateRecordBytes() counts multi-byte characters of key and headers", () => {
  const size = (key: string, h: string) =>
    estimateRecordBytes({ topic: "t", key, value: new Uint8Array(1), headers: { h } });
  for (const s of ["é", "€", "日本語", "😀", "a😀b€é", "\ud800", "x\udc00y"]) {
    const utf8 = new TextEncoder().encode(s).byteLength;
    deepStrictEqual(size(s, "") - size("", ""), utf8, `key ${JSON.stringify(s)}`);
    deepStrictEqual(size("", s) - size("", ""), utf8, `header ${JSON.stringify(s)}`);
  }
});
