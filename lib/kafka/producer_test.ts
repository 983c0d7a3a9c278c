import { deepStrictEqual, ok, rejects } from "node:assert/strict";
import { toRecord } from "./contract.ts";
import { KafkaRequestError, KafkaUnavailableError } from "./errors.ts";
import { createKafkaProducer } from "./producer.ts";
import { RECORD_BATCH_OVERHEAD } from "./record_size.ts";
import { timed, unusedPort } from "./_test_util.ts";

// The client library keeps timers of its own for a moment after close().
const opts = { sanitizeOps: false, sanitizeResources: false };

const record = (value = new Uint8Array(10)) =>
  toRecord("obstack.logs", { tenant: "tenant-a", format: "otlp-logs", receivedAt: 1, value });

Deno.test("createKafkaProducer() validates its options, naming the bad one", async () => {
  const good = {
    brokers: ["127.0.0.1:9092"],
    clientId: "t",
    compression: "zstd" as const,
    timeoutMs: 1000,
  };
  for (
    const [bad, re] of [
      [{ brokers: [] }, /brokers/],
      [{ brokers: ["localhost"] }, /"localhost" is not host:port/],
      [{ clientId: "" }, /clientId/],
      [{ compression: "brotli" }, /compression/],
      [{ timeoutMs: 0 }, /timeoutMs/],
      [{ maxRecordBytes: 100 }, /maxRecordBytes/],
    ] as const
  ) {
    await rejects(
      // deno-lint-ignore no-explicit-any
      createKafkaProducer({ ...good, ...bad } as any),
      (e: Error) => e instanceof KafkaRequestError && re.test(e.message),
    );
  }
});

Deno.test("send() to an unreachable broker rejects within timeoutMs, retriable", opts, async () => {
  const producer = await createKafkaProducer({
    brokers: [`127.0.0.1:${unusedPort()}`],
    clientId: "unit",
    compression: "none",
    timeoutMs: 1500,
  });
  try {
    const results = await Promise.all([
      timed(producer.send([record()])),
      timed(producer.send([record()])),
    ]);
    for (const { ms, error } of results) {
      ok(error instanceof KafkaUnavailableError, `got ${error}`);
      deepStrictEqual([error.retriable, error.status], [true, 503]);
      ok(ms < 1500 + 1000, `took ${ms} ms`);
    }
    const r = await timed(producer.ready(500));
    ok(r.ms < 1500, `ready() took ${r.ms} ms`);
    deepStrictEqual(await producer.ready(500), false);
  } finally {
    await producer.close();
  }
});

Deno.test(
  "send() refuses a record over maxRecordBytes before touching the network",
  opts,
  async () => {
    const producer = await createKafkaProducer({
      brokers: [`127.0.0.1:${unusedPort()}`],
      clientId: "unit",
      compression: "gzip",
      timeoutMs: 60_000,
      maxRecordBytes: 3 * RECORD_BATCH_OVERHEAD,
    });
    try {
      const r = await timed(
        producer.send([record(), record(new Uint8Array(2 * RECORD_BATCH_OVERHEAD))]),
      );
      ok(r.error instanceof KafkaRequestError, `got ${r.error}`);
      ok(/over the limit/.test(r.error.message));
      ok(r.ms < 1000, `took ${r.ms} ms`);
      deepStrictEqual(await producer.send([]), undefined);
    } finally {
      await producer.close();
    }
  },
);

Deno.test("send() after close() rejects as unavailable", opts, async () => {
  const producer = await createKafkaProducer({
    brokers: [`127.0.0.1:${unusedPort()}`],
    clientId: "unit",
    compression: "none",
    timeoutMs: 1000,
  });
  await producer.close();
  await rejects(producer.send([record()]), KafkaUnavailableError);
  deepStrictEqual(await producer.ready(100), false);
});
