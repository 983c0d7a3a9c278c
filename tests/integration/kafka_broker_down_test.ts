/**
 * lib/kafka while the broker goes away: this suite starts its OWN Kafka (free loopback ports,
 * temp data dir) through tasks/infra/kafka.ts, stops it, freezes it (SIGSTOP) and brings it
 * back, and checks that
 * - a send rejects within its timeout with a retriable error (never hangs), and `ready()` is
 *   false, while the broker is stopped or frozen;
 * - the same producer and consumer objects work again once the broker is back (reconnect);
 * - a client that retries has each acknowledged record exactly once in the log (broker
 *   stopped: the failed attempts never reached it);
 * - every batch on disk was written by the idempotent producer and no (producerId, sequence)
 *   appears twice (`kafka.tools.DumpLogSegments`), in the configured codec.
 *
 * Runs when the test bed is available (OBSTACK_TEST_KAFKA set: the Kafka jars are cached).
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  createKafkaAdmin,
  createKafkaConsumer,
  createKafkaProducer,
  type InRecord,
  KafkaUnavailableError,
  type OutRecord,
  readTopic,
  toRecord,
} from "../../lib/kafka/mod.ts";
import { unusedPort } from "../../lib/kafka/_test_util.ts";
import { KAFKA_JAVA, kafkaClasspath, run, startKafka } from "../../tasks/infra/kafka.ts";

const enabled = Boolean(Deno.env.get("OBSTACK_TEST_KAFKA"));
const TIMEOUT_MS = 3000;
/** Allowed lateness of a rejection beyond the producer's timeout (timers, GC, loaded CI). */
const SLACK_MS = 1500;

function records(topic: string, prefix: string, n: number): OutRecord[] {
  return Array.from({ length: n }, (_, i) =>
    toRecord(topic, {
      tenant: `tenant-${i % 3}`,
      format: "otlp-traces",
      receivedAt: Date.now(),
      value: new TextEncoder().encode(`${prefix}-${i}`),
    }));
}

const idOf = (r: InRecord) => new TextDecoder().decode(r.value);

function counts(rs: InRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rs) m.set(idOf(r), (m.get(idOf(r)) ?? 0) + 1);
  return m;
}

/** Sends until acknowledged, as an OTLP client retrying 503s does; returns the attempts. */
async function sendWithRetry(
  send: () => Promise<void>,
  deadlineMs: number,
): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 1;; attempt++) {
    try {
      await send();
      return attempt;
    } catch (e) {
      ok(e instanceof KafkaUnavailableError, `attempt ${attempt}: ${e}`);
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function expectUnavailable(p: Promise<void>): Promise<void> {
  const t0 = performance.now();
  const e = await p.then(() => null, (e) => e);
  const ms = performance.now() - t0;
  ok(e instanceof KafkaUnavailableError, `expected KafkaUnavailableError, got ${e}`);
  deepStrictEqual([e.retriable, e.status], [true, 503]);
  ok(ms <= TIMEOUT_MS + SLACK_MS, `rejected after ${Math.round(ms)} ms`);
}

interface DumpedBatch {
  partition: number;
  count: number;
  producerId: bigint;
  baseSequence: number;
  codec: string;
}

/** Batches of a topic's log segments, as kafka.tools.DumpLogSegments prints them. */
async function dumpBatches(logDir: string, topic: string): Promise<DumpedBatch[]> {
  const out: DumpedBatch[] = [];
  for await (const dir of Deno.readDir(logDir)) {
    const m = new RegExp(`^${topic.replaceAll(".", "\\.")}-(\\d+)$`).exec(dir.name);
    if (!m) continue;
    for await (const f of Deno.readDir(`${logDir}/${dir.name}`)) {
      if (!f.name.endsWith(".log")) continue;
      const text = await run("kafka", KAFKA_JAVA, [
        "-cp",
        kafkaClasspath(),
        "kafka.tools.DumpLogSegments",
        "--files",
        `${logDir}/${dir.name}/${f.name}`,
      ]);
      for (const line of text.split("\n")) {
        if (!line.startsWith("baseOffset:")) continue;
        const field = (name: string) => new RegExp(`\\b${name}: (\\S+)`).exec(line)?.[1] ?? "";
        if (field("isControl") === "true") continue;
        out.push({
          partition: Number(m[1]),
          count: Number(field("count")),
          producerId: BigInt(field("producerId")),
          baseSequence: Number(field("baseSequence")),
          codec: field("compresscodec").toLowerCase(),
        });
      }
    }
  }
  return out;
}

Deno.test({
  name: "Kafka down, frozen and back: sends fail fast and retriably, then reconnect without loss",
  ignore: !enabled,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "obstack-kafka-down-" });
    const port = unusedPort();
    let controllerPort = unusedPort();
    while (controllerPort === port) controllerPort = unusedPort();
    const kafkaOpts = { port, controllerPort, dataDir, logFile: `${dataDir}/kafka.log` };
    let kafka = await startKafka(kafkaOpts);
    const brokers = [`127.0.0.1:${port}`];
    const topic = "down.test";
    const admin = await createKafkaAdmin({ brokers });
    await admin.ensureTopics([{ name: topic, partitions: 2 }]);
    await admin.close();
    const producer = await createKafkaProducer({
      brokers,
      clientId: "down-test",
      compression: "zstd",
      timeoutMs: TIMEOUT_MS,
    });
    const consumer = await createKafkaConsumer({
      brokers,
      groupId: "down-test",
      clientId: "down-test",
      topics: [topic],
      sessionTimeoutMs: 6000,
    });
    const consumed: InRecord[] = [];
    let consuming = true;
    const consumeLoop = (async () => {
      for await (const b of consumer.batches()) {
        consumed.push(...b.records);
        // A commit can fail while the broker is away; the next batch's commit covers it.
        await consumer.commit(b.topic, b.partition, b.records.at(-1)!.offset + 1n).catch(() => {});
        if (!consuming) break;
      }
    })();
    const waitConsumed = async (n: number) => {
      const deadline = Date.now() + 60_000;
      while (consumed.length < n && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    let frozen = false;
    try {
      await t.step("sends work while the broker is up", async () => {
        await producer.send(records(topic, "a", 100));
        strictEqual(await producer.ready(2000), true);
        await waitConsumed(100);
        strictEqual(consumed.length, 100);
      });

      await t.step(
        "broker stopped: send rejects in time, retriably; ready() is false",
        async () => {
          await kafka.stop();
          await expectUnavailable(producer.send(records(topic, "b", 50)));
          await expectUnavailable(producer.send(records(topic, "b", 50)));
          strictEqual(await producer.ready(1000), false);
        },
      );

      await t.step("broker back: the same producer reconnects, retries land once", async () => {
        kafka = await startKafka(kafkaOpts);
        const batch = records(topic, "b", 50);
        await sendWithRetry(() => producer.send(batch), 60_000);
        await producer.send(records(topic, "c", 50));
        strictEqual(await producer.ready(2000), true);
        const log = counts(await readTopic(brokers, topic, { timeoutMs: 20_000, expect: 200 }));
        strictEqual(log.size, 200);
        ok([...log.values()].every((n) => n === 1), "each acknowledged record exactly once");
      });

      await t.step("the same consumer resumes after the restart, nothing lost", async () => {
        await waitConsumed(200);
        const got = counts(consumed);
        strictEqual(got.size, 200, `consumed ${consumed.length}`);
        ok([...got.values()].every((n) => n === 1), "committed records not redelivered");
      });

      await t.step(
        "broker frozen (SIGSTOP): send rejects in time; works after SIGCONT",
        async () => {
          Deno.kill(kafka.pid, "SIGSTOP");
          frozen = true;
          const batch = records(topic, "d", 20);
          await expectUnavailable(producer.send(batch));
          strictEqual(await producer.ready(1000), false);
          Deno.kill(kafka.pid, "SIGCONT");
          frozen = false;
          const attempts = 1 + await sendWithRetry(() => producer.send(batch), 60_000);
          const log = counts(await readTopic(brokers, topic, { timeoutMs: 20_000, expect: 220 }));
          const copies = [...log].filter(([id]) => id.startsWith("d-")).map(([, n]) => n);
          strictEqual(copies.length, 20);
          // A request the frozen broker had already received is appended when it wakes up: the
          // client was told 503 and retried, so such records may be there twice (at least once),
          // but never more often than they were attempted.
          ok(
            copies.every((n) => n >= 1 && n <= attempts),
            `copies ${copies}, attempts ${attempts}`,
          );
        },
      );

      await t.step("on disk: idempotent batches, no sequence twice, zstd", async () => {
        consuming = false;
        await producer.close();
        await consumer.close();
        await consumeLoop;
        const total = (await readTopic(brokers, topic, { timeoutMs: 20_000 })).length;
        await kafka.stop();
        const batches = await dumpBatches(`${dataDir}/kraft`, topic);
        ok(batches.length > 0, "no batches dumped");
        strictEqual(batches.reduce((a, b) => a + b.count, 0), total);
        const seen = new Set<string>();
        for (const b of batches) {
          ok(b.producerId >= 0n, `batch without producer id: ${JSON.stringify(b, big)}`);
          ok(b.baseSequence >= 0, "batch without sequence number");
          strictEqual(b.codec, "zstd");
          const key = `${b.partition}/${b.producerId}/${b.baseSequence}`;
          ok(!seen.has(key), `sequence written twice: ${key}`);
          seen.add(key);
        }
      });
    } finally {
      consuming = false;
      if (frozen) Deno.kill(kafka.pid, "SIGCONT");
      await producer.close().catch(() => {});
      await consumer.close().catch(() => {});
      await kafka.stop().catch(() => {});
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

function big(_k: string, v: unknown) {
  return typeof v === "bigint" ? v.toString() : v;
}
