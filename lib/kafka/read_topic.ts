/**
 * Test helper: reads a topic from the beginning without joining a group or committing.
 *
 * @module
 */
import { Consumer, ListOffsetTimestamps } from "@platformatic/kafka";
import type { InRecord } from "./contract.ts";
import { toKafkaError } from "./_errors.ts";
import { parseBrokers } from "./_brokers.ts";
import { fetchOnce } from "./_fetcher.ts";

/** Options of {@linkcode readTopic}. */
export interface ReadTopicOptions {
  /** Give up after this long and return what was read so far. */
  timeoutMs: number;
  /**
   * Return as soon as this many records were read (waiting for them up to `timeoutMs`). Without
   * it, reads up to the log end offsets seen at the start.
   */
  expect?: number;
}

/**
 * Reads every record of `topic` (all partitions) from the earliest offset, ordered by
 * partition, then offset. Uses a throw-away client that never joins a group.
 *
 * @example
 * ```ts
 * const recs = await readTopic(["127.0.0.1:29092"], "obstack.logs", { timeoutMs: 10_000, expect: 3 });
 * ```
 */
export async function readTopic(
  brokers: string[],
  topic: string,
  options: ReadTopicOptions,
): Promise<InRecord[]> {
  const consumer = new Consumer({
    clientId: "obstack-read-topic",
    groupId: `obstack-read-topic-${crypto.randomUUID()}`,
    bootstrapBrokers: parseBrokers(brokers, "brokers"),
    autocommit: false,
    requestTimeout: 20_000,
    connectTimeout: 5000,
    retries: 2,
    retryDelay: 250,
  });
  consumer.topics.track(topic);
  const deadline = Date.now() + options.timeoutMs;
  const byPartition = new Map<number, InRecord[]>();
  try {
    const md = await consumer.metadata({ topics: [topic] });
    const count = md.topics.get(topic)?.partitionsCount ?? 0;
    const partitions = [...Array(count).keys()];
    const all = { [topic]: partitions };
    const [earliest, latest] = await Promise.all([
      consumer.listOffsets({
        topics: [topic],
        partitions: all,
        timestamp: ListOffsetTimestamps.EARLIEST,
      }),
      consumer.listOffsets({
        topics: [topic],
        partitions: all,
        timestamp: ListOffsetTimestamps.LATEST,
      }),
    ]);
    const pos = new Map<number, bigint>();
    const end = new Map<number, bigint>();
    for (const p of partitions) {
      pos.set(p, earliest.get(topic)?.[p] ?? 0n);
      end.set(p, latest.get(topic)?.[p] ?? 0n);
      byPartition.set(p, []);
    }
    let total = 0;
    const done = () =>
      options.expect !== undefined
        ? total >= options.expect
        : partitions.every((p) => pos.get(p)! >= end.get(p)!);
    while (!done() && Date.now() < deadline) {
      const wants = partitions
        .filter((p) => options.expect !== undefined || pos.get(p)! < end.get(p)!)
        .map((p) => ({ topic, partition: p, offset: pos.get(p)! }));
      const got = await fetchOnce(consumer, wants, {
        maxWaitMs: Math.max(1, Math.min(500, deadline - Date.now())),
        maxBytes: 32 * 1024 * 1024,
        partitionMaxBytes: 8 * 1024 * 1024,
      });
      for (const g of got) {
        if (g.error) throw new Error(`reading ${topic}/${g.partition}: ${g.error}`);
        byPartition.get(g.partition)!.push(...g.records);
        total += g.records.length;
        pos.set(g.partition, g.next);
      }
    }
  } catch (e) {
    throw toKafkaError(e, `read of ${topic}`);
  } finally {
    await consumer.close(true).catch(() => {});
  }
  return [...byPartition.keys()].sort((a, b) => a - b).flatMap((p) => byPartition.get(p)!);
}
