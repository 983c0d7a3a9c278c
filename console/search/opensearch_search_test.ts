import assert from "node:assert/strict";
import { ObstackError } from "../../lib/errors.ts";
import {
  createOpenSearchSearch,
  HIGHLIGHT_START,
  searchBody,
  tenantIndices,
} from "./opensearch_search.ts";

Deno.test("tenantIndices() names each UTC day exactly, with a day of slack either side", () => {
  assert.deepEqual(tenantIndices("acme", Date.UTC(2024, 1, 28, 23), Date.UTC(2024, 2, 1, 1)), [
    "logs-acme-2024.02.27",
    "logs-acme-2024.02.28",
    "logs-acme-2024.02.29",
    "logs-acme-2024.03.01",
    "logs-acme-2024.03.02",
  ]);
});

Deno.test("tenantIndices() never produces a pattern that another tenant's index could match", () => {
  for (const name of tenantIndices("acme", 0, 86_400_000 * 3)) {
    assert.match(name, /^logs-acme-\d{4}\.\d{2}\.\d{2}$/);
    assert.ok(!/[*?,]/.test(name));
  }
  assert.throws(() => tenantIndices("acme,logs-b*", 0, 1), TypeError);
  assert.throws(() => tenantIndices("acme", 0, 200 * 86_400_000), /at most 93 days/);
});

Deno.test("searchBody() uses simple_query_string, phrase filters, time range and highlight markers", () => {
  // A JSON round trip gives an untyped view of the body for the assertions below.
  const b = JSON.parse(JSON.stringify(searchBody(
    {
      q: "payment timeout",
      filters: [{ field: "service.name", value: "checkout" }],
      startMs: 1,
      endMs: 2,
      from: 20,
      size: 10,
    },
    "@timestamp",
    "acme",
  )));
  assert.equal(b.from, 20);
  assert.equal(b.query.bool.must[0].simple_query_string.query, "payment timeout");
  assert.deepEqual(b.query.bool.filter[0], { term: { tenant_id: "acme" } });
  assert.deepEqual(b.query.bool.filter[2], { match_phrase: { "service.name": "checkout" } });
  assert.equal(b.query.bool.filter[1].range["@timestamp"].gte, 1);
  assert.deepEqual(b.highlight.pre_tags, [HIGHLIGHT_START]);
  // Highlights come from the user's query alone: the tenant filter must not be marked.
  assert.deepEqual(b.highlight.highlight_query, b.query.bool.must[0]);
});

Deno.test("createOpenSearchSearch() asks only the tenant's indices and drops foreign hits", async () => {
  const calls: Request[] = [];
  const f = ((input: URL | RequestInfo, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return Promise.resolve(Response.json({
      hits: {
        total: { value: 2, relation: "eq" },
        hits: [
          {
            _id: "1",
            _index: "logs-acme-2024.01.02",
            _source: {
              "@timestamp": "2024-01-02T12:00:00Z",
              body: "timeout",
              resource: { "service.name": "x" },
            },
            highlight: { body: [`${HIGHLIGHT_START}timeout\ue001`] },
          },
          { _id: "2", _index: "logs-acme-eu-2024.01.02", _source: { body: "other tenant" } },
        ],
      },
    }));
  }) as typeof fetch;
  const s = createOpenSearchSearch({ url: "http://os:9200", fetch: f });
  const r = await s.search({ id: "acme", numericId: 1 }, {
    q: "timeout",
    filters: [],
    startMs: Date.UTC(2024, 0, 2, 11),
    endMs: Date.UTC(2024, 0, 2, 13),
    from: 0,
    size: 20,
  });
  const u = new URL(calls[0]!.url);
  assert.equal(
    decodeURIComponent(u.pathname),
    "/logs-acme-2024.01.01,logs-acme-2024.01.02,logs-acme-2024.01.03/_search",
  );
  assert.equal(u.searchParams.get("ignore_unavailable"), "true");
  assert.equal(r.hits.length, 1);
  assert.equal(r.hits[0]!.fields["resource.service.name"], "x");
  assert.equal(r.hits[0]!.timeMs, Date.UTC(2024, 0, 2, 12));
  assert.deepEqual(r.hits[0]!.highlights.body, [`${HIGHLIGHT_START}timeout\ue001`]);
});

Deno.test("createOpenSearchSearch() validates paging and field names", async () => {
  const s = createOpenSearchSearch({
    url: "http://os:9200",
    fetch: (() => Promise.reject(new Error("must not be called"))) as typeof fetch,
  });
  const base = { q: "", filters: [], startMs: 0, endMs: 1000, from: 0, size: 10 };
  const t = { id: "acme", numericId: 1 };
  for (
    const bad of [
      { ...base, size: 1000 },
      { ...base, from: 9995 },
      { ...base, filters: [{ field: "a b", value: "x" }] },
      { ...base, filters: [{ field: '_index"', value: "x" }] },
      { ...base, endMs: 0 },
    ]
  ) {
    await assert.rejects(s.search(t, bad), (e) => (e as ObstackError).status === 400);
  }
});
