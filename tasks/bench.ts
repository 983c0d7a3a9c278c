/**
 * `deno task bench`: ingest side by side with the OpenTelemetry Collector doing the same job
 * on the same machine in the same run, reported as ratios.
 *
 * The job: accept OTLP/HTTP protobuf log exports with a bearer token, set `tenant_id` on every
 * resource, publish to Kafka with acks=all, and answer only after the broker acknowledged.
 * The peer is the Collector built from tools/otel: `otlp` receiver (HTTP) with the
 * `bearertokenauth` server authenticator, `resource` processor (upsert tenant_id) and the
 * `kafka` exporter with `required_acks: -1` and its sending queue disabled (so that, like
 * ingest, it answers after the broker acknowledged). Both publish to their own topic on one
 * Kafka broker started for the run.
 *
 * The load generator (this process) sends the same request body with a fixed concurrency for a
 * fixed time to each target in turn, loopback only; then the targets are stopped. Reported per
 * target: requests/s, records/s, latency p50/p99, errors, peak RSS and CPU seconds of the
 * server process; and ingest/Collector ratios.
 *
 * Usage: deno task bench [--seconds 15] [--concurrency 16] [--records 100]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { otlpJsonToProtobuf } from "../lib/codec/mod.ts";
import { createKafkaAdmin } from "../lib/kafka/mod.ts";
import { generateToken, hashToken, writeTenantsFile } from "../lib/tenant/mod.ts";
import { startCollector } from "./infra/collector.ts";
import { ensureKafka, startKafka } from "./infra/kafka.ts";
import { type Component, spawnComponent } from "./infra/process.ts";
import { freePort } from "./infra/ports.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "15" },
    concurrency: { type: "string", default: "16" },
    records: { type: "string", default: "100" },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const recordsPerRequest = Number(values.records);
for (const [k, v] of Object.entries({ seconds, concurrency, recordsPerRequest })) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`bench: --${k} must be a positive integer`);
}

const root = new URL("..", import.meta.url).pathname;

/** Peak RSS (VmHWM) in MiB and CPU seconds of a process, from /proc. */
async function procStats(pid: number): Promise<{ peakRssMiB: number; cpuSeconds: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { peakRssMiB: hwm, cpuSeconds: ticks / 100 };
}

function requestBody(): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n;
  return otlpJsonToProtobuf(
    "logs",
    JSON.stringify({
      resourceLogs: [{
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: "bench" } },
            { key: "host.name", value: { stringValue: "bench-host-1" } },
          ],
        },
        scopeLogs: [{
          scope: { name: "bench" },
          logRecords: Array.from({ length: recordsPerRequest }, (_, i) => ({
            timeUnixNano: String(now + BigInt(i)),
            severityNumber: 9,
            severityText: "INFO",
            body: { stringValue: `GET /api/items/${i} 200 12ms user=u${i % 50} request handled` },
            attributes: [
              { key: "http.method", value: { stringValue: "GET" } },
              { key: "http.status_code", value: { intValue: "200" } },
            ],
            traceId: "5b8efff798038103d269b633813fc60c",
            spanId: "eee19b7ec3c1b174",
          })),
        }],
      }],
    }),
  );
}

interface Result {
  target: string;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  recordsPerSecond: number;
  p50ms: number;
  p99ms: number;
  peakRssMiB: number;
  cpuSeconds: number;
}

async function drive(target: string, url: string, token: string, pid: number): Promise<Result> {
  const body = requestBody();
  const headers = {
    authorization: `Bearer ${token}`,
    "content-type": "application/x-protobuf",
  };
  // Warm-up, bounded: 2 s.
  const warmEnd = performance.now() + 2000;
  while (performance.now() < warmEnd) {
    const r = await fetch(url, { method: "POST", headers, body: body as BodyInit });
    await r.arrayBuffer();
  }
  const cpu0 = (await procStats(pid)).cpuSeconds;
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const r = await fetch(url, { method: "POST", headers, body: body as BodyInit });
        await r.arrayBuffer();
        if (r.status === 200) latencies.push(performance.now() - t0);
        else {
          if (errors === 0) console.error(`bench: ${target} answered ${r.status}`);
          errors++;
        }
      } catch {
        errors++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  const stats = await procStats(pid);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    target,
    requests: latencies.length,
    errors,
    requestsPerSecond: latencies.length / elapsed,
    recordsPerSecond: (latencies.length * recordsPerRequest) / elapsed,
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    peakRssMiB: stats.peakRssMiB,
    cpuSeconds: stats.cpuSeconds - cpu0,
  };
}

const dir = await Deno.makeTempDir({ prefix: "obstack-bench-" });
const started: Component[] = [];
try {
  await ensureKafka();
  const [kPort, kCtl, ingestPort, peerPort] = [freePort(), freePort(), freePort(), freePort()];
  const kafka = await startKafka({
    port: kPort,
    controllerPort: kCtl,
    dataDir: `${dir}/kafka`,
    logFile: `${dir}/kafka.log`,
  });
  started.push(kafka);
  const brokers = [`127.0.0.1:${kPort}`];
  const admin = await createKafkaAdmin({ brokers });
  await admin.ensureTopics([
    { name: "bench.ingest.logs", partitions: 3 },
    { name: "bench.ingest.metrics", partitions: 1 },
    { name: "bench.ingest.traces", partitions: 1 },
    { name: "bench.peer.logs", partitions: 3 },
  ]);
  await admin.close();

  const token = generateToken();
  await writeTenantsFile(`${dir}/tenants.yaml`, {
    tenants: [{
      id: "bench",
      numericId: 1,
      name: "bench",
      enabled: true,
      tokens: [{
        id: "t1",
        hash: await hashToken(token),
        created: new Date().toISOString(),
        revoked: false,
      }],
      limits: { requestsPerSecond: 1_000_000, bytesPerSecond: 2 ** 40 },
      users: [],
    }],
  });

  const ingest = await spawnComponent({
    name: "ingest",
    cmd: Deno.execPath(),
    args: ["run", "-A", `${root}ingest/main.ts`],
    env: {
      OBSTACK_INGEST_LISTEN: `127.0.0.1:${ingestPort}`,
      OBSTACK_KAFKA_BROKERS: brokers.join(","),
      OBSTACK_TENANTS_FILE: `${dir}/tenants.yaml`,
      OBSTACK_TOPIC_LOGS: "bench.ingest.logs",
      OBSTACK_TOPIC_METRICS: "bench.ingest.metrics",
      OBSTACK_TOPIC_TRACES: "bench.ingest.traces",
      OBSTACK_KAFKA_COMPRESSION: "snappy",
      OBSTACK_LOG_LEVEL: "warn",
    },
    logFile: `${dir}/ingest.log`,
    ready: [{ http: `http://127.0.0.1:${ingestPort}/readyz` }],
    timeoutMs: 60_000,
    ports: [ingestPort],
    endpoints: { http: `http://127.0.0.1:${ingestPort}` },
  });
  started.push(ingest);

  const peer = await startCollector({
    name: "otelcol-peer",
    dataDir: `${dir}/otelcol`,
    logFile: `${dir}/otelcol.log`,
    ports: [peerPort],
    env: { BENCH_TOKEN: token },
    config: `
extensions:
  bearertokenauth:
    token: "\${env:BENCH_TOKEN}"
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${peerPort}
        auth:
          authenticator: bearertokenauth
processors:
  resource:
    attributes:
      - { key: tenant_id, value: bench, action: upsert }
exporters:
  kafka:
    brokers: ["127.0.0.1:${kPort}"]
    logs:
      topic: bench.peer.logs
      encoding: otlp_proto
    producer:
      required_acks: -1
      compression: snappy
    sending_queue:
      enabled: false
service:
  extensions: [bearertokenauth]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs: { receivers: [otlp], processors: [resource], exporters: [kafka] }
`,
  });
  started.push(peer);

  console.error(
    `bench: ${concurrency} concurrent clients, ${seconds} s per target, ` +
      `${recordsPerRequest} log records per request (${requestBody().byteLength} B protobuf)`,
  );
  const results: Result[] = [];
  results.push(await drive("ingest", `http://127.0.0.1:${ingestPort}/v1/logs`, token, ingest.pid));
  results.push(
    await drive("otelcol", `http://127.0.0.1:${peerPort}/v1/logs`, token, peer.pid),
  );

  const fmt = (n: number, d = 0) => Number.isFinite(n) ? n.toFixed(d) : "-";
  console.log("\n| target | req/s | records/s | p50 ms | p99 ms | errors | peak RSS MiB | CPU s |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(
      `| ${r.target} | ${fmt(r.requestsPerSecond)} | ${fmt(r.recordsPerSecond)} | ${
        fmt(r.p50ms, 1)
      } | ` +
        `${fmt(r.p99ms, 1)} | ${r.errors} | ${fmt(r.peakRssMiB)} | ${fmt(r.cpuSeconds, 1)} |`,
    );
  }
  const [a, b] = results as [Result, Result];
  const cpuPerReq = (r: Result) => r.cpuSeconds / Math.max(1, r.requests);
  console.log(
    `\nratios ingest/otelcol: throughput ${fmt(a.recordsPerSecond / b.recordsPerSecond, 2)}×, ` +
      `p99 latency ${fmt(a.p99ms / b.p99ms, 2)}×, peak RSS ${
        fmt(a.peakRssMiB / b.peakRssMiB, 2)
      }×, ` +
      `CPU per request ${fmt(cpuPerReq(a) / cpuPerReq(b), 2)}×`,
  );
  await Deno.mkdir(`${root}.obstack/bench`, { recursive: true });
  await Deno.writeTextFile(
    `${root}.obstack/bench/latest.json`,
    JSON.stringify(
      { date: new Date().toISOString(), seconds, concurrency, recordsPerRequest, results },
      null,
      2,
    ),
  );
} finally {
  for (const c of started.reverse()) await c.stop().catch(() => {});
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
