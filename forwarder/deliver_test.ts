import assert from "node:assert/strict";
import { type InRecord, toRecord } from "../lib/kafka/mod.ts";
import { createLogger } from "../lib/log/mod.ts";
import { createRegistry } from "../lib/metrics/mod.ts";
import { logsPayload } from "./_test_helpers.ts";
import { createDelivery } from "./deliver.ts";
import { createForwarderMetrics } from "./metrics.ts";
import type { Sink, SinkRecord, WriteOutcome } from "./sinks/sink.ts";
import { permanentError, retriableError } from "./sinks/sink_error.ts";

const log = createLogger("test", { sink: () => {} });

function rec(offset: number, tenant = "tenant-a", body = `line-${offset}`): InRecord {
  const out = toRecord("t.logs", {
    tenant,
    format: "otlp-logs",
    receivedAt: 1,
    value: logsPayload(tenant, { service: "s", bodies: [body] }),
  });
  return {
    topic: "t.logs",
    partition: 0,
    offset: BigInt(offset),
    key: out.key,
    value: out.value,
    headers: out.headers,
    timestamp: 0,
  };
}

/** A sink whose behaviour per call is scripted; records what it was asked to write. */
function fakeSink(
  name: Sink["name"],
  behave: (recs: readonly SinkRecord[], call: number) => WriteOutcome | Error,
): Sink & {
  calls: bigint[][];
} {
  const calls: bigint[][] = [];
  return {
    name,
    formats: ["otlp-logs"],
    calls,
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
    write(_tenant, recs) {
      calls.push(recs.map((r) => r.origin.offset));
      const r = behave(recs, calls.length);
      return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
    },
  };
}

const ok = (): WriteOutcome => ({ failures: [], bytesSent: 1 });

function delivery(sinks: Sink[], extra: Partial<Parameters<typeof createDelivery>[0]> = {}) {
  return createDelivery({
    sinks,
    batchMaxRecords: 100,
    batchMaxBytes: 1 << 20,
    retryInitialMs: 1,
    retryMaxMs: 5,
    metrics: createForwarderMetrics(createRegistry()),
    log,
    ...extra,
  });
}

Deno.test("createDelivery() retries a retriable failure until it succeeds, pausing via onRetry", async () => {
  const sink = fakeSink("logs", (_r, call) => (call < 3 ? retriableError("down") : ok()));
  let retries = 0;
  const dead = await delivery([sink])([rec(0), rec(1)], new AbortController().signal, {
    onRetry: () => retries++,
  });
  assert.deepEqual(dead, []);
  assert.deepEqual(sink.calls, [[0n, 1n], [0n, 1n], [0n, 1n]]);
  assert.equal(retries, 2);
});

Deno.test("createDelivery() bisects a refused request so only the bad record is dead-lettered, in order", async () => {
  // The store refuses any request that contains offset 2 (like Prometheus' 400 for one bad sample).
  const sink = fakeSink(
    "prometheus",
    (recs) =>
      recs.some((r) => r.origin.offset === 2n)
        ? permanentError("HTTP 400: out of order sample")
        : ok(),
  );
  const dead = await delivery([sink])(
    [0, 1, 2, 3, 4].map((o) => rec(o)),
    new AbortController().signal,
  );
  assert.deepEqual(dead.map((d) => [d.record.offset, d.sink, d.reason]), [[
    2n,
    "prometheus",
    "HTTP 400: out of order sample",
  ]]);
  // Written in order: everything before the bad record first, then what follows it.
  const written = sink.calls.filter((c) => !c.includes(2n)).flat();
  assert.deepEqual(written, [0n, 1n, 3n, 4n]);
});

Deno.test("createDelivery() retries only the retriable items of a per-item answer and dead-letters the rest", async () => {
  const sink = fakeSink("opensearch", (recs, call) => {
    if (call === 1) {
      return {
        failures: [
          { index: 1, error: retriableError("HTTP 429", { status: 429 }) },
          { index: 2, error: permanentError("HTTP 400: mapper_parsing_exception") },
        ],
        bytesSent: 1,
      };
    }
    assert.deepEqual(recs.map((r) => r.origin.offset), [1n]);
    return ok();
  });
  const dead = await delivery([sink])([rec(0), rec(1), rec(2)], new AbortController().signal);
  assert.deepEqual(dead.map((d) => [d.record.offset, d.sink]), [[2n, "opensearch"]]);
  assert.equal(sink.calls.length, 2);
});

Deno.test("createDelivery() dead-letters undecodable records and still delivers the others", async () => {
  const sink = fakeSink("logs", () => ok());
  const poison: InRecord = { ...rec(1), value: new Uint8Array([0xff, 0xff, 0xff]) };
  const dead = await delivery([sink])([rec(0), poison, rec(2)], new AbortController().signal);
  assert.deepEqual(dead.map((d) => [d.record.offset, d.sink]), [[1n, "decode"]]);
  assert.match(dead[0]!.reason, /^decode otlp-logs: /);
  assert.deepEqual(sink.calls, [[0n, 2n]]);
});

Deno.test("createDelivery() writes each sink independently and groups requests per tenant within bounds", async () => {
  const a = fakeSink("logs", () => ok());
  const b = fakeSink("opensearch", () => ok());
  const recs = [
    rec(0, "tenant-a"),
    rec(1, "tenant-b"),
    rec(2, "tenant-a"),
    rec(3, "tenant-a"),
    rec(4, "tenant-a"),
  ];
  await delivery([a, b], { batchMaxRecords: 2 })(recs, new AbortController().signal);
  for (const s of [a, b]) assert.deepEqual(s.calls, [[0n, 2n], [3n, 4n], [1n]]);
});

Deno.test("createDelivery() sends a replayed dead letter only to the sink that refused it, with its original offset", async () => {
  const a = fakeSink("logs", () => ok());
  const b = fakeSink("opensearch", () => ok());
  const r = rec(7);
  r.headers = {
    ...r.headers,
    "obstack-dlq-sink": "logs",
    "obstack-dlq-topic": "t.logs",
    "obstack-dlq-partition": "0",
    "obstack-dlq-offset": "3",
  };
  await delivery([a, b])([r], new AbortController().signal);
  assert.deepEqual(a.calls, [[3n]]);
  assert.deepEqual(b.calls, []);
});

Deno.test("createDelivery() gives up only when aborted, and then rejects (nothing may be committed)", async () => {
  const sink = fakeSink("logs", () => retriableError("down"));
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error("shutdown")), 50);
  await assert.rejects(delivery([sink])([rec(0)], ac.signal), /shutdown/);
  assert.ok(sink.calls.length >= 2);
});
