/**
 * Throughput of lib/kafka against a running broker: produce N records of 500 B in batches of
 * 500 (idempotent, acks=all) awaited one by one and with several batches in flight, then
 * consume them all through a consumer group committing every batch.
 *
 * Usage: deno run -A lib/kafka/bench.ts [host:port] [records] [compression]
 *   e.g. deno run -A lib/kafka/bench.ts 127.0.0.1:29092 100000 lz4
 *
 * @module
 */
import {
  createKafkaAdmin,
  createKafkaConsumer,
  createKafkaProducer,
  type KafkaCompression,
  toRecord,
} from "./mod.ts";

if (import.meta.main) {
  const broker = Deno.args[0] ?? "127.0.0.1:29092";
  const total = Number(Deno.args[1] ?? 100_000);
  const compression = (Deno.args[2] ?? "none") as KafkaCompression;
  const brokers = [broker];
  const batch = 500;
  const topic = `bench.${Date.now()}`;
  const admin = await createKafkaAdmin({ brokers });
  await admin.ensureTopics([{ name: topic, partitions: 3 }]);
  const producer = await createKafkaProducer({
    brokers,
    clientId: "bench",
    compression,
    timeoutMs: 30_000,
  });
  const value = new Uint8Array(500);
  for (let i = 0; i < value.length; i++) value[i] = 32 + (i * 7) % 90;
  const makeBatch = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      toRecord(topic, {
        tenant: `tenant-${i % 8}`,
        format: "otlp-logs",
        receivedAt: Date.now(),
        value,
      }));
  await producer.send(makeBatch(batch)); // connect, InitProducerId, metadata

  const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en")}/s`;
  let t0 = performance.now();
  for (let sent = 0; sent < total; sent += batch) await producer.send(makeBatch(batch));
  const seqMs = performance.now() - t0;
  console.log(
    `produce, one batch at a time: ${total} records in ${Math.round(seqMs)} ms = ${
      rate(total, seqMs)
    }`,
  );

  t0 = performance.now();
  const inflight = 8;
  let next = 0;
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (next < total) {
      next += batch;
      await producer.send(makeBatch(batch));
    }
  }));
  const parMs = performance.now() - t0;
  console.log(
    `produce, ${inflight} batches in flight: ${total} records in ${Math.round(parMs)} ms = ${
      rate(total, parMs)
    }`,
  );
  await producer.close();

  const expected = 2 * total + batch;
  const consumer = await createKafkaConsumer({
    brokers,
    groupId: `bench-${Date.now()}`,
    clientId: "bench",
    topics: [topic],
    maxBatchRecords: batch,
    logger: {
      info: (msg, f) => console.error("info", msg, JSON.stringify(f)),
      warn: (msg, f) => console.error("warn", msg, JSON.stringify(f)),
      error: (msg, f) => console.error("error", msg, JSON.stringify(f)),
    },
  });
  t0 = performance.now();
  let got = 0;
  for await (const b of consumer.batches()) {
    got += b.records.length;
    await consumer.commit(b.topic, b.partition, b.records.at(-1)!.offset + 1n);
    if (got >= expected) break;
  }
  const conMs = performance.now() - t0;
  console.log(
    `consume + commit per batch: ${got} records in ${Math.round(conMs)} ms = ${rate(got, conMs)}`,
  );
  await consumer.close();
  await admin.deleteTopics([topic]);
  await admin.close();
}
