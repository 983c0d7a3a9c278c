/**
 * Ingest against a real Kafka broker (Apache Kafka 4.1 in KRaft mode, standing in for
 * Redpanda: same Kafka API): acknowledged data is in the topic, stamped, split when large,
 * and a broker outage gives 503 + Retry-After without losing or duplicating acknowledged data.
 */
import assert from "node:assert/strict";
import { otlpJsonToProtobuf } from "../../lib/codec/mod.ts";
import { startKafka } from "../../tasks/infra/kafka.ts";
import {
  createTopics,
  decodeEnvelopeCounts,
  readTopic,
  startTestIngest,
  uniqueTopics,
} from "../_helpers/ingest.ts";
import { freePorts } from "../../tasks/infra/ports.ts";
import { writeTestTenants } from "../_helpers/tenants.ts";

const KAFKA = Deno.env.get("OBSTACK_TEST_KAFKA");
const BIN_OK = Deno.env.get("OBSTACK_TEST_KAFKA") !== undefined;

function logsJson(resources: number, perResource: number, marker: string, bodyBytes = 16) {
  const pad = "x".repeat(bodyBytes);
  return JSON.stringify({
    resourceLogs: Array.from({ length: resources }, (_, r) => ({
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: `svc-${r}` } },
          { key: "tenant_id", value: { stringValue: "tenant-b" } },
        ],
      },
      scopeLogs: [{
        scope: { name: "it" },
        logRecords: Array.from({ length: perResource }, (_, i) => ({
          timeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(i)),
          body: { stringValue: `${marker} r${r} n${i} ${pad}` },
        })),
      }],
    })),
  });
}

Deno.test({
  name: "acknowledged OTLP logs are in Kafka once, stamped with the sender's tenant only",
  ignore: !KAFKA,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const brokers = [KAFKA!];
    const topics = uniqueTopics("spoof");
    await createTopics(brokers, topics);
    const t = await writeTestTenants([{ id: "tenant-a" }, { id: "tenant-b" }]);
    const ingest = await startTestIngest({ brokers, tenantsFile: t.path, topics });
    try {
      const res = await fetch(`${ingest.url}/v1/logs`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${t.tokens["tenant-a"]}`,
          "content-type": "application/json",
          "x-scope-orgid": "tenant-b",
        },
        body: logsJson(2, 5, "spoof"),
      });
      assert.equal(res.status, 200, await res.text());
      const recs = await readTopic(brokers, topics.logs, { timeoutMs: 20_000, expect: 1 });
      assert.equal(recs.length, 1);
      const rec = recs[0]!;
      assert.equal(rec.key, "tenant-a");
      assert.equal(rec.headers["obstack-tenant"], "tenant-a");
      assert.equal(rec.headers["obstack-format"], "otlp-logs");
      assert.ok(Math.abs(Number(rec.headers["obstack-received-at"]) - Date.now()) < 60_000);
      const c = decodeEnvelopeCounts(rec);
      assert.equal(c.records, 10);
      assert.deepEqual(c.stampedTenants, [["tenant-a"], ["tenant-a"]]);
    } finally {
      await ingest.stop();
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "a request over the broker's record limit is split and arrives whole",
  ignore: !KAFKA,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const brokers = [KAFKA!];
    const topics = uniqueTopics("split");
    const limit = 64 * 1024;
    await createTopics(brokers, topics, { maxMessageBytes: limit });
    const t = await writeTestTenants([{ id: "tenant-a" }]);
    const ingest = await startTestIngest({
      brokers,
      tenantsFile: t.path,
      topics,
      env: { OBSTACK_KAFKA_MAX_RECORD_BYTES: String(limit), OBSTACK_KAFKA_COMPRESSION: "none" },
    });
    try {
      // ~3 × 400 × 300 B ≈ 360 KB of protobuf: more than five times the record limit.
      const body = logsJson(3, 400, "split", 250);
      assert.ok(otlpJsonToProtobuf("logs", body).byteLength > 5 * limit);
      const res = await fetch(`${ingest.url}/v1/logs`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${t.tokens["tenant-a"]}`,
          "content-type": "application/json",
        },
        body,
      });
      assert.equal(res.status, 200, await res.text());
      const recs = await readTopic(brokers, topics.logs, { timeoutMs: 20_000 });
      assert.ok(recs.length > 5, `expected several records, got ${recs.length}`);
      const bodies: string[] = [];
      for (const r of recs) {
        assert.ok(r.value.byteLength < limit, `record of ${r.value.byteLength} bytes`);
        const c = decodeEnvelopeCounts(r);
        for (const s of c.stampedTenants) assert.deepEqual(s, ["tenant-a"]);
        bodies.push(...c.bodies);
      }
      assert.equal(bodies.length, 1200);
      assert.equal(new Set(bodies).size, 1200);
    } finally {
      await ingest.stop();
      await t.cleanup();
    }
  },
});

Deno.test({
  name:
    "broker down: 503 with Retry-After in bounded time; a retrying client's data lands exactly once",
  ignore: !BIN_OK,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "obstack-kafka-down-" });
    const [port, controllerPort] = freePorts(2) as [number, number];
    const start = () =>
      startKafka({ port, controllerPort, dataDir: `${dir}/kafka`, logFile: `${dir}/kafka.log` });
    let kafka = await start();
    const brokers = [`127.0.0.1:${port}`];
    const topics = uniqueTopics("down");
    await createTopics(brokers, topics, { partitions: 1 });
    const t = await writeTestTenants([{ id: "tenant-a" }]);
    const ingest = await startTestIngest({
      brokers,
      tenantsFile: t.path,
      topics,
      env: { OBSTACK_PUBLISH_TIMEOUT: "3s", OBSTACK_RETRY_AFTER: "2s" },
    });
    const send = (marker: string) =>
      fetch(`${ingest.url}/v1/logs`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${t.tokens["tenant-a"]}`,
          "content-type": "application/json",
        },
        body: logsJson(1, 1, marker),
      });
    try {
      const before = await send("before");
      assert.equal(before.status, 200, await before.text());

      await kafka.stop();
      const t0 = performance.now();
      const down = await send("during");
      const elapsed = performance.now() - t0;
      assert.equal(down.status, 503, await down.text());
      assert.equal(down.headers.get("retry-after"), "2");
      assert.ok(elapsed < 10_000, `503 took ${elapsed} ms`);
      const ready = await fetch(`${ingest.url}/readyz`);
      assert.equal(ready.status, 503);
      await ready.body?.cancel();

      // A client that retries on 503, as OTLP exporters do, while the broker comes back.
      kafka = await start();
      const markers = ["during", "after-1", "after-2", "after-3"];
      for (const m of markers) {
        let ok = false;
        for (let attempt = 0; attempt < 30 && !ok; attempt++) {
          const r = await send(m);
          await r.body?.cancel();
          if (r.status === 200) ok = true;
          else {
            assert.equal(r.status, 503);
            await new Promise((res) => setTimeout(res, 1000));
          }
        }
        assert.ok(ok, `${m} was never acknowledged`);
      }
      const recs = await readTopic(brokers, topics.logs, { timeoutMs: 20_000, expect: 5 });
      const bodies = recs.flatMap((r) =>
        decodeEnvelopeCounts(r).bodies.map((b) => b.split(" ")[0])
      );
      const count = (m: string) => bodies.filter((b) => b === m).length;
      assert.equal(count("before"), 1);
      for (const m of markers) assert.equal(count(m), 1, `${m} appears ${count(m)} times`);
    } finally {
      await ingest.stop();
      await kafka.stop();
      await t.cleanup();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
