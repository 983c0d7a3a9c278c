/**
 * Test helpers for the forwarder's unit and integration tests: payload builders that produce
 * what ingest publishes (enriched protobuf envelopes), a producer for them, the forwarder run
 * in-process or as a child process, and read-back queries against each store's own API.
 *
 * @module
 */
import { encodeOtlp, encodeWriteRequestV1, type WriteRequestV1 } from "../lib/codec/mod.ts";
import {
  createKafkaAdmin,
  createKafkaProducer,
  type Envelope,
  type PayloadFormat,
  toRecord,
} from "../lib/kafka/mod.ts";
import { createLogger, type Logger } from "../lib/log/mod.ts";
import { type ForwarderConfig, loadForwarderConfig } from "./config.ts";
import { createForwarderService, type ForwarderService } from "./service.ts";

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });

/** Random lower-case hex of `bytes` bytes. */
export function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) =>
    b.toString(16).padStart(2, "0")
  ).join("");
}

/** Hex → bytes. */
export function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** Options of {@linkcode logsPayload}. */
export interface LogsPayloadOptions {
  service: string;
  bodies: string[];
  /** Time of the first record (ns); the others follow 1 µs apart. */
  startNs?: bigint;
  severityNumber?: number;
  attributes?: Record<string, string>;
  traceId?: string;
}

/** An enriched `ExportLogsServiceRequest` (resource stamped with `tenant_id`, as ingest does). */
export function logsPayload(tenant: string, o: LogsPayloadOptions): Uint8Array {
  const start = o.startNs ?? BigInt(Date.now()) * 1_000_000n;
  return encodeOtlp("logs", {
    resourceLogs: [{
      resource: { attributes: [str("service.name", o.service), str("tenant_id", tenant)] },
      scopeLogs: [{
        scope: { name: "obstack.test", version: "1" },
        logRecords: o.bodies.map((body, i) => ({
          timeUnixNano: (start + BigInt(i) * 1000n).toString(),
          observedTimeUnixNano: (start + BigInt(i) * 1000n).toString(),
          severityNumber: o.severityNumber ?? 9,
          severityText: "",
          body: { stringValue: body },
          attributes: Object.entries(o.attributes ?? {}).map(([k, v]) => str(k, v)),
          ...(o.traceId ? { traceId: hexBytes(o.traceId), spanId: hexBytes(randomHex(8)) } : {}),
        })),
      }],
    }],
  } as never);
}

/** An enriched `ExportTraceServiceRequest` with `spans` spans of one trace. */
export function tracesPayload(
  tenant: string,
  o: { service: string; traceId: string; spans: number; name?: string },
): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n;
  return encodeOtlp("traces", {
    resourceSpans: [{
      resource: { attributes: [str("service.name", o.service), str("tenant_id", tenant)] },
      scopeSpans: [{
        scope: { name: "obstack.test", version: "1" },
        spans: Array.from({ length: o.spans }, (_, i) => ({
          traceId: hexBytes(o.traceId),
          spanId: hexBytes(randomHex(8)),
          name: `${o.name ?? "op"}-${i}`,
          kind: 2,
          startTimeUnixNano: (now + BigInt(i) * 1000n).toString(),
          endTimeUnixNano: (now + BigInt(i) * 1000n + 500_000n).toString(),
          attributes: [str("test.index", String(i))],
        })),
      }],
    }],
  } as never);
}

/** An enriched OTLP metrics request: one cumulative monotonic sum and one gauge. */
export function metricsPayload(
  tenant: string,
  o: { service: string; counter: string; value: number; timeMs: number; gauge?: string },
): Uint8Array {
  const t = (BigInt(o.timeMs) * 1_000_000n).toString();
  const metrics: unknown[] = [{
    name: o.counter,
    unit: "1",
    sum: {
      aggregationTemporality: 2,
      isMonotonic: true,
      dataPoints: [{
        timeUnixNano: t,
        startTimeUnixNano: t,
        asInt: o.value,
        attributes: [str("k", "v")],
      }],
    },
  }];
  if (o.gauge) {
    metrics.push({
      name: o.gauge,
      unit: "By",
      gauge: { dataPoints: [{ timeUnixNano: t, asDouble: o.value / 2 }] },
    });
  }
  return encodeOtlp("metrics", {
    resourceMetrics: [{
      resource: {
        attributes: [
          str("service.name", o.service),
          str("service.instance.id", "i-1"),
          str("host.name", "node-1"),
          str("tenant_id", tenant),
        ],
      },
      scopeMetrics: [{ scope: { name: "obstack.test", version: "1" }, metrics }],
    }],
  } as never);
}

/** An enriched remote write 1.0 request: `name{tenant_id,…}` with the given samples. */
export function remoteWritePayload(
  tenant: string,
  o: {
    name: string;
    samples: { value: number; timestamp: number }[];
    labels?: Record<string, string>;
  },
): Uint8Array {
  const labels = Object.entries({ __name__: o.name, ...o.labels, tenant_id: tenant })
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const req: WriteRequestV1 = {
    timeseries: [{ labels, samples: o.samples, exemplars: [], histograms: [] }],
    metadata: [],
  };
  return encodeWriteRequestV1(req);
}

/** One envelope to publish. */
export interface TestEnvelope {
  tenant: string;
  format: PayloadFormat;
  value: Uint8Array;
  receivedAt?: number;
}

/** Creates uniquely named topics (so tests never see each other's records). */
export async function makeTopics(brokers: string[], prefix: string, partitions = 2): Promise<{
  logs: string;
  metrics: string;
  traces: string;
  dlq: string;
}> {
  const id = randomHex(4);
  const t = {
    logs: `${prefix}.${id}.logs`,
    metrics: `${prefix}.${id}.metrics`,
    traces: `${prefix}.${id}.traces`,
    dlq: `${prefix}.${id}.dlq`,
  };
  const admin = await createKafkaAdmin({ brokers });
  try {
    await admin.ensureTopics([
      { name: t.logs, partitions },
      { name: t.metrics, partitions },
      { name: t.traces, partitions },
      { name: t.dlq, partitions: 1 },
    ]);
  } finally {
    await admin.close();
  }
  return t;
}

/** Publishes envelopes (key = tenant, contract headers) and waits for the acks. */
export async function produce(
  brokers: string[],
  topic: string,
  envelopes: TestEnvelope[],
  rawRecords: { key: string; value: Uint8Array; headers: Record<string, string> }[] = [],
): Promise<void> {
  const producer = await createKafkaProducer({
    brokers,
    clientId: "forwarder-test",
    compression: "none",
    timeoutMs: 20_000,
  });
  try {
    const records = envelopes.map((e) =>
      toRecord(
        topic,
        {
          tenant: e.tenant,
          format: e.format,
          receivedAt: e.receivedAt ?? Date.now(),
          value: e.value,
        } satisfies Envelope,
      )
    );
    for (const r of rawRecords) records.push({ topic, ...r });
    for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));
  } finally {
    await producer.close();
  }
}

/** Polls `fn` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}

/** A test logger: warnings and errors to stderr only when OBSTACK_TEST_VERBOSE is set. */
export function testLogger(): Logger {
  const verbose = !!Deno.env.get("OBSTACK_TEST_VERBOSE");
  return createLogger("forwarder-test", {
    level: verbose ? "debug" : "error",
    sink: verbose ? undefined : () => {},
  });
}

/** Runs the forwarder in this process with `env` as its configuration environment. */
export async function runForwarder(env: Record<string, string>): Promise<{
  svc: ForwarderService;
  config: ForwarderConfig;
  stop(): Promise<void>;
}> {
  const config = loadForwarderConfig(env);
  const svc = createForwarderService({ config, log: testLogger() });
  await svc.start();
  return { svc, config, stop: () => svc.stop() };
}

/** A forwarder child process (for SIGKILL and SIGTERM tests). */
export interface ForwarderProcess {
  pid: number;
  /** Admin URL. */
  admin: string;
  kill(signal: Deno.Signal): void;
  /** Exit status once it ended. */
  status: Promise<Deno.CommandStatus>;
}

/** Starts `deno run forwarder/main.ts` with `env`; resolves once `/readyz` answers 200. */
export async function spawnForwarder(
  env: Record<string, string>,
  adminPort: number,
  logFile: string,
): Promise<ForwarderProcess> {
  const main = new URL("./main.ts", import.meta.url).pathname;
  const log = await Deno.open(logFile, { create: true, append: true });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main],
    env: {
      ...env,
      OBSTACK_FORWARDER_LISTEN: `127.0.0.1:${adminPort}`,
      OBSTACK_LOG_LEVEL: env.OBSTACK_LOG_LEVEL ?? "info",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  child.stderr.pipeTo(log.writable).catch(() => {});
  const admin = `http://127.0.0.1:${adminPort}`;
  const proc: ForwarderProcess = {
    pid: child.pid,
    admin,
    kill: (s) => {
      try {
        child.kill(s);
      } catch {
        // already gone
      }
    },
    status: child.status,
  };
  try {
    await waitFor("forwarder /readyz", async () => {
      const res = await fetch(`${admin}/readyz`).catch(() => undefined);
      await res?.body?.cancel();
      return res?.status === 200 ? true : undefined;
    }, 90_000);
  } catch (e) {
    proc.kill("SIGKILL");
    await proc.status;
    throw e;
  }
  return proc;
}

/** Base forwarder environment for a test: brokers, its own topics and group, the given sinks. */
export function forwarderEnv(
  brokers: string,
  topics: { logs: string; metrics: string; traces: string; dlq: string },
  sinks: string[],
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    OBSTACK_KAFKA_BROKERS: brokers,
    OBSTACK_TOPIC_LOGS: topics.logs,
    OBSTACK_TOPIC_METRICS: topics.metrics,
    OBSTACK_TOPIC_TRACES: topics.traces,
    OBSTACK_TOPIC_DLQ: topics.dlq,
    OBSTACK_FORWARDER_GROUP: `fwd-test-${randomHex(4)}`,
    OBSTACK_FORWARDER_SINKS: sinks.join(","),
    OBSTACK_FORWARDER_BATCH_LINGER: "50ms",
    OBSTACK_FORWARDER_FETCH_MAX_WAIT: "100ms",
    OBSTACK_FORWARDER_RETRY_INITIAL: "100ms",
    OBSTACK_FORWARDER_RETRY_MAX: "1s",
    OBSTACK_FORWARDER_SINK_TIMEOUT: "5s",
    OBSTACK_SHUTDOWN_GRACE: "5s",
    ...extra,
  };
}

// ---- read-back through each store's own query API ------------------------------------------

/** VictoriaLogs LogsQL query for one account; returns the matching log entries (JSON lines). */
export async function vlogsQuery(
  base: string,
  accountId: number,
  query: string,
  limit = 10_000,
): Promise<Record<string, string>[]> {
  const res = await fetch(`${base}/select/logsql/query`, {
    method: "POST",
    headers: {
      AccountID: String(accountId),
      ProjectID: "0",
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ query, limit: String(limit) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`vlogs query ${res.status}: ${text}`);
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

/** OpenSearch `_search` (after a refresh); returns the hits. */
export async function opensearchSearch(
  base: string,
  index: string,
  query: unknown,
  size = 10_000,
): Promise<{ _id: string; _index: string; _source: Record<string, unknown> }[]> {
  await fetch(`${base}/${index}/_refresh`, { method: "POST" }).then((r) => r.body?.cancel());
  const res = await fetch(
    `${base}/${index}/_search?ignore_unavailable=true&allow_no_indices=true`,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query, size }),
    },
  );
  const body = await res.json();
  if (!res.ok) throw new Error(`opensearch search ${res.status}: ${JSON.stringify(body)}`);
  return body.hits?.hits ?? [];
}

/** PromQL instant query; returns the vector. */
export async function promQuery(
  base: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = await res.json();
  if (body.status !== "success") throw new Error(`promql ${query}: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** Jaeger query API: the trace by id for a tenant; undefined when not found. */
export async function jaegerTrace(base: string, tenant: string, traceId: string): Promise<
  { spans: { spanID: string; operationName: string }[] } | undefined
> {
  const res = await fetch(`${base}/api/traces/${traceId}`, {
    headers: { "X-Scope-OrgID": tenant },
  });
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  const body = await res.json();
  if (!res.ok) throw new Error(`jaeger ${res.status}: ${JSON.stringify(body)}`);
  return body.data?.[0];
}

/** VictoriaLogs: number of entries and of distinct messages for a service in one account. */
export async function vlogsCounts(
  base: string,
  accountId: number,
  service: string,
): Promise<{ total: number; distinct: number }> {
  const rows = await vlogsQuery(
    base,
    accountId,
    `service_name:="${service}" | stats count() as total, count_uniq(_msg) as distinct`,
  );
  const r = rows[0] ?? {};
  return { total: Number(r.total ?? 0), distinct: Number(r.distinct ?? 0) };
}

/** OpenSearch `_count` of a service's documents in `index` (after a refresh). */
export async function opensearchCount(
  base: string,
  index: string,
  service: string,
): Promise<number> {
  await fetch(`${base}/${index}/_refresh?ignore_unavailable=true&allow_no_indices=true`, {
    method: "POST",
  })
    .then((r) => r.body?.cancel());
  const res = await fetch(`${base}/${index}/_count?ignore_unavailable=true&allow_no_indices=true`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query: { term: { "service.name": service } } }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`opensearch count ${res.status}: ${JSON.stringify(body)}`);
  return body.count;
}
