/**
 * Unit tests of the Jaeger JSON conversion; the reader itself is tested against the real Jaeger
 * in tests/integration/console_traces_test.ts.
 */
import assert from "node:assert/strict";
import { createJaegerReader, traceFromJaeger } from "./jaeger_reader.ts";

const TRACE = {
  traceID: "0af7651916cd43dd8448eb211c80319c",
  spans: [
    {
      traceID: "0af7651916cd43dd8448eb211c80319c",
      spanID: "00f067aa0ba902b7",
      operationName: "GET /checkout",
      references: [],
      startTime: 1700000000000000,
      duration: 1500,
      tags: [
        { key: "span.kind", type: "string", value: "server" },
        { key: "http.status_code", type: "int64", value: 500 },
        { key: "error", type: "bool", value: true },
        { key: "otel.status_code", type: "string", value: "ERROR" },
        { key: "otel.status_description", type: "string", value: "boom" },
      ],
      logs: [{ timestamp: 1700000000000500, fields: [{ key: "event", value: "exception" }] }],
      processID: "p1",
    },
    {
      traceID: "0af7651916cd43dd8448eb211c80319c",
      spanID: "b7ad6b7169203331",
      operationName: "SELECT",
      references: [{
        refType: "CHILD_OF",
        traceID: "0af7651916cd43dd8448eb211c80319c",
        spanID: "00f067aa0ba902b7",
      }],
      startTime: 1700000000000200,
      duration: 700,
      tags: [],
      processID: "p2",
    },
  ],
  processes: {
    p1: { serviceName: "checkout", tags: [{ key: "tenant_id", value: "tenant-a" }] },
    p2: { serviceName: "db", tags: [] },
  },
};

Deno.test("traceFromJaeger() maps services, parents, status, kind and events", () => {
  const t = traceFromJaeger(TRACE);
  assert.equal(t.spans.length, 2);
  const [root, child] = t.spans;
  assert.equal(root!.service, "checkout");
  assert.equal(root!.status, "error");
  assert.equal(root!.statusMessage, "boom");
  assert.equal(root!.kind, "server");
  assert.deepEqual(root!.attributes, { "http.status_code": "500" });
  assert.equal(root!.resource.tenant_id, "tenant-a");
  assert.deepEqual(root!.events, [{ timeUs: 1700000000000500, name: "exception", attributes: {} }]);
  assert.equal(child!.parentSpanId, "00f067aa0ba902b7");
  assert.equal(child!.service, "db");
  assert.equal(child!.status, "unset");
});

Deno.test("createJaegerReader() searches every service with the tenant header and merges", async () => {
  const calls: Request[] = [];
  const f = ((input: URL | RequestInfo, init?: RequestInit) => {
    const req = new Request(input, init);
    calls.push(req);
    const u = new URL(req.url);
    if (u.pathname === "/api/services") {
      return Promise.resolve(Response.json({ data: ["db", "checkout"] }));
    }
    return Promise.resolve(Response.json({ data: [TRACE] }));
  }) as typeof fetch;
  const j = createJaegerReader({ url: "http://jaeger:16686", fetch: f });
  const list = await j.search({ id: "tenant-a", numericId: 1 }, {
    startMs: 1_699_999_000_000,
    endMs: 1_700_001_000_000,
    limit: 10,
  });
  assert.equal(list.length, 1); // the same trace found via both services is listed once
  assert.deepEqual(list[0], {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    rootService: "checkout",
    rootName: "GET /checkout",
    startMs: 1700000000000,
    durationMs: 1.5,
    spanCount: 2,
    hasError: true,
  });
  assert.equal(calls.length, 3);
  for (const c of calls) assert.equal(c.headers.get("X-Scope-OrgID"), "tenant-a");
  const searched = calls.slice(1).map((c) => new URL(c.url).searchParams.get("service")).sort();
  assert.deepEqual(searched, ["checkout", "db"]);
  assert.equal(new URL(calls[1]!.url).searchParams.get("start"), "1699999000000000");
});
