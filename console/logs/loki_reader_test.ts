/**
 * Loki cannot run on these machines (INFRA.md), so the Loki reader is tested against responses
 * written by hand from Loki's HTTP API documentation (`GET /loki/api/v1/query_range` returning
 * `resultType: "streams"` with `[<ns>, <line>]` values, and `/loki/api/v1/label/<name>/values`).
 */
import assert from "node:assert/strict";
import { ObstackError } from "../../lib/errors.ts";
import { createLokiReader, lokiSimpleQuery } from "./loki_reader.ts";

const TENANT = { id: "tenant-a", numericId: 1 };

const STREAMS = {
  status: "success",
  data: {
    resultType: "streams",
    result: [
      {
        stream: { tenant_id: "tenant-a", service_name: "checkout", level: "error" },
        values: [
          ["1700000002000000000", "payment timeout order=42"],
          ["1700000000000000000", "payment retry order=42"],
        ],
      },
      {
        stream: { tenant_id: "tenant-a", service_name: "cart", level: "info" },
        values: [["1700000001000000001", "cart updated", { trace_id: "abc" }]],
      },
    ],
    stats: {},
  },
};

function fake(body: unknown, status = 200) {
  const calls: Request[] = [];
  const f = ((input: URL | RequestInfo, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return Promise.resolve(Response.json(body, { status }));
  }) as typeof fetch;
  return { calls, f };
}

Deno.test("lokiSimpleQuery() always selects the tenant stream and quotes user text", () => {
  assert.equal(lokiSimpleQuery("tenant-a", {}), '{tenant_id="tenant-a"}');
  assert.equal(
    lokiSimpleQuery("tenant-a", { service: 'check"out', level: "error", text: 'a"} |= `b' }),
    '{tenant_id="tenant-a", service_name="check\\"out", level="error"} |= "a\\"} |= `b"',
  );
});

Deno.test("createLokiReader() query_range is backward, in ns, with X-Scope-OrgID; newest first", async () => {
  const { calls, f } = fake(STREAMS);
  const loki = createLokiReader({ url: "http://loki:3100", fetch: f });
  const rows = await loki.query(TENANT, {
    startMs: 1_699_999_000_000,
    endMs: 1_700_001_000_000,
    limit: 50,
    text: "payment",
  });
  const u = new URL(calls[0]!.url);
  assert.equal(u.pathname, "/loki/api/v1/query_range");
  assert.equal(u.searchParams.get("query"), '{tenant_id="tenant-a"} |= "payment"');
  assert.equal(u.searchParams.get("start"), "1699999000000000000");
  assert.equal(u.searchParams.get("direction"), "backward");
  assert.equal(u.searchParams.get("limit"), "50");
  assert.equal(calls[0]!.headers.get("X-Scope-OrgID"), "tenant-a");
  assert.deepEqual(rows.map((r) => [r.timeNs, r.service, r.level, r.line]), [
    ["1700000002000000000", "checkout", "error", "payment timeout order=42"],
    ["1700000001000000001", "cart", "info", "cart updated"],
    ["1700000000000000000", "checkout", "error", "payment retry order=42"],
  ]);
  assert.equal(rows[1]!.fields.trace_id, "abc");
});

Deno.test("createLokiReader() passes an expert LogQL query through, tenant still in the header", async () => {
  const { calls, f } = fake(STREAMS);
  const loki = createLokiReader({ url: "http://loki:3100", fetch: f });
  await loki.query(TENANT, {
    startMs: 0,
    endMs: 1,
    limit: 10,
    expert: '{service_name=~".+"} |= "x"',
    text: "ignored",
  });
  assert.equal(new URL(calls[0]!.url).searchParams.get("query"), '{service_name=~".+"} |= "x"');
  assert.equal(calls[0]!.headers.get("X-Scope-OrgID"), "tenant-a");
});

Deno.test("createLokiReader() refuses metric query results in the log table", async () => {
  const { f } = fake({ status: "success", data: { resultType: "matrix", result: [] } });
  const loki = createLokiReader({ url: "http://loki:3100", fetch: f });
  await assert.rejects(
    loki.query(TENANT, { startMs: 0, endMs: 1, limit: 10, expert: 'rate({a="b"}[1m])' }),
    (e) => (e as ObstackError).status === 400,
  );
});

Deno.test("createLokiReader() label values come from /label/<name>/values", async () => {
  const { calls, f } = fake({ status: "success", data: ["checkout", "cart"] });
  const loki = createLokiReader({ url: "http://loki:3100", fetch: f });
  assert.deepEqual(await loki.labelValues(TENANT, "service_name", 0, 1000), ["cart", "checkout"]);
  assert.equal(new URL(calls[0]!.url).pathname, "/loki/api/v1/label/service_name/values");
  assert.equal(calls[0]!.headers.get("X-Scope-OrgID"), "tenant-a");
});
