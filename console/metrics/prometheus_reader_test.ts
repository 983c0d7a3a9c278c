import assert from "node:assert/strict";
import { ObstackError } from "../../lib/errors.ts";
import { checkScopedAst, chooseStep, createPrometheusReader } from "./prometheus_reader.ts";

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
  const prom = createPrometheusReader({ url: "http://p:9090", fetch: f, verifyWithServer: false });
  const r = await prom.queryRange(T, { query: "rate(x[5m])", startMs: 0, endMs: 3600_000 });
  assert.equal(r.scopedQuery, 'rate(x{tenant_id="tenant-a"}[5m])');
  const u = new URL(calls[0]!.url);
  assert.equal(u.pathname, "/api/v1/query_range");
  assert.equal(u.searchParams.get("query"), 'rate(x{tenant_id="tenant-a"}[5m])');
  assert.equal(u.searchParams.get("step"), "12");
});

Deno.test("createPrometheusReader() refuses an unscopable query with 400 before calling Prometheus", async () => {
  const { calls, f } = fake({});
  const prom = createPrometheusReader({ url: "http://p:9090", fetch: f, verifyWithServer: false });
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
  const r = await createPrometheusReader({
    url: "http://p:9090",
    fetch: f,
    verifyWithServer: false,
  }).query(T, "up", 1000);
  assert.deepEqual(
    (r.result as { metric: Record<string, string> }[]).map((s) => s.metric.tenant_id),
    ["tenant-a", undefined],
  );
});

Deno.test("createPrometheusReader() metric names are asked with the tenant matcher only", async () => {
  const { calls, f } = fake({ status: "success", data: ["http_requests_total", "up", "go_gc"] });
  const names = await createPrometheusReader({
    url: "http://p:9090",
    fetch: f,
    verifyWithServer: false,
  }).metricNames(
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

/** Prometheus' `/api/v1/parse_query` tree of `sum(rate(up{job="a", tenant_id="tenant-a"}[5m]))`. */
const SCOPED_AST = {
  type: "aggregation",
  op: "sum",
  grouping: [],
  param: null,
  without: false,
  expr: {
    type: "call",
    func: { name: "rate", argTypes: ["matrix"], returnType: "vector", variadic: 0 },
    args: [{
      type: "matrixSelector",
      name: "up",
      range: 300000,
      offset: 0,
      matchers: [
        { name: "job", type: "=", value: "a" },
        { name: "tenant_id", type: "=", value: "tenant-a" },
        { name: "__name__", type: "=", value: "up" },
      ],
    }],
  },
};

Deno.test("checkScopedAst() accepts a tree whose every selector has the tenant matcher", () => {
  assert.equal(checkScopedAst(SCOPED_AST, "tenant-a"), null);
});

Deno.test("checkScopedAst() rejects unscoped, wrongly scoped and doubly scoped selectors, and info()", () => {
  const clone = () => JSON.parse(JSON.stringify(SCOPED_AST));
  const other = clone();
  other.expr.args[0].matchers[1].value = "tenant-b";
  assert.match(checkScopedAst(other, "tenant-a") ?? "", /not scoped/);
  const none = clone();
  none.expr.args[0].matchers.splice(1, 1);
  assert.match(checkScopedAst(none, "tenant-a") ?? "", /not scoped/);
  const twice = clone();
  twice.expr.args[0].matchers.push({ name: "tenant_id", type: "!=", value: "x" });
  assert.match(checkScopedAst(twice, "tenant-a") ?? "", /not scoped/);
  const nested = {
    type: "binaryExpr",
    lhs: SCOPED_AST,
    rhs: { type: "vectorSelector", matchers: [] },
  };
  assert.match(checkScopedAst(nested, "tenant-a") ?? "", /not scoped/);
  const info = { type: "call", func: { name: "info" }, args: [] };
  assert.match(checkScopedAst(info, "tenant-a") ?? "", /info/);
});

Deno.test("createPrometheusReader() asks Prometheus to parse the scoped query and refuses an unsafe tree", async () => {
  const calls: Request[] = [];
  const f = ((input: URL | RequestInfo, init?: RequestInit) => {
    const req = new Request(input, init);
    calls.push(req);
    if (new URL(req.url).pathname === "/api/v1/parse_query") {
      // Pretend Prometheus parsed something the console did not scope.
      return Promise.resolve(
        Response.json({ status: "success", data: { type: "vectorSelector", matchers: [] } }),
      );
    }
    return Promise.resolve(
      Response.json({ status: "success", data: { resultType: "vector", result: [] } }),
    );
  }) as typeof fetch;
  const prom = createPrometheusReader({ url: "http://p:9090", fetch: f });
  await assert.rejects(prom.query(T, "up", 0), (e) => (e as ObstackError).status === 400);
  assert.equal(calls.length, 1);
  assert.equal(new URL(calls[0]!.url).searchParams.get("query"), 'up{tenant_id="tenant-a"}');
});

Deno.test("createPrometheusReader() falls back to its own parser when the store has no parse_query", async () => {
  const paths: string[] = [];
  const f = ((input: URL | RequestInfo, init?: RequestInit) => {
    const req = new Request(input, init);
    const path = new URL(req.url).pathname;
    paths.push(path);
    if (path === "/api/v1/parse_query") {
      return Promise.resolve(new Response("404 page not found", { status: 404 }));
    }
    return Promise.resolve(
      Response.json({ status: "success", data: { resultType: "vector", result: [] } }),
    );
  }) as typeof fetch;
  const prom = createPrometheusReader({ url: "http://p:9090", fetch: f });
  await prom.query(T, "up", 0);
  await prom.query(T, "up", 0);
  assert.deepEqual(paths, ["/api/v1/parse_query", "/api/v1/query", "/api/v1/query"]);
});
