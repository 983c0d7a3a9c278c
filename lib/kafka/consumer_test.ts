import { ok, rejects } from "node:assert/strict";
import { createKafkaConsumer } from "./consumer.ts";
import { KafkaRequestError, KafkaUnavailableError } from "./errors.ts";
import { timed, unusedPort } from "./_test_util.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("createKafkaConsumer() validates its options", async () => {
  const good = { brokers: ["127.0.0.1:9092"], groupId: "g", clientId: "c", topics: ["t"] };
  for (
    const bad of [
      { brokers: ["nope"] },
      { groupId: "" },
      { clientId: "" },
      { topics: [] },
      { maxBatchRecords: 0 },
      { maxWaitMs: -1 },
      { maxUncommittedRecords: 1.5 },
    ]
  ) {
    await rejects(createKafkaConsumer({ ...good, ...bad }), KafkaRequestError, JSON.stringify(bad));
  }
});

Deno.test(
  "createKafkaConsumer() fails within joinTimeoutMs when no broker answers",
  opts,
  async () => {
    const r = await timed(createKafkaConsumer({
      brokers: [`127.0.0.1:${unusedPort()}`],
      groupId: "g",
      clientId: "c",
      topics: ["t"],
      joinTimeoutMs: 1500,
    }));
    ok(r.error instanceof KafkaUnavailableError, `got ${r.error}`);
    ok(r.error.retriable);
    ok(r.ms < 1500 + 1500, `took ${r.ms} ms`);
  },
);
