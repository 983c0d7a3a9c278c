/**
 * Real clients judge the write API: the OpenTelemetry Collector (otlphttp exporter, protobuf
 * and JSON) and Prometheus (remote write 1.0 and 2.0) send to ingest with nothing but the
 * endpoint and a token; the test reads the records back from Kafka (Apache Kafka standing in
 * for Redpanda) and checks count, content, headers and `tenant_id`. Every client also tries to
 * spoof the tenant (a `tenant_id` resource attribute / external label, `X-Scope-OrgID`).
 */
import assert from "node:assert/strict";
import type { InRecord } from "../../lib/kafka/mod.ts";
import { startCollector } from "../../tasks/infra/collector.ts";
import { startPrometheus } from "../../tasks/infra/prometheus.ts";
import {
  createTopics,
  decodeEnvelopeCounts,
  readTopic,
  startTestIngest,
  type TestTopics,
  uniqueTopics,
} from "../_helpers/ingest.ts";
import { freePort } from "../../tasks/infra/ports.ts";
import { writeTestTenants } from "../_helpers/tenants.ts";

const KAFKA = Deno.env.get("OBSTACK_TEST_KAFKA");
const OTELCOL = Deno.env.get("OBSTACK_BIN_OTELCOL");
const TELEMETRYGEN = Deno.env.get("OBSTACK_BIN_TELEMETRYGEN");
const PROMETHEUS = Deno.env.get("OBSTACK_BIN_PROMETHEUS");

/** Reads a topic until `done(records)` holds or the time is up. */
async function readUntil(
  brokers: string[],
  topic: string,
  done: (recs: InRecord[]) => boolean,
  timeoutMs: number,
): Promise<InRecord[]> {
  const deadline = Date.now() + timeoutMs;
  let recs: InRecord[] = [];
  while (Date.now() < deadline) {
    recs = await readTopic(brokers, topic, { timeoutMs: 5_000 });
    if (done(recs)) return recs;
    await new Promise((r) => setTimeout(r, 500));
  }
  return recs;
}

function countRecords(recs: InRecord[]): number {
  return recs.reduce((n, r) => n + decodeEnvelopeCounts(r).records, 0);
}

async function runTelemetrygen(args: string[]) {
  const out = await new Deno.Command(TELEMETRYGEN!, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  // telemetrygen exits 0 even when every export fails: the receiving side is what is checked.
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
}

for (const encoding of ["proto", "json"] as const) {
  Deno.test({
    name:
      `the Collector's otlphttp exporter (${encoding}) delivers logs, metrics and traces stamped with its tenant`,
    ignore: !KAFKA || !OTELCOL || !TELEMETRYGEN,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const brokers = [KAFKA!];
      const topics: TestTopics = uniqueTopics(`otelcol-${encoding}`);
      await createTopics(brokers, topics);
      const t = await writeTestTenants([{ id: "tenant-a" }, { id: "tenant-b" }]);
      const ingest = await startTestIngest({ brokers, tenantsFile: t.path, topics });
      const dir = await Deno.makeTempDir({ prefix: "obstack-otelcol-" });
      const grpcPort = freePort();
      const config = `
extensions:
  bearertokenauth:
    token: "\${env:OBSTACK_TOKEN}"
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${grpcPort}
processors:
  resource:
    attributes:
      - { key: tenant_id, value: tenant-b, action: upsert }
exporters:
  otlp_http:
    endpoint: ${ingest.url}
    encoding: ${encoding}
    compression: ${encoding === "proto" ? "gzip" : "none"}
    headers:
      X-Scope-OrgID: tenant-b
    auth:
      authenticator: bearertokenauth
service:
  extensions: [bearertokenauth]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs: { receivers: [otlp], processors: [resource], exporters: [otlp_http] }
    metrics: { receivers: [otlp], processors: [resource], exporters: [otlp_http] }
    traces: { receivers: [otlp], processors: [resource], exporters: [otlp_http] }
`;
      const col = await startCollector({
        config,
        dataDir: dir,
        logFile: `${dir}/otelcol.log`,
        env: { OBSTACK_TOKEN: t.tokens["tenant-a"]! },
        ports: [grpcPort],
        name: `otelcol-${encoding}`,
      });
      try {
        const common = [
          "--otlp-endpoint",
          `127.0.0.1:${grpcPort}`,
          "--otlp-insecure",
          "--rate",
          "0",
        ];
        await runTelemetrygen(["logs", ...common, "--logs", "10", "--body", `col-${encoding}`]);
        await runTelemetrygen(["metrics", ...common, "--metrics", "10"]);
        await runTelemetrygen(["traces", ...common, "--traces", "5"]);

        const expected = { logs: 10, metrics: 10, traces: 10 }; // 5 traces × (root + 1 child)
        for (const signal of ["logs", "metrics", "traces"] as const) {
          const recs = await readUntil(
            brokers,
            topics[signal],
            (r) => countRecords(r) >= expected[signal],
            30_000,
          );
          assert.equal(countRecords(recs), expected[signal], `${signal} records in Kafka`);
          for (const r of recs) {
            assert.equal(r.key, "tenant-a");
            assert.equal(r.headers["obstack-tenant"], "tenant-a");
            assert.equal(r.headers["obstack-format"], `otlp-${signal}`);
            const c = decodeEnvelopeCounts(r);
            assert.ok(c.stampedTenants.length > 0);
            for (const s of c.stampedTenants) assert.deepEqual(s, ["tenant-a"]);
            if (signal === "logs") {
              for (const b of c.bodies) assert.equal(b, `col-${encoding}`);
            }
          }
        }
      } finally {
        await col.stop();
        await ingest.stop();
        await t.cleanup();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
}

for (const version of ["1.0", "2.0"] as const) {
  Deno.test({
    name: `Prometheus remote write ${version} of its own metrics lands stamped, labels sorted`,
    ignore: !KAFKA || !PROMETHEUS,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const brokers = [KAFKA!];
      const topics = uniqueTopics(`prom-${version.replace(".", "")}`);
      await createTopics(brokers, topics);
      const t = await writeTestTenants([{ id: "tenant-a" }, { id: "tenant-b" }]);
      const ingest = await startTestIngest({ brokers, tenantsFile: t.path, topics });
      const dir = await Deno.makeTempDir({ prefix: "obstack-prom-client-" });
      const port = freePort();
      const message = version === "1.0"
        ? "prometheus.WriteRequest"
        : "io.prometheus.write.v2.Request";
      const config = `
global:
  scrape_interval: 1s
  external_labels:
    tenant_id: tenant-b
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ["127.0.0.1:${port}"]
remote_write:
  - url: ${ingest.url}/api/v1/write
    protobuf_message: ${message}
    authorization:
      credentials: "${t.tokens["tenant-a"]}"
    headers:
      X-Scope-OrgID: tenant-b
    queue_config:
      batch_send_deadline: 1s
`;
      const prom = await startPrometheus({
        port,
        dataDir: dir,
        config,
        logFile: `${dir}/prometheus.log`,
        name: `prometheus-client-${version}`,
      });
      const format = version === "1.0" ? "prom-rw-v1" : "prom-rw-v2";
      try {
        const recs = await readUntil(
          brokers,
          topics.metrics,
          (r) =>
            r.some((x) => {
              if (x.headers["obstack-format"] !== format) return false;
              return decodeEnvelopeCounts(x).labelNames.some((l) => l.includes("__name__"));
            }) && countRecords(r) >= 50,
          60_000,
        );
        assert.ok(recs.length > 0, "no remote write records in Kafka");
        let series = 0;
        for (const r of recs) {
          assert.equal(r.key, "tenant-a");
          assert.equal(r.headers["obstack-format"], format);
          const c = decodeEnvelopeCounts(r);
          for (const s of c.stampedTenants) assert.deepEqual(s, ["tenant-a"]);
          for (const names of c.labelNames) {
            assert.deepEqual(names, [...names].sort(), "labels sorted by name");
            series++;
          }
        }
        assert.ok(series > 10, `only ${series} series`);
        assert.ok(countRecords(recs) >= 50);
        const log = await Deno.readTextFile(`${dir}/prometheus.log`);
        assert.ok(!/status 4\d\d/i.test(log), "Prometheus saw a 4xx from ingest");
      } finally {
        await prom.stop();
        await ingest.stop();
        await t.cleanup();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
}
