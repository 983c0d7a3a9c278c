/**
 * The test bed's servers behave as INFRA.md says the rest of the suite relies on: Prometheus
 * receives remote write 1.0 and 2.0, Jaeger separates tenants on OTLP/gRPC to remote_storage,
 * VictoriaLogs separates numeric tenants, OpenSearch is up. Each test is skipped when the
 * bed does not provide its server.
 */
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { encodeWriteRequestV1 } from "../../lib/codec/remote_write/v1.ts";
import { encodeWriteRequestV2 } from "../../lib/codec/remote_write/v2.ts";
import { snappyEncode } from "../../lib/codec/snappy.ts";
import { otlpJsonToProtobuf } from "../../lib/codec/otlp.ts";

const PROM = Deno.env.get("OBSTACK_TEST_PROMETHEUS");
const JAEGER_GRPC = Deno.env.get("OBSTACK_TEST_JAEGER_GRPC");
const JAEGER_QUERY = Deno.env.get("OBSTACK_TEST_JAEGER_QUERY");
const VLOGS = Deno.env.get("OBSTACK_TEST_VLOGS");
const OPENSEARCH = Deno.env.get("OBSTACK_TEST_OPENSEARCH");

function uniq(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

async function promQuery(
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${PROM}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = await res.json();
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data.result;
}

Deno.test({
  name: "test bed Prometheus stores remote write 1.0 and 2.0 (2.0 only with its content type)",
  ignore: !PROM,
  fn: async () => {
    const now = Date.now();
    const v1name = uniq("obstack_testbed_v1");
    const v1 = encodeWriteRequestV1({
      timeseries: [{
        labels: [{ name: "__name__", value: v1name }, { name: "job", value: "testbed" }],
        samples: [{ value: 42, timestamp: now }],
        exemplars: [],
        histograms: [],
      }],
      metadata: [],
    });
    const r1 = await fetch(`${PROM}/api/v1/write`, {
      method: "POST",
      headers: {
        "content-type": "application/x-protobuf",
        "content-encoding": "snappy",
        "x-prometheus-remote-write-version": "0.1.0",
      },
      body: snappyEncode(v1).slice(),
    });
    assert.equal(r1.status, 204, await r1.text());

    const v2name = uniq("obstack_testbed_v2");
    const v2 = encodeWriteRequestV2({
      symbols: ["", "__name__", v2name, "job", "testbed"],
      timeseries: [{
        labelsRefs: [1, 2, 3, 4],
        samples: [{ value: 7, timestamp: now, startTimestamp: 0 }],
        histograms: [],
        exemplars: [],
      }],
    });
    const r2 = await fetch(`${PROM}/api/v1/write`, {
      method: "POST",
      headers: {
        "content-type": "application/x-protobuf;proto=io.prometheus.write.v2.Request",
        "content-encoding": "snappy",
        "x-prometheus-remote-write-version": "2.0.0",
      },
      body: snappyEncode(v2).slice(),
    });
    await r2.body?.cancel();
    assert.equal(r2.status, 204);
    assert.equal(r2.headers.get("x-prometheus-remote-write-samples-written"), "1");

    // The same 2.0 body labelled as plain protobuf is read as 1.0: accepted, nothing stored.
    const lostName = uniq("obstack_testbed_v2_plain");
    const lost = encodeWriteRequestV2({
      symbols: ["", "__name__", lostName],
      timeseries: [{
        labelsRefs: [1, 2],
        samples: [{ value: 1, timestamp: now, startTimestamp: 0 }],
        histograms: [],
        exemplars: [],
      }],
    });
    const r3 = await fetch(`${PROM}/api/v1/write`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy" },
      body: snappyEncode(lost).slice(),
    });
    await r3.body?.cancel();

    assert.deepEqual((await promQuery(v1name)).map((s) => s.value[1]), ["42"]);
    assert.deepEqual((await promQuery(v2name)).map((s) => s.value[1]), ["7"]);
    assert.deepEqual(await promQuery(lostName), []);
  },
});

function exportTrace(target: string, tenant: string | undefined, body: Uint8Array): Promise<void> {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  if (tenant) md.set("x-scope-orgid", tenant);
  return new Promise<void>((resolve, reject) => {
    client.makeUnaryRequest(
      "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      body,
      md,
      { deadline: Date.now() + 10_000 },
      (err: grpc.ServiceError | null) => {
        client.close();
        if (err) reject(err);
        else resolve();
      },
    );
  });
}

Deno.test({
  name: "test bed Jaeger keeps a trace sent over OTLP/gRPC with X-Scope-OrgID to that tenant only",
  ignore: !JAEGER_GRPC || !JAEGER_QUERY,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const traceId = Array.from(
      crypto.getRandomValues(new Uint8Array(16)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const body = otlpJsonToProtobuf(
      "traces",
      JSON.stringify({
        resourceSpans: [{
          resource: {
            attributes: [{ key: "service.name", value: { stringValue: "testbed-svc" } }],
          },
          scopeSpans: [{
            spans: [{
              traceId,
              spanId: "0102030405060708",
              name: "testbed-span",
              kind: 2,
              startTimeUnixNano: String(nowNs),
              endTimeUnixNano: String(nowNs + 1_000_000n),
            }],
          }],
        }],
      }),
    );
    await exportTrace(JAEGER_GRPC!, "tenant-a", body);
    await assert.rejects(exportTrace(JAEGER_GRPC!, "no-such-tenant", body), /PERMISSION_DENIED|7 /);
    await assert.rejects(exportTrace(JAEGER_GRPC!, undefined, body), /UNAUTHENTICATED|16 /);

    const get = (tenant: string) =>
      fetch(`${JAEGER_QUERY}/api/traces/${traceId}`, { headers: { "X-Scope-OrgID": tenant } });
    const a = await get("tenant-a");
    const text = await a.text();
    assert.equal(a.status, 200, text);
    assert.ok(text.includes("testbed-span"));
    const b = await get("tenant-b");
    await b.body?.cancel();
    assert.equal(b.status, 404);
    const none = await fetch(`${JAEGER_QUERY}/api/traces/${traceId}`);
    await none.body?.cancel();
    assert.equal(none.status, 401);
  },
});

Deno.test({
  name: "test bed VictoriaLogs keeps Loki-pushed lines per numeric tenant, message text intact",
  ignore: !VLOGS,
  fn: async () => {
    const marker = uniq("marker");
    const line = JSON.stringify({ msg: `payment timeout ${marker}`, level: "error" });
    const push = await fetch(`${VLOGS}/insert/loki/api/v1/push`, {
      method: "POST",
      headers: { "content-type": "application/json", AccountID: "1" },
      body: JSON.stringify({
        streams: [{
          stream: { service_name: "checkout" },
          values: [[`${Date.now()}000000`, line]],
        }],
      }),
    });
    await push.body?.cancel();
    assert.equal(push.status, 204);
    const query = async (account: string) => {
      // Freshly ingested rows become searchable within about a second.
      const deadline = Date.now() + 10_000;
      while (true) {
        const res = await fetch(
          `${VLOGS}/select/logsql/query?query=${encodeURIComponent(`"${marker}"`)}`,
          { headers: { AccountID: account } },
        );
        const text = (await res.text()).trim();
        if (text || account !== "1" || Date.now() > deadline) return text;
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const own = await query("1");
    assert.ok(own, "tenant 1 sees its line");
    assert.equal(JSON.parse(own.split("\n")[0]!)._msg, line);
    assert.equal(await query("2"), "", "tenant 2 sees nothing");
  },
});

Deno.test({
  name: "test bed OpenSearch is a single green/yellow node of version 3.8",
  ignore: !OPENSEARCH,
  fn: async () => {
    const info = await (await fetch(OPENSEARCH!)).json();
    assert.equal(info.version.number, "3.8.0");
    const health = await (await fetch(`${OPENSEARCH}/_cluster/health`)).json();
    assert.ok(["green", "yellow"].includes(health.status), health.status);
    assert.equal(health.number_of_nodes, 1);
  },
});
