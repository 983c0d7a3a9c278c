/**
 * The HTTP sinks against a local recording server: request shape (path, headers, tenant
 * headers, body encoding) and how answers are classified (retry or dead-letter).
 */
import assert from "node:assert/strict";
import { decodeOtlp, decodeWriteRequestV1, protoRoot, snappyDecode } from "../../lib/codec/mod.ts";
import type { ObstackError } from "../../lib/errors.ts";
import {
  logsPayload,
  metricsPayload,
  remoteWritePayload,
  tracesPayload,
} from "../_test_helpers.ts";
import { createLokiSink, lokiPushUrl } from "./loki.ts";
import { createPrometheusSink } from "./prometheus.ts";
import type { SinkRecord } from "./sink.ts";
import { createTracesSink, otlpTracesUrl } from "./traces.ts";

interface Seen {
  path: string;
  headers: Headers;
  body: Uint8Array;
}

async function withServer(
  answer: (seen: Seen) => Response,
  fn: (base: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const s = {
      path: new URL(req.url).pathname,
      headers: req.headers,
      body: new Uint8Array(await req.arrayBuffer()),
    };
    seen.push(s);
    return answer(s);
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

const origin = { topic: "t", partition: 0, offset: 0n };
const signal = new AbortController().signal;

function logsRecord(tenant: string, bodies: string[]): SinkRecord {
  const value = logsPayload(tenant, { service: "api", bodies });
  return {
    tenant,
    receivedAt: 1,
    value,
    payload: { format: "otlp-logs", request: decodeOtlp("logs", value) },
    origin,
  };
}

Deno.test("prometheus sink sends snappy remote write 1.0 with auth, extra and tenant headers", async () => {
  await withServer(() => new Response(null, { status: 204 }), async (base, seen) => {
    const sink = createPrometheusSink({
      url: `${base}/api/v1/push`,
      version: "1.0",
      timeoutMs: 5000,
      bearerToken: "tok",
      headers: { "X-Extra": "1" },
      tenantHeader: "X-Scope-OrgID",
    });
    const now = Date.now();
    const otlp = metricsPayload("acme", { service: "api", counter: "reqs", value: 3, timeMs: now });
    const rw = remoteWritePayload("acme", { name: "up", samples: [{ value: 1, timestamp: now }] });
    const out = await sink.write("acme", [
      {
        tenant: "acme",
        receivedAt: now,
        value: otlp,
        payload: { format: "otlp-metrics", request: decodeOtlp("metrics", otlp) },
        origin,
      },
      {
        tenant: "acme",
        receivedAt: now,
        value: rw,
        payload: { format: "prom-rw-v1", request: decodeWriteRequestV1(rw) },
        origin,
      },
    ], signal);
    assert.deepEqual(out.failures, []);
    const s = seen[0]!;
    assert.equal(s.path, "/api/v1/push");
    assert.equal(s.headers.get("content-type"), "application/x-protobuf");
    assert.equal(s.headers.get("content-encoding"), "snappy");
    assert.equal(s.headers.get("x-prometheus-remote-write-version"), "0.1.0");
    assert.equal(s.headers.get("authorization"), "Bearer tok");
    assert.equal(s.headers.get("x-extra"), "1");
    assert.equal(s.headers.get("x-scope-orgid"), "acme");
    const req = decodeWriteRequestV1(snappyDecode(s.body, 1 << 20));
    const names = req.timeseries.map((t) => t.labels.find((l) => l.name === "__name__")!.value)
      .sort();
    assert.deepEqual(names, ["reqs_total", "target_info", "up"]);
  });
});

Deno.test("prometheus sink sends 2.0 with the content type Prometheus requires to store it", async () => {
  await withServer(() => new Response(null, { status: 204 }), async (base, seen) => {
    const sink = createPrometheusSink({ url: base, version: "2.0", timeoutMs: 5000 });
    const rw = remoteWritePayload("acme", {
      name: "up",
      samples: [{ value: 1, timestamp: Date.now() }],
    });
    await sink.write("acme", [{
      tenant: "acme",
      receivedAt: 1,
      value: rw,
      payload: { format: "prom-rw-v1", request: decodeWriteRequestV1(rw) },
      origin,
    }], signal);
    assert.equal(
      seen[0]!.headers.get("content-type"),
      "application/x-protobuf;proto=io.prometheus.write.v2.Request",
    );
    assert.equal(seen[0]!.headers.get("x-prometheus-remote-write-version"), "2.0.0");
    const type = protoRoot().lookupType("io.prometheus.write.v2.Request");
    const req = type.decode(snappyDecode(seen[0]!.body, 1 << 20)) as unknown as {
      symbols: string[];
    };
    assert.deepEqual(req.symbols.slice(0, 1), [""]);
    assert.ok(req.symbols.includes("tenant_id") && req.symbols.includes("acme"));
  });
});

Deno.test("prometheus sink refuses remote-write input whose series lack the record's tenant", async () => {
  await withServer(() => new Response(null, { status: 204 }), async (base, seen) => {
    const sink = createPrometheusSink({ url: base, version: "1.0", timeoutMs: 5000 });
    const rw = remoteWritePayload("other", {
      name: "up",
      samples: [{ value: 1, timestamp: Date.now() }],
    });
    const out = await sink.write("acme", [{
      tenant: "acme",
      receivedAt: 1,
      value: rw,
      payload: { format: "prom-rw-v1", request: decodeWriteRequestV1(rw) },
      origin,
    }], signal);
    assert.equal(out.failures.length, 1);
    assert.equal(out.failures[0]!.error.retriable, false);
    assert.equal(seen.length, 0, "nothing sent");
  });
});

Deno.test("HTTP answers are classified: 429/5xx retried (with Retry-After), other 4xx dead-lettered", async () => {
  for (
    const [status, retriable, retryAfter] of [[429, true, 7], [503, true, undefined], [
      400,
      false,
      undefined,
    ], [404, false, undefined]] as const
  ) {
    await withServer(
      () =>
        new Response("nope", {
          status,
          headers: retryAfter ? { "retry-after": String(retryAfter) } : {},
        }),
      async (base) => {
        const sink = createLokiSink({
          backend: "loki",
          url: base,
          maxLineBytes: 1000,
          timeoutMs: 5000,
        });
        const err = await sink.write("acme", [logsRecord("acme", ["x"])], signal).then(
          () => undefined,
          (e) => e as ObstackError,
        );
        assert.ok(err, `status ${status} must throw`);
        assert.equal(err.retriable, retriable, `status ${status}`);
        assert.equal(err.retryAfterSeconds, retryAfter);
        assert.match(err.message, new RegExp(`HTTP ${status}: nope`));
      },
    );
  }
});

Deno.test("a store that cannot be reached is retried", async () => {
  const sink = createLokiSink({
    backend: "loki",
    url: "http://127.0.0.1:1",
    maxLineBytes: 1000,
    timeoutMs: 2000,
  });
  const err = await sink.write("acme", [logsRecord("acme", ["x"])], signal).then(
    () => undefined,
    (e) => e as ObstackError,
  );
  assert.equal(err?.retriable, true);
});

Deno.test("loki sink: X-Scope-OrgID for Loki, numeric AccountID for VictoriaLogs, snappy PushRequest", async () => {
  await withServer(() => new Response(null, { status: 204 }), async (base, seen) => {
    await createLokiSink({ backend: "loki", url: base, maxLineBytes: 1000, timeoutMs: 5000 })
      .write("acme", [logsRecord("acme", ["l1", "l2"])], signal);
    await createLokiSink({
      backend: "victorialogs",
      url: base,
      maxLineBytes: 1000,
      timeoutMs: 5000,
      accountIdOf: () => 42,
    })
      .write("acme", [logsRecord("acme", ["v1"])], signal);
    assert.equal(seen[0]!.path, "/loki/api/v1/push");
    assert.equal(seen[0]!.headers.get("x-scope-orgid"), "acme");
    assert.equal(seen[0]!.headers.get("accountid"), null);
    assert.equal(seen[1]!.path, "/insert/loki/api/v1/push");
    assert.equal(seen[1]!.headers.get("accountid"), "42");
    assert.equal(seen[1]!.headers.get("projectid"), "0");
    assert.equal(
      seen[1]!.headers.get("x-scope-orgid"),
      null,
      "VictoriaLogs rejects a non-numeric X-Scope-OrgID",
    );
    const type = protoRoot().lookupType("logproto.PushRequest");
    const push = type.toObject(type.decode(snappyDecode(seen[0]!.body, 1 << 20)), {
      longs: String,
    }) as {
      streams: { labels: string; entries: { line: string; timestamp: { seconds: string } }[] }[];
    };
    assert.equal(push.streams.length, 1);
    assert.equal(push.streams[0]!.labels, '{level="info", service_name="api", tenant_id="acme"}');
    assert.deepEqual(push.streams[0]!.entries.map((e) => e.line), ["l1", "l2"]);
  });
});

Deno.test("loki sink dead-letters a VictoriaLogs tenant without numeric id instead of blocking", async () => {
  await withServer(() => new Response(null, { status: 204 }), async (base, seen) => {
    const out = await createLokiSink({
      backend: "victorialogs",
      url: base,
      maxLineBytes: 1000,
      timeoutMs: 5000,
      accountIdOf: () => undefined,
    })
      .write("acme", [logsRecord("acme", ["v1"])], signal);
    assert.equal(out.failures.length, 1);
    assert.equal(out.failures[0]!.error.retriable, false);
    assert.equal(seen.length, 0);
  });
});

Deno.test("traces sink over OTLP/HTTP posts concatenated payloads with X-Scope-OrgID", async () => {
  await withServer(() => new Response(new Uint8Array(), { status: 200 }), async (base, seen) => {
    const sink = createTracesSink({
      backend: "tempo",
      protocol: "http",
      endpoint: base,
      timeoutMs: 5000,
    });
    const p1 = tracesPayload("acme", { service: "api", traceId: "0a".repeat(16), spans: 2 });
    const p2 = tracesPayload("acme", { service: "api", traceId: "0b".repeat(16), spans: 1 });
    const mk = (v: Uint8Array): SinkRecord => ({
      tenant: "acme",
      receivedAt: 1,
      value: v,
      payload: { format: "otlp-traces", request: decodeOtlp("traces", v) },
      origin,
    });
    await sink.write("acme", [mk(p1), mk(p2)], signal);
    assert.equal(seen[0]!.path, "/v1/traces");
    assert.equal(seen[0]!.headers.get("x-scope-orgid"), "acme");
    const merged = decodeOtlp("traces", seen[0]!.body);
    assert.equal(merged.resourceSpans.length, 2);
    assert.equal(
      merged.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length,
      3,
    );
  });
});

Deno.test("URL helpers append the push paths only when missing", () => {
  assert.equal(lokiPushUrl("loki", "http://l:3100/"), "http://l:3100/loki/api/v1/push");
  assert.equal(
    lokiPushUrl("victorialogs", "http://v:9428"),
    "http://v:9428/insert/loki/api/v1/push",
  );
  assert.equal(lokiPushUrl("loki", "http://gw/custom/push"), "http://gw/custom/push");
  assert.equal(otlpTracesUrl("http://t:4318"), "http://t:4318/v1/traces");
  assert.equal(otlpTracesUrl("http://t:4318/v1/traces"), "http://t:4318/v1/traces");
});
