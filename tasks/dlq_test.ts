import assert from "node:assert/strict";
import type { InRecord } from "../lib/kafka/mod.ts";
import { describeDeadLetter, replayRecords, selectDeadLetters } from "./dlq.ts";

function dead(offset: number, tenant: string, sink: string, topic = "obstack.logs"): InRecord {
  return {
    topic: "obstack.dlq",
    partition: 0,
    offset: BigInt(offset),
    key: tenant,
    value: new Uint8Array([offset]),
    headers: {
      "obstack-tenant": tenant,
      "obstack-format": "otlp-logs",
      "obstack-received-at": "1",
      "obstack-dlq-reason": `reason ${offset}`,
      "obstack-dlq-sink": sink,
      "obstack-dlq-topic": topic,
      "obstack-dlq-partition": "2",
      "obstack-dlq-offset": String(100 + offset),
    },
    timestamp: 0,
  };
}

const all = [
  dead(0, "acme", "logs"),
  dead(1, "acme", "decode"),
  dead(2, "other", "opensearch"),
  dead(3, "acme", "prometheus", "obstack.metrics"),
];

Deno.test("selectDeadLetters() filters by tenant, sink and starting offset", () => {
  assert.deepEqual(selectDeadLetters(all, { tenant: "acme" }).map((r) => r.offset), [0n, 1n, 3n]);
  assert.deepEqual(selectDeadLetters(all, { sink: "opensearch" }).map((r) => r.offset), [2n]);
  assert.deepEqual(selectDeadLetters(all, { fromOffset: 2n }).map((r) => r.offset), [2n, 3n]);
});

Deno.test("replayRecords() sends records back to their topic with every header, skipping undecodable ones", () => {
  const { out, skipped } = replayRecords(all, {});
  assert.deepEqual(out.map((r) => [r.topic, r.key, r.headers["obstack-dlq-sink"]]), [
    ["obstack.logs", "acme", "logs"],
    ["obstack.logs", "other", "opensearch"],
    ["obstack.metrics", "acme", "prometheus"],
  ]);
  assert.equal(out[0]!.headers["obstack-dlq-offset"], "100", "original coordinates travel with it");
  assert.deepEqual(skipped.map((r) => r.offset), [1n]);
  assert.equal(replayRecords(all, { includeUndecodable: true }).out.length, 4);
});

Deno.test("describeDeadLetter() shows where a record came from and why it was refused", () => {
  assert.deepEqual(describeDeadLetter(all[0]!), {
    partition: 0,
    offset: "0",
    tenant: "acme",
    format: "otlp-logs",
    sink: "logs",
    origin: "obstack.logs/2@100",
    reason: "reason 0",
    bytes: 1,
  });
});
