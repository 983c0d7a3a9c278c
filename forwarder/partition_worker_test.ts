import assert from "node:assert/strict";
import type { InRecord } from "../lib/kafka/mod.ts";
import { createLogger } from "../lib/log/mod.ts";
import type { DeadLetter } from "./dead_letter.ts";
import type { Deliver } from "./deliver.ts";
import { type PartitionWorkerOptions, startPartitionWorker } from "./partition_worker.ts";

const log = createLogger("test", { sink: () => {} });
const rec = (offset: number, bytes = 10): InRecord => ({
  topic: "t",
  partition: 0,
  offset: BigInt(offset),
  key: "a",
  value: new Uint8Array(bytes),
  headers: {},
  timestamp: 0,
});

function harness(over: Partial<PartitionWorkerOptions> = {}) {
  const delivered: bigint[][] = [];
  const commits: bigint[] = [];
  const events: string[] = [];
  const deliver: Deliver = (records) => {
    delivered.push(records.map((r) => r.offset));
    return Promise.resolve([]);
  };
  const ac = new AbortController();
  const w = startPartitionWorker({
    topic: "t",
    partition: 0,
    deliver,
    sendDeadLetters: () => Promise.resolve(),
    commit: (n) => {
      commits.push(n);
      return Promise.resolve();
    },
    assigned: () => true,
    pause: () => events.push("pause"),
    resume: () => events.push("resume"),
    batchMaxRecords: 3,
    batchMaxBytes: 1000,
    lingerMs: 40,
    maxBufferedBytes: () => 1000,
    signal: ac.signal,
    log,
    ...over,
  });
  return { w, delivered, commits, events, ac };
}

const settle = (ms = 80) => new Promise((r) => setTimeout(r, ms));

Deno.test("partition worker waits for the linger time, delivers in order, commits last offset + 1", async () => {
  const h = harness();
  h.w.enqueue([rec(0), rec(1)]);
  await settle(10);
  assert.deepEqual(h.delivered, [], "still lingering");
  await settle();
  assert.deepEqual(h.delivered, [[0n, 1n]]);
  assert.deepEqual(h.commits, [2n]);
  // A full batch goes at once; records seen before are ignored (refetch after a rebalance).
  h.w.enqueue([rec(1), rec(2), rec(3), rec(4)]);
  await settle(25); // less than the linger time: a full batch does not wait
  assert.deepEqual(h.delivered, [[0n, 1n], [2n, 3n, 4n]]);
  assert.deepEqual(h.commits, [2n, 5n]);
  await h.w.stop();
  assert.ok(h.w.done);
});

Deno.test("partition worker publishes dead letters before it commits", async () => {
  const order: string[] = [];
  const dead: DeadLetter = {
    record: rec(1),
    origin: { topic: "t", partition: 0, offset: 1n },
    sink: "logs",
    reason: "x",
  };
  const h = harness({
    lingerMs: 0,
    deliver: () => Promise.resolve([dead]),
    sendDeadLetters: (d) => {
      order.push(`dlq:${d.length}`);
      return Promise.resolve();
    },
    commit: (n) => {
      order.push(`commit:${n}`);
      return Promise.resolve();
    },
  });
  h.w.enqueue([rec(0), rec(1)]);
  await settle();
  assert.deepEqual(order, ["dlq:1", "commit:2"]);
  await h.w.stop();
});

Deno.test("partition worker pauses over its memory share and while retrying, then resumes", async () => {
  let release!: () => void;
  const h = harness({
    lingerMs: 0,
    maxBufferedBytes: () => 25,
    deliver: (_r, _s, hooks) => {
      hooks?.onRetry?.();
      return new Promise<DeadLetter[]>((r) => (release = () => r([])));
    },
  });
  h.w.enqueue([rec(0), rec(1), rec(2)]); // 30 bytes > 25
  await settle(20);
  assert.deepEqual(h.events, ["pause"]);
  release();
  await settle(20);
  assert.deepEqual(h.events, ["pause", "resume"]);
  assert.deepEqual(h.commits, [3n]);
  await h.w.stop();
});

Deno.test("partition worker abandons an in-flight batch on abort without committing", async () => {
  const h = harness({
    lingerMs: 0,
    deliver: (_r, signal) =>
      new Promise((_res, rej) =>
        signal.addEventListener("abort", () => rej(signal.reason), { once: true })
      ),
  });
  h.w.enqueue([rec(0)]);
  await settle(20);
  const stopping = h.w.stop();
  h.ac.abort(new Error("grace over"));
  await stopping;
  assert.deepEqual(h.commits, []);
  assert.ok(h.w.done);
});

Deno.test("partition worker stops when a commit fails because the partition was revoked", async () => {
  const h = harness({
    lingerMs: 0,
    assigned: () => false,
    commit: () => Promise.reject(new Error("not assigned")),
  });
  h.w.enqueue([rec(0)]);
  await settle();
  assert.ok(h.w.done);
  h.w.enqueue([rec(1)]);
  await settle(20);
  assert.deepEqual(h.delivered, [[0n]], "a stopped worker takes nothing more");
});
