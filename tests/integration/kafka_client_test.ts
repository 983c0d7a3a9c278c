/**
 * lib/kafka against the test bed's real Kafka broker (OBSTACK_TEST_KAFKA): admin, the
 * idempotent producer with every codec, size limits, and the group consumer (commits,
 * pause/resume/rewind, rebalances, lag). Every test uses its own topics and groups.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  createKafkaAdmin,
  createKafkaConsumer,
  createKafkaProducer,
  estimateRecordBytes,
  fromRecord,
  type InRecord,
  KafkaCommitRejectedError,
  type KafkaCompression,
  type KafkaConsumer,
  KafkaRequestError,
  type OutRecord,
  readTopic,
  RECORD_BATCH_OVERHEAD,
  type RecordBatch,
  toRecord,
} from "../../lib/kafka/mod.ts";

const broker = Deno.env.get("OBSTACK_TEST_KAFKA");
const brokers = broker ? [broker] : [];
// The client library keeps sockets and timers for a moment after close().
const base = { ignore: !broker, sanitizeOps: false, sanitizeResources: false };

function uniq(name: string): string {
  return `kt.${name}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Records whose value carries a unique id, so deliveries can be counted exactly. */
function makeRecords(topic: string, n: number, prefix: string, tenants = 4): OutRecord[] {
  return Array.from({ length: n }, (_, i) =>
    toRecord(topic, {
      tenant: `tenant-${i % tenants}`,
      format: "otlp-logs",
      receivedAt: 1_700_000_000_000 + i,
      value: new TextEncoder().encode(`${prefix}-${i}|${"x".repeat(i % 300)}`),
    }));
}

const idOf = (r: InRecord) => new TextDecoder().decode(r.value).split("|")[0]!;

function countIds(records: InRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) m.set(idOf(r), (m.get(idOf(r)) ?? 0) + 1);
  return m;
}

async function withTopics<T>(
  specs: { name: string; partitions: number; config?: Record<string, string> }[],
  fn: () => Promise<T>,
): Promise<T> {
  const admin = await createKafkaAdmin({ brokers });
  try {
    await admin.ensureTopics(specs);
    return await fn();
  } finally {
    await admin.deleteTopics(specs.map((s) => s.name)).catch(() => {});
    await admin.close();
  }
}

/**
 * Reads batches with a timeout without losing any: a `next()` that lost the race against the
 * timer stays pending and is handed out by the following call.
 */
function batchReader(c: KafkaConsumer): (timeoutMs: number) => Promise<RecordBatch | null> {
  const it = c.batches()[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<RecordBatch>> | null = null;
  return async (timeoutMs) => {
    pending ??= it.next();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      pending,
      new Promise<null>((res) => timer = setTimeout(() => res(null), Math.max(1, timeoutMs))),
    ]);
    clearTimeout(timer);
    if (r === null) return null;
    pending = null;
    return r.done ? null : r.value;
  };
}

/** Reads batches until `n` records arrived (or the deadline), committing each batch. */
async function drain(
  c: KafkaConsumer,
  n: number,
  timeoutMs: number,
  onBatch?: (b: RecordBatch) => void,
): Promise<InRecord[]> {
  const got: InRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  const read = batchReader(c);
  while (got.length < n && Date.now() < deadline) {
    const b = await read(deadline - Date.now());
    if (!b) break;
    onBatch?.(b);
    got.push(...b.records);
    await c.commit(b.topic, b.partition, b.records.at(-1)!.offset + 1n);
  }
  return got;
}

function assertContiguousPerPartition(records: InRecord[]): void {
  const last = new Map<number, bigint>();
  for (const r of records) {
    const prev = last.get(r.partition);
    if (prev !== undefined) {
      strictEqual(r.offset, prev + 1n, `partition ${r.partition}: ${prev} then ${r.offset}`);
    }
    last.set(r.partition, r.offset);
  }
}

Deno.test({
  ...base,
  name: "ensureTopics() is idempotent and applies topic config; maxMessageBytes() reads it",
  async fn() {
    const a = uniq("admin-a");
    const b = uniq("admin-b");
    const admin = await createKafkaAdmin({ brokers });
    try {
      await admin.ensureTopics([
        { name: a, partitions: 3 },
        { name: b, partitions: 1, config: { "max.message.bytes": "2097152" } },
      ]);
      // Again, and with different settings: existing topics are left as they are.
      await admin.ensureTopics([{
        name: a,
        partitions: 7,
        config: { "max.message.bytes": "5000" },
      }]);
      strictEqual(await admin.maxMessageBytes(a), 1_048_588);
      strictEqual(await admin.maxMessageBytes(b), 2_097_152);
      const producer = await createKafkaProducer({
        brokers,
        clientId: "kt-admin",
        compression: "none",
        timeoutMs: 10_000,
      });
      await producer.send(makeRecords(a, 200, "p", 40));
      await producer.close();
      const parts = new Set(
        (await readTopic(brokers, a, { timeoutMs: 10_000 })).map((r) => r.partition),
      );
      deepStrictEqual([...parts].sort(), [0, 1, 2]);
    } finally {
      await admin.deleteTopics([a, b]).catch(() => {});
      await admin.close();
    }
  },
});

for (const compression of ["none", "gzip", "snappy", "lz4", "zstd"] as KafkaCompression[]) {
  Deno.test({
    ...base,
    name: `send() with ${compression} delivers every record once, in order per tenant`,
    async fn() {
      const topic = uniq(`codec-${compression}`);
      await withTopics([{ name: topic, partitions: 3 }], async () => {
        const producer = await createKafkaProducer({
          brokers,
          clientId: "kt-codec",
          compression,
          timeoutMs: 10_000,
        });
        const sent = makeRecords(topic, 600, compression);
        for (let i = 0; i < sent.length; i += 200) await producer.send(sent.slice(i, i + 200));
        await producer.close();
        const got = await readTopic(brokers, topic, { timeoutMs: 15_000, expect: 600 });
        strictEqual(got.length, 600);
        const byId = new Map(
          sent.map((r) => [new TextDecoder().decode(r.value).split("|")[0]!, r]),
        );
        const lastAt = new Map<string, number>();
        for (const r of got) {
          const env = fromRecord(r);
          const want = byId.get(idOf(r))!;
          ok(want, `unexpected record ${idOf(r)}`);
          byId.delete(idOf(r));
          deepStrictEqual(r.headers, want.headers);
          deepStrictEqual(r.value, want.value);
          strictEqual(r.key, env.tenant);
          // One tenant → one partition, and its records keep their order.
          ok(env.receivedAt > (lastAt.get(env.tenant) ?? 0), `order of ${env.tenant}`);
          lastAt.set(env.tenant, env.receivedAt);
          ok(Math.abs(r.timestamp - Date.now()) < 120_000, "record timestamp is the send time");
        }
        strictEqual(byId.size, 0);
        assertContiguousPerPartition(got);
      });
    },
  });
}

Deno.test({
  ...base,
  name: "concurrent send() calls are all acknowledged, each record exactly once",
  async fn() {
    const topic = uniq("concurrent");
    await withTopics([{ name: topic, partitions: 2 }], async () => {
      const producer = await createKafkaProducer({
        brokers,
        clientId: "kt-conc",
        compression: "lz4",
        timeoutMs: 15_000,
      });
      const calls = Array.from({ length: 40 }, (_, i) => makeRecords(topic, 50, `c${i}`));
      await Promise.all(calls.map((recs) => producer.send(recs)));
      await producer.close();
      const got = await readTopic(brokers, topic, { timeoutMs: 15_000, expect: 2000 });
      const counts = countIds(got);
      strictEqual(counts.size, 2000);
      ok([...counts.values()].every((n) => n === 1), "no duplicates");
    });
  },
});

Deno.test({
  ...base,
  name: "a record of the topic's size limit is accepted; larger ones are refused, not retried",
  async fn() {
    const topic = uniq("limit");
    await withTopics([{ name: topic, partitions: 1 }], async () => {
      const admin = await createKafkaAdmin({ brokers });
      const limit = await admin.maxMessageBytes(topic);
      await admin.close();
      const producer = await createKafkaProducer({
        brokers,
        clientId: "kt-limit",
        compression: "gzip",
        timeoutMs: 15_000,
        maxRecordBytes: limit,
      });
      // A producer that believes the limit is 4 MiB: the broker itself refuses the batch.
      const unaware = await createKafkaProducer({
        brokers,
        clientId: "kt-limit2",
        compression: "none",
        timeoutMs: 15_000,
        maxRecordBytes: 4 * 1024 * 1024,
      });
      try {
        const shell = toRecord(topic, {
          tenant: "tenant-a",
          format: "otlp-logs",
          receivedAt: 1,
          value: new Uint8Array(0),
        });
        const room = limit - RECORD_BATCH_OVERHEAD - estimateRecordBytes(shell);
        const random = new Uint8Array(room);
        for (let i = 0; i < room; i += 65536) {
          random.set(crypto.getRandomValues(new Uint8Array(Math.min(65536, room - i))), i);
        }
        await producer.send([{ ...shell, value: random }]); // incompressible, at the limit

        const over = { ...shell, value: new Uint8Array(room + 1) };
        const t0 = Date.now();
        const e1 = await producer.send([over]).catch((e) => e);
        ok(e1 instanceof KafkaRequestError, `producer check: ${e1}`);
        const e2 = await unaware.send([{ ...shell, value: new Uint8Array(2 * 1024 * 1024) }])
          .catch((e) => e);
        ok(e2 instanceof KafkaRequestError, `broker check: ${e2}`);
        ok(/TOO_LARGE/.test(e2.message), e2.message);
        ok(Date.now() - t0 < 10_000, "refused quickly, not retried until the deadline");
        // The producer still works after a refusal.
        await unaware.send(makeRecords(topic, 3, "after"));
        const got = await readTopic(brokers, topic, { timeoutMs: 10_000, expect: 4 });
        deepStrictEqual(got.map((r) => r.value.byteLength).slice(0, 1), [room]);
        strictEqual(got.length, 4);
      } finally {
        await producer.close();
        await unaware.close();
      }
    });
  },
});

Deno.test({
  ...base,
  name: "send() to a topic that does not exist is refused instead of hanging",
  async fn() {
    const producer = await createKafkaProducer({
      brokers,
      clientId: "kt-missing",
      compression: "none",
      timeoutMs: 20_000,
    });
    try {
      const t0 = Date.now();
      const e = await producer.send(makeRecords(uniq("missing"), 1, "m")).catch((e) => e);
      ok(e instanceof KafkaRequestError, String(e));
      ok(/does not exist/.test(e.message), e.message);
      ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
    } finally {
      await producer.close();
    }
  },
});

Deno.test({
  ...base,
  name: "consumer delivers in order per partition and a new member resumes after the last commit",
  async fn() {
    const topic = uniq("resume");
    await withTopics([{ name: topic, partitions: 3 }], async () => {
      const producer = await createKafkaProducer({
        brokers,
        clientId: "kt-resume",
        compression: "snappy",
        timeoutMs: 10_000,
      });
      await producer.send(makeRecords(topic, 1000, "r", 9));
      const group = uniq("g");
      const c1 = await createKafkaConsumer({
        brokers,
        groupId: group,
        clientId: "c1",
        topics: [topic],
        maxBatchRecords: 100,
      });
      let first: InRecord[];
      try {
        strictEqual(c1.assignment().length, 3);
        first = await drain(c1, 400, 20_000, (b) => {
          ok(b.records.length <= 100);
          ok(b.records.every((r) => r.partition === b.partition && r.topic === topic));
        });
        ok(first.length >= 400);
        assertContiguousPerPartition(first);
        const lag = await c1.lag();
        const total = Object.values(lag).reduce((a, b) => a + b, 0);
        strictEqual(total, 1000 - first.length, JSON.stringify(lag));
      } finally {
        await c1.close();
      }
      await producer.send(makeRecords(topic, 10, "late", 3));
      await producer.close();
      const c2 = await createKafkaConsumer({
        brokers,
        groupId: group,
        clientId: "c2",
        topics: [topic],
      });
      try {
        const rest = await drain(c2, 1010 - first.length, 20_000);
        const counts = countIds([...first, ...rest]);
        strictEqual(counts.size, 1010);
        ok([...counts.values()].every((n) => n === 1), "committed records are not redelivered");
        assertContiguousPerPartition(rest);
        deepStrictEqual(Object.values(await c2.lag()), [0, 0, 0]);
      } finally {
        await c2.close();
      }
    });
  },
});

Deno.test({
  ...base,
  name: "pause() holds a partition back, resume() releases it, rewind() redelivers",
  async fn() {
    const topic = uniq("pause");
    await withTopics([{ name: topic, partitions: 2 }], async () => {
      const producer = await createKafkaProducer({
        brokers,
        clientId: "kt-pause",
        compression: "none",
        timeoutMs: 10_000,
      });
      await producer.send(makeRecords(topic, 200, "a", 10));
      const c = await createKafkaConsumer({
        brokers,
        groupId: uniq("g"),
        clientId: "c",
        topics: [topic],
        maxBatchRecords: 20,
        maxWaitMs: 200,
      });
      try {
        // Take one batch of partition 0 and hold it uncommitted, then pause partition 0.
        const read = batchReader(c);
        let held: RecordBatch | undefined;
        while (!held) {
          const b = await read(10_000);
          ok(b, "no batch");
          if (b.partition === 0) held = b;
        }
        c.pause(topic, 0);
        // Everything else that arrives now is from partition 1 only.
        const deadline = Date.now() + 3000;
        let fromOne = 0;
        while (Date.now() < deadline) {
          const b = await read(500);
          if (!b) continue;
          strictEqual(b.partition, 1, "paused partition delivered a batch");
          fromOne += b.records.length;
          await c.commit(topic, 1, b.records.at(-1)!.offset + 1n);
        }
        ok(fromOne > 0, "the other partition kept flowing");
        // Rewind partition 0 (abandon the held batch) and resume: it comes again first.
        c.rewind(topic, 0);
        c.resume(topic, 0);
        let again: RecordBatch | undefined;
        while (!again) {
          const b = await read(10_000);
          ok(b, "no batch after resume");
          if (b.partition === 0) again = b;
        }
        strictEqual(again.records[0]!.offset, held.records[0]!.offset);
        deepStrictEqual(again.records.map(idOf), held.records.map(idOf));
        await c.commit(topic, 0, again.records.at(-1)!.offset + 1n);
        // Committing an offset never fetched is a bug on the caller's side.
        const e = await c.commit(topic, 0, 1_000_000n).catch((e) => e);
        ok(e instanceof KafkaRequestError, String(e));
      } finally {
        await c.close();
        await producer.close();
      }
    });
  },
});

Deno.test({
  ...base,
  name: "rebalance: partitions move to a new member, the old owner cannot commit them, none lost",
  async fn() {
    const topic = uniq("rebalance");
    await withTopics([{ name: topic, partitions: 4 }], async () => {
      const producer = await createKafkaProducer({
        brokers,
        clientId: "kt-rb",
        compression: "zstd",
        timeoutMs: 10_000,
      });
      await producer.send(makeRecords(topic, 800, "b", 16));
      const group = uniq("g");
      const common = { brokers, groupId: group, topics: [topic], maxBatchRecords: 50 };
      const c1 = await createKafkaConsumer({ ...common, clientId: "c1" });
      let c2: KafkaConsumer | undefined;
      try {
        strictEqual(c1.assignment().length, 4);
        // c1 takes one batch per partition without committing.
        const held = new Map<number, RecordBatch>();
        const read1 = batchReader(c1);
        const extra: InRecord[] = [];
        while (held.size < 4) {
          const b = await read1(10_000);
          ok(b, "no batch");
          if (!held.has(b.partition)) held.set(b.partition, b);
          else extra.push(...b.records);
        }
        c2 = await createKafkaConsumer({ ...common, clientId: "c2" });
        // c1 learns of the rebalance through its heartbeat.
        const deadline = Date.now() + 20_000;
        while (c1.assignment().length === 4 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const mine = new Set(c1.assignment().map((a) => a.partition));
        const theirs = c2.assignment().map((a) => a.partition);
        strictEqual(mine.size + theirs.length, 4, `c1 ${[...mine]} c2 ${theirs}`);
        ok(theirs.length > 0 && mine.size > 0);
        for (const [p, b] of held) {
          const result = await c1.commit(topic, p, b.records.at(-1)!.offset + 1n).then(
            () => "ok",
            (e) => e,
          );
          if (mine.has(p)) strictEqual(result, "ok");
          else ok(result instanceof KafkaCommitRejectedError, `partition ${p}: ${result}`);
        }
        // Both members drain concurrently; together they deliver every record at least once.
        // Records c1 received for partitions it kept; those of moved partitions were never
        // committed, so their new owner receives them again (at least once).
        const committedByC1 = [...held.values()].filter((b) => mine.has(b.partition))
          .flatMap((b) => b.records).concat(extra.filter((r) => mine.has(r.partition)));
        const [r1, r2] = await Promise.all([
          drainUntilIdle(read1, c1, 3000),
          drainUntilIdle(batchReader(c2), c2, 3000),
        ]);
        const counts = countIds([...committedByC1, ...r1, ...r2]);
        strictEqual(counts.size, 800, "every record delivered");
        // Only the batches that c1 held but could not commit may come twice.
        const dups = [...counts.values()].filter((n) => n > 1).length;
        ok(dups === 0, `${dups} duplicates`);
        ok(r1.every((r) => mine.has(r.partition)));
        ok(r2.every((r) => !mine.has(r.partition)));
      } finally {
        await c1.close();
        await c2?.close();
        await producer.close();
      }
    });
  },
});

/** Drains and commits until no batch came for `idleMs`. */
async function drainUntilIdle(
  read: (ms: number) => Promise<RecordBatch | null>,
  c: KafkaConsumer,
  idleMs: number,
): Promise<InRecord[]> {
  const got: InRecord[] = [];
  while (true) {
    const b = await read(idleMs);
    if (!b) return got;
    got.push(...b.records);
    await c.commit(b.topic, b.partition, b.records.at(-1)!.offset + 1n);
  }
}
