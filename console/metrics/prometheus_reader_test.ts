import assert from "node:assert/strict";
import { ObstackError } from "../../lib/errors.ts";
import { chooseStep, createPrometheusReader } from "./prometheus_reader.ts";

const T = { id: "tenant-a", numericId: 1 };

function fake(body: unknown) {
  const calls: Request[] = [];
  const f = ((input: URL | RequestInfo, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return Promise.resolve(Response.json(body));
  }) as typeof fetch;
  return { calls, f };
}

Deno.test("chooseStep() aims at ~300 points and respects Prometheus' 11,000-point limit", () => {
  assert.equal(chooseStep(0, 3600_000), 12);
  assert.equal(chooseStep(0, 60_000), 1);
  assert.equal(chooseStep(0, 3600_000, 0.1), 1);
  assert.equal(chooseStep(0, 30 * 86400_000, 1), 236);
});

Deno.test("createPrometheusReader() sends only the scoped query", async () => {
  const { calls, f } = fake({ status: "success", data: { resultType: "matrix", result: [] } });
  const prom = createPrometheusReader({ url: "http://p:9090", fetch: f });
  const r = await prom.queryRange(T, { query: "rate(x[5m])", startMs: 0, endMs: 3600_000 });
  assert.equal(r.scopedQuery, 'rate(x{tenant_id="tenant-a"}[5m])');
  const u = new URL(calls[0]!.url);
  assert.equal(u.pathname, "/api/v1/query_range");
  assert.equal(u.searchParams.get("query"), 'rate(x{tenant_id="tenant-a"}[5m])');
  assert.equal(u.searchParams.get("step"), "12");
});

Deno.test("createPrometheusReader() refuses an unscopable query with 400 before calling Prometheus", async () => {
  const { calls, f } = fake({});
  const prom = createPrometheusReader({ url: "http://p:9090", fetch: f });
  await assert.rejects(
    prom.query(T, 'up{tenant_id="tenant-b"}', 0),
    (e) =>
      (e as ObstackError).status === 400 && /query refused: .*tenant_id/.test((e as Error).message),
  );
  assert.equal(calls.length, 0);
});

Deno.test("createPrometheusReader() drops series labelled with another tenant", async () => {
  const { f } = fake({
    status: "success",
    data: {
      resultType: "vector",
      result: [
        { metric: { __name__: "up", tenant_id: "tenant-a" }, value: [1, "1"] },
        { metric: { __name__: "up", tenant_id: "tenant-b" }, value: [1, "1"] },
        { metric: {}, value: [1, "2"] },
      ],
    },
  });
  const r = await createPrometheusReader({ url: "http://p:9090", fetch: f }).query(T, "up", 1000);
  assert.deepEqual(
    (r.result as { metric: Record<string, string> }[]).map((s) => s.metric.tenant_id),
    ["tenant-a", undefined],
  );
});

Deno.test("createPrometheusReader() metric names are asked with the tenant matcher only", async () => {
  const { calls, f } = fake({ status: "success", data: ["http_requests_total", "up", "go_gc"] });
  const names = await createPrometheusReader({ url: "http://p:9090", fetch: f }).metricNames(
    T,
    0,
    1000,
    "http",
  );
  assert.deepEqual(names, ["http_requests_total"]);
  const u = new URL(calls[0]!.url);
  assert.equal(u.pathname, "/api/v1/label/__name__/values");
  assert.deepEqual(u.searchParams.getAll("match[]"), ['{tenant_id="tenant-a"}']);
});
