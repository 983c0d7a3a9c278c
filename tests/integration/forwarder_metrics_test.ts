/**
 * Forwarder → Prometheus (remote write 1.0 and 2.0), against the test bed's real Prometheus:
 * OTLP metrics and remote-write input, read back with PromQL per tenant; a sample Prometheus
 * refuses for good (out of order) is dead-lettered without blocking the records after it.
 */
import assert from "node:assert/strict";
import { readTopic } from "../../lib/kafka/mod.ts";
import {
  forwarderEnv,
  makeTopics,
  metricsPayload,
  produce,
  promQuery,
  randomHex,
  remoteWritePayload,
  runForwarder,
  waitFor,
} from "../../forwarder/_test_helpers.ts";

const kafka = Deno.env.get("OBSTACK_TEST_KAFKA");
const prometheus = Deno.env.get("OBSTACK_TEST_PROMETHEUS");
const base = { ignore: !kafka || !prometheus, sanitizeOps: false, sanitizeResources: false };

for (const version of ["1.0", "2.0"] as const) {
  Deno.test({
    ...base,
    name:
      `forwarder writes OTLP and remote-write metrics per tenant to Prometheus (remote write ${version})`,
    async fn() {
      const topics = await makeTopics([kafka!], "fwdmetrics");
      const id = randomHex(4);
      const counter = `fwdit.requests.${id}`;
      const gauge = `fwdit.memory.${id}`;
      const rw = `fwdit_rw_${id}`;
      const now = Date.now();
      const fwd = await runForwarder(forwarderEnv(kafka!, topics, ["prometheus"], {
        OBSTACK_PROMETHEUS_URL: `${prometheus}/api/v1/write`,
        OBSTACK_PROMETHEUS_RW_VERSION: version,
      }));
      try {
        await produce([kafka!], topics.metrics, [
          {
            tenant: "tenant-a",
            format: "otlp-metrics",
            value: metricsPayload("tenant-a", {
              service: "checkout",
              counter,
              gauge,
              value: 42,
              timeMs: now - 2000,
            }),
          },
          {
            tenant: "tenant-b",
            format: "otlp-metrics",
            value: metricsPayload("tenant-b", {
              service: "billing",
              counter,
              value: 7,
              timeMs: now - 2000,
            }),
          },
          {
            tenant: "tenant-a",
            format: "prom-rw-v1",
            value: remoteWritePayload("tenant-a", {
              name: rw,
              labels: { job: "node", instance: "h1:9100" },
              samples: [{ value: 1.5, timestamp: now - 3000 }, {
                value: 2.5,
                timestamp: now - 1000,
              }],
            }),
          },
        ]);
        const name = `fwdit_requests_${id}_total`;
        const a = await waitFor("tenant-a counter", async () => {
          const r = await promQuery(prometheus!, `${name}{tenant_id="tenant-a"}`);
          return r.length ? r : undefined;
        });
        assert.deepEqual(a.map((s) => [s.metric, s.value[1]]), [[{
          __name__: name,
          instance: "i-1",
          job: "checkout",
          k: "v",
          otel_scope_name: "obstack.test",
          otel_scope_version: "1",
          tenant_id: "tenant-a",
        }, "42"]]);
        const g = await promQuery(prometheus!, `fwdit_memory_${id}_bytes`);
        assert.deepEqual(g.map((s) => [s.metric.tenant_id, s.value[1]]), [["tenant-a", "21"]]);
        const b = await promQuery(prometheus!, `${name}{tenant_id="tenant-b"}`);
        assert.deepEqual(b.map((s) => [s.metric.job, s.value[1]]), [["billing", "7"]]);
        // Every series of the metric belongs to exactly the tenant that sent it.
        const all = await promQuery(prometheus!, name);
        assert.deepEqual(all.map((s) => s.metric.tenant_id).sort(), ["tenant-a", "tenant-b"]);
        const ti = await promQuery(prometheus!, `target_info{job="checkout",tenant_id="tenant-a"}`);
        assert.deepEqual(ti.map((s) => s.metric), [{
          __name__: "target_info",
          host_name: "node-1",
          instance: "i-1",
          job: "checkout",
          tenant_id: "tenant-a",
        }]);

        // Remote-write input passed through: both samples, labels unchanged.
        const r = await waitFor("remote-write series", async () => {
          const v = await promQuery(prometheus!, `${rw}[1m]`).catch(() => []);
          return v.length ? v : undefined;
        });
        assert.deepEqual(r[0]!.metric, {
          __name__: rw,
          instance: "h1:9100",
          job: "node",
          tenant_id: "tenant-a",
        });
        assert.deepEqual(
          (r[0] as unknown as { values: [number, string][] }).values.map((x) => x[1]),
          ["1.5", "2.5"],
        );
      } finally {
        await fwd.stop();
      }
    },
  });
}

Deno.test({
  ...base,
  name:
    "forwarder dead-letters a sample Prometheus refuses (out of order) and still delivers the records after it",
  async fn() {
    const topics = await makeTopics([kafka!], "fwdooo", 1);
    const rw = `fwdit_ooo_${randomHex(4)}`;
    const now = Date.now();
    const fwd = await runForwarder(forwarderEnv(kafka!, topics, ["prometheus"], {
      OBSTACK_PROMETHEUS_URL: `${prometheus}/api/v1/write`,
    }));
    try {
      const rec = (value: number, timestamp: number) => ({
        tenant: "tenant-a",
        format: "prom-rw-v1" as const,
        value: remoteWritePayload("tenant-a", { name: rw, samples: [{ value, timestamp }] }),
      });
      // Prometheus refuses a sample older than one it already stored for the series (400,
      // out of order). Within one request it would drop it silently, so the newer sample is
      // stored first, then the old one is sent with a good record behind it.
      await produce([kafka!], topics.metrics, [rec(1, now - 5000)]);
      await waitFor(
        "first sample",
        async () => (await promQuery(prometheus!, rw)).length ? true : undefined,
      );
      await produce([kafka!], topics.metrics, [rec(2, now - 60_000), rec(3, now - 1000)]);
      const dlq = await readTopic([kafka!], topics.dlq, { timeoutMs: 30_000, expect: 1 });
      assert.equal(dlq.length, 1);
      assert.equal(dlq[0]!.headers["obstack-dlq-sink"], "prometheus");
      assert.equal(dlq[0]!.headers["obstack-dlq-offset"], "1");
      assert.match(dlq[0]!.headers["obstack-dlq-reason"] ?? "", /HTTP 400/);
      const v = await waitFor("later sample", async () => {
        const r = await promQuery(prometheus!, `${rw}[5m]`);
        return r.length && (r[0] as unknown as { values: unknown[] }).values.length === 2
          ? r
          : undefined;
      });
      assert.deepEqual(
        (v[0] as unknown as { values: [number, string][] }).values.map((x) => x[1]),
        ["1", "3"],
      );
    } finally {
      await fwd.stop();
    }
  },
});
