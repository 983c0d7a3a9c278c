import assert from "node:assert/strict";
import {
  decodeOtlp,
  decodeWriteRequestV1,
  decodeWriteRequestV2,
  encodeWriteRequestV1,
  encodeWriteRequestV2,
  gzip,
  protoRoot,
  snappyEncode,
} from "../lib/codec/mod.ts";
import { attributesToRecord } from "../lib/codec/mod.ts";
import { unavailable } from "../lib/errors.ts";
import { createLogger } from "../lib/log/mod.ts";
import { createRateLimiter, createTenantRegistry } from "../lib/tenant/mod.ts";
import { writeTestTenants } from "../tests/_helpers/tenants.ts";
import { createIngestMetrics } from "./metrics.ts";
import type { PublishRequest } from "./publisher.ts";
import { createIngestHandler } from "./server.ts";

const BASE = "http://ingest.test";

function otlpLogsJson(resourceAttrs: Record<string, string> = { "service.name": "checkout" }) {
  return JSON.stringify({
    resourceLogs: [{
      resource: {
        attributes: Object.entries(resourceAttrs).map(([key, v]) => ({
          key,
          value: { stringValue: v },
        })),
      },
      scopeLogs: [{
        scope: { name: "test" },
        logRecords: [
          {
            timeUnixNano: "1700000000000000000",
            severityNumber: 9,
            severityText: "INFO",
            body: { stringValue: "hello" },
            traceId: "5b8efff798038103d269b633813fc60c",
            spanId: "eee19b7ec3c1b174",
          },
          { timeUnixNano: "1700000000000000001", body: { stringValue: "world" } },
        ],
      }],
    }],
  });
}

interface Harness {
  handle(req: Request): Promise<Response>;
  published: PublishRequest[];
  tokens: Record<string, string>;
  revoked: Record<string, string[]>;
  failPublish: { on: boolean };
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

async function harness(
  opts: { maxBodyBytes?: number; rps?: number } = {},
): Promise<Harness> {
  const t = await writeTestTenants([
    { id: "tenant-a", revokedTokens: 1 },
    { id: "tenant-b" },
    { id: "tenant-off", enabled: false },
    { id: "tenant-slow", limits: { requestsPerSecond: opts.rps ?? 1 } },
  ]);
  const logger = createLogger("ingest-test", { sink: () => {} });
  const tenants = await createTenantRegistry({ path: t.path, pollIntervalMs: 0, logger });
  const published: PublishRequest[] = [];
  const failPublish = { on: false };
  const metrics = createIngestMetrics();
  const h = createIngestHandler({
    tenants,
    limiter: createRateLimiter(),
    publisher: {
      publish(req) {
        if (failPublish.on) return Promise.reject(unavailable("broker down", 1));
        published.push(req);
        return Promise.resolve({ topic: "obstack.test", records: 1 });
      },
    },
    brokerReady: () => Promise.resolve(!failPublish.on),
    metrics,
    logger,
    maxBodyBytes: opts.maxBodyBytes ?? 1 << 20,
    maxDecompressedBytes: 4 << 20,
    retryAfterSeconds: 7,
  });
  return {
    handle: h.handle,
    published,
    tokens: t.tokens,
    revoked: t.revoked,
    failPublish,
    metricsText: async () => await (await h.handle(new Request(`${BASE}/metrics`))).text(),
    async close() {
      tenants.close();
      await t.cleanup();
    },
  };
}

function post(path: string, body: string | Uint8Array, headers: Record<string, string>) {
  return new Request(`${BASE}${path}`, { method: "POST", body: body as BodyInit, headers });
}

function decodeStatus(bytes: Uint8Array) {
  const T = protoRoot().lookupType("google.rpc.Status");
  return T.toObject(T.decode(bytes)) as { code?: number; message?: string };
}

Deno.test("POST /v1/logs with JSON stamps the sender's tenant and answers the JSON response", async () => {
  const h = await harness();
  try {
    const res = await h.handle(post("/v1/logs", otlpLogsJson(), {
      authorization: `Bearer ${h.tokens["tenant-a"]}`,
      "content-type": "application/json",
    }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(JSON.parse(await res.text()), {});
    assert.equal(h.published.length, 1);
    const p = h.published[0]!;
    assert.equal(p.tenant, "tenant-a");
    assert.equal(p.format, "otlp-logs");
    const msg = decodeOtlp("logs", p.value);
    const attrs = attributesToRecord(msg.resourceLogs[0]!.resource!.attributes);
    assert.equal(attrs["tenant_id"], "tenant-a");
    assert.equal(attrs["service.name"], "checkout");
    assert.equal(msg.resourceLogs[0]!.scopeLogs[0]!.logRecords.length, 2);
  } finally {
    await h.close();
  }
});

Deno.test("a spoofed tenant_id attribute and X-Scope-OrgID are replaced by the token's tenant", async () => {
  const h = await harness();
  try {
    const res = await h.handle(post("/v1/logs", otlpLogsJson({ tenant_id: "tenant-b" }), {
      authorization: `Bearer ${h.tokens["tenant-a"]}`,
      "content-type": "application/json",
      "x-scope-orgid": "tenant-b",
    }));
    assert.equal(res.status, 200);
    const msg = decodeOtlp("logs", h.published[0]!.value);
    const kvs = msg.resourceLogs[0]!.resource!.attributes.filter((kv) => kv.key === "tenant_id");
    assert.equal(kvs.length, 1);
    assert.equal(kvs[0]!.value?.stringValue, "tenant-a");
    assert.equal(h.published[0]!.tenant, "tenant-a");
  } finally {
    await h.close();
  }
});

Deno.test("gzip protobuf export is accepted and answered in protobuf", async () => {
  const h = await harness();
  try {
    const { otlpJsonToProtobuf } = await import("../lib/codec/mod.ts");
    const proto = otlpJsonToProtobuf("logs", otlpLogsJson());
    const res = await h.handle(post("/v1/logs", await gzip(proto), {
      authorization: `Bearer ${h.tokens["tenant-b"]}`,
      "content-type": "application/x-protobuf",
      "content-encoding": "gzip",
    }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-protobuf");
    assert.equal((await res.arrayBuffer()).byteLength, 0); // empty ExportLogsServiceResponse
    assert.equal(h.published[0]!.tenant, "tenant-b");
  } finally {
    await h.close();
  }
});

Deno.test("credentials: missing, malformed, unknown, revoked and disabled all get 401 with WWW-Authenticate", async () => {
  const h = await harness();
  try {
    const cases: Record<string, string | undefined> = {
      missing: undefined,
      malformed: "Bearer",
      unknown: "Bearer obs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      revoked: `Bearer ${h.revoked["tenant-a"]![0]}`,
      disabled: `Bearer ${h.tokens["tenant-off"]}`,
      basicWrongPassword: `Basic ${btoa("user:nope")}`,
    };
    for (const [name, auth] of Object.entries(cases)) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (auth) headers.authorization = auth;
      const res = await h.handle(post("/v1/logs", otlpLogsJson(), headers));
      assert.equal(res.status, 401, name);
      assert.match(res.headers.get("www-authenticate") ?? "", /Bearer/, name);
      const body = JSON.parse(await res.text());
      assert.equal(body.code, 16, name);
      assert.ok(!String(body.message).includes("tenant-"), `${name} leaks a tenant id`);
    }
    assert.equal(h.published.length, 0);
  } finally {
    await h.close();
  }
});

Deno.test("Basic auth with the token as password is accepted", async () => {
  const h = await harness();
  try {
    const res = await h.handle(post("/v1/logs", otlpLogsJson(), {
      authorization: `Basic ${btoa(`prometheus:${h.tokens["tenant-b"]}`)}`,
      "content-type": "application/json",
    }));
    assert.equal(res.status, 200);
    assert.equal(h.published[0]!.tenant, "tenant-b");
  } finally {
    await h.close();
  }
});

Deno.test("bad input gets its 4xx and a valid request afterwards still succeeds", async () => {
  const h = await harness({ maxBodyBytes: 64 * 1024 });
  try {
    const auth = `Bearer ${h.tokens["tenant-a"]}`;
    const bomb = await gzip(new Uint8Array(32 << 20)); // 32 MiB of zeros, decompressed cap 4 MiB
    const truncated = (await gzip(new TextEncoder().encode(otlpLogsJson()))).slice(0, 20);
    const cases: [string, Request, number][] = [
      [
        "garbage protobuf",
        post("/v1/traces", new Uint8Array([0xff, 0xff, 0xff, 0x0f, 1]), {
          authorization: auth,
          "content-type": "application/x-protobuf",
        }),
        400,
      ],
      [
        "invalid JSON",
        post("/v1/metrics", "{not json", {
          authorization: auth,
          "content-type": "application/json",
        }),
        400,
      ],
      [
        "truncated gzip",
        post("/v1/logs", truncated, {
          authorization: auth,
          "content-type": "application/json",
          "content-encoding": "gzip",
        }),
        400,
      ],
      [
        "gzip bomb",
        post("/v1/logs", bomb, {
          authorization: auth,
          "content-type": "application/x-protobuf",
          "content-encoding": "gzip",
        }),
        413,
      ],
      [
        "oversized body",
        post("/v1/logs", new Uint8Array(65 * 1024), {
          authorization: auth,
          "content-type": "application/x-protobuf",
        }),
        413,
      ],
      [
        "wrong content type",
        post("/v1/logs", "x", {
          authorization: auth,
          "content-type": "text/plain",
        }),
        415,
      ],
      [
        "unsupported encoding",
        post("/v1/logs", "x", {
          authorization: auth,
          "content-type": "application/json",
          "content-encoding": "br",
        }),
        415,
      ],
      ["wrong method", new Request(`${BASE}/v1/logs`, { headers: { authorization: auth } }), 405],
      [
        "snappy claiming 4 GiB",
        post("/api/v1/write", new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x10, 0]), {
          authorization: auth,
          "content-type": "application/x-protobuf",
          "content-encoding": "snappy",
        }),
        413,
      ],
      [
        "remote write without snappy",
        post("/api/v1/write", new Uint8Array([1]), {
          authorization: auth,
          "content-type": "application/x-protobuf",
        }),
        415,
      ],
      [
        "remote write unknown proto",
        post("/api/v1/write", new Uint8Array([1]), {
          authorization: auth,
          "content-type": "application/x-protobuf;proto=foo.Bar",
          "content-encoding": "snappy",
        }),
        415,
      ],
    ];
    for (const [name, req, want] of cases) {
      const res = await h.handle(req);
      assert.equal(res.status, want, `${name}: ${await res.clone().text()}`);
      if (want === 405) assert.equal(res.headers.get("allow"), "POST");
      if (req.url.startsWith(`${BASE}/v1/`) && want !== 405 && want !== 415) {
        const enc = req.headers.get("content-type") === "application/json" ? "json" : "protobuf";
        const body = new Uint8Array(await res.arrayBuffer());
        const status = enc === "json"
          ? JSON.parse(new TextDecoder().decode(body))
          : decodeStatus(body);
        assert.ok(String(status.message).length > 0, `${name}: Status has a reason`);
      }
    }
    assert.equal(h.published.length, 0);
    const ok = await h.handle(post("/v1/logs", otlpLogsJson(), {
      authorization: auth,
      "content-type": "application/json",
    }));
    assert.equal(ok.status, 200);
  } finally {
    await h.close();
  }
});

Deno.test("deeply nested attribute values are refused with 400", async () => {
  const h = await harness();
  try {
    let v: unknown = { stringValue: "leaf" };
    for (let i = 0; i < 200; i++) v = { kvlistValue: { values: [{ key: "k", value: v }] } };
    const body = JSON.stringify({
      resourceLogs: [{
        resource: { attributes: [{ key: "deep", value: v }] },
        scopeLogs: [{ logRecords: [{ body: { stringValue: "x" } }] }],
      }],
    });
    const res = await h.handle(post("/v1/logs", body, {
      authorization: `Bearer ${h.tokens["tenant-a"]}`,
      "content-type": "application/json",
    }));
    assert.equal(res.status, 400);
  } finally {
    await h.close();
  }
});

Deno.test("a tenant over its request rate gets 429 with Retry-After", async () => {
  const h = await harness({ rps: 1 });
  try {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await h.handle(post("/v1/logs", otlpLogsJson(), {
        authorization: `Bearer ${h.tokens["tenant-slow"]}`,
        "content-type": "application/json",
      }));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
      await res.body?.cancel();
    }
    assert.ok(statuses.includes(200));
    assert.ok(statuses.includes(429));
    assert.ok(Number(retryAfter) >= 1);
  } finally {
    await h.close();
  }
});

Deno.test("broker failure gives 503 with Retry-After, never 500", async () => {
  const h = await harness();
  try {
    h.failPublish.on = true;
    const res = await h.handle(post("/v1/logs", otlpLogsJson(), {
      authorization: `Bearer ${h.tokens["tenant-a"]}`,
      "content-type": "application/json",
    }));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "7");
    const ready = await h.handle(new Request(`${BASE}/readyz`));
    assert.equal(ready.status, 503);
    await ready.body?.cancel();
  } finally {
    await h.close();
  }
});

Deno.test("remote write 1.0 stamps tenant_id on every series and keeps labels sorted", async () => {
  const h = await harness();
  try {
    const req = encodeWriteRequestV1(
      {
        timeseries: [{
          labels: [
            { name: "__name__", value: "up" },
            { name: "job", value: "node" },
            { name: "tenant_id", value: "tenant-b" },
            { name: "zone", value: "eu" },
          ],
          samples: [{ value: 1, timestamp: Date.now() }],
          exemplars: [],
          histograms: [],
        }],
        metadata: [],
      } as unknown as Parameters<typeof encodeWriteRequestV1>[0],
    );
    const res = await h.handle(post("/api/v1/write", snappyEncode(req), {
      authorization: `Basic ${btoa(`x:${h.tokens["tenant-a"]}`)}`,
      "content-type": "application/x-protobuf",
      "content-encoding": "snappy",
      "x-prometheus-remote-write-version": "0.1.0",
    }));
    assert.equal(res.status, 204, await res.clone().text());
    const p = h.published[0]!;
    assert.equal(p.format, "prom-rw-v1");
    const out = decodeWriteRequestV1(p.value);
    const labels = out.timeseries[0]!.labels.map((l) => [l.name, l.value]);
    assert.deepEqual(labels, [
      ["__name__", "up"],
      ["job", "node"],
      ["tenant_id", "tenant-a"],
      ["zone", "eu"],
    ]);
  } finally {
    await h.close();
  }
});

Deno.test("remote write 2.0 answers with the X-Prometheus-Remote-Write-*-Written headers", async () => {
  const h = await harness();
  try {
    const req = encodeWriteRequestV2(
      {
        symbols: ["", "__name__", "up", "job", "node"],
        timeseries: [{
          labelsRefs: [1, 2, 3, 4],
          samples: [{ value: 1, timestamp: Date.now() }, { value: 2, timestamp: Date.now() + 1 }],
          histograms: [],
          exemplars: [],
        }],
      } as unknown as Parameters<typeof encodeWriteRequestV2>[0],
    );
    const res = await h.handle(post("/api/v1/push", snappyEncode(req), {
      authorization: `Bearer ${h.tokens["tenant-a"]}`,
      "content-type": "application/x-protobuf;proto=io.prometheus.write.v2.Request",
      "content-encoding": "snappy",
      "x-prometheus-remote-write-version": "2.0.0",
    }));
    assert.equal(res.status, 204, await res.clone().text());
    assert.equal(res.headers.get("x-prometheus-remote-write-samples-written"), "2");
    assert.equal(res.headers.get("x-prometheus-remote-write-histograms-written"), "0");
    assert.equal(res.headers.get("x-prometheus-remote-write-exemplars-written"), "0");
    const out = decodeWriteRequestV2(h.published[0]!.value);
    const ts = out.timeseries[0]!;
    const labels: Record<string, string> = {};
    for (let i = 0; i < ts.labelsRefs.length; i += 2) {
      labels[out.symbols[ts.labelsRefs[i]!]!] = out.symbols[ts.labelsRefs[i + 1]!]!;
    }
    assert.equal(labels["tenant_id"], "tenant-a");
  } finally {
    await h.close();
  }
});

Deno.test("/metrics counts requests by signal, tenant and code", async () => {
  const h = await harness();
  try {
    await h.handle(post("/v1/logs", otlpLogsJson(), {
      authorization: `Bearer ${h.tokens["tenant-a"]}`,
      "content-type": "application/json",
    }));
    const text = await h.metricsText();
    assert.match(
      text,
      /obstack_ingest_requests_total\{signal="logs",tenant="tenant-a",code="200"\} 1/,
    );
    assert.match(
      text,
      /obstack_ingest_records_total\{signal="logs",tenant="tenant-a",outcome="accepted"\} 2/,
    );
  } finally {
    await h.close();
  }
});

Deno.test("unknown paths are 404 and health answers", async () => {
  const h = await harness();
  try {
    assert.equal((await h.handle(new Request(`${BASE}/nope`))).status, 404);
    assert.equal((await h.handle(new Request(`${BASE}/healthz`))).status, 200);
    assert.equal((await h.handle(new Request(`${BASE}/readyz`))).status, 200);
  } finally {
    await h.close();
  }
});
